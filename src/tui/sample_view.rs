//! Drawing one sample of a folder source: text, waveform or image, with a line of facts
//! about it. Shared by the Browse and Label panes.

use kindling::data::preview::{AudioSummary, Preview};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui_image::protocol::StatefulProtocol;
use ratatui_image::{Resize, StatefulImage};

use super::ui::Theme;

/// Draws `preview` into `body`, its facts into `meta`; `image` is the image encoded for the
/// terminal, `None` when graphics are off, drawn filling the area or (`fit`) never enlarged.
pub fn render(
    f: &mut Frame,
    preview: &Result<Preview, String>,
    image: Option<&mut StatefulProtocol>,
    fit: bool,
    theme: Theme,
    body: Rect,
    meta: Rect,
) {
    match preview {
        Err(e) => {
            f.render_widget(Paragraph::new(Span::styled(e.clone(), theme.fg("red"))).wrap(Wrap { trim: false }), body)
        }
        Ok(Preview::Text { text, truncated }) => {
            let more = if *truncated { " (first 64 KiB)" } else { "" };
            let meta_text = format!("{} characters{more}", text.chars().count());
            f.render_widget(Paragraph::new(text.clone()).wrap(Wrap { trim: false }), body);
            f.render_widget(Paragraph::new(Span::styled(meta_text, theme.dim())), meta);
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
}

/// A waveform drawn with block characters: each column spans the clip's min..max there.
pub fn waveform(a: &AudioSummary, width: usize, height: usize) -> Vec<Line<'static>> {
    if width == 0 || height == 0 || a.peaks.is_empty() {
        return Vec::new();
    }
    let column = |x: usize| a.peaks[x * a.peaks.len() / width];
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
