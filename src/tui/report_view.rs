//! Drawing the Report view: the band, then each finding with its examples and suggestion,
//! then the profile of the data.

use kindling::readiness::{Report, Severity};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::report::ReportView;
use super::theme::Theme;

pub fn render(f: &mut Frame, view: &ReportView, theme: Theme, area: Rect) {
    let block = Block::bordered().title(" readiness report · R closes · j/k scroll ");
    let lines = match &view.result {
        None => vec![Line::from(Span::styled("checking the data…", theme.dim()))],
        Some(Err(e)) => vec![Line::from(Span::styled(e.clone(), theme.fg("red")))],
        Some(Ok(report)) => lines(report, theme),
    };
    let height = area.height.saturating_sub(2) as usize;
    let top = view.scroll.min(lines.len().saturating_sub(height));
    let shown: Vec<Line> = lines.into_iter().skip(top).collect();
    f.render_widget(Paragraph::new(shown).wrap(Wrap { trim: false }).block(block), area);
}

fn lines(report: &Report, theme: Theme) -> Vec<Line<'static>> {
    let band_style = match report.band.as_str() {
        "A" => theme.fg("green"),
        "B" | "C" => theme.fg("yellow"),
        _ => theme.fg("red"),
    };
    let mut out = vec![
        Line::from(vec![
            Span::raw("band "),
            Span::styled(report.band.clone(), band_style),
            Span::styled("   C accessible · B faithful · A appropriate for the task", theme.dim()),
        ]),
        Line::from(""),
    ];
    if report.findings.is_empty() {
        out.push(Line::from("no findings"));
    }
    for f in &report.findings {
        let (word, style) = match f.severity {
            Severity::Info => ("info", theme.dim()),
            Severity::Warning => ("warning", theme.fg("yellow")),
            Severity::Error => ("error", theme.fg("red")),
        };
        let column = f.column.as_deref().map(|c| format!(" [{c}]")).unwrap_or_default();
        out.push(Line::from(vec![
            Span::raw(format!("{:?} ", f.band)),
            Span::styled(format!("{word:<8}"), style),
            Span::styled(format!("{}{column}", f.check.name()), theme.accent()),
            Span::raw(format!(": {}", f.message)),
        ]));
        if !f.examples.is_empty() {
            out.push(Line::from(Span::styled(format!("    e.g. {}", f.examples.join(", ")), theme.dim())));
        }
        out.push(Line::from(format!("    → {}", f.suggestion)));
    }
    out.push(Line::from(""));
    for (key, value) in &report.profile {
        out.push(Line::from(vec![Span::styled(format!("{key}: "), theme.dim()), Span::raw(value.clone())]));
    }
    out
}
