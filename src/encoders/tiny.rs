//! Tiny snapshots with random weights, in the very layouts the Hub serves (a
//! sentence-transformers BERT, a timm EfficientNet-Lite): what the tests run the encoders
//! on, since tests never download.

use std::path::Path;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::tensors;
use crate::error::{Error, Result};

/// The tiny BERT's vocabulary: specials at BERT's usual places are not needed, only names.
pub const VOCABULARY: &[&str] = &[
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "dog", "sat", "on", "mat", "cafe", "play", "##ing",
    "##ed", ",", ".", "!", "中", "a", "b", "c",
];

pub struct BertShape {
    pub hidden: usize,
    pub heads: usize,
    pub layers: usize,
    pub intermediate: usize,
    pub positions: usize,
}

pub const BERT: BertShape = BertShape { hidden: 8, heads: 2, layers: 2, intermediate: 16, positions: 16 };

fn random(rng: &mut ChaCha8Rng, n: usize, scale: f32) -> Vec<f32> {
    (0..n).map(|_| rng.random_range(-scale..scale)).collect()
}

fn write_json(path: &Path, value: &serde_json::Value) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::file(dir, e))?;
    }
    std::fs::write(path, serde_json::to_string_pretty(value).unwrap_or_default()).map_err(|e| Error::file(path, e))
}

/// The tensors of a BERT of `shape` over `VOCABULARY`.
pub fn bert_tensors(shape: &BertShape, seed: u64) -> Vec<(String, Vec<usize>, Vec<f32>)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (h, i) = (shape.hidden, shape.intermediate);
    let mut t = Vec::new();
    let mut add = |name: String, dims: Vec<usize>, rng: &mut ChaCha8Rng, scale: f32| {
        let n = dims.iter().product();
        t.push((name, dims, random(rng, n, scale)));
    };
    add("embeddings.word_embeddings.weight".into(), vec![VOCABULARY.len(), h], &mut rng, 1.0);
    add("embeddings.position_embeddings.weight".into(), vec![shape.positions, h], &mut rng, 0.5);
    add("embeddings.token_type_embeddings.weight".into(), vec![2, h], &mut rng, 0.5);
    add("embeddings.LayerNorm.weight".into(), vec![h], &mut rng, 2.0);
    add("embeddings.LayerNorm.bias".into(), vec![h], &mut rng, 0.5);
    for l in 0..shape.layers {
        let p = format!("encoder.layer.{l}");
        for (name, out, inp) in [
            ("attention.self.query", h, h),
            ("attention.self.key", h, h),
            ("attention.self.value", h, h),
            ("attention.output.dense", h, h),
            ("intermediate.dense", i, h),
            ("output.dense", h, i),
        ] {
            add(format!("{p}.{name}.weight"), vec![out, inp], &mut rng, 0.6);
            add(format!("{p}.{name}.bias"), vec![out], &mut rng, 0.2);
        }
        for name in ["attention.output.LayerNorm", "output.LayerNorm"] {
            add(format!("{p}.{name}.weight"), vec![h], &mut rng, 2.0);
            add(format!("{p}.{name}.bias"), vec![h], &mut rng, 0.5);
        }
    }
    t
}

/// Writes a sentence-transformers snapshot of a tiny BERT into `dir`: mean pooling and
/// normalization, at most `max_seq_length` tokens.
pub fn write_sentence_bert(dir: &Path, seed: u64, max_seq_length: usize) -> Result<()> {
    let s = &BERT;
    write_json(
        &dir.join("config.json"),
        &serde_json::json!({
            "architectures": ["BertModel"], "model_type": "bert", "hidden_size": s.hidden,
            "num_hidden_layers": s.layers, "num_attention_heads": s.heads, "intermediate_size": s.intermediate,
            "max_position_embeddings": s.positions, "type_vocab_size": 2, "vocab_size": VOCABULARY.len(),
            "hidden_act": "gelu", "layer_norm_eps": 1e-12, "pad_token_id": 0,
        }),
    )?;
    let vocab: serde_json::Map<String, serde_json::Value> =
        VOCABULARY.iter().enumerate().map(|(i, t)| (t.to_string(), serde_json::json!(i))).collect();
    write_json(
        &dir.join("tokenizer.json"),
        &serde_json::json!({
            "version": "1.0",
            "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
                           "strip_accents": null, "lowercase": true},
            "pre_tokenizer": {"type": "BertPreTokenizer"},
            "post_processor": {"type": "TemplateProcessing"},
            "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                      "max_input_chars_per_word": 100, "vocab": vocab},
        }),
    )?;
    write_json(
        &dir.join("modules.json"),
        &serde_json::json!([
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ]),
    )?;
    write_json(
        &dir.join("1_Pooling/config.json"),
        &serde_json::json!({"word_embedding_dimension": s.hidden, "pooling_mode_mean_tokens": true}),
    )?;
    write_json(
        &dir.join("sentence_bert_config.json"),
        &serde_json::json!({"max_seq_length": max_seq_length, "do_lower_case": false}),
    )?;
    tensors::write(&dir.join("model.safetensors"), &bert_tensors(s, seed))
}

