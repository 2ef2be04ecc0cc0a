//! The Label pane of a detection project: boxes drawn by keys. Arrows move the selected box
//! (or the cursor), Shift+arrows one edge, Ctrl or Alt for 1-pixel steps, Tab picks the
//! edge or the next box, `n` makes a box at the cursor, a class key sets its class, `x`
//! deletes it, `+`/`-` zoom on it, Space marks the image done and goes on, Enter keeps the
//! boxes the latest detector run proposes (drawn dashed). Every edit is committed to the
//! label store before the next frame.

use std::collections::{HashMap, HashSet};

use crossterm::event::{KeyCode, KeyModifiers};
use kindling::data::preview::Preview;
use kindling::labels::store::{LabelBox, Rect};
use kindling::project::config::ClassConfig;
use kindling::runs::detector::{FoundBox, Proposed};
use ratatui::Frame;
use ratatui_image::protocol::StatefulProtocol;

use super::component::{Component, Cx, Effect, Shared};
use super::job::Job;
use super::keys::{Action, Key};
use super::label_write::{BoxWrite, Write, Written};
use super::theme::Theme;

/// The picture as kitty's graphics protocol gets it (tui::kitty), the font size it was made
/// for, and a number that changes with every new picture.
pub struct KittyFrame {
    pub generation: u64,
    pub picture: image::RgbImage,
    /// The cells it is shown over (kitty scales it to them).
    pub cells: (u16, u16),
    /// 0 for ×1, 1 for ×2, …: each level is an image of its own in the terminal.
    pub level: u32,
}

/// Steps Shift+arrows take the cursor when no box is selected.
const CURSOR_JUMP: f64 = 5.0;

/// What Shift+arrows move, as Tab picks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    Whole,
    Left,
    Top,
    Right,
    Bottom,
}

/// The images to box, what the store holds of them, and what is picked.
pub struct Boxer {
    pub classes: Vec<ClassConfig>,
    /// Images not done first, each group in the source's order.
    pub ids: Vec<String>,
    pub pos: usize,
    pub boxes: HashMap<String, Vec<LabelBox>>,
    pub done: HashSet<String>,
    asked: bool,
    /// The shown image, decoded, with its id.
    pub picture: Option<(String, image::DynamicImage)>,
    preview_asked: Option<String>,
    pub selected: Option<usize>,
    pub edge: Edge,
    /// Where `n` puts a new box, in pixels of the image.
    pub cursor: (f64, f64),
    /// The class a new box gets: the last one given.
    pub class: usize,
    /// 1, 2, 4 or 8: how many times the view is enlarged around the selection.
    pub zoom: u32,
    /// Where a zoomed view is centred (`follow`).
    pan: Option<(f64, f64)>,
    /// The picture as last encoded, and whether what it shows changed since.
    pub image: Option<StatefulProtocol>,
    /// Or, for half-blocks, the picture at two pixels a cell, drawn as it is.
    pub cells: Option<image::RgbImage>,
    /// Or, for kitty, the picture written beside the frame, and the cells it covers there.
    pub kitty: Option<KittyFrame>,
    pub kitty_area: Option<ratatui::layout::Rect>,
    base: super::boxes_view::Base,
    pub stale: bool,
    pub picture_cells: (u16, u16),
    pub encoded_for: (u16, u16),
    pub message: Option<String>,
    /// An undo is on its way: the image it reaches is shown.
    undoing: bool,
    /// What the latest detector run found in each image asked (shown dashed; Enter keeps
    /// them), and the run.
    pub proposals: HashMap<String, Vec<FoundBox>>,
    pub proposed_by: Option<String>,
    proposals_asked: HashSet<String>,
    /// An image asked for before the images arrived.
    wanted: Option<String>,
    /// Train the detector again after this many more labelled images (0: never).
    pub live_every: usize,
    /// The images the proposing run was trained on, and whether a new run was launched.
    trained_on: Option<usize>,
    refit_launched: bool,
}

impl Boxer {
    pub fn new(classes: Vec<ClassConfig>) -> Boxer {
        Boxer {
            classes,
            ids: Vec::new(),
            pos: 0,
            boxes: HashMap::new(),
            done: HashSet::new(),
            asked: false,
            picture: None,
            preview_asked: None,
            selected: None,
            edge: Edge::Whole,
            cursor: (0.0, 0.0),
            class: 0,
            zoom: 1,
            pan: None,
            image: None,
            cells: None,
            kitty: None,
            kitty_area: None,
            base: None,
            stale: true,
            picture_cells: (60, 20),
            encoded_for: (0, 0),
            message: None,
            undoing: false,
            proposals: HashMap::new(),
            proposed_by: None,
            proposals_asked: HashSet::new(),
            wanted: None,
            live_every: 0,
            trained_on: None,
            refit_launched: false,
        }
    }

