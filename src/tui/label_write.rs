//! A label change a pane asks the event loop to commit, and what committing it did.

use kindling::labels::store::{Origin, Undone};

/// A label change for the event loop to commit.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    Set {
        ids: Vec<String>,
        label: Option<String>,
        origin: Origin,
    },
    /// Each sample gets the live model's suggestion for it (a bulk accept in the grid).
    Accept {
        pairs: Vec<(String, String)>,
    },
    /// Undo this many of the session's latest events.
    Undo {
        events: usize,
    },
}

/// What a committed write did.
#[derive(Debug, Clone, PartialEq)]
pub enum Written {
    /// The ids got `label`; `events` were appended.
    Set {
        ids: Vec<String>,
        label: Option<String>,
        events: usize,
    },
    /// Each sample got its suggestion; `events` were appended.
    Accepted {
        pairs: Vec<(String, String)>,
        events: usize,
    },
    Undone(Vec<Undone>),
}
