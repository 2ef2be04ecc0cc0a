//! Drawing the Browse pane: a grid for tables; a list and a preview for files.

use kindling::data::SourceKind;
use kindling::project::samples::SampleRow;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, Wrap};

use super::browse::Browse;
use super::cells::{clip, grid_cell};
use super::component::Shared;
use super::sample_view;
use super::theme::Theme;

/// Widest a table column is drawn.
const MAX_COLUMN: usize = 30;

pub fn render(f: &mut Frame, b: &mut Browse, shared: &Shared, theme: Theme, area: Rect) {
    let block = Block::bordered();
    let inner = block.inner(area);
    render_body(f, b, shared, theme, inner);
    // The title is made after the body, which decides how many columns fit.
    f.render_widget(block.title(title(b, shared)), area);
}

fn title(b: &Browse, shared: &Shared) -> String {
    let mut title = format!(" {} · {} ", shared.kind.name(), total_text(b));
    if let Some(columns) = columns_text(b).filter(|_| !b.report.open) {
        title.push_str(&format!("· columns {columns} "));
    }
    if b.query.labels != kindling::data::query::LabelFilter::All {
        title.push_str(&format!("· showing {} ", b.query.labels.describe()));
    }
    if let Some(split) = b.query.split {
        title.push_str(&format!("· {} split ", split.name()));
    }
    if b.query.filter.is_some() {
        title.push_str(&format!("· filter: {} ", b.filter_text));
    }
    if let Some((column, descending)) = &b.query.sort {
        title.push_str(&format!("· sorted by {column} {} ", if *descending { "↓" } else { "↑" }));
    }
    if b.loading() {
        title.push_str("· reading… ");
    }
    title
}

