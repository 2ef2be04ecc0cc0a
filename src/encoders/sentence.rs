//! A sentence-transformers snapshot as Hugging Face serves it: a BERT-family model
//! (`config.json`, `model.safetensors`), its tokenizer (`tokenizer.json`, or `vocab.txt`),
//! and how token vectors become one vector (`modules.json`, `1_Pooling/config.json`,
//! `sentence_bert_config.json`). A plain model snapshot without them is mean-pooled, as
//! sentence-transformers does.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Deserialize;

use super::bert::{Bert, Config};
use super::wordpiece::{Tokenizer, Vocabulary};
use crate::error::{Error, Result};

/// How the token vectors of a text become one vector; several are concatenated in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pooling {
    Cls,
    Max,
    Mean,
    MeanSqrtLen,
}

#[derive(Debug, Default, Deserialize)]
struct PoolingConfig {
    #[serde(default)]
    pooling_mode_cls_token: bool,
    #[serde(default)]
    pooling_mode_max_tokens: bool,
    #[serde(default)]
    pooling_mode_mean_tokens: bool,
    #[serde(default)]
    pooling_mode_mean_sqrt_len_tokens: bool,
}

#[derive(Debug, Deserialize)]
struct Module {
    #[serde(default)]
    path: String,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Debug, Default, Deserialize)]
struct SentenceConfig {
    max_seq_length: Option<usize>,
    #[serde(default)]
    do_lower_case: bool,
}

pub struct TextEncoder {
    pub dir: PathBuf,
    bert: Bert,
    vocabulary: Vocabulary,
    pooling: Vec<Pooling>,
    normalize: bool,
    lower_case: bool,
    /// Token ids per text, `[CLS]` and `[SEP]` included.
    pub max_tokens: usize,
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::file(path, e))?;
    serde_json::from_str(&text).map_err(|e| Error::file(path, format!("cannot be read: {e}")))
}

impl TextEncoder {
    pub fn open(dir: &Path) -> Result<TextEncoder> {
        let config = Config::read(&dir.join("config.json"))?;
        let (pooling, normalize) = Self::pooling(dir)?;
        let sentence: SentenceConfig = match dir.join("sentence_bert_config.json") {
            p if p.is_file() => read_json(&p)?,
            _ => SentenceConfig::default(),
        };
        let tokenizer_json = dir.join("tokenizer.json");
        let vocabulary = if tokenizer_json.is_file() {
            Vocabulary::from_tokenizer_json(&tokenizer_json)?
        } else if dir.join("vocab.txt").is_file() {
            Vocabulary::read(&dir.join("vocab.txt"))?
        } else {
            return Err(Error::file(dir, "has no tokenizer.json (nor vocab.txt): the snapshot is incomplete"));
        };
        if vocabulary.len() > config.vocab_size {
            return Err(Error::file(
                &tokenizer_json,
                format!(
                    "has {} tokens where the model has {} token vectors: the tokenizer is not this model's",
                    vocabulary.len(),
                    config.vocab_size
                ),
            ));
        }
        let max_tokens =
            sentence.max_seq_length.unwrap_or(config.max_position_embeddings).min(config.max_position_embeddings);
        let weights = dir.join("model.safetensors");
        if !weights.is_file() {
            return Err(Error::file(&weights, "is missing: the snapshot needs its weights as model.safetensors"));
        }
        let bert = Bert::load(config, &weights)?;
        Ok(TextEncoder {
            dir: dir.to_path_buf(),
            bert,
            vocabulary,
            pooling,
            normalize,
            lower_case: sentence.do_lower_case,
            max_tokens,
        })
    }

