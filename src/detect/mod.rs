//! A baseline detector on a pre-trained image encoder, CenterNet's way: the encoder's
//! stride-16 and stride-32 feature maps stay frozen; a small head over each cell says how
//! likely an object's centre lies there (a heat per class) and how large the object is.
//! Training only fits the head, so it takes minutes on a CPU: the encoder runs once per
//! image. Chosen over proposals + a scorer because it needs no proposal step (selective
//! search alone costs seconds an image) and over an FCOS head because one centre per
//! object needs no assignment rules.
//!
//! - `grid`: the cells' features and targets.
//! - `head`: the perceptron, its losses and Adam.
//! - `train`: fitting the head.
//! - `decode`: heats to boxes.

pub mod decode;
pub mod grid;
pub mod head;
pub mod train;

use serde::{Deserialize, Serialize};

pub use decode::Detection;
use grid::{Cells, Frame};
use head::sigmoid;
use train::Standardize;

/// A fitted detector (the run's `detector.bin`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Detector {
    pub classes: Vec<String>,
    /// The side images are resized to before the encoder.
    pub side: usize,
    pub standardize: Standardize,
    pub head: head::Head,
}

impl Detector {
    /// The boxes in an image of `width × height` pixels whose cells are `cells`, surest
    /// first, those scored under `min_score` left out.
    pub fn detect(&self, cells: &Cells, width: u32, height: u32, min_score: f32) -> Vec<Detection> {
        let mut x = cells.rows.clone();
        self.standardize.apply(&mut x);
        let n = cells.grid * cells.grid;
        let pass = self.head.forward(&x, n);
        let k = self.classes.len();
        let o = self.head.outputs();
        let mut heat = Vec::with_capacity(n * k);
        let mut shapes = Vec::with_capacity(n * 4);
        for row in pass.out.chunks(o) {
            heat.extend(row[..k].iter().map(|z| sigmoid(*z)));
            shapes.extend_from_slice(&row[k..]);
        }
        decode::decode(&Frame::new(width, height, cells.grid), &heat, &shapes, k, min_score)
    }
}

#[cfg(test)]
mod tests;
