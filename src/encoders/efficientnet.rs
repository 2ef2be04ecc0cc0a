//! EfficientNet-Lite as timm keeps it (`tf_efficientnet_lite0` … `lite4`, and the
//! `efficientnet_lite*` ports): the stem, stages of depthwise-separable and inverted-residual
//! blocks with ReLU6 and no squeeze-excitation, the 1×1 head, global average pooling. The
//! block layout is read from the tensors' names and shapes; batch norms are folded into
//! the convolutions when loading. Images run channels-last, one per core.

use rayon::prelude::*;

use super::linalg::Linear;
use super::tensors::Tensors;
use crate::error::{Error, Result};

/// Strides of EfficientNet's seven stages (the same for every width and depth).
const STAGE_STRIDES: [usize; 7] = [1, 2, 2, 2, 1, 2, 1];

/// A convolution with its batch norm folded in.
struct Conv {
    /// `[out, in · k · k]` for a full convolution, `[k, k, channels]` for a depthwise one.
    weight: Vec<f32>,
    bias: Vec<f32>,
    inputs: usize,
    outputs: usize,
    kernel: usize,
    stride: usize,
}

enum Block {
    /// Depthwise k×k, then a 1×1 projection (no activation after it).
    Separable { dw: Conv, pw: Linear, skip: bool },
    /// 1×1 expansion, depthwise k×k, 1×1 projection.
    Inverted { expand: Linear, dw: Conv, project: Linear, skip: bool },
}

pub struct EfficientNet {
    stem: Conv,
    /// The stem as a dense layer over im2col patches.
    stem_layer: Linear,
    blocks: Vec<Block>,
    head: Linear,
    pub classifier: Option<Linear>,
    /// TensorFlow's "same" padding (the `tf_` ports), else symmetric.
    same_padding: bool,
    pub features: usize,
    /// The number of blocks up to the end of each stage.
    stage_ends: Vec<usize>,
}

/// A feature map, channels last: `size × size` cells of `channels` values.
pub struct FeatureMap {
    pub values: Vec<f32>,
    pub size: usize,
    pub channels: usize,
}

/// The scale and shift a batch norm `name` applies per channel.
fn batch_norm(t: &Tensors, name: &str, channels: usize, eps: f32) -> Result<(Vec<f32>, Vec<f32>)> {
    let gamma = t.vector(&format!("{name}.weight"), channels)?;
    let beta = t.vector(&format!("{name}.bias"), channels)?;
    let mean = t.vector(&format!("{name}.running_mean"), channels)?;
    let var = t.vector(&format!("{name}.running_var"), channels)?;
    let scale: Vec<f32> = gamma.iter().zip(&var).map(|(g, v)| g / (v + eps).sqrt()).collect();
    let shift = beta.iter().zip(&mean).zip(&scale).map(|((b, m), s)| b - m * s).collect();
    Ok((scale, shift))
}

/// The shape of convolution weight `name`, refused unless it has four dimensions.
fn shape(t: &Tensors, name: &str) -> Result<Vec<usize>> {
    let s = t.shape(name)?;
    if s.len() != 4 && !name.starts_with("classifier") {
        return Err(Error::file(
            t.path(),
            format!("tensor {name} has shape {s:?}; a convolution weight has four dimensions"),
        ));
    }
    if name.starts_with("classifier") && s.len() != 2 {
        return Err(Error::file(t.path(), format!("tensor {name} has shape {s:?}; [classes, features] expected")));
    }
    Ok(s)
}

/// A 1×1 convolution `name` with batch norm `bn`, as a dense layer.
fn pointwise(t: &Tensors, name: &str, bn: &str, eps: f32) -> Result<Linear> {
    let s = shape(t, &format!("{name}.weight"))?;
    let (outputs, inputs) = (s[0], s[1]);
    let mut weight = t.get(&format!("{name}.weight"), &[outputs, inputs, 1, 1])?;
    let (scale, shift) = batch_norm(t, bn, outputs, eps)?;
    weight.chunks_mut(inputs).zip(&scale).for_each(|(row, s)| row.iter_mut().for_each(|w| *w *= s));
    Ok(Linear::new(weight, Some(shift), inputs, outputs))
}

fn depthwise(t: &Tensors, name: &str, bn: &str, stride: usize, eps: f32) -> Result<Conv> {
    let s = shape(t, &format!("{name}.weight"))?;
    let (channels, k) = (s[0], s[2]);
    let w = t.get(&format!("{name}.weight"), &[channels, 1, k, k])?;
    let (scale, shift) = batch_norm(t, bn, channels, eps)?;
    // Channels last: [ky, kx, c].
    let mut weight = vec![0.0f32; k * k * channels];
    for c in 0..channels {
        for i in 0..k * k {
            weight[i * channels + c] = w[c * k * k + i] * scale[c];
        }
    }
    Ok(Conv { weight, bias: shift, inputs: channels, outputs: channels, kernel: k, stride })
}