    /// The pooling modes and whether vectors are normalized, from modules.json (mean and
    /// no normalization without one).
    fn pooling(dir: &Path) -> Result<(Vec<Pooling>, bool)> {
        let modules_path = dir.join("modules.json");
        if !modules_path.is_file() {
            return Ok((vec![Pooling::Mean], false));
        }
        let modules: Vec<Module> = read_json(&modules_path)?;
        let normalize = modules.iter().any(|m| m.kind.ends_with(".Normalize"));
        let Some(pool) = modules.iter().find(|m| m.kind.ends_with(".Pooling")) else {
            return Ok((vec![Pooling::Mean], normalize));
        };
        if let Some(other) = modules.iter().find(|m| {
            !(m.kind.ends_with(".Transformer") || m.kind.ends_with(".Pooling") || m.kind.ends_with(".Normalize"))
        }) {
            return Err(Error::file(
                &modules_path,
                format!("has a {} module; Kindling runs Transformer, Pooling and Normalize", other.kind),
            ));
        }
        let config: PoolingConfig = read_json(&dir.join(&pool.path).join("config.json"))?;
        let modes: Vec<Pooling> = [
            (config.pooling_mode_cls_token, Pooling::Cls),
            (config.pooling_mode_max_tokens, Pooling::Max),
            (config.pooling_mode_mean_tokens, Pooling::Mean),
            (config.pooling_mode_mean_sqrt_len_tokens, Pooling::MeanSqrtLen),
        ]
        .into_iter()
        .filter_map(|(on, p)| on.then_some(p))
        .collect();
        if modes.is_empty() {
            return Err(Error::file(&dir.join(&pool.path).join("config.json"), "turns on no pooling mode"));
        }
        Ok((modes, normalize))
    }

    pub fn width(&self) -> usize {
        self.bert.width() * self.pooling.len()
    }

    /// The vector of each text and how many texts were cut to `max_tokens`.
    pub fn encode(&self, texts: &[&str]) -> (Vec<Vec<f32>>, usize) {
        let tokenizer = Tokenizer::new(&self.vocabulary);
        let cut_ids: Vec<(Vec<u32>, bool)> = texts
            .par_iter()
            .map(|t| {
                let lowered;
                let text = if self.lower_case {
                    lowered = t.to_lowercase();
                    lowered.as_str()
                } else {
                    t
                };
                let (ids, cut) = tokenizer.ids_cut(text, self.max_tokens);
                (ids.into_iter().map(|i| i as u32).collect(), cut)
            })
            .collect();
        let cut = cut_ids.iter().filter(|(_, c)| *c).count();
        let ids: Vec<Vec<u32>> = cut_ids.into_iter().map(|(ids, _)| ids).collect();
        let tokens = self.bert.forward(&ids);
        let h = self.bert.width();
        let mut out = Vec::with_capacity(ids.len());
        let mut start = 0;
        for text in &ids {
            let rows = &tokens[start * h..(start + text.len()) * h];
            start += text.len();
            out.push(self.pool(rows, text.len()));
        }
        (out, cut)
    }

    fn pool(&self, rows: &[f32], len: usize) -> Vec<f32> {
        let h = self.bert.width();
        let mut v = Vec::with_capacity(self.width());
        let sum = || {
            let mut s = vec![0.0f32; h];
            rows.chunks(h).for_each(|r| s.iter_mut().zip(r).for_each(|(s, r)| *s += r));
            s
        };
        for mode in &self.pooling {
            match mode {
                Pooling::Cls => v.extend_from_slice(&rows[..h]),
                Pooling::Max => {
                    let mut m = vec![f32::NEG_INFINITY; h];
                    rows.chunks(h).for_each(|r| m.iter_mut().zip(r).for_each(|(m, r)| *m = m.max(*r)));
                    v.extend(m);
                }
                Pooling::Mean => v.extend(sum().into_iter().map(|s| s / len as f32)),
                Pooling::MeanSqrtLen => v.extend(sum().into_iter().map(|s| s / (len as f32).sqrt())),
            }
        }
        if self.normalize {
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
            v.iter_mut().for_each(|x| *x /= norm);
        }
        v
    }
}
