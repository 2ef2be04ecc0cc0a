//! The Map pane's state: every sample as a point of the 2-D map (the project's vectors'
//! principal components at once, their t-SNE or UMAP map when it is made), coloured by label or by k-means cluster; a cursor that jumps to
//! the nearest point in the direction of an arrow; zoom around the cursor; a rectangle (`v`
//! … `v`) or the cursor's neighbours (`n`) as a selection that a class key labels at once
//! (origin `bulk`) and Enter opens in the Label pane.

use std::collections::HashMap;

use kindling::data::preview::Preview;
use kindling::labels::store::Origin;

use super::component::{Component, Cx, Effect, Shared};
use super::job::Job;
use super::keys::{Action, Key};
use super::label_write::{Write, Written};
use super::map_data::{MapData, Progress, Shown};
use super::theme::Theme;
use ratatui_image::protocol::StatefulProtocol;

/// Neighbours `n` selects.
const NEIGHBOURS: usize = 20;
/// Points PgUp / PgDn move the cursor by.
const PAGE: usize = 5;
/// Zoom levels: each doubles the scale.
const MAX_ZOOM: u32 = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colouring {
    Label,
    /// The live model's suggestion for every sample, labelled or not.
    Suggestion,
    Cluster,
}

#[derive(Default)]
pub struct Map {
    pub data: Option<Result<MapData, String>>,
    asked: bool,
    pub cursor: usize,
    pub zoom: u32,
    /// The middle of the view, in map units.
    pub centre: (f64, f64),
    /// The corner a rectangle started at (`v`), while it is open.
    pub anchor: Option<(f64, f64)>,
    /// Indices of the selected points.
    pub selection: Vec<usize>,
    /// What the selection is, in words.
    pub selection_title: String,
    pub colouring: Option<Colouring>,
    /// What is shown of the sample under the cursor, when it has arrived: (id, it).
    pub preview: Option<(String, Shown)>,
    /// That sample's image encoded for the terminal (by the event loop, which holds the
    /// terminal's graphics), when it is one and graphics are on.
    pub image: Option<StatefulProtocol>,
    preview_asked: Option<String>,
    /// The t-SNE or UMAP map is being made (the principal components are shown meanwhile).
    pub neighbours_pending: bool,
    neighbours_asked: bool,
    /// Bumped whenever a label (or the map) changes: the binned dots are made again.
    pub revision: u64,
    /// The dots of the last view drawn, kept while only the cursor moves.
    pub dots: Option<(DotsKey, super::map_dots::Dots)>,
    /// The map job's stage, while one runs.
    pub progress: Option<Progress>,
}

/// What the binned dots depend on.
#[derive(Debug, PartialEq)]
pub struct DotsKey {
    pub view: super::map_dots::View,
    pub colouring: Colouring,
    pub revision: u64,
    /// The colour groups' names (classes or clusters), in order.
    pub names: Vec<String>,
}

impl Map {
    /// Asks for the map again when it could not be made (the pane was entered after a
    /// failure that labelling or new data may have fixed).
    fn retry_failed(&mut self) {
        if matches!(self.data, Some(Err(_))) {
            self.asked = false;
            self.neighbours_asked = false;
            self.data = None;
        }
    }

    /// A map arrived: the principal components first, then the t-SNE or UMAP map of the
    /// same samples, which keeps the cursor and selection.
    pub fn arrived(&mut self, result: Result<MapData, String>) {
        use kindling::embed::map::Projection;
        let same_samples = match (&result, self.ok()) {
            (Ok(new), Some(old)) => new.ids == old.ids,
            _ => false,
        };
        let mut result = result;
        if let Ok(d) = &mut result {
            d.index.rebuild(&d.ids, &d.labels);
        }
        if let Ok(d) = &result {
            self.neighbours_pending = d.projection == Projection::Pca && !self.neighbours_asked;
        } else {
            self.neighbours_pending = false;
        }
        self.data = Some(result);
        self.progress = None;
        self.revision += 1;
        self.centre = (0.5, 0.5);
        self.zoom = 0;
        self.anchor = None;
        if !same_samples {
            self.cursor = 0;
            self.selection.clear();
        }
    }

    pub fn ok(&self) -> Option<&MapData> {
        self.data.as_ref().and_then(|d| d.as_ref().ok())
    }

    pub fn colouring(&self) -> Colouring {
        self.colouring.unwrap_or(Colouring::Label)
    }

    /// The width (and height) of the view in map units.
    pub fn span(&self) -> f64 {
        1.05 / f64::from(1u32 << self.zoom)
    }

    pub fn cursor_id(&self) -> Option<&str> {
        self.ok().and_then(|d| d.ids.get(self.cursor)).map(String::as_str)
    }

