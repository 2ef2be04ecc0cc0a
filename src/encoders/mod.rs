//! Pre-trained encoders in every build, on the CPU: Hugging Face snapshots read as they are
//! downloaded, run by kernels of our own over matrixmultiply's SGEMM.
//! - Texts: sentence-transformers snapshots of BERT-family models (`sentence`, `bert`).
//! - Images: timm snapshots of EfficientNet-Lite (`timm`, `efficientnet`).
//!
//! An encoder is named (`kindling encoders` lists the known ones, kept in the user cache
//! folder) or given as a snapshot folder. Its vectors are cached per sample under the
//! snapshot's content hash (`vector_cache`).

pub mod bert;
pub mod catalog;
pub mod efficientnet;
pub mod linalg;
pub mod resize;
pub mod sentence;
pub mod tensors;
pub mod timm;
pub mod tiny;
pub mod vector_cache;
pub mod wordpiece;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};

/// What an encoder takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Input {
    Texts,
    Images,
}

impl Input {
    pub fn name(self) -> &'static str {
        match self {
            Input::Texts => "texts",
            Input::Images => "images",
        }
    }
}

/// A loaded encoder.
pub enum Network {
    Text(sentence::TextEncoder),
    Image(timm::ImageEncoder),
}

impl Network {
    pub fn input(&self) -> Input {
        match self {
            Network::Text(_) => Input::Texts,
            Network::Image(_) => Input::Images,
        }
    }

    pub fn width(&self) -> usize {
        match self {
            Network::Text(t) => t.width(),
            Network::Image(i) => i.width(),
        }
    }
}

/// What a snapshot folder holds, from its files: a text encoder has a tokenizer.
pub fn input_of(dir: &Path) -> Result<Input> {
    if !dir.join("config.json").is_file() {
        return Err(Error::file(dir, "has no config.json: not a Hugging Face snapshot folder"));
    }
    if dir.join("tokenizer.json").is_file() || dir.join("vocab.txt").is_file() {
        return Ok(Input::Texts);
    }
    Ok(Input::Images)
}

/// The files whose content the vectors depend on.
fn content_files(dir: &Path) -> Vec<PathBuf> {
    let names = [
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "vocab.txt",
        "modules.json",
        "sentence_bert_config.json",
        "1_Pooling/config.json",
    ];
    names.iter().map(|n| dir.join(n)).filter(|p| p.is_file()).collect()
}

/// A hash of the snapshot's files (16 hex digits of BLAKE3), remembered per process by
/// their sizes and modification times.
pub fn content_hash(dir: &Path) -> Result<String> {
    static SEEN: Mutex<Vec<(PathBuf, Vec<u8>, String)>> = Mutex::new(Vec::new());
    let files = content_files(dir);
    let mut stamp = Vec::new();
    for f in &files {
        let meta = std::fs::metadata(f).map_err(|e| Error::file(f, e))?;
        stamp.extend(f.to_string_lossy().as_bytes());
        stamp.extend(crate::data::file_cache::Stamp::of(&meta).to_bytes());
    }
    let mut seen = SEEN.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, _, hash)) = seen.iter().find(|(d, s, _)| d == dir && *s == stamp) {
        return Ok(hash.clone());
    }
    let mut hasher = blake3::Hasher::new();
    for f in &files {
        let rel = f.strip_prefix(dir).unwrap_or(f);
        hasher.update(rel.to_string_lossy().as_bytes());
        let file = std::fs::File::open(f).map_err(|e| Error::file(f, e))?;
        hasher.update_reader(file).map_err(|e| Error::file(f, e))?;
    }
    let hash = hasher.finalize().to_hex()[..16].to_string();
    seen.push((dir.to_path_buf(), stamp, hash.clone()));
    Ok(hash)
}

/// The encoder in `dir`, loaded once per process and content.
pub fn load(dir: &Path) -> Result<Arc<Network>> {
    static LOADED: Mutex<Vec<(String, Arc<Network>)>> = Mutex::new(Vec::new());
    let hash = content_hash(dir)?;
    if let Some((_, n)) = LOADED.lock().unwrap_or_else(|p| p.into_inner()).iter().find(|(h, _)| *h == hash) {
        return Ok(n.clone());
    }
    let network = Arc::new(match input_of(dir)? {
        Input::Texts => Network::Text(sentence::TextEncoder::open(dir)?),
        Input::Images => Network::Image(timm::ImageEncoder::open(dir)?),
    });
    let mut loaded = LOADED.lock().unwrap_or_else(|p| p.into_inner());
    // Big models: keep the last two loaded.
    if loaded.len() >= 2 {
        loaded.remove(0);
    }
    loaded.push((hash, network.clone()));
    Ok(network)
}

#[cfg(test)]
mod tests;
