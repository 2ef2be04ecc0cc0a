//! Choices made by hashing (the seed and what is chosen for), not by a generator's
//! sequence: the same whichever thread or in whatever order a choice is made, so parallel
//! work gives the same map every time.

/// A 64-bit hash of two numbers (SplitMix64's finalizer over their mix).
pub fn mix(a: u64, b: u64) -> u64 {
    let mut z = a.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ b.wrapping_add(0x6a09_e667_f3bc_c909);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A number in `0..n` from a hash, by its high bits (no bias worth the name for `n` far
/// below 2⁶⁴).
pub fn below(hash: u64, n: usize) -> usize {
    ((u128::from(hash) * n as u128) >> 64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_spread_over_the_range_asked_for() {
        let mut counts = [0usize; 10];
        for i in 0..10_000 {
            counts[below(mix(7, i), 10)] += 1;
        }
        assert!(counts.iter().all(|&c| (800..1200).contains(&c)), "{counts:?}");
        assert_ne!(mix(1, 2), mix(2, 1));
    }
}
