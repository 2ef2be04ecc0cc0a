//! A BERT-family encoder (`model_type = "bert"` in config.json: all-MiniLM, bge, e5, gte):
//! the token vectors of its last layer. The tokens of a batch are stacked without padding,
//! so the dense layers see one tall matrix and attention runs per text.

use std::path::Path;

use rayon::prelude::*;
use serde::Deserialize;

use super::linalg::{self, Linear, Strided};
use super::tensors::Tensors;
use crate::error::{Error, Result};

/// The part of config.json the forward pass needs.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    pub model_type: String,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    #[serde(default = "two")]
    pub type_vocab_size: usize,
    pub vocab_size: usize,
    #[serde(default = "gelu")]
    pub hidden_act: String,
    #[serde(default = "eps")]
    pub layer_norm_eps: f32,
    #[serde(default = "absolute")]
    pub position_embedding_type: String,
}

fn two() -> usize {
    2
}
fn gelu() -> String {
    "gelu".into()
}
fn eps() -> f32 {
    1e-12
}
fn absolute() -> String {
    "absolute".into()
}

impl Config {
    pub fn read(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::file(path, e))?;
        let c: Config =
            serde_json::from_str(&text).map_err(|e| Error::file(path, format!("is not a BERT config: {e}")))?;
        let refuse = |what: String| Err(Error::file(path, what));
        if c.model_type != "bert" {
            return refuse(format!(
                "names model_type {:?}; Kindling runs \"bert\" text encoders (all-MiniLM, bge, e5, gte)",
                c.model_type
            ));
        }
        if c.position_embedding_type != "absolute" {
            return refuse(format!(
                "names position_embedding_type {:?}; only \"absolute\" is run",
                c.position_embedding_type
            ));
        }
        if !matches!(c.hidden_act.as_str(), "gelu" | "gelu_new" | "gelu_pytorch_tanh") {
            return refuse(format!(
                "names hidden_act {:?}; gelu, gelu_new or gelu_pytorch_tanh expected",
                c.hidden_act
            ));
        }
        if c.num_attention_heads == 0 || !c.hidden_size.is_multiple_of(c.num_attention_heads) {
            return refuse(format!(
                "has hidden_size {} not divisible into {} heads",
                c.hidden_size, c.num_attention_heads
            ));
        }
        Ok(c)
    }
}

struct Norm {
    gamma: Vec<f32>,
    beta: Vec<f32>,
}

struct Layer {
    /// Query, key and value in one `[3H, H]` product.
    qkv: Linear,
    attention_out: Linear,
    attention_norm: Norm,
    up: Linear,
    down: Linear,
    out_norm: Norm,
}

pub struct Bert {
    config: Config,
    words: Vec<f32>,
    positions: Vec<f32>,
    /// The first token type's vector: single texts are all type 0.
    type0: Vec<f32>,
    norm: Norm,
    layers: Vec<Layer>,
}

fn linear(t: &Tensors, name: &str, outputs: usize, inputs: usize) -> Result<Linear> {
    Ok(Linear::new(
        t.get(&format!("{name}.weight"), &[outputs, inputs])?,
        Some(t.vector(&format!("{name}.bias"), outputs)?),
        inputs,
        outputs,
    ))
}

fn norm(t: &Tensors, name: &str, width: usize) -> Result<Norm> {
    Ok(Norm { gamma: t.vector(&format!("{name}.weight"), width)?, beta: t.vector(&format!("{name}.bias"), width)? })
}

impl Bert {
    pub fn load(config: Config, weights: &Path) -> Result<Bert> {
        let t = Tensors::open(weights)?.with_prefix("bert.");
        let h = config.hidden_size;
        let words = t.get("embeddings.word_embeddings.weight", &[config.vocab_size, h])?;
        let positions = t.get("embeddings.position_embeddings.weight", &[config.max_position_embeddings, h])?;
        let types = t.get("embeddings.token_type_embeddings.weight", &[config.type_vocab_size, h])?;
        let norm0 = norm(&t, "embeddings.LayerNorm", h)?;
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        for i in 0..config.num_hidden_layers {
            let p = format!("encoder.layer.{i}");
            let [q, k, v] = ["query", "key", "value"].map(|n| linear(&t, &format!("{p}.attention.self.{n}"), h, h));
            let (q, k, v) = (q?, k?, v?);
            let qkv = Linear::new(
                [q.weight, k.weight, v.weight].concat(),
                Some([q.bias, k.bias, v.bias].into_iter().flatten().flatten().collect()),
                h,
                3 * h,
            );
            layers.push(Layer {
                qkv,
                attention_out: linear(&t, &format!("{p}.attention.output.dense"), h, h)?,
                attention_norm: norm(&t, &format!("{p}.attention.output.LayerNorm"), h)?,
                up: linear(&t, &format!("{p}.intermediate.dense"), config.intermediate_size, h)?,
                down: linear(&t, &format!("{p}.output.dense"), h, config.intermediate_size)?,
                out_norm: norm(&t, &format!("{p}.output.LayerNorm"), h)?,
            });
        }
        Ok(Bert { type0: types[..h].to_vec(), config, words, positions, norm: norm0, layers })
    }