    /// Labels written elsewhere (or here) recolour the map.
    pub fn written(&mut self, result: &Result<Written, String>) {
        let Some(Ok(data)) = self.data.as_mut() else { return };
        self.revision += 1;
        let mut set = |id: &str, label: Option<String>| {
            data.index.set(id, label.as_deref());
            match label {
                Some(l) => data.labels.insert(id.to_string(), l),
                None => data.labels.remove(id),
            };
        };
        match result {
            Ok(Written::Set { ids, label, .. }) => ids.iter().for_each(|id| set(id, label.clone())),
            Ok(Written::Accepted { pairs, .. }) => pairs.iter().for_each(|(id, c)| set(id, Some(c.clone()))),
            Ok(Written::Undone(undone)) => undone.iter().for_each(|u| set(&u.sample_id, u.restored.clone())),
            // An answer to a re-ask changes no label.
            Ok(Written::Answered { .. } | Written::Boxes { .. } | Written::NothingToUndo) | Err(_) => {}
        }
    }

    pub fn labels_arrived(&mut self, labels: &HashMap<String, String>) {
        if let Some(Ok(data)) = self.data.as_mut() {
            self.revision += 1;
            data.labels = labels.clone();
            data.index.rebuild(&data.ids, &data.labels);
        }
    }

    pub fn wants_preview(&self, id: &str) -> bool {
        self.preview_asked.as_deref() == Some(id)
    }

    pub fn preview_arrived(&mut self, id: String, shown: Shown) {
        self.preview = Some((id, shown));
        self.image = None;
    }

    /// The image under the cursor, while it waits to be encoded for the terminal.
    pub fn image_to_encode(&self) -> Option<&image::DynamicImage> {
        match (&self.preview, &self.image) {
            (Some((_, Shown::Sample(Ok(Preview::Image(img))))), None) => Some(img),
            _ => None,
        }
    }

    fn act(&mut self, action: Action) -> Option<Effect> {
        let at = self.ok()?.xy[self.cursor];
        match action {
            Action::Left => self.step((-1.0, 0.0)),
            Action::Right => self.step((1.0, 0.0)),
            Action::Up => self.step((0.0, 1.0)),
            Action::Down => self.step((0.0, -1.0)),
            // A page: several points at once.
            Action::PageUp => (0..PAGE).for_each(|_| self.step((0.0, 1.0))),
            Action::PageDown => (0..PAGE).for_each(|_| self.step((0.0, -1.0))),
            Action::ZoomIn => {
                self.zoom = (self.zoom + 1).min(MAX_ZOOM);
                self.centre = at;
            }
            Action::ZoomOut => {
                self.zoom = self.zoom.saturating_sub(1);
                if self.zoom == 0 {
                    self.centre = (0.5, 0.5);
                }
            }
            Action::Range => return self.rectangle(),
            Action::MoreLikeThis => return self.neighbours(),
            Action::Unmark => {
                self.selection.clear();
                self.anchor = None;
            }
            Action::Colouring => {
                let suggestions = self.ok().is_some_and(|d| d.suggested.iter().any(Option::is_some));
                self.colouring = Some(match self.colouring() {
                    Colouring::Label if suggestions => Colouring::Suggestion,
                    Colouring::Label | Colouring::Suggestion => Colouring::Cluster,
                    Colouring::Cluster => Colouring::Label,
                });
            }
            Action::Open => return self.open(),
            _ => return None,
        }
        None
    }

