//! 32×32 pictures of shapes on noisy backgrounds, with jitter in position, size, rotation
//! and colour; and one deliberately truncated file, to show how unreadable files are
//! reported.

use std::f32::consts::PI;
use std::path::Path;

use image::{Rgb, RgbImage};
use rand::{Rng, RngExt};

use crate::error::{Error, Result, ResultExt};

pub const CLASSES: &[&str] = &["circle", "square", "triangle", "cross"];
const PER_CLASS: usize = 100;
const SIZE: u32 = 32;

pub fn write(dir: &Path, rng: &mut impl Rng) -> Result<()> {
    super::create_dir(dir)?;
    for i in 0..PER_CLASS {
        for (c, class) in CLASSES.iter().enumerate() {
            let path = dir.join(format!("{class}_{:04}.png", i + 1));
            render(c, rng).save(&path).map_err(|e| Error::file(&path, e))?;
        }
    }
    // A file that is cut off half way: the scan lists it as unreadable and skips it.
    let good = std::fs::read(dir.join("circle_0001.png")).context("demo")?;
    let broken = dir.join("broken_0001.png");
    std::fs::write(&broken, &good[..good.len() / 2]).context(broken.display())?;
    Ok(())
}

fn render(class: usize, rng: &mut impl Rng) -> RgbImage {
    let background = [rng.random_range(0..90u8), rng.random_range(0..90u8), rng.random_range(0..90u8)];
    let ink = [rng.random_range(140..=255u8), rng.random_range(140..=255u8), rng.random_range(140..=255u8)];
    let centre = (16.0 + rng.random_range(-5.0..5.0f32), 16.0 + rng.random_range(-5.0..5.0f32));
    let radius = rng.random_range(7.0..12.0f32);
    let angle = rng.random_range(0.0..2.0 * PI);
    RgbImage::from_fn(SIZE, SIZE, |x, y| {
        let (dx, dy) = (x as f32 + 0.5 - centre.0, y as f32 + 0.5 - centre.1);
        // Rotate the pixel into the shape's own frame.
        let (u, v) = (dx * angle.cos() + dy * angle.sin(), -dx * angle.sin() + dy * angle.cos());
        let inside = match class {
            0 => (u * u + v * v).sqrt() <= radius,
            1 => u.abs() <= radius * 0.75 && v.abs() <= radius * 0.75,
            2 => in_triangle(u, v, radius),
            _ => (u.abs() <= radius && v.abs() <= radius * 0.3) || (v.abs() <= radius && u.abs() <= radius * 0.3),
        };
        let base = if inside { ink } else { background };
        let noise = rng.random_range(-18..=18i16);
        Rgb(base.map(|b| (b as i16 + noise).clamp(0, 255) as u8))
    })
}

/// An upward triangle with circumradius `r`, centred on the origin.
fn in_triangle(u: f32, v: f32, r: f32) -> bool {
    let corners: [(f32, f32); 3] = [0.0f32, 2.0 * PI / 3.0, 4.0 * PI / 3.0].map(|a| (r * a.sin(), -r * a.cos()));
    let side = |(ax, ay): (f32, f32), (bx, by): (f32, f32)| (bx - ax) * (v - ay) - (by - ay) * (u - ax);
    let s = [side(corners[0], corners[1]), side(corners[1], corners[2]), side(corners[2], corners[0])];
    s.iter().all(|&x| x >= 0.0) || s.iter().all(|&x| x <= 0.0)
}
