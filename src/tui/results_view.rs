//! Drawing the Results pane: the runs on the left; for the selected run its scores (with
//! deltas against a run it is compared with), the confusion matrix as a heatmap (counts and
//! row percentages, a five-step colour scale that reads in 16 colours and says the same in
//! plain text), and below it the open cell's samples, or the per-class table and the loss
//! curve.

use kindling::runs::RunDetail;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::cells::clip;
use super::results::Results;
use super::run_widgets::{loss_chart, started};
use super::theme::Theme;

/// A cell's width with its row share (`   12  40%`), and with its count alone.
const CELL: usize = 10;
const COMPACT: usize = 5;
/// Narrower than this, the runs list keeps to when, model and accuracy.
const NARROW: u16 = 100;

pub fn render(f: &mut Frame, results: &Results, theme: Theme, area: Rect) {
    // Wide terminals also list each run's data version.
    let wide = area.width >= 140;
    let narrow = area.width < NARROW;
    let list_width = match (wide, narrow) {
        (true, _) => 71,
        (false, true) => 36,
        (false, false) => 48,
    };
    let [list, detail] = Layout::horizontal([Constraint::Length(list_width), Constraint::Min(20)]).areas(area);
    render_runs(f, results, theme, list, wide, narrow);
    let block = Block::bordered().title(" run · arrows move · Enter opens a cell · m compare · i label issues ");
    let inner = block.inner(detail);
    f.render_widget(block, detail);
    let d = match results.current() {
        _ if results.selected_run().is_none() => return,
        None => return f.render_widget(Paragraph::new(Span::styled("reading the run…", theme.dim())), inner),
        Some(Err(e)) => return f.render_widget(Paragraph::new(Span::styled(e.clone(), theme.fg("red"))), inner),
        Some(Ok(d)) => d,
    };
    let r = results;
    let mut lines = summary_lines(d, r.compared(), theme);
    lines.extend(matrix_lines(d, r.cell, theme, inner.width as usize));
    let used = lines.len() as u16;
    let [top, rest] = Layout::vertical([Constraint::Length(used), Constraint::Min(0)]).areas(inner);
    f.render_widget(Paragraph::new(lines), top);
    if let Some(at) = r.list {
        return render_cell_list(f, results, d, at, theme, rest);
    }
    let classes = per_class_lines(d, r.compared(), theme);
    let [table, chart] = Layout::vertical([Constraint::Length(classes.len() as u16), Constraint::Min(0)]).areas(rest);
    f.render_widget(Paragraph::new(classes), table);
    if chart.height >= 6 && d.loss.len() >= 2 {
        f.render_widget(loss_chart(&d.loss, theme), chart);
    }
}

/// The samples of the open cell, most confident first, the cursor's one highlighted.
fn render_cell_list(f: &mut Frame, results: &Results, d: &RunDetail, at: usize, theme: Theme, area: Rect) {
    let samples = results.cell_samples();
    let classes = &d.drill.matrix.classes;
    let (given, predicted) = (&classes[results.cell.0], &classes[results.cell.1]);
    let mut lines = vec![Line::from(Span::styled(
        format!("{} given {given}, predicted {predicted} · Enter relabels · Esc closes", count(samples.len())),
        theme.dim(),
    ))];
    let room = (area.height as usize).saturating_sub(1).max(1);
    let top = at.saturating_sub(room - 1);
    for (i, s) in samples.iter().enumerate().skip(top).take(room) {
        let id_width =
            (area.width as usize).saturating_sub(given.chars().count() + predicted.chars().count() + 12).max(8);
        let text = format!("{:<id_width$} {given} → {predicted}  {:.2}", clip(&s.id, id_width), s.confidence);
        let style = if i == at { theme.selected() } else { Style::new() };
        lines.push(Line::from(Span::styled(text, style)));
    }
    f.render_widget(Paragraph::new(lines), area);
}