fn render_body(f: &mut Frame, b: &mut Browse, shared: &Shared, theme: Theme, inner: Rect) {
    if b.report.open {
        super::report_view::render(f, &b.report, theme, inner);
        return;
    }
    let is_table_text = shared.kind == SourceKind::Text && shared.text_column.is_some();
    let inner = if b.summary_open {
        let [grid, side] = Layout::horizontal([Constraint::Min(20), Constraint::Length(34)]).areas(inner);
        render_summary(f, b, theme, side);
        grid
    } else {
        inner
    };
    match shared.kind {
        SourceKind::Table => render_grid(f, b, shared, theme, inner),
        _ if is_table_text => {
            let [grid, text] = Layout::vertical([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(inner);
            render_grid(f, b, shared, theme, grid);
            render_row_text(f, b, shared, theme, text);
        }
        SourceKind::Images if b.grid => render_grid_of_thumbnails(f, b, shared, theme, inner),
        _ => {
            let [list, preview] =
                Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(inner);
            render_list(f, b, shared, theme, list);
            render_preview(f, b, theme, preview);
        }
    }
}

fn total_text(b: &super::browse::Browse) -> String {
    match (b.total, b.counted) {
        (Some(n), _) => format!("{n} samples"),
        (None, Some(n)) => format!("≥ {n} rows…"),
        (None, None) => "counting…".into(),
    }
}

fn label_span(shared: &Shared, theme: Theme, row: Option<&SampleRow>) -> Span<'static> {
    match row.and_then(|r| r.label.as_deref()) {
        Some(l) => Span::styled(l.to_string(), shared.colour_of(l).map_or(Style::new(), |c| theme.fg(c))),
        None => Span::styled("·", theme.dim()),
    }
}

/// Widths of a table grid: the row number, id and label columns at their content's width,
/// then as many value columns from the selected one on as fit whole (the selected one is
/// always drawn, cut with `…` if even it does not fit).
struct GridLayout {
    number: usize,
    id: usize,
    label: usize,
    values: Vec<usize>,
}

/// Space between two columns.
const SPACING: usize = 2;

fn grid_layout(b: &Browse, visible: &[usize], width: usize) -> GridLayout {
    let rows: Vec<&SampleRow> = visible.iter().filter_map(|i| b.row(*i)).collect();
    let widest =
        |header: &str, cells: &mut dyn Iterator<Item = usize>| cells.chain([header.chars().count()]).max().unwrap_or(1);
    let number = widest("#", &mut visible.iter().map(|i| (i + 1).to_string().len()));
    let id = widest("id", &mut rows.iter().map(|r| r.id.chars().count())).min((width / 3).max(MAX_COLUMN));
    let label = widest("label", &mut rows.iter().map(|r| r.label.as_deref().map_or(1, |l| l.chars().count())));
    let mut room = width.saturating_sub(number + id + label + 3 * SPACING);
    let mut values = Vec::new();
    // What each column shown would take whole (its widest cell or its name).
    let mut whole = Vec::new();
    for (c, column) in b.columns.iter().enumerate().skip(b.first_column) {
        let cells = rows.iter().map(|r| match r.values.get(c) {
            Some(Some(v)) => column.shown(v).chars().count(),
            _ => 4,
        });
        let full = widest(&column.name, &mut cells.into_iter());
        let want = full.min(MAX_COLUMN);
        if want <= room {
            values.push(want);
            whole.push(full);
            room = room.saturating_sub(want + SPACING);
        } else {
            if values.is_empty() && room > 0 {
                values.push(room);
                whole.push(full);
                room = 0;
            }
            break;
        }
    }
    // Room left on a wide screen goes to the columns cut at MAX_COLUMN (long texts), the
    // first first, up to their whole width.
    for (w, full) in values.iter_mut().zip(whole) {
        let more = full.saturating_sub(*w).min(room);
        *w += more;
        room -= more;
    }
    GridLayout { number, id, label, values }
}

fn render_grid(f: &mut Frame, b: &mut Browse, shared: &Shared, theme: Theme, area: Rect) {
    let [grid, value_line] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    b.set_page(grid.height.saturating_sub(1) as usize);
    let visible: Vec<usize> = (b.top..b.top + b.page).take_while(|i| b.total.is_none_or(|n| *i < n)).collect();
    let layout = grid_layout(b, &visible, grid.width as usize);
    let shown = &b.columns[b.first_column.min(b.columns.len())..][..layout.values.len()];
    let mut widths = vec![
        Constraint::Length(layout.number as u16),
        Constraint::Length(layout.id as u16),
        Constraint::Length(layout.label as u16),
    ];
    widths.extend(layout.values.iter().map(|w| Constraint::Length(*w as u16)));
    let mut header = vec![Span::raw("#"), Span::raw("id"), Span::raw("label")];
    header.extend(shown.iter().zip(&layout.values).enumerate().map(|(i, (c, w))| {
        let selected = i == 0;
        Span::styled(clip(&c.name, *w), if selected { theme.selected() } else { Style::new() })
    }));
    let rows = visible.iter().map(|&i| {
        let row = b.row(i);
        let mut cells = vec![
            Span::styled((i + 1).to_string(), theme.dim()),
            Span::raw(row.map_or("…".to_string(), |r| clip(&r.id, layout.id))),
            label_span(shared, theme, row),
        ];
        for (c, (column, w)) in shown.iter().zip(&layout.values).enumerate() {
            let value = row.and_then(|r| r.values.get(b.first_column + c));
            cells.push(match value {
                Some(Some(v)) => Span::raw(clip(&column.shown(v), *w)),
                Some(None) => Span::styled(clip("null", *w), theme.dim()),
                None => Span::raw(""),
            });
        }
        let style = if i == b.cursor { theme.selected() } else { Style::new() };
        Row::new(cells).style(style)
    });
    let table = Table::new(rows, widths).header(Row::new(header).style(theme.accent())).column_spacing(SPACING as u16);
    f.render_widget(table, grid);
    b.columns_shown = layout.values.len();
    render_selected_value(f, b, theme, value_line);
}

/// The selected cell's whole value, below the grid.
fn render_selected_value(f: &mut Frame, b: &Browse, theme: Theme, area: Rect) {
    let (Some(column), Some(row)) = (b.columns.get(b.first_column), b.selected()) else { return };
    let value = row.values.get(b.first_column).cloned().flatten();
    let name = format!("{} ", column.name);
    let room = (area.width as usize).saturating_sub(name.chars().count() + 2);
    let line = match value {
        Some(v) => Line::from(vec![Span::styled(name, theme.dim()), Span::raw("= "), Span::raw(clip(&v, room))]),
        None => Line::from(vec![Span::styled(name, theme.dim()), Span::styled("is missing (null)", theme.dim())]),
    };
    f.render_widget(Paragraph::new(line), area);
}

/// Which columns the grid shows, for the title: `f3–f12 of 24`.
fn columns_text(b: &Browse) -> Option<String> {
    let n = b.columns.len();
    if b.columns_shown == 0 || (b.first_column == 0 && b.columns_shown >= n) {
        return None;
    }
    let first = &b.columns.get(b.first_column)?.name;
    let last = &b.columns.get(b.first_column + b.columns_shown - 1)?.name;
    Some(if first == last { format!("{first} of {n}") } else { format!("{first}–{last} of {n}") })
}

fn render_summary(f: &mut Frame, b: &Browse, theme: Theme, area: Rect) {
    let block = Block::bordered().title(format!(" {} ", b.selected_column().unwrap_or("")));
    let lines = match b.current_summary() {
        None => vec![Line::from(Span::styled("summarizing…", theme.dim()))],
        Some(Err(e)) => vec![Line::from(Span::styled(e.clone(), theme.fg("red")))],
        Some(Ok(s)) => {
            let pct = |n: usize| if s.rows == 0 { 0.0 } else { n as f64 * 100.0 / s.rows as f64 };
            let shown = |v: &str| if s.float { kindling::data::display::float(v) } else { v.to_string() };
            let field =
                |k: &str, v: String| Line::from(vec![Span::styled(format!("{k:<9}"), theme.dim()), Span::raw(v)]);
            let mut lines = vec![
                field("type", s.dtype.clone()),
                field("rows", s.rows.to_string()),
                field("nulls", format!("{} ({:.1}%)", s.nulls, pct(s.nulls))),
                field("distinct", s.distinct.to_string()),
                field("min", shown(s.min.as_deref().unwrap_or_default())),
                field("max", shown(s.max.as_deref().unwrap_or_default())),
            ];
            if let Some(m) = s.mean {
                lines.push(field("mean", kindling::data::display::rounded(m)));
            }
            lines.push(Line::from(Span::styled("top values", theme.dim())));
            let max = s.top.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1);
            let width = (area.width as usize).saturating_sub(2);
            for (value, n) in &s.top {
                let bar = "█".repeat((n * 10).div_ceil(max).min(10));
                let label = clip(&shown(value), width.saturating_sub(19).max(4));
                lines.push(Line::from(vec![
                    Span::raw(format!("{label:<w$} ", w = width.saturating_sub(19).max(4))),
                    Span::styled(format!("{bar:<10}"), theme.fg("cyan")),
                    Span::raw(format!(" {n}")),
                ]));
            }
            lines
        }
    };
    f.render_widget(Paragraph::new(lines).block(block), area);
}

