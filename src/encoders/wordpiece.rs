//! Token ids for a text encoder: BERT's WordPiece tokenization over a vocabulary file (one
//! token per line, its line number the id, as Hugging Face's `save_vocabulary` writes it).
//! Texts are cleaned, split at white space, punctuation and CJK characters (lower-cased and
//! stripped of accents when the vocabulary has no capitals, as uncased models are), and each
//! word is cut into the longest pieces the vocabulary has (`##` marks a piece inside a word).
//! The vocabulary and its casing come from a `vocab.txt`, or from the `tokenizer.json` of a
//! Hugging Face snapshot (BERT's normalizer, pre-tokenizer and WordPiece model only).

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::error::{Error, Result};

/// Words longer than this many characters become the unknown token, as in BERT.
const LONGEST_WORD: usize = 100;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Vocabulary {
    tokens: Vec<String>,
    lowercase: bool,
}

impl Vocabulary {
    pub fn read(path: &Path) -> Result<Vocabulary> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::file(path, e))?;
        let tokens: Vec<String> = text.lines().map(|l| l.trim_end_matches('\r').to_string()).collect();
        if tokens.iter().filter(|t| !t.is_empty()).count() < 2 {
            return Err(Error::file(path, "holds no vocabulary: one token per line expected"));
        }
        Ok(Vocabulary::new(tokens))
    }

    /// The WordPiece vocabulary of a `tokenizer.json`, with the casing its normalizer sets;
    /// any other kind of tokenizer is refused, naming what it is.
    pub fn from_tokenizer_json(path: &Path) -> Result<Vocabulary> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::file(path, e))?;
        let json: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| Error::file(path, format!("is not JSON: {e}")))?;
        let refuse = |what: String| {
            Err(Error::file(path, format!("{what}; Kindling reads BERT-style WordPiece tokenizers only")))
        };
        let model = &json["model"];
        if model["type"] != "WordPiece" {
            return refuse(format!("has a {} model", model["type"]));
        }
        if !model["continuing_subword_prefix"].is_null() && model["continuing_subword_prefix"] != "##" {
            return refuse(format!("marks pieces inside words with {}", model["continuing_subword_prefix"]));
        }
        let normalizer = &json["normalizer"];
        if !normalizer.is_null() && normalizer["type"] != "BertNormalizer" {
            return refuse(format!("has a {} normalizer", normalizer["type"]));
        }
        let pre = &json["pre_tokenizer"];
        if !pre.is_null() && pre["type"] != "BertPreTokenizer" {
            return refuse(format!("has a {} pre-tokenizer", pre["type"]));
        }
        let Some(vocab) = model["vocab"].as_object() else {
            return Err(Error::file(path, "has no model.vocab (token → id)"));
        };
        let mut tokens = vec![String::new(); vocab.len()];
        for (token, id) in vocab {
            match id.as_u64().map(|i| i as usize) {
                Some(i) if i < tokens.len() => tokens[i] = token.clone(),
                _ => return Err(Error::file(path, format!("model.vocab gives {token:?} the id {id}, out of range"))),
            }
        }
        let lowercase = normalizer["lowercase"].as_bool().unwrap_or(false);
        Ok(Vocabulary { tokens, lowercase })
    }

    pub fn new(tokens: Vec<String>) -> Vocabulary {
        // An uncased vocabulary has no A-Z outside its special tokens (it may have a symbol
        // such as ℝ that Unicode calls upper case); a cased one has thousands.
        let special = |t: &str| (t.starts_with('[') && t.ends_with(']')) || (t.starts_with('<') && t.ends_with('>'));
        let lowercase = !tokens.iter().any(|t| !special(t) && t.chars().any(|c| c.is_ascii_uppercase()));
        Vocabulary { tokens, lowercase }
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }
}

/// Turns texts into rows of token ids with the vocabulary's special tokens.
pub struct Tokenizer<'a> {
    vocabulary: &'a Vocabulary,
    ids: HashMap<&'a str, i64>,
    unknown: i64,
    pad: i64,
    /// `[CLS]` and `[SEP]`, when the vocabulary has them.
    ends: Option<(i64, i64)>,
}

