//! The Browse pane's state: a cursor over all samples, the visible page, and a window of
//! rows fetched in the background around it. Only that window is ever held in memory.

use kindling::data::SourceKind;
use kindling::data::preview::Preview;
use kindling::data::query::{Query, parse_filter};
use kindling::data::summary::ColumnSummary;
use kindling::project::samples::{SampleRow, TableColumn};
use ratatui_image::protocol::StatefulProtocol;

use super::component::{Component, Cx, Effect, Shared};
use super::job::Job;
use super::keys::Action;
use super::palette::Prompt;
use super::report::ReportView;
use super::theme::Theme;
use super::thumbs::Thumbs;
use super::viewport::top_following;

/// Rows fetched beyond each edge of the visible page, so that scrolling rarely waits.
const BUFFER: usize = 200;

pub struct Browse {
    pub kind: SourceKind,
    /// Number of samples the view shows; `None` while counting.
    pub total: Option<usize>,
    /// Number of samples in the project, as counted with no filter on (what the labelled
    /// share is of).
    pub samples: Option<usize>,
    /// The project turned out to have no fixed split: `p` says so and changes nothing.
    no_split: Option<String>,
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
    /// The filter as typed, to edit it again.
    pub filter_text: String,
    /// The data readiness report, shown in place of the samples.
    pub report: ReportView,
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
    /// The size of the image grid's cells, as last drawn.
    pub grid_cell: (u16, u16),
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
            samples: None,
            no_split: None,
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
            filter_text: String::new(),
            report: ReportView::default(),
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
            grid_cell: super::cells::CELL,
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

