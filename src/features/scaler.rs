//! Per-column standardization (zero mean, unit variance on the training rows), as
//! scikit-learn's `StandardScaler`: a constant column is centred and left unscaled.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scaler {
    mean: Vec<f64>,
    scale: Vec<f64>,
}

impl Scaler {
    /// Fits on row-major `data` with `cols` columns.
    pub fn fit(data: &[f32], cols: usize) -> Scaler {
        if cols == 0 {
            return Scaler { mean: Vec::new(), scale: Vec::new() };
        }
        let rows = (data.len() / cols.max(1)).max(1) as f64;
        let (mut sum, mut sq) = (vec![0.0; cols], vec![0.0; cols]);
        for row in data.chunks(cols) {
            for (j, v) in row.iter().enumerate() {
                sum[j] += *v as f64;
                sq[j] += (*v as f64) * (*v as f64);
            }
        }
        let mean: Vec<f64> = sum.iter().map(|s| s / rows).collect();
        let scale = (0..cols)
            .map(|j| {
                let sd = (sq[j] / rows - mean[j] * mean[j]).max(0.0).sqrt();
                if sd < 1e-12 * mean[j].abs().max(1.0) { 1.0 } else { sd }
            })
            .collect();
        Scaler { mean, scale }
    }

    /// What each column was divided by.
    pub fn scales(&self) -> &[f64] {
        &self.scale
    }

    pub fn apply(&self, data: &mut [f32]) {
        let cols = self.mean.len();
        if cols == 0 {
            return;
        }
        for row in data.chunks_mut(cols) {
            for (j, v) in row.iter_mut().enumerate() {
                *v = ((*v as f64 - self.mean[j]) / self.scale[j]) as f32;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centres_and_scales_each_column() {
        let mut data = vec![1.0, 5.0, 3.0, 5.0];
        let s = Scaler::fit(&data, 2);
        s.apply(&mut data);
        assert_eq!(data, vec![-1.0, 0.0, 1.0, 0.0]);
    }
}
