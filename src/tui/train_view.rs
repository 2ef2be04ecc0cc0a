//! Drawing the Train pane: the next run's settings and the recent runs on the left; the
//! followed run on the right — its stage, a gauge with the time left, the loss curve of an
//! iterative fit, and how it ended.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Gauge, Paragraph, Wrap};

use super::cells::clip;
use super::run_widgets::{loss_chart, started};
use super::theme::Theme;
use super::train::Train;
use super::train::{Field, Status};

pub fn render(f: &mut Frame, t: &Train, transforms_on: usize, theme: Theme, area: Rect) {
    let [left, right] = Layout::horizontal([Constraint::Length(40), Constraint::Min(20)]).areas(area);
    let [settings, runs] = Layout::vertical([Constraint::Length(11), Constraint::Min(3)]).areas(left);
    render_settings(f, t, transforms_on, theme, settings);
    render_runs(f, t, theme, runs);
    render_followed(f, t, theme, right);
}

fn render_settings(f: &mut Frame, t: &Train, transforms_on: usize, theme: Theme, area: Rect) {
    let mut lines: Vec<Line> = Field::ALL
        .iter()
        .enumerate()
        .map(|(i, field)| {
            let style = if i == t.field { theme.selected() } else { Style::new() };
            let mut value = t.value(*field);
            if *field == Field::Augment && value == "on" {
                value = match transforms_on {
                    0 => "on · none chosen (F3)".to_string(),
                    n => format!("on · {n} transforms (F3)"),
                };
            }
            Line::from(vec![
                Span::styled(format!("{:<9}", field.name()), theme.dim()),
                Span::styled(format!("‹ {value} ›"), style),
            ])
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled("j/k setting · h/l value", theme.dim())));
    lines.push(Line::from(Span::styled("Enter launch · c cancel", theme.dim())));
    f.render_widget(Paragraph::new(lines).block(Block::bordered().title(" next run ")), area);
}

fn render_runs(f: &mut Frame, t: &Train, theme: Theme, area: Rect) {
    let lines: Vec<Line> = if t.runs.is_empty() {
        vec![Line::from(Span::styled("no runs yet", theme.dim()))]
    } else {
        t.runs
            .iter()
            .map(|r| {
                let style =
                    if Some(&r.id) == t.followed.as_ref() { theme.selected() } else { status_style(theme, &r.status) };
                Line::from(Span::styled(format!("{} {:<13} {}", started(&r.id), clip(&r.model, 13), r.status), style))
            })
            .collect()
    };
    f.render_widget(Paragraph::new(lines).block(Block::bordered().title(" runs · PgUp/PgDn follow ")), area);
}

fn status_style(theme: Theme, status: &str) -> Style {
    match status {
        "running" => theme.accent(),
        "failed" | "stopped" => theme.fg("red"),
        "cancelled" => theme.fg("yellow"),
        _ => Style::new(),
    }
}

fn render_followed(f: &mut Frame, t: &Train, theme: Theme, area: Rect) {
    let block = Block::bordered().title(" followed run ");
    let inner = block.inner(area);
    f.render_widget(block, area);
    let Some(run) = t.followed_run() else {
        let text = "No run yet. Choose the settings on the left and press Enter: the run goes on \
                    in the background even if the workbench closes.";
        f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), inner);
        return;
    };
    let status = Status::from_events(&t.events);
    let [head, gauge, chart] =
        Layout::vertical([Constraint::Length(5), Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    let mut lines = vec![
        Line::from(vec![
            Span::styled(run.id.clone(), theme.accent()),
            Span::raw(format!("  {} on {}", run.model, run.features)),
        ]),
        Line::from(Span::styled(run.status.clone(), status_style(theme, &run.status))),
    ];
    match &status.end {
        Some(end) if end["event"] == "finished" && end.get("map50").is_some() => lines.push(Line::from(format!(
            "mAP@0.5 {} · mAP@[.5:.95] {} · F5 shows the results",
            end["map50"].as_f64().map_or("-".into(), |v| format!("{v:.3}")),
            end["map"].as_f64().map_or("-".into(), |v| format!("{v:.3}"))
        ))),
        Some(end) if end["event"] == "finished" => lines.push(Line::from(format!(
            "accuracy {:.3} · macro F1 {:.3} · F5 shows the results",
            end["accuracy"].as_f64().unwrap_or(f64::NAN),
            end["macro_f1"].as_f64().unwrap_or(f64::NAN)
        ))),
        Some(end) if end["event"] == "failed" => {
            lines.push(Line::from(Span::styled(end["error"].as_str().unwrap_or("").to_string(), theme.fg("red"))))
        }
        Some(_) => lines.push(Line::from("stopped before the end: no model was saved")),
        None if run.status == "stopped" => {
            lines.push(Line::from(Span::styled("its process is gone: the run will not finish", theme.fg("red"))))
        }
        None => lines.push(Line::from(status.stage.clone().unwrap_or_else(|| "starting…".into()))),
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), head);
    if status.end.is_none()
        && let Some((done, total)) = status.progress
    {
        let eta = status.eta().map_or(String::new(), |s| format!(" · {s:.0} s left"));
        let ratio = if total == 0 { 0.0 } else { (done as f64 / total as f64).clamp(0.0, 1.0) };
        let gauge_widget =
            Gauge::default().ratio(ratio).label(format!("{done}/{total}{eta}")).gauge_style(theme.accent());
        f.render_widget(gauge_widget, gauge);
    }
    if chart.height >= 6 && status.loss.len() >= 2 {
        f.render_widget(loss_chart(&status.loss, theme), chart);
    }
}
