//! The encoders on tiny random snapshots written by `tiny`: against a plain reference of
//! BERT's arithmetic, and every refusal naming its file and tensor.

use std::collections::HashMap;

use super::sentence::TextEncoder;
use super::tensors::Tensors;
use super::timm::ImageEncoder;
use super::tiny::{self, BERT, VOCABULARY};
use super::wordpiece::{Tokenizer, Vocabulary};
use super::*;

/// BERT's last-layer token vectors for one text, straight from the definitions in f64.
fn reference_bert(ids: &[usize], seed: u64) -> Vec<Vec<f64>> {
    let t: HashMap<String, (Vec<usize>, Vec<f32>)> =
        tiny::bert_tensors(&BERT, seed).into_iter().map(|(n, d, v)| (n, (d, v))).collect();
    let get = |n: &str| t[n].1.iter().map(|&v| f64::from(v)).collect::<Vec<f64>>();
    let h = BERT.hidden;
    let norm = |x: &[f64], name: &str| {
        let (g, b) = (get(&format!("{name}.weight")), get(&format!("{name}.bias")));
        let mean = x.iter().sum::<f64>() / h as f64;
        let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / h as f64;
        (0..h).map(|j| (x[j] - mean) / (var + 1e-12).sqrt() * g[j] + b[j]).collect::<Vec<f64>>()
    };
    let dense = |x: &[f64], name: &str| {
        let (w, b) = (get(&format!("{name}.weight")), get(&format!("{name}.bias")));
        let inputs = x.len();
        (0..b.len()).map(|o| b[o] + (0..inputs).map(|i| w[o * inputs + i] * x[i]).sum::<f64>()).collect::<Vec<f64>>()
    };
    let (words, pos, types) = (
        get("embeddings.word_embeddings.weight"),
        get("embeddings.position_embeddings.weight"),
        get("embeddings.token_type_embeddings.weight"),
    );
    let mut x: Vec<Vec<f64>> = ids
        .iter()
        .enumerate()
        .map(|(p, &id)| {
            let e: Vec<f64> = (0..h).map(|j| words[id * h + j] + pos[p * h + j] + types[j]).collect();
            norm(&e, "embeddings.LayerNorm")
        })
        .collect();
    let d = h / BERT.heads;
    for l in 0..BERT.layers {
        let p = format!("encoder.layer.{l}");
        let q: Vec<_> = x.iter().map(|v| dense(v, &format!("{p}.attention.self.query"))).collect();
        let k: Vec<_> = x.iter().map(|v| dense(v, &format!("{p}.attention.self.key"))).collect();
        let v: Vec<_> = x.iter().map(|v| dense(v, &format!("{p}.attention.self.value"))).collect();
        let mut context = vec![vec![0.0; h]; x.len()];
        for head in 0..BERT.heads {
            let r = head * d..(head + 1) * d;
            for (i, ctx) in context.iter_mut().enumerate() {
                let s: Vec<f64> = (0..x.len())
                    .map(|j| r.clone().map(|c| q[i][c] * k[j][c]).sum::<f64>() / (d as f64).sqrt())
                    .collect();
                let top = s.iter().copied().fold(f64::MIN, f64::max);
                let e: Vec<f64> = s.iter().map(|v| (v - top).exp()).collect();
                let sum: f64 = e.iter().sum();
                for c in r.clone() {
                    ctx[c] = (0..x.len()).map(|j| e[j] / sum * v[j][c]).sum();
                }
            }
        }
        x = x
            .iter()
            .zip(&context)
            .map(|(x, c)| {
                let a = dense(c, &format!("{p}.attention.output.dense"));
                let a = norm(
                    &a.iter().zip(x).map(|(a, x)| a + x).collect::<Vec<_>>(),
                    &format!("{p}.attention.output.LayerNorm"),
                );
                let up: Vec<f64> = dense(&a, &format!("{p}.intermediate.dense"))
                    .into_iter()
                    .map(|u| 0.5 * u * (1.0 + libm::erf(u / std::f64::consts::SQRT_2)))
                    .collect();
                let o = dense(&up, &format!("{p}.output.dense"));
                norm(&o.iter().zip(&a).map(|(o, a)| o + a).collect::<Vec<_>>(), &format!("{p}.output.LayerNorm"))
            })
            .collect();
    }
    x
}

