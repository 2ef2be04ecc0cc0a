//! The workbench's state and how actions change it: the global actions, the effects the
//! panes ask for, and the router of background results. No I/O here: work is asked for
//! through `Job`s and its results come back as `Msg`s.

use kindling::data::SourceKind;
use kindling::project::config::ClassConfig;

use super::pane::Pane;
use super::train::LAUNCHING;

use super::augment::Augment;
use super::boxes::Boxer;
use super::browse::Browse;
use super::command::{self, Command};
use super::component::{Component, Cx, Effect, Shared};
use super::job::{Job, Msg};
use super::keys::{Action, Key, KeyMap};
use super::label::{Content, Labeller};
use super::label_write::{Write, Written};
use super::map::Map;
use super::palette::{self, Prompt};
use super::results::Results;
use super::train::Train;

pub struct App {
    pub name: String,
    pub pane: Pane,
    pub panes: Panes,
    pub shared: Shared,
    pub keymap: KeyMap,
    pub help: bool,
    /// The open prompt (command palette, filter, search, numbers) and what was typed.
    pub prompt: Option<(Prompt, palette::Input)>,
    /// Work asked for by actions, for the event loop to start.
    pub requests: Vec<Job>,
    /// A label change for the event loop to commit before the next frame.
    pub write: Option<Write>,
    /// A message for the status bar (what a pane said, errors of background work).
    pub message: Option<String>,
    labels_asked: bool,
    pub quit: bool,
}

impl App {
    pub fn new(name: String, kind: SourceKind, classes: Vec<ClassConfig>, keymap: KeyMap) -> App {
        App {
            name,
            pane: Pane::Browse,
            panes: Panes {
                browse: Browse::new(kind),
                label: Labeller::new(kind, classes.clone(), false, true, 0),
                boxes: None,
                augment: Augment::new(kindling::augment::Modality::of(kind), Default::default()),
                train: Train::new(kind),
                results: Results::default(),
                map: Map::default(),
            },
            shared: Shared::new(kind, classes),
            keymap,
            help: false,
            prompt: None,
            requests: Vec::new(),
            write: None,
            message: None,
            labels_asked: false,
            quit: false,
        }
    }

    /// Makes the Label pane the box labeller of a detection project.
    pub fn label_boxes(&mut self, live_every: usize) {
        let mut boxer = Boxer::new(self.shared.classes.clone());
        boxer.live_every = live_every;
        self.panes.boxes = Some(boxer);
        self.panes.augment.modality = kindling::augment::Modality::Boxes;
    }

    /// Runs `f` on one pane with the context, then carries out what it asked for.
    fn with_pane<R>(&mut self, pane: Pane, f: impl FnOnce(&mut dyn Component, &mut Cx) -> R) -> R {
        let mut effects = Vec::new();
        let mut cx = Cx { shared: &mut self.shared, jobs: &mut self.requests, effects: &mut effects };
        let result = f(self.panes.get_mut(pane), &mut cx);
        for effect in effects {
            self.apply(effect);
        }
        result
    }

    pub fn apply(&mut self, effect: Effect) {
        match effect {
            Effect::Say(text) => self.message = Some(text),
            Effect::Goto(pane) => self.goto(pane),
            // A detection project's images open in the box labeller, the run's boxes shown
            // dashed beside the labelled ones.
            Effect::Review { title, focus, notes, .. } if self.panes.boxes.is_some() => {
                if let (Some(boxes), Some(id)) = (&mut self.panes.boxes, focus) {
                    boxes.show(&id);
                    let note = notes.get(&id).map(|note| format!(" · {note}"));
                    self.message = Some(format!("{title}: {id}{}", note.unwrap_or_default()));
                }
                self.goto(Pane::Label);
            }
            Effect::Review { title, ids, notes, focus } => {
                self.panes.label.open_list(title, ids, notes, focus, self.pane);
                self.goto(Pane::Label);
            }
            Effect::Prompt(kind, text) => self.prompt = Some((kind, text.into())),
            // A detection project labels boxes: a class for a whole image (the Map pane's
            // class keys) would be a label nothing reads.
            Effect::Write(Write::Box(edit)) => self.write = Some(Write::Box(edit)),
            Effect::Write(_) if self.panes.boxes.is_some() => {
                self.message = Some("a detection project labels boxes, not whole images: F2 boxes them".into())
            }
            Effect::Write(write) => self.write = Some(write),
        }
    }

