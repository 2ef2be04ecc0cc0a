//! Augmentations: transforms that make varied copies of training samples. Each has
//! parameters and a probability, and is deterministic under a seed: the random numbers of
//! a copy come from (seed, sample, copy) alone. They are applied to the training split
//! only (see runs::train) and recorded in run.json.

pub mod audio;
pub mod boxes;
pub mod catalogue;
pub mod copies;
pub mod image;
pub mod random;
pub mod settings;
pub mod table;
pub mod text;

pub use catalogue::{Modality, Param, Spec};
pub use settings::{Plan, Settings, Step};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The random numbers of copy `copy` of sample `sample`.
pub fn rng_for(seed: u64, sample: u64, copy: u64) -> ChaCha8Rng {
    // SplitMix-style mixing, so that nearby (sample, copy) pairs get unrelated streams.
    let mut z = seed ^ sample.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ copy.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ChaCha8Rng::seed_from_u64(z ^ (z >> 31))
}
