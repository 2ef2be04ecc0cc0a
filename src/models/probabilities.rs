//! Class probabilities of many rows, stored flat.

#[derive(Debug, Clone, PartialEq)]
pub struct Probabilities {
    classes: usize,
    data: Vec<f64>,
}

impl Probabilities {
    pub fn new(classes: usize, data: Vec<f64>) -> Probabilities {
        assert!(classes > 0 && data.len().is_multiple_of(classes), "probabilities must be rows × classes");
        Probabilities { classes, data }
    }

    /// Turns per-row scores into probabilities with a softmax.
    pub fn softmax(classes: usize, mut scores: Vec<f64>) -> Probabilities {
        for row in scores.chunks_mut(classes) {
            softmax_in_place(row);
        }
        Probabilities::new(classes, scores)
    }

    pub fn classes(&self) -> usize {
        self.classes
    }

    pub fn rows(&self) -> usize {
        self.data.len() / self.classes
    }

    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.classes..(i + 1) * self.classes]
    }

    /// The most probable class of row `i` (the first on ties).
    pub fn predicted(&self, i: usize) -> usize {
        argmax(self.row(i))
    }

    /// Spreads probabilities over `n` classes: column `c` goes to class `seen[c]`.
    pub fn widen(self, seen: &[usize], n: usize) -> Probabilities {
        if seen.len() == n {
            return self;
        }
        let mut data = vec![0.0; self.rows() * n];
        for i in 0..self.rows() {
            for (c, p) in self.row(i).iter().enumerate() {
                data[i * n + seen[c]] = *p;
            }
        }
        Probabilities::new(n, data)
    }

    /// The rows at `rows`, in that order.
    pub fn select(&self, rows: &[usize]) -> Probabilities {
        Probabilities::new(self.classes, rows.iter().flat_map(|&i| self.row(i).iter().copied()).collect())
    }

    /// Copies rows of `other` into this one at `rows` (row `k` of `other` goes to `rows[k]`).
    pub fn scatter(&mut self, rows: &[usize], other: &Probabilities) {
        for (k, &i) in rows.iter().enumerate() {
            self.data[i * self.classes..(i + 1) * self.classes].copy_from_slice(other.row(k));
        }
    }
}

pub fn softmax_in_place(row: &mut [f64]) {
    let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for v in row.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    row.iter_mut().for_each(|v| *v /= sum);
}

pub fn argmax(row: &[f64]) -> usize {
    let mut best = 0;
    for (c, v) in row.iter().enumerate() {
        if *v > row[best] {
            best = c;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_sums_to_one_and_keeps_the_order() {
        let p = Probabilities::softmax(3, vec![1.0, 2.0, 3.0, 1000.0, 0.0, 0.0]);
        for i in 0..2 {
            assert!((p.row(i).iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
        assert_eq!(p.predicted(0), 2);
        assert_eq!(p.predicted(1), 0);
        assert!(p.row(0)[0] < p.row(0)[1]);
    }

    #[test]
    fn widening_puts_each_column_on_its_class() {
        let p = Probabilities::new(2, vec![0.25, 0.75]).widen(&[1, 3], 4);
        assert_eq!(p.row(0), &[0.0, 0.25, 0.0, 0.75]);
        assert_eq!(p.predicted(0), 3);
    }
}
