//! The cached vectors' matrix as raw little-endian bytes (`#[serde(with = "packed")]`): read
//! back with a copy, where a matrix's own serde form goes value by value — a third of a
//! `kindling similar` call at 100,000 samples.

use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error};
use serde_bytes::{ByteBuf, Bytes};

use crate::features::Matrix;

/// Written with owned bytes, read borrowing them from the file's bytes.
#[derive(Serialize, Deserialize)]
pub(super) enum Packed<B> {
    Dense { rows: usize, cols: usize, values: B },
    Sparse { cols: usize, indptr: B, indices: B, values: B },
}

pub fn serialize<S: Serializer>(m: &Matrix, s: S) -> Result<S::Ok, S::Error> {
    let packed = match (m.dense_values(), m.sparse_parts()) {
        (Some(values), _) => Packed::Dense { rows: m.rows(), cols: m.cols(), values: bytes(values, f32::to_le_bytes) },
        (None, Some((indptr, indices, values))) => Packed::Sparse {
            cols: m.cols(),
            indptr: bytes(indptr, |v| (v as u64).to_le_bytes()),
            indices: bytes(indices, u32::to_le_bytes),
            values: bytes(values, f32::to_le_bytes),
        },
        (None, None) => unreachable!("a matrix is dense or sparse"),
    };
    packed.serialize(s)
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Matrix, D::Error> {
    Packed::<&Bytes>::deserialize(d)?
        .to_matrix()
        .ok_or_else(|| D::Error::custom("the cached vectors are not consistent"))
}

impl Packed<&Bytes> {
    /// The matrix the bytes hold; `None` when they do not fit its shape.
    pub(super) fn to_matrix(&self) -> Option<Matrix> {
        match *self {
            Packed::Dense { rows, cols, values } => {
                let values: Vec<f32> = f32s(values).collect();
                (rows.checked_mul(cols) == Some(values.len())).then(|| Matrix::dense(rows, cols, values))
            }
            Packed::Sparse { cols, indptr, indices, values } => {
                let indptr = read(indptr, |b| u64::from_le_bytes(b) as usize);
                let (indices, values) = (read(indices, u32::from_le_bytes), f32s(values).collect());
                Matrix::from_sparse_parts(cols, indptr, indices, values)
            }
        }
    }
}

fn bytes<T: Copy, const N: usize>(values: &[T], to: impl Fn(T) -> [u8; N]) -> ByteBuf {
    ByteBuf::from(values.iter().flat_map(|&v| to(v)).collect::<Vec<u8>>())
}

fn read<T, const N: usize>(bytes: &[u8], from: impl Fn([u8; N]) -> T) -> Vec<T> {
    bytes.chunks_exact(N).map(|c| from(c.try_into().expect("chunks of N bytes"))).collect()
}

/// The little-endian f32 values of `bytes`, decoded as they are read.
pub(super) fn f32s(bytes: &[u8]) -> impl Iterator<Item = f32> + '_ {
    bytes.chunks_exact(4).map(|c| f32::from_le_bytes(c.try_into().expect("chunks of 4 bytes")))
}

/// The dot product of `a` and the little-endian f32 values of `bytes` (as many), summed in
/// eight lanes so that it runs as vector instructions (one sum in order cannot: a third of
/// a similar-samples query went to it).
pub(super) fn dot_le(a: &[f32], bytes: &[u8]) -> f32 {
    const LANES: usize = 8;
    let value = |c: &[u8]| f32::from_le_bytes(c.try_into().expect("4 bytes"));
    let mut lanes = [0.0f32; LANES];
    let whole = a.len() / LANES * LANES;
    for (xs, c) in a[..whole].chunks_exact(LANES).zip(bytes.chunks_exact(4 * LANES)) {
        for (l, lane) in lanes.iter_mut().enumerate() {
            *lane += xs[l] * value(&c[4 * l..4 * l + 4]);
        }
    }
    let tail = bytes.get(4 * whole..).unwrap_or_default();
    lanes.iter().sum::<f32>() + a[whole..].iter().zip(tail.chunks_exact(4)).map(|(x, c)| x * value(c)).sum::<f32>()
}

