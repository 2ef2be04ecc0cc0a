//! The Label pane's state: a queue of samples in the chosen order, the one shown, grid
//! marks, and this session's pace. Writes are handed to the event loop, which commits them
//! to the label store before the next frame is drawn; only then does the pane move on.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Instant;

use kindling::data::SourceKind;
use kindling::data::preview::Preview;
use kindling::labels::multi;
use kindling::labels::store::{Ask, Origin};
use kindling::project::config::ClassConfig;
use kindling::project::samples::{SampleRow, TableColumn};
use kindling::workflow::queue::{Order, Review};
use ratatui_image::protocol::StatefulProtocol;

use super::component::{Component, Cx, Effect, Shared};
use super::job::Job;
use super::keys::{Action, Key};
use super::label_write::{Write, Written};
use super::pane::Pane;
use super::theme::Theme;
use super::thumbs::Thumbs;
use super::viewport::top_following;

/// Samples whose content is fetched ahead of the one shown, so that the next is ready. A
/// table fetches rows by id in one pass over the table, so it fetches more at a time.
const AHEAD: usize = 12;
const AHEAD_ROWS: usize = 48;
/// Samples after the one shown that a re-ranking leaves in place.
const KEPT_AHEAD: usize = 3;
/// Samples behind the one shown whose content is kept, for going back.
const BEHIND: usize = 4;

/// One step of this session's undo: label events, or a class change (undone whole).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Undo {
    Events(usize),
    Change,
}

pub use kindling::workflow::queue::Queue as QueueData;

pub enum Content {
    Preview(Result<Preview, String>),
    Row(SampleRow),
}

#[derive(Default)]
pub struct Pace {
    pub labels: u64,
    first: Option<Instant>,
    last: Option<Instant>,
}

impl Pace {
    fn labelled(&mut self, n: usize, now: Instant) {
        self.labels += n as u64;
        self.first.get_or_insert(now);
        self.last = Some(now);
    }

    /// Labels per minute between this session's first and latest label.
    pub fn per_minute(&self) -> Option<f64> {
        let seconds = self.last?.duration_since(self.first?).as_secs_f64();
        (self.labels >= 2 && seconds > 0.0).then(|| (self.labels - 1) as f64 * 60.0 / seconds)
    }
}

pub struct Labeller {
    pub kind: SourceKind,
    /// Samples are table rows (tables, and texts held in a table column).
    pub from_table: bool,
    /// The table's label column: not shown on cards, the label is shown on its own.
    pub label_column: Option<String>,
    pub classes: Vec<ClassConfig>,
    pub multi: bool,
    pub advance: bool,
    pub seed: u64,
    pub order: Order,
    /// Whether the order was chosen (`o`, `:order`); until then it becomes `auto` as soon as
    /// a model can rank the samples.
    order_chosen: bool,
    pub review: Option<Review>,
    pub run: Option<String>,
    generation: u64,
    asked: Option<u64>,
    /// The samples in queue order; `None` while it is being built.
    pub queue: Option<Vec<String>>,
    pub total: usize,
    pub labels: HashMap<String, String>,
    /// How many samples hold each stored label.
    pub counts: HashMap<String, u64>,
    /// Position of the shown sample in the queue.
    pub pos: usize,
    pub grid: bool,
    pub top: usize,
    pub page: usize,
    pub per_row: usize,
    /// The size of the image grid's cells, as last drawn.
    pub grid_cell: (u16, u16),
    pub marks: BTreeSet<usize>,
    pub range_from: Option<usize>,
    /// Multi-label: the classes toggled for the shown sample, not yet committed.
    pub toggled: BTreeSet<String>,
    toggled_for: Option<String>,
    pub columns: Vec<TableColumn>,
    pub content: HashMap<String, Content>,
    content_asked: HashSet<String>,
    pub image: Option<(String, StatefulProtocol)>,
    /// The cells the picture was last drawn in, and those the encoded image was enlarged
    /// for: a picture fills the pane, so a new size means a new encoding.
    pub picture_cells: (u16, u16),
    /// How far a long text is scrolled (J / K); back to the top on another sample.
    pub text_scroll: u16,
    pub encoded_for: (u16, u16),
    /// The write waiting for the event loop.
    pub write: Option<Write>,
    /// What this session's actions wrote, newest last, for undo.
    undo_stack: Vec<Undo>,
    /// Backspace reached a class change: the app undoes it (labels and class list).
    undo_change_asked: bool,
    /// `n` was pressed on this sample: its neighbours are asked for.
    similar_asked: Option<String>,
    pub pace: Pace,
    /// The label-event count this pane expects; another number means labels changed
    /// elsewhere (another workbench, the CLI).
    pub expected_events: Option<u64>,
    pub message: Option<String>,
    /// A line about some samples of a listed review (given → predicted, suggested class).
    pub notes: HashMap<String, String>,
    /// The sample to show once the queue arrives.
    focus: Option<String>,
    /// The listed review was opened from the Results pane: Esc goes back there.
    /// The pane a listed review was opened from (Results, Map): Esc goes back there.
    pub back_to: Option<Pane>,
    /// The live model's latest refit and predictions (the suggestions), and when they came.
    pub live: Option<(kindling::live::LiveState, Instant)>,
    /// Refit after this many labels (`[live] every`), or once labelling pauses for 2 s.
    pub refit_every: usize,
    /// Labels written since the last refit was asked for, and when the last one was.
    unfitted: usize,
    last_write: Option<Instant>,
    refit_asked: bool,
    /// For the frame log: when the label that made a refit due was written, while the refit
    /// runs, and once its suggestions arrive (until the frame that shows them).
    due_since: Option<Instant>,
    refit_keyed: Option<Instant>,
    pub fresh_suggestions: Option<Instant>,
    /// The queue arriving is a fresh order for the one being walked: keep what was passed.
    rerank: bool,
    /// Labelled samples asked again blind (and gold samples) in the queue, not answered yet:
    /// their cards show no label, and a class key records an answer beside the label.
    pub asks: HashMap<String, Ask>,
    /// Re-asks answered in this session, should an undo take an answer back.
    answered: HashMap<String, Ask>,
    /// How the echoes answered so far agree with the first answers.
    pub qa: Option<Box<kindling::qa::QaReport>>,
}

