//! The Results pane's state: the runs, the one selected, its metrics and confusion matrix,
//! and the cell under the cursor. Runs are listed again each time the pane is entered, so
//! runs started elsewhere appear.

use kindling::runs::{RunDetail, RunSummary};

use super::app::Job;
use super::keys::Action;

#[derive(Default)]
pub struct Results {
    /// Newest first; `None` until listed.
    pub runs: Option<Result<Vec<RunSummary>, String>>,
    pub selected: usize,
    /// The detail of a run, by id.
    pub detail: Option<(String, Result<Box<RunDetail>, String>)>,
    /// (given row, predicted column) of the confusion matrix.
    pub cell: (usize, usize),
    listed: bool,
    asked: Option<String>,
}

impl Results {
    /// Forget the list, so that entering the pane lists the runs again.
    pub fn refresh(&mut self) {
        self.listed = false;
    }

    pub fn jobs(&mut self) -> Vec<Job> {
        let mut jobs = Vec::new();
        if !self.listed {
            self.listed = true;
            jobs.push(Job::Runs);
        }
        let wanted = self.selected_run().filter(|r| r.status == "finished").map(|r| r.id.clone());
        if let Some(id) = wanted
            && self.asked.as_ref() != Some(&id)
        {
            self.asked = Some(id.clone());
            jobs.push(Job::RunDetail { id });
        }
        jobs
    }

    pub fn runs_arrived(&mut self, result: Result<Vec<RunSummary>, String>) {
        let keep = self.selected_run().map(|r| r.id.clone());
        let result = result.map(|mut runs| {
            runs.reverse();
            runs
        });
        self.runs = Some(result);
        self.selected = keep.and_then(|id| self.list().iter().position(|r| r.id == id)).unwrap_or(0);
    }

    pub fn detail_arrived(&mut self, id: String, result: Result<Box<RunDetail>, String>) {
        self.detail = Some((id, result));
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
        let (id, detail) = self.detail.as_ref()?;
        (Some(id) == self.selected_run().map(|r| &r.id)).then_some(detail)
    }

    fn classes(&self) -> usize {
        match self.current() {
            Some(Ok(d)) => d.confusion.classes.len(),
            _ => 0,
        }
    }

    pub fn act(&mut self, action: Action) {
        let (runs, n) = (self.list().len(), self.classes());
        let last = |k: usize| k.saturating_sub(1);
        match action {
            Action::PageDown => self.selected = (self.selected + 1).min(last(runs)),
            Action::PageUp => self.selected = self.selected.saturating_sub(1),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = last(runs),
            Action::Up => self.cell.0 = self.cell.0.saturating_sub(1),
            Action::Down => self.cell.0 = (self.cell.0 + 1).min(last(n)),
            Action::Left => self.cell.1 = self.cell.1.saturating_sub(1),
            Action::Right => self.cell.1 = (self.cell.1 + 1).min(last(n)),
            _ => {}
        }
    }
}
