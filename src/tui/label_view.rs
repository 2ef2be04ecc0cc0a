//! Drawing the Label pane: the sample large (or a grid of many), live stats beside it, and
//! the classes with their keys always visible below.

use kindling::data::SourceKind;
use kindling::data::preview::Preview;
use kindling::labels::multi;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::cells::{clip, grid_cell};
use super::component::Shared;
use super::label::{Content, Labeller};
use super::sample_view;
use super::theme::Theme;

/// What label QA says so far: self-agreement and κ, gold accuracy, a drop in care.
fn qa_lines(qa: &kindling::qa::QaReport, width: usize, theme: &Theme, lines: &mut Vec<Line<'static>>) {
    let mut dim = |said: String| lines.push(Line::from(Span::styled(clip(&said, width), theme.dim())));
    let a = &qa.self_agreement;
    if a.pairs > 0 {
        dim(format!("self-agreement {:.2} on {}", a.percent, a.pairs));
        if let Some(k) = &a.kappa {
            dim(format!("κ {:.2} ({:.2} to {:.2})", k.value, k.low, k.high));
        }
    }
    if let Some(g) = &qa.gold {
        dim(format!("gold {:.2} right on {}", g.accuracy.value, g.answered));
    }
    if let Some(d) = &qa.drop {
        let said = format!("care fell at label {}", d.after_labels);
        lines.push(Line::from(Span::styled(clip(&said, width), theme.accent())));
        for (what, before, after) in [("re-asks", d.before, d.after), ("model", d.model_before, d.model_after)] {
            if let (Some(b), Some(a)) = (before, after) {
                lines.push(Line::from(Span::styled(clip(&format!("  {what} {b:.2} → {a:.2}"), width), theme.dim())));
            }
        }
    }
}

/// Width of the stats column.
const STATS: u16 = 28;
/// A text cell of the grid.
const TEXT_CELL: (u16, u16) = (32, 5);

pub fn render(f: &mut Frame, l: &mut Labeller, shared: &Shared, theme: Theme, area: Rect) {
    let shown = l.current().unwrap_or("").to_string();
    let what = match &l.review {
        Some(r) => r.describe(),
        None if l.order == kindling::workflow::queue::Order::Random => format!("random (seed {})", l.seed),
        // Why no model orders it yet.
        None if l.order == kindling::workflow::queue::Order::UnlabelledFirst && l.run.is_none() => {
            "unlabelled first (no model yet)".to_string()
        }
        None => l.order.name().to_string(),
    };
    let position = match &l.queue {
        None => "…".to_string(),
        Some(q) if q.is_empty() => "0/0".to_string(),
        Some(q) => format!("{}/{}", l.pos + 1, q.len()),
    };
    let block = Block::bordered()
        .title(Line::from(format!(" Label · {shown} ")).left_aligned())
        .title(Line::from(format!(" {what} · {position} ")).right_aligned());
    let inner = block.inner(area);
    f.render_widget(block, area);
    let class_lines = class_bar(l, theme, inner.width as usize);
    let [main, classes] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(class_lines.len() as u16)]).areas(inner);
    f.render_widget(Paragraph::new(class_lines), classes);
    let (sample, stats) = if main.width >= 60 {
        let [s, t] = Layout::horizontal([Constraint::Min(20), Constraint::Length(STATS)]).areas(main);
        (s, Some(t))
    } else {
        (main, None)
    };
    if let Some(stats) = stats {
        render_stats(f, l, theme, stats);
    }
    match &l.queue {
        None => {
            let text = format!("putting the samples in order ({what})…");
            f.render_widget(Paragraph::new(Span::styled(text, theme.dim())), sample);
        }
        Some(q) if q.is_empty() => {
            let text = if l.review.is_some() { "nothing to review here: r for the next review" } else { "no samples" };
            f.render_widget(Paragraph::new(Span::styled(text, theme.dim())), sample);
        }
        Some(_) if l.grid => render_grid(f, l, shared, theme, sample),
        Some(_) => render_sample(f, l, shared, theme, sample),
    }
}

fn class_style(app_label: &Labeller, theme: Theme, class: &str) -> Style {
    let colour = app_label.classes.iter().find(|c| c.name == class).map(|c| c.colour.as_str()).unwrap_or("");
    theme.fg(colour)
}