    /// Shows image `id` (from the Results pane's cells).
    pub fn show(&mut self, id: &str) {
        match self.ids.iter().position(|i| i == id) {
            Some(pos) => self.go(pos),
            None => self.wanted = Some(id.to_string()),
        }
    }

    pub fn proposals_arrived(&mut self, id: String, found: Option<Proposed>) {
        if let Some(p) = found {
            if self.proposed_by.as_ref() != Some(&p.run) {
                self.refit_launched = false;
            }
            self.proposed_by = Some(p.run);
            self.trained_on = Some(p.trained_on);
            self.proposals.insert(id.clone(), p.boxes);
            if self.current() == Some(id.as_str()) {
                self.stale = true;
            }
        }
    }

    /// A run ended: the proposals are asked again, of the newest detector.
    pub fn run_ended(&mut self) {
        self.proposals.clear();
        self.proposals_asked.clear();
    }

    /// Images boxed or marked done.
    fn labelled(&self) -> usize {
        self.ids
            .iter()
            .filter(|id| self.done.contains(*id) || self.boxes.get(*id).is_some_and(|b| !b.is_empty()))
            .count()
    }

    /// After Space: once `live_every` more images are labelled than the proposing run
    /// had, the detector is trained again in the background (once a run).
    fn refit_when_due(&mut self, cx: &mut Cx) {
        let Some(trained_on) = self.trained_on else { return };
        if self.live_every == 0 || self.refit_launched || self.labelled() < trained_on + self.live_every {
            return;
        }
        self.refit_launched = true;
        cx.jobs.push(Job::Launch(super::launch::Launch::detector()));
        self.message = Some(format!(
            "{} more images labelled: training the detector again in the background (F4 follows it)",
            self.labelled() - trained_on
        ));
    }

    /// The shown image's proposals that no labelled box of their class already covers
    /// (IoU over 0.5).
    pub fn open_proposals(&self) -> Vec<&FoundBox> {
        let Some(found) = self.current().and_then(|id| self.proposals.get(id)) else { return Vec::new() };
        let labelled = self.shown_boxes();
        found
            .iter()
            .filter(|f| {
                let r = proposal_rect(f);
                !labelled.iter().any(|b| b.class == f.class && kindling::eval::detection::iou(&b.rect, &r) > 0.5)
            })
            .collect()
    }

    /// Enter: the shown image's open proposals become its boxes.
    fn accept(&mut self, cx: &mut Cx) {
        let Some(sample) = self.current().map(str::to_string) else { return };
        let boxes: Vec<(String, Rect)> =
            self.open_proposals().into_iter().map(|f| (f.class.clone(), proposal_rect(f))).collect();
        if boxes.is_empty() {
            self.message = Some(match &self.proposed_by {
                None => "no proposals: train a detector first (F4, or `kindling train --model detector`)".into(),
                Some(_) if !self.proposals.contains_key(&sample) => {
                    "the detector is still looking at this image".into()
                }
                Some(run) => format!("no open proposals from {run} on this image"),
            });
            return;
        }
        let n = boxes.len();
        self.message = Some(format!("kept {n} proposed box{}", if n == 1 { "" } else { "es" }));
        self.write(cx, BoxWrite::Accept { sample, boxes });
    }

    pub fn current(&self) -> Option<&str> {
        self.ids.get(self.pos).map(String::as_str)
    }

    /// The shown image's boxes.
    pub fn shown_boxes(&self) -> &[LabelBox] {
        self.current().and_then(|id| self.boxes.get(id)).map_or(&[], Vec::as_slice)
    }

    /// The shown image's size in pixels, once loaded.
    pub fn size(&self) -> Option<(f64, f64)> {
        let (id, img) = self.picture.as_ref()?;
        (Some(id.as_str()) == self.current()).then(|| (img.width() as f64, img.height() as f64))
    }

    pub fn images_arrived(&mut self, ids: Vec<String>, boxes: HashMap<String, Vec<LabelBox>>, done: HashSet<String>) {
        let (mut todo, finished): (Vec<String>, Vec<String>) = ids.into_iter().partition(|id| !done.contains(id));
        todo.extend(finished);
        self.ids = todo;
        self.boxes = boxes;
        self.done = done;
        let wanted = self.wanted.take().and_then(|id| self.ids.iter().position(|i| *i == id));
        self.go(wanted.unwrap_or(0));
    }