    /// The cursor to the nearest point in `direction`: ahead of it, within a cone either
    /// side, the nearest counting sideways distance double.
    fn step(&mut self, direction: (f64, f64)) {
        let Some(data) = self.ok() else { return };
        let from = data.xy[self.cursor];
        let best = data
            .xy
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let (dx, dy) = (p.0 - from.0, p.1 - from.1);
                let ahead = dx * direction.0 + dy * direction.1;
                let aside = (dx * direction.1 - dy * direction.0).abs();
                (ahead > 0.0 && aside <= 2.0 * ahead).then_some((ahead + 2.0 * aside, i))
            })
            .min_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((_, i)) = best {
            self.cursor = i;
            self.keep_cursor_in_view();
        }
    }

    fn keep_cursor_in_view(&mut self) {
        let Some(p) = self.ok().map(|d| d.xy[self.cursor]) else { return };
        let half = self.span() / 2.0;
        if (p.0 - self.centre.0).abs() > half * 0.9 || (p.1 - self.centre.1).abs() > half * 0.9 {
            self.centre = p;
        }
    }

    /// `v`: start a rectangle at the cursor; again: select the points inside it.
    fn rectangle(&mut self) -> Option<Effect> {
        let at = self.ok()?.xy[self.cursor];
        let Some(anchor) = self.anchor.take() else {
            self.anchor = Some(at);
            return Some(Effect::Say("rectangle started: move the cursor to its other corner, then v".into()));
        };
        let data = self.ok()?;
        let (x0, x1) = (anchor.0.min(at.0), anchor.0.max(at.0));
        let (y0, y1) = (anchor.1.min(at.1), anchor.1.max(at.1));
        self.selection = data
            .xy
            .iter()
            .enumerate()
            .filter(|(_, p)| (x0..=x1).contains(&p.0) && (y0..=y1).contains(&p.1))
            .map(|(i, _)| i)
            .collect();
        self.selection_title = format!("{} samples in a rectangle of the map", self.selection.len());
        Some(Effect::Say(format!("{} selected: a class key labels them all, Enter opens them", self.selection.len())))
    }

    /// `n`: the cursor sample's nearest neighbours (cosine) become the selection.
    fn neighbours(&mut self) -> Option<Effect> {
        let data = self.ok()?;
        let id = data.ids[self.cursor].clone();
        let near = kindling::embed::similar::nearest(&data.vectors, &id, NEIGHBOURS).unwrap_or_default();
        let index: HashMap<&str, usize> = data.ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
        let mut selection = vec![self.cursor];
        selection.extend(near.iter().filter_map(|n| index.get(n.id.as_str()).copied()));
        self.selection = selection;
        self.selection_title = format!("{id} and its {} nearest", near.len());
        Some(Effect::Say(format!("{} and its {} neighbours selected", id, near.len())))
    }

    /// Enter: the selection (or the cursor's cluster) in the Label pane.
    fn open(&self) -> Option<Effect> {
        let data = self.ok()?;
        let (title, picks): (String, Vec<usize>) = if self.selection.is_empty() {
            let c = data.cluster[self.cursor];
            let members = (0..data.ids.len()).filter(|&i| data.cluster[i] == c).collect();
            (format!("cluster {c} of the map"), members)
        } else {
            (self.selection_title.clone(), self.selection.clone())
        };
        Some(Effect::Review {
            title,
            ids: picks.iter().map(|&i| data.ids[i].clone()).collect(),
            notes: HashMap::new(),
            focus: None,
        })
    }

    /// A class key: the selection (or the cursor's sample) gets class `class`, one write.
    fn label(&mut self, class: &str) -> Option<Effect> {
        let data = self.ok()?;
        let picks = if self.selection.is_empty() { vec![self.cursor] } else { self.selection.clone() };
        let ids = picks.iter().map(|&i| data.ids[i].clone()).collect();
        let origin = if picks.len() > 1 { Origin::Bulk } else { Origin::Keyboard };
        self.selection.clear();
        Some(Effect::Write(Write::Set { ids, label: Some(class.to_string()), origin }))
    }

    pub fn jobs(&mut self) -> Vec<Job> {
        let mut jobs = Vec::new();
        if !self.asked {
            self.asked = true;
            jobs.push(Job::Map { neighbours: false });
        }
        if self.neighbours_pending && !self.neighbours_asked {
            self.neighbours_asked = true;
            jobs.push(Job::Map { neighbours: true });
        }
        if let Some(id) = self.cursor_id().map(str::to_string)
            && self.preview_asked.as_deref() != Some(&id)
        {
            self.preview_asked = Some(id.clone());
            jobs.push(Job::MapSample { id, place: self.cursor });
        }
        jobs
    }
}

impl Component for Map {
    fn act(&mut self, action: Action, cx: &mut Cx) -> bool {
        cx.effects.extend(Map::act(self, action));
        true
    }

    /// Class keys label the selection, before the pane's own keys.
    fn key(&mut self, key: Key, cx: &mut Cx) -> bool {
        use crossterm::event::{KeyCode, KeyModifiers};
        let KeyCode::Char(c) = key.code else { return false };
        if !key.mods.is_empty() && key.mods != KeyModifiers::SHIFT {
            return false;
        }
        let Some(class) = cx.shared.classes.iter().find(|k| k.key.chars().eq([c])).map(|k| k.name.clone()) else {
            return false;
        };
        cx.effects.extend(self.label(&class));
        true
    }

    fn request_jobs(&mut self, cx: &mut Cx) {
        cx.jobs.extend(self.jobs());
    }

    fn render(&mut self, f: &mut ratatui::Frame, area: ratatui::layout::Rect, shared: &Shared, theme: Theme) {
        super::map_view::render(f, self, shared, theme, area);
    }

    fn enter(&mut self, _cx: &mut Cx) {
        self.retry_failed();
    }

    fn describe(&self, action: Action) -> Option<&'static str> {
        Some(match action {
            Action::Left | Action::Right | Action::Up | Action::Down => "cursor to the nearest point that way",
            Action::PageUp => "cursor five points up",
            Action::PageDown => "cursor five points down",
            Action::Range => "start / close a rectangle",
            Action::MoreLikeThis => "select the cursor's neighbours",
            Action::Unmark => "clear the selection",
            Action::Open => "open the selection (or the cursor's cluster) in Label",
            _ => return None,
        })
    }

    fn position(&self) -> Option<String> {
        let data = self.ok()?;
        Some(format!("{}/{}", self.cursor + 1, data.ids.len()))
    }
}

#[cfg(test)]
mod tests;