/// The classes and their keys; the shown sample's label (or the toggled classes) stands out.
fn class_bar(l: &Labeller, theme: Theme, width: usize) -> Vec<Line<'static>> {
    let current = l.current().and_then(|id| l.label_of(id)).unwrap_or("");
    let mut lines = vec![Vec::new()];
    let mut used = 0;
    for class in &l.classes {
        let on = if l.multi { l.toggled.contains(&class.name) } else { multi::split(current).any(|c| c == class.name) };
        let key = if class.key.is_empty() { "·".to_string() } else { class.key.clone() };
        let tick = match (l.multi, on) {
            (true, true) => "[x] ",
            (true, false) => "[ ] ",
            _ => "",
        };
        let text = format!("{key} {tick}{}", class.name);
        let len = text.chars().count() + 2;
        if used + len > width && used > 0 {
            lines.push(Vec::new());
            used = 0;
        }
        used += len;
        let mut style = class_style(l, theme, &class.name);
        if on {
            style = style.add_modifier(Modifier::REVERSED | Modifier::BOLD);
        }
        let line = lines.last_mut().expect("one line at least");
        line.push(Span::styled(text, style));
        line.push(Span::raw("  "));
    }
    let hint = if l.grid {
        "space mark · v range · key labels the marked"
    } else if l.multi {
        "keys toggle · Enter commits · space skip · u undo"
    } else {
        "space skip · u undo · x clear · ← → move"
    };
    lines.push(vec![Span::styled(hint.to_string(), theme.dim())]);
    lines.into_iter().map(Line::from).collect()
}

fn render_stats(f: &mut Frame, l: &Labeller, theme: Theme, area: Rect) {
    let per = l.per_class();
    let labelled: u64 = l.labels.len() as u64;
    let mut lines = vec![Line::from(Span::styled(
        match l.total {
            0 => format!("labelled {labelled}"),
            n => format!("labelled {labelled}/{n} ({:.0}%)", labelled as f64 * 100.0 / n as f64),
        },
        theme.accent(),
    ))];
    let name_width = per.iter().map(|(c, _)| c.chars().count()).max().unwrap_or(0).min(10);
    let count_width = per.iter().map(|(_, n)| n.to_string().len()).max().unwrap_or(1);
    let most = per.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let bar_room = (area.width as usize).saturating_sub(name_width + count_width + 3).max(1);
    for (class, n) in &per {
        let bar = "█".repeat((*n as usize * bar_room).div_ceil(most as usize).min(bar_room));
        lines.push(Line::from(vec![
            Span::raw(format!("{:<name_width$} ", clip(class, name_width))),
            Span::styled(format!("{bar:<bar_room$}"), class_style(l, theme, class)),
            Span::raw(format!(" {n:>count_width$}")),
        ]));
    }
    lines.push(Line::from(""));
    let pace = l.pace.per_minute().map_or("—".to_string(), |p| format!("{p:.0}/min"));
    lines.push(Line::from(format!("this session {} · {pace}", l.pace.labels)));
    if let Some(qa) = &l.qa {
        // The block's left border takes a column.
        qa_lines(qa, area.width.saturating_sub(1) as usize, &theme, &mut lines);
    }
    if let Some((live, at)) = &l.live {
        let ago = at.elapsed().as_secs();
        let said = format!("model: {} · {ago} s ago", live.refit.said());
        // On two lines where one does not fit the panel.
        match said.chars().count() <= area.width as usize {
            true => lines.push(Line::from(Span::styled(said, theme.accent()))),
            false => {
                let label = format!("model: {}", live.refit.said());
                lines.push(Line::from(Span::styled(label, theme.accent())));
                lines.push(Line::from(Span::styled(format!("  refitted {ago} s ago"), theme.dim())));
            }
        }
        if !live.refit.leaks.is_empty() {
            let said = format!("leak? {} alone gives the label", live.refit.leaks.join(", "));
            lines.push(Line::from(Span::styled(said, theme.fg("yellow"))));
        }
        if let Some(curve) = learning_curve(&live.curve, area.width as usize) {
            lines.push(Line::from(Span::styled(curve, theme.fg("cyan"))));
        }
        if let Some(tip) = encoder_tip(l.kind, &live.refit.features) {
            lines.push(Line::from(Span::styled(tip, theme.dim())));
        }
    }
    if let Some(run) = l.run.as_ref().filter(|_| l.live.is_none()) {
        lines.push(Line::from(Span::styled(format!("run {}", clip(run, area.width as usize - 4)), theme.dim())));
    }
    if l.grid && !l.marks.is_empty() {
        lines.push(Line::from(format!("marked {}", l.marks.len())));
    }
    if let Some(warning) = l.imbalance() {
        lines.push(Line::from(Span::styled(format!("⚠ {warning}"), theme.fg("yellow"))));
    }
    if let Some(note) = l.current().and_then(|id| l.notes.get(id)) {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(note.clone(), theme.accent())));
    }
    if let Some(pane) = l.back_to {
        lines.push(Line::from(Span::styled(format!("Esc: back to {}", pane.title()), theme.dim())));
    }
    let block = Block::new().borders(ratatui::widgets::Borders::LEFT);
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).block(block), area);
}

