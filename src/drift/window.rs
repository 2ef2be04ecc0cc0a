//! The last inputs a server answered, feature by feature, for `GET /drift` and the drift
//! lines of `/metrics`: a sliding window, the oldest values dropped first.

use std::collections::VecDeque;

use super::observe::{CONFIDENCE, Cells, Observed};
use super::{DriftReport, Profile};

#[derive(Debug)]
enum Kept {
    Numbers(VecDeque<Option<f64>>),
    Categories(VecDeque<Option<String>>),
}

#[derive(Debug)]
pub struct Window {
    capacity: usize,
    features: Vec<(String, Kept)>,
}

impl Window {
    pub fn new(capacity: usize) -> Window {
        Window { capacity: capacity.max(1), features: Vec::new() }
    }

    /// Adds one request's observed features and the model's confidence on it.
    pub fn push(&mut self, observed: Observed, confidence: (String, Cells)) {
        for (name, cells) in observed.into_iter().chain([confidence]) {
            let at = match self.features.iter().position(|f| f.0 == name) {
                Some(at) => at,
                None => {
                    let empty = match cells {
                        Cells::Numbers(_) => Kept::Numbers(VecDeque::new()),
                        Cells::Categories(_) => Kept::Categories(VecDeque::new()),
                    };
                    self.features.push((name, empty));
                    self.features.len() - 1
                }
            };
            let capacity = self.capacity;
            match (&mut self.features[at].1, cells) {
                (Kept::Numbers(kept), Cells::Numbers(new)) => slide(kept, new, capacity),
                (Kept::Categories(kept), Cells::Categories(new)) => slide(kept, new, capacity),
                _ => {}
            }
        }
    }

    /// Inputs in the window.
    pub fn len(&self) -> usize {
        self.features.iter().find(|f| f.0 == CONFIDENCE).map_or(0, |f| match &f.1 {
            Kept::Numbers(v) => v.len(),
            Kept::Categories(v) => v.len(),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn check(&self, profile: &Profile) -> DriftReport {
        let cells = |kept: &Kept| match kept {
            Kept::Numbers(v) => Cells::Numbers(v.iter().copied().collect()),
            Kept::Categories(v) => Cells::Categories(v.iter().cloned().collect()),
        };
        let mut confidence = Cells::Numbers(Vec::new());
        let mut observed = Vec::new();
        for (name, kept) in &self.features {
            if name == CONFIDENCE {
                confidence = cells(kept);
            } else {
                observed.push((name.clone(), cells(kept)));
            }
        }
        profile.check(&observed, &confidence)
    }
}

fn slide<T>(kept: &mut VecDeque<T>, new: Vec<T>, capacity: usize) {
    kept.extend(new);
    let over = kept.len().saturating_sub(capacity);
    kept.drain(..over);
}
