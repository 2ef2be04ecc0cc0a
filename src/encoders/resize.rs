//! The resize and crop that timm's evaluation transform does through PIL, to the same
//! 8-bit values: bicubic (or bilinear) resampling with PIL's kernel widths, fixed-point
//! weights and a rounded 8-bit image between the horizontal and the vertical pass. An
//! encoder's vectors then match the reference implementation's on the same files.

use image::RgbImage;

/// Fixed-point bits of PIL's 8-bit resampling weights.
const PRECISION_BITS: u32 = 32 - 8 - 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    Bilinear,
    Bicubic,
}

impl Filter {
    fn support(self) -> f64 {
        match self {
            Filter::Bilinear => 1.0,
            Filter::Bicubic => 2.0,
        }
    }

    fn weight(self, x: f64) -> f64 {
        let x = x.abs();
        match self {
            Filter::Bilinear => (1.0 - x).max(0.0),
            Filter::Bicubic => {
                const A: f64 = -0.5;
                if x < 1.0 {
                    ((A + 2.0) * x - (A + 3.0)) * x * x + 1.0
                } else if x < 2.0 {
                    (((x - 5.0) * x + 8.0) * x - 4.0) * A
                } else {
                    0.0
                }
            }
        }
    }
}

/// For each output position along one axis: the first input index and the fixed-point
/// weights of the inputs from there.
fn coefficients(input: usize, output: usize, filter: Filter) -> Vec<(usize, Vec<i32>)> {
    let scale = input as f64 / output as f64;
    let filterscale = scale.max(1.0);
    let support = filter.support() * filterscale;
    (0..output)
        .map(|x| {
            let center = (x as f64 + 0.5) * scale;
            let min = ((center - support + 0.5) as i64).max(0) as usize;
            let max = ((center + support + 0.5) as i64).min(input as i64) as usize;
            let raw: Vec<f64> = (min..max).map(|i| filter.weight((i as f64 - center + 0.5) / filterscale)).collect();
            let total: f64 = raw.iter().sum();
            let fixed = raw
                .iter()
                .map(|w| {
                    let w = if total != 0.0 { w / total } else { 0.0 } * f64::from(1u32 << PRECISION_BITS);
                    if w < 0.0 { (w - 0.5) as i32 } else { (w + 0.5) as i32 }
                })
                .collect();
            (min, fixed)
        })
        .collect()
}

fn clip8(v: i64) -> u8 {
    (v >> PRECISION_BITS).clamp(0, 255) as u8
}

/// `img` resampled to `width × height` as PIL's `Image.resize` does.
pub fn resize(img: &RgbImage, width: u32, height: u32, filter: Filter) -> RgbImage {
    let (w0, h0) = img.dimensions();
    let horizontal = if w0 != width {
        let coeffs = coefficients(w0 as usize, width as usize, filter);
        let mut out = RgbImage::new(width, h0);
        for y in 0..h0 {
            for (x, (min, ks)) in coeffs.iter().enumerate() {
                let mut acc = [1i64 << (PRECISION_BITS - 1); 3];
                for (i, &k) in ks.iter().enumerate() {
                    let p = img.get_pixel((min + i) as u32, y).0;
                    (0..3).for_each(|c| acc[c] += i64::from(p[c]) * i64::from(k));
                }
                out.put_pixel(x as u32, y, image::Rgb(acc.map(clip8)));
            }
        }
        out
    } else {
        img.clone()
    };
    if h0 == height {
        return horizontal;
    }
    let coeffs = coefficients(h0 as usize, height as usize, filter);
    let mut out = RgbImage::new(width, height);
    for (y, (min, ks)) in coeffs.iter().enumerate() {
        for x in 0..width {
            let mut acc = [1i64 << (PRECISION_BITS - 1); 3];
            for (i, &k) in ks.iter().enumerate() {
                let p = horizontal.get_pixel(x, (min + i) as u32).0;
                (0..3).for_each(|c| acc[c] += i64::from(p[c]) * i64::from(k));
            }
            out.put_pixel(x, y as u32, image::Rgb(acc.map(clip8)));
        }
    }
    out
}

/// Python's `round` of `v / 2` for a whole `v`: halves go to the even neighbour.
fn half_to_even(v: i64) -> i64 {
    let floor = v.div_euclid(2);
    if v % 2 == 0 || floor % 2 == 0 { floor } else { floor + 1 }
}

/// torchvision's evaluation steps: the shorter side resized to `short` (the longer one in
/// proportion, cut down to a whole pixel), then the centre `crop × crop`.
pub fn resize_and_crop(img: &RgbImage, short: u32, crop: u32, filter: Filter) -> RgbImage {
    let (w, h) = img.dimensions();
    let (nw, nh) = if w <= h {
        (short, (u64::from(short) * u64::from(h) / u64::from(w.max(1))) as u32)
    } else {
        ((u64::from(short) * u64::from(w) / u64::from(h.max(1))) as u32, short)
    };
    let resized = if (nw, nh) == (w, h) { img.clone() } else { resize(img, nw.max(1), nh.max(1), filter) };
    let top = half_to_even(i64::from(nh) - i64::from(crop));
    let left = half_to_even(i64::from(nw) - i64::from(crop));
    // A crop larger than the image is padded with black, as torchvision does.
    let mut out = RgbImage::new(crop, crop);
    for y in 0..crop {
        for x in 0..crop {
            let (sx, sy) = (i64::from(x) + left, i64::from(y) + top);
            if (0..i64::from(nw)).contains(&sx) && (0..i64::from(nh)).contains(&sy) {
                out.put_pixel(x, y, *resized.get_pixel(sx as u32, sy as u32));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_sum_to_one_and_a_flat_image_stays_flat() {
        for (i, o) in [(100, 37), (37, 100), (640, 256)] {
            for (_, ks) in coefficients(i, o, Filter::Bicubic) {
                let sum: i64 = ks.iter().map(|&k| i64::from(k)).sum();
                assert!((sum - (1 << PRECISION_BITS)).abs() <= ks.len() as i64, "{i}→{o}: {sum}");
            }
        }
        let flat = RgbImage::from_pixel(300, 200, image::Rgb([10, 200, 255]));
        let small = resize_and_crop(&flat, 256, 224, Filter::Bicubic);
        assert_eq!(small.dimensions(), (224, 224));
        assert!(small.pixels().all(|p| p.0 == [10, 200, 255]));
    }

    #[test]
    fn the_crop_is_centred_with_halves_rounded_to_even() {
        assert_eq!([half_to_even(32), half_to_even(33), half_to_even(35), half_to_even(-3)], [16, 16, 18, -2]);
        // A 3-pixel-wide stripe down the middle column of 257 stays in the middle.
        let mut img = RgbImage::new(257, 224);
        for y in 0..224 {
            img.put_pixel(128, y, image::Rgb([255, 255, 255]));
        }
        let out = resize_and_crop(&img, 224, 224, Filter::Bicubic);
        assert_eq!(out.get_pixel(112, 0).0, [255, 255, 255]);
    }

    #[test]
    fn a_step_overshoots_like_bicubic_and_is_clamped() {
        let mut img = RgbImage::new(8, 1);
        (4..8).for_each(|x| img.put_pixel(x, 0, image::Rgb([200, 200, 200])));
        let up = resize(&img, 32, 1, Filter::Bicubic);
        let row: Vec<u8> = (0..32).map(|x| up.get_pixel(x, 0).0[0]).collect();
        assert!(row.iter().any(|&v| v > 200), "ringing above the step: {row:?}");
        assert_eq!(row[0], 0);
    }
}
