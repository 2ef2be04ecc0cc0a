//! Drawing the Map pane: the points as braille dots (ratatui's `Canvas`), coloured by class
//! (unlabelled dim) or by cluster, the selection bright, the cursor as a cross, an open
//! rectangle outlined; beside it the sample under the cursor and the keys.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::canvas::{Canvas, Points, Rectangle};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::component::Shared;
use super::map::{Colouring, DotsKey, Map};
use super::map_data::{Progress, Shown};
use super::map_dots::{self, Dots, DotsShape, View};
use super::sample_view;
use super::theme::Theme;

/// Colours of clusters, in turn.
const CLUSTER_COLOURS: [&str; 8] = ["cyan", "yellow", "magenta", "green", "red", "blue", "lightred", "lightgreen"];

pub fn render(f: &mut Frame, m: &mut Map, shared: &Shared, theme: Theme, area: Rect) {
    let block = Block::new().borders(Borders::ALL).title(" Map ");
    let inner = block.inner(area);
    f.render_widget(block, area);
    match &m.data {
        None => {
            let text =
                "computing the map: the vectors (cached after the first time), their principal components, clusters…";
            let mut lines = vec![Line::from(Span::styled(text, theme.dim())), Line::from("")];
            lines.extend(m.progress.iter().flat_map(|p| progress_lines(p, usize::from(inner.width), theme)));
            f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
            return;
        }
        Some(Err(e)) => {
            f.render_widget(Paragraph::new(Span::styled(e.clone(), theme.fg("red"))).wrap(Wrap { trim: false }), inner);
            return;
        }
        Some(Ok(_)) => {}
    }
    let side = if inner.width >= 70 { 32 } else { 24 };
    let [plot, panel] = Layout::horizontal([Constraint::Min(10), Constraint::Length(side)]).areas(inner);
    let half = m.span() / 2.0;
    let (x0, x1) = (m.centre.0 - half, m.centre.0 + half);
    let (y0, y1) = (m.centre.1 - half, m.centre.1 + half);
    let visible = |p: &(f64, f64)| (x0..=x1).contains(&p.0) && (y0..=y1).contains(&p.1);
    let colour = |name: &str| theme.fg(name).fg.unwrap_or(Color::Reset);
    // The colours are looked up once a frame, not once a point.
    let (names, colours): (Vec<String>, Vec<Color>) = match m.colouring() {
        Colouring::Label | Colouring::Suggestion => {
            shared.classes.iter().map(|c| (c.name.clone(), colour(&c.colour))).unzip()
        }
        Colouring::Cluster => CLUSTER_COLOURS.iter().map(|c| (c.to_string(), colour(c))).unzip(),
    };
    let view = View { x: (x0, x1), y: (y0, y1), cols: usize::from(plot.width), rows: usize::from(plot.height) };
    let key = DotsKey { view, colouring: m.colouring(), revision: m.revision, names };
    if m.dots.as_ref().is_none_or(|(k, _)| *k != key) {
        let dots = bin_points(m, &key);
        m.dots = Some((key, dots));
    }
    let Some(data) = m.ok() else { return };
    let dots = &m.dots.as_ref().expect("binned above").1;
    let selected: Vec<(f64, f64)> = m.selection.iter().map(|&i| data.xy[i]).filter(|p| visible(p)).collect();
    let cursor = data.xy[m.cursor];
    let dim = if theme.colour { Color::DarkGray } else { Color::Reset };
    let bright = if theme.light { Color::Black } else { Color::White };
    let canvas = Canvas::default().marker(Marker::Braille).x_bounds([x0, x1]).y_bounds([y0, y1]).paint(|ctx| {
        ctx.draw(&DotsShape { dots, dim, colours: &colours });
        ctx.layer();
        ctx.draw(&Points { coords: &selected, color: bright });
        if let Some(a) = m.anchor {
            let (lx, ly) = (a.0.min(cursor.0), a.1.min(cursor.1));
            let (w, h) = ((a.0 - cursor.0).abs(), (a.1 - cursor.1).abs());
            ctx.draw(&Rectangle { x: lx, y: ly, width: w, height: h, color: bright });
        }
        ctx.print(cursor.0, cursor.1, Span::styled("✛", theme.accent()));
    });
    f.render_widget(canvas, plot);
    render_panel(f, m, shared, theme, panel);
}

