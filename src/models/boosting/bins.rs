//! Features binned for the histograms: a number by up to 254 thresholds between its
//! training values (at quantiles when there are more), a category by its code; gaps (NaN)
//! get the bin after the values.

use rayon::prelude::*;

use crate::features::Matrix;

/// Bins for the values of one feature; one more holds its gaps.
pub const MAX_VALUE_BINS: usize = 255;

pub enum Binning {
    /// Bin `b` holds the values in `(thresholds[b - 1], thresholds[b]]`.
    Numeric(Vec<f32>),
    /// Codes `0..n`, each its own bin.
    Categorical(usize),
}

impl Binning {
    /// Bins feature `j` on the training `rows`.
    fn fit(x: &Matrix, rows: &[u32], j: usize, categorical: bool) -> Binning {
        let mut values: Vec<f32> = rows.iter().map(|&i| x.row(i as usize).get(j)).filter(|v| !v.is_nan()).collect();
        if categorical {
            let codes = values.iter().fold(0.0f32, |top, &v| top.max(v.floor() + 1.0));
            return Binning::Categorical((codes as usize).min(MAX_VALUE_BINS));
        }
        values.sort_by(f32::total_cmp);
        values.dedup();
        if values.len() <= MAX_VALUE_BINS {
            return Binning::Numeric(values.windows(2).map(|w| w[0] + (w[1] - w[0]) / 2.0).collect());
        }
        let mut cuts: Vec<f32> = (1..MAX_VALUE_BINS).map(|q| values[q * values.len() / MAX_VALUE_BINS]).collect();
        cuts.dedup();
        Binning::Numeric(cuts)
    }

    /// How many bins the values take; the gaps' bin is this one.
    pub fn values(&self) -> usize {
        match self {
            Binning::Numeric(thresholds) => thresholds.len() + 1,
            Binning::Categorical(n) => *n,
        }
    }

    pub fn bin(&self, v: f32) -> u8 {
        let bin = match self {
            _ if v.is_nan() => self.values(),
            Binning::Numeric(thresholds) => thresholds.partition_point(|edge| *edge < v),
            // A code training never saw is a gap.
            Binning::Categorical(n) => Some(v as usize).filter(|&c| v >= 0.0 && c < *n).unwrap_or(*n),
        };
        bin as u8
    }
}

/// Every feature's bins, column by column, for every row (the validation rows too).
pub struct Binned {
    pub columns: Vec<Vec<u8>>,
    pub features: Vec<Binning>,
}

impl Binned {
    /// Bins fitted on the training `rows`; `categorical` marks the columns holding codes.
    pub fn new(x: &Matrix, rows: &[u32], categorical: &[bool]) -> Binned {
        let features: Vec<Binning> = (0..x.cols())
            .into_par_iter()
            .map(|j| Binning::fit(x, rows, j, categorical.get(j).copied().unwrap_or(false)))
            .collect();
        let columns = features
            .par_iter()
            .enumerate()
            .map(|(j, binning)| (0..x.rows()).map(|i| binning.bin(x.row(i).get(j))).collect())
            .collect();
        Binned { columns, features }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_gaps_and_codes_get_their_bins() {
        let x = Matrix::dense(5, 2, vec![1.0, 0.0, 2.0, 2.0, f32::NAN, 1.0, 3.0, f32::NAN, 2.0, 9.0]);
        let b = Binned::new(&x, &[0, 1, 2, 3, 4], &[false, true]);
        // Distinct values 1, 2, 3 → thresholds 1.5, 2.5; the gap in bin 3.
        assert_eq!(b.columns[0], vec![0, 1, 3, 2, 1]);
        // Codes 0, 2, 1 seen (9 is one too) → bins 0..10, gaps in bin 10.
        assert_eq!(b.features[1].values(), 10);
        assert_eq!(b.columns[1], vec![0, 2, 1, 10, 9]);
        assert_eq!(b.features[1].bin(42.0), 10, "an unseen code is a gap");
    }
}