    pub fn preview_arrived(&mut self, id: String, result: &Result<Preview, String>) {
        if self.preview_asked.as_deref() != Some(id.as_str()) {
            return;
        }
        match result {
            Ok(Preview::Image(img)) => {
                self.cursor = (img.width() as f64 / 2.0, img.height() as f64 / 2.0);
                self.picture = Some((id, img.clone()));
                self.stale = true;
            }
            Ok(_) => self.message = Some(format!("{id} is not an image")),
            Err(e) => self.message = Some(format!("{id}: {e}")),
        }
    }

    /// What a committed box write did: the image's boxes as the store has them now.
    pub fn written(&mut self, result: &Result<Written, String>) {
        let undoing = std::mem::take(&mut self.undoing);
        match result {
            Ok(Written::Boxes { sample, boxes, done, added }) => {
                let before = self.shown_boxes().len();
                self.boxes.insert(sample.clone(), boxes.clone());
                if *done {
                    self.done.insert(sample.clone());
                } else {
                    self.done.remove(sample);
                }
                if Some(sample.as_str()) == self.current() {
                    self.selected = match added {
                        Some(id) => boxes.iter().position(|b| b.id == *id),
                        None if boxes.len() < before => None,
                        None => self.selected.filter(|&i| i < boxes.len()),
                    };
                } else if undoing && let Some(at) = self.ids.iter().position(|i| i == sample) {
                    // An undo reached another image: show it.
                    self.go(at);
                }
                self.stale = true;
            }
            Ok(_) => {}
            Err(e) => self.message = Some(format!("not saved: {e}")),
        }
    }

    fn go(&mut self, pos: usize) {
        let pos = pos.min(self.ids.len().saturating_sub(1));
        if pos != self.pos || self.picture.is_none() {
            self.selected = None;
            self.edge = Edge::Whole;
            self.zoom = 1;
        }
        self.pos = pos;
        self.stale = true;
    }

    fn step(&self, fine: bool) -> f64 {
        match (fine, self.size()) {
            (true, _) | (_, None) => 1.0,
            (false, Some((w, h))) => (w.max(h) / 50.0).round().max(1.0),
        }
    }

    fn write(&mut self, cx: &mut Cx, write: BoxWrite) {
        cx.effects.push(Effect::Write(Write::Box(write)));
    }

    fn change(&mut self, cx: &mut Cx, f: impl FnOnce(&mut Rect, (f64, f64))) {
        let (Some(i), Some(size), Some(id)) = (self.selected, self.size(), self.current().map(str::to_string)) else {
            return;
        };
        let Some(b) = self.shown_boxes().get(i).cloned() else { return };
        let mut rect = b.rect;
        f(&mut rect, size);
        let rect = fit(rect, size);
        if rect != b.rect {
            self.write(cx, BoxWrite::Change { sample: id, id: b.id, class: b.class, rect });
        }
    }

    /// An arrow: moves the selected box (or its picked edge), or the cursor.
    fn arrow(&mut self, cx: &mut Cx, dx: f64, dy: f64, fine: bool, edge_key: bool) {
        // With no box selected, Shift+arrows take the cursor five steps at once.
        let jump = if edge_key && self.selected.is_none() { CURSOR_JUMP } else { 1.0 };
        let step = self.step(fine) * jump;
        let (dx, dy) = (dx * step, dy * step);
        if self.selected.is_none() {
            if let Some((w, h)) = self.size() {
                self.cursor = ((self.cursor.0 + dx).clamp(0.0, w - 1.0), (self.cursor.1 + dy).clamp(0.0, h - 1.0));
                self.stale = true;
            }
            return;
        }
        let edge = match (edge_key, self.edge) {
            (false, _) => Edge::Whole,
            (true, e @ (Edge::Left | Edge::Right)) if dx != 0.0 => e,
            (true, e @ (Edge::Top | Edge::Bottom)) if dy != 0.0 => e,
            // Shift+arrow with no edge picked on its axis: the edge on the arrow's side grows.
            (true, _) if dx < 0.0 => Edge::Left,
            (true, _) if dx > 0.0 => Edge::Right,
            (true, _) if dy < 0.0 => Edge::Top,
            (true, _) => Edge::Bottom,
        };
        self.change(cx, |r, (w, h)| match edge {
            Edge::Whole => {
                r.x = (r.x + dx).clamp(0.0, (w - r.w).max(0.0));
                r.y = (r.y + dy).clamp(0.0, (h - r.h).max(0.0));
            }
            Edge::Left => {
                let right = r.x + r.w;
                r.x = (r.x + dx).clamp(0.0, right - 1.0);
                r.w = right - r.x;
            }
            Edge::Right => r.w = (r.w + dx).clamp(1.0, w - r.x),
            Edge::Top => {
                let bottom = r.y + r.h;
                r.y = (r.y + dy).clamp(0.0, bottom - 1.0);
                r.h = bottom - r.y;
            }
            Edge::Bottom => r.h = (r.h + dy).clamp(1.0, h - r.y),
        });
    }