impl Labeller {
    pub fn new(kind: SourceKind, classes: Vec<ClassConfig>, multi: bool, advance: bool, seed: u64) -> Labeller {
        Labeller {
            kind,
            from_table: kind == SourceKind::Table,
            label_column: None,
            classes,
            multi,
            advance,
            seed,
            order: Order::UnlabelledFirst,
            order_chosen: false,
            review: None,
            run: None,
            generation: 0,
            asked: None,
            queue: None,
            total: 0,
            labels: HashMap::new(),
            counts: HashMap::new(),
            pos: 0,
            grid: false,
            top: 0,
            page: 1,
            per_row: 1,
            grid_cell: super::cells::CELL,
            marks: BTreeSet::new(),
            range_from: None,
            toggled: BTreeSet::new(),
            toggled_for: None,
            columns: Vec::new(),
            content: HashMap::new(),
            content_asked: HashSet::new(),
            image: None,
            picture_cells: (60, 20),
            text_scroll: 0,
            encoded_for: (0, 0),
            write: None,
            undo_stack: Vec::new(),
            undo_change_asked: false,
            similar_asked: None,
            pace: Pace::default(),
            expected_events: None,
            message: None,
            notes: HashMap::new(),
            focus: None,
            back_to: None,
            live: None,
            refit_every: 10,
            unfitted: 0,
            last_write: None,
            due_since: None,
            refit_keyed: None,
            fresh_suggestions: None,
            refit_asked: false,
            rerank: false,
            asks: HashMap::new(),
            answered: HashMap::new(),
            qa: None,
        }
    }

    /// Reviews exactly these samples, starting at `focus`; `notes` are shown beside them.
    pub fn open_list(
        &mut self,
        title: String,
        ids: Vec<String>,
        notes: HashMap<String, String>,
        focus: Option<String>,
        from: Pane,
    ) {
        self.review = Some(Review::Listed { title, ids });
        self.notes = notes;
        self.focus = focus;
        self.back_to = Some(from);
        self.grid = false;
        self.rebuild();
    }

    pub fn class_names(&self) -> Vec<String> {
        self.classes.iter().map(|c| c.name.clone()).collect()
    }

    pub fn len(&self) -> usize {
        self.queue.as_ref().map_or(0, Vec::len)
    }

    /// The id shown (the grid's cursor).
    pub fn current(&self) -> Option<&str> {
        self.queue.as_ref()?.get(self.pos).map(String::as_str)
    }

    pub fn id_at(&self, i: usize) -> Option<&str> {
        self.queue.as_ref()?.get(i).map(String::as_str)
    }

    /// The label a card shows: none on a re-ask, which is asked blind.
    pub fn label_of(&self, id: &str) -> Option<&str> {
        if self.asks.contains_key(id) {
            return None;
        }
        self.labels.get(id).map(String::as_str)
    }

    /// Grid mode applies to images and short texts.
    pub fn grid_allowed(&self) -> bool {
        matches!(self.kind, SourceKind::Images | SourceKind::Text)
    }

