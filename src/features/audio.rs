//! Audio features: a log-mel spectrogram of each clip (25 ms-ish Hann frames, half
//! overlapping), summarized as the mean and standard deviation of every band over time —
//! or of MFCCs (the DCT of the log-mel bands); standardized on the training clips.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};
use serde::{Deserialize, Serialize};

use super::scaler::Scaler;
use super::{Matrix, Settings};
use crate::error::{Error, Result};
use crate::progress::{Counter, Progress};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AudioFeaturizer {
    mfcc: Option<usize>,
    bands: usize,
    pub(super) scaler: Scaler,
}

impl AudioFeaturizer {
    pub fn fit(mfcc: bool, settings: &Settings, files: &[PathBuf], progress: &dyn Progress) -> Result<AudioFeaturizer> {
        let mut f = AudioFeaturizer {
            mfcc: mfcc.then_some(settings.mfcc),
            bands: settings.mel_bands,
            scaler: Scaler::fit(&[], 0),
        };
        let data = f.raw(files, progress)?;
        f.scaler = Scaler::fit(&data, f.width());
        Ok(f)
    }

    pub fn transform(&self, files: &[PathBuf], progress: &dyn Progress) -> Result<Matrix> {
        let mut data = self.raw(files, progress)?;
        self.scaler.apply(&mut data);
        Ok(Matrix::dense(files.len(), self.width(), data))
    }

    pub fn width(&self) -> usize {
        2 * self.mfcc.unwrap_or(self.bands)
    }

    fn raw(&self, files: &[PathBuf], progress: &dyn Progress) -> Result<Vec<f32>> {
        let counter = Counter::start(progress, "reading clips", files.len());
        let rows: Vec<Vec<f32>> = files
            .par_iter()
            .map(|path| {
                let (samples, rate) = read_mono(path)?;
                counter.tick();
                Ok(self.unscaled(&samples, rate))
            })
            .collect::<Result<_>>()?;
        counter.finish();
        Ok(rows.concat())
    }

    /// The standardized features of a clip in memory (an augmented copy).
    pub fn features_of(&self, samples: &[f32], rate: u32) -> Vec<f32> {
        let mut row = self.unscaled(samples, rate);
        self.scaler.apply(&mut row);
        row
    }

    fn unscaled(&self, samples: &[f32], rate: u32) -> Vec<f32> {
        let frames = log_mel(samples, rate, self.bands);
        let frames = match self.mfcc {
            Some(n) => frames.iter().map(|f| dct(f, n)).collect(),
            None => frames,
        };
        mean_and_std(&frames, self.mfcc.unwrap_or(self.bands))
    }
}

/// Writes mono samples in [-1, 1] as a 16-bit WAV file.
pub fn write_mono(path: &Path, rate: u32, samples: &[f32]) -> Result<()> {
    let spec =
        hound::WavSpec { channels: 1, sample_rate: rate, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let bad = |e: hound::Error| Error::file(path, e);
    let mut w = hound::WavWriter::create(path, spec).map_err(bad)?;
    for s in samples {
        w.write_sample((s.clamp(-1.0, 1.0) * f32::from(i16::MAX)) as i16).map_err(bad)?;
    }
    w.finalize().map_err(bad)
}

/// The clip as mono samples in [-1, 1], and its sample rate.
pub fn read_mono(path: &Path) -> Result<(Vec<f32>, u32)> {
    let bad = |e: hound::Error| Error::file(path, format!("cannot be read as a WAV file: {e}"));
    let mut reader = hound::WavReader::open(path).map_err(bad)?;
    let spec = reader.spec();
    let interleaved: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => reader.samples::<f32>().collect::<std::result::Result<_, _>>().map_err(bad)?,
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (spec.bits_per_sample.max(1) - 1)) as f32;
            let ints: Vec<i32> = reader.samples::<i32>().collect::<std::result::Result<_, _>>().map_err(bad)?;
            ints.into_iter().map(|v| v as f32 * scale).collect()
        }
    };
    let channels = spec.channels.max(1) as usize;
    let mono = interleaved.chunks(channels).map(|c| c.iter().sum::<f32>() / channels as f32).collect();
    Ok((mono, spec.sample_rate.max(1)))
}

/// Log-mel energies per frame: frames of the power of two nearest 25 ms, hop half a frame.
fn log_mel(samples: &[f32], rate: u32, bands: usize) -> Vec<Vec<f32>> {
    let frame = (rate as f64 * 0.025).max(16.0).log2().round().exp2() as usize;
    let hop = frame / 2;
    let fft: Arc<dyn Fft<f32>> = FftPlanner::new().plan_fft_forward(frame);
    let window: Vec<f32> =
        (0..frame).map(|i| 0.5 - 0.5 * (std::f32::consts::TAU * i as f32 / frame as f32).cos()).collect();
    let filters = mel_filters(bands, frame, rate);
    let mut padded = samples.to_vec();
    if padded.len() < frame {
        padded.resize(frame, 0.0);
    }
    let mut buffer = vec![Complex::new(0.0, 0.0); frame];
    (0..=(padded.len() - frame) / hop)
        .map(|f| {
            let start = f * hop;
            for i in 0..frame {
                buffer[i] = Complex::new(padded[start + i] * window[i], 0.0);
            }
            fft.process(&mut buffer);
            let power: Vec<f32> = buffer[..frame / 2 + 1].iter().map(|c| c.norm_sqr()).collect();
            filters
                .iter()
                .map(|(first, weights)| {
                    let energy: f32 = weights.iter().zip(&power[*first..]).map(|(w, p)| w * p).sum();
                    (energy + 1e-10).ln()
                })
                .collect()
        })
        .collect()
}

