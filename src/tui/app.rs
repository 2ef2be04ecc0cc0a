//! The workbench's state and how actions change it. No I/O here: background work is
//! requested through `Job`s and its results come back as `Msg`s.

use kindling::data::query::parse_filter;
use kindling::project::config::{ClassConfig, SourceKind};

use super::browse::Browse;
use super::job::{Job, Msg};
use super::keys::{Action, KeyMap};
use super::label::{Content, Labeller};
use super::palette::{self, Command, Prompt};
use super::thumbs::Thumbs;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Browse,
    Label,
    Augment,
    Train,
    Results,
}

impl Pane {
    pub const ALL: [Pane; 5] = [Pane::Browse, Pane::Label, Pane::Augment, Pane::Train, Pane::Results];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Browse => "Browse",
            Pane::Label => "Label",
            Pane::Augment => "Augment",
            Pane::Train => "Train",
            Pane::Results => "Results",
        }
    }

    /// The pane's name as an action (`[keys] browse = "F1"`, `:browse`).
    pub fn name(self) -> &'static str {
        match self {
            Pane::Browse => "browse",
            Pane::Label => "label",
            Pane::Augment => "augment",
            Pane::Train => "train",
            Pane::Results => "results",
        }
    }

    /// Its F-key: F1 for the first pane.
    pub fn number(self) -> u8 {
        self.index() as u8 + 1
    }

    fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

pub struct App {
    pub name: String,
    pub kind: SourceKind,
    pub classes: Vec<ClassConfig>,
    /// For text projects over a table: the column that holds the text.
    pub text_column: Option<String>,
    pub pane: Pane,
    pub browse: Browse,
    pub label: Labeller,
    pub thumbs: Thumbs,
    pub report: super::report::ReportView,
    pub results: super::results::Results,
    pub train: super::train::Train,
    pub augment: super::augment::Augment,
    pub keymap: KeyMap,
    pub help: bool,
    /// The open prompt (command palette, filter or search) and what was typed.
    pub prompt: Option<(Prompt, String)>,
    /// Work asked for by actions, for the event loop to start.
    pub requests: Vec<Job>,
    /// A message for the status bar (errors of background work, unknown commands).
    pub message: Option<String>,
    pub labelled: Option<u64>,
    labels_asked: bool,
    /// The filter as typed, to edit it again.
    pub filter_text: String,
    pub quit: bool,
}

impl App {
    pub fn new(name: String, kind: SourceKind, classes: Vec<ClassConfig>, keymap: KeyMap) -> App {
        App {
            name,
            kind,
            classes: classes.clone(),
            text_column: None,
            pane: Pane::Browse,
            browse: Browse::new(kind),
            label: Labeller::new(kind, classes, false, true, 0),
            thumbs: Thumbs::default(),
            report: Default::default(),
            results: Default::default(),
            train: super::train::Train::new(kind),
            augment: super::augment::Augment::new(kindling::augment::Modality::of(kind), Default::default()),
            keymap,
            help: false,
            prompt: None,
            requests: Vec::new(),
            message: None,
            labelled: None,
            labels_asked: false,
            filter_text: String::new(),
            quit: false,
        }
    }

    pub fn act(&mut self, action: Action) {
        let before = self.pane;
        self.act_on_pane(action);
        if self.pane == Pane::Results && before != Pane::Results {
            self.results.refresh();
        }
    }