    /// Rebuilds the queue in the current order or review.
    fn rebuild(&mut self) {
        self.generation += 1;
        self.queue = None;
        self.pos = 0;
        self.top = 0;
        self.marks.clear();
        self.range_from = None;
    }

    pub fn act(&mut self, action: Action) {
        self.message = None;
        if self.queue.is_none() && !matches!(action, Action::Order | Action::Review | Action::Grid | Action::Undo) {
            return;
        }
        let row = if self.grid { self.per_row.max(1) } else { 1 };
        match action {
            Action::Skip if self.grid => self.toggle_mark(),
            Action::Skip | Action::Right => self.go(self.pos + 1),
            Action::Left => self.go(self.pos.saturating_sub(1)),
            Action::Down => self.go(self.pos + row),
            Action::Up => self.go(self.pos.saturating_sub(row)),
            Action::PageDown => self.go(self.pos + self.page.max(1)),
            Action::PageUp => self.go(self.pos.saturating_sub(self.page.max(1))),
            Action::MoreLikeThis => match self.current().map(str::to_string) {
                Some(id) => {
                    self.message = Some(format!("finding samples like {id}…"));
                    self.similar_asked = Some(id);
                }
                None => self.message = Some("no sample shown".into()),
            },
            Action::ScrollDown => self.text_scroll = self.text_scroll.saturating_add(self.picture_cells.1.max(2) / 2),
            Action::ScrollUp => self.text_scroll = self.text_scroll.saturating_sub(self.picture_cells.1.max(2) / 2),
            Action::Top => self.go(0),
            Action::Bottom => self.go(self.len().saturating_sub(1)),
            Action::Undo => match self.undo_stack.pop() {
                Some(Undo::Events(events)) => self.write = Some(Write::Undo { events }),
                Some(Undo::Change) => self.undo_change_asked = true,
                None => self.message = Some("nothing to undo in this session".into()),
            },
            Action::ClearLabel => {
                if let Some(ids) = self.targets() {
                    let origin = if ids.len() > 1 { Origin::Bulk } else { Origin::Keyboard };
                    self.write = Some(Write::Set { ids, label: None, origin });
                }
            }
            Action::Commit if self.multi => {
                let chosen: Vec<&str> = self.toggled.iter().map(String::as_str).collect();
                let label = multi::join(&chosen, &self.class_names());
                self.set(label);
            }
            Action::Commit if self.grid && (!self.marks.is_empty() || self.range_from.is_some()) => {
                let guesses = self.live.as_ref().map(|(l, _)| &l.predictions);
                let pairs: Vec<(String, String)> = (self.targets().unwrap_or_default().into_iter())
                    .filter_map(|id| guesses.and_then(|p| kindling::live::guess(p, &id)).map(|g| (id, g.class)))
                    .collect();
                if pairs.is_empty() {
                    self.message = Some("no suggestions for the marked samples yet".into());
                } else {
                    self.write = Some(Write::Accept { pairs });
                }
            }
            Action::Commit => match self.suggestion().map(|g| g.class) {
                Some(class) => {
                    if let Some(ids) = self.targets() {
                        self.write = Some(self.label_write(ids, Some(class), Origin::Accepted));
                    }
                }
                None => self.message = Some("no suggestion yet: the live model needs labels of two classes".into()),
            },
            Action::Order => {
                self.leave_list();
                let next = self.order.next(self.run.is_some());
                let at = |o: Order| Order::ALL.iter().position(|x| *x == o);
                if self.review.is_none() && at(next) <= at(self.order) {
                    // After the last order, the review of answers: `o` reaches it as
                    // `kindling queue --order review` does.
                    self.review = Some(Review::Answers);
                } else {
                    self.review = None;
                    self.order = next;
                    self.order_chosen = true;
                }
                self.rebuild();
            }
            Action::Review => {
                self.leave_list();
                self.review = Review::next(self.review.as_ref(), &self.class_names(), self.run.is_some());
                self.rebuild();
            }
            Action::Grid if self.grid_allowed() => {
                self.grid = !self.grid;
                self.per_row = 1;
                self.marks.clear();
                self.range_from = None;
                self.scroll_into_view();
            }
            Action::Grid => self.message = Some("grid mode is for images and texts".into()),
            Action::Range if self.grid => match self.range_from.take() {
                Some(from) => self.marks.extend(from.min(self.pos)..=from.max(self.pos)),
                None => self.range_from = Some(self.pos),
            },
            Action::Range => self.message = Some("ranges are marked in grid mode (t)".into()),
            Action::Unmark => {
                self.marks.clear();
                self.range_from = None;
                self.toggled_for = None;
            }
            _ => {}
        }
    }

