//! The Train pane's state: the settings of the next run, and the run being followed. Runs
//! are files (`runs/<id>/run.json`, `events.jsonl`), so a run started by the CLI, another
//! workbench or before this one opened is followed the same way as one launched here.

use std::collections::HashSet;

use kindling::data::SourceKind;
use kindling::features::Method;
use kindling::models::{Device, ModelKind};
use kindling::runs::RunSummary;
use serde_json::Value;

use super::component::{Component, Cx, Shared};
use super::job::Job;
use super::keys::Action;
use super::launch::Launch;
use super::theme::Theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Model,
    Features,
    Folds,
    Seed,
    Augment,
    Device,
}

impl Field {
    pub const ALL: [Field; 6] =
        [Field::Model, Field::Features, Field::Folds, Field::Seed, Field::Augment, Field::Device];

    pub fn name(self) -> &'static str {
        match self {
            Field::Model => "model",
            Field::Features => "features",
            Field::Folds => "folds",
            Field::Seed => "seed",
            Field::Augment => "augment",
            Field::Device => "device",
        }
    }
}

/// Cross-validation choices: none, or K folds.
const FOLDS: [Option<usize>; 4] = [None, Some(3), Some(5), Some(10)];

/// How the status line says a run is being launched.
pub const LAUNCHING: &str = "launching kindling";

pub struct Train {
    pub field: usize,
    /// Into `ModelKind::ALL`; one past its end is a sweep.
    model: usize,
    features: usize,
    /// `auto` and the featurizers that fit the project's kind of data.
    /// `auto`, the built-in featurizers that fit the data, then `encoder NAME` for each
    /// known pre-trained encoder that does.
    feature_names: Vec<String>,
    folds: usize,
    pub seed: u64,
    augment: bool,
    device: usize,
    /// Newest first.
    pub runs: Vec<RunSummary>,
    /// The run followed, by id.
    pub followed: Option<String>,
    pub events: Vec<Value>,
    /// Bytes of the followed run's events.jsonl read so far.
    events_read: u64,
    /// Runs known when a launch was asked for: the first new one is followed.
    launched_after: Option<HashSet<String>>,
    /// Seconds the pane has polled.
    ticks: u64,
    /// A detection project: the model is the detector, the features its encoder.
    pub detect: bool,
}

/// With nothing running, runs are listed every this many seconds.
const IDLE_LISTING: u64 = 5;

impl Train {
    pub fn new(kind: SourceKind) -> Train {
        let mut feature_names = vec!["auto".to_string()];
        feature_names.extend(
            Method::ALL.iter().filter(|m| Method::choose(m.name(), kind).is_ok()).map(|m| m.name().to_string()),
        );
        let takes = match kind {
            SourceKind::Text => Some(kindling::encoders::Input::Texts),
            SourceKind::Images => Some(kindling::encoders::Input::Images),
            _ => None,
        };
        feature_names.extend(
            kindling::encoders::catalog::KNOWN
                .iter()
                .filter(|k| Some(k.input) == takes)
                .map(|k| format!("{}{}", super::launch::ENCODER_PREFIX, k.name)),
        );
        Train {
            field: 0,
            model: ModelKind::ALL.iter().position(|m| *m == ModelKind::Logistic).unwrap_or(0),
            features: 0,
            feature_names,
            folds: 0,
            seed: 0,
            augment: true,
            device: 0,
            runs: Vec::new(),
            followed: None,
            events: Vec::new(),
            events_read: 0,
            launched_after: None,
            ticks: 0,
            detect: false,
        }
    }

    /// A detection project: the detector, on the default encoder (`auto`) or a named one.
    pub fn for_boxes(&mut self) {
        self.detect = true;
        self.feature_names.retain(|f| f == "auto" || f.starts_with(super::launch::ENCODER_PREFIX));
        self.features = 0;
    }

    /// `:train MODEL` chooses the model before launching.
    pub fn set_model(&mut self, model: ModelKind) {
        self.model = ModelKind::ALL.iter().position(|m| *m == model).unwrap_or(self.model);
    }

