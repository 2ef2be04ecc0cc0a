//! `[live]` in kindling.toml: the live model's settings. They sit with the schema rather than
//! in `live`, which reads the whole project and so sits above it.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::models::ModelKind;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LiveSettings {
    /// The model refitted as labels come (a CPU baseline).
    pub model: String,
    /// `auto` (the kind's default featurizer) or a featurizer name.
    pub features: String,
    /// Refit after this many new label events (and whenever labelling pauses).
    pub every: usize,
}

impl Default for LiveSettings {
    fn default() -> LiveSettings {
        LiveSettings { model: "logistic".into(), features: "auto".into(), every: 10 }
    }
}

impl LiveSettings {
    pub fn is_default(&self) -> bool {
        *self == LiveSettings::default()
    }

    pub fn validate(&self) -> Result<()> {
        let model = ModelKind::parse(&self.model).map_err(|e| Error::user(format!("[live] model: {}", e.message())))?;
        if model.needs_torch() {
            return Err(Error::user("[live] model: the live model is a CPU baseline (logistic, naive_bayes, …)"));
        }
        if self.every == 0 {
            return Err(Error::user("[live] every must be at least 1"));
        }
        Ok(())
    }
}
