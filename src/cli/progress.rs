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
    started: Instant,
    last_draw: Option<Instant>,
}

impl TermProgress {
    pub fn new() -> TermProgress {
        TermProgress {
            enabled: std::io::stderr().is_terminal(),
            state: Mutex::new(State { stage: String::new(), total: None, started: Instant::now(), last_draw: None }),
        }
    }
}

impl Progress for TermProgress {
    fn stage(&self, name: &str, total: Option<u64>) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.stage = name.to_string();
        s.total = total;
        s.started = Instant::now();
        s.last_draw = None;
    }

    fn note(&self, text: &str) {
        self.finish();
        eprintln!("kindling: {text}");
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
        let seconds = s.started.elapsed().as_secs_f64();
        let rate = (seconds > 0.5 && done > 0).then(|| done as f64 / seconds);
        let line = match (s.total, rate) {
            (Some(t), Some(r)) if t > 0 => {
                let eta = t.saturating_sub(done) as f64 / r;
                format!("{}: {done}/{t} ({}%) · {} · {} left", s.stage, done * 100 / t, per_second(r), duration(eta))
            }
            (Some(t), None) if t > 0 => format!("{}: {done}/{t} ({}%)", s.stage, done * 100 / t),
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

fn per_second(rate: f64) -> String {
    if rate >= 10.0 { format!("{rate:.0}/s") } else { format!("{rate:.1}/s") }
}

/// `42 s`, `3 min 5 s`, `1 h 2 min`.
fn duration(seconds: f64) -> String {
    let s = seconds.round() as u64;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_times_left_read_as_a_person_says_them() {
        assert_eq!(per_second(123.4), "123/s");
        assert_eq!(per_second(2.345), "2.3/s");
        assert_eq!(duration(42.4), "42 s");
        assert_eq!(duration(185.0), "3 min 5 s");
        assert_eq!(duration(3720.0), "1 h 2 min");
    }
}
