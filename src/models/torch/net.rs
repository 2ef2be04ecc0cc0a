//! The networks: their shape is kept with the model so the weights can be loaded again.

use serde::{Deserialize, Serialize};
use tch::nn;

use super::super::ModelKind;
use super::super::torch_settings::TorchSettings;
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Arch {
    Linear,
    Mlp {
        hidden: Vec<usize>,
        dropout: f64,
    },
    /// Over `channels` × `side` × `side` pixels.
    Cnn {
        channels: usize,
        side: usize,
        dropout: f64,
    },
}

impl Arch {
    pub fn choose(kind: ModelKind, inputs: usize, settings: &TorchSettings) -> Result<Arch> {
        Ok(match kind {
            ModelKind::Linear => Arch::Linear,
            ModelKind::Mlp => Arch::Mlp { hidden: settings.hidden.clone(), dropout: settings.dropout },
            ModelKind::Cnn => {
                let (channels, side) = image_shape(inputs).ok_or_else(|| {
                    Error::user("cnn reads image pixels: use it on an image project with --features pixels")
                })?;
                Arch::Cnn { channels, side, dropout: settings.dropout }
            }
            other => return Err(Error::internal(format!("{} is not a libtorch model", other.name()))),
        })
    }

    pub fn build(&self, root: &nn::Path, inputs: usize, classes: usize) -> nn::SequentialT {
        let (inputs, classes) = (inputs as i64, classes as i64);
        match self {
            Arch::Linear => nn::seq_t().add(nn::linear(root / "out", inputs, classes, Default::default())),
            Arch::Mlp { hidden, dropout } => {
                let mut net = nn::seq_t();
                let mut width = inputs;
                for (i, &h) in hidden.iter().enumerate() {
                    let p = *dropout;
                    net = net
                        .add(nn::linear(root / format!("hidden{i}"), width, h as i64, Default::default()))
                        .add_fn(|x| x.relu())
                        .add_fn_t(move |x, train| x.dropout(p, train));
                    width = h as i64;
                }
                net.add(nn::linear(root / "out", width, classes, Default::default()))
            }
            Arch::Cnn { channels, side, dropout } => {
                let (c, s, p) = (*channels as i64, *side as i64, *dropout);
                let conv = |name: &str, from: i64, to: i64| {
                    nn::conv2d(root / name, from, to, 3, nn::ConvConfig { padding: 1, ..Default::default() })
                };
                let flat = 64 * (s / 4) * (s / 4);
                nn::seq_t()
                    .add_fn(move |x| x.view([-1, c, s, s]))
                    .add(conv("conv1", c, 32))
                    .add_fn(|x| x.relu().max_pool2d_default(2))
                    .add(conv("conv2", 32, 64))
                    .add_fn(|x| x.relu().max_pool2d_default(2))
                    .add_fn(|x| x.flatten(1, -1))
                    .add(nn::linear(root / "dense", flat, 128, Default::default()))
                    .add_fn(|x| x.relu())
                    .add_fn_t(move |x, train| x.dropout(p, train))
                    .add(nn::linear(root / "out", 128, classes, Default::default()))
            }
        }
    }
}

/// (channels, side) of square grey or RGB pixels of at least 4 × 4, from the row width.
fn image_shape(inputs: usize) -> Option<(usize, usize)> {
    let side = |n: usize| {
        let s = (n as f64).sqrt().round() as usize;
        (s * s == n && s >= 4).then_some(s)
    };
    side(inputs)
        .map(|s| (1, s))
        .or_else(|| inputs.is_multiple_of(3).then(|| side(inputs / 3)).flatten().map(|s| (3, s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixel_rows_give_their_image_shape() {
        assert_eq!(image_shape(32 * 32), Some((1, 32)));
        assert_eq!(image_shape(3 * 16 * 16), Some((3, 16)));
        assert_eq!(image_shape(10), None);
        assert_eq!(image_shape(3 * 7), None);
    }
}