fn render_row_text(f: &mut Frame, b: &Browse, shared: &Shared, theme: Theme, area: Rect) {
    let block = Block::bordered().title(" text ");
    let text = b.selected().map(|row| {
        let column = b.columns.iter().position(|c| Some(&c.name) == shared.text_column.as_ref());
        let value = column.and_then(|c| row.values.get(c)).cloned().flatten();
        value.unwrap_or_default()
    });
    let body = match text {
        Some(t) => Paragraph::new(t),
        None => Paragraph::new(Span::styled("loading…", theme.dim())),
    };
    f.render_widget(body.wrap(Wrap { trim: false }).block(block), area);
}

fn render_list(f: &mut Frame, b: &mut Browse, shared: &Shared, theme: Theme, area: Rect) {
    b.set_page(area.height as usize);
    let visible: Vec<usize> = (b.top..b.top + b.page).take_while(|i| b.total.is_none_or(|n| *i < n)).collect();
    let lines: Vec<Line> = visible
        .iter()
        .map(|&i| {
            let row = b.row(i);
            let id = row.map_or("…".to_string(), |r| r.id.clone());
            let label = label_span(shared, theme, row);
            let room = (area.width as usize).saturating_sub(label.content.chars().count() + 1);
            let line = Line::from(vec![label, Span::raw(" "), Span::raw(clip(&id, room))]);
            if i == b.cursor { line.style(theme.selected()) } else { line }
        })
        .collect();
    f.render_widget(Paragraph::new(lines), area);
}

fn render_grid_of_thumbnails(f: &mut Frame, b: &mut Browse, shared: &Shared, theme: Theme, area: Rect) {
    let cell = grid_cell(area);
    b.grid_cell = cell;
    let per_row = (area.width / cell.0).max(1) as usize;
    let rows = (area.height / cell.1).max(1) as usize;
    b.set_layout(per_row * rows, per_row);
    for slot in 0..per_row * rows {
        let i = b.top + slot;
        if b.total.is_some_and(|n| i >= n) {
            break;
        }
        let x = area.x + (slot % per_row) as u16 * cell.0;
        let y = area.y + (slot / per_row) as u16 * cell.1;
        let rect = Rect { x, y, width: cell.0 - 1, height: cell.1 }.intersection(area);
        let picture = Rect { height: rect.height.saturating_sub(1), ..rect };
        let caption = Rect { y: rect.y + picture.height, height: 1, ..rect };
        let row = b.row(i);
        match row.and_then(|r| shared.thumbs.encoded.get(&r.id)) {
            Some(Some(protocol)) => f.render_widget(ratatui_image::Image::new(protocol), picture),
            Some(None) => f.render_widget(Paragraph::new(Span::styled("(unreadable)", theme.dim())), picture),
            None => f.render_widget(Paragraph::new(Span::styled("…", theme.dim())), picture),
        }
        let id = row.map_or("…".to_string(), |r| r.id.clone());
        let label = label_span(shared, theme, row);
        let room = (caption.width as usize).saturating_sub(label.content.chars().count() + 1);
        let line = Line::from(vec![label, Span::raw(" "), Span::raw(clip(&id, room))]);
        let line = if i == b.cursor { line.style(theme.selected()) } else { line };
        f.render_widget(Paragraph::new(line), caption);
    }
}

fn render_preview(f: &mut Frame, b: &mut Browse, theme: Theme, area: Rect) {
    let selected = b.selected().map(|r| r.id.clone());
    let block = Block::bordered().title(format!(" {} ", selected.as_deref().unwrap_or("")));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [body, meta] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let current = b.preview.as_ref().filter(|(id, _)| Some(id) == selected.as_ref());
    let Some((_, preview)) = current else {
        f.render_widget(Paragraph::new(Span::styled("loading…", theme.dim())), body);
        return;
    };
    let marked = sample_view::TextView { scroll: 0, marked: b.search.as_deref() };
    sample_view::render(f, preview, b.image.as_mut(), false, theme, marked, [body, meta]);
}
