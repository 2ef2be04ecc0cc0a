//! Image transforms on RGB images: the size stays (but for `rot90`, which swaps width and
//! height on odd turns) and values stay in 0..=255.

use image::imageops::{self, FilterType};
use image::{Rgb, RgbImage};

use super::random::{happens, normal, uniform};
use super::settings::Step;

/// One augmented copy of `img`: each step applied with its probability, in order.
pub fn augment(img: &RgbImage, steps: &[Step], rng: &mut impl rand::Rng) -> RgbImage {
    let mut out = img.clone();
    for step in steps {
        if happens(rng, step.p) {
            out = apply(&out, step, rng);
        }
    }
    out
}

/// Where a transform takes each point of the image: `(x, y)` in pixels goes to
/// `(a·x + b·y + c, d·x + e·y + f)`. Boxes follow it (augment::boxes).
pub type Affine = [f64; 6];

pub const SAME: Affine = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0];

/// Applies one transform (unknown names leave the image as it is).
pub fn apply(img: &RgbImage, step: &Step, rng: &mut impl rand::Rng) -> RgbImage {
    apply_mapped(img, step, rng).0
}

/// Applies one transform, and says where it took the image's points.
pub fn apply_mapped(img: &RgbImage, step: &Step, rng: &mut impl rand::Rng) -> (RgbImage, Affine) {
    let (w, h) = img.dimensions();
    let (fw, fh) = (f64::from(w), f64::from(h));
    let out = match step.name.as_str() {
        "hflip" => return (imageops::flip_horizontal(img), [-1.0, 0.0, fw, 0.0, 1.0, 0.0]),
        "vflip" => return (imageops::flip_vertical(img), [1.0, 0.0, 0.0, 0.0, -1.0, fh]),
        "rot90" => {
            // A quarter turn clockwise, once to three times: width and height swap on odd turns.
            let turns = (uniform(rng, 1.0, 4.0).floor() as u32).clamp(1, 3);
            let mut out = img.clone();
            let mut map = SAME;
            for _ in 0..turns {
                let (turned, quarter) = turn90(&out);
                out = turned;
                map = then(map, quarter);
            }
            return (out, map);
        }
        "rotate" => {
            let max = step.param("degrees");
            let angle = uniform(rng, -max, max).to_radians();
            let (cx, cy) = (fw / 2.0, fh / 2.0);
            let (sin, cos) = angle.sin_cos();
            let forward = [cos, -sin, cx - cx * cos + cy * sin, sin, cos, cy - cx * sin - cy * cos];
            return (rotate(img, angle), forward);
        }
        "crop" => {
            let area = uniform(rng, step.param("scale"), 1.0);
            let ratio = uniform(rng, (3.0f64 / 4.0).ln(), (4.0f64 / 3.0).ln()).exp();
            let cw = ((area * ratio).sqrt() * f64::from(w)).round().clamp(1.0, f64::from(w)) as u32;
            let ch = ((area / ratio).sqrt() * f64::from(h)).round().clamp(1.0, f64::from(h)) as u32;
            let x = uniform(rng, 0.0, f64::from(w - cw)).round() as u32;
            let y = uniform(rng, 0.0, f64::from(h - ch)).round() as u32;
            let part = imageops::crop_imm(img, x, y, cw, ch).to_image();
            let (sx, sy) = (fw / f64::from(cw), fh / f64::from(ch));
            let map = [sx, 0.0, -f64::from(x) * sx, 0.0, sy, -f64::from(y) * sy];
            return (imageops::resize(&part, w, h, FilterType::Triangle), map);
        }
        "translate" => {
            let s = step.param("shift");
            let (dx, dy) = (uniform(rng, -s, s) * f64::from(w), uniform(rng, -s, s) * f64::from(h));
            return (resample(img, |x, y| (x - dx, y - dy)), [1.0, 0.0, dx, 0.0, 1.0, dy]);
        }
        "brightness_contrast" => {
            let (b, c) = (step.param("brightness"), step.param("contrast"));
            let (shift, gain) = (uniform(rng, -b, b), 1.0 + uniform(rng, -c, c));
            let mean = img.pixels().flat_map(|p| p.0).map(f64::from).sum::<f64>() / (3 * w * h).max(1) as f64 / 255.0;
            map_values(img, |v| (v - mean) * gain + mean + shift)
        }
        "hue_saturation" => {
            let (hue, sat) = (step.param("hue"), step.param("saturation"));
            let (turn, scale) = (uniform(rng, -hue, hue), 1.0 + uniform(rng, -sat, sat));
            let mut out = img.clone();
            for p in out.pixels_mut() {
                let (h0, s0, v0) = to_hsv(p);
                *p = from_hsv((h0 + turn).rem_euclid(1.0), (s0 * scale).clamp(0.0, 1.0), v0);
            }
            out
        }
        "greyscale" => {
            let mut out = img.clone();
            for p in out.pixels_mut() {
                let [r, g, b] = p.0.map(f64::from);
                let y = (0.299 * r + 0.587 * g + 0.114 * b).round().clamp(0.0, 255.0) as u8;
                *p = Rgb([y, y, y]);
            }
            out
        }
        "blur" => imageops::blur(img, uniform(rng, 0.1, step.param("sigma").max(0.1)) as f32),
        "noise" => {
            let sigma = step.param("sigma");
            let mut out = img.clone();
            for p in out.pixels_mut() {
                for v in p.0.iter_mut() {
                    *v = to_byte(f64::from(*v) / 255.0 + sigma * normal(rng));
                }
            }
            out
        }
        "cutout" => {
            let side = (step.param("size") * f64::from(w.min(h))).round().max(1.0) as i64;
            let (cx, cy) = (uniform(rng, 0.0, f64::from(w)) as i64, uniform(rng, 0.0, f64::from(h)) as i64);
            let mut out = img.clone();
            for y in (cy - side / 2).max(0)..(cy - side / 2 + side).min(i64::from(h)) {
                for x in (cx - side / 2).max(0)..(cx - side / 2 + side).min(i64::from(w)) {
                    out.put_pixel(x as u32, y as u32, Rgb([127, 127, 127]));
                }
            }
            out
        }
        _ => img.clone(),
    };
    (out, SAME)
}

