//! The Results pane's state: the runs, the one selected (and one to compare it with), its
//! metrics and confusion matrix, the cell under the cursor and that cell's samples. Runs are
//! listed again each time the pane is entered, so runs started elsewhere appear.

use std::collections::{HashMap, HashSet};

use kindling::runs::{RunDetail, RunSummary};

use super::component::{Component, Cx, Effect, Shared};
use super::job::Job;
use super::keys::Action;
use super::theme::Theme;

#[derive(Default)]
pub struct Results {
    /// Newest first; `None` until listed.
    pub runs: Option<Result<Vec<RunSummary>, String>>,
    pub selected: usize,
    /// (given row, predicted column) of the confusion matrix.
    pub cell: (usize, usize),
    /// The cursor in the open cell's list of samples.
    pub list: Option<usize>,
    /// The run the selected one is compared with.
    pub baseline: Option<String>,
    /// Details read so far, by run id (a finished run does not change).
    details: HashMap<String, Result<Box<RunDetail>, String>>,
    asked: HashSet<String>,
    listed: bool,
}

impl Results {
    /// Forget the list (and details that could not be read), so that entering the pane
    /// lists the runs again.
    pub fn refresh(&mut self) {
        self.listed = false;
        self.details.retain(|_, d| d.is_ok());
        self.asked.retain(|id| self.details.contains_key(id));
    }

    pub fn jobs(&mut self) -> Vec<Job> {
        let mut jobs = Vec::new();
        if !self.listed {
            self.listed = true;
            jobs.push(Job::Runs);
        }
        let selected = self.selected_run().filter(|r| r.status == "finished").map(|r| r.id.clone());
        for id in selected.into_iter().chain(self.baseline.clone()) {
            if self.asked.insert(id.clone()) {
                jobs.push(Job::RunDetail { id });
            }
        }
        jobs
    }

    /// The selection stays on the run it was on, unless that was the newest: then it moves
    /// to the new newest run.
    pub fn runs_arrived(&mut self, result: Result<Vec<RunSummary>, String>) {
        let keep = self.selected_run().filter(|_| self.selected > 0).map(|r| r.id.clone());
        let result = result.map(|mut runs| {
            runs.reverse();
            by_sweep(runs)
        });
        self.runs = Some(result);
        self.selected = keep.and_then(|id| self.list().iter().position(|r| r.id == id)).unwrap_or(0);
    }

    pub fn detail_arrived(&mut self, id: String, result: Result<Box<RunDetail>, String>) {
        self.details.insert(id, result);
        let n = self.classes();
        self.cell = (self.cell.0.min(n.saturating_sub(1)), self.cell.1.min(n.saturating_sub(1)));
    }

    fn list(&self) -> &[RunSummary] {
        match &self.runs {
            Some(Ok(runs)) => runs,
            _ => &[],
        }
    }

    pub fn selected_run(&self) -> Option<&RunSummary> {
        self.list().get(self.selected)
    }

    /// The detail of the selected run, once it has arrived.
    pub fn current(&self) -> Option<&Result<Box<RunDetail>, String>> {
        self.details.get(&self.selected_run()?.id)
    }

    /// The run the selected one is compared with, when it is another run.
    pub fn compared(&self) -> Option<&RunDetail> {
        let id = self.baseline.as_ref().filter(|id| Some(*id) != self.selected_run().map(|r| &r.id))?;
        self.details.get(id)?.as_ref().ok().map(|d| d.as_ref())
    }

    fn detail_ok(&self) -> Option<&RunDetail> {
        self.current()?.as_ref().ok().map(|d| d.as_ref())
    }

    fn classes(&self) -> usize {
        self.detail_ok().map_or(0, |d| d.drill.matrix.classes.len())
    }

    /// The samples in the cell under the cursor.
    pub fn cell_samples(&self) -> Vec<&kindling::runs::Scored> {
        self.detail_ok().map(|d| d.drill.cell(self.cell.0, self.cell.1)).unwrap_or_default()
    }