/// One line where a text or image project's live model runs on built-in features: a
/// pre-trained encoder needs far fewer labels.
fn encoder_tip(kind: SourceKind, features: &str) -> Option<String> {
    let name = match kind {
        SourceKind::Text => "all-MiniLM-L6-v2",
        SourceKind::Images => "tf_efficientnet_lite0",
        _ => return None,
    };
    (features != "encoder")
        .then(|| format!("fewer labels with an encoder: [features] encoder = \"{name}\" (kindling encoders)"))
}

/// Accuracy against labels over the past refits, as a row of block characters (the latest
/// `width - 10`), with the first and last label counts: `12 ▁▃▅▆▇ 212`.
fn learning_curve(curve: &[(usize, f64)], width: usize) -> Option<String> {
    let room = width.saturating_sub(12).max(4);
    let shown = &curve[curve.len().saturating_sub(room)..];
    if shown.len() < 2 {
        return None;
    }
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let bars: String = shown.iter().map(|(_, a)| BARS[((a.clamp(0.0, 1.0) * 7.0).round()) as usize]).collect();
    Some(format!("{} {bars} {}", shown[0].0, shown[shown.len() - 1].0))
}

fn render_sample(f: &mut Frame, l: &mut Labeller, shared: &Shared, theme: Theme, area: Rect) {
    if l.multi {
        l.sync_toggled();
    }
    let Some(id) = l.current().map(str::to_string) else { return };
    let [head, body, meta] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1), Constraint::Length(1)]).areas(area);
    let label = match l.label_of(&id) {
        Some(label) => Span::styled(label.to_string(), class_style(l, theme, label).add_modifier(Modifier::BOLD)),
        None => Span::styled("unlabelled", theme.dim()),
    };
    let mut spans = vec![Span::raw("label: "), label];
    if let Some(guess) = l.suggestion() {
        let (class, p) = (&guess.class, guess.probability);
        spans.push(Span::raw("   suggest: "));
        spans.push(Span::styled(format!("{class} {p:.2}"), class_style(l, theme, class).add_modifier(Modifier::BOLD)));
        if let Some((other, q)) = guess.runner_up {
            spans.push(Span::styled(format!("  or {other} {q:.2}"), class_style(l, theme, &other)));
        }
        spans.push(Span::styled("  (Enter accepts)", theme.dim()));
    }
    // What does not fit goes whole, the hint first, then the runner-up; the suggestion stays.
    let width = |spans: &[Span]| spans.iter().map(|s| s.content.chars().count()).sum::<usize>();
    while spans.len() > 4 && width(&spans) > head.width as usize {
        spans.pop();
    }
    f.render_widget(Paragraph::new(Line::from(spans)), head);
    let text_column = shared.text_column.clone();
    match l.content.get(&id) {
        None => f.render_widget(Paragraph::new(Span::styled("loading…", theme.dim())), body),
        Some(Content::Row(row)) => {
            let text = text_column.as_ref().and_then(|c| l.columns.iter().position(|k| k.name == *c));
            let mut lines: Vec<Line> = Vec::new();
            let mut total = 0;
            if let Some(t) = text {
                let value = row.values.get(t).cloned().flatten().unwrap_or_default();
                let mark = theme.accent().add_modifier(Modifier::REVERSED);
                lines.extend(sample_view::marked(&value, shared.search.as_deref(), mark));
                lines.push(Line::from(""));
                total = sample_view::wrapped_lines(&value, body.width) + 1;
            }
            let head = lines.len();
            let width = l.columns.iter().map(|c| c.name.chars().count()).max().unwrap_or(0).min(24);
            for (i, (column, value)) in l.columns.iter().zip(&row.values).enumerate() {
                if Some(i) == text || l.label_column.as_ref() == Some(&column.name) {
                    continue;
                }
                let value = match value {
                    Some(v) => Span::raw(column.shown(v)),
                    None => Span::styled("(missing)", theme.dim()),
                };
                lines.push(Line::from(vec![
                    Span::styled(format!("{:>width$}  ", clip(&column.name, width)), theme.dim()),
                    value,
                ]));
            }
            total += (lines.len() - head) as u16;
            l.picture_cells = (body.width, body.height);
            l.text_scroll = l.text_scroll.min(total.saturating_sub(body.height));
            let at = sample_view::position(l.text_scroll, body.height, total);
            f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).scroll((l.text_scroll, 0)), body);
            if !at.is_empty() {
                f.render_widget(
                    Paragraph::new(Span::styled(at.trim_start_matches(" · ").to_string(), theme.dim())),
                    meta,
                );
            }
        }
        Some(Content::Preview(preview)) => {
            // The room a picture fills, and half of which J / K scroll a text by.
            l.picture_cells = (body.width, body.height);
            let image = l.image.as_mut().filter(|(i, _)| *i == id).map(|(_, p)| p);
            let view = sample_view::TextView { scroll: l.text_scroll, marked: shared.search.as_deref() };
            l.text_scroll = sample_view::render(f, preview, image, true, theme, view, [body, meta]);
        }
    }
}

