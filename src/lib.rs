//! Kindling's core: projects, data sources, labels, features, models, runs. No terminal code lives here; the CLI
//! and the TUI are thin layers over these functions.

pub mod atomic;
pub mod augment;
pub mod data;
pub mod demo;
pub mod detect;
pub mod drift;
pub mod embed;
pub mod encoders;
pub mod error;
pub mod eval;
pub mod features;
pub mod labels;
pub mod live;
pub mod models;
pub mod natural;
pub mod progress;
pub mod project;
pub mod qa;
pub mod readiness;
pub mod runs;
pub mod serve;
pub mod served;
pub mod settings;
pub mod text;
pub mod workflow;

pub use error::{Error, Result};