    /// Esc in a review opened from the Results pane, with nothing marked, goes back there.
    /// Where Esc goes: back to the pane that opened the list, once nothing is marked.
    pub fn going_back(&self) -> Option<Pane> {
        self.back_to.filter(|_| self.marks.is_empty() && self.range_from.is_none())
    }

    /// `:order NAME`: the queue in that order (the active-learning ones need a model).
    pub fn set_order(&mut self, order: Order) {
        if order.needs_predictions() && self.run.is_none() {
            self.message =
                Some(format!("{} needs a model: label two classes (the live model) or train a run", order.name()));
            return;
        }
        self.leave_list();
        self.review = None;
        self.order = order;
        self.order_chosen = true;
        self.rebuild();
    }

    /// Once a model can rank the samples, an order nobody chose becomes `auto`; true when it
    /// did (the queue must be built again).
    fn auto_once_ranked(&mut self) -> bool {
        if self.order_chosen || self.run.is_none() || self.order != Order::UnlabelledFirst || self.review.is_some() {
            return false;
        }
        self.order = Order::Auto;
        self.message = Some("order: auto now that the live model ranks the samples (o changes it)".into());
        true
    }

    /// The classes changed (`:class …`, or its undo): new keys at once; the queue and the
    /// shown sample stay (keys typed right after still label), the labels are read again by
    /// the app. `undoable`: Backspace takes the change back.
    pub fn classes_changed(&mut self, classes: Vec<ClassConfig>, undoable: bool) {
        self.classes = classes;
        self.toggled.clear();
        self.toggled_for = None;
        if undoable {
            self.undo_stack.push(Undo::Change);
        }
        // Suggestions name the old classes until the next refit.
        self.live = None;
    }

    /// "More like this": the unlabelled among `ids` (the neighbours of `of`) come right after
    /// the shown sample, most similar first; the samples already passed stay where they are.
    pub fn more_like(&mut self, of: &str, ids: Vec<String>) {
        let Some(queue) = self.queue.as_mut() else { return };
        let keep = (self.pos + 1).min(queue.len());
        // Only samples of this queue still ahead: vectors cached before the data changed may name others.
        let ahead: HashSet<&String> = queue[keep..].iter().collect();
        let next: Vec<String> =
            ids.into_iter().filter(|id| !self.labels.contains_key(id) && ahead.contains(id)).collect();
        let moved: HashSet<&String> = next.iter().collect();
        let rest: Vec<String> = queue[keep..].iter().filter(|id| !moved.contains(id)).cloned().collect();
        let mut new = queue[..keep].to_vec();
        new.extend(next.iter().cloned());
        new.extend(rest);
        *queue = new;
        self.message = Some(match next.len() {
            0 => format!("no unlabelled sample like {of} left"),
            n => format!("{n} samples like {of} come next"),
        });
    }

    /// Whether Backspace asked for a class change to be undone (asked once).
    pub fn take_undo_change(&mut self) -> bool {
        std::mem::take(&mut self.undo_change_asked)
    }

    fn leave_list(&mut self) {
        self.notes.clear();
        self.back_to = None;
    }

    /// A class key: label (or in multi-label projects toggle) class `i`.
    pub fn class_key(&mut self, i: usize) {
        self.message = None;
        let Some(class) = self.classes.get(i).map(|c| c.name.clone()) else { return };
        if self.current().is_none() {
            return;
        }
        if self.multi {
            self.sync_toggled();
            if !self.toggled.remove(&class) {
                self.toggled.insert(class);
            }
        } else {
            self.set(Some(class));
        }
    }

    fn set(&mut self, label: Option<String>) {
        if let Some(ids) = self.targets() {
            let origin = if ids.len() > 1 { Origin::Bulk } else { Origin::Keyboard };
            self.write = Some(self.label_write(ids, label, origin));
        }
    }

    /// A label for `ids` — or, for the one re-ask shown, its answer.
    fn label_write(&self, ids: Vec<String>, label: Option<String>, origin: Origin) -> Write {
        match (ids.as_slice(), &label) {
            ([id], Some(answer)) if self.asks.contains_key(id) => {
                Write::Answer { id: id.clone(), label: answer.clone(), kind: self.asks[id] }
            }
            // Settling an item of the review of answers.
            ([_], Some(_)) if self.review == Some(Review::Answers) => Write::Set { ids, label, origin: Origin::Review },
            _ => Write::Set { ids, label, origin },
        }
    }