    /// Tab: the next edge of the selected box, then the next box.
    fn tab(&mut self) {
        let n = self.shown_boxes().len();
        if n == 0 {
            self.message = Some("no boxes yet: n makes one at the cursor".into());
            return;
        }
        (self.selected, self.edge) = match (self.selected, self.edge) {
            (None, _) => (Some(0), Edge::Whole),
            (Some(i), Edge::Whole) => (Some(i), Edge::Left),
            (Some(i), Edge::Left) => (Some(i), Edge::Top),
            (Some(i), Edge::Top) => (Some(i), Edge::Right),
            (Some(i), Edge::Right) => (Some(i), Edge::Bottom),
            (Some(i), Edge::Bottom) => (Some((i + 1) % n), Edge::Whole),
        };
        self.stale = true;
    }

    fn new_box(&mut self, cx: &mut Cx) {
        let (Some((w, h)), Some(id)) = (self.size(), self.current().map(str::to_string)) else {
            self.message = Some("the image is still loading".into());
            return;
        };
        let Some(class) = self.classes.get(self.class).map(|c| c.name.clone()) else { return };
        let side = (w.min(h) / 5.0).max(1.0);
        let rect = fit(Rect { x: self.cursor.0 - side / 2.0, y: self.cursor.1 - side / 2.0, w: side, h: side }, (w, h));
        self.write(cx, BoxWrite::Add { sample: id, class, rect });
    }

    fn class_key(&mut self, i: usize, cx: &mut Cx) {
        self.class = i;
        let name = self.classes[i].name.clone();
        match (self.selected, self.current().map(str::to_string)) {
            (Some(s), Some(id)) => {
                if let Some(b) = self.shown_boxes().get(s).cloned()
                    && b.class != name
                {
                    self.write(cx, BoxWrite::Change { sample: id, id: b.id, class: name, rect: b.rect });
                }
            }
            _ => self.message = Some(format!("next box: {name}")),
        }
    }

    /// The view of the image the picture shows: all of it, or around the selection.
    pub fn view(&self) -> Option<Rect> {
        let (w, h) = self.size()?;
        if self.zoom <= 1 {
            return Some(Rect { x: 0.0, y: 0.0, w, h });
        }
        let (vw, vh) = (w / self.zoom as f64, h / self.zoom as f64);
        let centre = self.pan.unwrap_or_else(|| self.focus());
        let x = (centre.0 - vw / 2.0).clamp(0.0, w - vw);
        let y = (centre.1 - vh / 2.0).clamp(0.0, h - vh);
        Some(Rect { x, y, w: vw, h: vh })
    }

    /// The picture to encode when what it shows changed or its room did.
    /// The kitty picture to show and where, once a frame has laid it out.
    pub fn kitty_placement(&self) -> Option<(u32, u64, &image::RgbImage, ratatui::layout::Rect)> {
        let k = self.kitty.as_ref()?;
        Some((k.level, k.generation, &k.picture, self.kitty_area?))
    }

    /// The picture for kitty, when it must be made again: at the view's own pixels when the
    /// view is enlarged (the terminal scales it), so a zoom sends a fraction of the pixels.
    pub fn kitty_frame(&mut self, font: (u16, u16)) -> Option<KittyFrame> {
        if !self.frame_due() {
            return None;
        }
        let view = self.view()?;
        let (fw, fh) = (f64::from(font.0.max(1)), f64::from(font.1.max(1)));
        let room = (f64::from(self.picture_cells.0) * fw, f64::from(self.picture_cells.1) * fh);
        let scale = (room.0 / view.w).min(room.1 / view.h);
        let cells = (
            ((view.w * scale / fw).ceil() as u16).clamp(1, self.picture_cells.0.max(1)),
            ((view.h * scale / fh).ceil() as u16).clamp(1, self.picture_cells.1.max(1)),
        );
        let made =
            if scale > 1.0 { (view.w.ceil() as u32, view.h.ceil() as u32) } else { (room.0 as u32, room.1 as u32) };
        let picture = self.frame_in(made)?.into_rgb8();
        let generation = self.kitty.as_ref().map_or(0, |k| k.generation + 1);
        Some(KittyFrame { generation, picture, cells, level: self.zoom.trailing_zeros() })
    }

