//! Does a file's content decode as what its source kind promises?

use std::io::Cursor;

use crate::data::SourceKind;

/// `Err` carries a reason a person can act on.
pub fn check(kind: SourceKind, bytes: &[u8]) -> Result<(), String> {
    match kind {
        SourceKind::Images => image(bytes),
        SourceKind::Text => text(bytes),
        SourceKind::Audio => wav(bytes),
        SourceKind::Table => Ok(()),
    }
}

fn image(bytes: &[u8]) -> Result<(), String> {
    let reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| format!("cannot read it ({e})"))?;
    if reader.format().is_none() {
        return Err("not an image Kindling can decode (png, jpeg, webp, gif, bmp)".into());
    }
    reader.decode().map(|_| ()).map_err(|e| format!("corrupt image ({e})"))
}

fn text(bytes: &[u8]) -> Result<(), String> {
    std::str::from_utf8(bytes).map(|_| ()).map_err(|e| {
        format!("not valid UTF-8 at byte {}; convert it, e.g. `iconv -f latin1 -t utf-8`", e.valid_up_to())
    })
}

fn wav(bytes: &[u8]) -> Result<(), String> {
    let mut reader = hound::WavReader::new(Cursor::new(bytes)).map_err(|e| format!("not a readable WAV file ({e})"))?;
    let spec = reader.spec();
    if spec.channels == 0 || spec.sample_rate == 0 {
        return Err("WAV header says 0 channels or a 0 Hz sample rate".into());
    }
    let decoded = match spec.sample_format {
        hound::SampleFormat::Int => reader.samples::<i32>().try_for_each(|s| s.map(|_| ())),
        hound::SampleFormat::Float => reader.samples::<f32>().try_for_each(|s| s.map(|_| ())),
    };
    decoded.map_err(|e| format!("corrupt WAV data ({e})"))?;
    if reader.duration() == 0 {
        return Err("the WAV file holds no audio".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav_bytes(bits: u16, float: bool, channels: u16) -> Vec<u8> {
        let spec = hound::WavSpec {
            channels,
            sample_rate: 8000,
            bits_per_sample: bits,
            sample_format: if float { hound::SampleFormat::Float } else { hound::SampleFormat::Int },
        };
        let mut buf = Cursor::new(Vec::new());
        let mut w = hound::WavWriter::new(&mut buf, spec).unwrap();
        for i in 0..800 * channels as i32 {
            if float {
                w.write_sample((i as f32 * 0.01).sin()).unwrap();
            } else {
                let max = (1i32 << (bits - 1)) - 1;
                w.write_sample(((i as f32 * 0.01).sin() * max as f32) as i32).unwrap();
            }
        }
        w.finalize().unwrap();
        buf.into_inner()
    }

    #[test]
    fn wav_of_every_promised_format_decodes() {
        for (bits, float) in [(8, false), (16, false), (24, false), (32, true)] {
            for channels in [1, 2] {
                assert_eq!(wav(&wav_bytes(bits, float, channels)), Ok(()), "{bits} bit, {channels} ch");
            }
        }
    }

    #[test]
    fn truncated_wav_is_reported() {
        let bytes = wav_bytes(16, false, 1);
        assert!(wav(&bytes[..bytes.len() / 2]).is_err());
        assert!(wav(b"RIFF....WAVEjunk").is_err());
    }

    #[test]
    fn images_must_decode_fully() {
        let img = image::RgbImage::from_fn(16, 16, |x, y| image::Rgb([x as u8 * 10, y as u8 * 10, 0]));
        let mut png = Cursor::new(Vec::new());
        img.write_to(&mut png, image::ImageFormat::Png).unwrap();
        let png = png.into_inner();
        assert_eq!(image(&png), Ok(()));
        assert!(image(&png[..png.len() / 2]).is_err(), "a truncated png must fail");
        assert!(image(b"hello, I am text").is_err());
    }

    #[test]
    fn text_must_be_utf8() {
        assert_eq!(text("naïve".as_bytes()), Ok(()));
        let e = text(b"caf\xe9").unwrap_err();
        assert!(e.contains("byte 3"), "{e}");
    }
}