    /// Moves the cursor or scrolls the columns; false for actions that do neither.
    pub fn move_by(&mut self, action: Action) -> bool {
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
            Action::Right => {}
            _ => return false,
        }
        self.scroll_into_view();
        true
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
        // While the rows are still being counted the row is taken as asked; the count, when
        // it comes, keeps the cursor within the rows there are.
        self.cursor = if self.total.is_some() { row.min(self.last()) } else { row };
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
            let everything = Query { sort: None, ..self.query.clone() } == Query::default();
            if everything {
                self.samples = Some(total);
            }
            self.counted = None;
            self.cursor = if std::mem::take(&mut self.bottom_pending) { total } else { self.cursor };
            self.cursor = self.cursor.min(total.saturating_sub(1));
            self.scroll_into_view();
        }
    }

    /// The count failed; a split filter the project cannot apply is taken back (the view
    /// goes on as it was). Returns what to say.
    pub fn count_failed(&mut self, generation: u64, error: String) -> String {
        if generation == self.generation && self.query.split.is_some() {
            self.no_split = Some(error.clone());
            let query = Query { split: None, ..self.query.clone() };
            self.set_query(query);
        }
        error
    }

    /// Rows counted so far, while the count goes on.
    pub fn counting(&mut self, generation: u64, rows: usize) {
        if generation == self.generation && self.total.is_none() {
            self.counted = Some(rows);
        }
    }

    /// The next (or previous) sample containing `text`, searched in the background.
    fn find(&mut self, text: String, forward: bool, jobs: &mut Vec<Job>) {
        let (generation, query, from) = (self.generation, self.query.clone(), self.cursor);
        jobs.push(Job::Find { generation, query, text, from, forward });
    }

    /// `/` was answered: search for `text` from the cursor on.
    pub fn search_for(&mut self, text: String, jobs: &mut Vec<Job>) {
        if !text.is_empty() {
            self.search = Some(text.clone());
            self.find(text, true, jobs);
        }
    }

    /// `&` was answered: filter by `text` (an empty one clears the filter), or say why not.
    pub fn apply_filter(&mut self, text: String) -> Result<(), String> {
        let mut query = self.query.clone();
        if text.is_empty() {
            query.filter = None;
        } else {
            let filter = parse_filter(&text).map_err(|e| format!("filter: {e}"))?;
            if let Some(missing) = filter.columns().into_iter().find(|c| !self.columns.iter().any(|k| k.name == *c)) {
                return Err(format!("filter: no column \"{missing}\""));
            }
            query.filter = Some(filter);
        }
        self.filter_text = text;
        self.set_query(query);
        Ok(())
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
            thumbs.fit(self.grid_cell);
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

impl Component for Browse {
    fn act(&mut self, action: Action, cx: &mut Cx) -> bool {
        match action {
            Action::Report => self.report.toggle(cx.jobs),
            // Esc closes what covers the samples: the report, else the column summary.
            Action::Back if self.report.open => self.report.open = false,
            Action::Back if self.summary_open => self.summary_open = false,
            Action::Back => return false,
            other if self.report.open && self.report.scroll_by(other) => {}
            Action::Filter if self.columns.is_empty() => cx.say("filters apply to table columns"),
            Action::Filter => {
                let current = self.query.filter.as_ref().map(|_| self.filter_text.clone()).unwrap_or_default();
                cx.effects.push(Effect::Prompt(Prompt::Filter, current));
            }
            Action::Search => cx.effects.push(Effect::Prompt(Prompt::Search, String::new())),
            Action::SearchNext | Action::SearchPrev => match self.search.clone() {
                Some(text) => self.find(text, action == Action::SearchNext, cx.jobs),
                None => cx.say("nothing searched yet: / searches"),
            },
            Action::Sort => self.cycle_sort(),
            Action::Grid if self.kind == SourceKind::Images => self.toggle_grid(),
            Action::Grid => cx.say("the thumbnail grid is for images"),
            Action::SplitFilter if self.no_split.is_some() => cx.say(self.no_split.clone().unwrap_or_default()),
            Action::SplitFilter => {
                use kindling::data::split::Split;
                let mut query = self.query.clone();
                query.split = match query.split {
                    None => Some(Split::Train),
                    Some(Split::Train) => Some(Split::Valid),
                    Some(Split::Valid) => Some(Split::Test),
                    Some(Split::Test) => None,
                };
                self.set_query(query);
            }
            Action::LabelFilter => {
                let classes: Vec<String> = cx.shared.classes.iter().map(|c| c.name.clone()).collect();
                let mut query = self.query.clone();
                query.labels = query.labels.next(&classes);
                self.set_query(query);
            }
            Action::Summary if self.columns.is_empty() => cx.say("column summaries apply to table columns"),
            Action::Summary => self.summary_open = !self.summary_open,
            other => return self.move_by(other),
        }
        true
    }

    fn describe(&self, action: Action) -> Option<&'static str> {
        (action == Action::Back).then_some("close the report / summary")
    }

    fn works_unseen(&self) -> bool {
        true
    }

    fn request_jobs(&mut self, cx: &mut Cx) {
        cx.jobs.extend(self.jobs(&mut cx.shared.thumbs));
        cx.shared.selected = self.selected().map(|r| r.id.clone());
    }

    fn render(&mut self, f: &mut ratatui::Frame, area: ratatui::layout::Rect, shared: &Shared, theme: Theme) {
        super::browse_view::render(f, self, shared, theme, area);
    }

    fn mouse(&mut self, m: crossterm::event::MouseEvent) -> bool {
        use crossterm::event::{MouseButton, MouseEventKind};
        match m.kind {
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let action = if m.kind == MouseEventKind::ScrollDown { Action::Down } else { Action::Up };
                (0..3).for_each(|_| {
                    self.move_by(action);
                });
                true
            }
            MouseEventKind::Down(MouseButton::Left) => {
                // Rows start below the tab bar, the pane border and (for tables) the header.
                let header = usize::from(!self.columns.is_empty());
                if let Some(n) = (m.row as usize).checked_sub(2 + header) {
                    self.click(n);
                }
                true
            }
            _ => false,
        }
    }

    fn position(&self) -> Option<String> {
        Some(match self.total {
            Some(0) => "no samples".to_string(),
            Some(n) => format!("{}/{n}", self.cursor + 1),
            None => format!("{}/…", self.cursor + 1),
        })
    }
}

#[cfg(test)]
mod tests;
