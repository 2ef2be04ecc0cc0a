//! What a viewer needs to show one file sample: the text, a summary of the waveform, or the
//! decoded image. Loaded off the UI thread.

use std::io::Read;
use std::path::Path;

use super::Source;
use crate::data::SourceKind;
use crate::error::{Error, Result};

/// The most text read for a preview.
const TEXT_LIMIT: u64 = 64 * 1024;

#[derive(Clone)]
pub enum Preview {
    Text { text: String, truncated: bool },
    Audio(AudioSummary),
    Image(image::DynamicImage),
}

#[derive(Debug, Clone, PartialEq)]
pub struct AudioSummary {
    pub sample_rate: u32,
    pub channels: u16,
    pub bits: u16,
    pub seconds: f64,
    /// (min, max) of the first channel over `buckets` equal slices of the clip, in [-1, 1].
    pub peaks: Vec<(f32, f32)>,
}

/// The slices a clip's waveform is loaded in for the workbench's views.
pub const WAVEFORM_BUCKETS: usize = 400;

/// Loads sample `id` of a folder source; `buckets` is the waveform's resolution.
pub fn load(source: &Source, id: &str, buckets: usize) -> Result<Preview> {
    let Source::Folder(f) = source else {
        return Err(Error::internal("previews of table rows come from the row itself"));
    };
    let path = f.root.join(id);
    match f.kind {
        SourceKind::Images => {
            let img = image::ImageReader::open(&path)
                .and_then(|r| r.with_guessed_format())
                .map_err(|e| Error::file(&path, e))?
                .decode()
                .map_err(|e| Error::file(&path, e))?;
            Ok(Preview::Image(img))
        }
        SourceKind::Text => {
            let (text, truncated) = read_text(&path)?;
            Ok(Preview::Text { text, truncated })
        }
        SourceKind::Audio => Ok(Preview::Audio(summarize_wav(&path, buckets)?)),
        SourceKind::Table => Err(Error::internal("a folder source is never a table")),
    }
}

fn read_text(path: &Path) -> Result<(String, bool)> {
    let file = std::fs::File::open(path).map_err(|e| Error::file(path, e))?;
    let mut bytes = Vec::new();
    file.take(TEXT_LIMIT + 1).read_to_end(&mut bytes).map_err(|e| Error::file(path, e))?;
    let truncated = bytes.len() as u64 > TEXT_LIMIT;
    bytes.truncate(TEXT_LIMIT as usize);
    Ok((String::from_utf8_lossy(&bytes).into_owned(), truncated))
}

pub fn summarize_wav(path: &Path, buckets: usize) -> Result<AudioSummary> {
    let mut reader = hound::WavReader::open(path).map_err(|e| Error::file(path, e))?;
    let spec = reader.spec();
    let channels = spec.channels.max(1) as usize;
    let samples: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => reader.samples::<f32>().step_by(channels).collect::<Result<_, _>>(),
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f32;
            reader.samples::<i32>().step_by(channels).map(|s| s.map(|v| v as f32 * scale)).collect::<Result<_, _>>()
        }
    }
    .map_err(|e| Error::file(path, e))?;
    let buckets = buckets.max(1);
    let per = samples.len().div_ceil(buckets).max(1);
    let peaks = samples
        .chunks(per)
        .map(|c| c.iter().fold((f32::MAX, f32::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x))))
        .collect();
    Ok(AudioSummary {
        sample_rate: spec.sample_rate,
        channels: spec.channels,
        bits: spec.bits_per_sample,
        seconds: samples.len() as f64 / spec.sample_rate.max(1) as f64,
        peaks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waveform_peaks_follow_the_signal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.wav");
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 1000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&path, spec).unwrap();
        // First half silent, second half full scale; the right channel is always silent.
        for i in 0..1000 {
            let left = if i < 500 {
                0
            } else if i % 2 == 0 {
                i16::MAX
            } else {
                -i16::MAX
            };
            w.write_sample(left).unwrap();
            w.write_sample(0i16).unwrap();
        }
        w.finalize().unwrap();
        let s = summarize_wav(&path, 4).unwrap();
        assert_eq!((s.sample_rate, s.channels, s.seconds), (1000, 2, 1.0));
        assert_eq!(s.peaks.len(), 4);
        assert_eq!(s.peaks[0], (0.0, 0.0));
        assert!(s.peaks[3].0 < -0.99 && s.peaks[3].1 > 0.99, "{:?}", s.peaks[3]);
    }
}
