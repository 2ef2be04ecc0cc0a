//! Image features: the pixels of the image resized to a small square (grey or RGB), or
//! histograms of oriented gradients over it; standardized on the training images.

use std::path::PathBuf;

use image::imageops::FilterType;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::scaler::Scaler;
use super::{Colour, Matrix, Settings};
use crate::error::{Error, Result};
use crate::progress::{Counter, Progress};

/// HOG cells are this many pixels a side; blocks are 2 × 2 cells; 9 unsigned orientations.
const CELL: usize = 8;
/// The side images are resized to when they do not share one small square size.
const DEFAULT_SIZE: u32 = 32;
/// Images of one square size up to this side are used at their own size.
const MAX_OWN_SIZE: u32 = 64;
const BINS: usize = 9;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImageFeaturizer {
    hog: bool,
    size: u32,
    colour: Colour,
    width: usize,
    pub(super) scaler: Scaler,
}

impl ImageFeaturizer {
    pub fn fit(hog: bool, settings: &Settings, files: &[PathBuf], progress: &dyn Progress) -> Result<ImageFeaturizer> {
        let (own_size, coloured) = look(files)?;
        let size = settings.image_size.unwrap_or(own_size);
        let size = if hog { size.max(2 * CELL as u32) } else { size };
        let colour = match settings.image_colour {
            _ if hog => Colour::Grey,
            Colour::Auto if coloured => Colour::Rgb,
            Colour::Auto => Colour::Grey,
            chosen => chosen,
        };
        let mut f = ImageFeaturizer { hog, size, colour, width: 0, scaler: Scaler::fit(&[], 0) };
        f.width = f.raw_width();
        let data = f.raw(files, progress)?;
        f.scaler = Scaler::fit(&data, f.width);
        Ok(f)
    }

    pub fn transform(&self, files: &[PathBuf], progress: &dyn Progress) -> Result<Matrix> {
        let mut data = self.raw(files, progress)?;
        self.scaler.apply(&mut data);
        Ok(Matrix::dense(files.len(), self.width, data))
    }

    pub fn width(&self) -> usize {
        self.width
    }

    fn raw_width(&self) -> usize {
        let side = self.size as usize;
        if self.hog {
            let cells = side / CELL;
            (cells - 1) * (cells - 1) * 4 * BINS
        } else {
            side * side * if self.colour == Colour::Rgb { 3 } else { 1 }
        }
    }

    fn raw(&self, files: &[PathBuf], progress: &dyn Progress) -> Result<Vec<f32>> {
        let counter = Counter::start(progress, "reading images", files.len());
        let rows: Vec<Vec<f32>> = files
            .par_iter()
            .map(|path| {
                let row = self.one(path);
                counter.tick();
                row
            })
            .collect::<Result<_>>()?;
        counter.finish();
        Ok(rows.concat())
    }

    fn one(&self, path: &std::path::Path) -> Result<Vec<f32>> {
        Ok(self.unscaled(&open(path)?))
    }

    /// The standardized features of an image in memory (an augmented copy).
    pub fn features_of(&self, img: &image::DynamicImage) -> Vec<f32> {
        let mut row = self.unscaled(img);
        self.scaler.apply(&mut row);
        row
    }

    fn unscaled(&self, img: &image::DynamicImage) -> Vec<f32> {
        let side = self.size;
        match (self.hog, self.colour) {
            (false, Colour::Rgb | Colour::Auto) => {
                let small = image::imageops::resize(&img.to_rgb8(), side, side, FilterType::Triangle);
                small.into_raw().into_iter().map(|v| v as f32 / 255.0).collect()
            }
            (hog, _) => {
                let small = image::imageops::resize(&img.to_luma8(), side, side, FilterType::Triangle);
                let grey: Vec<f32> = small.into_raw().into_iter().map(|v| v as f32 / 255.0).collect();
                if hog { histogram_of_gradients(&grey, side as usize) } else { grey }
            }
        }
    }
}

/// Decodes an image file, naming it when it cannot.
pub fn open(path: &std::path::Path) -> Result<image::DynamicImage> {
    image::open(path).map_err(|e| Error::file(path, format!("cannot be read as an image: {e}")))
}

/// The size `auto` picks — the images' own when they all share one square size up to
/// `MAX_OWN_SIZE`, else `DEFAULT_SIZE` — and whether any image has colour. Reads only the
/// files' headers.
fn look(files: &[PathBuf]) -> Result<(u32, bool)> {
    let facts: Vec<((u32, u32), bool)> = files
        .par_iter()
        .map(|path| {
            let reader = image::ImageReader::open(path)
                .and_then(|r| r.with_guessed_format())
                .map_err(|e| Error::file(path, format!("cannot be read as an image: {e}")))?;
            let decoder =
                reader.into_decoder().map_err(|e| Error::file(path, format!("cannot be read as an image: {e}")))?;
            use image::ImageDecoder;
            let colour = !matches!(
                decoder.color_type(),
                image::ColorType::L8 | image::ColorType::L16 | image::ColorType::La8 | image::ColorType::La16
            );
            Ok((decoder.dimensions(), colour))
        })
        .collect::<Result<_>>()?;
    let first = facts.first().map(|f| f.0);
    let size = match first {
        Some((w, h)) if w == h && (4..=MAX_OWN_SIZE).contains(&w) && facts.iter().all(|f| f.0 == (w, h)) => w,
        _ => DEFAULT_SIZE,
    };
    Ok((size, facts.iter().any(|f| f.1)))
}

