//! Out-of-fold probabilities: every fitted label's sample scored by a model fitted on the
//! other folds. What the live model says of a labelled sample then never learnt from that
//! sample's own label — the card of a re-ask shows a suggestion as blind as any other card,
//! and the model's agreement with each label is a fair signal of the labeller at every label.

use crate::error::Result;
use crate::eval::split;
use crate::features::Matrix;
use crate::models::{Fit, Model, ModelKind, Probabilities};
use crate::progress::Silent;

/// Folds: few, since every refit pays for them.
pub const FOLDS: usize = 3;

/// The out-of-fold probabilities of the `y.len()` rows of `x`, and which rows have them (a
/// fold whose other folds hold labels of fewer than two classes cannot be scored).
pub struct OutOfFold {
    pub probs: Probabilities,
    pub scored: Vec<bool>,
}

impl OutOfFold {
    /// The share of scored rows whose label is the class they are given the most of; `None`
    /// when some row could not be scored or a class has a single label (a fold without it
    /// cannot know it: the score would say more of the folds than of the model).
    pub fn accuracy(&self, y: &[usize]) -> Option<f64> {
        let smallest = count_by_class(y).into_iter().filter(|&k| k > 0).min()?;
        if smallest < 2 || self.scored.iter().any(|s| !s) {
            return None;
        }
        let right = y.iter().enumerate().filter(|&(i, &c)| self.probs.predicted(i) == c).count();
        Some(right as f64 / y.len() as f64)
    }
}

/// `FOLDS` stratified folds of the labelled rows `x` (labels `y` of `n` classes); `None` with
/// fewer rows than folds.
pub fn out_of_fold(kind: ModelKind, x: &Matrix, y: &[usize], n: usize, fit: &Fit) -> Result<Option<OutOfFold>> {
    if y.len() < FOLDS {
        return Ok(None);
    }
    let fold = split::folds(y, FOLDS, 0);
    let mut probs = Probabilities::new(n, vec![1.0 / n as f64; y.len() * n]);
    let mut scored = vec![false; y.len()];
    for f in 0..FOLDS {
        let (test, train): (Vec<usize>, Vec<usize>) = (0..y.len()).partition(|&i| fold[i] == f);
        let y_train: Vec<usize> = train.iter().map(|&i| y[i]).collect();
        if count_by_class(&y_train).into_iter().filter(|&k| k > 0).count() < 2 || test.is_empty() {
            continue;
        }
        let model = Model::fit(kind, &x.select(&train), &y_train, n, fit, &Silent)?;
        probs.scatter(&test, &model.predict_proba(&x.select(&test))?);
        test.iter().for_each(|&i| scored[i] = true);
    }
    Ok(Some(OutOfFold { probs, scored }))
}

fn count_by_class(y: &[usize]) -> Vec<usize> {
    let mut counts = vec![0; y.iter().max().map_or(0, |m| m + 1)];
    y.iter().for_each(|&c| counts[c] += 1);
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two classes on a line, and one row labelled against its neighbours.
    fn line(n: usize) -> (Matrix, Vec<usize>) {
        let x = Matrix::dense(n, 1, (0..n).map(|i| i as f32 / n as f32).collect());
        let mut y: Vec<usize> = (0..n).map(|i| usize::from(i >= n / 2)).collect();
        y[3] = 1;
        (x, y)
    }

    #[test]
    fn a_label_against_its_neighbours_is_not_learnt_by_the_model_that_scores_it() {
        let (x, y) = line(60);
        let fit = Fit { seed: 0, ..Default::default() };
        let tree = ModelKind::DecisionTree;
        let oof = out_of_fold(tree, &x, &y, 2, &fit).unwrap().unwrap();
        assert!(oof.scored.iter().all(|&s| s));
        assert_eq!(oof.probs.predicted(3), 0, "its neighbours say low; a model that saw it would say high");
        let whole = Model::fit(tree, &x, &y, 2, &fit, &Silent).unwrap().predict_proba(&x).unwrap();
        assert_eq!(whole.predicted(3), 1, "the model fitted on every label repeats the label");
        let accuracy = oof.accuracy(&y).unwrap();
        assert!((0.9..1.0).contains(&accuracy), "{accuracy}");
    }

    #[test]
    fn folds_without_two_classes_are_left_unscored_and_give_no_accuracy() {
        let x = Matrix::dense(4, 1, vec![0.0, 0.1, 0.9, 1.0]);
        let y = vec![0, 0, 0, 1];
        let fit = Fit { seed: 0, ..Default::default() };
        let oof = out_of_fold(ModelKind::Logistic, &x, &y, 2, &fit).unwrap().unwrap();
        assert!(oof.scored.iter().any(|&s| !s), "{:?}", oof.scored);
        assert_eq!(oof.accuracy(&y), None);
        assert!(out_of_fold(ModelKind::Logistic, &x.select(&[0, 3]), &[0, 1], 2, &fit).unwrap().is_none());
    }
}
