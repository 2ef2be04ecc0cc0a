//! Entering and leaving the full-screen terminal. Leaving happens on every exit path: normal
//! return, error, panic (hook), and the signals handled by the event loop.

use std::io::{Write, stdout};

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

pub type Term = Terminal<CrosstermBackend<std::io::Stdout>>;

pub fn enter() -> std::io::Result<Term> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        leave();
        previous(info);
    }));
    enable_raw_mode()?;
    if let Err(e) = execute!(stdout(), EnterAlternateScreen, EnableMouseCapture) {
        leave();
        return Err(e);
    }
    Terminal::new(CrosstermBackend::new(stdout())).inspect_err(|_| leave())
}

/// Restores the terminal; safe to call more than once.
pub fn leave() {
    let _ = execute!(stdout(), DisableMouseCapture, LeaveAlternateScreen, crossterm::cursor::Show);
    let _ = disable_raw_mode();
    let _ = stdout().flush();
}