fn render_runs(f: &mut Frame, results: &Results, theme: Theme, area: Rect, wide: bool, narrow: bool) {
    let block = Block::bordered().title(" runs ");
    let mut lines = Vec::new();
    match &results.runs {
        None => lines.push(Line::from(Span::styled("listing runs…", theme.dim()))),
        Some(Err(e)) => lines.push(Line::from(Span::styled(e.clone(), theme.fg("red")))),
        Some(Ok(runs)) if runs.is_empty() => {
            lines.push(Line::from("no runs yet"));
            lines.push(Line::from(Span::styled("F4 trains one, or `kindling train`", theme.dim())));
        }
        Some(Ok(runs)) => {
            let data = |text: &str| if wide { format!(" {text:<22}") } else { String::new() };
            // Narrow, the F1 and time columns give way to the matrix (the run's panel has them).
            let tail = |f1: &str, time: &str| if narrow { String::new() } else { format!(" {f1:>5} {time:>6}") };
            lines.push(Line::from(Span::styled(
                format!("  {:<11} {:<13} {:>5}{}{}", "started", "model", "acc", tail("F1", "time"), data("data")),
                theme.dim(),
            )));
            let score = |v: Option<f64>| v.map_or("  -  ".to_string(), |v| format!("{v:.3}"));
            let ranks = super::results::ranks(runs);
            let mut rows = Vec::with_capacity(runs.len());
            let mut selected_line = 0;
            let mixed = super::results::sweeps_of_several_featurizers(runs);
            for (i, r) in runs.iter().enumerate() {
                let mixed = r.sweep.as_ref().is_some_and(|s| mixed.contains(s.as_str()));
                // A sweep's runs come as its leaderboard, under one heading.
                if let Some(sweep) = r.sweep.as_ref().filter(|_| ranks[i] == Some(1)) {
                    // Too narrow for both: the ranks say the order.
                    let what = if mixed { "features last" } else { "by fold accuracy" };
                    let heading = format!("  {} · {what}", clip(sweep, 24));
                    rows.push(Line::from(Span::styled(heading, theme.accent())));
                }
                let mark = if results.baseline.as_ref() == Some(&r.id) { "= " } else { "  " };
                let (when, accuracy, f1) = match (ranks[i], r.cv_accuracy) {
                    (Some(rank), Some((mean, sd))) => (format!("#{rank} ±{sd:.3}"), Some(mean), r.cv_macro_f1),
                    (Some(rank), None) => (format!("#{rank}"), r.accuracy, r.macro_f1),
                    (None, _) => (started(&r.id), r.accuracy, r.macro_f1),
                };
                // A sweep over several featurizers tells its rows apart by them, in the time's
                // place (the run's panel still says its time).
                let last = if mixed { clip(&r.features, 6) } else { r.seconds.map_or(String::new(), duration) };
                let text = mark.to_string()
                    + &if r.status == "finished" {
                        format!(
                            "{:<11} {:<13} {}{}{}",
                            when,
                            clip(&r.model, 13),
                            score(accuracy),
                            tail(&score(f1), &last),
                            data(&clip(&r.data, 22))
                        )
                    } else {
                        format!("{:<11} {:<13} {}", when, clip(&r.model, 13), r.status)
                    };
                let style = if i == results.selected { theme.selected() } else { Style::new() };
                if i == results.selected {
                    selected_line = rows.len();
                }
                rows.push(Line::from(Span::styled(text, style)));
            }
            // Under the heading, the rows scroll so that the selected run stays in sight.
            let room = (area.height as usize).saturating_sub(3).max(1);
            let top = (selected_line + 1).saturating_sub(room);
            lines.extend(rows.into_iter().skip(top).take(room));
        }
    }
    f.render_widget(Paragraph::new(lines).block(block), area);
}