/// A quarter turn clockwise: `(x, y)` goes to `(height − y, x)`.
pub fn turn90(img: &RgbImage) -> (RgbImage, Affine) {
    (imageops::rotate90(img), [0.0, -1.0, f64::from(img.height()), 1.0, 0.0, 0.0])
}

/// `first`, then `second`.
pub fn then(first: Affine, second: Affine) -> Affine {
    let [a, b, c, d, e, f] = first;
    let [p, q, r, s, t, u] = second;
    [p * a + q * d, p * b + q * e, p * c + q * f + r, s * a + t * d, s * b + t * e, s * c + t * f + u]
}

fn to_byte(v: f64) -> u8 {
    (v * 255.0).round().clamp(0.0, 255.0) as u8
}

fn map_values(img: &RgbImage, f: impl Fn(f64) -> f64) -> RgbImage {
    let mut out = img.clone();
    for v in out.iter_mut() {
        *v = to_byte(f(f64::from(*v) / 255.0));
    }
    out
}

/// Rotation about the centre.
fn rotate(img: &RgbImage, angle: f64) -> RgbImage {
    let (cx, cy) = (f64::from(img.width()) / 2.0, f64::from(img.height()) / 2.0);
    let (sin, cos) = angle.sin_cos();
    resample(img, |x, y| {
        let (dx, dy) = (x - cx, y - cy);
        (cx + dx * cos + dy * sin, cy - dx * sin + dy * cos)
    })
}

/// Each output pixel (at its centre) read from `source(x, y)` of the input, bilinearly,
/// the edges repeated beyond the border.
fn resample(img: &RgbImage, source: impl Fn(f64, f64) -> (f64, f64)) -> RgbImage {
    let (w, h) = img.dimensions();
    let at = |x: i64, y: i64| img.get_pixel(x.clamp(0, i64::from(w) - 1) as u32, y.clamp(0, i64::from(h) - 1) as u32).0;
    RgbImage::from_fn(w, h, |x, y| {
        let (sx, sy) = source(f64::from(x) + 0.5, f64::from(y) + 0.5);
        let (fx, fy) = (sx - 0.5, sy - 0.5);
        let (x0, y0) = (fx.floor() as i64, fy.floor() as i64);
        let (tx, ty) = (fx - fx.floor(), fy - fy.floor());
        let (a, b, c, d) = (at(x0, y0), at(x0 + 1, y0), at(x0, y0 + 1), at(x0 + 1, y0 + 1));
        Rgb(std::array::from_fn(|k| {
            let top = f64::from(a[k]) * (1.0 - tx) + f64::from(b[k]) * tx;
            let bottom = f64::from(c[k]) * (1.0 - tx) + f64::from(d[k]) * tx;
            (top * (1.0 - ty) + bottom * ty).round().clamp(0.0, 255.0) as u8
        }))
    })
}