    /// The samples a label goes to: the marked ones (and the range being marked), else the
    /// one shown.
    fn targets(&self) -> Option<Vec<String>> {
        let mut positions = self.marks.clone();
        if let Some(from) = self.range_from {
            positions.extend(from.min(self.pos)..=from.max(self.pos));
        }
        if positions.is_empty() {
            positions.insert(self.pos);
        }
        let ids: Vec<String> = positions.into_iter().filter_map(|i| self.id_at(i).map(str::to_string)).collect();
        (!ids.is_empty()).then_some(ids)
    }

    fn toggle_mark(&mut self) {
        if !self.marks.remove(&self.pos) {
            self.marks.insert(self.pos);
        }
        self.go(self.pos + 1);
    }

    fn go(&mut self, pos: usize) {
        let last = self.len().saturating_sub(1);
        if pos > last && self.pos == last && self.len() > 0 {
            self.message = Some("the end of the queue".into());
        }
        if pos.min(last) != self.pos {
            self.text_scroll = 0;
        }
        self.pos = pos.min(last);
        self.scroll_into_view();
    }

    /// The multi-label toggles start from the shown sample's label.
    pub fn sync_toggled(&mut self) {
        let id = self.current().map(str::to_string);
        if self.toggled_for != id {
            self.toggled = id
                .as_deref()
                .and_then(|i| self.label_of(i))
                .map(|l| multi::split(l).map(str::to_string).collect())
                .unwrap_or_default();
            self.toggled_for = id;
        }
    }

    /// The event loop committed (or failed to commit) the pending write.
    pub fn written(&mut self, result: Result<Written, String>, now: Instant) {
        match result {
            Err(e) => self.message = Some(format!("not saved: {e}")),
            // Boxes belong to the box labeller.
            Ok(Written::Boxes { .. } | Written::NothingToUndo) => {}
            Ok(Written::Set { ids, label, events }) => {
                if label.is_some() {
                    self.count_for_refit(ids.len(), now);
                }
                for id in &ids {
                    self.relabel(id, label.clone());
                }
                self.expected_events = self.expected_events.map(|e| e + events as u64);
                if events > 0 {
                    self.undo_stack.push(Undo::Events(events));
                }
                if label.is_some() {
                    self.pace.labelled(ids.len(), now);
                }
                let bulk = ids.len() > 1;
                self.marks.clear();
                self.range_from = None;
                self.toggled_for = None;
                if bulk {
                    self.message =
                        Some(format!("{} samples labelled {}", ids.len(), label.as_deref().unwrap_or("(none)")));
                } else if self.advance && label.is_some() {
                    self.go(self.pos + 1);
                }
            }
            Ok(Written::Accepted { pairs, events }) => {
                for (id, class) in &pairs {
                    self.relabel(id, Some(class.clone()));
                }
                self.expected_events = self.expected_events.map(|e| e + events as u64);
                if events > 0 {
                    self.undo_stack.push(Undo::Events(events));
                }
                self.pace.labelled(pairs.len(), now);
                self.count_for_refit(pairs.len(), now);
                self.marks.clear();
                self.range_from = None;
                self.message = Some(format!("{} suggestions accepted", pairs.len()));
            }
            Ok(Written::Answered { id, kind }) => {
                // The label stands; the card goes on as any labelled one would, and the sample
                // is not met again ahead.
                self.asks.remove(&id);
                if let Some(queue) = self.queue.as_mut() {
                    let mut at = 0;
                    queue.retain(|q| {
                        at += 1;
                        at <= self.pos + 1 || *q != id
                    });
                }
                self.answered.insert(id, kind);
                self.undo_stack.push(Undo::Events(1));
                self.pace.labelled(1, now);
                if self.advance {
                    self.go(self.pos + 1);
                }
            }
            Ok(Written::Undone(undone)) => {
                // Taking back an answer appends an answer, not a label event.
                let answers = undone.iter().filter(|u| self.answered.contains_key(&u.sample_id)).count();
                self.expected_events = self.expected_events.map(|e| e + (undone.len() - answers) as u64);
                for u in &undone {
                    // An answer taken back: the store asks it again, and so does the card.
                    if let Some(kind) = self.answered.remove(&u.sample_id) {
                        self.asks.insert(u.sample_id.clone(), kind);
                    }
                    self.relabel(&u.sample_id, u.restored.clone());
                }
                self.toggled_for = None;
                match undone.last() {
                    None => self.message = Some("nothing to undo in this session".into()),
                    Some(u) => {
                        if let Some(at) = self.position_of(&u.sample_id) {
                            self.go(at);
                        }
                        let what = u.restored.as_deref().unwrap_or("unlabelled");
                        self.message = Some(format!("undone: {} → {what}", u.sample_id));
                    }
                }
            }
        }
    }