fn id(token: &str) -> usize {
    VOCABULARY.iter().position(|t| *t == token).unwrap()
}

#[test]
fn a_sentence_encoder_equals_the_reference_arithmetic_mean_pooled_and_normalized() {
    let dir = tempfile::tempdir().unwrap();
    tiny::write_sentence_bert(dir.path(), 7, 16).unwrap();
    let encoder = TextEncoder::open(dir.path()).unwrap();
    assert_eq!(encoder.width(), BERT.hidden);
    let texts = ["The cat sat on the mat.", "dog", "Playing, played!"];
    let (vectors, cut) = encoder.encode(&texts);
    assert_eq!(cut, 0);
    let tokens = [
        vec!["[CLS]", "the", "cat", "sat", "on", "the", "mat", ".", "[SEP]"],
        vec!["[CLS]", "dog", "[SEP]"],
        vec!["[CLS]", "play", "##ing", ",", "play", "##ed", "!", "[SEP]"],
    ];
    for (v, tokens) in vectors.iter().zip(&tokens) {
        let ids: Vec<usize> = tokens.iter().map(|t| id(t)).collect();
        let rows = reference_bert(&ids, 7);
        let mut mean: Vec<f64> =
            (0..BERT.hidden).map(|j| rows.iter().map(|r| r[j]).sum::<f64>() / rows.len() as f64).collect();
        let n = mean.iter().map(|m| m * m).sum::<f64>().sqrt();
        mean.iter_mut().for_each(|m| *m /= n);
        for (a, b) in v.iter().zip(&mean) {
            assert!((f64::from(*a) - b).abs() < 1e-4, "{tokens:?}: {v:?} vs {mean:?}");
        }
    }
    // A batch gives each text the vector it has alone: nothing leaks between texts.
    let alone = encoder.encode(&texts[1..2]).0;
    assert!(alone[0].iter().zip(&vectors[1]).all(|(a, b)| (a - b).abs() < 1e-6));
}

#[test]
fn texts_longer_than_max_seq_length_are_cut_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    tiny::write_sentence_bert(dir.path(), 1, 5).unwrap();
    let encoder = TextEncoder::open(dir.path()).unwrap();
    assert_eq!(encoder.max_tokens, 5);
    let (v, cut) = encoder.encode(&["the cat sat on the mat", "the cat sat", "a"]);
    assert_eq!(cut, 1, "only the first has more than 3 tokens between [CLS] and [SEP]");
    let (same, _) = encoder.encode(&["the cat sat"]);
    assert_eq!(v[0], same[0], "the long text is its first three tokens");
}

