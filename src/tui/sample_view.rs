//! Drawing one sample of a folder source: text, waveform or image, with a line of facts
//! about it. Shared by the Browse and Label panes.

use kindling::data::preview::{AudioSummary, Preview};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui_image::protocol::StatefulProtocol;
use ratatui_image::{Resize, StatefulImage};

use super::theme::Theme;

/// How a text is drawn: from which wrapped line, with which words marked.
#[derive(Default)]
pub struct TextView<'a> {
    pub scroll: u16,
    pub marked: Option<&'a str>,
}

/// Draws `preview` into `body`, its facts into `meta`; `image` is the image encoded for the
/// terminal, `None` when graphics are off, drawn filling the area or (`fit`) never enlarged.
/// Returns the scroll a text was drawn at (within its length).
pub fn render(
    f: &mut Frame,
    preview: &Result<Preview, String>,
    image: Option<&mut StatefulProtocol>,
    fit: bool,
    theme: Theme,
    text_view: TextView,
    [body, meta]: [Rect; 2],
) -> u16 {
    match preview {
        Err(e) => {
            f.render_widget(Paragraph::new(Span::styled(e.clone(), theme.fg("red"))).wrap(Wrap { trim: false }), body)
        }
        Ok(Preview::Text { text, truncated }) => {
            let more = if *truncated { " (first 64 KiB)" } else { "" };
            let total = wrapped_lines(text, body.width);
            let scroll = text_view.scroll.min(total.saturating_sub(body.height));
            let place = position(scroll, body.height, total);
            let full = format!("{} characters{more}{place}", text.chars().count());
            // Where the text is matters more than its length when both do not fit.
            let meta_text = match full.chars().count() <= meta.width as usize || place.is_empty() {
                true => full,
                false => place.trim_start_matches(" · ").to_string(),
            };
            let lines = marked(text, text_view.marked, theme.accent().add_modifier(ratatui::style::Modifier::REVERSED));
            f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).scroll((scroll, 0)), body);
            f.render_widget(Paragraph::new(Span::styled(meta_text, theme.dim())), meta);
            return scroll;
        }
        Ok(Preview::Audio(a)) => {
            let meta_text =
                format!("{:.2} s · {} Hz · {} channel(s) · {}-bit", a.seconds, a.sample_rate, a.channels, a.bits);
            f.render_widget(
                Paragraph::new(waveform(a, body.width as usize, body.height as usize)).style(theme.fg("cyan")),
                body,
            );
            f.render_widget(Paragraph::new(Span::styled(meta_text, theme.dim())), meta);
        }
        Ok(Preview::Image(img)) => {
            let meta_text = format!("{}×{} · {:?}", img.width(), img.height(), img.color());
            match image {
                Some(protocol) => {
                    let resize = if fit { Resize::Fit(None) } else { Resize::Scale(None) };
                    f.render_stateful_widget(StatefulImage::default().resize(resize), body, protocol)
                }
                None => f.render_widget(
                    Paragraph::new(Span::styled("(graphics off: --graphics halfblocks shows images)", theme.dim())),
                    body,
                ),
            }
            f.render_widget(Paragraph::new(Span::styled(meta_text, theme.dim())), meta);
        }
    }
    0
}

/// Where a scrolled text is, when it is longer than its room.
pub fn position(scroll: u16, height: u16, total: u16) -> String {
    match total > height {
        true => format!(" · lines {}–{} of {total} (J/K scroll)", scroll + 1, (scroll + height).min(total)),
        false => String::new(),
    }
}

/// Lines of `text` as a wrapping paragraph of `width` shows them (words are not split
/// unless longer than the width, so this may count a line or two short; scrolling stops
/// at the end either way).
pub fn wrapped_lines(text: &str, width: u16) -> u16 {
    let width = width.max(1) as usize;
    let lines: usize = text.lines().map(|l| l.chars().count().div_ceil(width).max(1)).sum();
    lines.min(u16::MAX as usize) as u16
}

