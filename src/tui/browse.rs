//! The Browse pane's state: a cursor over all samples, the visible page, and a window of
//! rows fetched in the background around it. Only that window is ever held in memory.

use kindling::data::preview::Preview;
use kindling::data::query::Query;
use kindling::data::summary::ColumnSummary;
use kindling::project::config::SourceKind;
use kindling::project::samples::{SampleRow, TableColumn};
use ratatui_image::protocol::StatefulProtocol;

use super::job::Job;
use super::keys::Action;
use super::thumbs::Thumbs;
use super::viewport::top_following;

/// Rows fetched beyond each edge of the visible page, so that scrolling rarely waits.
const BUFFER: usize = 200;

pub struct Browse {
    pub kind: SourceKind,
    /// Number of samples; `None` while counting.
    pub total: Option<usize>,
    /// While counting: the rows counted so far (a CSV file's row index being built).
    pub counted: Option<usize>,
    /// `G` was pressed before the count was known: go to the end once it is.
    bottom_pending: bool,
    pub cursor: usize,
    pub top: usize,
    /// Rows that fit on screen, as last drawn.
    pub page: usize,
    /// First table column shown (horizontal scroll); it is the selected one.
    pub first_column: usize,
    /// Table columns drawn, as last drawn (from `first_column` on).
    pub columns_shown: usize,
    pub columns: Vec<TableColumn>,
    /// Filter and sort of a table view.
    pub query: Query,
    /// Bumped whenever the query changes, so that results for an older one are dropped.
    pub generation: u64,
    count_asked: bool,
    /// Requests up to this one were made for an older query.
    reset_request: u64,
    /// The last `/` search, for `n` and `N`.
    pub search: Option<String>,
    /// Whether the column summary is shown, and the latest one.
    pub summary_open: bool,
    pub summary: Option<(u64, String, Result<ColumnSummary, String>)>,
    summary_asked: Option<(u64, String)>,
    window_offset: usize,
    window: Vec<SampleRow>,
    next_request: u64,
    pending: Option<Pending>,
    /// The preview of the selected file sample, or why it failed.
    pub preview: Option<(String, Result<Preview, String>)>,
    /// The selected image, encoded for the terminal.
    pub image: Option<StatefulProtocol>,
    /// Images as a grid of thumbnails instead of a list.
    pub grid: bool,
    /// Samples per screen row: 1 for lists and tables, the grid's width otherwise.
    pub per_row: usize,
    preview_asked: Option<String>,
}

#[derive(Debug, Clone, Copy)]
struct Pending {
    request: u64,
    offset: usize,
    len: usize,
}

impl Browse {
    pub fn new(kind: SourceKind) -> Browse {
        Browse {
            kind,
            total: None,
            counted: None,
            bottom_pending: false,
            cursor: 0,
            top: 0,
            page: 20,
            first_column: 0,
            columns_shown: 0,
            columns: Vec::new(),
            query: Query::default(),
            generation: 0,
            count_asked: false,
            reset_request: 0,
            search: None,
            summary_open: false,
            summary: None,
            summary_asked: None,
            window_offset: 0,
            window: Vec::new(),
            next_request: 0,
            pending: None,
            preview: None,
            image: None,
            grid: false,
            per_row: 1,
            preview_asked: None,
        }
    }

    /// The last row index the cursor may take.
    fn last(&self) -> usize {
        match self.total {
            Some(n) => n.saturating_sub(1),
            None => (self.window_offset + self.window.len()).max(self.counted.unwrap_or(0)).saturating_sub(1),
        }
    }

    pub fn act(&mut self, action: Action) {
        let page = self.page.max(1);
        let row = self.per_row.max(1);
        self.bottom_pending = action == Action::Bottom && self.total.is_none();
        match action {
            Action::Up => self.cursor = self.cursor.saturating_sub(row),
            Action::Down => self.cursor = (self.cursor + row).min(self.last()),
            Action::PageUp => self.cursor = self.cursor.saturating_sub(page),
            Action::PageDown => self.cursor = (self.cursor + page).min(self.last()),
            Action::Top => self.cursor = 0,
            Action::Bottom => self.cursor = self.last(),
            // In a grid, left and right move between neighbours; in a table they scroll columns.
            Action::Left if self.grid => self.cursor = self.cursor.saturating_sub(1),
            Action::Right if self.grid => self.cursor = (self.cursor + 1).min(self.last()),
            Action::Left => self.first_column = self.first_column.saturating_sub(1),
            Action::Right if self.first_column + 1 < self.columns.len() => self.first_column += 1,
            _ => {}
        }
        self.scroll_into_view();
    }

