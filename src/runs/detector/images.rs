//! What a detector run makes of an image: the encoder's cells of it, its training examples
//! (with augmented copies, boxes carried), and the boxes a detector finds in it.

use std::path::Path;

use super::FoundBox;
use crate::detect::grid::{self, Cells, Frame};
use crate::detect::train::Example;
use crate::detect::{Detection, Detector};
use crate::encoders::Network;
use crate::encoders::timm::ImageEncoder;
use crate::error::{Error, Result};

pub(super) fn image_encoder(network: &Network) -> Result<&ImageEncoder> {
    match network {
        Network::Image(e) => Ok(e),
        Network::Text(_) => {
            Err(Error::user("a detector needs an image encoder (tf_efficientnet_lite0 …), not a text one"))
        }
    }
}

/// The cells of the image at `path`, and its size.
pub(super) fn cells_of(encoder: &ImageEncoder, path: &Path, side: usize) -> Result<(Cells, u32, u32)> {
    let img = crate::features::image::open(path)?.to_rgb8();
    let (w, h) = img.dimensions();
    Ok((grid::cells(&encoder.feature_maps(&img, side)), w, h))
}

/// The training examples of one image: the image itself, then each augmented copy with
/// its boxes carried (those left under the visibility floor dropped).
pub(super) fn examples_of(
    encoder: &ImageEncoder,
    path: &Path,
    boxes: &[(String, crate::labels::store::Rect)],
    classes: &[String],
    side: usize,
    augment: Option<(&crate::augment::Plan, u64, u64)>,
) -> Result<Vec<Example>> {
    let img = crate::features::image::open(path)?.to_rgb8();
    let mut versions = vec![(img.clone(), boxes.to_vec())];
    if let Some((plan, seed, number)) = augment {
        for copy in 0..plan.copies {
            let mut rng = crate::augment::rng_for(seed, number, copy as u64);
            let carried =
                crate::augment::boxes::carry(&img, boxes, &plan.steps, &mut rng, crate::augment::boxes::VISIBLE_FLOOR);
            versions.push((carried.image, carried.boxes));
        }
    }
    Ok(versions
        .into_iter()
        .map(|(img, boxes)| {
            let cells = grid::cells(&encoder.feature_maps(&img, side));
            let frame = Frame::new(img.width(), img.height(), cells.grid);
            let list: Vec<_> =
                boxes.iter().filter_map(|(class, r)| Some((classes.iter().position(|c| c == class)?, *r))).collect();
            let targets = grid::targets(&frame, &list, classes.len());
            Example { cells, targets }
        })
        .collect())
}

pub(super) fn find(detector: &Detector, encoder: &ImageEncoder, path: &Path, min_score: f32) -> Result<Vec<Detection>> {
    let (cells, w, h) = cells_of(encoder, path, detector.side)?;
    Ok(detector.detect(&cells, w, h, min_score))
}

pub(super) fn found_boxes(image: &str, found: &[Detection], classes: &[String]) -> Vec<FoundBox> {
    let round = |v: f64| (v * 100.0).round() / 100.0;
    found
        .iter()
        .map(|d| FoundBox {
            image: image.to_string(),
            class: classes[d.class].clone(),
            bbox: [round(d.rect.x), round(d.rect.y), round(d.rect.w), round(d.rect.h)],
            score: (f64::from(d.score) * 1e6).round() / 1e6,
        })
        .collect()
}