    pub fn launch(&self) -> Launch {
        Launch {
            model: ModelKind::ALL.get(self.model).copied(),
            features: self.feature_names[self.features].to_string(),
            folds: FOLDS[self.folds],
            seed: self.seed,
            augment: self.augment,
            device: Device::offered()[self.device],
            detector: self.detect,
        }
    }

    /// The value shown for a setting.
    pub fn value(&self, field: Field) -> String {
        let launch = self.launch();
        match field {
            Field::Model if self.detect => "detector (boxes)".into(),
            Field::Model => launch.model.map_or("sweep (every baseline)", |m| m.name()).into(),
            Field::Features => launch.features,
            Field::Folds => launch.folds.map_or("none".into(), |k| k.to_string()),
            Field::Seed => launch.seed.to_string(),
            Field::Augment if launch.augment => "on".into(),
            Field::Augment => "off".into(),
            Field::Device if cfg!(feature = "torch") => launch.device.name().into(),
            Field::Device => "cpu".into(),
        }
    }

    pub fn followed_run(&self) -> Option<&RunSummary> {
        self.runs.iter().find(|r| Some(&r.id) == self.followed.as_ref())
    }

    /// Work to do each second while the pane is open: list the runs (every few seconds
    /// when nothing is running or being launched), and read the followed run's events until
    /// they say how it ended.
    pub fn poll(&mut self) -> Vec<Job> {
        self.ticks += 1;
        let busy = self.launched_after.is_some() || self.runs.iter().any(|r| r.status == "running");
        let mut jobs = Vec::new();
        if busy || self.ticks % IDLE_LISTING == 1 {
            jobs.push(Job::Runs);
        }
        if let Some(id) = self.followed.as_ref().filter(|_| !self.followed_ended()) {
            jobs.push(Job::Events { id: id.clone(), from: self.events_read });
        }
        jobs
    }

    /// Whether the followed run's events say how it ended.
    fn followed_ended(&self) -> bool {
        self.events.iter().rev().any(ends_run)
    }

    pub fn runs_arrived(&mut self, mut runs: Vec<RunSummary>) {
        runs.reverse();
        if let Some(known) = &self.launched_after
            && let Some(new) = runs.iter().find(|r| !known.contains(&r.id))
        {
            let id = new.id.clone();
            self.launched_after = None;
            self.follow(id);
        }
        // A sweep's next run takes over from the one that just ended.
        let ended = |id: &String| runs.iter().any(|r| r.id == *id && r.status != "running");
        if self.followed.as_ref().is_some_and(ended)
            && self.runs.iter().any(|r| Some(&r.id) == self.followed.as_ref() && r.status == "running")
            && let Some(next) = runs.iter().find(|r| r.status == "running")
        {
            let id = next.id.clone();
            self.follow(id);
        }
        // Follow the newest run still running, else the newest, unless one was chosen.
        if self.followed.as_ref().is_none_or(|id| !runs.iter().any(|r| r.id == *id)) {
            let pick = runs.iter().find(|r| r.status == "running").or(runs.first());
            match pick.map(|r| r.id.clone()) {
                Some(id) => self.follow(id),
                None => self.followed = None,
            }
        }
        self.runs = runs;
    }

    /// Follows run `id` from its first event.
    fn follow(&mut self, id: String) {
        if self.followed.as_ref() != Some(&id) {
            self.followed = Some(id);
            self.events.clear();
            self.events_read = 0;
        }
    }

    /// Events of run `id` read from byte `from` up to byte `to`; ignored unless they carry on
    /// exactly where the pane's copy ends (an answer may come late or twice).
    pub fn events_arrived(&mut self, id: String, from: u64, events: Vec<Value>, to: u64) {
        if self.followed.as_ref() == Some(&id) && from == self.events_read {
            self.events.extend(events);
            self.events_read = to;
        }
    }

    /// A launch was asked for: the next new run is the one to follow.
    pub fn launched(&mut self) {
        self.launched_after = Some(self.runs.iter().map(|r| r.id.clone()).collect());
    }

