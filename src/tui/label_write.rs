//! A label change a pane asks the event loop to commit, and what committing it did.

use kindling::labels::store::{Ask, LabelBox, Origin, Rect, Undone};

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
    /// A box edit in a detection project.
    Box(BoxWrite),
}

/// A box edit for the event loop to commit.
#[derive(Debug, Clone, PartialEq)]
pub enum BoxWrite {
    Add {
        sample: String,
        class: String,
        rect: Rect,
    },
    Change {
        sample: String,
        id: i64,
        class: String,
        rect: Rect,
    },
    Delete {
        sample: String,
        id: i64,
    },
    Done {
        sample: String,
        done: bool,
    },
    /// Take back the session's latest box edit.
    Undo,
    /// The detector's proposals kept as boxes (class, rectangle).
    Accept {
        sample: String,
        boxes: Vec<(String, Rect)>,
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
    /// A box edit was kept: the image's boxes and done mark as the store has them now, and
    /// the box made, if one was.
    Boxes {
        sample: String,
        boxes: Vec<LabelBox>,
        done: bool,
        added: Option<i64>,
    },
    /// A box undo found nothing of this session's to take back.
    NothingToUndo,
}