/// The points' dots for the view in `key`, each coloured by its group there.
fn bin_points(m: &Map, key: &DotsKey) -> Dots {
    let Some(data) = m.ok() else { return Dots::default() };
    // The group of each label (or suggestion) number.
    let group = |numbered: &[String]| -> Vec<Option<usize>> {
        numbered.iter().map(|l| key.names.iter().position(|n| n == l)).collect()
    };
    let (label_group, suggestion_group) = (group(&data.index.names), group(&data.suggested_names));
    let group_of = |i: usize| match key.colouring {
        Colouring::Label => data.index.of[i].and_then(|k| label_group[k as usize]),
        Colouring::Suggestion => data.suggested[i].and_then(|k| suggestion_group[k as usize]),
        Colouring::Cluster => Some(data.cluster[i] % CLUSTER_COLOURS.len()),
    };
    map_dots::bin(&data.xy, group_of, key.names.len(), key.view)
}

/// Which colour is which class (or cluster), as the dots are drawn.
fn legend(colouring: Colouring, shared: &Shared, theme: Theme) -> Line<'static> {
    let mut spans = Vec::new();
    match colouring {
        Colouring::Label | Colouring::Suggestion => {
            for c in &shared.classes {
                spans.push(Span::styled(format!("■ {} ", c.name), theme.fg(&c.colour)));
            }
            let none = if colouring == Colouring::Label { "unlabelled" } else { "no suggestion" };
            spans.push(Span::styled(format!("· {none}"), theme.dim()));
        }
        Colouring::Cluster => {
            for (k, c) in CLUSTER_COLOURS.iter().enumerate() {
                spans.push(Span::styled(format!("■ {k} "), theme.fg(c)));
            }
        }
    }
    Line::from(spans)
}

