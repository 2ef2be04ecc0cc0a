//! Text transforms after EDA (Wei & Zou, 2019): synonym replacement, random insertion,
//! random swap, random deletion, and cut-and-glue of two texts of one class. Words are
//! whitespace-separated tokens; synonyms come from a list (built in, plus the project's).

use std::collections::HashMap;
use std::path::Path;

use super::random::{happens, index};
use super::settings::Step;
use crate::error::{Error, Result};

const BUILT_IN: &str = include_str!("../../assets/synonyms.txt");

/// Word → the words that may stand for it (lower case).
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    of: HashMap<String, Vec<String>>,
}

impl Synonyms {
    /// The built-in list, and the project's own when one is given.
    pub fn load(own: Option<&Path>) -> Result<Synonyms> {
        let mut s = Synonyms::default();
        s.add(BUILT_IN);
        if let Some(path) = own {
            let text = std::fs::read_to_string(path).map_err(|e| Error::file(path, e))?;
            s.add(&text);
        }
        Ok(s)
    }

    /// Adds groups: one per line, comma-separated; `#` starts a comment line.
    pub fn add(&mut self, text: &str) {
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let group: Vec<String> =
                line.split(',').map(|w| w.trim().to_lowercase()).filter(|w| !w.is_empty()).collect();
            for word in &group {
                let others = self.of.entry(word.clone()).or_default();
                others.extend(group.iter().filter(|w| *w != word && !others.contains(w)).cloned().collect::<Vec<_>>());
            }
        }
    }

    pub fn of(&self, word: &str) -> &[String] {
        let key: String = word.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
        self.of.get(&key).map_or(&[], Vec::as_slice)
    }
}

/// One augmented copy of `text`; `partner` is another training text of the same class (for
/// cut-and-glue), when there is one.
pub fn augment(
    text: &str,
    steps: &[Step],
    synonyms: &Synonyms,
    partner: Option<&str>,
    rng: &mut impl rand::Rng,
) -> String {
    let mut words: Vec<String> = text.split_whitespace().map(str::to_string).collect();
    for step in steps {
        if happens(rng, step.p) {
            words = apply(words, step, synonyms, partner, rng);
        }
    }
    words.join(" ")
}

/// How many words a rate α touches: at least one.
fn count(alpha: f64, words: usize) -> usize {
    ((alpha * words as f64).round() as usize).max(1)
}

pub fn apply(
    mut words: Vec<String>,
    step: &Step,
    synonyms: &Synonyms,
    partner: Option<&str>,
    rng: &mut impl rand::Rng,
) -> Vec<String> {
    if words.is_empty() {
        return words;
    }
    let alpha = step.param("alpha");
    match step.name.as_str() {
        "replace" => {
            let mut candidates: Vec<usize> = (0..words.len()).filter(|&i| !synonyms.of(&words[i]).is_empty()).collect();
            for _ in 0..count(alpha, words.len()) {
                if candidates.is_empty() {
                    break;
                }
                let i = candidates.swap_remove(index(rng, candidates.len()));
                let choices = synonyms.of(&words[i]);
                let pick = choices[index(rng, choices.len())].clone();
                words[i] = same_case(&words[i], pick);
            }
        }
        "insert" => {
            for _ in 0..count(alpha, words.len()) {
                let with: Vec<&String> = words.iter().filter(|w| !synonyms.of(w).is_empty()).collect();
                if with.is_empty() {
                    break;
                }
                let choices = synonyms.of(with[index(rng, with.len())]);
                let pick = choices[index(rng, choices.len())].clone();
                let at = index(rng, words.len() + 1);
                words.insert(at, pick);
            }
        }
        "swap" => {
            for _ in 0..count(alpha, words.len()) {
                let (a, b) = (index(rng, words.len()), index(rng, words.len()));
                words.swap(a, b);
            }
        }
        "delete" if words.len() > 1 => {
            let keep: Vec<String> = words.iter().filter(|_| !happens(rng, alpha)).cloned().collect();
            words = if keep.is_empty() { vec![words[index(rng, words.len())].clone()] } else { keep };
        }
        "cut_glue" => {
            if let Some(other) = partner {
                let theirs: Vec<&str> = other.split_whitespace().collect();
                words.truncate(words.len().div_ceil(2));
                words.extend(theirs[theirs.len() / 2..].iter().map(|w| w.to_string()));
            }
        }
        _ => {}
    }
    words
}

/// `replacement` capitalized like `word`.
fn same_case(word: &str, replacement: String) -> String {
    if word.chars().next().is_some_and(char::is_uppercase) {
        let mut chars = replacement.chars();
        chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or(replacement)
    } else {
        replacement
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::augment::catalogue::Modality;
    use crate::augment::rng_for;

    fn step(name: &str, alpha: f64) -> Step {
        let (_, mut s) = crate::augment::Settings::default().step(Modality::Text, name).unwrap();
        s.p = 1.0;
        s.params.insert("alpha".into(), alpha);
        s
    }

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    const TEXT: &str = "The app is slow and the login page shows an error every time";

    #[test]
    fn synonyms_replace_words_from_the_list_keeping_the_count() {
        let syn = Synonyms::load(None).unwrap();
        assert!(syn.of("Slow,").contains(&"sluggish".to_string()), "punctuation and case do not hide a word");
        let out = apply(words(TEXT), &step("replace", 0.3), &syn, None, &mut rng_for(1, 0, 0));
        assert_eq!(out.len(), words(TEXT).len());
        let changed: Vec<(String, String)> = words(TEXT).into_iter().zip(out).filter(|(a, b)| a != b).collect();
        assert!(!changed.is_empty());
        for (before, after) in changed {
            assert!(syn.of(&before).iter().any(|s| s.eq_ignore_ascii_case(&after)), "{before} → {after}");
        }
    }

    #[test]
    fn insert_adds_swap_keeps_and_delete_drops_words() {
        let syn = Synonyms::load(None).unwrap();
        let n = words(TEXT).len();
        let mut rng = rng_for(2, 0, 0);
        assert_eq!(apply(words(TEXT), &step("insert", 0.2), &syn, None, &mut rng).len(), n + count(0.2, n));
        let mut swapped = apply(words(TEXT), &step("swap", 0.2), &syn, None, &mut rng);
        let mut original = words(TEXT);
        swapped.sort();
        original.sort();
        assert_eq!(swapped, original, "a swap is a permutation");
        let kept = apply(words(TEXT), &step("delete", 0.5), &syn, None, &mut rng);
        assert!(!kept.is_empty() && kept.len() < n);
        assert_eq!(apply(words("one"), &step("delete", 1.0), &syn, None, &mut rng), words("one"));
    }

    #[test]
    fn cut_and_glue_joins_two_halves_and_the_seed_fixes_the_output() {
        let syn = Synonyms::load(None).unwrap();
        let glued = apply(words("a b c d"), &step("cut_glue", 0.0), &syn, Some("w x y z"), &mut rng_for(0, 0, 0));
        assert_eq!(glued, words("a b y z"));
        let all: Vec<Step> = Modality::Text.transforms().iter().map(|s| step(s.name, 0.2)).collect();
        let a = augment(TEXT, &all, &syn, Some("other text here"), &mut rng_for(5, 3, 1));
        let b = augment(TEXT, &all, &syn, Some("other text here"), &mut rng_for(5, 3, 1));
        assert_eq!(a, b);
    }

    #[test]
    fn a_project_list_adds_groups() {
        let mut syn = Synonyms::default();
        syn.add("# comment\nwidget, gadget\n");
        assert_eq!(syn.of("Widget"), ["gadget".to_string()]);
    }
}
