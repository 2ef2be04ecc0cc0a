//! Augmentations that carry a detection project's boxes: each geometric transform moves the
//! boxes with the image (augment::image says where it took each point), a rotation by other
//! than quarter turns refits each box around its turned corners (a looser box, said), a box
//! cut by the border is clipped and dropped when less than `floor` of it stays in view, and
//! `box_jitter` moves box edges. Colour transforms and cutout leave boxes where they are.

use image::{Rgb, RgbImage};

use super::image::{Affine, apply_mapped};
use super::random::{happens, uniform};
use super::settings::Step;
use crate::labels::store::Rect;

/// Share of a box that must stay in view for it to be kept, when a project does not say.
pub const VISIBLE_FLOOR: f64 = 0.3;

/// An augmented copy with its boxes.
#[derive(Debug, Clone, PartialEq)]
pub struct Carried {
    pub image: RgbImage,
    pub boxes: Vec<(String, Rect)>,
    /// Boxes left out because too little of them stayed in view.
    pub dropped: usize,
    /// Whether a rotation made boxes looser than the objects they hold.
    pub loose: bool,
}

pub fn carry(
    img: &RgbImage,
    boxes: &[(String, Rect)],
    steps: &[Step],
    rng: &mut impl rand::Rng,
    floor: f64,
) -> Carried {
    let mut out = Carried { image: img.clone(), boxes: boxes.to_vec(), dropped: 0, loose: false };
    for step in steps {
        if !happens(rng, step.p) {
            continue;
        }
        if step.name == "box_jitter" {
            let share = step.param("share");
            let size = out.image.dimensions();
            for (_, r) in &mut out.boxes {
                let mut edge = |side: f64| uniform(rng, -share, share) * side;
                let (left, top, right, bottom) = (edge(r.w), edge(r.h), edge(r.w), edge(r.h));
                let (x0, y0) = (r.x + left, r.y + top);
                let (x1, y1) = ((r.x + r.w + right).max(x0 + 1.0), (r.y + r.h + bottom).max(y0 + 1.0));
                *r = clip(Rect { x: x0, y: y0, w: x1 - x0, h: y1 - y0 }, size).unwrap_or(*r);
            }
            continue;
        }
        let (image, map) = apply_mapped(&out.image, step, rng);
        out.loose |= map[1] * map[0] != 0.0 || map[3] * map[4] != 0.0;
        let size = image.dimensions();
        let before = out.boxes.len();
        out.boxes = out.boxes.into_iter().filter_map(|(c, r)| carry_box(r, map, size, floor).map(|r| (c, r))).collect();
        out.dropped += before - out.boxes.len();
        out.image = image;
    }
    out
}

/// Where `map` takes box `r`: around its four corners, clipped to an image of `size`;
/// `None` when less than `floor` of it stays in view.
pub fn carry_box(r: Rect, map: Affine, size: (u32, u32), floor: f64) -> Option<Rect> {
    let [a, b, c, d, e, f] = map;
    let corners = [(r.x, r.y), (r.x + r.w, r.y), (r.x, r.y + r.h), (r.x + r.w, r.y + r.h)];
    let moved = corners.map(|(x, y)| (a * x + b * y + c, d * x + e * y + f));
    let (x0, x1) = moved.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| (lo.min(p.0), hi.max(p.0)));
    let (y0, y1) = moved.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| (lo.min(p.1), hi.max(p.1)));
    let whole = Rect { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
    let kept = clip(whole, size)?;
    let area = whole.w * whole.h;
    (area > 0.0 && kept.w * kept.h / area >= floor).then_some(kept)
}

/// The part of `r` inside an image of `size`, at least a pixel each way; `None` outside it.
fn clip(r: Rect, (w, h): (u32, u32)) -> Option<Rect> {
    let (w, h) = (f64::from(w), f64::from(h));
    let (x0, y0) = (r.x.max(0.0), r.y.max(0.0));
    let (x1, y1) = ((r.x + r.w).min(w), (r.y + r.h).min(h));
    (x1 - x0 >= 1.0 && y1 - y0 >= 1.0).then_some(Rect { x: x0, y: y0, w: x1 - x0, h: y1 - y0 })
}