#[test]
fn tokenizer_json_gives_bert_ids_on_hard_strings() {
    let dir = tempfile::tempdir().unwrap();
    tiny::write_sentence_bert(dir.path(), 1, 16).unwrap();
    let v = Vocabulary::from_tokenizer_json(&dir.path().join("tokenizer.json")).unwrap();
    let t = Tokenizer::new(&v);
    let ids = |s: &str| t.ids(s, 64).into_iter().map(|i| VOCABULARY[i as usize]).collect::<Vec<_>>();
    assert_eq!(ids("CAFÉ, Café!"), ["[CLS]", "cafe", ",", "cafe", "!", "[SEP]"], "accents stripped, lower-cased");
    assert_eq!(ids("中文"), ["[CLS]", "中", "[UNK]", "[SEP]"], "each CJK character a word");
    assert_eq!(ids("the 😀 cat"), ["[CLS]", "the", "[UNK]", "cat", "[SEP]"], "an emoji is a word of its own");
    assert_eq!(ids(&"a".repeat(101)), ["[CLS]", "[UNK]", "[SEP]"], "a word over 100 characters is unknown");
    assert_eq!(ids("ca\u{200d}t\u{ad}"), ["[CLS]", "cat", "[SEP]"], "format characters are dropped");
    assert_eq!(ids(""), ["[CLS]", "[SEP]"]);
    assert_eq!(ids("plays"), ["[CLS]", "[UNK]", "[SEP]"], "no ##s: the whole word is unknown");
    let other = dir.path().join("bpe.json");
    std::fs::write(&other, r#"{"model": {"type": "BPE", "vocab": {}}}"#).unwrap();
    let e = Vocabulary::from_tokenizer_json(&other).unwrap_err().to_string();
    assert!(e.contains("bpe.json") && e.contains("BPE") && e.contains("WordPiece"), "{e}");
}

#[test]
fn a_snapshot_that_does_not_fit_is_refused_naming_the_file_and_tensor() {
    let dir = tempfile::tempdir().unwrap();
    tiny::write_sentence_bert(dir.path(), 1, 16).unwrap();
    // A query weight of the wrong shape.
    let mut t = tiny::bert_tensors(&BERT, 1);
    let q = t.iter_mut().find(|(n, _, _)| n == "encoder.layer.1.attention.self.query.weight").unwrap();
    q.1 = vec![BERT.hidden / 2, BERT.hidden * 2];
    tensors::write(&dir.path().join("model.safetensors"), &t).unwrap();
    let e = TextEncoder::open(dir.path()).err().unwrap().to_string();
    assert!(e.contains("model.safetensors") && e.contains("encoder.layer.1.attention.self.query.weight"), "{e}");
    assert!(e.contains("[4, 16]") && e.contains("[8, 8]"), "{e}");
    // A tensor missing.
    t.retain(|(n, _, _)| !n.starts_with("encoder.layer.1.output.dense"));
    tensors::write(&dir.path().join("model.safetensors"), &tiny::bert_tensors(&BERT, 1)[..20]).unwrap();
    let e = TextEncoder::open(dir.path()).err().unwrap().to_string();
    assert!(e.contains("has no tensor"), "{e}");
    // Cut short, as by a download that stopped.
    tiny::write_sentence_bert(dir.path(), 1, 16).unwrap();
    let weights = dir.path().join("model.safetensors");
    let bytes = std::fs::read(&weights).unwrap();
    std::fs::write(&weights, &bytes[..bytes.len() / 2]).unwrap();
    let e = TextEncoder::open(dir.path()).err().unwrap().to_string();
    assert!(e.contains("model.safetensors") && e.contains("download the snapshot again"), "{e}");
    std::fs::remove_file(&weights).unwrap();
    let e = TextEncoder::open(dir.path()).err().unwrap().to_string();
    assert!(e.contains("model.safetensors") && e.contains("missing"), "{e}");
    // A tokenizer with more tokens than the model has vectors.
    tiny::write_sentence_bert(dir.path(), 1, 16).unwrap();
    let config = dir.path().join("config.json");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace(&format!("\"vocab_size\": {}", VOCABULARY.len()), "\"vocab_size\": 10");
    std::fs::write(&config, text).unwrap();
    let e = TextEncoder::open(dir.path()).err().unwrap().to_string();
    assert!(e.contains("tokenizer.json") && e.contains("not this model's"), "{e}");
    // An architecture that is not BERT.
    std::fs::write(&config, r#"{"model_type": "llama", "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 8, "max_position_embeddings": 8, "vocab_size": 30}"#).unwrap();
    let e = TextEncoder::open(dir.path()).err().unwrap().to_string();
    assert!(e.contains("config.json") && e.contains("llama"), "{e}");
}

fn photo(seed: u8, w: u32, h: u32) -> image::RgbImage {
    image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x * 7 + u32::from(seed) * 30) as u8, (y * 5) as u8, ((x ^ y) as u8).wrapping_mul(seed)])
    })
}