/// The run, its scores (and their change from the compared run), data version and scope.
fn summary_lines(d: &RunDetail, base: Option<&RunDetail>, theme: Theme) -> Vec<Line<'static>> {
    let score = |m: &serde_json::Value, k: &str| m[k].as_f64();
    let show = |k: &str| {
        let v = score(&d.metrics, k).map_or("-".to_string(), |v| format!("{v:.3}"));
        match (score(&d.metrics, k), base.and_then(|b| score(&b.metrics, k))) {
            (Some(a), Some(b)) => format!("{v} ({})", delta(a - b)),
            _ => v,
        }
    };
    let r = &d.record;
    let mut out = vec![
        Line::from(vec![
            Span::styled(r.id.clone(), theme.accent()),
            Span::raw(format!("  {} on {} · seed {} · {:.1} s", r.model, r.features, r.seed, r.seconds.unwrap_or(0.0))),
        ]),
        Line::from(if r.model == kindling::runs::detector::MODEL_NAME {
            format!("mAP@0.5 {}  mAP@[.5:.95] {}  (boxes: rows labelled, columns found)", show("map50"), show("map"))
        } else {
            format!(
                "accuracy {}  balanced {}  macro F1 {}  log loss {}",
                show("accuracy"),
                show("balanced_accuracy"),
                show("macro_f1"),
                show("log_loss"),
            )
        }),
        Line::from(Span::styled(
            format!(
                "{} trained, {} scored ({} split) · data version {}",
                r.dataset.train,
                r.dataset.evaluated,
                r.dataset.evaluated_split,
                kindling::project::data_version(&r.dataset.fingerprint, r.dataset.label_events)
            ),
            theme.dim(),
        )),
    ];
    if let Some(b) = base {
        out.push(Line::from(Span::styled(format!("(±: compared with {})", b.record.id), theme.dim())));
    }
    match &d.issues {
        Some(issues) if !issues.is_empty() => out.push(Line::from(Span::styled(
            format!("{} suspected label errors: i reviews them", issues.len()),
            theme.fg("yellow"),
        ))),
        _ => {}
    }
    out.push(Line::from(Span::styled(format!("confusion matrix: {}", d.drill.scope), theme.dim())));
    out
}

fn delta(v: f64) -> String {
    format!("{}{:.3}", if v >= 0.0 { "+" } else { "" }, v)
}

fn matrix_lines(d: &RunDetail, cursor: (usize, usize), theme: Theme, width: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let c = &d.drill.matrix;
    let n = c.classes.len();
    let label_width = c.classes.iter().map(|k| k.chars().count()).max().unwrap_or(5).clamp(5, 14);
    let room = width.saturating_sub(label_width + 1);
    // Counts with their row share where every column fits so, else counts alone; where
    // even those do not fit, the columns scroll to keep the cursor's in sight.
    let cell = if room / (CELL + 1) >= n { CELL } else { COMPACT };
    let fits = (room / (cell + 1)).clamp(1, n.max(1));
    let first = cursor.1.saturating_sub(fits - 1).min(n.saturating_sub(fits));
    let columns = first..(first + fits).min(n);
    let corner = if label_width >= 10 { "given\\pred" } else { "g\\p" };
    let mut header = vec![Span::styled(format!("{corner:<label_width$} "), theme.dim())];
    for class in &c.classes[columns.clone()] {
        header.push(Span::styled(format!("{:>cell$} ", clip(class, cell)), theme.dim()));
    }
    out.push(Line::from(header));
    for (g, row) in c.counts.iter().enumerate() {
        let total: u64 = row.iter().sum();
        let mut spans = vec![Span::styled(format!("{:<label_width$} ", clip(&c.classes[g], label_width)), theme.dim())];
        for p in columns.clone() {
            let count = row[p];
            let pct = (count * 100 + total / 2).checked_div(total).unwrap_or(0);
            let style = if (g, p) == cursor { theme.selected() } else { theme.fg(shade(g == p, pct, count)) };
            let text = if cell == CELL { format!("{count:>5} {pct:>3}%") } else { format!("{count:>cell$}") };
            spans.push(Span::styled(text, style));
            spans.push(Span::raw(" "));
        }
        out.push(Line::from(spans));
    }
    if fits < n {
        out.push(Line::from(Span::styled(
            format!("columns {}–{} of {n}: ←/→ scroll", columns.start + 1, columns.end),
            theme.dim(),
        )));
    }
    out.push(legend(theme));
    if let (Some(given), Some(predicted)) = (c.classes.get(cursor.0), c.classes.get(cursor.1)) {
        let k = c.counts[cursor.0][cursor.1];
        let total: u64 = c.counts[cursor.0].iter().sum();
        let pct = (k * 100 + total / 2).checked_div(total).unwrap_or(0);
        let (cell, share) =
            (format!("cell: given {given} → predicted {predicted}"), format!("{} · {pct}% of row", count(k as usize)));
        // On two lines where one does not fit.
        match cell.chars().count() + share.chars().count() + 3 <= width {
            true => out.push(Line::from(format!("{cell} · {share}"))),
            false => out.extend([Line::from(cell), Line::from(format!("  {share}"))]),
        }
    }
    out.push(Line::from(""));
    out
}