    fn goto(&mut self, pane: Pane) {
        if pane != self.pane {
            self.pane = pane;
            self.with_pane(pane, |p, cx| p.enter(cx));
        }
    }

    pub fn act(&mut self, action: Action) {
        self.message = None;
        let n = Pane::ALL.len();
        let at = Pane::ALL.iter().position(|p| *p == self.pane).unwrap_or(0);
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.help = !self.help,
            Action::Palette => self.prompt = Some((Prompt::Command, palette::Input::default())),
            Action::NextPane => self.goto(Pane::ALL[(at + 1) % n]),
            Action::PrevPane => self.goto(Pane::ALL[(at + n - 1) % n]),
            Action::GotoPane(p) => self.goto(p),
            other => {
                self.with_pane(self.pane, |p, cx| p.act(other, cx));
            }
        }
    }

    /// A key from the terminal; false when nothing uses it.
    pub fn key(&mut self, key: Key) -> bool {
        if self.with_pane(self.pane, |p, cx| p.key(key, cx)) {
            return true;
        }
        match self.keymap.action(self.pane, key) {
            Some(action) => self.act(action),
            None => return false,
        }
        true
    }

    pub fn mouse(&mut self, event: crossterm::event::MouseEvent) -> bool {
        self.panes.get_mut(self.pane).mouse(event)
    }

    /// What `action` does in `pane`, for `?` and for messages about keys.
    pub fn describe(&mut self, pane: Pane, action: Action) -> &'static str {
        self.panes.get_mut(pane).describe(action).unwrap_or(action.describe())
    }

    /// Typing into the open prompt; Enter runs it, Esc closes it.
    pub fn prompt_key(&mut self, key: impl Into<crossterm::event::KeyEvent>) {
        let Some((kind, text)) = palette::key(&mut self.prompt, key.into()) else { return };
        match kind {
            Prompt::Command => self.run_command(&text),
            Prompt::Augment => match self.panes.augment.apply_edit(&text) {
                Ok(settings) => {
                    self.shared.transforms_on = self.panes.augment.on();
                    self.requests.push(Job::SaveAugment(settings));
                }
                Err(e) => self.message = Some(format!("augment: {e}")),
            },
            Prompt::Filter => self.message = self.panes.browse.apply_filter(text).err(),
            Prompt::Search => {
                self.shared.search = Some(text.clone()).filter(|t| !t.is_empty()).or(self.shared.search.take());
                self.panes.browse.search_for(text, &mut self.requests);
            }
        }
    }

    fn run_command(&mut self, command: &str) {
        match command::parse(command) {
            Command::Empty => {}
            Command::Row(row) => {
                self.goto(Pane::Browse);
                self.panes.browse.jump(row.saturating_sub(1));
            }
            Command::Action(action) => self.act(action),
            Command::Class(change) => self.requests.push(Job::ClassChange(change)),
            Command::Order(order) => {
                self.goto(Pane::Label);
                self.panes.label.set_order(order);
                self.said_by_label();
            }
            Command::Filter(text) => {
                self.goto(Pane::Browse);
                self.message = self.panes.browse.apply_filter(text).err();
            }
            Command::Goto(id) => {
                self.goto(Pane::Browse);
                let browse = &self.panes.browse;
                self.requests.push(Job::Locate { generation: browse.generation, query: browse.query.clone(), id });
            }
            Command::Train(model) => {
                self.goto(Pane::Train);
                self.panes.train.set_model(model);
                self.with_pane(Pane::Train, |p, cx| p.act(Action::Open, cx));
            }
            Command::Export(path) => self.requests.push(Job::Export(path)),
            Command::Exclude(column) => self.requests.push(Job::Exclude(column)),
            Command::Wrong(what) => self.message = Some(what),
            Command::Unknown(text) => self.message = Some(command::unknown(&text)),
        }
    }

    /// Once a second; true when the screen must be drawn again.
    pub fn tick(&mut self) -> bool {
        self.with_pane(self.pane, |p, cx| p.tick(cx))
    }

    /// Background work the panes need — the one shown and those that work unseen — then
    /// what actions asked for.
    pub fn jobs(&mut self) -> Vec<Job> {
        let asked = std::mem::take(&mut self.requests);
        for pane in Pane::ALL {
            if pane == self.pane || self.panes.get_mut(pane).works_unseen() {
                self.with_pane(pane, |p, cx| p.request_jobs(cx));
            }
        }
        let mut jobs = std::mem::take(&mut self.requests);
        jobs.extend(asked);
        jobs
    }

    /// Whether the screen shows the whole effect of the last key (for the frame-time log).
    pub fn settled(&mut self, graphics: bool) -> bool {
        self.panes.get_mut(self.pane).settled(graphics)
    }

    /// The event loop committed (or failed to commit) the pending write.
    pub fn written(&mut self, result: Result<Written, String>) {
        if result.is_ok() {
            self.panes.browse.refresh();
            self.requests.push(Job::Coverage);
        }
        self.panes.map.written(&result);
        if let Some(boxes) = &mut self.panes.boxes {
            boxes.written(&result);
            if let Some(m) = boxes.message.take() {
                self.message = Some(m);
            }
            if matches!(result, Ok(Written::NothingToUndo)) {
                self.message = Some("no box edit of this session to undo".into());
            }
            return;
        }
        self.panes.label.written(result, std::time::Instant::now());
        self.said_by_label();
    }

    fn said_by_label(&mut self) {
        let mut effects = Vec::new();
        self.panes.label.drain(&mut effects);
        effects.into_iter().for_each(|e| self.apply(e));
    }

    pub fn receive(&mut self, msg: Msg) {
        let (browse, label) = (&mut self.panes.browse, &mut self.panes.label);
        match msg {
            Msg::Count { generation, result: Ok(n) } => browse.count_arrived(generation, n),
            Msg::Counting { generation, rows } => browse.counting(generation, rows),
            Msg::Count { generation, result: Err(e) } => self.message = Some(browse.count_failed(generation, e)),
            Msg::Coverage(Err(e)) => self.message = Some(e),
            Msg::Coverage(Ok((labelled, events))) => {
                self.shared.labelled = Some(labelled);
                if label.expected_events.is_some_and(|e| e != events) && !self.labels_asked {
                    self.labels_asked = true;
                    self.requests.push(Job::Labels);
                }
            }
            Msg::Labels(result) => {
                self.labels_asked = false;
                match result {
                    Ok((labels, events)) => {
                        self.panes.map.labels_arrived(&labels);
                        label.set_labels(labels);
                        label.expected_events = Some(events);
                    }
                    Err(e) => self.message = Some(e),
                }
            }
            Msg::Queue { generation, result } => label.queue_arrived(generation, result),
            Msg::Cards(Ok((columns, rows))) => label.rows_arrived(columns, rows),
            Msg::Cards(Err(e)) => self.message = Some(e),
            Msg::Refit(result) => label.refit_arrived(result),
            Msg::ClassChanged { undoable, result: Ok((said, classes)) } => {
                label.classes_changed(classes.clone(), undoable);
                self.shared.classes = classes;
                browse.refresh();
                self.labels_asked = true;
                self.requests.extend([Job::Labels, Job::Coverage]);
                self.message = Some(said);
            }
            Msg::ClassChanged { result: Err(e), .. } | Msg::Exported(Err(e)) => self.message = Some(e),
            Msg::Exported(Ok(said)) => self.message = Some(said),
            Msg::Similar { id, result: Ok(ids) } => label.more_like(&id, ids),
            Msg::Similar { result: Err(e), .. } => self.message = Some(e),
            Msg::Located { generation, .. } if generation != browse.generation => {}
            Msg::Located { result: Ok(Some(row)), .. } => browse.jump(row),
            Msg::Located { id, result: Ok(None), .. } => {
                self.message = Some(format!("no sample \"{id}\" in this view (ids as `kindling samples` lists them)"));
            }
            Msg::Located { result: Err(e), .. } => self.message = Some(e),
            Msg::Found { generation, .. } if generation != browse.generation => {}
            Msg::Found { result: Ok(Some(row)), .. } => browse.jump(row),
            Msg::Found { text, result: Ok(None), .. } => {
                self.message = Some(format!("no more samples containing \"{text}\""));
            }
            Msg::Found { result: Err(e), .. } => self.message = Some(e),
            Msg::Rows { request, offset, result: Ok((columns, rows)) } => {
                browse.window_arrived(request, offset, columns, rows);
            }
            Msg::Rows { request, result: Err(e), .. } => {
                browse.window_failed(request);
                self.message = Some(e);
            }
            Msg::BoxImages(Ok(images)) => {
                if let Some(boxes) = &mut self.panes.boxes {
                    boxes.images_arrived(images.ids, images.boxes, images.done);
                }
            }
            Msg::BoxImages(Err(e)) => self.message = Some(e),
            Msg::Proposals { id, result } => {
                if let Some(boxes) = &mut self.panes.boxes {
                    match result {
                        Ok(found) => boxes.proposals_arrived(id, found),
                        Err(e) => self.message = Some(format!("the detector could not propose boxes: {e}")),
                    }
                }
            }
            Msg::Preview { id, result } => {
                // Both panes may have asked for the same sample.
                if browse.wants_preview(&id) {
                    browse.preview_arrived(id.clone(), result.clone());
                }
                if let Some(boxes) = &mut self.panes.boxes {
                    boxes.preview_arrived(id.clone(), &result);
                }
                label.content_arrived(id, Content::Preview(result));
            }
            Msg::Map(result) => self.panes.map.arrived(result),
            Msg::MapProgress(progress) => self.panes.map.progress = Some(progress),
            Msg::MapSample { id, shown } => {
                if self.panes.map.wants_preview(&id) {
                    self.panes.map.preview_arrived(id, shown);
                }
            }
            Msg::Summary { generation, column, result } => browse.summary = Some((generation, column, result)),
            Msg::Report(result) => browse.report.result = Some(result),
            Msg::Runs(result) => {
                if let Ok(runs) = &result {
                    self.panes.train.runs_arrived(runs.clone());
                }
                self.panes.results.runs_arrived(result);
            }
            Msg::Events { id, from, result: Ok((events, to)) } => self.panes.train.events_arrived(id, from, events, to),
            // A run directory may not have its events file yet.
            Msg::Events { result: Err(_), .. } => {}
            Msg::Exited { ok: false, why } => self.message = Some(format!("kindling train stopped: {why}")),
            Msg::Cancelled(Err(e)) | Msg::Saved(Err(e)) => self.message = Some(e),
            Msg::Excluded(result) => self.message = Some(result.unwrap_or_else(|e| e)),
            // The launch's own words go once the run has ended well.
            Msg::Exited { ok: true, .. } if self.message.as_deref().is_some_and(|m| m.starts_with(LAUNCHING)) => {
                if let Some(boxes) = &mut self.panes.boxes {
                    boxes.run_ended();
                }
                self.message = Some("the run ended: F5 shows its results".into())
            }
            Msg::Exited { ok: true, .. } => {
                if let Some(boxes) = &mut self.panes.boxes {
                    boxes.run_ended();
                }
            }
            Msg::Saved(Ok(())) | Msg::Cancelled(Ok(())) => {}
            Msg::AugmentPreview { generation, result } => self.panes.augment.preview_arrived(generation, result),
            Msg::RunDetail { id, result } => self.panes.results.detail_arrived(id, result),
            // Encoding needs the terminal's picker, which the event loop holds.
            Msg::Thumbnail { .. } => {}
        }
        self.said_by_label();
    }
}

#[cfg(test)]
mod tests;

/// The panes, one field each; `get_mut` is the one place that maps an id to its pane.
pub struct Panes {
    pub browse: Browse,
    pub label: Labeller,
    /// The Label pane of a detection project, in the labeller's place.
    pub boxes: Option<Boxer>,
    pub augment: Augment,
    pub train: Train,
    pub results: Results,
    pub map: Map,
}

impl Panes {
    pub fn get_mut(&mut self, pane: Pane) -> &mut dyn Component {
        match pane {
            Pane::Browse => &mut self.browse,
            Pane::Label => match &mut self.boxes {
                Some(boxes) => boxes,
                None => &mut self.label,
            },
            Pane::Augment => &mut self.augment,
            Pane::Train => &mut self.train,
            Pane::Results => &mut self.results,
            Pane::Map => &mut self.map,
        }
    }
}
