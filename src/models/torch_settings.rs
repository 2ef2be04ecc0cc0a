//! `[torch]` in kindling.toml: how the libtorch models (`mlp`, `linear`, `cnn`) train.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TorchSettings {
    /// Hidden layer sizes of `mlp`.
    pub hidden: Vec<usize>,
    pub dropout: f64,
    /// The most passes over the training samples.
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    /// AdamW's decoupled weight decay.
    pub weight_decay: f64,
    /// Stop after this many epochs without a better validation loss.
    pub patience: usize,
    /// Share of the training samples held back for early stopping.
    pub validation_share: f64,
}

impl Default for TorchSettings {
    fn default() -> TorchSettings {
        TorchSettings {
            hidden: vec![100],
            dropout: 0.1,
            epochs: 200,
            batch_size: 64,
            learning_rate: 1e-2,
            weight_decay: 1e-2,
            patience: 10,
            validation_share: 0.1,
        }
    }
}

impl TorchSettings {
    pub fn is_default(&self) -> bool {
        *self == TorchSettings::default()
    }

    pub fn validate(&self) -> Result<()> {
        let bad = |what: &str| Err(Error::user(format!("kindling.toml: [torch] {what}")));
        if self.hidden.contains(&0) {
            return bad("hidden sizes must be at least 1");
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return bad("dropout must be at least 0 and below 1");
        }
        if self.epochs == 0 || self.batch_size == 0 {
            return bad("epochs and batch_size must be at least 1");
        }
        if self.learning_rate.is_nan() || self.learning_rate <= 0.0 || self.weight_decay < 0.0 {
            return bad("learning_rate must be above 0 and weight_decay at least 0");
        }
        if !(0.0..0.9).contains(&self.validation_share) {
            return bad("validation_share must be at least 0 and below 0.9");
        }
        Ok(())
    }
}
