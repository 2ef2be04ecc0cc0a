//! What the Train and Results panes both draw of a run: when it started, its loss curve.

use ratatui::symbols::Marker;
use ratatui::text::Span;
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType};

use super::cells::clip;
use super::theme::Theme;

/// When a run started, from its id (`20261122-093005-logistic` → `11-22 09:30`).
pub fn started(id: &str) -> String {
    match (id.get(4..6), id.get(6..8), id.get(9..11), id.get(11..13)) {
        (Some(mo), Some(d), Some(h), Some(mi)) if id.as_bytes().get(8) == Some(&b'-') => format!("{mo}-{d} {h}:{mi}"),
        _ => clip(id, 11),
    }
}

/// Training loss per iteration.
pub fn loss_chart(points: &[(f64, f64)], theme: Theme) -> Chart<'_> {
    let (x_max, y_min, y_max) = points
        .iter()
        .fold((1.0f64, f64::INFINITY, f64::NEG_INFINITY), |(x, lo, hi), p| (x.max(p.0), lo.min(p.1), hi.max(p.1)));
    let pad = ((y_max - y_min) * 0.05).max(1e-9);
    let dataset =
        Dataset::default().marker(Marker::Braille).graph_type(GraphType::Line).style(theme.accent()).data(points);
    Chart::new(vec![dataset])
        .block(Block::new().title(Span::styled("training loss", theme.dim())))
        .x_axis(
            Axis::default().title("iteration").bounds([1.0, x_max]).labels(["1".to_string(), format!("{x_max:.0}")]),
        )
        .y_axis(
            Axis::default().bounds([y_min - pad, y_max + pad]).labels([format!("{y_min:.3}"), format!("{y_max:.3}")]),
        )
}