impl<'a> Tokenizer<'a> {
    pub fn new(vocabulary: &'a Vocabulary) -> Tokenizer<'a> {
        let mut ids = HashMap::with_capacity(vocabulary.tokens.len());
        for (i, t) in vocabulary.tokens.iter().enumerate() {
            ids.entry(t.as_str()).or_insert(i as i64);
        }
        let unknown = ids.get("[UNK]").copied().unwrap_or(0);
        let pad = ids.get("[PAD]").copied().unwrap_or(0);
        let ends = ids.get("[CLS]").copied().zip(ids.get("[SEP]").copied());
        Tokenizer { vocabulary, ids, unknown, pad, ends }
    }

    /// The padding id (`[PAD]`, else 0): a module can tell real tokens by `ids != pad`.
    pub fn pad(&self) -> i64 {
        self.pad
    }

    /// The ids of one text, `[CLS]` … `[SEP]` included, at most `longest` of them.
    pub fn ids(&self, text: &str, longest: usize) -> Vec<i64> {
        self.ids_cut(text, longest).0
    }

    /// The ids of one text, at most `longest`, and whether the text had more.
    pub fn ids_cut(&self, text: &str, longest: usize) -> (Vec<i64>, bool) {
        let room = longest.saturating_sub(if self.ends.is_some() { 2 } else { 0 });
        let mut out: Vec<i64> = Vec::new();
        let mut cut = false;
        for word in words(text, self.vocabulary.lowercase) {
            if out.len() >= room {
                cut = true;
                break;
            }
            self.pieces(&word, &mut out);
        }
        cut |= out.len() > room;
        out.truncate(room);
        let ids = match self.ends {
            Some((cls, sep)) => std::iter::once(cls).chain(out).chain(std::iter::once(sep)).collect(),
            None => out,
        };
        (ids, cut)
    }

    /// Rows of ids padded to the longest one: (the ids row after row, the row length).
    pub fn batch(&self, texts: &[&str], longest: usize) -> (Vec<i64>, usize) {
        let rows: Vec<Vec<i64>> = texts.iter().map(|t| self.ids(t, longest)).collect();
        let width = rows.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let mut flat = Vec::with_capacity(rows.len() * width);
        for row in rows {
            let fill = width - row.len();
            flat.extend(row);
            flat.extend(std::iter::repeat_n(self.pad, fill));
        }
        (flat, width)
    }

    /// Greedy longest-first pieces of `word`; the unknown token if some part has none.
    fn pieces(&self, word: &str, out: &mut Vec<i64>) {
        let chars: Vec<(usize, char)> = word.char_indices().collect();
        if chars.len() > LONGEST_WORD {
            out.push(self.unknown);
            return;
        }
        let mut found = Vec::new();
        let mut start = 0;
        while start < chars.len() {
            let from = chars[start].0;
            let hit = (start + 1..=chars.len()).rev().find_map(|end| {
                let to = chars.get(end).map_or(word.len(), |c| c.0);
                let piece = &word[from..to];
                let id = if start == 0 { self.ids.get(piece) } else { self.ids.get(format!("##{piece}").as_str()) };
                id.map(|&id| (id, end))
            });
            match hit {
                Some((id, end)) => {
                    found.push(id);
                    start = end;
                }
                None => {
                    out.push(self.unknown);
                    return;
                }
            }
        }
        out.extend(found);
    }
}

/// BERT's basic tokenization: words and punctuation marks, in order.
fn words(text: &str, lowercase: bool) -> Vec<String> {
    let mut spaced = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c == '\0' || c == '\u{fffd}' || (c.is_control() && !c.is_whitespace()) || is_format(c) {
            continue;
        }
        if is_cjk(c) {
            spaced.extend([' ', c, ' ']);
        } else {
            spaced.push(if c.is_whitespace() { ' ' } else { c });
        }
    }
    let mut out = Vec::new();
    for token in spaced.split_whitespace() {
        let token: String = if lowercase {
            token.to_lowercase().nfd().filter(|c| !is_combining_mark(*c)).collect()
        } else {
            token.to_string()
        };
        let mut word = String::new();
        for c in token.chars() {
            if is_punctuation(c) {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
                out.push(c.to_string());
            } else {
                word.push(c);
            }
        }
        if !word.is_empty() {
            out.push(word);
        }
    }
    out
}