    /// Acts on an action; what it asks of the workbench, if anything.
    pub fn act(&mut self, action: Action) -> Option<Effect> {
        let (runs, n) = (self.list().len(), self.classes());
        let last = |k: usize| k.saturating_sub(1);
        match action {
            Action::PageDown => self.select((self.selected + 1).min(last(runs))),
            Action::PageUp => self.select(self.selected.saturating_sub(1)),
            Action::Top => self.select(0),
            Action::Bottom => self.select(last(runs)),
            Action::Up if self.list.is_some() => self.list = self.list.map(|i| i.saturating_sub(1)),
            Action::Down if self.list.is_some() => {
                let len = self.cell_samples().len();
                self.list = self.list.map(|i| (i + 1).min(last(len)));
            }
            Action::Up => self.cell.0 = self.cell.0.saturating_sub(1),
            Action::Down => self.cell.0 = (self.cell.0 + 1).min(last(n)),
            Action::Left => self.move_column(self.cell.1.saturating_sub(1)),
            Action::Right => self.move_column((self.cell.1 + 1).min(last(n))),
            Action::Back => self.list = None,
            Action::Open => return self.open(),
            Action::Compare => return self.compare(),
            Action::LabelIssues => return self.issues(),
            _ => {}
        }
        None
    }

    fn select(&mut self, i: usize) {
        if i != self.selected {
            self.list = None;
        }
        self.selected = i;
    }

    fn move_column(&mut self, column: usize) {
        self.cell.1 = column;
        self.list = self.list.map(|_| 0);
    }

    /// Enter: the cell's samples, then the sample under the cursor in the Label pane.
    fn open(&mut self) -> Option<Effect> {
        let samples = self.cell_samples();
        let d = self.detail_ok()?;
        if samples.is_empty() {
            let why = d.drill.problem.clone().unwrap_or_else(|| "no samples in this cell".into());
            return Some(Effect::Say(why));
        }
        let Some(at) = self.list else {
            self.list = Some(0);
            return None;
        };
        let classes = &d.drill.matrix.classes;
        let (given, predicted) = (&classes[self.cell.0], &classes[self.cell.1]);
        let notes = samples
            .iter()
            .map(|s| (s.id.clone(), format!("run said {predicted} ({:.2}); given {given}", s.confidence)))
            .collect();
        Some(Effect::Review {
            title: format!("given {given} → predicted {predicted}"),
            ids: samples.iter().map(|s| s.id.clone()).collect(),
            notes,
            focus: samples.get(at).map(|s| s.id.clone()),
        })
    }

    /// `m`: compare other runs with this one (again: stop comparing).
    fn compare(&mut self) -> Option<Effect> {
        let Some(run) = self.selected_run().filter(|r| r.status == "finished") else {
            return Some(Effect::Say("only finished runs can be compared".into()));
        };
        if self.baseline.as_ref() == Some(&run.id) {
            self.baseline = None;
            return Some(Effect::Say("no longer comparing".into()));
        }
        let id = run.id.clone();
        self.baseline = Some(id.clone());
        Some(Effect::Say(format!("comparing other runs with {id}: PgUp/PgDn to pick one")))
    }

    /// `i`: the run's suspected label errors in the Label pane.
    fn issues(&self) -> Option<Effect> {
        let d = self.detail_ok()?;
        let Some(issues) = &d.issues else {
            return Some(Effect::Say(format!(
                "label issues need out-of-fold predictions: train with --folds 5 (`kindling train DIR --model {} --folds 5`)",
                d.record.model
            )));
        };
        if issues.is_empty() {
            return Some(Effect::Say("no suspected label errors in this run".into()));
        }
        let notes = issues
            .iter()
            .map(|i| {
                let note = format!("suspect: given {}, maybe {} (p {:.2})", i.given, i.suggested, i.self_confidence);
                (i.id.clone(), note)
            })
            .collect();
        Some(Effect::Review {
            title: format!("{} suspected label errors", issues.len()),
            ids: issues.iter().map(|i| i.id.clone()).collect(),
            notes,
            focus: None,
        })
    }
}