/// The pixels of a class colour as kindling.toml names it (the 16 terminal colours, in any
/// case, with or without `light` / `dark` and `_` / `-`; or `#rrggbb`); yellow otherwise.
pub fn colour_rgb(name: &str) -> Rgb<u8> {
    let name = name.trim().to_ascii_lowercase().replace(['_', '-', ' '], "");
    if let Some(hex) = name.strip_prefix('#')
        && hex.len() == 6
        && let Ok(v) = u32::from_str_radix(hex, 16)
    {
        return Rgb([(v >> 16) as u8, (v >> 8) as u8, v as u8]);
    }
    Rgb(match name.as_str() {
        "black" => [0, 0, 0],
        "red" => [220, 40, 40],
        "green" => [40, 200, 60],
        "blue" => [50, 110, 255],
        "magenta" => [220, 60, 220],
        "cyan" => [40, 210, 220],
        "gray" | "grey" => [170, 170, 170],
        "darkgray" | "darkgrey" => [100, 100, 100],
        "lightred" => [255, 120, 120],
        "lightgreen" => [140, 255, 140],
        "lightyellow" => [255, 255, 150],
        "lightblue" => [130, 170, 255],
        "lightmagenta" => [255, 140, 255],
        "lightcyan" => [150, 255, 255],
        "white" => [255, 255, 255],
        _ => [240, 210, 40],
    })
}

/// `img` with each box outlined in its colour, `thickness` pixels wide inside the box.
pub fn draw(img: &RgbImage, boxes: &[(Rect, Rgb<u8>)], thickness: u32) -> RgbImage {
    let mut out = img.clone();
    for (r, colour) in boxes {
        let corners = (r.x.floor() as i64, r.y.floor() as i64, (r.x + r.w).ceil() as i64, (r.y + r.h).ceil() as i64);
        outline(&mut out, corners, i64::from(thickness.max(1)), [*colour; 4]);
    }
    out
}

/// Paints the edges of `(x0, y0)`–`(x1, y1)` (pixels, exclusive), `t` wide inside it: left,
/// top, right and bottom each in its colour.
pub fn outline(canvas: &mut RgbImage, (x0, y0, x1, y1): (i64, i64, i64, i64), t: i64, colours: [Rgb<u8>; 4]) {
    let [left, top, right, bottom] = colours;
    fill(canvas, (x0, y0, x1, y0 + t), top);
    fill(canvas, (x0, y1 - t, x1, y1), bottom);
    fill(canvas, (x0, y0, x0 + t, y1), left);
    fill(canvas, (x1 - t, y0, x1, y1), right);
}

/// Paints the edges of `(x0, y0)`–`(x1, y1)` `t` wide in dashes of `dash` pixels (a box
/// proposed, not yet kept).
pub fn dashed(canvas: &mut RgbImage, (x0, y0, x1, y1): (i64, i64, i64, i64), t: i64, dash: i64, colour: Rgb<u8>) {
    let dash = dash.max(1);
    let mut x = x0;
    while x < x1 {
        let end = (x + dash).min(x1);
        fill(canvas, (x, y0, end, y0 + t), colour);
        fill(canvas, (x, y1 - t, end, y1), colour);
        x += 2 * dash;
    }
    let mut y = y0;
    while y < y1 {
        let end = (y + dash).min(y1);
        fill(canvas, (x0, y, x0 + t, end), colour);
        fill(canvas, (x1 - t, y, x1, end), colour);
        y += 2 * dash;
    }
}

/// Paints the pixels of `(x0, y0)`–`(x1, y1)` (exclusive) that fall inside the canvas.
pub fn fill(canvas: &mut RgbImage, (x0, y0, x1, y1): (i64, i64, i64, i64), colour: Rgb<u8>) {
    let (w, h) = (i64::from(canvas.width()), i64::from(canvas.height()));
    for y in y0.max(0)..y1.min(h) {
        for x in x0.max(0)..x1.min(w) {
            canvas.put_pixel(x as u32, y as u32, colour);
        }
    }
}

#[cfg(test)]
mod tests;