impl EfficientNet {
    pub fn load(t: &Tensors, same_padding: bool, eps: f32) -> Result<EfficientNet> {
        if t.has("blocks.1.0.se.conv_reduce.weight") {
            return Err(Error::file(
                t.path(),
                "holds an EfficientNet with squeeze-excitation; Kindling runs EfficientNet-Lite (tf_efficientnet_lite0 \
                 … lite4)",
            ));
        }
        let s = shape(t, "conv_stem.weight")?;
        let (stem_out, k) = (s[0], s[2]);
        let mut stem_w = t.get("conv_stem.weight", &[stem_out, 3, k, k])?;
        let (scale, shift) = batch_norm(t, "bn1", stem_out, eps)?;
        stem_w.chunks_mut(3 * k * k).zip(&scale).for_each(|(row, s)| row.iter_mut().for_each(|w| *w *= s));
        let stem = Conv { weight: stem_w, bias: shift, inputs: 3, outputs: stem_out, kernel: k, stride: 2 };
        let mut blocks = Vec::new();
        let mut stage_ends = Vec::new();
        let mut channels = stem_out;
        for (stage, &stride) in STAGE_STRIDES.iter().enumerate() {
            let mut i = 0;
            while t.has(&format!("blocks.{stage}.{i}.conv_dw.weight")) {
                let p = format!("blocks.{stage}.{i}");
                let stride = if i == 0 { stride } else { 1 };
                let block = if t.has(&format!("{p}.conv_pwl.weight")) {
                    let expand = pointwise(t, &format!("{p}.conv_pw"), &format!("{p}.bn1"), eps)?;
                    let dw = depthwise(t, &format!("{p}.conv_dw"), &format!("{p}.bn2"), stride, eps)?;
                    let project = pointwise(t, &format!("{p}.conv_pwl"), &format!("{p}.bn3"), eps)?;
                    let skip = stride == 1 && expand.inputs == project.outputs;
                    let out = project.outputs;
                    let block = Block::Inverted { expand, dw, project, skip };
                    channels = out;
                    block
                } else {
                    let dw = depthwise(t, &format!("{p}.conv_dw"), &format!("{p}.bn1"), stride, eps)?;
                    let pw = pointwise(t, &format!("{p}.conv_pw"), &format!("{p}.bn2"), eps)?;
                    let skip = stride == 1 && dw.inputs == pw.outputs;
                    channels = pw.outputs;
                    Block::Separable { dw, pw, skip }
                };
                blocks.push(block);
                i += 1;
            }
            if i == 0 {
                return Err(Error::file(
                    t.path(),
                    format!("has no blocks.{stage}.0: not an EfficientNet-Lite snapshot"),
                ));
            }
            stage_ends.push(blocks.len());
        }
        let head = pointwise(t, "conv_head", "bn2", eps)?;
        if head.inputs != channels {
            return Err(Error::file(
                t.path(),
                format!("conv_head takes {} channels, the blocks give {channels}", head.inputs),
            ));
        }
        let classifier = if t.has("classifier.weight") {
            let s = shape(t, "classifier.weight")?;
            Some(Linear::new(
                t.get("classifier.weight", &[s[0], head.outputs])?,
                Some(t.vector("classifier.bias", s[0])?),
                head.outputs,
                s[0],
            ))
        } else {
            None
        };
        let stem_layer = Linear::new(stem.weight.clone(), Some(stem.bias.clone()), 3 * k * k, stem.outputs);
        Ok(EfficientNet {
            features: head.outputs,
            stem,
            stem_layer,
            blocks,
            head,
            classifier,
            same_padding,
            stage_ends,
        })
    }

    /// Padding before the first row/column and the output size for `size` inputs.
    fn padding(&self, size: usize, kernel: usize, stride: usize) -> (usize, usize) {
        let out = size.div_ceil(stride);
        if self.same_padding {
            let total = ((out - 1) * stride + kernel).saturating_sub(size);
            (total / 2, out)
        } else {
            let pad = (kernel - 1) / 2;
            (pad, (size + 2 * pad - kernel) / stride + 1)
        }
    }

    /// The pooled features of each image (`3 × side × side` values, channels first, as
    /// normalized for the model).
    pub fn forward(&self, images: &[Vec<f32>], side: usize) -> Vec<Vec<f32>> {
        images.par_iter().map(|img| self.one(img, side)).collect()
    }

    fn one(&self, img: &[f32], side: usize) -> Vec<f32> {
        let (mut x, mut size) = self.stem(img, side);
        for block in &self.blocks {
            (x, size) = self.block(block, x, size);
        }
        let mut y = self.head.forward(&x, size * size);
        relu6(&mut y);
        let mut pooled = vec![0.0f32; self.features];
        y.chunks(self.features).for_each(|p| pooled.iter_mut().zip(p).for_each(|(a, v)| *a += v));
        let n = (size * size) as f32;
        pooled.iter_mut().for_each(|v| *v /= n);
        pooled
    }