    fn relabel(&mut self, id: &str, label: Option<String>) {
        let old = match label {
            Some(l) => {
                *self.counts.entry(l.clone()).or_default() += 1;
                self.labels.insert(id.to_string(), l)
            }
            None => self.labels.remove(id),
        };
        if let Some(old) = old
            && let Some(n) = self.counts.get_mut(&old)
        {
            *n = n.saturating_sub(1);
        }
    }

    /// Where a sample is in the queue, looking back from the shown one first.
    fn position_of(&self, id: &str) -> Option<usize> {
        let queue = self.queue.as_ref()?;
        (0..=self.pos.min(queue.len().saturating_sub(1)))
            .rev()
            .chain(self.pos + 1..queue.len())
            .find(|i| queue[*i] == id)
    }

    pub fn set_layout(&mut self, page: usize, per_row: usize) {
        self.per_row = per_row.max(1);
        self.page = page.max(self.per_row);
        self.scroll_into_view();
    }

    fn scroll_into_view(&mut self) {
        self.top = top_following(self.pos, self.top, self.page, self.per_row);
    }

    pub fn queue_arrived(&mut self, generation: u64, result: Result<QueueData, String>) {
        if generation != self.generation {
            return;
        }
        match result {
            Err(e) => {
                self.message = Some(e);
                self.queue = Some(Vec::new());
            }
            Ok(data) if std::mem::take(&mut self.rerank) && self.queue.is_some() => {
                // A refit re-ordered the queue: the shown sample and the passed ones stay put.
                let old = self.queue.take().unwrap_or_default();
                // The next few samples stay too: their content is loaded, so the keys typed
                // while the new order's samples load still show the next sample at once.
                let keep = if self.grid { self.pos } else { self.pos + KEPT_AHEAD };
                self.queue = Some(kindling::workflow::queue::rerank(&old, self.pos, keep, &data.ids, &data.asks));
                self.asks.extend(data.asks);
                self.qa = data.qa.or(self.qa.take());
                self.run = data.run;
                if self.auto_once_ranked() {
                    self.generation += 1;
                    self.rerank = true;
                }
                if let Some(live) = data.live {
                    self.live = Some((live, Instant::now()));
                    self.fresh_suggestions = self.refit_keyed.take();
                }
            }
            Ok(data) => {
                // Labels the live model has not seen (imported, or set from the CLI): fit it now.
                let unseen = data.live.as_ref().is_none_or(|l| l.refit.label_events < data.events);
                if unseen && !data.labels.is_empty() {
                    self.unfitted = self.unfitted.max(self.refit_every);
                }
                if let Some(live) = data.live {
                    self.live = Some((live, Instant::now()));
                }
                self.set_labels(data.labels);
                self.qa = data.qa.or(self.qa.take());
                if !data.notes.is_empty() {
                    self.notes = data.notes;
                }
                self.expected_events = Some(data.events);
                self.total = data.total;
                self.run = data.run;
                // Labelling orders start at the first sample still unlabelled; reviews at the top.
                let focus = self.focus.take().and_then(|f| data.ids.iter().position(|id| *id == f));
                self.pos = if let Some(at) = focus {
                    at
                } else if self.review.is_some() {
                    0
                } else {
                    data.ids
                        .iter()
                        .position(|id| !self.labels.contains_key(id) || data.asks.contains_key(id))
                        .unwrap_or(0)
                };
                // Asks only leave when answered: one placed earlier may still be ahead.
                self.asks.extend(data.asks);
                if self.review.is_some() && data.ids.is_empty() {
                    self.message = Some("nothing to review there".into());
                }
                if data.note.is_some() {
                    self.message = data.note;
                }
                self.queue = Some(data.ids);
                self.top = self.pos;
                self.scroll_into_view();
                if self.auto_once_ranked() {
                    self.generation += 1;
                    self.rerank = true;
                }
            }
        }
    }

    /// The live model's guess for the shown sample.
    pub fn suggestion(&self) -> Option<kindling::live::Guess> {
        kindling::live::guess(&self.live.as_ref()?.0.predictions, self.current()?)
    }

    fn count_for_refit(&mut self, labelled: usize, now: Instant) {
        self.unfitted += labelled;
        self.last_write = Some(now);
        if self.unfitted >= self.refit_every {
            self.due_since.get_or_insert(now);
        }
    }

    /// A refit is due: `refit_every` labels since the last one, or a pause of 2 s after one.
    fn refit_due(&self, now: Instant) -> bool {
        let paused = self.last_write.is_some_and(|t| now.duration_since(t).as_secs_f64() >= 2.0);
        !self.refit_asked && self.unfitted > 0 && (self.unfitted >= self.refit_every || paused)
    }

