//! The Report view of the Browse pane: the data readiness report, computed in the
//! background each time it is opened, scrolled with the usual keys.

use kindling::readiness::Report;

use super::job::Job;
use super::keys::Action;

#[derive(Default)]
pub struct ReportView {
    pub open: bool,
    /// `None` while the report is being made.
    pub result: Option<Result<Report, String>>,
    /// First line shown.
    pub scroll: usize,
}

impl ReportView {
    /// Opens (asking for a fresh report) or closes the view.
    pub fn toggle(&mut self, jobs: &mut Vec<Job>) {
        self.open = !self.open;
        if self.open {
            self.result = None;
            self.scroll = 0;
            jobs.push(Job::Report);
        }
    }

    /// Scrolls by an action; false for actions the view does not use.
    pub fn scroll_by(&mut self, action: Action) -> bool {
        self.scroll = match action {
            Action::Up => self.scroll.saturating_sub(1),
            Action::Down => self.scroll + 1,
            Action::PageUp => self.scroll.saturating_sub(10),
            Action::PageDown => self.scroll + 10,
            Action::Top => 0,
            Action::Bottom => usize::MAX,
            _ => return false,
        }
        .min(self.lines().saturating_sub(1));
        true
    }

    /// How many lines the report takes (before wrapping).
    pub fn lines(&self) -> usize {
        match &self.result {
            Some(Ok(r)) => {
                let findings: usize = r.findings.iter().map(|f| 2 + usize::from(!f.examples.is_empty())).sum();
                3 + findings.max(1) + r.profile.len()
            }
            _ => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling::readiness::{Check, Finding, Severity};

    #[test]
    fn opening_asks_for_a_report_and_scrolling_stays_inside_it() {
        let mut view = ReportView::default();
        let mut jobs = Vec::new();
        view.toggle(&mut jobs);
        assert!(view.open && matches!(jobs.as_slice(), [Job::Report]));
        assert!(!view.scroll_by(Action::Sort));
        let finding = Finding::new(Check::Duplicates, Severity::Warning, 2, "copies").examples(["a".to_string()]);
        view.result = Some(Ok(Report { band: "A".into(), findings: vec![finding; 4], profile: Vec::new() }));
        view.scroll_by(Action::Bottom);
        assert_eq!(view.scroll, view.lines() - 1);
        view.scroll_by(Action::Up);
        assert_eq!(view.scroll, view.lines() - 2);
        view.toggle(&mut jobs);
        assert!(!view.open && jobs.len() == 1, "closing asks for nothing");
    }
}
