//! A one-line progress indicator on stderr, drawn only when stderr is a terminal.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use kindling::progress::Progress;

pub struct TermProgress {
    enabled: bool,
    state: Mutex<State>,
}

struct State {
    stage: String,
    total: Option<u64>,
    last_draw: Option<Instant>,
}

impl TermProgress {
    pub fn new() -> TermProgress {
        TermProgress {
            enabled: std::io::stderr().is_terminal(),
            state: Mutex::new(State { stage: String::new(), total: None, last_draw: None }),
        }
    }
}

impl Progress for TermProgress {
    fn stage(&self, name: &str, total: Option<u64>) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.stage = name.to_string();
        s.total = total;
        s.last_draw = None;
    }

    fn advance(&self, done: u64) {
        if !self.enabled {
            return;
        }
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if s.last_draw.is_some_and(|t| t.elapsed() < Duration::from_millis(100)) {
            return;
        }
        s.last_draw = Some(Instant::now());
        let line = match s.total {
            Some(t) if t > 0 => format!("{}: {done}/{t} ({}%)", s.stage, done * 100 / t),
            _ => format!("{}: {done}", s.stage),
        };
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
    }

    fn finish(&self) {
        let s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if self.enabled && s.last_draw.is_some() {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
        }
    }
}
