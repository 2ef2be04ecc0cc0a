use polars::prelude::*;

use super::*;
use crate::features::{Method, Settings};
use crate::progress::Silent;

/// `n` rows of a table: two numbers and a category, deterministic; `shift` moves `weight`.
fn table(n: usize, seed: f64, shift: f64) -> Inputs {
    let spread = |k: f64| (0..n).map(move |i| ((i as f64 + seed) * k).fract());
    let weight: Vec<f64> = spread(0.618_033_988_75).map(|v| 100.0 + 50.0 * v + shift).collect();
    let length: Vec<f64> = spread(0.414_213_562_37).map(|v| 5.0 + 20.0 * v).collect();
    let colour: Vec<&str> = spread(0.732_050_807_57).map(|v| ["red", "green", "yellow"][(v * 3.0) as usize]).collect();
    let df = DataFrame::new_infer_height(vec![
        Column::new("weight".into(), weight),
        Column::new("length".into(), length),
        Column::new("colour".into(), colour),
    ])
    .unwrap();
    Inputs::Table(df)
}

fn profile() -> Profile {
    let train = table(4000, 0.0, 0.0);
    let featurizer = Featurizer::fit(Method::Table, &Settings::default(), &train, &Silent).unwrap();
    let evaluated = Probabilities::new(2, (0..400).flat_map(|i| [0.6 + f64::from(i % 4) * 0.1, 0.0]).collect());
    Profile::fit(&train, &(0..4000).collect::<Vec<_>>(), &featurizer, &evaluated).unwrap()
}

fn confident(n: usize) -> Cells {
    Cells::Numbers((0..n).map(|i| Some(0.6 + (i % 4) as f64 * 0.1)).collect())
}

#[test]
fn a_shift_in_one_column_is_flagged_on_that_column_only() {
    let profile = profile();
    assert_eq!(profile.numbers, ["weight", "length"]);
    let shifted = table(500, 0.5, 20.0);
    let report = profile.check(&profile.observe(&shifted), &confident(500));
    assert_eq!(report.drifted, ["weight"], "{report:#?}");
    let weight = &report.features[0];
    assert!(weight.psi > PSI_MAJOR && weight.ks.unwrap() > 0.3, "{weight:?}");
    assert!(report.warning().unwrap().contains("weight (PSI"), "{:?}", report.warning());
}

#[test]
fn data_like_the_training_data_is_not_flagged() {
    let profile = profile();
    let same = table(500, 0.5, 0.0);
    let report = profile.check(&profile.observe(&same), &confident(500));
    assert!(report.drifted.is_empty(), "{report:#?}");
    assert!(report.features.iter().all(|f| f.psi < 0.1), "{report:#?}");
    assert_eq!(report.warning(), None);
    assert!(!report.confidence.drifted);
}

#[test]
fn a_missing_column_and_a_new_category_are_drift() {
    let profile = profile();
    let Inputs::Table(df) = table(300, 0.2, 0.0) else { unreachable!() };
    let blue: Vec<&str> = (0..300).map(|i| if i % 5 == 0 { "blue" } else { "red" }).collect();
    let df = df.drop("length").unwrap().with_column(Column::new("colour".into(), blue)).unwrap().clone();
    let report = profile.check(&profile.observe(&Inputs::Table(df)), &confident(300));
    assert_eq!(report.missing_columns, ["length"]);
    assert_eq!(report.drifted, ["colour", "length"], "{report:#?}");
    assert_eq!(report.features[1].unseen, ["blue"]);
}

#[test]
fn a_window_keeps_the_newest_values_and_checks_them() {
    let profile = profile();
    let mut window = Window::new(500);
    for chunk in 0..10 {
        let shift = if chunk < 5 { 0.0 } else { 20.0 };
        let inputs = table(100, chunk as f64 * 100.0, shift);
        window.push(profile.observe(&inputs), (CONFIDENCE.to_string(), confident(100)));
    }
    assert_eq!(window.len(), 500);
    assert_eq!(window.check(&profile).drifted, ["weight"]);
    for chunk in 0..5 {
        window.push(profile.observe(&table(100, chunk as f64 * 7.0, 0.0)), (CONFIDENCE.to_string(), confident(100)));
    }
    assert!(window.check(&profile).drifted.is_empty(), "the shifted values slid out");
}

#[test]
fn texts_report_length_and_out_of_vocabulary_share() {
    let train: Vec<String> = (0..200).map(|i| format!("the printer jams on page {}", i % 7)).collect();
    let inputs = Inputs::Texts(train);
    let featurizer = Featurizer::fit(Method::Tfidf, &Settings::default(), &inputs, &Silent).unwrap();
    let evaluated = Probabilities::new(2, vec![0.9, 0.1]);
    let profile = Profile::fit(&inputs, &(0..200).collect::<Vec<_>>(), &featurizer, &evaluated).unwrap();
    assert!(profile.vocabulary.contains(&"printer".to_string()));
    let novel = Inputs::Texts((0..100).map(|_| "la imprimadora no funciona".to_string()).collect());
    let report = profile.check(&profile.observe(&novel), &Cells::Numbers(vec![Some(0.5); 100]));
    assert!(report.drifted.contains(&"out_of_vocabulary".to_string()), "{report:#?}");
}
