//! Audio transforms on mono samples in -1..=1 at a known rate. Only `speed` changes the
//! length; every output stays within -1..=1.

use super::random::{happens, normal, uniform};
use super::settings::Step;

/// One augmented copy of a clip.
pub fn augment(samples: &[f32], steps: &[Step], rng: &mut impl rand::Rng) -> Vec<f32> {
    let mut out = samples.to_vec();
    for step in steps {
        if happens(rng, step.p) {
            out = apply(&out, step, rng);
        }
    }
    out
}

pub fn apply(x: &[f32], step: &Step, rng: &mut impl rand::Rng) -> Vec<f32> {
    if x.is_empty() {
        return Vec::new();
    }
    let n = x.len();
    match step.name.as_str() {
        "noise" => {
            let (lo, hi) = (step.param("snr_min"), step.param("snr_max"));
            let snr = uniform(rng, lo.min(hi), hi.max(lo));
            let power = x.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / n as f64;
            let sigma = (power / 10f64.powf(snr / 10.0)).sqrt();
            x.iter().map(|v| clip(f64::from(*v) + sigma * normal(rng))).collect()
        }
        "gain" => {
            let db = step.param("db");
            let g = 10f64.powf(uniform(rng, -db, db) / 20.0);
            x.iter().map(|v| clip(f64::from(*v) * g)).collect()
        }
        "shift" => {
            let f = step.param("fraction");
            let by = (uniform(rng, -f, f) * n as f64).round() as i64;
            (0..n as i64).map(|i| x.get((i - by) as usize).copied().filter(|_| i >= by).unwrap_or(0.0)).collect()
        }
        "speed" => {
            let r = step.param("range");
            resample(x, 1.0 + uniform(rng, -r, r))
        }
        "pitch" => {
            let st = step.param("semitones");
            let factor = 2f64.powf(uniform(rng, -st, st) / 12.0);
            stretch(&resample(x, factor), n)
        }
        "time_mask" => {
            let len = (uniform(rng, 0.0, step.param("fraction")) * n as f64).round() as usize;
            let start = uniform(rng, 0.0, (n - len.min(n)) as f64).round() as usize;
            let mut out = x.to_vec();
            out[start..(start + len).min(n)].iter_mut().for_each(|v| *v = 0.0);
            out
        }
        _ => x.to_vec(),
    }
}

fn clip(v: f64) -> f32 {
    v.clamp(-1.0, 1.0) as f32
}

/// Played `factor` times as fast: linear interpolation, `len / factor` samples.
pub fn resample(x: &[f32], factor: f64) -> Vec<f32> {
    let len = ((x.len() as f64 / factor).round() as usize).max(1);
    (0..len)
        .map(|i| {
            let at = i as f64 * factor;
            let (k, t) = (at.floor() as usize, at - at.floor());
            let a = f64::from(x[k.min(x.len() - 1)]);
            let b = f64::from(x[(k + 1).min(x.len() - 1)]);
            clip(a + (b - a) * t)
        })
        .collect()
}

/// `x` made `len` samples long without changing its pitch: overlap-add of Hann-windowed
/// frames read at a different pace than they are written.
fn stretch(x: &[f32], len: usize) -> Vec<f32> {
    const FRAME: usize = 512;
    const HOP: usize = FRAME / 4;
    if x.len() < FRAME || len < FRAME {
        return resample(x, x.len() as f64 / len as f64);
    }
    let window: Vec<f64> =
        (0..FRAME).map(|i| 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / FRAME as f64).cos()).collect();
    let (mut out, mut weight) = (vec![0.0f64; len + FRAME], vec![0.0f64; len + FRAME]);
    let pace = (x.len() - FRAME) as f64 / (len.saturating_sub(FRAME).max(1)) as f64;
    let mut at = 0;
    while at + FRAME <= len + FRAME && at < len {
        let from = ((at as f64 * pace).round() as usize).min(x.len() - FRAME);
        for i in 0..FRAME {
            out[at + i] += f64::from(x[from + i]) * window[i];
            weight[at + i] += window[i];
        }
        at += HOP;
    }
    (0..len).map(|i| clip(if weight[i] > 1e-6 { out[i] / weight[i] } else { 0.0 })).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::augment::catalogue::Modality;
    use crate::augment::rng_for;

    fn tone(hz: f64, rate: f64, n: usize) -> Vec<f32> {
        (0..n).map(|i| (0.5 * (2.0 * std::f64::consts::PI * hz * i as f64 / rate).sin()) as f32).collect()
    }

    fn step(name: &str) -> Step {
        let (_, mut s) = crate::augment::Settings::default().step(Modality::Audio, name).unwrap();
        s.p = 1.0;
        s
    }

    /// Zero crossings per sample: twice the frequency over the rate.
    fn crossings(x: &[f32]) -> f64 {
        x.windows(2).filter(|w| (w[0] < 0.0) != (w[1] < 0.0)).count() as f64 / x.len() as f64
    }

    #[test]
    fn every_transform_stays_in_range_and_is_the_same_under_the_same_seed() {
        let clip = tone(440.0, 8000.0, 8000);
        for spec in Modality::Audio.transforms() {
            let s = step(spec.name);
            let a = apply(&clip, &s, &mut rng_for(3, 0, 0));
            assert_eq!(a, apply(&clip, &s, &mut rng_for(3, 0, 0)), "{}", spec.name);
            assert!(a.iter().all(|v| (-1.0..=1.0).contains(v)), "{}", spec.name);
            if spec.name != "speed" {
                assert_eq!(a.len(), clip.len(), "{} keeps the length", spec.name);
            }
        }
    }

    #[test]
    fn noise_meets_its_snr_and_pitch_moves_the_frequency_not_the_length() {
        let clip = tone(440.0, 8000.0, 8000);
        let mut s = step("noise");
        s.params.insert("snr_min".into(), 20.0);
        s.params.insert("snr_max".into(), 20.0);
        let noisy = apply(&clip, &s, &mut rng_for(0, 0, 0));
        let signal: f64 = clip.iter().map(|v| f64::from(*v).powi(2)).sum();
        let noise: f64 = noisy.iter().zip(&clip).map(|(a, b)| f64::from(a - b).powi(2)).sum();
        let snr = 10.0 * (signal / noise).log10();
        assert!((snr - 20.0).abs() < 0.5, "SNR {snr}");
        let up = stretch(&resample(&clip, 2f64.powf(12.0 / 12.0)), clip.len());
        assert_eq!(up.len(), clip.len());
        let ratio = crossings(&up) / crossings(&clip);
        assert!((ratio - 2.0).abs() < 0.1, "an octave up doubles the frequency: {ratio}");
        assert_eq!(resample(&clip, 2.0).len(), 4000, "twice as fast is half as long");
    }
}
