//! The weights of a snapshot: a `model.safetensors` file, mapped into memory and read a
//! tensor at a time into `f32` (stored as f32, f16 or bf16). Every refusal names the file
//! and the tensor.

use std::path::{Path, PathBuf};

use safetensors::tensor::Metadata;
use safetensors::{Dtype, SafeTensors};

use crate::error::{Error, Result};

pub struct Tensors {
    path: PathBuf,
    map: memmap2::Mmap,
    /// The header, read once: where each tensor lies after it (from `data_start`).
    metadata: Metadata,
    data_start: usize,
    /// Tried before a name that is missing as given (`bert.` in some BERT snapshots).
    prefix: String,
}

impl Tensors {
    pub fn open(path: &Path) -> Result<Tensors> {
        let file = std::fs::File::open(path).map_err(|e| Error::file(path, e))?;
        // SAFETY: the file is only read; a snapshot changed while it is read gives wrong
        // numbers, not undefined behaviour in safe code that copies out of the map.
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::file(path, e))?;
        let unreadable =
            |e| Error::file(path, format!("is not a readable safetensors file ({e}); download the snapshot again"));
        // Checks every tensor's bounds against the file (a cut-short download fails here).
        SafeTensors::deserialize(&map).map_err(unreadable)?;
        let (header, metadata) = SafeTensors::read_metadata(&map).map_err(unreadable)?;
        Ok(Tensors { path: path.to_path_buf(), map, metadata, data_start: 8 + header, prefix: String::new() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The names of every tensor.
    pub fn names(&self) -> Vec<String> {
        self.metadata.tensors().into_keys().collect()
    }

    /// Looks names up under `prefix` first when they are not there as given.
    pub fn with_prefix(mut self, prefix: &str) -> Tensors {
        self.prefix = prefix.to_string();
        self
    }

    pub fn has(&self, name: &str) -> bool {
        self.resolve(name).is_some()
    }

    fn resolve(&self, name: &str) -> Option<String> {
        let prefixed = format!("{}{name}", self.prefix);
        [name.to_string(), prefixed].into_iter().find(|n| self.metadata.info(n).is_some())
    }

    /// The shape of tensor `name`.
    pub fn shape(&self, name: &str) -> Result<Vec<usize>> {
        let found = self.resolve(name).ok_or_else(|| {
            Error::file(&self.path, format!("has no tensor {name}: the snapshot is incomplete or of another model"))
        })?;
        Ok(self.metadata.info(&found).map(|t| t.shape.clone()).unwrap_or_default())
    }

    /// The tensor `name` as f32 values, refused unless its shape is `shape`.
    pub fn get(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>> {
        let Some(found) = self.resolve(name) else {
            return Err(Error::file(
                &self.path,
                format!(
                    "has no tensor {name}: it is not a snapshot of the architecture its config.json names (or it \
                     is cut short); download the snapshot again"
                ),
            ));
        };
        let Some(t) = self.metadata.info(&found) else { return Err(Error::internal("a tensor went missing")) };
        if t.shape != shape {
            return Err(Error::file(
                &self.path,
                format!(
                    "tensor {found} has shape {:?} where config.json means {shape:?}: the weights and config.json \
                     are of different models",
                    t.shape
                ),
            ));
        }
        let data = &self.map[self.data_start + t.data_offsets.0..self.data_start + t.data_offsets.1];
        let values: Vec<f32> = match t.dtype {
            Dtype::F32 => data.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect(),
            Dtype::F16 => data.chunks_exact(2).map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32()).collect(),
            Dtype::BF16 => data.chunks_exact(2).map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32()).collect(),
            other => {
                return Err(Error::file(
                    &self.path,
                    format!("tensor {found} holds {other:?} values; f32, f16 or bf16 expected"),
                ));
            }
        };
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(Error::file(&self.path, format!("tensor {found} holds {} at value {i}", values[i])));
        }
        Ok(values)
    }

    /// A vector of `len` values.
    pub fn vector(&self, name: &str, len: usize) -> Result<Vec<f32>> {
        self.get(name, &[len])
    }
}

/// Writes `tensors` (name, shape, values) as a safetensors file: the tests' tiny models.
pub fn write(path: &Path, tensors: &[(String, Vec<usize>, Vec<f32>)]) -> Result<()> {
    let bytes: Vec<Vec<u8>> =
        tensors.iter().map(|(_, _, v)| v.iter().flat_map(|x| x.to_le_bytes()).collect()).collect();
    let views = tensors
        .iter()
        .zip(&bytes)
        .map(|((name, shape, _), b)| {
            safetensors::tensor::TensorView::new(Dtype::F32, shape.clone(), b)
                .map(|v| (name.clone(), v))
                .map_err(|e| Error::internal(format!("tensor {name}: {e}")))
        })
        .collect::<Result<Vec<_>>>()?;
    let data = safetensors::serialize(views, None).map_err(|e| Error::internal(e.to_string()))?;
    crate::atomic::write_whole(path, &data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tensors_are_read_by_name_and_shape_and_refusals_name_the_tensor() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.safetensors");
        write(&path, &[("bert.a.weight".into(), vec![2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0])]).unwrap();
        let t = Tensors::open(&path).unwrap().with_prefix("bert.");
        assert_eq!(t.get("a.weight", &[2, 3]).unwrap(), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let e = t.get("a.weight", &[3, 2]).unwrap_err().to_string();
        assert!(e.contains("model.safetensors") && e.contains("bert.a.weight") && e.contains("[2, 3]"), "{e}");
        let e = t.get("b.bias", &[2]).unwrap_err().to_string();
        assert!(e.contains("no tensor b.bias"), "{e}");
        std::fs::write(&path, b"\x10\x00\x00\x00\x00\x00\x00\x00{not json").unwrap();
        let e = Tensors::open(&path).err().unwrap().to_string();
        assert!(e.contains("model.safetensors") && e.contains("download the snapshot again"), "{e}");
    }
}