    /// Switches images between the list and the thumbnail grid.
    pub fn toggle_grid(&mut self) {
        self.grid = !self.grid;
        self.per_row = 1;
        self.top = self.cursor;
        self.scroll_into_view();
    }

    pub fn jump(&mut self, row: usize) {
        self.bottom_pending = false;
        self.cursor = row.min(self.last());
        self.scroll_into_view();
    }

    /// Moves the cursor to a row on screen (a mouse click on the `n`-th visible row).
    pub fn click(&mut self, n: usize) {
        self.cursor = (self.top + n).min(self.last());
    }

    pub fn set_page(&mut self, page: usize) {
        self.set_layout(page, 1);
    }

    /// The screen shows `page` samples, `per_row` to a row.
    pub fn set_layout(&mut self, page: usize, per_row: usize) {
        self.per_row = per_row.max(1);
        self.page = page.max(self.per_row);
        self.scroll_into_view();
    }

    /// Keeps the cursor's row on screen; `top` is always the first sample of a row.
    fn scroll_into_view(&mut self) {
        self.top = top_following(self.cursor, self.top, self.page, self.per_row);
    }

    /// Row `i`, if it has been fetched.
    pub fn row(&self, i: usize) -> Option<&SampleRow> {
        i.checked_sub(self.window_offset).and_then(|k| self.window.get(k))
    }

    pub fn selected(&self) -> Option<&SampleRow> {
        self.row(self.cursor)
    }

    /// Shows the rows `query` selects, in its order, from the top.
    pub fn set_query(&mut self, query: Query) {
        self.query = query;
        self.generation += 1;
        self.total = None;
        self.counted = None;
        self.bottom_pending = false;
        self.count_asked = false;
        self.cursor = 0;
        self.top = 0;
        self.window.clear();
        self.window_offset = 0;
        self.pending = None;
        self.reset_request = self.next_request;
    }

    /// The column sorting and the column summary apply to: the first one on screen.
    pub fn selected_column(&self) -> Option<&str> {
        self.columns.get(self.first_column).map(|c| c.name.as_str())
    }

    /// Sorts by the selected column: ascending, then descending, then unsorted.
    pub fn cycle_sort(&mut self) {
        let Some(column) = self.selected_column().map(str::to_string) else { return };
        let mut query = self.query.clone();
        query.sort = match &query.sort {
            Some((c, false)) if *c == column => Some((column, true)),
            Some((c, true)) if *c == column => None,
            _ => Some((column, false)),
        };
        self.set_query(query);
    }

    pub fn count_arrived(&mut self, generation: u64, total: usize) {
        if generation == self.generation {
            self.total = Some(total);
            self.counted = None;
            self.cursor = if std::mem::take(&mut self.bottom_pending) { total } else { self.cursor };
            self.cursor = self.cursor.min(total.saturating_sub(1));
            self.scroll_into_view();
        }
    }

    /// Rows counted so far, while the count goes on.
    pub fn counting(&mut self, generation: u64, rows: usize) {
        if generation == self.generation && self.total.is_none() {
            self.counted = Some(rows);
        }
    }

    /// Background work the current view needs: the count, rows not yet fetched, the
    /// selected preview.
    pub fn jobs(&mut self, thumbs: &mut Thumbs) -> Vec<Job> {
        let mut jobs = Vec::new();
        if !self.count_asked {
            self.count_asked = true;
            jobs.push(Job::Count { generation: self.generation, query: self.query.clone() });
        }
        let end = (self.top + self.page).min(self.total.unwrap_or(usize::MAX));
        let covered = |offset: usize, len: usize| self.top >= offset && end <= offset + len;
        let have = covered(self.window_offset, self.window.len());
        let asked = self.pending.is_some_and(|p| covered(p.offset, p.len));
        if self.top < end && !have && !asked {
            let offset = self.top.saturating_sub(BUFFER);
            let len = self.page + 2 * BUFFER;
            self.next_request += 1;
            self.pending = Some(Pending { request: self.next_request, offset, len });
            jobs.push(Job::Rows { request: self.next_request, offset, len, query: self.query.clone() });
        }
        if self.summary_open
            && let Some(column) = self.selected_column().map(str::to_string)
            && self.summary_asked.as_ref() != Some(&(self.generation, column.clone()))
        {
            self.summary_asked = Some((self.generation, column.clone()));
            jobs.push(Job::Summary { generation: self.generation, query: self.query.clone(), column });
        }
        if self.grid {
            let visible: Vec<String> =
                (self.top..self.top + self.page).filter_map(|i| self.row(i)).map(|r| r.id.clone()).collect();
            jobs.extend(thumbs.request(&visible));
        } else if self.kind != SourceKind::Table
            && let Some(id) = self.selected().filter(|r| r.values.is_empty()).map(|r| r.id.clone())
            && self.preview_asked.as_deref() != Some(&id)
        {
            self.preview_asked = Some(id.clone());
            jobs.push(Job::Preview { id });
        }
        jobs
    }