    /// The live model was refitted (or could not be): ask for the queue in its new order.
    pub fn refit_arrived(&mut self, result: Result<kindling::live::Refit, String>) {
        self.refit_asked = false;
        match result {
            Ok(refit) => {
                self.generation += 1;
                self.rerank = self.queue.is_some();
                if let Some(first) = refit.skipped.first() {
                    let more = match refit.skipped.len() {
                        1 => String::new(),
                        n => format!(" (and {} more; `kindling live` lists them)", n - 1),
                    };
                    self.message = Some(format!("live model: left out {first}{more}"));
                }
            }
            // Too few labels is no error: the model waits for them.
            Err(e) if e.contains("label at least one sample of two classes") => self.refit_keyed = None,
            Err(e) => {
                self.refit_keyed = None;
                self.message = Some(format!("live model: {e}"));
            }
        }
    }

    /// Labels read again from the store (they changed elsewhere).
    pub fn set_labels(&mut self, labels: HashMap<String, String>) {
        self.counts.clear();
        for l in labels.values() {
            *self.counts.entry(l.clone()).or_default() += 1;
        }
        self.labels = labels;
        self.toggled_for = None;
    }

    /// Samples labelled per class (a multi-label sample counts for each of its classes).
    pub fn per_class(&self) -> Vec<(String, u64)> {
        let mut per: Vec<(String, u64)> = self.classes.iter().map(|c| (c.name.clone(), 0)).collect();
        for (label, n) in &self.counts {
            for class in multi::split(label) {
                if let Some((_, k)) = per.iter_mut().find(|(c, _)| c == class) {
                    *k += n;
                }
            }
        }
        per
    }

    /// A warning when the largest class has ten times the labels of the smallest.
    pub fn imbalance(&self) -> Option<String> {
        let per = self.per_class();
        let labelled: u64 = per.iter().map(|(_, n)| n).sum();
        let (big, most) = per.iter().max_by_key(|(_, n)| *n)?;
        let (small, least) = per.iter().min_by_key(|(_, n)| *n)?;
        if labelled < 20 || per.len() < 2 || *most < 10 * (*least).max(1) {
            return None;
        }
        Some(match least {
            0 => format!("imbalanced: {small} has no labels, {big} has {most}"),
            _ => format!("imbalanced: {big} {most} vs {small} {least} ({}×)", most / least),
        })
    }

    pub fn content_arrived(&mut self, id: String, content: Content) {
        if self.content_asked.contains(&id) {
            if self.image.as_ref().is_some_and(|(i, _)| *i == id) {
                self.image = None;
            }
            self.content.insert(id, content);
        }
    }

    pub fn rows_arrived(&mut self, columns: Vec<TableColumn>, rows: Vec<SampleRow>) {
        if self.columns.is_empty() {
            self.columns = columns;
        }
        for row in rows {
            self.content_arrived(row.id.clone(), Content::Row(row));
        }
    }

    /// Whether the shown sample is drawn in full: its content loaded (and its image encoded,
    /// with graphics on).
    pub fn settled(&self, graphics: bool) -> bool {
        let Some(id) = self.current() else { return self.queue.is_some() };
        self.grid || (self.content.contains_key(id) && !(graphics && self.image_to_encode().is_some()))
    }

    /// The decoded image of the shown sample, when there is one and it is not encoded yet.
    pub fn image_to_encode(&self) -> Option<(&str, &image::DynamicImage)> {
        let id = self.current()?;
        if self.grid || (self.image.as_ref().is_some_and(|(i, _)| i == id) && self.encoded_for == self.picture_cells) {
            return None;
        }
        match self.content.get(id) {
            Some(Content::Preview(Ok(Preview::Image(img)))) => Some((id, img)),
            _ => None,
        }
    }

