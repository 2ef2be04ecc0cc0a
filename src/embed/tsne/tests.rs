use super::*;

/// `per` points around each of `k` far-apart centres in 10 dimensions (deterministic).
fn blobs(k: usize, per: usize) -> (Vec<f32>, usize) {
    let d = 10;
    let mut rows = Vec::new();
    for c in 0..k {
        for i in 0..per {
            for j in 0..d {
                let centre = if j == c % d { 10.0 } else { 0.0 } + if j == (c + 3) % d { 5.0 * c as f32 } else { 0.0 };
                let noise = ((c * 7919 + i * 104_729 + j * 1_299_709) as f32 * 0.618_034).fract() - 0.5;
                rows.push(centre + noise);
            }
        }
    }
    (rows, d)
}

fn start(rows: &[f32], d: usize) -> Vec<(f64, f64)> {
    // Any deterministic start will do for the test: the first two columns.
    rows.chunks(d).map(|r| (f64::from(r[0]), f64::from(r[1]))).collect()
}

#[test]
fn separated_blobs_stay_together_and_apart_on_the_map() {
    let (rows, d) = blobs(4, 60);
    let map = embed(&rows, d, &start(&rows, d), &crate::progress::Silent);
    let centre = |c: usize| {
        let pts = &map[c * 60..(c + 1) * 60];
        (pts.iter().map(|p| p.0).sum::<f64>() / 60.0, pts.iter().map(|p| p.1).sum::<f64>() / 60.0)
    };
    let spread = |c: usize| {
        let m = centre(c);
        map[c * 60..(c + 1) * 60].iter().map(|p| ((p.0 - m.0).powi(2) + (p.1 - m.1).powi(2)).sqrt()).sum::<f64>() / 60.0
    };
    for a in 0..4 {
        for b in a + 1..4 {
            let (ca, cb) = (centre(a), centre(b));
            let apart = ((ca.0 - cb.0).powi(2) + (ca.1 - cb.1).powi(2)).sqrt();
            assert!(apart > 3.0 * (spread(a) + spread(b)), "blobs {a} and {b} overlap: {apart} vs {}", spread(a));
        }
    }
    assert!(trustworthiness_of_neighbours(&rows, d, &map, 10) > 0.5);
}

#[test]
fn the_same_input_gives_the_same_map() {
    let (rows, d) = blobs(3, 40);
    let a = embed(&rows, d, &start(&rows, d), &crate::progress::Silent);
    let b = embed(&rows, d, &start(&rows, d), &crate::progress::Silent);
    assert_eq!(a, b);
}

#[test]
fn affinities_are_symmetric_and_sum_to_one() {
    let (rows, d) = blobs(2, 50);
    let p = affinities(&rows, d, 100, &crate::progress::Silent);
    let total: f64 = p.iter().flatten().map(|e| e.1).sum();
    assert!((total - 1.0).abs() < 1e-9);
    for (i, row) in p.iter().enumerate() {
        for &(j, v) in row {
            let back = p[j as usize].iter().find(|e| e.0 as usize == i).map(|e| e.1);
            assert_eq!(back, Some(v), "p[{i}][{j}]");
        }
    }
}

#[test]
fn each_row_reaches_the_perplexity() {
    let distances: Vec<f64> = (0..90).map(|i| f64::from(i) * 0.1).collect();
    let p = conditional_row(&distances, 30f64.ln());
    let entropy: f64 = -p.iter().filter(|v| **v > 0.0).map(|v| v * v.ln()).sum::<f64>();
    assert!((entropy.exp() - 30.0).abs() < 0.01, "{}", entropy.exp());
}