fn render_grid(f: &mut Frame, l: &mut Labeller, shared: &Shared, theme: Theme, area: Rect) {
    let cell = if l.kind == SourceKind::Images { grid_cell(area) } else { TEXT_CELL };
    l.grid_cell = cell;
    let per_row = (area.width / cell.0).max(1) as usize;
    let rows = (area.height / cell.1).max(1) as usize;
    l.set_layout(per_row * rows, per_row);
    let range = l.range_from.map(|from| from.min(l.pos)..=from.max(l.pos));
    for slot in 0..per_row * rows {
        let i = l.top + slot;
        let Some(id) = l.id_at(i) else { break };
        let x = area.x + (slot % per_row) as u16 * cell.0;
        let y = area.y + (slot / per_row) as u16 * cell.1;
        let rect = Rect { x, y, width: cell.0 - 1, height: cell.1 }.intersection(area);
        let picture = Rect { height: rect.height.saturating_sub(1), ..rect };
        let caption = Rect { y: rect.y + picture.height, height: 1, ..rect };
        if l.kind == SourceKind::Images {
            match shared.thumbs.encoded.get(id) {
                Some(Some(protocol)) => f.render_widget(ratatui_image::Image::new(protocol), picture),
                Some(None) => f.render_widget(Paragraph::new(Span::styled("(unreadable)", theme.dim())), picture),
                None => f.render_widget(Paragraph::new(Span::styled("…", theme.dim())), picture),
            }
        } else {
            let text = match l.content.get(id) {
                Some(Content::Preview(Ok(Preview::Text { text, .. }))) => text.clone(),
                Some(Content::Row(row)) => {
                    let column = shared.text_column.as_ref().and_then(|c| l.columns.iter().position(|k| k.name == *c));
                    column.and_then(|c| row.values.get(c).cloned().flatten()).unwrap_or_default()
                }
                Some(Content::Preview(Err(e))) => e.clone(),
                _ => "…".to_string(),
            };
            f.render_widget(Paragraph::new(text.replace('\n', " ")).wrap(Wrap { trim: true }), picture);
        }
        let marked = l.marks.contains(&i) || range.as_ref().is_some_and(|r| r.contains(&i));
        let guess = l.live.as_ref().and_then(|(live, _)| kindling::live::guess(&live.predictions, id));
        let label = match (l.label_of(id), guess) {
            (Some(label), _) => Span::styled(label.to_string(), class_style(l, theme, label)),
            // Unlabelled: the live model's guess, marked as one.
            (None, Some(g)) => {
                Span::styled(format!("{}?", g.class), class_style(l, theme, &g.class).add_modifier(Modifier::DIM))
            }
            (None, None) => Span::styled("·", theme.dim()),
        };
        let mark = if marked { "✓ " } else { "" };
        let room = (caption.width as usize).saturating_sub(label.content.chars().count() + mark.len() + 1);
        let line =
            Line::from(vec![Span::styled(mark, theme.accent()), label, Span::raw(" "), Span::raw(clip(id, room))]);
        let line = if i == l.pos { line.style(theme.selected()) } else { line };
        f.render_widget(Paragraph::new(line), caption);
    }
}

#[cfg(test)]
mod tests {
    use super::learning_curve;

    #[test]
    fn the_learning_curve_rises_with_accuracy_and_keeps_to_its_room() {
        assert_eq!(learning_curve(&[(2, 0.0), (6, 0.5), (12, 1.0)], 40).as_deref(), Some("2 ▁▅█ 12"));
        assert_eq!(learning_curve(&[(2, 0.5)], 40), None, "one refit is no curve");
        let long: Vec<(usize, f64)> = (0..100).map(|i| (i, 0.5)).collect();
        let shown = learning_curve(&long, 20).unwrap();
        assert_eq!(shown, format!("92 {} 99", "▅".repeat(8)), "only the latest refits that fit");
    }
}
