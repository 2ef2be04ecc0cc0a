//! Fitting the head on the cells of the training images: every cell a row, shuffled into
//! batches each epoch, the learning rate falling on a cosine to a tenth.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::grid::{Cells, Targets};
use super::head::{Adam, Head, focal};
use crate::progress::Progress;

/// How the head is fitted (`[detector]` in kindling.toml).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FitSettings {
    pub hidden: usize,
    pub epochs: usize,
    pub batch: usize,
    pub learning_rate: f32,
    pub seed: u64,
}

impl Default for FitSettings {
    fn default() -> FitSettings {
        FitSettings { hidden: 128, epochs: 30, batch: 512, learning_rate: 2e-3, seed: 0 }
    }
}

/// Per input column: the mean and the standard deviation of the training cells.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Standardize {
    pub mean: Vec<f32>,
    pub scale: Vec<f32>,
}

impl Standardize {
    fn fit(rows: &[&[f32]], width: usize) -> Standardize {
        let mut sum = vec![0.0f64; width];
        let mut sq = vec![0.0f64; width];
        let mut n = 0usize;
        for r in rows {
            for row in r.chunks(width) {
                for ((s, q), v) in sum.iter_mut().zip(&mut sq).zip(row) {
                    *s += f64::from(*v);
                    *q += f64::from(*v) * f64::from(*v);
                }
                n += 1;
            }
        }
        let n = n.max(1) as f64;
        let mean: Vec<f32> = sum.iter().map(|s| (s / n) as f32).collect();
        let scale = sq
            .iter()
            .zip(&sum)
            .map(|(q, s)| {
                let var = (q / n - (s / n) * (s / n)).max(0.0);
                if var > 1e-12 { (1.0 / var.sqrt()) as f32 } else { 0.0 }
            })
            .collect();
        Standardize { mean, scale }
    }

    pub fn apply(&self, rows: &mut [f32]) {
        let w = self.mean.len();
        rows.chunks_mut(w).for_each(|row| {
            row.iter_mut().zip(&self.mean).zip(&self.scale).for_each(|((v, m), s)| *v = (*v - m) * s);
        });
    }
}

/// One training image: its cells and their targets.
pub struct Example {
    pub cells: Cells,
    pub targets: Targets,
}

pub struct Fitted {
    pub standardize: Standardize,
    pub head: Head,
    /// The mean loss per cell of each epoch.
    pub losses: Vec<f32>,
}

/// The fewest steps a fit takes: a few dozen images make few batches an epoch, and the
/// head needs about this many steps whatever the data's size.
const MIN_STEPS: usize = 1000;

/// Weight of the shape loss beside the heat loss.
const SHAPE_WEIGHT: f32 = 1.0;

/// Fits the head on `examples`, taken so that their cells are moved, not copied, into the
/// one matrix the fit reads.
pub fn fit(examples: Vec<Example>, classes: usize, s: &FitSettings, progress: &dyn Progress) -> Fitted {
    let width = examples.first().map_or(0, |e| e.cells.width);
    let images = examples.len();
    let standardize = Standardize::fit(&examples.iter().map(|e| e.cells.rows.as_slice()).collect::<Vec<_>>(), width);
    // Every cell, standardized, with its heats; the shape targets of centre cells.
    let mut x = Vec::with_capacity(examples.iter().map(|e| e.cells.rows.len()).sum());
    let mut heat = Vec::new();
    let mut shape: Vec<Option<[f32; 4]>> = Vec::new();
    for e in examples {
        let first = shape.len();
        x.extend_from_slice(&e.cells.rows);
        heat.extend_from_slice(&e.targets.heat);
        shape.resize(first + e.cells.grid * e.cells.grid, None);
        for (cell, s) in &e.targets.centres {
            shape[first + cell] = Some(*s);
        }
    }
    standardize.apply(&mut x);
    let rows = shape.len();
    let centres = shape.iter().filter(|s| s.is_some()).count().max(1);
    // CenterNet divides by the objects in the batch; a batch of cells holds this many on
    // average, and a steady divisor keeps batches with none from jumping.
    let per_batch = (centres as f32 * s.batch as f32 / rows.max(1) as f32).max(1.0);

    let mut rng = ChaCha8Rng::seed_from_u64(s.seed);
    let mut head = Head::new(width, s.hidden, classes, &mut rng);
    let mut adam = Adam::new(&mut head, s.learning_rate, 1e-4);
    let o = head.outputs();
    let mut order: Vec<usize> = (0..rows).collect();
    let mut losses = Vec::new();
    let per_epoch = rows.div_ceil(s.batch.max(1)).max(1);
    let epochs = s.epochs.max(MIN_STEPS.div_ceil(per_epoch)).max(1);
    let steps = epochs * per_epoch;
    let mut step = 0;
    progress.stage("training the detector's head", Some(epochs as u64));
    let started = std::time::Instant::now();
    for epoch in 0..epochs {
        order.shuffle(&mut rng);
        let mut total = 0.0f64;
        for batch in order.chunks(s.batch.max(1)) {
            let b = batch.len();
            let mut bx = Vec::with_capacity(b * width);
            batch.iter().for_each(|&i| bx.extend_from_slice(&x[i * width..][..width]));
            let pass = head.forward(&bx, b);
            let mut d_out = vec![0.0f32; b * o];
            for (r, &i) in batch.iter().enumerate() {
                let out = &pass.out[r * o..][..o];
                let grad = &mut d_out[r * o..][..o];
                for c in 0..classes {
                    let (l, g) = focal(out[c], heat[i * classes + c]);
                    total += f64::from(l);
                    grad[c] = g / per_batch;
                }
                if let Some(t) = shape[i] {
                    for k in 0..4 {
                        let diff = out[classes + k] - t[k];
                        total += f64::from(SHAPE_WEIGHT * diff.abs());
                        grad[classes + k] = SHAPE_WEIGHT * diff.signum() / per_batch;
                    }
                }
            }
            let grads = head.backward(&bx, &pass, &d_out, b);
            let progress_share = step as f32 / steps.max(1) as f32;
            adam.set_lr(s.learning_rate * (0.1 + 0.9 * 0.5 * (1.0 + (std::f32::consts::PI * progress_share).cos())));
            adam.update(&mut head, &grads);
            step += 1;
        }
        let loss = total / rows.max(1) as f64;
        losses.push(loss as f32);
        let images_per_second = images as f64 * (epoch + 1) as f64 / started.elapsed().as_secs_f64().max(1e-9);
        progress.epoch(epoch as u64 + 1, loss, None, images_per_second);
        progress.advance(epoch as u64 + 1);
    }
    progress.finish();
    Fitted { standardize, head, losses }
}
