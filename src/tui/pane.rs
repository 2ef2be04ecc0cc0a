//! Which pane: the id of each pane of the workbench, its title and F-key.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// Which pane: the id of each `Component`, in tab order.
pub enum Pane {
    Browse,
    Label,
    Augment,
    Train,
    Results,
    Map,
}

impl Pane {
    pub const ALL: [Pane; 6] = [Pane::Browse, Pane::Label, Pane::Augment, Pane::Train, Pane::Results, Pane::Map];

    /// The tab's title, and the name of the action that goes to the pane (`[keys] browse =
    /// "F1"`, `:browse`).
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Pane::Browse => ("Browse", "browse"),
            Pane::Label => ("Label", "label"),
            Pane::Augment => ("Augment", "augment"),
            Pane::Train => ("Train", "train"),
            Pane::Results => ("Results", "results"),
            Pane::Map => ("Map", "map"),
        }
    }

    pub fn title(self) -> &'static str {
        self.names().0
    }

    pub fn name(self) -> &'static str {
        self.names().1
    }

    /// Its F-key: F1 for the first pane.
    pub fn number(self) -> u8 {
        self.index() as u8 + 1
    }

    fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}
