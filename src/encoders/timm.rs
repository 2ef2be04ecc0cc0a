//! A timm image-model snapshot as the Hub serves it: `config.json` (`architecture`,
//! `pretrained_cfg` with input size, mean, std, interpolation and crop) and
//! `model.safetensors`. Images are prepared as timm's evaluation transform does (shorter
//! side to `size / crop_pct`, centre crop, scaled to 0..1 and normalized).

use std::path::{Path, PathBuf};

use image::RgbImage;
use serde::Deserialize;

use super::efficientnet::{EfficientNet, FeatureMap};
use super::resize::{self, Filter};
use super::tensors::Tensors;
use crate::error::{Error, Result};

#[derive(Debug, Deserialize)]
struct Config {
    architecture: String,
    #[serde(default)]
    pretrained_cfg: PretrainedCfg,
}

#[derive(Debug, Deserialize)]
#[serde(default)]
struct PretrainedCfg {
    input_size: Vec<usize>,
    interpolation: String,
    crop_pct: f64,
    crop_mode: String,
    mean: Vec<f32>,
    std: Vec<f32>,
}

impl Default for PretrainedCfg {
    fn default() -> PretrainedCfg {
        PretrainedCfg {
            input_size: vec![3, 224, 224],
            interpolation: "bicubic".into(),
            crop_pct: 0.875,
            crop_mode: "center".into(),
            mean: vec![0.485, 0.456, 0.406],
            std: vec![0.229, 0.224, 0.225],
        }
    }
}

pub struct ImageEncoder {
    pub dir: PathBuf,
    pub architecture: String,
    net: EfficientNet,
    side: usize,
    short: u32,
    filter: Filter,
    mean: [f32; 3],
    std: [f32; 3],
}

impl ImageEncoder {
    pub fn open(dir: &Path) -> Result<ImageEncoder> {
        let config_path = dir.join("config.json");
        let text = std::fs::read_to_string(&config_path).map_err(|e| Error::file(&config_path, e))?;
        let config: Config = serde_json::from_str(&text).map_err(|e| {
            Error::file(&config_path, format!("is not a timm config (architecture and pretrained_cfg): {e}"))
        })?;
        let arch = config.architecture.as_str();
        let (same_padding, eps) = if arch.starts_with("tf_efficientnet_lite") {
            (true, 1e-3)
        } else if arch.starts_with("efficientnet_lite") {
            (false, 1e-5)
        } else {
            return Err(Error::file(
                &config_path,
                format!(
                    "names architecture {arch:?}; Kindling runs tf_efficientnet_lite0 … lite4 and efficientnet_lite*"
                ),
            ));
        };
        let cfg = &config.pretrained_cfg;
        let bad = |what: &str| Err(Error::file(&config_path, format!("pretrained_cfg: {what}")));
        let side = match cfg.input_size.as_slice() {
            [3, h, w] if h == w && (32..=1024).contains(h) => *h,
            other => return bad(&format!("input_size {other:?}; a square [3, S, S] expected")),
        };
        let filter = match cfg.interpolation.as_str() {
            "bicubic" => Filter::Bicubic,
            "bilinear" => Filter::Bilinear,
            other => return bad(&format!("interpolation {other:?}; bicubic or bilinear expected")),
        };
        if cfg.crop_mode != "center" {
            return bad(&format!("crop_mode {:?}; center expected", cfg.crop_mode));
        }
        if !(0.1..=1.0).contains(&cfg.crop_pct) {
            return bad(&format!("crop_pct {}", cfg.crop_pct));
        }
        let three = |v: &[f32]| <[f32; 3]>::try_from(v).ok();
        let (Some(mean), Some(std)) = (three(&cfg.mean), three(&cfg.std)) else {
            return bad("mean and std need three values each");
        };
        if std.iter().any(|s| *s <= 0.0) {
            return bad("std must be positive");
        }
        let weights = dir.join("model.safetensors");
        if !weights.is_file() {
            return Err(Error::file(&weights, "is missing: the snapshot needs its weights as model.safetensors"));
        }
        let net = EfficientNet::load(&Tensors::open(&weights)?, same_padding, eps)?;
        let short = (side as f64 / cfg.crop_pct).floor() as u32;
        Ok(ImageEncoder { dir: dir.to_path_buf(), architecture: arch.to_string(), net, side, short, filter, mean, std })
    }

    pub fn width(&self) -> usize {
        self.net.features
    }

    /// One image as the network takes it: channels first, normalized.
    pub fn prepare(&self, img: &RgbImage) -> Vec<f32> {
        let side = self.side as u32;
        let crop = resize::resize_and_crop(img, self.short, side, self.filter);
        self.normalized(&crop)
    }

    /// A `side × side` image, channels first, scaled and normalized for the model.
    fn normalized(&self, img: &RgbImage) -> Vec<f32> {
        let plane = (img.width() * img.height()) as usize;
        let mut out = vec![0.0f32; 3 * plane];
        for (i, p) in img.pixels().enumerate() {
            for c in 0..3 {
                out[c * plane + i] = (f32::from(p.0[c]) / 255.0 - self.mean[c]) / self.std[c];
            }
        }
        out
    }

    /// The channels of the stride-8, 16 and 32 maps.
    pub fn map_channels(&self) -> [usize; 3] {
        self.net.map_channels()
    }

    /// The stride-8, 16 and 32 feature maps of the whole image resized to `side × side`
    /// (no crop: a detector needs every part of the image).
    pub fn feature_maps(&self, img: &RgbImage, side: usize) -> [FeatureMap; 3] {
        let resized = resize::resize(img, side as u32, side as u32, self.filter);
        self.net.feature_maps(&self.normalized(&resized), side)
    }

    /// The pooled features of each image.
    pub fn encode(&self, images: &[RgbImage]) -> Vec<Vec<f32>> {
        use rayon::prelude::*;
        let prepared: Vec<Vec<f32>> = images.par_iter().map(|i| self.prepare(i)).collect();
        self.net.forward(&prepared, self.side)
    }

    /// The classifier's scores of each image (ImageNet's 1,000 classes for the snapshots
    /// timm serves), where the snapshot has a classifier.
    pub fn logits(&self, images: &[RgbImage]) -> Option<Vec<Vec<f32>>> {
        let classifier = self.net.classifier.as_ref()?;
        Some(self.encode(images).iter().map(|f| classifier.forward(f, 1)).collect())
    }
}
