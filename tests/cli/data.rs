//! Test data, generated on the spot.

use std::io::Cursor;
use std::path::Path;

pub fn png(path: &Path, shade: u8) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let img = image::RgbImage::from_fn(8, 8, |x, y| image::Rgb([shade, x as u8 * 20, y as u8 * 20]));
    img.save(path).unwrap();
}

pub fn png_bytes() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(8, 8, image::Rgb([1, 2, 3]));
    let mut c = Cursor::new(Vec::new());
    img.write_to(&mut c, image::ImageFormat::Png).unwrap();
    c.into_inner()
}

pub fn wav(path: &Path, bits: u16, float: bool, channels: u16) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let spec = hound::WavSpec {
        channels,
        sample_rate: 16000,
        bits_per_sample: bits,
        sample_format: if float { hound::SampleFormat::Float } else { hound::SampleFormat::Int },
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..1600 * channels as i32 {
        let x = (i as f32 * 0.05).sin() * 0.5;
        if float {
            w.write_sample(x).unwrap();
        } else {
            w.write_sample((x * ((1i32 << (bits - 1)) - 1) as f32) as i32).unwrap();
        }
    }
    w.finalize().unwrap();
}

/// A CSV with an id column, numbers, strings with commas and quotes, missing values, and a
/// label column that is partly empty.
pub fn table_csv(path: &Path, rows: usize) {
    let mut s = String::from("key,height,colour,note,species\n");
    for i in 0..rows {
        let height = if i % 7 == 0 { String::new() } else { format!("{:.1}", 10.0 + i as f64 * 0.5) };
        let colour = ["red", "", "blue"][i % 3];
        let species = if i % 4 == 3 { "" } else { ["oak", "pine", "elm"][i % 3] };
        s.push_str(&format!("k{i},{height},{colour},\"note, \"\"{i}\"\"\",{species}\n"));
    }
    std::fs::write(path, s).unwrap();
}