/// Channels of the tiny EfficientNet-Lite: stem, the seven stages, head.
const STEM: usize = 4;
const STAGES: [usize; 7] = [3, 4, 4, 5, 5, 6, 6];
const HEAD: usize = 8;
pub const CLASSES: usize = 3;

/// Writes a timm snapshot of a tiny `tf_efficientnet_lite0`-shaped network into `dir`
/// (one block per stage except two in the second, `side`-pixel input).
pub fn write_efficientnet(dir: &Path, seed: u64, side: usize) -> Result<()> {
    write_efficientnet_wide(dir, seed, side, 1)
}

/// The tiny network with `times` the channels: random features wide enough to keep what
/// a detector's test needs (where the colours are).
pub fn write_efficientnet_wide(dir: &Path, seed: u64, side: usize, times: usize) -> Result<()> {
    let (stem, stages, head) = (STEM * times, STAGES.map(|c| c * times), HEAD * times);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut t: Vec<(String, Vec<usize>, Vec<f32>)> = Vec::new();
    let mut conv = |name: &str, dims: Vec<usize>, rng: &mut ChaCha8Rng| {
        let fan: usize = dims[1..].iter().product();
        let n = dims.iter().product();
        t.push((format!("{name}.weight"), dims, random(rng, n, 1.5 / (fan as f32).sqrt())));
    };
    let mut norms = Vec::new();
    conv("conv_stem", vec![stem, 3, 3, 3], &mut rng);
    norms.push(("bn1".to_string(), stem));
    let mut channels = stem;
    for (stage, &out) in stages.iter().enumerate() {
        let repeats = if stage == 1 { 2 } else { 1 };
        for i in 0..repeats {
            let p = format!("blocks.{stage}.{i}");
            let k = if stage % 2 == 0 { 3 } else { 5 };
            if stage == 0 {
                conv(&format!("{p}.conv_dw"), vec![channels, 1, k, k], &mut rng);
                conv(&format!("{p}.conv_pw"), vec![out, channels, 1, 1], &mut rng);
                norms.extend([(format!("{p}.bn1"), channels), (format!("{p}.bn2"), out)]);
            } else {
                let wide = channels * 2;
                conv(&format!("{p}.conv_pw"), vec![wide, channels, 1, 1], &mut rng);
                conv(&format!("{p}.conv_dw"), vec![wide, 1, k, k], &mut rng);
                conv(&format!("{p}.conv_pwl"), vec![out, wide, 1, 1], &mut rng);
                norms.extend([(format!("{p}.bn1"), wide), (format!("{p}.bn2"), wide), (format!("{p}.bn3"), out)]);
            }
            channels = out;
        }
    }
    conv("conv_head", vec![head, channels, 1, 1], &mut rng);
    norms.push(("bn2".to_string(), head));
    for (name, c) in norms {
        t.push((format!("{name}.weight"), vec![c], (0..c).map(|_| rng.random_range(0.5..1.5)).collect()));
        t.push((format!("{name}.bias"), vec![c], random(&mut rng, c, 0.3)));
        t.push((format!("{name}.running_mean"), vec![c], random(&mut rng, c, 0.3)));
        t.push((format!("{name}.running_var"), vec![c], (0..c).map(|_| rng.random_range(0.5..2.0)).collect()));
    }
    t.push(("classifier.weight".into(), vec![CLASSES, head], random(&mut rng, CLASSES * head, 0.5)));
    t.push(("classifier.bias".into(), vec![CLASSES], random(&mut rng, CLASSES, 0.1)));
    write_json(
        &dir.join("config.json"),
        &serde_json::json!({
            "architecture": "tf_efficientnet_lite0", "num_classes": CLASSES, "num_features": head,
            "pretrained_cfg": {"input_size": [3, side, side], "interpolation": "bicubic", "crop_pct": 0.875,
                               "crop_mode": "center", "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]},
        }),
    )?;
    tensors::write(&dir.join("model.safetensors"), &t)
}