#[test]
fn an_image_encoder_reads_a_timm_snapshot_and_gives_its_pooled_features() {
    let dir = tempfile::tempdir().unwrap();
    tiny::write_efficientnet(dir.path(), 3, 32).unwrap();
    let encoder = ImageEncoder::open(dir.path()).unwrap();
    assert_eq!(encoder.width(), 8);
    let images = [photo(1, 40, 30), photo(2, 64, 64), photo(1, 40, 30)];
    let v = encoder.encode(&images);
    assert_eq!(v.len(), 3);
    assert_eq!(v[0], v[2], "the same image, the same vector");
    assert_ne!(v[0], v[1]);
    assert!(v.iter().flatten().all(|x| x.is_finite() && *x >= 0.0 && *x <= 6.0), "ReLU6 then mean: 0..6");
    let logits = encoder.logits(&images[..1]).unwrap();
    assert_eq!(logits[0].len(), tiny::CLASSES);
    // The network input is the centre crop, normalized with the snapshot's mean and std.
    let x = encoder.prepare(&image::RgbImage::from_pixel(50, 40, image::Rgb([255, 0, 128])));
    assert_eq!(x.len(), 3 * 32 * 32);
    assert!((x[0] - 1.0).abs() < 1e-6 && (x[32 * 32] + 1.0).abs() < 1e-6, "(v/255 - 0.5) / 0.5");
}

#[test]
fn an_image_snapshot_that_does_not_fit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    tiny::write_efficientnet(dir.path(), 3, 32).unwrap();
    let config = dir.path().join("config.json");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replace("tf_efficientnet_lite0", "vit_small_patch16_224")).unwrap();
    let e = ImageEncoder::open(dir.path()).err().unwrap().to_string();
    assert!(e.contains("config.json") && e.contains("vit_small_patch16_224"), "{e}");
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["pretrained_cfg"]["input_size"] = serde_json::json!([3, 32, 16]);
    std::fs::write(&config, json.to_string()).unwrap();
    let e = ImageEncoder::open(dir.path()).err().unwrap().to_string();
    assert!(e.contains("input_size"), "{e}");
    std::fs::write(&config, &text).unwrap();
    let weights = dir.path().join("model.safetensors");
    let e = {
        let tensors: Vec<_> = tiny_without(dir.path(), "blocks.3.0.conv_dw.weight");
        tensors::write(&weights, &tensors).unwrap();
        ImageEncoder::open(dir.path()).err().unwrap().to_string()
    };
    assert!(e.contains("blocks.3.0"), "{e}");
}

/// The tiny EfficientNet's tensors without `name`.
fn tiny_without(dir: &std::path::Path, name: &str) -> Vec<(String, Vec<usize>, Vec<f32>)> {
    let other = dir.join("fresh");
    tiny::write_efficientnet(&other, 3, 32).unwrap();
    let t = Tensors::open(&other.join("model.safetensors")).unwrap();
    t.names()
        .into_iter()
        .filter(|n| n != name)
        .map(|n| {
            let shape = t.shape(&n).unwrap();
            let v = t.get(&n, &shape).unwrap();
            (n, shape, v)
        })
        .collect()
}

#[test]
fn a_snapshot_is_known_by_its_content_and_loaded_once() {
    let dir = tempfile::tempdir().unwrap();
    tiny::write_sentence_bert(dir.path(), 1, 16).unwrap();
    let a = content_hash(dir.path()).unwrap();
    assert_eq!(input_of(dir.path()).unwrap(), Input::Texts);
    let first = load(dir.path()).unwrap();
    assert!(std::sync::Arc::ptr_eq(&first, &load(dir.path()).unwrap()), "loaded once");
    std::thread::sleep(std::time::Duration::from_millis(20));
    tiny::write_sentence_bert(dir.path(), 2, 16).unwrap();
    assert_ne!(content_hash(dir.path()).unwrap(), a, "new weights, a new hash");
    let e = input_of(&dir.path().join("nothing")).unwrap_err().to_string();
    assert!(e.contains("config.json"), "{e}");
}