    /// Steps a setting to its next (or previous) value; says why when it cannot change.
    fn change(&mut self, field: Field, forward: bool, cx: &mut Cx) {
        let step = |i: usize, n: usize| if forward { (i + 1) % n } else { (i + n - 1) % n };
        match field {
            Field::Model if self.detect => {}
            Field::Model => self.model = step(self.model, ModelKind::ALL.len() + 1),
            Field::Features => self.features = step(self.features, self.feature_names.len()),
            Field::Folds => self.folds = step(self.folds, FOLDS.len()),
            Field::Seed if forward => self.seed = self.seed.saturating_add(1),
            Field::Seed => self.seed = self.seed.saturating_sub(1),
            Field::Augment => self.augment = !self.augment,
            Field::Device if cfg!(feature = "torch") => self.device = step(self.device, Device::offered().len()),
            Field::Device => cx.say("only the CPU here: GPU models come with a build with --features torch"),
        }
    }
}

impl Component for Train {
    fn act(&mut self, action: Action, cx: &mut Cx) -> bool {
        match action {
            Action::Open => {
                let launch = self.launch();
                cx.say(format!("{LAUNCHING} {} {}", launch.command(), launch.args().join(" ")));
                cx.jobs.push(Job::Launch(launch));
                self.launched();
            }
            Action::CancelRun => match self.followed_run() {
                Some(run) if run.status == "running" && run.pid.is_some() => {
                    cx.say(format!("cancelling run {}…", run.id));
                    cx.jobs.push(Job::Cancel { pid: run.pid.unwrap_or_default() });
                }
                Some(run) => cx.say(format!("run {} is {}: nothing to cancel", run.id, run.status)),
                None => cx.say("no run to cancel"),
            },
            Action::Up => self.field = self.field.saturating_sub(1),
            Action::Down => self.field = (self.field + 1).min(Field::ALL.len() - 1),
            Action::Left | Action::Right => self.change(Field::ALL[self.field], action == Action::Right, cx),
            Action::PageUp | Action::PageDown => {
                let at = self.runs.iter().position(|r| Some(&r.id) == self.followed.as_ref()).unwrap_or(0);
                let to = if action == Action::PageDown { at + 1 } else { at.saturating_sub(1) };
                if let Some(id) = self.runs.get(to.min(self.runs.len().saturating_sub(1))).map(|r| r.id.clone()) {
                    self.follow(id);
                }
            }
            _ => {}
        }
        true
    }

    fn request_jobs(&mut self, _cx: &mut Cx) {}

    fn render(&mut self, f: &mut ratatui::Frame, area: ratatui::layout::Rect, shared: &Shared, theme: Theme) {
        super::train_view::render(f, self, shared.transforms_on, theme, area);
    }

    /// The followed run's record and events are read again once a second.
    fn tick(&mut self, cx: &mut Cx) -> bool {
        cx.jobs.extend(self.poll());
        true
    }

    fn describe(&self, action: Action) -> Option<&'static str> {
        Some(match action {
            Action::Up => "previous setting",
            Action::Down => "next setting",
            Action::Left => "setting: previous value",
            Action::Right => "setting: next value",
            Action::PageUp => "follow a newer run",
            Action::PageDown => "follow an older run",
            Action::Open => "launch a run",
            _ => return None,
        })
    }
}

/// Whether an event says how a run ended.
fn ends_run(event: &Value) -> bool {
    matches!(event["event"].as_str(), Some("finished" | "failed" | "cancelled"))
}

/// Where the followed run is, from its events.
#[derive(Debug, Default, PartialEq)]
pub struct Status {
    pub stage: Option<String>,
    /// (done, total) of the stage, when it counts steps.
    pub progress: Option<(u64, u64)>,
    /// Seconds from the stage's start to its latest progress event.
    pub stage_seconds: f64,
    /// The loss curve of the fit in progress (or the last one).
    pub loss: Vec<(f64, f64)>,
    /// The event that ended the run: finished, failed or cancelled.
    pub end: Option<Value>,
}