fn render_panel(f: &mut Frame, m: &mut Map, shared: &Shared, theme: Theme, area: Rect) {
    let Some(data) = m.ok() else { return };
    let id = &data.ids[m.cursor];
    let label = data.labels.get(id);
    let mut lines = vec![
        Line::from(Span::styled(id.clone(), theme.accent())),
        Line::from(match label {
            Some(l) => Span::styled(format!("label: {l}"), shared.colour_of(l).map_or(Style::new(), |c| theme.fg(c))),
            None => Span::styled("unlabelled", theme.dim()),
        }),
        Line::from(format!("cluster {} of {}", data.cluster[m.cursor], data.clusters)),
        Line::from(match data.suggested.get(m.cursor).copied().flatten() {
            Some(k) => Span::raw(format!("live model: {}", data.suggested_names[k as usize])),
            None => Span::styled("live model: no suggestion", theme.dim()),
        }),
        Line::from(""),
    ];
    let sample = match &m.preview {
        Some((pid, Shown::Row(Ok(row)))) if pid == id => {
            lines.extend(row.iter().map(|t| Line::from(t.clone())));
            false
        }
        Some((pid, Shown::Row(Err(e)))) if pid == id => {
            lines.push(Line::from(Span::styled(e.clone(), theme.fg("red"))));
            false
        }
        Some((pid, Shown::Sample(_))) if pid == id => true,
        _ => {
            lines.push(Line::from(Span::styled("…", theme.dim())));
            false
        }
    };
    let labelled = data.labels.len();
    // The map's own lines stay at the foot of the panel, whatever the sample's length (a
    // row of 64 columns would push them off an 80×24 screen).
    let mut state = vec![Line::from(Span::styled(
        format!(
            "{} points · {labelled} labelled · {} {} · zoom ×{}",
            data.ids.len(),
            data.features,
            data.projection.name(),
            1u32 << m.zoom
        ),
        theme.dim(),
    ))];
    if m.neighbours_pending {
        state.push(Line::from(Span::styled("neighbour map coming…", theme.dim())));
        state.extend(m.progress.iter().flat_map(|p| progress_lines(p, usize::from(area.width - 1), theme)));
        state.push(Line::from(Span::styled("(principal components now)", theme.dim())));
    }
    let colouring = match m.colouring() {
        Colouring::Label => "by label",
        Colouring::Suggestion => "by the live model",
        Colouring::Cluster => "by cluster",
    };
    state.push(Line::from(Span::styled(format!("coloured {colouring} (c)"), theme.dim())));
    state.push(legend(m.colouring(), shared, theme));
    if !m.selection.is_empty() {
        state.push(Line::from(Span::styled(format!("{} selected", m.selection.len()), theme.accent())));
    }
    if m.anchor.is_some() {
        state.push(Line::from(Span::styled("rectangle open: v closes it", theme.accent())));
    }
    state.push(Line::from(Span::styled(
        "←↑↓→ move · +/- zoom · v rectangle · n neighbours · class key labels · Enter opens · Esc clears",
        theme.dim(),
    )));
    let block = Block::new().borders(Borders::LEFT);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let width = usize::from(inner.width.max(1));
    let rows: usize = state.iter().map(|l| wrapped_rows(&l.to_string(), width)).sum();
    let [above, foot] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(rows.min(usize::from(inner.height)) as u16)])
            .areas(inner);
    if !sample {
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), above);
    } else {
        // A file: its facts, then the sample as the Browse pane draws it (a picture, a
        // waveform, the text wrapped) with its line of facts, above the map's own lines.
        let facts: usize = lines.iter().map(|l| wrapped_rows(&l.to_string(), width)).sum();
        let [facts_area, body, meta] =
            Layout::vertical([Constraint::Length(facts as u16), Constraint::Min(0), Constraint::Length(1)])
                .areas(above);
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), facts_area);
        if let Some((_, Shown::Sample(preview))) = &m.preview {
            let view = sample_view::TextView::default();
            sample_view::render(f, preview, m.image.as_mut(), false, theme, view, [body, meta]);
        }
    }
    f.render_widget(Paragraph::new(state).wrap(Wrap { trim: false }), foot);
}

/// The map job's stage and a bar of its share done, in `width` columns: the vectors of
/// 100,000 images or the neighbours of 2,000,000 rows take minutes the first time.
fn progress_lines(p: &Progress, width: usize, theme: Theme) -> Vec<Line<'static>> {
    let Some(percent) = p.percent() else {
        return vec![Line::from(Span::styled(format!("{}…", p.stage), theme.dim()))];
    };
    let bar = width.clamp(1, 30);
    let full = bar * percent as usize / 100;
    vec![
        Line::from(Span::styled(format!("{}: {percent}%", p.stage), theme.dim())),
        Line::from(vec![
            Span::styled("█".repeat(full), theme.accent()),
            Span::styled("░".repeat(bar - full), theme.dim()),
        ]),
    ]
}

/// The rows `text` takes wrapped at words into `width` columns (a word wider than a row
/// broken across rows), as the panel's paragraph wraps it.
fn wrapped_rows(text: &str, width: usize) -> usize {
    let (mut rows, mut used) = (1, 0);
    for word in text.split(' ') {
        let w = Span::raw(word).width();
        let needed = if used == 0 { w } else { used + 1 + w };
        if needed <= width {
            used = needed;
        } else if w <= width {
            rows += 1;
            used = w;
        } else {
            rows += usize::from(used > 0) + (w - 1) / width;
            used = (w - 1) % width + 1;
        }
    }
    rows
}