    /// The channels of the maps `feature_maps` gives.
    pub fn map_channels(&self) -> [usize; 3] {
        let out = |end: usize| match &self.blocks[end - 1] {
            Block::Separable { pw, .. } => pw.outputs,
            Block::Inverted { project, .. } => project.outputs,
        };
        [out(self.stage_ends[2]), out(self.stage_ends[4]), out(self.stage_ends[6])]
    }

    /// The maps after the third stage (stride 8), the fifth (stride 16) and the last block
    /// (stride 32) of one image: what a detector's head reads, finest first.
    pub fn feature_maps(&self, img: &[f32], side: usize) -> [FeatureMap; 3] {
        let (mut x, mut size) = self.stem(img, side);
        let ends = [self.stage_ends[2], self.stage_ends[4]];
        let mut kept = Vec::with_capacity(3);
        for (i, block) in self.blocks.iter().enumerate() {
            (x, size) = self.block(block, x, size);
            if ends.contains(&(i + 1)) {
                kept.push(FeatureMap { channels: x.len() / (size * size), values: x.clone(), size });
            }
        }
        kept.push(FeatureMap { channels: x.len() / (size * size), values: x, size });
        kept.try_into().unwrap_or_else(|_| unreachable!("EfficientNet has seven stages"))
    }

    /// The stem convolution by im2col and one product: channels-last out.
    fn stem(&self, img: &[f32], side: usize) -> (Vec<f32>, usize) {
        let c = &self.stem;
        let k = c.kernel;
        let (pad, out) = self.padding(side, k, c.stride);
        let plane = side * side;
        let width = 3 * k * k;
        let mut patches = vec![0.0f32; out * out * width];
        for oy in 0..out {
            for ox in 0..out {
                let patch = &mut patches[(oy * out + ox) * width..][..width];
                for ch in 0..3 {
                    for ky in 0..k {
                        let iy = (oy * c.stride + ky) as isize - pad as isize;
                        for kx in 0..k {
                            let ix = (ox * c.stride + kx) as isize - pad as isize;
                            if iy >= 0 && ix >= 0 && (iy as usize) < side && (ix as usize) < side {
                                patch[(ch * k + ky) * k + kx] = img[ch * plane + iy as usize * side + ix as usize];
                            }
                        }
                    }
                }
            }
        }
        let mut y = self.stem_layer.forward(&patches, out * out);
        relu6(&mut y);
        (y, out)
    }

    fn block(&self, block: &Block, x: Vec<f32>, size: usize) -> (Vec<f32>, usize) {
        // The 1×1 expansion (inverted residuals only), the depthwise convolution, the 1×1
        // projection; the input added back where the shape stays.
        let (expand, dw, project, skip) = match block {
            Block::Separable { dw, pw, skip } => (None, dw, pw, *skip),
            Block::Inverted { expand, dw, project, skip } => (Some(expand), dw, project, *skip),
        };
        let expanded = expand.map(|e| {
            let mut e = e.forward(&x, size * size);
            relu6(&mut e);
            e
        });
        let (mut h, out) = self.depthwise(dw, expanded.as_deref().unwrap_or(&x), size);
        relu6(&mut h);
        let mut y = project.forward(&h, out * out);
        if skip {
            y.iter_mut().zip(&x).for_each(|(y, x)| *y += x);
        }
        (y, out)
    }

    /// A depthwise convolution, channels-last in and out.
    fn depthwise(&self, c: &Conv, x: &[f32], size: usize) -> (Vec<f32>, usize) {
        let (k, ch) = (c.kernel, c.inputs);
        let (pad, out) = self.padding(size, k, c.stride);
        let mut y = vec![0.0f32; out * out * ch];
        for oy in 0..out {
            for ox in 0..out {
                let acc = &mut y[(oy * out + ox) * ch..][..ch];
                acc.copy_from_slice(&c.bias);
                for ky in 0..k {
                    let iy = (oy * c.stride + ky) as isize - pad as isize;
                    if iy < 0 || iy as usize >= size {
                        continue;
                    }
                    for kx in 0..k {
                        let ix = (ox * c.stride + kx) as isize - pad as isize;
                        if ix < 0 || ix as usize >= size {
                            continue;
                        }
                        let input = &x[(iy as usize * size + ix as usize) * ch..][..ch];
                        let w = &c.weight[(ky * k + kx) * ch..][..ch];
                        for ((a, i), w) in acc.iter_mut().zip(input).zip(w) {
                            *a += i * w;
                        }
                    }
                }
            }
        }
        debug_assert_eq!(c.outputs, ch);
        (y, out)
    }
}

fn relu6(x: &mut [f32]) {
    x.iter_mut().for_each(|v| *v = v.clamp(0.0, 6.0));
}
