//! The Augment pane's state: the project's transforms with their on/off toggles and
//! numbers, and augmented versions of the sample selected in Browse, made again whenever a
//! setting changes or `r` rolls a new seed. Changes are saved to kindling.toml.

use kindling::augment::{Modality, Settings};
use kindling::workflow::augment_preview::Versions;

use super::component::{Component, Cx, Effect, Shared};
use super::job::Job;
use super::keys::Action;
use super::palette::Prompt;
use super::theme::Theme;

/// Versions shown beside the original.
pub const VERSIONS: usize = 4;

/// Images are shrunk to at most this many pixels a side before they reach the pane: it
/// draws a few dozen cells of each, and scaling full-size photos every frame would stall
/// the UI task.
const PREVIEW_SIDE: u32 = 128;

/// Versions made small enough to draw cheaply (run off the UI task).
pub fn for_display(versions: Versions) -> Versions {
    match versions {
        Versions::Images(images) => Versions::Images(
            images
                .into_iter()
                .map(|img| {
                    let (w, h) = img.dimensions();
                    if w.max(h) <= PREVIEW_SIDE {
                        img
                    } else {
                        image::imageops::thumbnail(&img, PREVIEW_SIDE, PREVIEW_SIDE)
                    }
                })
                .collect(),
        ),
        other => other,
    }
}

pub struct Augment {
    pub modality: Modality,
    pub settings: Settings,
    /// Row under the cursor: 0 is `copies`, then one per transform.
    pub cursor: usize,
    pub seed: u64,
    /// The sample previewed, and its versions (tagged with the generation they were made for).
    pub sample: Option<String>,
    pub versions: Option<(u64, Result<Versions, String>)>,
    generation: u64,
    asked: Option<(u64, String)>,
}

impl Augment {
    pub fn new(modality: Modality, settings: Settings) -> Augment {
        Augment { modality, settings, cursor: 1, seed: 0, sample: None, versions: None, generation: 0, asked: None }
    }

    pub fn rows(&self) -> usize {
        1 + self.modality.transforms().len()
    }

    /// The transform under the cursor.
    pub fn selected(&self) -> Option<&'static kindling::augment::Spec> {
        self.cursor.checked_sub(1).and_then(|i| self.modality.transforms().get(i))
    }

    pub fn copies(&self) -> usize {
        self.settings.copies.unwrap_or(self.modality.default_copies())
    }

    /// How many transforms are on.
    pub fn on(&self) -> usize {
        self.modality
            .transforms()
            .iter()
            .filter(|s| self.settings.step(self.modality, s.name).is_some_and(|(on, _)| on))
            .count()
    }

    /// The current sample to preview (Browse's selection).
    pub fn show(&mut self, id: Option<String>) {
        if id != self.sample {
            self.sample = id;
            self.changed_preview();
        }
    }

    fn changed_preview(&mut self) {
        self.generation += 1;
    }

    /// The preview to make, when it is out of date.
    pub fn jobs(&mut self) -> Vec<Job> {
        let Some(id) = self.sample.clone() else { return Vec::new() };
        if self.asked.as_ref() == Some(&(self.generation, id.clone())) {
            return Vec::new();
        }
        self.asked = Some((self.generation, id.clone()));
        let plan = match self.settings.plan(self.modality) {
            Ok(plan) => plan,
            Err(e) => {
                self.versions = Some((self.generation, Err(e.to_string())));
                return Vec::new();
            }
        };
        vec![Job::AugmentPreview { generation: self.generation, id, plan, copies: VERSIONS, seed: self.seed }]
    }

    pub fn preview_arrived(&mut self, generation: u64, result: Result<Versions, String>) {
        if generation == self.generation {
            self.versions = Some((generation, result));
        }
    }

    /// The numbers of the selected transform as `name=value` pairs, to edit.
    pub fn edit_text(&self) -> Option<String> {
        let spec = self.selected()?;
        let (_, step) = self.settings.step(self.modality, spec.name)?;
        let mut parts = vec![format!("p={}", step.p)];
        parts.extend(spec.params.iter().map(|p| format!("{}={}", p.name, step.param(p.name))));
        Some(parts.join(" "))
    }

    /// Applies edited `name=value` pairs to the selected transform; the settings to save.
    pub fn apply_edit(&mut self, text: &str) -> Result<Settings, String> {
        let spec = self.selected().ok_or("choose a transform first")?;
        let mut next = self.settings.clone();
        for pair in text.split_whitespace() {
            let (key, value) = pair.split_once('=').ok_or(format!("\"{pair}\": write name=value"))?;
            let value: f64 = value.parse().map_err(|_| format!("{key}: \"{value}\" is not a number"))?;
            next.set_value(spec.name, key, value);
        }
        next.validate(self.modality).map_err(|e| e.to_string())?;
        self.settings = next;
        self.changed_preview();
        Ok(self.settings.clone())
    }
}