/// HOG of a square grey image: per 8 × 8 cell a 9-bin histogram of unsigned gradient
/// orientation weighted by magnitude; each 2 × 2 block of cells L2-Hys normalized.
fn histogram_of_gradients(grey: &[f32], side: usize) -> Vec<f32> {
    let cells = side / CELL;
    let mut hist = vec![0.0f32; cells * cells * BINS];
    let at = |x: usize, y: usize| grey[y * side + x];
    for y in 0..cells * CELL {
        for x in 0..cells * CELL {
            let gx = at((x + 1).min(side - 1), y) - at(x.saturating_sub(1), y);
            let gy = at(x, (y + 1).min(side - 1)) - at(x, y.saturating_sub(1));
            let magnitude = (gx * gx + gy * gy).sqrt();
            let angle = gy.atan2(gx).rem_euclid(std::f32::consts::PI);
            let bin = ((angle / std::f32::consts::PI * BINS as f32) as usize).min(BINS - 1);
            hist[((y / CELL) * cells + x / CELL) * BINS + bin] += magnitude;
        }
    }
    let mut out = Vec::with_capacity((cells - 1) * (cells - 1) * 4 * BINS);
    for by in 0..cells - 1 {
        for bx in 0..cells - 1 {
            let mut block: Vec<f32> = Vec::with_capacity(4 * BINS);
            for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                let c = (by + dy) * cells + bx + dx;
                block.extend_from_slice(&hist[c * BINS..(c + 1) * BINS]);
            }
            l2_hys(&mut block);
            out.extend(block);
        }
    }
    out
}

fn l2_hys(block: &mut [f32]) {
    for clip in [true, false] {
        let norm = (block.iter().map(|v| v * v).sum::<f32>() + 1e-6).sqrt();
        block.iter_mut().for_each(|v| *v = if clip { (*v / norm).min(0.2) } else { *v / norm });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vertical_edges_fill_the_horizontal_gradient_bin() {
        // Left half dark, right half bright: gradients point along x (angle 0 → bin 0).
        let side = 16;
        let grey: Vec<f32> = (0..side * side).map(|i| if i % side < side / 2 { 0.0 } else { 1.0 }).collect();
        let h = histogram_of_gradients(&grey, side);
        assert_eq!(h.len(), 4 * BINS);
        let bin_total = |b: usize| (0..4).map(|c| h[c * BINS + b]).sum::<f32>();
        assert!(bin_total(0) > 0.5);
        assert!((1..BINS).all(|b| bin_total(b) == 0.0));
    }

    #[test]
    fn auto_keeps_a_shared_small_size_and_the_colour() {
        let dir = tempfile::tempdir().unwrap();
        let save = |name: &str, img: image::DynamicImage| {
            let path = dir.path().join(name);
            img.save(&path).unwrap();
            path
        };
        let colour = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(16, 16, image::Rgb([200, 10, 10])));
        let grey = image::DynamicImage::ImageLuma8(image::GrayImage::from_pixel(16, 16, image::Luma([90])));
        let files = vec![save("a.png", colour), save("b.png", grey.clone())];
        let f = ImageFeaturizer::fit(false, &Settings::default(), &files, &crate::progress::Silent).unwrap();
        assert_eq!((f.size, f.colour, f.width()), (16, Colour::Rgb, 16 * 16 * 3));
        let greys =
            vec![save("c.png", grey), save("d.png", image::DynamicImage::ImageLuma8(image::GrayImage::new(20, 10)))];
        let f = ImageFeaturizer::fit(false, &Settings::default(), &greys, &crate::progress::Silent).unwrap();
        assert_eq!((f.size, f.colour, f.width()), (DEFAULT_SIZE, Colour::Grey, 32 * 32), "sizes differ: the default");
    }

    #[test]
    fn pixels_of_an_image_file_are_resized_and_standardized() {
        let dir = tempfile::tempdir().unwrap();
        let files: Vec<PathBuf> = (0..3u8)
            .map(|i| {
                let path = dir.path().join(format!("{i}.png"));
                image::GrayImage::from_pixel(20, 10, image::Luma([i * 100])).save(&path).unwrap();
                path
            })
            .collect();
        let settings = Settings { image_size: Some(8), ..Settings::default() };
        let f = ImageFeaturizer::fit(false, &settings, &files, &crate::progress::Silent).unwrap();
        let m = f.transform(&files, &crate::progress::Silent).unwrap();
        assert_eq!((m.rows(), m.cols()), (3, 64));
        let firsts: Vec<f32> = (0..3).map(|i| m.row(i).get(0)).collect();
        assert!(firsts[0] < 0.0 && firsts[1].abs() < 1e-5 && firsts[2] > 0.0, "{firsts:?}");
        let broken = dir.path().join("broken.png");
        std::fs::write(&broken, b"not a png").unwrap();
        let err = f.transform(&[broken], &crate::progress::Silent).unwrap_err();
        assert!(err.message().contains("broken.png"), "{}", err.message());
    }
}
