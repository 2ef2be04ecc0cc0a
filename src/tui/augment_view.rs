//! Drawing the Augment pane: the transforms with their toggles and numbers on the left; the
//! sample selected in Browse and augmented versions of it on the right (images in half
//! blocks, texts as text, clips as waveforms, table rows as columns of values).

use image::RgbImage;
use kindling::workflow::augment_preview::Versions;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Sparkline, Wrap};

use super::augment::Augment;
use super::cells::clip;
use super::theme::Theme;

pub fn render(f: &mut Frame, a: &Augment, theme: Theme, area: Rect) {
    // Wide screens give the transforms' numbers their whole line.
    let list_width = if area.width >= 160 { 72 } else { 44 };
    let [list, preview] = Layout::horizontal([Constraint::Length(list_width), Constraint::Min(20)]).areas(area);
    render_list(f, a, theme, list);
    let title = match &a.sample {
        Some(id) => {
            // The preview draws several versions to look at; training makes `copies` a sample.
            let copies = a.copies();
            let per = if copies == 1 { "1 copy".to_string() } else { format!("{copies} copies") };
            let (id, n) = (clip(id, 30), super::augment::VERSIONS);
            [
                format!(" {id} · {n} draws to look at (training: {per} a sample) · seed {} · r: new ones ", a.seed),
                format!(" {id} · {n} draws (training: {per} a sample) · r: new ones "),
                format!(" {id} · {n} draws · training {per} "),
                format!(" {n} draws · training {per} "),
            ]
            .into_iter()
            .find(|t| t.chars().count() + 2 <= usize::from(preview.width))
            .unwrap_or_default()
        }
        None => " preview ".to_string(),
    };
    let block = Block::bordered().title(title);
    let inner = block.inner(preview);
    f.render_widget(block, preview);
    match &a.versions {
        _ if a.sample.is_none() => {
            let text = "Select a sample in Browse (F1): its augmented versions show here.";
            f.render_widget(Paragraph::new(Span::styled(text, theme.dim())).wrap(Wrap { trim: true }), inner);
        }
        None => f.render_widget(Paragraph::new(Span::styled("making versions…", theme.dim())), inner),
        Some((_, Err(e))) => {
            f.render_widget(Paragraph::new(Span::styled(e.clone(), theme.fg("red"))).wrap(Wrap { trim: true }), inner)
        }
        Some((_, Ok(v))) => render_versions(f, v, theme, inner),
    }
}

fn render_list(f: &mut Frame, a: &Augment, theme: Theme, area: Rect) {
    let row_style = |i: usize| if i == a.cursor { theme.selected() } else { Style::new() };
    let mut lines = vec![Line::from(Span::styled(format!("copies per sample ‹ {} ›", a.copies()), row_style(0)))];
    for (i, spec) in a.modality.transforms().iter().enumerate() {
        let Some((on, step)) = a.settings.step(a.modality, spec.name) else { continue };
        let numbers: Vec<String> = std::iter::once(format!("p {}", step.p))
            .chain(spec.params.iter().map(|p| format!("{} {}", p.name, step.param(p.name))))
            .collect();
        let mark = if on { "[x]" } else { "[ ]" };
        let text = format!("{mark} {:<19} {}", spec.name, numbers.join(" "));
        let style = if on { row_style(i + 1).patch(theme.accent()) } else { row_style(i + 1) };
        lines.push(Line::from(Span::styled(clip(&text, area.width.saturating_sub(2) as usize), style)));
    }
    lines.push(Line::from(""));
    if let Some(spec) = a.selected() {
        lines.push(Line::from(Span::styled(spec.about.to_string(), theme.dim())));
    }
    lines.push(Line::from(Span::styled("space on/off · Enter edit numbers · h/l copies", theme.dim())));
    lines.push(Line::from(Span::styled("saved to kindling.toml; train uses them", theme.dim())));
    let block = Block::bordered().title(format!(" augment · {} on ", a.on()));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).block(block), area);
}

fn label(k: usize) -> String {
    if k == 0 { "original".into() } else { format!("version {k}") }
}