/// The colour of a cell: right (the diagonal) in green, wrong by its share of the row from
/// yellow to red, empty cells dim; the numbers say the same without colour.
fn shade(right: bool, pct: u64, count: u64) -> &'static str {
    match pct {
        _ if count == 0 => "darkgray",
        _ if right => "green",
        0..=9 => "yellow",
        10..=29 => "lightred",
        _ => "red",
    }
}

/// What the matrix's colours mean (a cell's share is of its row: the given class).
fn legend(theme: Theme) -> Line<'static> {
    let mut spans = vec![Span::styled("■ right  ", theme.fg(shade(true, 100, 1)))];
    spans.push(Span::styled("■ wrong: <10%  ", theme.fg(shade(false, 5, 1))));
    spans.push(Span::styled("■ <30%  ", theme.fg(shade(false, 20, 1))));
    spans.push(Span::styled("■ ≥30%", theme.fg(shade(false, 50, 1))));
    Line::from(spans)
}

/// Precision, recall, F1 and support per class; with a compared run, the change in F1.
fn per_class_lines(d: &RunDetail, base: Option<&RunDetail>, theme: Theme) -> Vec<Line<'static>> {
    let classes = &d.drill.matrix.classes;
    let label_width = classes.iter().map(|k| k.chars().count()).max().unwrap_or(5).clamp(5, 14);
    let mut head = format!("{:<label_width$} {:>9} {:>7} {:>7} {:>7}", "class", "precision", "recall", "F1", "support");
    if base.is_some() {
        head += &format!(" {:>7}", "± F1");
    }
    let mut out = vec![Line::from(Span::styled(head, theme.dim()))];
    for class in classes {
        let pc = &d.drill.metrics["per_class"][class];
        let v = |k: &str| pc[k].as_f64().map_or("-".to_string(), |v| format!("{v:.3}"));
        let mut text = format!(
            "{:<label_width$} {:>9} {:>7} {:>7} {:>7}",
            clip(class, label_width),
            v("precision"),
            v("recall"),
            v("f1"),
            pc["support"].as_u64().map_or("-".to_string(), |n| n.to_string())
        );
        if let Some(b) = base {
            let before = b.drill.metrics["per_class"][class]["f1"].as_f64();
            let change = pc["f1"].as_f64().zip(before).map_or("-".to_string(), |(a, b)| delta(a - b));
            text += &format!(" {change:>7}");
        }
        match d.since.get(class) {
            Some(now) => out.push(Line::from(vec![Span::raw(text), Span::styled(format!("  {now}"), theme.dim())])),
            None => out.push(Line::from(text)),
        }
    }
    out
}

/// `0.4s`, `12s`, `3m05s`.
fn duration(seconds: f64) -> String {
    match seconds {
        s if s < 10.0 => format!("{s:.1}s"),
        s if s < 60.0 => format!("{s:.0}s"),
        s => format!("{}m{:02}s", (s / 60.0).floor(), (s % 60.0).floor()),
    }
}

fn count(n: usize) -> String {
    format!("{n} sample{}", if n == 1 { "" } else { "s" })
}
