//! How the Label pane of a detection project looks: the image with its boxes drawn into its
//! pixels (so every graphics protocol, half-blocks too, shows them), and beside it the list
//! of boxes with their classes.

use image::{DynamicImage, Rgb, RgbImage};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::Color;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui_image::{Resize, StatefulImage};

use kindling::augment::boxes::{dashed, fill, outline};

use super::boxes::{Boxer, Edge};
use super::cells::clip;
use super::component::Shared;
use super::theme::Theme;

const SIDE: u16 = 30;
const SELECTED: Rgb<u8> = Rgb([255, 255, 255]);

/// A class colour's pixels (the library's table: previews and the pane agree).
pub fn rgb_of(name: &str) -> Rgb<u8> {
    kindling::augment::boxes::colour_rgb(name)
}

/// The image's view scaled to fit `room` pixels, its boxes outlined in their class colours,
/// the selected one thicker with its picked edge white, and the cursor when nothing is
/// selected.
/// The scaled view a frame is drawn on, kept while the image, view and size stay: an edit
/// redraws the boxes on a copy of it rather than scaling the photo again.
pub type Base = Option<((String, [u64; 4], u32, u32), RgbImage)>;

pub fn compose(id: &str, img: &DynamicImage, b: &Boxer, room: (u32, u32), base: &mut Base) -> DynamicImage {
    let Some(view) = b.view() else { return img.clone() };
    let scale = (room.0 as f64 / view.w).min(room.1 as f64 / view.h).max(f64::MIN_POSITIVE);
    let (out_w, out_h) = (((view.w * scale).round() as u32).max(1), ((view.h * scale).round() as u32).max(1));
    let key = (id.to_string(), [view.x, view.y, view.w, view.h].map(f64::to_bits), out_w, out_h);
    if base.as_ref().is_none_or(|(k, _)| *k != key) {
        // DynamicImage's own methods: compiled (and optimised) in the image crate, where a
        // generic `imageops` call would be compiled at this crate's level.
        let crop = img.crop_imm(view.x as u32, view.y as u32, view.w.ceil() as u32, view.h.ceil() as u32);
        let scaled = if scale < 1.0 {
            crop.thumbnail_exact(out_w, out_h)
        } else {
            crop.resize_exact(out_w, out_h, image::imageops::FilterType::Nearest)
        };
        *base = Some((key, scaled.into_rgb8()));
    }
    let mut canvas = base.as_ref().map(|(_, img)| img.clone()).unwrap_or_default();
    let to_px = |x: f64, y: f64| ((x - view.x) * scale, (y - view.y) * scale);
    let colour_of =
        |class: &str| b.classes.iter().find(|c| c.name == class).map_or(Rgb([240, 210, 40]), |c| rgb_of(&c.colour));
    let thick = ((out_w.max(out_h) as f64 / 300.0).round() as i64).max(1);
    for (i, bx) in b.shown_boxes().iter().enumerate() {
        let (x0, y0) = to_px(bx.rect.x, bx.rect.y);
        let (x1, y1) = to_px(bx.rect.x + bx.rect.w, bx.rect.y + bx.rect.h);
        let selected = b.selected == Some(i);
        let t = if selected { thick * 2 } else { thick };
        let colour = colour_of(&bx.class);
        let edge_colour = |e: Edge| if selected && (b.edge == e || b.edge == Edge::Whole) { SELECTED } else { colour };
        let (x0, y0, x1, y1) = (x0 as i64, y0 as i64, x1 as i64, y1 as i64);
        let colours = [Edge::Left, Edge::Top, Edge::Right, Edge::Bottom].map(edge_colour);
        outline(&mut canvas, (x0, y0, x1, y1), t, colours);
    }
    for f in b.open_proposals() {
        let (x0, y0) = to_px(f.bbox[0], f.bbox[1]);
        let (x1, y1) = to_px(f.bbox[0] + f.bbox[2], f.bbox[1] + f.bbox[3]);
        dashed(&mut canvas, (x0 as i64, y0 as i64, x1 as i64, y1 as i64), thick, thick * 4, colour_of(&f.class));
    }
    if b.selected.is_none() {
        let (cx, cy) = to_px(b.cursor.0, b.cursor.1);
        let (cx, cy, arm) = (cx as i64, cy as i64, (thick * 6).max(4));
        fill(&mut canvas, (cx - arm, cy - thick / 2, cx + arm + 1, cy + thick / 2 + 1), SELECTED);
        fill(&mut canvas, (cx - thick / 2, cy - arm, cx + thick / 2 + 1, cy + arm + 1), SELECTED);
    }
    DynamicImage::ImageRgb8(canvas)
}