    /// The centre of what is worked on: the selected box, or the cursor.
    fn focus(&self) -> (f64, f64) {
        match self.selected.and_then(|i| self.shown_boxes().get(i)) {
            Some(b) => (b.rect.x + b.rect.w / 2.0, b.rect.y + b.rect.h / 2.0),
            None => self.cursor,
        }
    }

    /// A zoomed view stays where it is while what is worked on stays inside it, and moves
    /// to centre it when it leaves (a nudge does not move the whole picture).
    fn follow(&mut self) {
        if self.zoom <= 1 {
            self.pan = None;
            return;
        }
        let inside = |v: Rect, r: Rect| r.x >= v.x && r.y >= v.y && r.x + r.w <= v.x + v.w && r.y + r.h <= v.y + v.h;
        let target = match self.selected.and_then(|i| self.shown_boxes().get(i)) {
            Some(b) => b.rect,
            None => Rect { x: self.cursor.0, y: self.cursor.1, w: 0.0, h: 0.0 },
        };
        if self.pan.zip(self.view()).is_none_or(|(_, v)| !inside(v, target)) {
            self.pan = Some(self.focus());
        }
    }

    /// Whether the picture must be made again (an edit, a new image, a new room); a zoomed
    /// view is moved first where the work went out of it.
    fn frame_due(&mut self) -> bool {
        if !self.stale && self.encoded_for == self.picture_cells {
            return false;
        }
        self.follow();
        true
    }

    pub fn frame_to_encode(&mut self, font: (u16, u16)) -> Option<image::DynamicImage> {
        if !self.frame_due() {
            return None;
        }
        self.frame_in((self.picture_cells.0 as u32 * font.0 as u32, self.picture_cells.1 as u32 * font.1 as u32))
    }

    /// The picture composed to fit `room` pixels.
    fn frame_in(&mut self, room: (u32, u32)) -> Option<image::DynamicImage> {
        let (id, img) = self.picture.as_ref().filter(|(id, _)| Some(id.as_str()) == self.current())?;
        let mut base = self.base.take();
        let frame = super::boxes_view::compose(id, img, self, room, &mut base);
        self.base = base;
        self.stale = false;
        self.encoded_for = self.picture_cells;
        Some(frame)
    }
}

/// A rectangle kept inside the image, at least a pixel each way.
/// A proposal's box in the store's terms.
pub fn proposal_rect(f: &FoundBox) -> Rect {
    Rect { x: f.bbox[0], y: f.bbox[1], w: f.bbox[2], h: f.bbox[3] }
}

pub fn fit(r: Rect, (w, h): (f64, f64)) -> Rect {
    let rw = r.w.clamp(1.0, w.max(1.0));
    let rh = r.h.clamp(1.0, h.max(1.0));
    Rect { x: r.x.clamp(0.0, (w - rw).max(0.0)), y: r.y.clamp(0.0, (h - rh).max(0.0)), w: rw, h: rh }
}

impl Component for Boxer {
    fn act(&mut self, action: Action, cx: &mut Cx) -> bool {
        self.message = None;
        match action {
            Action::Up => self.arrow(cx, 0.0, -1.0, false, false),
            Action::Down => self.arrow(cx, 0.0, 1.0, false, false),
            Action::Left => self.arrow(cx, -1.0, 0.0, false, false),
            Action::Right => self.arrow(cx, 1.0, 0.0, false, false),
            Action::PageDown => self.go(self.pos + 1),
            Action::PageUp => self.go(self.pos.saturating_sub(1)),
            Action::Top => self.go(0),
            Action::Bottom => self.go(self.ids.len().saturating_sub(1)),
            Action::MoreLikeThis => self.new_box(cx),
            Action::ClearLabel => match (self.selected, self.current().map(str::to_string)) {
                (Some(i), Some(sample)) => {
                    if let Some(b) = self.shown_boxes().get(i) {
                        let id = b.id;
                        self.write(cx, BoxWrite::Delete { sample, id });
                    }
                }
                _ => self.message = Some("no box selected: Tab picks one".into()),
            },
            Action::Skip => {
                if let Some(id) = self.current().map(str::to_string) {
                    self.write(cx, BoxWrite::Done { sample: id.clone(), done: true });
                    self.done.insert(id);
                    self.go(self.pos + 1);
                    self.refit_when_due(cx);
                }
            }
            Action::Undo => {
                self.undoing = true;
                self.write(cx, BoxWrite::Undo);
            }
            Action::Unmark => {
                self.selected = None;
                self.edge = Edge::Whole;
                self.stale = true;
            }
            Action::ZoomIn => {
                self.zoom = (self.zoom * 2).min(8);
                self.pan = None;
                self.stale = true;
            }
            Action::ZoomOut => {
                self.zoom = (self.zoom / 2).max(1);
                self.pan = None;
                self.stale = true;
            }
            Action::Commit => self.accept(cx),
            _ => return false,
        }
        if let Some(m) = self.message.clone() {
            cx.say(m);
        }
        true
    }