    /// Background work the pane needs: the queue, content around the shown sample, and
    /// thumbnails of the grid.
    pub fn jobs(&mut self, thumbs: &mut Thumbs) -> Vec<Job> {
        let mut jobs = Vec::new();
        if self.take_undo_change() {
            jobs.push(Job::UndoChange);
        }
        if let Some(id) = self.similar_asked.take() {
            jobs.push(Job::Similar { id });
        }
        if self.refit_due(Instant::now()) {
            self.refit_asked = true;
            self.unfitted = 0;
            self.refit_keyed = self.due_since.take();
            jobs.push(Job::Refit);
        }
        if self.asked != Some(self.generation) {
            self.asked = Some(self.generation);
            jobs.push(Job::Queue {
                generation: self.generation,
                order: self.order,
                review: self.review.clone(),
                seed: self.seed,
            });
        }
        let Some(queue) = &self.queue else { return jobs };
        let ahead = if self.from_table { AHEAD_ROWS } else { AHEAD };
        let (from, to) = if self.grid {
            (self.top, (self.top + self.page).min(queue.len()))
        } else {
            (self.pos.saturating_sub(BEHIND), (self.pos + ahead + 1).min(queue.len()))
        };
        let wanted = &queue[from.min(to)..to];
        if self.grid && self.kind == SourceKind::Images {
            thumbs.fit(self.grid_cell);
            jobs.extend(thumbs.request(wanted));
            return jobs;
        }
        // Keep what is near; forget the rest.
        let near: HashSet<&String> = wanted.iter().collect();
        self.content.retain(|id, _| near.contains(id));
        self.content_asked.retain(|id| near.contains(id));
        // Ask again only when the shown sample or the next half of the window is missing,
        // so that the asking is done in batches.
        let soon = (self.pos + ahead / 2 + 1).min(queue.len());
        let running_low =
            self.grid || queue[self.pos.min(soon)..soon].iter().any(|id| !self.content_asked.contains(id));
        let mut missing: Vec<String> = wanted.iter().filter(|id| !self.content_asked.contains(*id)).cloned().collect();
        if running_low && !missing.is_empty() {
            self.content_asked.extend(missing.iter().cloned());
            // The shown sample first.
            if let Some(i) = missing.iter().position(|id| Some(id.as_str()) == self.current()) {
                let shown = missing.remove(i);
                missing.insert(0, shown);
            }
            jobs.push(if self.from_table { Job::Cards { ids: missing } } else { Job::Previews { ids: missing } });
        }
        jobs
    }
}

impl Labeller {
    /// What the last steps said and asked to write, handed to the workbench.
    pub fn drain(&mut self, effects: &mut Vec<Effect>) {
        effects.extend(self.message.take().map(Effect::Say));
        effects.extend(self.write.take().map(Effect::Write));
    }

    /// The class a key labels with.
    fn class_of_key(&self, key: Key) -> Option<usize> {
        use crossterm::event::{KeyCode, KeyModifiers};
        let KeyCode::Char(c) = key.code else { return None };
        if !key.mods.is_empty() && key.mods != KeyModifiers::SHIFT {
            return None;
        }
        self.classes.iter().position(|class| class.key.chars().eq([c]))
    }
}

impl Component for Labeller {
    fn act(&mut self, action: Action, cx: &mut Cx) -> bool {
        if action == Action::Unmark
            && let Some(pane) = self.going_back()
        {
            cx.effects.push(Effect::Goto(pane));
        } else {
            Labeller::act(self, action);
            self.drain(cx.effects);
        }
        true
    }

    /// Class keys win over the pane's own keys.
    fn key(&mut self, key: Key, cx: &mut Cx) -> bool {
        let Some(class) = self.class_of_key(key) else { return false };
        self.class_key(class);
        self.drain(cx.effects);
        true
    }

    fn request_jobs(&mut self, cx: &mut Cx) {
        cx.jobs.extend(self.jobs(&mut cx.shared.thumbs));
    }

    fn render(&mut self, f: &mut ratatui::Frame, area: ratatui::layout::Rect, shared: &Shared, theme: Theme) {
        super::label_view::render(f, self, shared, theme, area);
    }

    fn describe(&self, action: Action) -> Option<&'static str> {
        Some(match action {
            Action::Commit if !self.multi => "accept the suggestion",
            Action::Left => "previous sample",
            Action::Right => "next sample",
            Action::Up => "grid: up a row",
            Action::Down => "grid: down a row",
            Action::Grid => "one sample / grid of many",
            Action::Top => "first in the queue",
            Action::Bottom => "last in the queue",
            Action::Unmark => "unmark; go back",
            // Zoom is for boxes (a detection project's Label pane).
            Action::ZoomIn | Action::ZoomOut => "",
            _ => return None,
        })
    }

    fn settled(&self, graphics: bool) -> bool {
        Labeller::settled(self, graphics)
    }

    /// Labelling paused: the live model is refitted on what was labelled.
    fn tick(&mut self, cx: &mut Cx) -> bool {
        let due = self.refit_due(Instant::now());
        if due {
            self.request_jobs(cx);
        }
        due || self.live.is_some()
    }

    fn position(&self) -> Option<String> {
        Some(match self.queue.as_ref().map(Vec::len) {
            Some(0) => "empty queue".to_string(),
            Some(n) => format!("{}/{n}", self.pos + 1),
            None => "…".to_string(),
        })
    }
}

#[cfg(test)]
mod tests;