/// Hue as a share of the colour wheel, saturation and value in 0..=1.
fn to_hsv(p: &Rgb<u8>) -> (f64, f64, f64) {
    let [r, g, b] = p.0.map(|v| f64::from(v) / 255.0);
    let (max, min) = (r.max(g).max(b), r.min(g).min(b));
    let delta = max - min;
    let hue = if delta == 0.0 {
        0.0
    } else if max == r {
        ((g - b) / delta).rem_euclid(6.0) / 6.0
    } else if max == g {
        ((b - r) / delta + 2.0) / 6.0
    } else {
        ((r - g) / delta + 4.0) / 6.0
    };
    (hue, if max == 0.0 { 0.0 } else { delta / max }, max)
}

fn from_hsv(h: f64, s: f64, v: f64) -> Rgb<u8> {
    let c = v * s;
    let sector = h * 6.0;
    let x = c * (1.0 - (sector.rem_euclid(2.0) - 1.0).abs());
    let (r, g, b) = match sector as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = v - c;
    Rgb([to_byte(r + m), to_byte(g + m), to_byte(b + m)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::augment::catalogue::Modality;
    use crate::augment::rng_for;

    fn picture() -> RgbImage {
        RgbImage::from_fn(24, 16, |x, y| Rgb([(x * 10) as u8, (y * 15) as u8, ((x + y) * 5) as u8]))
    }

    fn step(name: &str) -> Step {
        let (_, mut s) = crate::augment::Settings::default().step(Modality::Image, name).unwrap();
        s.p = 1.0;
        s
    }

    #[test]
    fn every_transform_keeps_the_size_and_is_the_same_under_the_same_seed() {
        let img = picture();
        for spec in Modality::Image.transforms() {
            let s = step(spec.name);
            let a = apply(&img, &s, &mut rng_for(7, 1, 0));
            let b = apply(&img, &s, &mut rng_for(7, 1, 0));
            let (w, h) = img.dimensions();
            let turned = spec.name == "rot90" && a.dimensions() == (h, w);
            assert!(a.dimensions() == img.dimensions() || turned, "{}", spec.name);
            assert_eq!(a, b, "{} is deterministic", spec.name);
        }
        let steps: Vec<Step> = Modality::Image.transforms().iter().map(|s| step(s.name)).collect();
        assert_ne!(augment(&img, &steps, &mut rng_for(7, 1, 0)), augment(&img, &steps, &mut rng_for(7, 1, 1)));
    }

    #[test]
    fn flips_twice_are_the_identity_and_rotation_by_zero_changes_nothing() {
        let img = picture();
        let mut rng = rng_for(0, 0, 0);
        for flip in ["hflip", "vflip"] {
            let twice = apply(&apply(&img, &step(flip), &mut rng), &step(flip), &mut rng);
            assert_eq!(twice, img, "{flip}");
        }
        assert_eq!(imageops::flip_horizontal(&img).get_pixel(0, 0), img.get_pixel(23, 0));
        let mut still = step("rotate");
        still.params.insert("degrees".into(), 0.0);
        assert_eq!(apply(&img, &still, &mut rng), img);
    }

    #[test]
    fn greyscale_cutout_and_colour_round_trip() {
        let img = picture();
        let grey = apply(&img, &step("greyscale"), &mut rng_for(0, 0, 0));
        assert!(grey.pixels().all(|p| p.0[0] == p.0[1] && p.0[1] == p.0[2]));
        let cut = apply(&img, &step("cutout"), &mut rng_for(0, 0, 0));
        let blanked = cut.pixels().filter(|p| p.0 == [127, 127, 127]).count();
        assert!((4..=16 * 16).contains(&blanked), "a square of about a quarter of the side: {blanked}");
        for p in img.pixels() {
            let (h, s, v) = to_hsv(p);
            let back = from_hsv(h, s, v);
            assert!(back.0.iter().zip(p.0).all(|(a, b)| a.abs_diff(b) <= 1), "{p:?} → {back:?}");
        }
    }
}
