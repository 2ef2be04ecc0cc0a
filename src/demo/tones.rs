//! Half-second clips of four kinds of sound, as 16-bit mono WAV at 8 kHz.

use std::f32::consts::PI;
use std::path::Path;

use rand::{Rng, RngExt};

use crate::error::Result;

pub const CLASSES: &[&str] = &["sine", "square", "chirp", "hiss"];
const PER_CLASS: usize = 30;
const RATE: u32 = 8000;

pub fn write(dir: &Path, rng: &mut impl Rng) -> Result<()> {
    super::create_dir(dir)?;
    for i in 0..PER_CLASS {
        for (c, class) in CLASSES.iter().enumerate() {
            let path = dir.join(format!("{class}_{:03}.wav", i + 1));
            crate::features::audio::write_mono(&path, RATE, &clip(c, rng))?;
        }
    }
    Ok(())
}

fn clip(class: usize, rng: &mut impl Rng) -> Vec<f32> {
    let n = RATE as usize / 2;
    let freq = rng.random_range(220.0..880.0f32);
    let gain = rng.random_range(0.3..0.8f32);
    let mut phase = 0.0f32;
    (0..n)
        .map(|i| {
            let t = i as f32 / RATE as f32;
            let f = if class == 2 { freq * (1.0 + 3.0 * t) } else { freq };
            phase += 2.0 * PI * f / RATE as f32;
            let tone = match class {
                0 | 2 => phase.sin(),
                1 => phase.sin().signum(),
                _ => rng.random_range(-1.0..1.0f32),
            };
            gain * tone + rng.random_range(-0.03..0.03f32)
        })
        .collect()
}
