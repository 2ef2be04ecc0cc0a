//! What the map job brings the Map pane: the points, their labels and clusters, what is shown
//! of one sample, and how far the job is.

use std::collections::HashMap;

use kindling::data::preview::Preview;
use kindling::embed::Vectors;

/// What the map job brings: each sample's place (0–1 on both axes), cluster and vector.
pub struct MapData {
    pub ids: Vec<String>,
    pub xy: Vec<(f64, f64)>,
    pub cluster: Vec<usize>,
    pub clusters: usize,
    pub vectors: Vectors,
    pub labels: HashMap<String, String>,
    /// The labels again, by point (made when the map arrives): a redraw looks up no ids.
    pub index: LabelIndex,
    /// The live model's class for each point (a number into `suggested_names`), when it has
    /// predictions.
    pub suggested: Vec<Option<u16>>,
    pub suggested_names: Vec<String>,
    /// The featurizer the vectors come from.
    pub features: String,
    pub projection: kindling::embed::map::Projection,
}

/// Each point's label as a number into `names`.
#[derive(Default)]
pub struct LabelIndex {
    position: HashMap<String, usize>,
    pub names: Vec<String>,
    pub of: Vec<Option<u16>>,
}

impl LabelIndex {
    pub fn rebuild(&mut self, ids: &[String], labels: &HashMap<String, String>) {
        self.position = ids.iter().enumerate().map(|(i, id)| (id.clone(), i)).collect();
        self.names.clear();
        self.of = vec![None; ids.len()];
        for (id, label) in labels {
            self.set(id, Some(label));
        }
    }

    pub fn set(&mut self, id: &str, label: Option<&str>) {
        let Some(&at) = self.position.get(id) else { return };
        self.of[at] = label.map(|l| match self.names.iter().position(|n| n == l) {
            Some(k) => k as u16,
            None => {
                self.names.push(l.to_string());
                (self.names.len() - 1) as u16
            }
        });
    }
}

/// What the side panel shows of the sample under the cursor.
pub enum Shown {
    /// A table's row, as `column: value` lines.
    Row(Result<Vec<String>, String>),
    /// A file: text, image or clip, drawn as the Browse pane draws it.
    Sample(Result<Preview, String>),
}

/// How far the map job is: its stage and steps (done, of).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    pub stage: String,
    pub done: u64,
    pub total: Option<u64>,
}

impl Progress {
    pub fn percent(&self) -> Option<u64> {
        self.total.filter(|&t| t > 0).map(|t| self.done.min(t) * 100 / t)
    }
}
