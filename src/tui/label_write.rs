//! A label change a pane asks the event loop to commit, and what committing it did.

use kindling::labels::store::{Ask, Origin, Undone};

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
    /// The answer to a re-ask (an echo or a gold sample), kept beside the label.
    Answer {
        id: String,
        label: String,
        kind: Ask,
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
    /// The answer to a re-ask was kept.
    Answered {
        id: String,
        kind: Ask,
    },
    Undone(Vec<Undone>),
}