impl Component for Augment {
    /// Every change is saved at once (a `SaveAugment` job) and makes new versions.
    fn act(&mut self, action: Action, cx: &mut Cx) -> bool {
        let last = self.rows() - 1;
        let mut changed = false;
        match action {
            Action::Open => match self.edit_text() {
                Some(text) => cx.effects.push(Effect::Prompt(Prompt::Augment, text)),
                None => cx.say("choose a transform to edit its numbers"),
            },
            Action::Up => self.cursor = self.cursor.saturating_sub(1),
            Action::Down => self.cursor = (self.cursor + 1).min(last),
            Action::Top => self.cursor = 0,
            Action::Bottom => self.cursor = last,
            Action::Review => {
                self.seed += 1;
                self.changed_preview();
            }
            Action::Skip => match self.selected() {
                Some(spec) => {
                    let on = self.settings.step(self.modality, spec.name).is_some_and(|(on, _)| on);
                    self.settings.set_on(spec.name, !on);
                    changed = true;
                }
                None => cx.say("copies: h / l change it"),
            },
            Action::Left | Action::Right if self.cursor == 0 => {
                let n = self.copies();
                let next = if action == Action::Right { n + 1 } else { n.saturating_sub(1).max(1) };
                self.settings.copies = Some(next.min(kindling::augment::settings::MAX_COPIES));
                changed = true;
            }
            _ => {}
        }
        if changed {
            self.changed_preview();
            cx.shared.transforms_on = self.on();
            cx.jobs.push(Job::SaveAugment(self.settings.clone()));
        }
        true
    }

    /// Versions of the sample selected in Browse.
    fn request_jobs(&mut self, cx: &mut Cx) {
        self.show(cx.shared.selected.clone());
        cx.jobs.extend(self.jobs());
    }

    fn render(&mut self, f: &mut ratatui::Frame, area: ratatui::layout::Rect, _shared: &Shared, theme: Theme) {
        super::augment_view::render(f, self, theme, area);
    }

    fn describe(&self, action: Action) -> Option<&'static str> {
        Some(match action {
            Action::Skip => "turn the transform on / off",
            Action::Open => "edit the transform's numbers",
            Action::Review => "new random versions",
            Action::Left => "fewer copies per sample",
            Action::Right => "more copies per sample",
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::component::in_cx;

    /// The settings an action asks to save, if any.
    fn saved_by(a: &mut Augment, action: Action) -> Option<Settings> {
        let (_, jobs, _) = in_cx(kindling::data::SourceKind::Images, |cx| Component::act(a, action, cx));
        jobs.into_iter().find_map(|j| match j {
            Job::SaveAugment(s) => Some(s),
            _ => None,
        })
    }

    #[test]
    fn large_images_are_shrunk_for_display_and_small_ones_kept() {
        let big = image::RgbImage::new(1000, 600);
        let small = image::RgbImage::new(32, 32);
        let Versions::Images(shown) = for_display(Versions::Images(vec![big, small.clone()])) else { panic!() };
        assert!(shown[0].width() <= PREVIEW_SIDE && shown[0].height() <= PREVIEW_SIDE);
        assert_eq!(shown[1], small);
    }

    #[test]
    fn toggles_and_edits_change_the_settings_and_ask_for_a_new_preview() {
        let mut a = Augment::new(Modality::Image, Settings::default());
        a.show(Some("cat.png".into()));
        assert_eq!(a.jobs().len(), 1);
        assert!(a.jobs().is_empty(), "asked once per change");
        a.cursor = 3; // rotate
        let saved = saved_by(&mut a, Action::Skip);
        assert!(saved.unwrap().plan(Modality::Image).unwrap().has("rotate"));
        assert_eq!(a.on(), 1);
        assert!(matches!(a.jobs()[0], Job::AugmentPreview { .. }));
        assert_eq!(a.edit_text().unwrap(), "p=0.5 degrees=15");
        let saved = a.apply_edit("p=1 degrees=40").unwrap();
        assert_eq!(saved.plan(Modality::Image).unwrap().steps[0].param("degrees"), 40.0);
        assert!(a.apply_edit("degrees=400").unwrap_err().contains("between"));
        assert!(a.apply_edit("spin").unwrap_err().contains("name=value"));
        a.cursor = 0;
        let saved = saved_by(&mut a, Action::Right);
        assert_eq!(saved.unwrap().copies, Some(5));
        let before = a.seed;
        assert_eq!(saved_by(&mut a, Action::Review), None, "new versions change no setting");
        assert_eq!(a.seed, before + 1, "r rolls new versions");
    }
}
