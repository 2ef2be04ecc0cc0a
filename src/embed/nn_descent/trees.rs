//! The first guess at every row's neighbours: random-projection trees (as pynndescent
//! starts), each splitting the rows in two by the hyperplane halfway between two of them,
//! again and again, until a leaf holds a few dozen; rows that share a leaf are near.

use crate::embed::hashed::mix;

/// The leaves of one tree over the `n` rows of `d` columns: lists of rows of at most `leaf`.
pub fn leaves(rows: &[f32], d: usize, n: usize, leaf: usize, seed: u64) -> Vec<Vec<u32>> {
    let mut done = Vec::new();
    let mut todo: Vec<(Vec<u32>, u64)> = vec![((0..n as u32).collect(), 1)];
    while let Some((members, node)) = todo.pop() {
        if members.len() <= leaf {
            done.push(members);
            continue;
        }
        let (left, right) = split(rows, d, &members, mix(seed, node));
        todo.push((right, mix(node, 1)));
        todo.push((left, mix(node, 0)));
    }
    done
}

/// `members` by the side of the hyperplane between two of them chosen by `hash`; halves in
/// row order where the hyperplane leaves one side empty (rows all equal).
fn split(rows: &[f32], d: usize, members: &[u32], hash: u64) -> (Vec<u32>, Vec<u32>) {
    let m = members.len() as u64;
    let a = members[(hash % m) as usize] as usize;
    let mut b = members[(mix(hash, 1) % (m - 1)) as usize] as usize;
    if b == a {
        b = members[members.len() - 1] as usize;
    }
    let (ra, rb) = (&rows[a * d..(a + 1) * d], &rows[b * d..(b + 1) * d]);
    let normal: Vec<f32> = ra.iter().zip(rb).map(|(x, y)| x - y).collect();
    let offset: f32 = ra.iter().zip(rb).map(|(x, y)| (x * x - y * y) / 2.0).sum();
    let (left, right): (Vec<u32>, Vec<u32>) = members.iter().partition(|&&r| {
        let row = &rows[r as usize * d..(r as usize + 1) * d];
        row.iter().zip(&normal).map(|(x, w)| x * w).sum::<f32>() > offset
    });
    if left.is_empty() || right.is_empty() {
        let half = members.len() / 2;
        return (members[..half].to_vec(), members[half..].to_vec());
    }
    (left, right)
}
