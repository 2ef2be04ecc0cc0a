//! `[detector]` in kindling.toml: how `kindling train --model detector` fits its head.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DetectorSettings {
    /// Images are resized to side × side pixels for the encoder: a multiple of 32. Larger
    /// finds smaller objects and costs the square more time.
    pub side: usize,
    /// Passes over the training images' cells (at least 1,000 steps of `batch` cells in all).
    pub epochs: usize,
    /// Units of the head's hidden layer.
    pub hidden: usize,
    /// Adam's starting step size.
    pub learning_rate: f32,
    /// Cells per step.
    pub batch: usize,
    /// The box labeller trains the detector again once this many more images are labelled
    /// than the latest detector run had (after a first run by hand); 0 turns it off.
    pub live_every: usize,
}

impl Default for DetectorSettings {
    fn default() -> DetectorSettings {
        DetectorSettings { side: 320, epochs: 30, hidden: 128, learning_rate: 2e-3, batch: 512, live_every: 25 }
    }
}

impl DetectorSettings {
    pub fn is_default(&self) -> bool {
        *self == DetectorSettings::default()
    }

    pub fn validate(&self) -> Result<()> {
        if !(64..=1024).contains(&self.side) || !self.side.is_multiple_of(32) {
            return Err(Error::user(format!(
                "[detector] side = {}: give a multiple of 32 from 64 to 1024 (320 is the default)",
                self.side
            )));
        }
        for (name, v) in [("epochs", self.epochs), ("hidden", self.hidden), ("batch", self.batch)] {
            if v == 0 {
                return Err(Error::user(format!("[detector] {name} = 0: give at least 1")));
            }
        }
        if !(self.learning_rate > 0.0 && self.learning_rate < 1.0) {
            return Err(Error::user(format!(
                "[detector] learning_rate = {}: give a step between 0 and 1",
                self.learning_rate
            )));
        }
        Ok(())
    }
}