impl Status {
    pub fn from_events(events: &[Value]) -> Status {
        let time = |e: &Value| e["time"].as_str().and_then(kindling::runs::clock::parse_iso);
        let mut status = Status::default();
        let mut stage_start = None;
        for e in events {
            match e["event"].as_str() {
                Some("stage") => {
                    status.stage = e["stage"].as_str().map(str::to_string);
                    status.progress = e["total"].as_u64().map(|t| (0, t));
                    stage_start = time(e);
                    status.stage_seconds = 0.0;
                }
                Some("progress") => {
                    if let (Some(done), Some(total)) = (e["done"].as_u64(), e["total"].as_u64()) {
                        status.progress = Some((done, total));
                    }
                    if let (Some(start), Some(now)) = (stage_start, time(e)) {
                        status.stage_seconds = now - start;
                    }
                }
                _ if ends_run(e) => status.end = Some(e.clone()),
                _ => {}
            }
        }
        status.loss = kindling::runs::events::loss_curves(events).pop().unwrap_or_default();
        status
    }

    /// Seconds left in the stage, from its pace so far.
    pub fn eta(&self) -> Option<f64> {
        let (done, total) = self.progress?;
        (done > 0 && self.stage_seconds > 0.0)
            .then(|| self.stage_seconds / done as f64 * (total - done.min(total)) as f64)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::tui::component::{Effect, in_cx};
    use serde_json::json;

    /// What the pane says to an action.
    fn act(t: &mut Train, action: Action) -> Vec<Effect> {
        in_cx(SourceKind::Text, |cx| Component::act(t, action, cx)).2
    }

    #[test]
    fn a_detection_project_trains_the_detector_on_the_default_or_a_named_image_encoder() {
        let mut t = Train::new(SourceKind::Images);
        t.for_boxes();
        assert_eq!(t.value(Field::Model), "detector (boxes)");
        act(&mut t, Action::Right);
        assert_eq!(t.value(Field::Model), "detector (boxes)", "no other model to pick");
        assert_eq!(t.launch().command(), "train");
        assert_eq!(t.launch().args().join(" "), "--model detector --seed 0");
        t.field = 1;
        act(&mut t, Action::Right);
        assert_eq!(t.value(Field::Features), "encoder tf_efficientnet_lite0", "no pixels or hog for boxes");
        assert_eq!(t.launch().args().join(" "), "--model detector --seed 0 --encoder tf_efficientnet_lite0");
    }

    #[test]
    fn settings_cycle_and_become_train_arguments() {
        let mut t = Train::new(SourceKind::Text);
        assert_eq!(t.value(Field::Features), "auto");
        t.field = 1;
        act(&mut t, Action::Right);
        assert_eq!(t.value(Field::Features), "tfidf", "only featurizers for texts are offered");
        act(&mut t, Action::Right);
        assert_eq!(t.value(Field::Features), "encoder all-MiniLM-L6-v2", "then the text encoders");
        act(&mut t, Action::Left);
        act(&mut t, Action::Left);
        assert_eq!(t.value(Field::Features), "auto");
        t.field = 2;
        act(&mut t, Action::Right);
        act(&mut t, Action::Right);
        t.field = 3;
        act(&mut t, Action::Right);
        assert!(act(&mut t, Action::Down).is_empty());
        assert!(act(&mut t, Action::Right).is_empty());
        assert_eq!(t.value(Field::Augment), "off");
        let args = t.launch().args().join(" ");
        assert_eq!(args, "--model logistic --features auto --seed 1 --folds 5 --no-augment");
        act(&mut t, Action::Down);
        if cfg!(feature = "torch") {
            act(&mut t, Action::Right);
            assert!(t.launch().args().join(" ").ends_with("--device cpu"));
        } else {
            assert!(!act(&mut t, Action::Right).is_empty(), "the device cannot change in a CPU build, and says why");
        }
    }

    /// A run of the list as `kindling runs` gives it, with nothing but an id and a status.
    pub(crate) fn run(id: &str, status: &str) -> RunSummary {
        RunSummary {
            id: id.into(),
            status: status.into(),
            pid: None,
            model: "knn".into(),
            features: "auto".into(),
            started: String::new(),
            seconds: None,
            labelled: 0,
            data: String::new(),
            accuracy: None,
            macro_f1: None,
            error: None,
            sweep: None,
            cv_accuracy: None,
            cv_macro_f1: None,
        }
    }

    #[test]
    fn a_launched_run_is_followed_once_it_appears() {
        let mut t = Train::new(SourceKind::Images);
        t.runs_arrived(vec![run("a", "finished"), run("b", "running")]);
        assert_eq!(t.followed.as_deref(), Some("b"), "the running run first");
        t.launched();
        t.runs_arrived(vec![run("a", "finished"), run("b", "finished"), run("c", "finished")]);
        assert_eq!(t.followed.as_deref(), Some("c"));
        act(&mut t, Action::PageDown);
        assert_eq!(t.followed.as_deref(), Some("b"));
        // A sweep: when the followed run ends while the next one runs, the next is followed.
        t.runs_arrived(vec![run("d", "running")]);
        assert_eq!(t.followed.as_deref(), Some("d"));
        t.runs_arrived(vec![run("d", "finished"), run("e", "running")]);
        assert_eq!(t.followed.as_deref(), Some("e"));
    }

    #[test]
    fn the_model_field_offers_a_sweep_of_every_baseline() {
        let mut t = Train::new(SourceKind::Table);
        t.field = 0;
        while t.launch().model.is_some() {
            act(&mut t, Action::Right);
        }
        assert_eq!(t.value(Field::Model), "sweep (every baseline)");
        assert_eq!(t.launch().command(), "sweep");
        assert_eq!(t.launch().args().join(" "), "--features auto --folds 5 --seed 0");
        act(&mut t, Action::Right);
        assert_eq!(t.launch().model, Some(ModelKind::ALL[0]), "and round again");
    }

    #[test]
    fn the_features_field_offers_the_encoders_that_fit_the_data() {
        let mut t = Train::new(SourceKind::Text);
        t.field = Field::ALL.iter().position(|f| *f == Field::Features).unwrap();
        let mut seen = Vec::new();
        for _ in 0..t.feature_names.len() {
            seen.push(t.value(Field::Features));
            act(&mut t, Action::Right);
        }
        assert!(
            seen.contains(&"tfidf".to_string()) && seen.contains(&"encoder all-MiniLM-L6-v2".to_string()),
            "{seen:?}"
        );
        assert!(!seen.iter().any(|f| f.contains("efficientnet")), "no image encoder for texts: {seen:?}");
        t.features = t.feature_names.iter().position(|f| f == "encoder bge-small-en-v1.5").unwrap();
        assert_eq!(t.launch().args().join(" "), "--model logistic --encoder bge-small-en-v1.5 --seed 0");
        let images = Train::new(SourceKind::Images);
        assert!(images.feature_names.contains(&"encoder tf_efficientnet_lite0".to_string()));
        assert!(!Train::new(SourceKind::Table).feature_names.iter().any(|f| f.starts_with("encoder")));
    }

    #[test]
    fn status_reads_stage_progress_eta_and_the_end() {
        let events = vec![
            json!({"time": "2026-11-22T09:00:00Z", "event": "stage", "stage": "fitting", "total": 100}),
            json!({"time": "2026-11-22T09:00:10Z", "event": "progress", "done": 25, "total": 100}),
            json!({"time": "2026-11-22T09:00:10Z", "event": "loss", "step": 1, "loss": 0.7}),
            json!({"time": "2026-11-22T09:00:10Z", "event": "loss", "step": 2, "loss": 0.5}),
        ];
        let s = Status::from_events(&events);
        assert_eq!(s.stage.as_deref(), Some("fitting"));
        assert_eq!(s.progress, Some((25, 100)));
        assert_eq!(s.eta(), Some(30.0));
        assert_eq!(s.loss, vec![(1.0, 0.7), (2.0, 0.5)]);
        assert!(s.end.is_none());
        let mut ended = events.clone();
        ended.push(json!({"time": "2026-11-22T09:00:40Z", "event": "cancelled"}));
        assert_eq!(Status::from_events(&ended).end.unwrap()["event"], "cancelled");
    }
}
