//! `[features]` in kindling.toml: the knobs of the featurizers.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// `[features]` in kindling.toml.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Images are resized to this many pixels a side; left out, the training images' own
    /// size when they all share one square size up to 64, else 32.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_size: Option<u32>,
    /// `auto` (RGB when a training image has colour), `grey` or `rgb`.
    pub image_colour: Colour,
    /// A word or bigram must occur in at least this many training texts.
    pub min_df: usize,
    /// Mel bands of the audio features.
    pub mel_bands: usize,
    /// MFCC coefficients kept.
    pub mfcc: usize,
    /// A text encoder (`--encoder`) gets at most this many token ids of a text.
    pub max_tokens: usize,
    /// Table columns left out of the features (one that gives the label away, an id).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
    /// A pre-trained encoder (a known name or a snapshot folder): what `auto` features
    /// mean for `train`, `embed`, the live model and the Map pane.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoder: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Colour {
    Auto,
    Grey,
    Rgb,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            image_size: None,
            image_colour: Colour::Auto,
            min_df: 2,
            mel_bands: 40,
            mfcc: 13,
            max_tokens: 128,
            exclude: Vec::new(),
            encoder: None,
        }
    }
}

impl Settings {
    pub fn is_default(&self) -> bool {
        *self == Settings::default()
    }

    pub fn validate(&self) -> Result<()> {
        let bad = |what: &str| Err(Error::user(format!("kindling.toml: [features] {what}")));
        if self.image_size.is_some_and(|s| !(4..=512).contains(&s)) {
            return bad("image_size must be between 4 and 512");
        }
        if self.min_df == 0 {
            return bad("min_df must be at least 1");
        }
        if !(2..=256).contains(&self.mel_bands) {
            return bad("mel_bands must be between 2 and 256");
        }
        if self.mfcc == 0 || self.mfcc > self.mel_bands {
            return bad("mfcc must be between 1 and mel_bands");
        }
        if self.exclude.iter().any(|c| c.trim().is_empty()) {
            return bad("exclude names an empty column");
        }
        if self.encoder.as_deref().is_some_and(|e| e.trim().is_empty()) {
            return bad("encoder is empty; name a known encoder (`kindling encoders`) or a snapshot folder");
        }
        if !(2..=8192).contains(&self.max_tokens) {
            return bad("max_tokens must be between 2 and 8192");
        }
        Ok(())
    }
}