    fn act_on_pane(&mut self, action: Action) {
        self.message = None;
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.help = !self.help,
            Action::Palette => self.prompt = Some((Prompt::Command, String::new())),
            Action::NextPane => self.pane = Pane::ALL[(self.pane.index() + 1) % Pane::ALL.len()],
            Action::PrevPane => self.pane = Pane::ALL[(self.pane.index() + Pane::ALL.len() - 1) % Pane::ALL.len()],
            Action::GotoPane(p) => self.pane = p,
            Action::Unmark if self.pane == Pane::Label && self.label.back_to_results() => self.pane = Pane::Results,
            other if self.pane == Pane::Label => self.label.act(other),
            other if self.pane == Pane::Results => self.results_act(other),
            other if self.pane == Pane::Train => self.train_act(other),
            other if self.pane == Pane::Augment => self.augment_act(other),
            Action::Report => self.report.toggle(&mut self.requests),
            other if self.report.open && self.report.scroll_by(other) => {}
            Action::Filter if self.browse.columns.is_empty() => {
                self.message = Some("filters apply to table columns".into());
            }
            Action::Filter => {
                let current = self.browse.query.filter.as_ref().map(|_| self.filter_text.clone()).unwrap_or_default();
                self.prompt = Some((Prompt::Filter, current));
            }
            Action::Search => self.prompt = Some((Prompt::Search, String::new())),
            Action::SearchNext | Action::SearchPrev => match self.browse.search.clone() {
                Some(text) => self.find(text, action == Action::SearchNext),
                None => self.message = Some("nothing searched yet: / searches".into()),
            },
            Action::Sort => self.browse.cycle_sort(),
            Action::Grid if self.kind == SourceKind::Images => self.browse.toggle_grid(),
            Action::Grid => self.message = Some("the thumbnail grid is for images".into()),
            Action::SplitFilter => {
                use kindling::data::split::Split;
                let mut query = self.browse.query.clone();
                query.split = match query.split {
                    None => Some(Split::Train),
                    Some(Split::Train) => Some(Split::Valid),
                    Some(Split::Valid) => Some(Split::Test),
                    Some(Split::Test) => None,
                };
                self.browse.set_query(query);
            }
            Action::LabelFilter => {
                let classes: Vec<String> = self.classes.iter().map(|c| c.name.clone()).collect();
                let mut query = self.browse.query.clone();
                query.labels = query.labels.next(&classes);
                self.browse.set_query(query);
            }
            Action::Summary if self.browse.columns.is_empty() => {
                self.message = Some("column summaries apply to table columns".into());
            }
            Action::Summary => self.browse.summary_open = !self.browse.summary_open,
            other => self.browse.act(other),
        }
    }

    fn results_act(&mut self, action: Action) {
        use super::results::Outcome;
        match self.results.act(action) {
            Outcome::Nothing => {}
            Outcome::Say(text) => self.message = Some(text),
            Outcome::Review { title, ids, notes, focus } => {
                self.label.open_list(title, ids, notes, focus);
                self.pane = Pane::Label;
            }
        }
    }

    fn augment_act(&mut self, action: Action) {
        if action == Action::Open {
            match self.augment.edit_text() {
                Some(text) => self.prompt = Some((Prompt::Augment, text)),
                None => self.message = Some("choose a transform to edit its numbers".into()),
            }
            return;
        }
        let (save, message) = self.augment.act(action);
        self.message = message;
        if let Some(settings) = save {
            self.requests.push(Job::SaveAugment(settings));
        }
    }

    fn train_act(&mut self, action: Action) {
        match action {
            Action::Open => {
                let launch = self.train.launch();
                self.message = Some(format!("launching kindling train {}", launch.args().join(" ")));
                self.requests.push(Job::Launch(launch));
                self.train.launched();
            }
            Action::CancelRun => match self.train.followed_run() {
                Some(run) if run.status == "running" && run.pid.is_some() => {
                    self.message = Some(format!("cancelling run {}…", run.id));
                    self.requests.push(Job::Cancel { pid: run.pid.unwrap_or_default() });
                }
                Some(run) => self.message = Some(format!("run {} is {}: nothing to cancel", run.id, run.status)),
                None => self.message = Some("no run to cancel".into()),
            },
            other => self.message = self.train.act(other),
        }
    }

    /// Once a second: the Train pane follows its runs.
    pub fn tick(&mut self) -> bool {
        if self.pane != Pane::Train {
            return false;
        }
        self.requests.extend(self.train.poll());
        true
    }

    fn find(&mut self, text: String, forward: bool) {
        let b = &self.browse;
        let from = b.cursor;
        self.requests.push(Job::Find { generation: b.generation, query: b.query.clone(), text, from, forward });
    }

    /// Typing into the open prompt; Enter runs it, Esc closes it.
    pub fn prompt_key(&mut self, code: crossterm::event::KeyCode) {
        let Some((kind, text)) = palette::key(&mut self.prompt, code) else { return };
        match kind {
            Prompt::Command => self.run_command(&text),
            Prompt::Augment => match self.augment.apply_edit(&text) {
                Ok(settings) => self.requests.push(Job::SaveAugment(settings)),
                Err(e) => self.message = Some(format!("augment: {e}")),
            },
            Prompt::Filter => self.apply_filter(text),
            Prompt::Search if text.is_empty() => {}
            Prompt::Search => {
                self.browse.search = Some(text.clone());
                self.find(text, true);
            }
        }
    }

    fn apply_filter(&mut self, text: String) {
        let mut query = self.browse.query.clone();
        if text.is_empty() {
            query.filter = None;
        } else {
            let filter = match parse_filter(&text) {
                Ok(f) => f,
                Err(e) => {
                    self.message = Some(format!("filter: {e}"));
                    return;
                }
            };
            if let Some(missing) =
                filter.columns().into_iter().find(|c| !self.browse.columns.iter().any(|k| k.name == *c))
            {
                self.message = Some(format!("filter: no column \"{missing}\""));
                return;
            }
            query.filter = Some(filter);
        }
        self.filter_text = text;
        self.browse.set_query(query);
    }

    fn run_command(&mut self, command: &str) {
        match palette::parse(command) {
            Command::Empty => {}
            Command::Row(row) => {
                self.pane = Pane::Browse;
                self.browse.jump(row.saturating_sub(1));
            }
            Command::Action(action) => self.act(action),
            Command::Unknown(text) => self.message = Some(palette::unknown(&text)),
        }
    }

    /// Background work the panes need, and what actions asked for.
    pub fn jobs(&mut self) -> Vec<Job> {
        let mut jobs = self.browse.jobs(&mut self.thumbs);
        if self.pane == Pane::Label {
            jobs.extend(self.label.jobs(&mut self.thumbs));
        }
        if self.pane == Pane::Results {
            jobs.extend(self.results.jobs());
        }
        if self.pane == Pane::Augment {
            self.augment.show(self.browse.selected().map(|r| r.id.clone()));
            jobs.extend(self.augment.jobs());
        }
        jobs.append(&mut self.requests);
        jobs
    }

    /// The class a key labels with in the Label pane.
    pub fn class_of_key(&self, key: super::keys::Key) -> Option<usize> {
        use crossterm::event::{KeyCode, KeyModifiers};
        let KeyCode::Char(c) = key.code else { return None };
        if !key.mods.is_empty() && key.mods != KeyModifiers::SHIFT {
            return None;
        }
        self.classes.iter().position(|class| class.key.chars().eq([c]))
    }

    pub fn receive(&mut self, msg: Msg) {
        match msg {
            Msg::Count { generation, result: Ok(n) } => self.browse.count_arrived(generation, n),
            Msg::Counting { generation, rows } => self.browse.counting(generation, rows),
            Msg::Count { result: Err(e), .. } | Msg::Coverage(Err(e)) => self.message = Some(e),
            Msg::Coverage(Ok((labelled, events))) => {
                self.labelled = Some(labelled);
                if self.label.expected_events.is_some_and(|e| e != events) && !self.labels_asked {
                    self.labels_asked = true;
                    self.requests.push(Job::Labels);
                }
            }
            Msg::Labels(result) => {
                self.labels_asked = false;
                match result {
                    Ok((labels, events)) => {
                        self.label.set_labels(labels);
                        self.label.expected_events = Some(events);
                    }
                    Err(e) => self.message = Some(e),
                }
            }
            Msg::Queue { generation, result } => self.label.queue_arrived(generation, result),
            Msg::Cards(Ok((columns, rows))) => self.label.rows_arrived(columns, rows),
            Msg::Cards(Err(e)) => self.message = Some(e),
            Msg::Found { generation, text, result } => {
                if generation != self.browse.generation {
                    return;
                }
                match result {
                    Ok(Some(row)) => self.browse.jump(row),
                    Ok(None) => self.message = Some(format!("no more samples containing \"{text}\"")),
                    Err(e) => self.message = Some(e),
                }
            }
            Msg::Rows { request, offset, result } => match result {
                Ok((columns, rows)) => self.browse.window_arrived(request, offset, columns, rows),
                Err(e) => {
                    self.browse.window_failed(request);
                    self.message = Some(e);
                }
            },
            Msg::Preview { id, result } => {
                // Both panes may have asked for the same sample.
                if self.browse.wants_preview(&id) {
                    self.browse.preview_arrived(id.clone(), result.clone());
                }
                self.label.content_arrived(id, Content::Preview(result));
            }
            Msg::Summary { generation, column, result } => self.browse.summary = Some((generation, column, result)),
            Msg::Report(result) => self.report.result = Some(result),
            Msg::Runs(result) => {
                if let Ok(runs) = &result {
                    self.train.runs_arrived(runs.clone());
                }
                self.results.runs_arrived(result);
            }
            Msg::Events { id, from, result: Ok((events, to)) } => self.train.events_arrived(id, from, events, to),
            // A run directory may not have its events file yet.
            Msg::Events { result: Err(_), .. } => {}
            Msg::Exited { ok: false, why } => self.message = Some(format!("kindling train stopped: {why}")),
            Msg::Exited { ok: true, .. } => {}
            Msg::Cancelled(Err(e)) | Msg::Saved(Err(e)) => self.message = Some(e),
            Msg::Saved(Ok(())) => {}
            Msg::AugmentPreview { generation, result } => self.augment.preview_arrived(generation, result),
            Msg::Cancelled(Ok(())) => {}
            Msg::RunDetail { id, result } => self.results.detail_arrived(id, result),
            // Encoding needs the terminal's picker, which the event loop holds.
            Msg::Thumbnail { .. } => {}
        }
    }

    pub fn colour_of(&self, label: &str) -> Option<&str> {
        self.classes.iter().find(|c| c.name == label).map(|c| c.colour.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> App {
        App::new("demo".into(), SourceKind::Images, Vec::new(), KeyMap::defaults())
    }

    #[test]
    fn tab_cycles_through_panes_both_ways() {
        let mut a = app();
        a.act(Action::PrevPane);
        assert_eq!(a.pane, Pane::Results);
        a.act(Action::NextPane);
        a.act(Action::NextPane);
        assert_eq!(a.pane, Pane::Label);
        a.act(Action::GotoPane(Pane::Train));
        assert_eq!(a.pane, Pane::Train);
    }

    #[test]
    fn palette_jumps_to_a_row_and_reports_unknown_commands() {
        let mut a = app();
        a.browse.total = Some(500);
        a.act(Action::Palette);
        for c in "123".chars() {
            a.prompt_key(crossterm::event::KeyCode::Char(c));
        }
        a.prompt_key(crossterm::event::KeyCode::Enter);
        assert_eq!(a.browse.cursor, 122, ":123 is the 123rd row, as the status bar counts");
        a.act(Action::Palette);
        a.prompt_key(crossterm::event::KeyCode::Char('x'));
        a.prompt_key(crossterm::event::KeyCode::Enter);
        assert!(a.message.as_deref().unwrap().contains("unknown command"));
        assert!(!a.quit);
    }
}
