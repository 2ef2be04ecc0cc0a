//! What every pane of the workbench is: a `Component` that acts on actions, asks for
//! background work, draws itself, and tells the app what it wants done through `Effect`s.
//! A pane never reaches into another pane: what several need is in `Shared`.

use std::collections::HashMap;

use kindling::data::SourceKind;
use kindling::project::config::ClassConfig;
use ratatui::Frame;
use ratatui::layout::Rect;

use super::job::Job;
use super::keys::{Action, Key};
use super::label_write::Write;
use super::palette::Prompt;
use super::pane::Pane;
use super::theme::Theme;
use super::thumbs::Thumbs;

/// State the panes share: the project's kind and classes, thumbnails, label counts, and
/// the sample selected in Browse (which Augment previews).
pub struct Shared {
    pub kind: SourceKind,
    pub classes: Vec<ClassConfig>,
    /// For text projects over a table: the column that holds the text.
    pub text_column: Option<String>,
    pub thumbs: Thumbs,
    /// Labelled samples, as the store last counted them.
    pub labelled: Option<u64>,
    /// The sample selected in Browse.
    pub selected: Option<String>,
    /// Augmentations turned on, for the Train pane's settings.
    pub transforms_on: usize,
    /// The text last searched for in Browse (`/`): marked in the texts shown.
    pub search: Option<String>,
}

impl Shared {
    pub fn new(kind: SourceKind, classes: Vec<ClassConfig>) -> Shared {
        Shared {
            kind,
            classes,
            text_column: None,
            thumbs: Thumbs::default(),
            labelled: None,
            selected: None,
            search: None,
            transforms_on: 0,
        }
    }

    pub fn colour_of(&self, label: &str) -> Option<&str> {
        self.classes.iter().find(|c| c.name == label).map(|c| c.colour.as_str())
    }
}

/// What a pane asks of the workbench.
#[derive(Debug, PartialEq)]
pub enum Effect {
    /// A line on the status bar.
    Say(String),
    Goto(Pane),
    /// Review these samples in the Label pane, starting at `focus`, with a note beside some.
    Review {
        title: String,
        ids: Vec<String>,
        notes: HashMap<String, String>,
        focus: Option<String>,
    },
    /// Open the prompt with this text typed.
    Prompt(Prompt, String),
    /// Commit a label change before the next frame.
    Write(Write),
}

/// What a pane's methods may touch: the shared state, and two lists to append to.
pub struct Cx<'a> {
    pub shared: &'a mut Shared,
    pub jobs: &'a mut Vec<Job>,
    pub effects: &'a mut Vec<Effect>,
}

impl Cx<'_> {
    pub fn say(&mut self, text: impl Into<String>) {
        self.effects.push(Effect::Say(text.into()));
    }
}

/// Runs `f` with a context over a fresh `Shared` (for tests of one pane): what it returned,
/// the jobs it asked for and its effects.
#[cfg(test)]
pub fn in_cx<R>(kind: SourceKind, f: impl FnOnce(&mut Cx) -> R) -> (R, Vec<Job>, Vec<Effect>) {
    let mut shared = Shared::new(kind, Vec::new());
    let (mut jobs, mut effects) = (Vec::new(), Vec::new());
    let result = f(&mut Cx { shared: &mut shared, jobs: &mut jobs, effects: &mut effects });
    (result, jobs, effects)
}

pub trait Component {
    /// Acts on an action the key map gave; false when it is not this pane's.
    fn act(&mut self, action: Action, cx: &mut Cx) -> bool;

    /// Asks for the background work the pane needs now (into `cx.jobs`).
    fn request_jobs(&mut self, cx: &mut Cx);

    fn render(&mut self, f: &mut Frame, area: Rect, shared: &Shared, theme: Theme);

    /// Whether the pane asks for jobs while another is shown (Browse: its window holds the
    /// sample Augment shows and the status bar's position).
    fn works_unseen(&self) -> bool {
        false
    }

    /// A key before the key map sees it (the Label pane's class keys); true if taken.
    fn key(&mut self, _key: Key, _cx: &mut Cx) -> bool {
        false
    }

    /// A mouse event; true when it changed something.
    fn mouse(&mut self, _event: crossterm::event::MouseEvent) -> bool {
        false
    }

    /// Once a second; true when the pane must be drawn again.
    fn tick(&mut self, _cx: &mut Cx) -> bool {
        false
    }

    /// The pane was switched to.
    fn enter(&mut self, _cx: &mut Cx) {}

    /// What `action` does here, for `?`, where it differs from the action's own words.
    fn describe(&self, _action: Action) -> Option<&'static str> {
        None
    }

    /// The position on the status bar (`3/120`), where it is not Browse's.
    fn position(&self) -> Option<String> {
        None
    }

    /// Whether the last action's whole effect is on screen (for the frame-time log).
    fn settled(&self, _graphics: bool) -> bool {
        true
    }
}
