//! One fitted tree of the ensemble, as it is saved: splits on feature values, with where
//! the gaps go.

use serde::{Deserialize, Serialize};

use crate::features::Row;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tree {
    pub nodes: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Node {
    Leaf(f64),
    /// Rows with `x[feature] <= threshold` go to `left`; gaps go left when `gaps_left`.
    Split {
        feature: u32,
        threshold: f32,
        gaps_left: bool,
        left: u32,
        right: u32,
    },
    /// Rows whose category code is one of `codes` go to `left`; gaps go left when `gaps_left`.
    Among {
        feature: u32,
        codes: Vec<u32>,
        gaps_left: bool,
        left: u32,
        right: u32,
    },
}

impl Tree {
    pub fn value(&self, row: Row) -> f64 {
        let mut at = 0;
        loop {
            let (v, gaps_left, left, right, goes_left) = match &self.nodes[at] {
                Node::Leaf(v) => return *v,
                Node::Split { feature, threshold, gaps_left, left, right } => {
                    let v = row.get(*feature as usize);
                    (v, *gaps_left, *left, *right, v <= *threshold)
                }
                Node::Among { feature, codes, gaps_left, left, right } => {
                    let v = row.get(*feature as usize);
                    (v, *gaps_left, *left, *right, v >= 0.0 && codes.contains(&(v as u32)))
                }
            };
            at = if (v.is_nan() && gaps_left) || (!v.is_nan() && goes_left) { left } else { right } as usize;
        }
    }
}