/// Newest first, except that a sweep's runs stand together where its newest run is, as
/// its leaderboard: finished runs by fold accuracy, best first, then the others.
fn by_sweep(runs: Vec<RunSummary>) -> Vec<RunSummary> {
    let mut out: Vec<RunSummary> = Vec::with_capacity(runs.len());
    let mut groups: HashMap<String, Vec<RunSummary>> = HashMap::new();
    let mut order: Vec<Option<String>> = Vec::new();
    let mut loose = Vec::new();
    for run in runs {
        match run.sweep.clone() {
            Some(id) => {
                if !groups.contains_key(&id) {
                    order.push(Some(id.clone()));
                }
                groups.entry(id).or_default().push(run);
            }
            None => {
                order.push(None);
                loose.push(run);
            }
        }
    }
    let mut loose = loose.into_iter();
    for slot in order {
        match slot {
            None => out.extend(loose.next()),
            Some(id) => {
                let mut group = groups.remove(&id).unwrap_or_default();
                let score = |r: &RunSummary| r.cv_accuracy.map(|(mean, _)| mean).filter(|_| r.status == "finished");
                group.sort_by(|a, b| score(b).unwrap_or(-1.0).total_cmp(&score(a).unwrap_or(-1.0)));
                out.extend(group);
            }
        }
    }
    out
}

/// Where each run stands in its sweep's leaderboard (1 the best), by position in `runs`.
/// The sweeps whose runs used more than one featurizer.
pub fn sweeps_of_several_featurizers(runs: &[RunSummary]) -> std::collections::HashSet<&str> {
    let mut first: HashMap<&str, &str> = HashMap::new();
    let mut mixed = std::collections::HashSet::new();
    for r in runs {
        if let Some(sweep) = r.sweep.as_deref()
            && *first.entry(sweep).or_insert(&r.features) != r.features
        {
            mixed.insert(sweep);
        }
    }
    mixed
}

pub fn ranks(runs: &[RunSummary]) -> Vec<Option<usize>> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    runs.iter()
        .map(|r| {
            let id = r.sweep.as_deref()?;
            let rank = seen.entry(id).or_insert(0);
            *rank += 1;
            Some(*rank)
        })
        .collect()
}

impl Component for Results {
    fn act(&mut self, action: Action, cx: &mut Cx) -> bool {
        if action == Action::ExportReport {
            match self.selected_run() {
                Some(run) if run.status == "finished" => {
                    cx.jobs.push(Job::RunReport(run.id.clone()));
                    cx.say(format!("writing the report of run {}…", run.id));
                }
                _ => cx.say("only a finished run has a report"),
            }
            return true;
        }
        cx.effects.extend(Results::act(self, action));
        true
    }

    fn request_jobs(&mut self, cx: &mut Cx) {
        cx.jobs.extend(self.jobs());
    }

    fn render(&mut self, f: &mut ratatui::Frame, area: ratatui::layout::Rect, _shared: &Shared, theme: Theme) {
        super::results_view::render(f, self, theme, area);
    }

    /// Runs from the command line appear: they are listed again each time the pane opens.
    fn enter(&mut self, _cx: &mut Cx) {
        self.refresh();
    }

    fn describe(&self, action: Action) -> Option<&'static str> {
        Some(match action {
            Action::Up => "matrix: row up",
            Action::Down => "matrix: row down",
            Action::Left => "matrix: column left",
            Action::Right => "matrix: column right",
            Action::PageUp => "newer run (in a sweep: the better one)",
            Action::PageDown => "older run (in a sweep: the next on its leaderboard)",
            Action::Top => "newest run",
            Action::Bottom => "oldest run",
            Action::Open => "open the cell / the sample",
            _ => return None,
        })
    }
}
