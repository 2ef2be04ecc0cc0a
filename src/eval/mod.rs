//! Evaluation: how samples are split for training, and what the predictions score.

pub mod confusion;
pub mod metrics;
pub mod split;
