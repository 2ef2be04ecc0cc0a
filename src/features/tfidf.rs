//! TF-IDF over word unigrams and bigrams, as scikit-learn's `TfidfVectorizer(ngram_range=(1,
//! 2), sublinear_tf=True, min_df=…)`: lower-cased words of two or more word characters,
//! smoothed idf, rows scaled to unit length.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::Matrix;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tfidf {
    /// Term → column; columns are in alphabetical order of the terms.
    vocabulary: HashMap<String, u32>,
    idf: Vec<f32>,
}

/// Words of two or more word characters, lower-cased (scikit-learn's `\b\w\w+\b`).
pub(crate) fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| w.chars().nth(1).is_some())
        .map(str::to_lowercase)
        .collect()
}

/// Unigrams and bigrams with their counts.
fn terms(text: &str) -> HashMap<String, u32> {
    let words = words(text);
    let mut counts: HashMap<String, u32> = HashMap::new();
    for w in &words {
        *counts.entry(w.clone()).or_default() += 1;
    }
    for pair in words.windows(2) {
        *counts.entry(format!("{} {}", pair[0], pair[1])).or_default() += 1;
    }
    counts
}

impl Tfidf {
    pub fn fit(texts: &[String], min_df: usize) -> Tfidf {
        let per_text: Vec<HashMap<String, u32>> = texts.par_iter().map(|t| terms(t)).collect();
        let mut df: HashMap<&str, usize> = HashMap::new();
        for counts in &per_text {
            for term in counts.keys() {
                *df.entry(term).or_default() += 1;
            }
        }
        let mut kept: Vec<(&str, usize)> = df.into_iter().filter(|(_, n)| *n >= min_df).collect();
        kept.sort_unstable();
        let n = texts.len() as f64;
        let idf = kept.iter().map(|(_, d)| (((1.0 + n) / (1.0 + *d as f64)).ln() + 1.0) as f32).collect();
        let vocabulary = kept.iter().enumerate().map(|(j, (t, _))| (t.to_string(), j as u32)).collect();
        Tfidf { vocabulary, idf }
    }

    pub fn transform(&self, texts: &[String]) -> Matrix {
        let rows = texts
            .par_iter()
            .map(|t| {
                let mut row: Vec<(u32, f32)> = terms(t)
                    .into_iter()
                    .filter_map(|(term, count)| {
                        let j = *self.vocabulary.get(&term)?;
                        Some((j, (1.0 + (count as f32).ln()) * self.idf[j as usize]))
                    })
                    .collect();
                row.sort_unstable_by_key(|(j, _)| *j);
                let norm = row.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
                if norm > 0.0 {
                    row.iter_mut().for_each(|(_, v)| *v /= norm);
                }
                row
            })
            .collect();
        Matrix::sparse(self.idf.len(), rows)
    }

    pub fn width(&self) -> usize {
        self.idf.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lower_cased_runs_of_two_or_more_word_characters() {
        assert_eq!(words("The app's I/O crashed, twice!"), vec!["the", "app", "crashed", "twice"]);
        assert_eq!(words("naïve café_2"), vec!["naïve", "café_2"]);
    }

    #[test]
    fn weights_match_the_formula() {
        let texts: Vec<String> = ["red apple red", "green apple", "red pear"].map(String::from).to_vec();
        let t = Tfidf::fit(&texts, 2);
        // Kept: "apple" (2 texts) and "red" (2 texts); bigrams occur once each.
        let mut terms: Vec<&String> = t.vocabulary.keys().collect();
        terms.sort();
        assert_eq!(terms, vec!["apple", "red"]);
        let idf = (4.0f32 / 3.0).ln() + 1.0;
        let m = t.transform(&texts[..1]);
        let (apple, red) = (idf, (1.0 + 2f32.ln()) * idf);
        let norm = (apple * apple + red * red).sqrt();
        let row: Vec<(u32, f32)> = m.row(0).iter().collect();
        assert_eq!(row.len(), 2);
        assert!((row[0].1 - apple / norm).abs() < 1e-6 && (row[1].1 - red / norm).abs() < 1e-6, "{row:?}");
        assert_eq!(t.transform(&["nothing known here".to_string()]).row(0).iter().count(), 0);
    }
}
