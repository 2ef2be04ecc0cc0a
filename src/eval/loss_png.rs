//! The loss curve as a picture for the run report: loss against iteration, the axes' ends
//! labelled in the project's pixel font.

use plotters::prelude::*;

use super::pixel_font::{CHAR_W, LINE_H, text};
use crate::error::{Error, Result};

const WIDTH: u32 = 640;
const HEIGHT: u32 = 320;
const MARGIN: u32 = 16;
const LINE: RGBColor = RGBColor(36, 84, 214);
const AXIS: RGBColor = RGBColor(120, 120, 120);

/// PNG bytes of `(iteration, loss)` points, in order.
pub fn png(points: &[(f64, f64)]) -> Result<Vec<u8>> {
    let mut buffer = vec![255u8; (WIDTH * HEIGHT * 3) as usize];
    draw(points, &mut buffer).map_err(|e| Error::internal(format!("cannot draw the loss curve: {e}")))?;
    let picture = image::RgbImage::from_raw(WIDTH, HEIGHT, buffer)
        .ok_or_else(|| Error::internal("the picture buffer has the wrong size"))?;
    let mut bytes = std::io::Cursor::new(Vec::new());
    picture
        .write_to(&mut bytes, image::ImageFormat::Png)
        .map_err(|e| Error::internal(format!("cannot encode the loss curve: {e}")))?;
    Ok(bytes.into_inner())
}

fn draw(points: &[(f64, f64)], buffer: &mut [u8]) -> std::result::Result<(), String> {
    let root = BitMapBackend::with_buffer(buffer, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let finite: Vec<(f64, f64)> = points.iter().copied().filter(|p| p.0.is_finite() && p.1.is_finite()).collect();
    let Some(first) = finite.first() else { return Ok(()) };
    let last = finite[finite.len() - 1];
    let (lo, hi) = finite.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let label = |v: f64| format!("{v:.4}");
    let left = MARGIN + CHAR_W * label(hi).len().max(label(lo).len()) as u32 + 8;
    let (top, bottom, right) = (MARGIN + LINE_H, HEIGHT - MARGIN - LINE_H, WIDTH - MARGIN);
    let span = |a: f64, b: f64| if b > a { b - a } else { 1.0 };
    let at = |(i, loss): (f64, f64)| {
        let x = left as f64 + (i - first.0) / span(first.0, last.0) * f64::from(right - left);
        let y = top as f64 + (1.0 - (loss - lo) / span(lo, hi)) * f64::from(bottom - top);
        (x as i32, y as i32)
    };
    let axes = [(left as i32, top as i32), (left as i32, bottom as i32), (right as i32, bottom as i32)];
    root.draw(&PathElement::new(axes.to_vec(), AXIS.stroke_width(1))).map_err(|e| e.to_string())?;
    let curve: Vec<(i32, i32)> = finite.iter().map(|p| at(*p)).collect();
    root.draw(&PathElement::new(curve, LINE.stroke_width(2))).map_err(|e| e.to_string())?;
    text(&root, MARGIN, MARGIN, "loss", AXIS)?;
    text(&root, MARGIN, top, &label(hi), AXIS)?;
    text(&root, MARGIN, bottom - LINE_H / 2, &label(lo), AXIS)?;
    text(&root, left, bottom + 6, &format!("{}", first.0), AXIS)?;
    let end = format!("iteration {}", last.0);
    text(&root, right.saturating_sub(CHAR_W * end.len() as u32), bottom + 6, &end, AXIS)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_a_falling_curve_from_top_left_to_bottom_right() {
        let points: Vec<(f64, f64)> = (0..50).map(|i| (f64::from(i), 2.0 / f64::from(i + 1))).collect();
        let picture = image::load_from_memory(&png(&points).unwrap()).unwrap().to_rgb8();
        assert_eq!(picture.dimensions(), (WIDTH, HEIGHT));
        let blue = |x: u32, y: u32| picture.get_pixel(x, y).0 == [LINE.0, LINE.1, LINE.2];
        let columns_with_curve =
            |xs: std::ops::Range<u32>, ys: std::ops::Range<u32>| xs.filter(|&x| ys.clone().any(|y| blue(x, y))).count();
        assert!(columns_with_curve(100..140, 0..HEIGHT / 3) > 0, "high on the left");
        assert!(columns_with_curve(560..600, HEIGHT * 2 / 3..HEIGHT) > 0, "low on the right");
        assert_eq!(columns_with_curve(560..600, 0..HEIGHT / 3), 0);
    }
}