/// ASCII symbols and punctuation (as BERT counts them) and the common Unicode punctuation
/// blocks; Rust's standard library has no general categories to ask.
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(c as u32, 0x00A1 | 0x00A7 | 0x00AB | 0x00B6 | 0x00B7 | 0x00BB | 0x00BF)
        || matches!(c as u32, 0x2010..=0x2027 | 0x2030..=0x205E | 0x3001..=0x3003 | 0x3008..=0x3011 | 0xFF01..=0xFF0F)
}

/// Invisible format characters (Unicode's Cf: soft hyphen, zero-width joiner, direction
/// marks, byte-order mark), which BERT's text cleaning drops as it drops control characters.
fn is_format(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E
        | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB | 0xE0001 | 0xE0020..=0xE007F)
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F | 0x2B920..=0x2CEAF | 0xF900..=0xFAFF | 0x2F800..=0x2FA1F)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary(tokens: &[&str]) -> Vocabulary {
        Vocabulary::new(tokens.iter().map(|t| t.to_string()).collect())
    }

    const UNCASED: &[&str] = &[
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "cafe", "play", "##ing", "##ed", "un", "##aff", "##able", ",", "!",
        "中",
    ];

    #[test]
    fn words_are_cut_into_the_longest_pieces_the_vocabulary_has() {
        let v = vocabulary(UNCASED);
        let t = Tokenizer::new(&v);
        assert_eq!(t.ids("unaffable", 64), vec![2, 9, 10, 11, 3]);
        assert_eq!(t.ids("Playing, played!", 64), vec![2, 6, 7, 12, 6, 8, 13, 3]);
        // "plays" has no "##s": the whole word is unknown, not half of it.
        assert_eq!(t.ids("plays the", 64), vec![2, 1, 4, 3]);
    }

    #[test]
    fn uncased_vocabularies_fold_case_and_accents_and_cjk_stands_alone() {
        let v = vocabulary(UNCASED);
        assert!(v.lowercase);
        let t = Tokenizer::new(&v);
        assert_eq!(t.ids("CAFÉ\tthe\u{0}中the", 64), vec![2, 5, 4, 14, 4, 3]);
        let cased = vocabulary(&["[CLS]", "[SEP]", "[UNK]", "Cafe", "cafe"]);
        assert!(!cased.lowercase);
        assert!(vocabulary(&["[UNK]", "ℝ", "the"]).lowercase, "a letterlike symbol does not make it cased");
        assert_eq!(Tokenizer::new(&cased).ids("Cafe cafe CAFE", 64), vec![0, 3, 4, 2, 1]);
    }

    #[test]
    fn rows_are_cut_to_length_and_padded_with_the_pad_id() {
        let v = vocabulary(UNCASED);
        let t = Tokenizer::new(&v);
        assert_eq!(t.ids("the the the the the", 4), vec![2, 4, 4, 3]);
        let (flat, width) = t.batch(&["the", "the cafe the", ""], 64);
        assert_eq!(width, 5);
        assert_eq!(flat, vec![2, 4, 3, 0, 0, 2, 4, 5, 4, 3, 2, 3, 0, 0, 0]);
        let plain = vocabulary(&["a", "b"]);
        assert_eq!(Tokenizer::new(&plain).ids("b a c", 8), vec![1, 0, 0], "no specials: unknown is id 0");
    }

    #[test]
    fn a_vocabulary_file_is_read_by_line_and_an_empty_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vocab.txt");
        std::fs::write(&path, "[PAD]\r\n[UNK]\r\nhello\r\n").unwrap();
        let v = Vocabulary::read(&path).unwrap();
        assert_eq!(Tokenizer::new(&v).ids("hello", 8), vec![2]);
        std::fs::write(&path, "").unwrap();
        let e = Vocabulary::read(&path).unwrap_err().to_string();
        assert!(e.contains("vocab.txt") && e.contains("one token per line"), "{e}");
    }
}