    pub fn window_arrived(&mut self, request: u64, offset: usize, columns: Vec<TableColumn>, rows: Vec<SampleRow>) {
        if self.pending.is_some_and(|p| p.request == request) {
            self.pending = None;
        }
        if request < self.next_request && self.pending.is_some() {
            return; // A newer request is on its way.
        }
        if request <= self.reset_request {
            return; // Rows of an older query.
        }
        self.window_offset = offset;
        self.window = rows;
        if self.columns.is_empty() {
            self.columns = columns;
        }
    }

    pub fn window_failed(&mut self, request: u64) {
        if self.pending.is_some_and(|p| p.request == request) {
            self.pending = None;
        }
    }

    pub fn wants_preview(&self, id: &str) -> bool {
        self.preview_asked.as_deref() == Some(id)
    }

    pub fn preview_arrived(&mut self, id: String, result: Result<Preview, String>) {
        if self.preview_asked.as_deref() == Some(&id) {
            self.image = None;
            self.preview = Some((id, result));
        }
    }

    /// The summary of the selected column, if it is the current one.
    pub fn current_summary(&self) -> Option<&Result<ColumnSummary, String>> {
        let (generation, column, summary) = self.summary.as_ref()?;
        (*generation == self.generation && Some(column.as_str()) == self.selected_column()).then_some(summary)
    }

    /// Is the window still being fetched for what is on screen?
    pub fn loading(&self) -> bool {
        self.pending.is_some()
    }