    pub fn width(&self) -> usize {
        self.config.hidden_size
    }

    /// The most tokens a text can have (its position table's length).
    pub fn max_tokens(&self) -> usize {
        self.config.max_position_embeddings
    }

    pub fn vocabulary_size(&self) -> usize {
        self.config.vocab_size
    }

    /// The last layer's token vectors of each text: `texts[i]` token ids in, the rows of
    /// all texts' tokens stacked out (`Σ len × hidden_size`).
    pub fn forward(&self, texts: &[Vec<u32>]) -> Vec<f32> {
        let h = self.config.hidden_size;
        let total: usize = texts.iter().map(Vec::len).sum();
        let mut x = Vec::with_capacity(total * h);
        for ids in texts {
            for (pos, &id) in ids.iter().enumerate() {
                let word = &self.words[id as usize * h..][..h];
                let place = &self.positions[pos * h..][..h];
                x.extend(word.iter().zip(place).zip(&self.type0).map(|((w, p), t)| w + p + t));
            }
        }
        let eps = self.config.layer_norm_eps;
        linalg::layer_norm(&mut x, h, &self.norm.gamma, &self.norm.beta, eps);
        let lengths: Vec<usize> = texts.iter().map(Vec::len).collect();
        for layer in &self.layers {
            let qkv = layer.qkv.forward(&x, total);
            let context = self.attention(&qkv, &lengths);
            let mut a = layer.attention_out.forward(&context, total);
            a.iter_mut().zip(&x).for_each(|(a, x)| *a += x);
            linalg::layer_norm(&mut a, h, &layer.attention_norm.gamma, &layer.attention_norm.beta, eps);
            let mut up = layer.up.forward(&a, total);
            match self.config.hidden_act.as_str() {
                "gelu" => linalg::gelu(&mut up),
                _ => linalg::gelu_tanh(&mut up),
            }
            let mut out = layer.down.forward(&up, total);
            out.iter_mut().zip(&a).for_each(|(o, a)| *o += a);
            linalg::layer_norm(&mut out, h, &layer.out_norm.gamma, &layer.out_norm.beta, eps);
            x = out;
        }
        x
    }

    /// Self-attention of each text over its own tokens, all heads: `qkv` rows are
    /// `[query | key | value]`, the context rows come out `hidden_size` wide.
    fn attention(&self, qkv: &[f32], lengths: &[usize]) -> Vec<f32> {
        let h = self.config.hidden_size;
        let heads = self.config.num_attention_heads;
        let d = h / heads;
        let scale = 1.0 / (d as f32).sqrt();
        let total: usize = lengths.iter().sum();
        let mut context = vec![0.0f32; total * h];
        let mut parts = Vec::with_capacity(lengths.len());
        let (mut rest, mut start) = (context.as_mut_slice(), 0);
        for &len in lengths {
            let (part, tail) = rest.split_at_mut(len * h);
            parts.push((start, len, part));
            rest = tail;
            start += len;
        }
        parts.into_par_iter().for_each(|(start, len, out)| {
            let rows = &qkv[start * 3 * h..(start + len) * 3 * h];
            let mut scores = vec![0.0f32; len * len];
            for head in 0..heads {
                let q = Strided { at: head * d, row: 3 * h, col: 1 };
                // The keys read transposed: column j of kᵀ is token j's key.
                let kt = Strided { at: h + head * d, row: 1, col: 3 * h };
                let s = Strided { at: 0, row: len, col: 1 };
                linalg::matmul_strided(scale, rows, q, rows, kt, &mut scores, s, (len, d, len));
                linalg::softmax_rows(&mut scores, len);
                let v = Strided { at: 2 * h + head * d, row: 3 * h, col: 1 };
                let c = Strided { at: head * d, row: h, col: 1 };
                linalg::matmul_strided(1.0, &scores, s, rows, v, out, c, (len, len, d));
            }
        });
        context
    }
}
