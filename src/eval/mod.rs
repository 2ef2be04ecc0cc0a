//! Evaluation: how samples are split for training, what the predictions score, and which
//! labels they suspect.

pub mod confusion;
pub mod confusion_png;
pub mod detection;
pub mod label_issues;
pub mod leakage;
pub mod loss_png;
pub mod metrics;
pub mod pixel_font;
pub mod predictions;
pub mod split;
