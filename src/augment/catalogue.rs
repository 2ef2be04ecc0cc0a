//! Every transform Kindling knows, per modality, with its parameters and their ranges: the
//! Augment pane lists them, kindling.toml names them, and they are checked against this.

use crate::data::SourceKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modality {
    Image,
    /// The images of a detection project: the image transforms carry boxes, and
    /// `box_jitter` moves them.
    Boxes,
    Text,
    Audio,
    Table,
}

impl Modality {
    /// A project's: its kind of data, and for a detection project's images, boxes.
    pub fn of_task(kind: SourceKind, detect: bool) -> Modality {
        match Modality::of(kind) {
            Modality::Image if detect => Modality::Boxes,
            m => m,
        }
    }

    pub fn of(kind: SourceKind) -> Modality {
        match kind {
            SourceKind::Images => Modality::Image,
            SourceKind::Text => Modality::Text,
            SourceKind::Audio => Modality::Audio,
            SourceKind::Table => Modality::Table,
        }
    }

    /// Augmented copies per training sample when kindling.toml does not say.
    pub fn default_copies(self) -> usize {
        match self {
            Modality::Image | Modality::Boxes => 4,
            Modality::Text | Modality::Audio => 2,
            Modality::Table => 1,
        }
    }

    /// Transforms that are safe for almost any data of the kind: what a preview shows when
    /// none is turned on.
    pub fn default_set(self) -> &'static [&'static str] {
        match self {
            Modality::Image | Modality::Boxes => &["hflip", "rotate", "crop"],
            Modality::Text => &["replace", "swap"],
            Modality::Audio => &["gain", "shift"],
            Modality::Table => &["smote"],
        }
    }

    pub fn transforms(self) -> &'static [Spec] {
        match self {
            Modality::Image => IMAGE,
            Modality::Boxes => IMAGE_AND_BOXES,
            Modality::Text => TEXT,
            Modality::Audio => AUDIO,
            Modality::Table => TABLE,
        }
    }

    pub fn spec(self, name: &str) -> Option<&'static Spec> {
        self.transforms().iter().find(|s| s.name == name)
    }
}

#[derive(Debug, PartialEq)]
pub struct Spec {
    pub name: &'static str,
    pub about: &'static str,
    /// Default probability of applying it to a copy.
    pub p: f64,
    pub params: &'static [Param],
}

#[derive(Debug, PartialEq)]
pub struct Param {
    pub name: &'static str,
    pub default: f64,
    pub min: f64,
    pub max: f64,
    pub about: &'static str,
}

const fn param(name: &'static str, default: f64, min: f64, max: f64, about: &'static str) -> Param {
    Param { name, default, min, max, about }
}

const fn spec(name: &'static str, p: f64, about: &'static str, params: &'static [Param]) -> Spec {
    Spec { name, about, p, params }
}

/// The image transforms, and last the one only boxes have.
const IMAGE_AND_BOXES: &[Spec] = &[
    spec("hflip", 0.5, "mirror left to right", &[]),
    spec("vflip", 0.5, "mirror top to bottom", &[]),
    spec("rotate", 0.5, "rotate by up to ± degrees", &[param("degrees", 15.0, 0.0, 180.0, "largest angle")]),
    spec("rot90", 0.5, "turn by 90°, 180° or 270° (width and height swap)", &[]),
    spec(
        "crop",
        0.5,
        "random resized crop: a part of the image, scaled back up",
        &[param("scale", 0.7, 0.1, 1.0, "smallest share of the area kept")],
    ),
    spec("translate", 0.5, "shift by up to ± a share of the size", &[param("shift", 0.1, 0.0, 0.5, "largest shift")]),
    spec(
        "brightness_contrast",
        0.5,
        "change brightness and contrast",
        &[param("brightness", 0.2, 0.0, 1.0, "largest change"), param("contrast", 0.2, 0.0, 1.0, "largest change")],
    ),
    spec(
        "hue_saturation",
        0.5,
        "shift hue, scale saturation",
        &[
            param("hue", 0.05, 0.0, 0.5, "largest turn of the colour wheel"),
            param("saturation", 0.3, 0.0, 1.0, "largest change"),
        ],
    ),
    spec("greyscale", 0.2, "drop the colour", &[]),
    spec("blur", 0.3, "Gaussian blur", &[param("sigma", 1.0, 0.1, 5.0, "largest sigma, in pixels")]),
    spec("noise", 0.3, "Gaussian noise", &[param("sigma", 0.05, 0.0, 0.5, "noise level, a share of full scale")]),
    spec("cutout", 0.3, "blank out a square", &[param("size", 0.25, 0.05, 0.9, "side, a share of the shorter side")]),
    spec(
        "box_jitter",
        0.5,
        "move each box edge by up to ± a share of its side",
        &[param("share", 0.05, 0.0, 0.5, "largest move of an edge")],
    ),
];