fn render_versions(f: &mut Frame, v: &Versions, theme: Theme, area: Rect) {
    match v {
        Versions::Images(images) => {
            // The grid (columns × rows) that gives each picture the most room; half blocks
            // draw two pixels a row, so a square picture w columns wide takes w / 2 rows.
            let n = images.len().max(1) as u16;
            let side = |columns: u16| {
                let rows = n.div_ceil(columns);
                let width = (area.width / columns).saturating_sub(1);
                let height = (area.height / rows).saturating_sub(1);
                width.min(height * 2)
            };
            let columns = (1..=n).max_by_key(|&c| (side(c), c)).unwrap_or(n);
            let width = side(columns).max(4);
            let height = (width / 2).max(2);
            for (k, img) in images.iter().enumerate() {
                let (col, row) = (k as u16 % columns, k as u16 / columns);
                let (x, y) = (area.x + col * (width + 1), area.y + row * (height + 1));
                if x + width > area.x + area.width || y + height + 1 > area.y + area.height {
                    break;
                }
                let cell = Rect { x, y, width, height: height + 1 };
                let mut lines = vec![Line::from(Span::styled(clip(&label(k), width as usize), theme.dim()))];
                lines.extend(half_blocks(img, width, height));
                f.render_widget(Paragraph::new(lines), cell);
            }
        }
        Versions::Texts(texts) => {
            // Each version an equal share of the rows: a long original must not push the
            // versions off screen. Line breaks read as spaces (they join words otherwise).
            let bodies: Vec<String> =
                texts.iter().map(|t| t.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
            // A heading, the wrapped text, a blank line.
            let needs: Vec<u16> =
                bodies.iter().map(|b| super::sample_view::wrapped_lines(b, area.width).saturating_add(2)).collect();
            let constraints = match needs.iter().map(|n| *n as u32).sum::<u32>() <= area.height as u32 {
                true => needs.iter().map(|n| Constraint::Length(*n)).collect(),
                false => vec![Constraint::Ratio(1, texts.len().max(1) as u32); texts.len()],
            };
            let rows = Layout::vertical(constraints).split(area);
            for (k, (body, room)) in bodies.into_iter().zip(rows.iter()).enumerate() {
                let lines = vec![Line::from(Span::styled(label(k), theme.accent())), Line::from(body)];
                f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), *room);
            }
        }
        Versions::Clips { rate, clips } => {
            let each = (area.height / clips.len().max(1) as u16).clamp(2, 6);
            for (k, samples) in clips.iter().enumerate() {
                let y = area.y + k as u16 * each;
                if y + each > area.y + area.height {
                    break;
                }
                let seconds = samples.len() as f64 / f64::from((*rate).max(1));
                let title = format!("{} · {seconds:.2} s", label(k));
                let peaks = envelope(samples, area.width as usize);
                let spark = Sparkline::default().data(&peaks).max(1000).style(theme.accent());
                let [head, wave] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(Rect {
                    y,
                    height: each,
                    ..area
                });
                f.render_widget(Paragraph::new(Span::styled(title, theme.dim())), head);
                f.render_widget(spark, wave);
            }
        }
        Versions::Rows { columns, rows } => {
            let name_width = columns.iter().map(|c| c.chars().count()).max().unwrap_or(4).min(16);
            // Every version gets a column, narrower on a narrow screen (at least 6).
            let room = usize::from(area.width).saturating_sub(name_width);
            let cell = (room / rows.len().max(1)).saturating_sub(1).clamp(6, 11);
            let mut header = format!("{:<name_width$}", "");
            for k in 0..rows.len() {
                header += &format!(" {:>cell$}", clip(&label(k), cell));
            }
            let mut lines = vec![Line::from(Span::styled(header, theme.dim()))];
            for (j, column) in columns.iter().enumerate() {
                let mut text = format!("{:<name_width$}", clip(column, name_width));
                for row in rows {
                    text += &format!(" {:>cell$}", clip(row.get(j).map_or("", String::as_str), cell));
                }
                lines.push(Line::from(text));
            }
            f.render_widget(Paragraph::new(lines), area);
        }
    }
}

/// The largest |sample| in each of `buckets` stretches, in thousandths.
fn envelope(samples: &[f32], buckets: usize) -> Vec<u64> {
    let buckets = buckets.max(1);
    let per = samples.len().div_ceil(buckets).max(1);
    samples.chunks(per).map(|c| (c.iter().fold(0.0f32, |m, v| m.max(v.abs())) * 1000.0) as u64).collect()
}

/// An image drawn `width` cells wide and `height` rows high, two pixels per cell.
fn half_blocks(img: &RgbImage, width: u16, height: u16) -> Vec<Line<'static>> {
    let small =
        image::imageops::resize(img, u32::from(width), u32::from(height) * 2, image::imageops::FilterType::Triangle);
    (0..u32::from(height))
        .map(|row| {
            let spans: Vec<Span> = (0..u32::from(width))
                .map(|x| {
                    let [r1, g1, b1] = small.get_pixel(x, 2 * row).0;
                    let [r2, g2, b2] = small.get_pixel(x, 2 * row + 1).0;
                    Span::styled("▀", Style::new().fg(Color::Rgb(r1, g1, b1)).bg(Color::Rgb(r2, g2, b2)))
                })
                .collect();
            Line::from(spans)
        })
        .collect()
}