pub fn render(f: &mut Frame, b: &mut Boxer, area: ratatui::layout::Rect, shared: &Shared, theme: Theme) {
    let title = match b.current() {
        Some(id) => format!(" Label boxes · {id} "),
        None => " Label boxes ".into(),
    };
    let block = Block::default().borders(Borders::ALL).title(title);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if b.ids.is_empty() {
        f.render_widget(Paragraph::new(Span::styled("loading the images…", theme.dim())), inner);
        return;
    }
    let side = SIDE.min(inner.width / 2);
    let [main, keys] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let [picture, panel] = Layout::horizontal([Constraint::Min(10), Constraint::Length(side)]).areas(main);
    b.picture_cells = (picture.width, picture.height);
    let loaded = b.size().is_some();
    b.kitty_area = None;
    match (&mut b.image, loaded) {
        (_, true) if b.kitty.is_some() => {
            // The picture goes beside the frame (tui::kitty), over the cells it needs.
            if let Some(k) = &b.kitty {
                let (cols, rows) = (k.cells.0.min(picture.width), k.cells.1.min(picture.height));
                b.kitty_area = Some(ratatui::layout::Rect { width: cols, height: rows, ..picture });
            }
        }
        (_, true) if b.cells.is_some() => {
            if let Some(cells) = &b.cells {
                f.render_widget(HalfBlocks(cells), picture);
            }
        }
        (Some(protocol), true) => {
            f.render_stateful_widget(StatefulImage::default().resize(Resize::Fit(None)), picture, protocol)
        }
        (None, true) => f.render_widget(
            Paragraph::new(Span::styled("(graphics off: --graphics halfblocks shows images)", theme.dim())),
            picture,
        ),
        _ => f.render_widget(Paragraph::new(Span::styled("loading…", theme.dim())), picture),
    }
    let hint = if keys.width >= 88 {
        "n new box · Tab edge/next box · ⇧arrows edge · Ctrl 1 px · x delete · u undo · space done · PgDn next"
    } else {
        "n box · Tab edge/box · ⇧arrow edge · Ctrl 1px · x del · u undo · space done"
    };
    f.render_widget(Paragraph::new(Span::styled(clip(hint, keys.width as usize), theme.dim())), keys);
    f.render_widget(Paragraph::new(panel_lines(b, shared, theme, panel.width as usize)), panel);
}

/// A picture of two pixels a cell: `▀` in the upper pixel's colour on the lower's.
struct HalfBlocks<'a>(&'a RgbImage);

impl ratatui::widgets::Widget for HalfBlocks<'_> {
    fn render(self, area: ratatui::layout::Rect, buf: &mut ratatui::buffer::Buffer) {
        let img = self.0;
        let colour = |x: u32, y: u32| {
            let Rgb([r, g, b]) = *img.get_pixel(x, y);
            Color::Rgb(r, g, b)
        };
        for row in 0..(img.height().div_ceil(2)).min(area.height as u32) {
            for col in 0..img.width().min(area.width as u32) {
                let cell = &mut buf[(area.x + col as u16, area.y + row as u16)];
                cell.set_char('▀').set_fg(colour(col, row * 2));
                if row * 2 + 1 < img.height() {
                    cell.set_bg(colour(col, row * 2 + 1));
                }
            }
        }
    }
}

fn panel_lines(b: &Boxer, shared: &Shared, theme: Theme, width: usize) -> Vec<Line<'static>> {
    let id = b.current().unwrap_or_default();
    let done = b.done.contains(id);
    let mut lines = vec![Line::from(Span::styled(
        clip(&format!("{} done of {} images", b.done.len(), b.ids.len()), width),
        theme.accent(),
    ))];
    let state = if done { "image done" } else { "image to do · space: done" };
    lines.push(Line::from(Span::styled(clip(state, width), theme.dim())));
    if let Some((w, h)) = b.size() {
        let zoom = if b.zoom > 1 { format!(" · zoom ×{}", b.zoom) } else { String::new() };
        lines.push(Line::from(Span::styled(format!("{w}×{h} px{zoom}"), theme.dim())));
    }
    lines.push(Line::from(""));
    let boxes = b.shown_boxes();
    lines.push(Line::from(if boxes.len() == 1 { "1 box".to_string() } else { format!("{} boxes", boxes.len()) }));
    for (i, bx) in boxes.iter().enumerate() {
        let mark = if b.selected == Some(i) { "▶" } else { " " };
        let style = shared.colour_of(&bx.class).map_or_else(ratatui::style::Style::new, |c| theme.fg(c));
        let size = format!(" {:.0}×{:.0}", bx.rect.w, bx.rect.h);
        let room = width.saturating_sub(size.chars().count() + 2);
        lines.push(Line::from(vec![
            Span::raw(format!("{mark} ")),
            Span::styled(clip(&bx.class, room), style),
            Span::styled(size, theme.dim()),
        ]));
    }
    if let Some(i) = b.selected {
        let edge = match b.edge {
            Edge::Whole => "whole box",
            Edge::Left => "left edge",
            Edge::Top => "top edge",
            Edge::Right => "right edge",
            Edge::Bottom => "bottom edge",
        };
        lines.push(Line::from(Span::styled(format!("box {} · moving the {edge}", i + 1), theme.dim())));
    }
    let proposed = b.open_proposals();
    if !proposed.is_empty() {
        lines.push(Line::from(""));
        let head = format!("{} proposed · Enter keeps", proposed.len());
        lines.push(Line::from(Span::styled(clip(&head, width), theme.accent())));
        for f in proposed {
            let style = shared.colour_of(&f.class).map_or_else(ratatui::style::Style::new, |c| theme.fg(c));
            let score = format!(" {:.2}", f.score);
            let room = width.saturating_sub(score.chars().count() + 2);
            lines.push(Line::from(vec![
                Span::raw("┄ "),
                Span::styled(clip(&f.class, room), style),
                Span::styled(score, theme.dim()),
            ]));
        }
    }
    lines.push(Line::from(""));
    let next = b.classes.get(b.class).map_or("", |c| c.name.as_str());
    lines.push(Line::from(Span::styled(clip(&format!("next box: {next}"), width), theme.dim())));
    for c in &b.classes {
        lines.push(Line::from(vec![
            Span::raw(format!("{} ", if c.key.is_empty() { "·" } else { c.key.as_str() })),
            Span::styled(clip(&c.name, width.saturating_sub(2)), theme.fg(&c.colour)),
        ]));
    }
    lines
}
