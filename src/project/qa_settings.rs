//! `[qa]` in kindling.toml: how often the Label pane and `kindling queue` ask again, blind,
//! what was labelled (echoes) or what has a known answer (gold). With the schema, as `[live]`.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QaSettings {
    /// Share of the samples shown that are labelled ones asked again (0 turns echoes off).
    pub echo: f64,
    /// Own labels given after a label before it may be asked again.
    pub echo_gap: usize,
    /// Time after a label before it may be asked again: `90s`, `10m`, `1h`.
    pub echo_wait: String,
    /// Share of the samples shown that are gold samples (while some are still unasked).
    pub gold: f64,
}

impl Default for QaSettings {
    fn default() -> QaSettings {
        QaSettings { echo: 0.05, echo_gap: 30, echo_wait: "10m".into(), gold: 0.02 }
    }
}

impl QaSettings {
    pub fn is_default(&self) -> bool {
        *self == QaSettings::default()
    }

    pub fn validate(&self) -> Result<()> {
        for (name, share) in [("echo", self.echo), ("gold", self.gold)] {
            if !(0.0..=0.5).contains(&share) {
                return Err(Error::user(format!("[qa] {name} = {share}: give a share from 0 (off) to 0.5")));
            }
        }
        if self.echo + self.gold > 0.5 {
            return Err(Error::user("[qa] echo + gold: at most half of the samples shown can be re-asks"));
        }
        self.wait().map(|_| ())
    }

    /// `echo_wait` as a duration.
    pub fn wait(&self) -> Result<Duration> {
        crate::settings::parse_span(&self.echo_wait)
            .map_err(|e| Error::user(format!("[qa] echo_wait: {}", e.message())))
    }
}
