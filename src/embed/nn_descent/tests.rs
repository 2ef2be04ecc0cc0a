use super::*;
use crate::features::Matrix;
use crate::models::knn::Knn;
use crate::models::test_data::blobs;

fn exact(rows: &[f32], d: usize, k: usize) -> Vec<Vec<(f32, u32)>> {
    let n = rows.len() / d;
    let found = Knn::fit(&Matrix::dense(n, d, rows.to_vec()), &vec![0; n], 1)
        .neighbours_of_training(k + 1, &crate::progress::Silent);
    found
        .into_iter()
        .enumerate()
        .map(|(i, near)| near.into_iter().filter(|e| e.1 as usize != i).take(k).collect())
        .collect()
}

fn recall(found: &[Vec<(f32, u32)>], truth: &[Vec<(f32, u32)>]) -> f64 {
    let hits: usize =
        found.iter().zip(truth).map(|(f, t)| f.iter().filter(|e| t.iter().any(|g| g.1 == e.1)).count()).sum();
    hits as f64 / truth.iter().map(Vec::len).sum::<usize>() as f64
}

#[test]
fn nearly_every_neighbour_is_the_exact_searchs() {
    // Wide enough (16 columns) that the trees alone miss many, and many loose blobs.
    let (x, _) = blobs(20, 300, 16, 3.0, 5);
    let rows = x.dense_values().unwrap();
    let found = others_nearest(rows, 16, 15, 0, &crate::progress::Silent);
    let r = recall(&found, &exact(rows, 16, 15));
    assert!(r > 0.95, "recall {r}");
    for (i, near) in found.iter().enumerate() {
        assert_eq!(near.len(), 15, "row {i}");
        assert!(near.iter().all(|e| e.1 as usize != i), "row {i} is its own neighbour");
        assert!(near.windows(2).all(|w| w[0].0 <= w[1].0), "row {i} nearest first");
        let mut rows: Vec<u32> = near.iter().map(|e| e.1).collect();
        rows.sort();
        rows.dedup();
        assert_eq!(rows.len(), 15, "row {i} has a neighbour twice");
    }
}

#[test]
fn the_rounds_improve_on_the_trees() {
    let (x, _) = blobs(20, 300, 16, 3.0, 5);
    let rows = x.dense_values().unwrap();
    let n = rows.len() / 16;
    let distance =
        |a: u32, b: u32| squared_distance(&rows[a as usize * 16..][..16], &rows[b as usize * 16..][..16]) as f32;
    let mut lists = Lists::new(n, 15);
    start_from_trees(&mut lists, rows, 16, 0, &distance);
    let from_trees: Vec<Vec<(f32, u32)>> = (0..n).map(|i| lists.sorted(i)).collect();
    let truth = exact(rows, 16, 15);
    let (before, after) =
        (recall(&from_trees, &truth), recall(&others_nearest(rows, 16, 15, 0, &crate::progress::Silent), &truth));
    assert!(after > before + 0.05, "trees {before}, after the rounds {after}");
}

#[test]
fn the_same_rows_give_the_same_neighbours() {
    let (x, _) = blobs(5, 400, 8, 2.0, 9);
    let rows = x.dense_values().unwrap();
    let once = others_nearest(rows, 8, 10, 3, &crate::progress::Silent);
    assert_eq!(others_nearest(rows, 8, 10, 3, &crate::progress::Silent), once);
}

#[test]
fn few_or_equal_rows_still_get_every_other_row() {
    let rows = vec![1.0f32; 5 * 3];
    let found = others_nearest(&rows, 3, 15, 0, &crate::progress::Silent);
    assert_eq!(found.len(), 5);
    for (i, near) in found.iter().enumerate() {
        let mut others: Vec<u32> = near.iter().map(|e| e.1).collect();
        others.sort();
        assert_eq!(others, (0..5).filter(|&j| j != i as u32).collect::<Vec<_>>());
    }
    assert_eq!(others_nearest(&[0.5], 1, 15, 0, &crate::progress::Silent), vec![Vec::new()]);
}