/// Float values written as raw little-endian bytes (`#[serde(serialize_with = …)]`), to be
/// read borrowed where they lie (the similar-samples index: `similar_index::IndexView`).
pub(super) fn f32_bytes<S: Serializer>(v: &[f32], s: S) -> Result<S::Ok, S::Error> {
    bytes(v, f32::to_le_bytes).serialize(s)
}

pub(super) fn f64_bytes<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
    bytes(v, f64::to_le_bytes).serialize(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dot_product_with_stored_bytes_is_the_sum_of_the_products() {
        for len in [0, 1, 7, 8, 9, 17, 100] {
            let a: Vec<f32> = (0..len).map(|i| i as f32 * 0.5 - 3.0).collect();
            let b: Vec<f32> = (0..len).map(|i| 1.0 / (i as f32 + 1.0)).collect();
            let bytes: Vec<u8> = b.iter().flat_map(|v| v.to_le_bytes()).collect();
            let exact: f64 = a.iter().zip(&b).map(|(x, y)| *x as f64 * *y as f64).sum();
            assert!((dot_le(&a, &bytes) as f64 - exact).abs() < 1e-4, "{len} values");
        }
    }

    #[derive(Serialize, Deserialize)]
    struct Holder(#[serde(with = "super")] Matrix);

    fn round_trip(m: &Matrix) -> Matrix {
        let bytes = postcard::to_allocvec(&Holder(m.clone())).unwrap();
        postcard::from_bytes::<Holder>(&bytes).unwrap().0
    }

    #[test]
    fn dense_and_sparse_matrices_come_back_as_they_went() {
        let dense = Matrix::dense(2, 3, vec![1.0, -2.5, 0.0, 3.25, f32::MIN_POSITIVE, 7.0]);
        assert_eq!(round_trip(&dense), dense);
        let sparse = Matrix::sparse(5, vec![vec![(1, 0.5), (4, -1.0)], vec![], vec![(0, 2.0)]]);
        assert_eq!(round_trip(&sparse), sparse);
    }

    #[test]
    fn float_values_are_written_as_their_bytes() {
        #[derive(Serialize)]
        struct Floats(#[serde(serialize_with = "f32_bytes")] Vec<f32>, #[serde(serialize_with = "f64_bytes")] Vec<f64>);
        #[derive(Deserialize)]
        struct Raw<'a>(#[serde(borrow)] &'a Bytes, #[serde(borrow)] &'a Bytes);
        let bytes = postcard::to_allocvec(&Floats(vec![1.5, -0.0], vec![f64::MIN_POSITIVE])).unwrap();
        let raw: Raw = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(f32s(raw.0).collect::<Vec<_>>(), [1.5, -0.0]);
        assert_eq!(raw.1.as_ref(), f64::MIN_POSITIVE.to_le_bytes());
    }

    #[test]
    fn values_that_do_not_fit_the_shape_are_refused() {
        let packed = Packed::<ByteBuf>::Dense { rows: 2, cols: 3, values: ByteBuf::from(vec![0u8; 20]) };
        assert!(postcard::from_bytes::<Holder>(&postcard::to_allocvec(&packed).unwrap()).is_err());
        let indptr: Vec<u8> = [0u64, 2].iter().flat_map(|v| v.to_le_bytes()).collect();
        let indices: Vec<u8> = [0u32, 9].iter().flat_map(|v| v.to_le_bytes()).collect();
        let values: Vec<u8> = [1f32, 2.0].iter().flat_map(|v| v.to_le_bytes()).collect();
        let packed = Packed::<ByteBuf>::Sparse {
            cols: 5,
            indptr: ByteBuf::from(indptr),
            indices: ByteBuf::from(indices),
            values: ByteBuf::from(values),
        };
        assert!(
            postcard::from_bytes::<Holder>(&postcard::to_allocvec(&packed).unwrap()).is_err(),
            "index 9 ≥ 5 columns"
        );
    }
}