    /// Labels changed elsewhere: fetch the window again.
    pub fn refresh(&mut self) {
        self.window.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(names: &[&str]) -> Vec<TableColumn> {
        names.iter().map(|n| TableColumn { name: n.to_string(), float: false }).collect()
    }

    fn rows(offset: usize, n: usize) -> Vec<SampleRow> {
        (offset..offset + n)
            .map(|i| SampleRow { id: i.to_string(), label: None, values: vec![Some("v".into())] })
            .collect()
    }

    #[test]
    fn fetches_only_around_the_page_and_once() {
        let mut b = Browse::new(SourceKind::Table);
        b.total = Some(2_000_000);
        b.set_page(20);
        let jobs = b.jobs(&mut Thumbs::default());
        let count = Job::Count { generation: 0, query: Query::default() };
        assert_eq!(jobs, [count, Job::Rows { request: 1, offset: 0, len: 420, query: Query::default() }]);
        assert!(b.jobs(&mut Thumbs::default()).is_empty(), "the same rows are not asked twice");
        b.window_arrived(1, 0, columns(&["x"]), rows(0, 420));
        assert!(b.jobs(&mut Thumbs::default()).is_empty());

        b.act(Action::Bottom);
        assert_eq!(b.cursor, 1_999_999);
        assert_eq!(b.top, 1_999_980);
        assert_eq!(
            b.jobs(&mut Thumbs::default()),
            [Job::Rows { request: 2, offset: 1_999_780, len: 420, query: Query::default() }]
        );
        b.window_arrived(2, 1_999_780, columns(&["x"]), rows(1_999_780, 220));
        assert_eq!(b.selected().unwrap().id, "1999999");
        assert!(b.jobs(&mut Thumbs::default()).is_empty(), "the tail is covered even though the window is short");
    }

    #[test]
    fn bottom_before_the_count_goes_to_the_end_once_it_is_known() {
        let mut b = Browse::new(SourceKind::Table);
        b.set_page(20);
        b.jobs(&mut Thumbs::default());
        b.window_arrived(1, 0, columns(&["x"]), rows(0, 420));
        b.counting(0, 120_000);
        b.act(Action::Bottom);
        assert_eq!(b.cursor, 119_999, "as far as the count has gone");
        b.count_arrived(0, 2_000_000);
        assert_eq!(b.cursor, 1_999_999);
        // Moving after G, before the count, keeps the cursor where it was moved to.
        let mut b = Browse::new(SourceKind::Table);
        b.set_page(20);
        b.counting(0, 5_000);
        b.act(Action::Bottom);
        b.act(Action::Up);
        b.count_arrived(0, 2_000_000);
        assert_eq!(b.cursor, 4_998);
    }

    #[test]
    fn stale_windows_are_dropped() {
        let mut b = Browse::new(SourceKind::Table);
        b.total = Some(10_000);
        b.set_page(10);
        b.jobs(&mut Thumbs::default());
        b.jump(5000);
        b.jobs(&mut Thumbs::default());
        b.window_arrived(1, 0, vec![], rows(0, 410));
        assert!(b.selected().is_none(), "request 1 is stale");
        b.window_arrived(2, 4791, vec![], rows(4791, 410));
        assert_eq!(b.selected().unwrap().id, "5000");
    }

    #[test]
    fn a_new_query_starts_over_and_drops_old_results() {
        let mut b = Browse::new(SourceKind::Table);
        b.set_page(10);
        b.jobs(&mut Thumbs::default());
        b.count_arrived(0, 100);
        b.window_arrived(1, 0, columns(&["height", "colour"]), rows(0, 100));
        b.jump(50);
        b.cycle_sort();
        assert_eq!(b.query.sort, Some(("height".into(), false)));
        assert_eq!((b.cursor, b.total), (0, None));
        let jobs = b.jobs(&mut Thumbs::default());
        assert!(matches!(&jobs[0], Job::Count { generation: 1, .. }), "{jobs:?}");
        assert!(matches!(&jobs[1], Job::Rows { request: 2, query, .. } if query.sort.is_some()), "{jobs:?}");
        b.count_arrived(0, 100); // the old query's count
        assert_eq!(b.total, None);
        b.window_arrived(1, 0, vec![], rows(0, 10)); // the old query's rows
        assert!(b.selected().is_none());
        b.cycle_sort();
        assert_eq!(b.query.sort, Some(("height".into(), true)));
        b.cycle_sort();
        assert_eq!(b.query.sort, None);
    }

    #[test]
    fn grid_moves_by_rows_and_asks_for_visible_thumbnails() {
        let mut b = Browse::new(SourceKind::Images);
        let mut thumbs = Thumbs::default();
        b.total = Some(100);
        b.toggle_grid();
        b.set_layout(12, 4); // three rows of four
        b.jobs(&mut thumbs);
        b.window_arrived(
            1,
            0,
            vec![],
            (0..100).map(|i| SampleRow { id: format!("{i}.png"), label: None, values: vec![] }).collect(),
        );
        let jobs = b.jobs(&mut thumbs);
        let Some(Job::Thumbnails { ids }) = jobs.last() else { panic!("{jobs:?}") };
        assert_eq!(ids.len(), 12);
        b.act(Action::Down);
        b.act(Action::Right);
        assert_eq!(b.cursor, 5);
        for _ in 0..3 {
            b.act(Action::Down);
        }
        assert_eq!((b.cursor, b.top), (17, 8), "the grid scrolls a whole row at a time");
        let jobs = b.jobs(&mut thumbs);
        let Some(Job::Thumbnails { ids }) = jobs.last() else { panic!("{jobs:?}") };
        assert_eq!(ids.len(), 8, "only the two rows not on screen before are asked for");
    }

    #[test]
    fn cursor_stays_in_range_and_on_screen() {
        let mut b = Browse::new(SourceKind::Images);
        b.total = Some(30);
        b.set_page(10);
        b.act(Action::PageDown);
        b.act(Action::PageDown);
        b.act(Action::PageDown);
        b.act(Action::PageDown);
        assert_eq!((b.cursor, b.top), (29, 20));
        b.act(Action::Top);
        b.act(Action::Up);
        assert_eq!((b.cursor, b.top), (0, 0));
    }
}
