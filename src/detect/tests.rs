//! The detector's parts together on images whose features are plain colours: what the
//! head must learn is where a centre is and how large its square is, not what a colour
//! means, so a working fit finds the squares of held-out images.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::grid::{self, Frame};
use super::train::{Example, FitSettings, fit};
use super::{Detector, grid::Cells};
use crate::encoders::efficientnet::FeatureMap;
use crate::eval::detection::{Found, Truth, evaluate};
use crate::labels::store::Rect;
use crate::progress::Silent;

const SIDE: usize = 128;

/// A 128×128 image of grey noise with up to two squares: class 0 red, class 1 blue.
fn image(rng: &mut ChaCha8Rng) -> (Vec<[f32; 3]>, Vec<(usize, Rect)>) {
    let mut px: Vec<[f32; 3]> = (0..SIDE * SIDE).map(|_| [rng.random_range(0.3..0.6f32); 3]).collect();
    let mut boxes: Vec<(usize, Rect)> = Vec::new();
    for _ in 0..rng.random_range(1..3) {
        let s = rng.random_range(24..48usize);
        let (x, y) = (rng.random_range(0..SIDE - s), rng.random_range(0..SIDE - s));
        let r = Rect { x: x as f64, y: y as f64, w: s as f64, h: s as f64 };
        if boxes.iter().any(|(_, b)| crate::eval::detection::iou(b, &r) > 0.0) {
            continue;
        }
        let class = rng.random_range(0..2usize);
        let colour = if class == 0 { [0.9, 0.1, 0.1] } else { [0.1, 0.1, 0.9] };
        (y..y + s).for_each(|yy| (x..x + s).for_each(|xx| px[yy * SIDE + xx] = colour));
        boxes.push((class, r));
    }
    (px, boxes)
}

/// Each cell's mean colour per quarter (so a cell knows where in it the colour lies), at
/// strides 8, 16 and 32: features a network's maps would carry.
fn maps(px: &[[f32; 3]]) -> [FeatureMap; 3] {
    let map = |stride: usize| {
        let size = SIDE / stride;
        let half = stride / 2;
        let mut values = Vec::with_capacity(size * size * 12);
        for cy in 0..size {
            for cx in 0..size {
                for q in 0..4 {
                    let (ox, oy) = ((q % 2) * half, (q / 2) * half);
                    let mut sum = [0.0f32; 3];
                    for y in 0..half {
                        for x in 0..half {
                            let p = px[(cy * stride + oy + y) * SIDE + cx * stride + ox + x];
                            (0..3).for_each(|c| sum[c] += p[c]);
                        }
                    }
                    values.extend(sum.map(|s| s / (half * half) as f32));
                }
            }
        }
        FeatureMap { values, size, channels: 12 }
    };
    [map(8), map(16), map(32)]
}

fn copy(examples: &[Example]) -> Vec<Example> {
    examples
        .iter()
        .map(|e| Example {
            cells: Cells { rows: e.cells.rows.clone(), grid: e.cells.grid, width: e.cells.width },
            targets: super::grid::Targets { heat: e.targets.heat.clone(), centres: e.targets.centres.clone() },
        })
        .collect()
}

#[test]
fn a_fitted_head_finds_the_squares_of_held_out_images() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let data: Vec<(Cells, Vec<(usize, Rect)>)> = (0..160)
        .map(|_| {
            let (px, boxes) = image(&mut rng);
            (grid::cells(&maps(&px)), boxes)
        })
        .collect();
    let (train, test) = data.split_at(120);
    let examples: Vec<Example> = train
        .iter()
        .map(|(cells, boxes)| {
            let frame = Frame::new(SIDE as u32, SIDE as u32, cells.grid);
            Example {
                cells: Cells { rows: cells.rows.clone(), grid: cells.grid, width: cells.width },
                targets: grid::targets(&frame, boxes, 2),
            }
        })
        .collect();
    let settings = FitSettings { epochs: 60, ..FitSettings::default() };
    let blank_examples = copy(&examples);
    let fitted = fit(examples, 2, &settings, &Silent);
    assert!(fitted.losses.last() < fitted.losses.first(), "{:?}", fitted.losses);
    let classes = vec!["red".to_string(), "blue".to_string()];
    let detector =
        Detector { classes: classes.clone(), side: SIDE, standardize: fitted.standardize, head: fitted.head };
    let mut truths = Vec::new();
    let mut found = Vec::new();
    let mut images = Vec::new();
    for (i, (cells, boxes)) in test.iter().enumerate() {
        let image = format!("{i}");
        images.push(image.clone());
        truths.extend(boxes.iter().map(|(c, r)| Truth { image: image.clone(), class: classes[*c].clone(), rect: *r }));
        found.extend(detector.detect(cells, SIDE as u32, SIDE as u32, 0.01).into_iter().map(|d| Found {
            image: image.clone(),
            class: classes[d.class].clone(),
            rect: d.rect,
            score: f64::from(d.score),
        }));
    }
    let e = evaluate(&truths, &found, &classes, &images, 0.25);
    let map50 = e.map50.unwrap();
    // The features see at most 32 px, so sizes are guessed and some boxes land under IoU
    // 0.5 (EfficientNet-Lite0's own maps find such squares with mAP@0.5 1.0).
    assert!(map50 > 0.7, "mAP@0.5 {map50} on {} held-out boxes: {:?} {:?}", truths.len(), e.errors, e.costs);
    // An untrained head (no epochs of fitting) finds next to nothing: the fit did the work.
    let blank = fit(blank_examples, 2, &FitSettings { epochs: 1, learning_rate: 1e-7, ..settings }, &Silent);
    let untrained = Detector { classes: classes.clone(), side: SIDE, standardize: blank.standardize, head: blank.head };
    let found: Vec<Found> = test
        .iter()
        .enumerate()
        .flat_map(|(i, (cells, _))| {
            untrained.detect(cells, SIDE as u32, SIDE as u32, 0.01).into_iter().map(move |d| Found {
                image: format!("{i}"),
                class: ["red", "blue"][d.class].to_string(),
                rect: d.rect,
                score: f64::from(d.score),
            })
        })
        .collect();
    let before = evaluate(&truths, &found, &classes, &images, 0.25).map50.unwrap_or(0.0);
    assert!(before < 0.3, "an untrained head already scores {before}");
}