fn hz_to_mel(hz: f64) -> f64 {
    2595.0 * (1.0 + hz / 700.0).log10()
}

fn mel_to_hz(mel: f64) -> f64 {
    700.0 * (10f64.powf(mel / 2595.0) - 1.0)
}

/// Triangular filters evenly spaced on the mel scale up to half the sample rate, each as
/// (first FFT bin, weights from there).
fn mel_filters(bands: usize, frame: usize, rate: u32) -> Vec<(usize, Vec<f32>)> {
    let bins = frame / 2 + 1;
    let top = hz_to_mel(rate as f64 / 2.0);
    let edges: Vec<f64> = (0..bands + 2).map(|i| mel_to_hz(top * i as f64 / (bands + 1) as f64)).collect();
    let bin_hz = |b: usize| b as f64 * rate as f64 / frame as f64;
    (0..bands)
        .map(|m| {
            let (lo, mid, hi) = (edges[m], edges[m + 1], edges[m + 2]);
            let weights: Vec<f32> = (0..bins)
                .map(|b| {
                    let hz = bin_hz(b);
                    let w = if hz <= mid { (hz - lo) / (mid - lo) } else { (hi - hz) / (hi - mid) };
                    w.max(0.0) as f32
                })
                .collect();
            let first = weights.iter().position(|w| *w > 0.0).unwrap_or(0);
            (first, weights[first..].to_vec())
        })
        .collect()
}

/// The first `n` coefficients of the orthonormal DCT-II.
fn dct(x: &[f32], n: usize) -> Vec<f32> {
    let len = x.len() as f32;
    (0..n)
        .map(|k| {
            let sum: f32 = x
                .iter()
                .enumerate()
                .map(|(i, v)| v * (std::f32::consts::PI * k as f32 * (i as f32 + 0.5) / len).cos())
                .sum();
            sum * if k == 0 { (1.0 / len).sqrt() } else { (2.0 / len).sqrt() }
        })
        .collect()
}

/// Per column of `frames`: the mean over time, then the standard deviation.
fn mean_and_std(frames: &[Vec<f32>], width: usize) -> Vec<f32> {
    let n = frames.len().max(1) as f32;
    let mean: Vec<f32> = (0..width).map(|j| frames.iter().map(|f| f[j]).sum::<f32>() / n).collect();
    let std = (0..width).map(|j| (frames.iter().map(|f| (f[j] - mean[j]).powi(2)).sum::<f32>() / n).sqrt());
    mean.iter().copied().chain(std).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(hz: f32, rate: u32, seconds: f32) -> Vec<f32> {
        (0..(rate as f32 * seconds) as usize)
            .map(|i| (std::f32::consts::TAU * hz * i as f32 / rate as f32).sin())
            .collect()
    }

    #[test]
    fn a_pure_tone_peaks_in_the_band_around_its_pitch() {
        let rate = 16_000;
        let bands = 40;
        let frames = log_mel(&tone(1000.0, rate, 0.5), rate, bands);
        let mean = mean_and_std(&frames, bands);
        let loudest = (0..bands).max_by(|a, b| mean[*a].total_cmp(&mean[*b])).unwrap();
        let filters = mel_filters(bands, 512, rate);
        let centre = |m: usize| {
            let (first, w) = &filters[m];
            let peak = w.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap().0;
            (first + peak) as f32 * rate as f32 / 512.0
        };
        assert!((centre(loudest) - 1000.0).abs() < 150.0, "loudest band centred at {} Hz", centre(loudest));
    }

    #[test]
    fn the_dct_of_a_constant_is_only_its_first_coefficient() {
        let c = dct(&[2.0; 8], 4);
        assert!((c[0] - 2.0 * 8f32.sqrt()).abs() < 1e-5);
        assert!(c[1..].iter().all(|v| v.abs() < 1e-5), "{c:?}");
    }

    #[test]
    fn a_clip_that_is_not_a_wav_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("noise.wav");
        std::fs::write(&path, b"RIFF nonsense").unwrap();
        let f = AudioFeaturizer { mfcc: None, bands: 8, scaler: Scaler::fit(&[], 0) };
        let err = f.raw(&[path], &crate::progress::Silent).unwrap_err();
        assert!(err.message().contains("noise.wav"), "{}", err.message());
    }
}
