//! Drawing the Results pane: the runs on the left; for the selected run its scores, the
//! confusion matrix as a heatmap (counts and row percentages, a five-step colour scale that
//! reads in 16 colours and says the same in plain text) and the per-class table.

use kindling::runs::RunDetail;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::app::App;
use super::browse_view::clip;
use super::ui::Theme;

const CELL: usize = 10;

pub fn render(f: &mut Frame, app: &App, theme: Theme, area: Rect) {
    let [list, detail] = Layout::horizontal([Constraint::Length(46), Constraint::Min(20)]).areas(area);
    render_runs(f, app, theme, list);
    let block = Block::bordered().title(" run · PgUp/PgDn other runs · arrows move in the matrix ");
    let inner = block.inner(detail);
    f.render_widget(block, detail);
    let lines = match app.results.current() {
        _ if app.results.selected_run().is_none() => Vec::new(),
        None => vec![Line::from(Span::styled("reading the run…", theme.dim()))],
        Some(Err(e)) => vec![Line::from(Span::styled(e.clone(), theme.fg("red")))],
        Some(Ok(d)) => detail_lines(d, app.results.cell, theme, inner.width as usize),
    };
    f.render_widget(Paragraph::new(lines), inner);
}

fn render_runs(f: &mut Frame, app: &App, theme: Theme, area: Rect) {
    let block = Block::bordered().title(" runs ");
    let mut lines = Vec::new();
    match &app.results.runs {
        None => lines.push(Line::from(Span::styled("listing runs…", theme.dim()))),
        Some(Err(e)) => lines.push(Line::from(Span::styled(e.clone(), theme.fg("red")))),
        Some(Ok(runs)) if runs.is_empty() => {
            lines.push(Line::from("no runs yet"));
            lines.push(Line::from(Span::styled("kindling train DIR --model logistic", theme.dim())));
        }
        Some(Ok(runs)) => {
            lines.push(Line::from(Span::styled(
                format!("{:<15} {:<13} {:>5} {:>5}", "started", "model", "acc", "F1"),
                theme.dim(),
            )));
            let score = |v: Option<f64>| v.map_or("  -  ".to_string(), |v| format!("{v:.3}"));
            for (i, r) in runs.iter().enumerate() {
                let text = if r.status == "finished" {
                    format!(
                        "{:<15} {:<13} {} {}",
                        started(&r.id),
                        clip(&r.model, 13),
                        score(r.accuracy),
                        score(r.macro_f1)
                    )
                } else {
                    format!("{:<15} {:<13} {}", started(&r.id), clip(&r.model, 13), r.status)
                };
                let style = if i == app.results.selected { theme.selected() } else { Style::new() };
                lines.push(Line::from(Span::styled(text, style)));
            }
        }
    }
    f.render_widget(Paragraph::new(lines).block(block), area);
}

fn detail_lines(d: &RunDetail, cursor: (usize, usize), theme: Theme, width: usize) -> Vec<Line<'static>> {
    let m = &d.metrics;
    let f = |k: &str| m[k].as_f64().map_or("-".to_string(), |v| format!("{v:.3}"));
    let r = &d.record;
    let mut out = vec![
        Line::from(vec![
            Span::styled(r.id.clone(), theme.accent()),
            Span::raw(format!("  {} on {} · seed {} · {:.1} s", r.model, r.features, r.seed, r.seconds.unwrap_or(0.0))),
        ]),
        Line::from(format!(
            "accuracy {}  balanced {}  macro F1 {}  log loss {}",
            f("accuracy"),
            f("balanced_accuracy"),
            f("macro_f1"),
            f("log_loss"),
        )),
        Line::from(Span::styled(
            format!(
                "{} trained, {} scored ({} split) · data version {}-{}",
                r.dataset.train,
                r.dataset.evaluated,
                r.dataset.evaluated_split,
                r.dataset.fingerprint.get(..16).unwrap_or(""),
                r.dataset.label_events
            ),
            theme.dim(),
        )),
        Line::from(""),
    ];
    let c = &d.confusion;
    let label_width = c.classes.iter().map(|k| k.chars().count()).max().unwrap_or(5).clamp(5, 14);
    let fits = (width.saturating_sub(label_width + 1)) / (CELL + 1);
    let shown = c.classes.len().min(fits.max(1));
    let mut header = vec![Span::styled(format!("{:<label_width$} ", "given\\pred"), theme.dim())];
    for class in &c.classes[..shown] {
        header.push(Span::styled(format!("{:>CELL$} ", clip(class, CELL)), theme.dim()));
    }
    out.push(Line::from(header));
    for (g, row) in c.counts.iter().enumerate() {
        let total: u64 = row.iter().sum();
        let mut spans = vec![Span::styled(format!("{:<label_width$} ", clip(&c.classes[g], label_width)), theme.dim())];
        for (p, count) in row.iter().enumerate().take(shown) {
            let pct = (*count * 100 + total / 2).checked_div(total).unwrap_or(0);
            let mut style = theme.fg(scale(pct, *count));
            if (g, p) == cursor {
                style = theme.selected();
            }
            spans.push(Span::styled(format!("{:>5} {:>3}%", count, pct), style));
            spans.push(Span::raw(" "));
        }
        out.push(Line::from(spans));
    }
    if shown < c.classes.len() {
        out.push(Line::from(Span::styled(
            format!("({} more columns: widen the terminal)", c.classes.len() - shown),
            theme.dim(),
        )));
    }
    if let (Some(given), Some(predicted)) = (c.classes.get(cursor.0), c.classes.get(cursor.1)) {
        let n = c.counts[cursor.0][cursor.1];
        out.push(Line::from(format!("cell: given {given} → predicted {predicted}: {n} samples")));
    }
    out.push(Line::from(""));
    out.push(Line::from(Span::styled(
        format!("{:<label_width$} {:>9} {:>7} {:>7} {:>7}", "class", "precision", "recall", "F1", "support"),
        theme.dim(),
    )));
    for class in &c.classes {
        let pc = &m["per_class"][class];
        let v = |k: &str| pc[k].as_f64().map_or("-".to_string(), |v| format!("{v:.3}"));
        out.push(Line::from(format!(
            "{:<label_width$} {:>9} {:>7} {:>7} {:>7}",
            clip(class, label_width),
            v("precision"),
            v("recall"),
            v("f1"),
            pc["support"].as_u64().map_or("-".to_string(), |n| n.to_string())
        )));
    }
    out
}

/// The start time of a run from its id (`20261122-093005-logistic` → `20261122-093005`).
fn started(id: &str) -> String {
    clip(id.get(..15).unwrap_or(id), 15)
}

/// The colour of a cell holding `pct` % of its row: five steps, empty cells dim.
fn scale(pct: u64, count: u64) -> &'static str {
    match pct {
        _ if count == 0 => "darkgray",
        0..=9 => "blue",
        10..=29 => "cyan",
        30..=59 => "yellow",
        60..=89 => "lightgreen",
        _ => "green",
    }
}