/// `text` as lines, each occurrence of `word` (ignoring case) drawn in `style`.
pub fn marked(text: &str, word: Option<&str>, style: ratatui::style::Style) -> Vec<Line<'static>> {
    let word = word.filter(|w| !w.is_empty()).map(str::to_lowercase);
    text.lines()
        .map(|line| {
            let Some(word) = &word else { return Line::from(line.to_string()) };
            let lower = line.to_lowercase();
            // Lowercasing can change byte lengths; mark only where it did not.
            if lower.len() != line.len() {
                return Line::from(line.to_string());
            }
            let mut spans = Vec::new();
            let mut at = 0;
            for (start, _) in lower.match_indices(word.as_str()) {
                if start < at {
                    continue;
                }
                spans.push(Span::raw(line[at..start].to_string()));
                spans.push(Span::styled(line[start..start + word.len()].to_string(), style));
                at = start + word.len();
            }
            spans.push(Span::raw(line[at..].to_string()));
            Line::from(spans)
        })
        .collect()
}

/// A waveform drawn with block characters: each column spans the clip's min..max there.
/// Below `ENVELOPE_ROWS` rows the clip is drawn as its envelope instead, in eighth blocks.
pub fn waveform(a: &AudioSummary, width: usize, height: usize) -> Vec<Line<'static>> {
    if width == 0 || height == 0 || a.peaks.is_empty() {
        return Vec::new();
    }
    let column = |x: usize| a.peaks[x * a.peaks.len() / width];
    if height < ENVELOPE_ROWS {
        return envelope(&(0..width).map(column).collect::<Vec<_>>(), height);
    }
    (0..height)
        .map(|y| {
            let top = 1.0 - 2.0 * y as f32 / height as f32;
            let bottom = 1.0 - 2.0 * (y + 1) as f32 / height as f32;
            let line: String = (0..width)
                .map(|x| {
                    let (lo, hi) = column(x);
                    if lo <= top && hi >= bottom {
                        '█'
                    } else if bottom <= 0.0 && top >= 0.0 {
                        '─'
                    } else {
                        ' '
                    }
                })
                .collect();
            Line::from(line)
        })
        .collect()
}

/// Fewer rows than this cannot show a clip's two halves: a loud clip filled them solid.
const ENVELOPE_ROWS: usize = 6;

/// Each column's loudness (the larger of its peaks) as a bar rising from the foot, drawn in
/// eighths of a row so that a clip's shape shows in two rows.
fn envelope(columns: &[(f32, f32)], height: usize) -> Vec<Line<'static>> {
    const EIGHTHS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let levels: Vec<usize> = columns
        .iter()
        .map(|(lo, hi)| (lo.abs().max(hi.abs()).min(1.0) * (height * 8) as f32).round() as usize)
        .collect();
    (0..height)
        .map(|y| {
            let floor = (height - 1 - y) * 8;
            Line::from(levels.iter().map(|&l| EIGHTHS[l.saturating_sub(floor).min(8)]).collect::<String>())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loud_clip_keeps_its_shape_in_two_rows() {
        // A clip that swells from silence to full and back, loud enough to fill two rows.
        let peaks: Vec<(f32, f32)> = (0..16).map(|i| 1.0 - (i as f32 - 8.0).abs() / 8.0).map(|a| (-a, a)).collect();
        let clip = AudioSummary { sample_rate: 8000, channels: 1, bits: 16, seconds: 1.0, peaks };
        let rows: Vec<String> = waveform(&clip, 16, 2).iter().map(|l| l.to_string()).collect();
        assert_eq!(rows.len(), 2);
        assert_ne!(rows[1], "█".repeat(16), "not a solid block: {rows:?}");
        assert!(
            rows[1].starts_with(' ') && rows[1].contains('█'),
            "silence at the start, full in the middle: {rows:?}"
        );
        assert!(
            rows[0].chars().filter(|c| *c != ' ').count() < 16,
            "only the loud middle reaches the top row: {rows:?}"
        );
        // Tall enough, the two halves are drawn as before.
        assert_eq!(waveform(&clip, 16, 8).len(), 8);
    }
}
