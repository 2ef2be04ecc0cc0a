//! The baseline to beat: every sample gets the training class frequencies.

use serde::{Deserialize, Serialize};

use super::Probabilities;
use crate::features::Matrix;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Majority {
    priors: Vec<f64>,
}

impl Majority {
    pub fn fit(y: &[usize], k: usize) -> Majority {
        let mut priors = vec![0.0; k];
        y.iter().for_each(|c| priors[*c] += 1.0);
        priors.iter_mut().for_each(|p| *p /= y.len() as f64);
        Majority { priors }
    }

    pub fn predict_proba(&self, x: &Matrix) -> Probabilities {
        Probabilities::new(self.priors.len(), self.priors.repeat(x.rows()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predicts_the_most_frequent_class_with_its_share() {
        let m = Majority::fit(&[0, 1, 1, 1], 2);
        let p = m.predict_proba(&Matrix::dense(2, 1, vec![5.0, -5.0]));
        assert_eq!(p.row(1), &[0.25, 0.75]);
        assert_eq!(p.predicted(0), 1);
    }
}
