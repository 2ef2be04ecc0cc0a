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

use super::map::{Colouring, Map};
use super::pane::Shared;
use super::ui::Theme;

/// Colours of clusters, in turn.
const CLUSTER_COLOURS: [&str; 8] = ["cyan", "yellow", "magenta", "green", "red", "blue", "lightred", "lightgreen"];

pub fn render(f: &mut Frame, m: &Map, shared: &Shared, theme: Theme, area: Rect) {
    let block = Block::new().borders(Borders::ALL).title(" Map ");
    let inner = block.inner(area);
    f.render_widget(block, area);
    let data = match &m.data {
        None => {
            let text =
                "computing the map: the vectors (cached after the first time), their principal components, clusters…";
            f.render_widget(Paragraph::new(Span::styled(text, theme.dim())).wrap(Wrap { trim: false }), inner);
            return;
        }
        Some(Err(e)) => {
            f.render_widget(Paragraph::new(Span::styled(e.clone(), theme.fg("red"))).wrap(Wrap { trim: false }), inner);
            return;
        }
        Some(Ok(d)) => d,
    };
    let side = if inner.width >= 70 { 32 } else { 24 };
    let [plot, panel] = Layout::horizontal([Constraint::Min(10), Constraint::Length(side)]).areas(inner);
    let half = m.span() / 2.0;
    let (x0, x1) = (m.centre.0 - half, m.centre.0 + half);
    let (y0, y1) = (m.centre.1 - half, m.centre.1 + half);
    let visible = |p: &(f64, f64)| (x0..=x1).contains(&p.0) && (y0..=y1).contains(&p.1);
    let colour = |name: &str| theme.fg(name).fg.unwrap_or(Color::Reset);
    // Points by colour: unlabelled first (dim), then the classes or clusters over them. The
    // colours are looked up once a frame, not once a point (100,000 points redraw per key).
    let (names, colours): (Vec<&str>, Vec<Color>) = match m.colouring() {
        Colouring::Label | Colouring::Suggestion => {
            shared.classes.iter().map(|c| (c.name.as_str(), colour(&c.colour))).unzip()
        }
        Colouring::Cluster => CLUSTER_COLOURS.iter().map(|c| (*c, colour(c))).unzip(),
    };
    // The group of each label (or suggestion) number.
    let group = |numbered: &[String]| -> Vec<Option<usize>> {
        numbered.iter().map(|l| names.iter().position(|n| n == l)).collect()
    };
    let (label_group, suggestion_group) = (group(&data.index.names), group(&data.suggested_names));
    // A terminal cell shows one colour, that of the points drawn last in it: drawn class by
    // class, the last class covered every crowded part of the map. So each cell's points are
    // drawn in the commonest group among them.
    let (cols, rows) = (plot.width.max(1) as usize, plot.height.max(1) as usize);
    let cell_of = |p: &(f64, f64)| {
        let fx = ((p.0 - x0) / (x1 - x0)).clamp(0.0, 1.0);
        let fy = ((y1 - p.1) / (y1 - y0)).clamp(0.0, 1.0);
        ((fy * (4 * rows - 1) as f64) as usize / 4) * cols + (fx * (2 * cols - 1) as f64) as usize / 2
    };
    // Each visible point with its group (none: unlabelled) and its cell.
    let shown: Vec<((f64, f64), Option<usize>, usize)> = data
        .xy
        .iter()
        .enumerate()
        .filter(|(_, p)| visible(p))
        .map(|(i, p)| {
            let group = match m.colouring() {
                Colouring::Label => data.index.of[i].and_then(|k| label_group[k as usize]),
                Colouring::Suggestion => data.suggested[i].and_then(|k| suggestion_group[k as usize]),
                Colouring::Cluster => Some(data.cluster[i] % CLUSTER_COLOURS.len()),
            };
            (*p, group, cell_of(p))
        })
        .collect();
    let n = names.len().max(1);
    let mut counts = vec![0u32; cols * rows * n];
    for &(_, group, cell) in &shown {
        if let Some(g) = group {
            counts[cell * n + g] += 1;
        }
    }
    let commonest: Vec<usize> = counts
        .chunks_exact(n)
        .map(|c| c.iter().enumerate().max_by_key(|(g, k)| (**k, std::cmp::Reverse(*g))).map_or(0, |(g, _)| g))
        .collect();
    let mut groups: Vec<Vec<(f64, f64)>> = vec![Vec::new(); names.len()];
    let mut unlabelled = Vec::new();
    for (p, group, cell) in shown {
        match group {
            None => unlabelled.push(p),
            Some(_) => groups[commonest[cell]].push(p),
        }
    }
    let selected: Vec<(f64, f64)> = m.selection.iter().map(|&i| data.xy[i]).filter(|p| visible(p)).collect();
    let cursor = data.xy[m.cursor];
    let dim = if theme.colour { Color::DarkGray } else { Color::Reset };
    let bright = if theme.light { Color::Black } else { Color::White };
    let canvas = Canvas::default().marker(Marker::Braille).x_bounds([x0, x1]).y_bounds([y0, y1]).paint(|ctx| {
        ctx.draw(&Points { coords: &unlabelled, color: dim });
        for (coords, c) in groups.iter().zip(&colours) {
            ctx.draw(&Points { coords, color: *c });
        }
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

fn render_panel(f: &mut Frame, m: &Map, shared: &Shared, theme: Theme, area: Rect) {
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
    match &m.preview {
        Some((pid, Ok(text))) if pid == id => lines.extend(text.iter().map(|t| Line::from(t.clone()))),
        Some((pid, Err(e))) if pid == id => lines.push(Line::from(Span::styled(e.clone(), theme.fg("red")))),
        _ => lines.push(Line::from(Span::styled("…", theme.dim()))),
    }
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
        state.push(Line::from(Span::styled("(principal components now)", theme.dim())));
    }
    let colouring = match m.colouring() {
        Colouring::Label => "by label",
        Colouring::Suggestion => "by the live model",
        Colouring::Cluster => "by cluster",
    };
    state.push(Line::from(Span::styled(format!("coloured {colouring} (c)"), theme.dim())));
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
    let [sample, foot] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(rows.min(usize::from(inner.height)) as u16)])
            .areas(inner);
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), sample);
    f.render_widget(Paragraph::new(state).wrap(Wrap { trim: false }), foot);
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