const IMAGE: &[Spec] = IMAGE_AND_BOXES.split_at(IMAGE_AND_BOXES.len() - 1).0;

const TEXT: &[Spec] = &[
    spec("replace", 0.5, "replace words with synonyms", &[param("alpha", 0.1, 0.0, 0.5, "share of the words")]),
    spec("insert", 0.5, "insert synonyms of words", &[param("alpha", 0.1, 0.0, 0.5, "share of the words")]),
    spec("swap", 0.5, "swap words", &[param("alpha", 0.1, 0.0, 0.5, "share of the words")]),
    spec("delete", 0.5, "delete words", &[param("alpha", 0.1, 0.0, 0.5, "chance of each word")]),
    spec("cut_glue", 0.3, "first half of this text, second half of another of its class", &[]),
];

const AUDIO: &[Spec] = &[
    spec(
        "noise",
        0.5,
        "Gaussian noise at a signal-to-noise ratio",
        &[
            param("snr_min", 10.0, -10.0, 60.0, "lowest SNR, dB"),
            param("snr_max", 30.0, -10.0, 60.0, "highest SNR, dB"),
        ],
    ),
    spec("gain", 0.5, "louder or softer", &[param("db", 6.0, 0.0, 30.0, "largest change, dB")]),
    spec("shift", 0.5, "shift in time", &[param("fraction", 0.1, 0.0, 0.5, "largest shift, a share of the clip")]),
    spec("speed", 0.3, "faster or slower (pitch follows)", &[param("range", 0.1, 0.0, 0.5, "largest change of speed")]),
    spec("pitch", 0.3, "shift the pitch, keep the length", &[param("semitones", 2.0, 0.0, 12.0, "largest shift")]),
    spec(
        "time_mask",
        0.3,
        "silence a stretch",
        &[param("fraction", 0.1, 0.0, 0.5, "longest stretch, a share of the clip")],
    ),
];

const TABLE: &[Spec] = &[
    spec(
        "jitter",
        1.0,
        "Gaussian noise on numeric features",
        &[param("sigma", 0.05, 0.0, 1.0, "in standard deviations")],
    ),
    spec("smote", 1.0, "synthetic minority samples between neighbours", &[param("k", 5.0, 1.0, 50.0, "neighbours")]),
    spec("oversample", 1.0, "repeat minority samples until classes are even", &[]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_lie_in_their_ranges_and_names_are_unique() {
        for m in [Modality::Image, Modality::Boxes, Modality::Text, Modality::Audio, Modality::Table] {
            let mut names: Vec<&str> = m.transforms().iter().map(|s| s.name).collect();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), m.transforms().len());
            for s in m.transforms() {
                assert!((0.0..=1.0).contains(&s.p), "{}", s.name);
                for p in s.params {
                    assert!(p.min <= p.default && p.default <= p.max, "{}.{}", s.name, p.name);
                }
            }
        }
    }
}
