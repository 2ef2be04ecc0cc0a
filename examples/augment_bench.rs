//! Augmentation throughput on one core: 32×32 images, short texts and one-second clips,
//! every transform of the modality on at its default settings, p = 1 (the worst case).
//! `cargo run --release --example augment_bench`

use std::time::Instant;

use image::{Rgb, RgbImage};
use kindling::augment::text::Synonyms;
use kindling::augment::{Modality, Settings, Step, audio, image as image_ops, rng_for, text};

fn all_on(modality: Modality) -> Vec<Step> {
    let settings = Settings::default();
    modality
        .transforms()
        .iter()
        .filter_map(|spec| settings.step(modality, spec.name))
        .map(|(_, mut step)| {
            step.p = 1.0;
            step
        })
        .collect()
}

/// Runs `one(i)` for `n` items and prints items per second.
fn measure(what: &str, n: usize, mut one: impl FnMut(usize) -> usize) {
    let start = Instant::now();
    let mut sink = 0;
    for i in 0..n {
        sink += one(i);
    }
    let seconds = start.elapsed().as_secs_f64();
    println!("{what:<40} {:>10.0} per second  ({n} in {seconds:.2} s; {sink})", n as f64 / seconds);
}

fn main() {
    let picture = RgbImage::from_fn(32, 32, |x, y| Rgb([(x * 8) as u8, (y * 8) as u8, ((x + y) * 4) as u8]));
    let steps = all_on(Modality::Image);
    measure("32×32 images, all 11 transforms", 5_000, |i| {
        image_ops::augment(&picture, &steps, &mut rng_for(0, i as u64, 0)).width() as usize
    });
    for step in &steps {
        measure(&format!("  32×32 images, {} only", step.name), 2_000, |i| {
            image_ops::apply(&picture, step, &mut rng_for(0, i as u64, 0)).width() as usize
        });
    }
    let flips: Vec<Step> = steps.iter().filter(|s| s.name.ends_with("flip") || s.name == "crop").cloned().collect();
    measure("32×32 images, flips + crop", 20_000, |i| {
        image_ops::augment(&picture, &flips, &mut rng_for(0, i as u64, 0)).width() as usize
    });
    let synonyms = Synonyms::load(None).expect("the built-in list");
    let steps = all_on(Modality::Text);
    let sentence = "The app is slow and the login page shows an error every time I try to pay my bill";
    measure("short texts (17 words), all 5 transforms", 50_000, |i| {
        text::augment(sentence, &steps, &synonyms, Some("please fix the crash soon"), &mut rng_for(0, i as u64, 0))
            .len()
    });
    let clip: Vec<f32> = (0..16_000).map(|i| 0.5 * (i as f32 * 0.1).sin()).collect();
    let steps = all_on(Modality::Audio);
    measure("1 s clips at 16 kHz, all 6 transforms", 500, |i| {
        audio::augment(&clip, &steps, &mut rng_for(0, i as u64, 0)).len()
    });
    for step in &steps {
        measure(&format!("  1 s clips, {} only", step.name), 300, |i| {
            audio::apply(&clip, step, &mut rng_for(0, i as u64, 0)).len()
        });
    }
}