    /// Shift+arrows, Ctrl/Alt+arrows, Tab and the class keys, before the key map.
    fn key(&mut self, key: Key, cx: &mut Cx) -> bool {
        let fine = key.mods.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        let edge = key.mods.contains(KeyModifiers::SHIFT);
        let arrow = match key.code {
            KeyCode::Left => Some((-1.0, 0.0)),
            KeyCode::Right => Some((1.0, 0.0)),
            KeyCode::Up => Some((0.0, -1.0)),
            KeyCode::Down => Some((0.0, 1.0)),
            _ => None,
        };
        if let Some((dx, dy)) = arrow
            && (fine || edge)
        {
            self.arrow(cx, dx, dy, fine, edge);
            return true;
        }
        if key.code == KeyCode::Tab && key.mods.is_empty() {
            self.tab();
            if let Some(m) = self.message.take() {
                cx.say(m);
            }
            return true;
        }
        if let KeyCode::Char(c) = key.code
            && key.mods.is_empty()
            && let Some(i) = self.classes.iter().position(|k| k.key.chars().eq([c]))
        {
            self.class_key(i, cx);
            if let Some(m) = self.message.take() {
                cx.say(m);
            }
            return true;
        }
        false
    }

    fn request_jobs(&mut self, cx: &mut Cx) {
        if !self.asked {
            self.asked = true;
            cx.jobs.push(Job::BoxImages);
        }
        if let Some(id) = self.current().map(str::to_string)
            && self.preview_asked.as_deref() != Some(id.as_str())
        {
            self.preview_asked = Some(id.clone());
            cx.jobs.push(Job::Preview { id });
        }
        // The live detector pre-annotates the shown image and the next one.
        for id in [self.pos, self.pos + 1].iter().filter_map(|&p| self.ids.get(p)) {
            if self.proposals_asked.insert(id.clone()) {
                cx.jobs.push(Job::Proposals { id: id.clone() });
            }
        }
    }

    fn render(&mut self, f: &mut Frame, area: ratatui::layout::Rect, shared: &Shared, theme: Theme) {
        super::boxes_view::render(f, self, area, shared, theme);
    }

    fn describe(&self, action: Action) -> Option<&'static str> {
        Some(match action {
            Action::MoreLikeThis => "new box at the cursor",
            Action::ClearLabel => "delete the selected box",
            Action::Skip => "image done: every object boxed",
            Action::Undo => "undo the last box edit",
            Action::Left | Action::Right | Action::Up | Action::Down => {
                "move the box (Shift: an edge, Ctrl/Alt: 1 px; Tab picks)"
            }
            Action::PageDown | Action::PageUp => "next / previous image",
            Action::Top => "first image",
            Action::Bottom => "last image",
            Action::ZoomIn => "zoom in on the selected box",
            Action::Unmark => "deselect the box",
            Action::NextPane => "edge, then next box (F1–F6: panes)",
            Action::Commit => "accept the detector's proposals",
            Action::Order | Action::Review | Action::ScrollDown | Action::ScrollUp | Action::Grid | Action::Range => "",
            _ => return None,
        })
    }

    /// The edit is on screen once the picture that shows it is encoded.
    fn settled(&self, graphics: bool) -> bool {
        !graphics || self.size().is_none() || !self.stale
    }

    fn position(&self) -> Option<String> {
        (!self.ids.is_empty()).then(|| format!("{}/{}", self.pos + 1, self.ids.len()))
    }
}

#[cfg(test)]
mod tests;
