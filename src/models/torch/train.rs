//! The training loop: shuffled mini-batches, AdamW, bfloat16 autocast on CUDA, a validation
//! share for early stopping (the best epoch's weights are kept), progress per epoch.

use std::time::Instant;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use tch::{Device as TchDevice, Kind, Tensor, nn, nn::ModuleT, nn::OptimizerConfig};

use super::{Arch, precision, tch_error, to_tensor};
use crate::error::{Error, Result};
use crate::features::Matrix;
use crate::models::Fit;
use crate::progress::Progress;

/// Trains the network and returns the best epoch's weights.
pub fn train(
    arch: &Arch,
    x: &Matrix,
    y: &[usize],
    classes: usize,
    device: TchDevice,
    options: &Fit,
    progress: &dyn Progress,
) -> Result<Vec<u8>> {
    let (seed, settings) = (options.seed, &options.torch);
    let _turn = super::one_at_a_time();
    tch::manual_seed(seed as i64);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut order: Vec<usize> = (0..x.rows()).collect();
    order.shuffle(&mut rng);
    let held = if x.rows() >= 20 { (x.rows() as f64 * settings.validation_share).round() as usize } else { 0 };
    let (valid, fit) = order.split_at(held);
    let mut fit = fit.to_vec();
    let vs = nn::VarStore::new(device);
    let net = arch.build(&vs.root(), x.cols(), classes);
    let mut opt =
        nn::AdamW::default().wd(settings.weight_decay).build(&vs, settings.learning_rate).map_err(tch_error)?;
    // Every row on the device once (once an epoch when images are augmented afresh), and
    // each epoch's order too: a batch is a slice of the order and a gather, with no copy
    // from the host and no wait for the device until the epoch's loss is read.
    let all: Vec<usize> = (0..x.rows()).collect();
    let on_device = |rows: &[usize]| Tensor::from_slice(&indices(rows)).to_device(device);
    let y_all = Tensor::from_slice(&indices(y)).to_device(device);
    let mut x_all = to_tensor(x, &all).to_device(device);
    let (x_valid, y_valid) = (to_tensor(x, valid).to_device(device), y_all.index_select(0, &on_device(valid)));
    let cuda = device.is_cuda();
    if cuda {
        precision::cuda_autocast_in_bfloat16();
    }
    let mut best: Option<(f64, Vec<u8>)> = None;
    let mut stale = 0;
    let precision = match precision::cuda_autocast_type() {
        Some(Kind::BFloat16) if cuda => " (bfloat16 autocast)",
        Some(Kind::Half) if cuda => " (float16 autocast)",
        _ => "",
    };
    progress.stage(
        &format!("training {} on {}{precision}", arch_name(arch), super::device_name(device)),
        Some(settings.epochs as u64),
    );
    for epoch in 1..=settings.epochs {
        let start = Instant::now();
        fit.shuffle(&mut rng);
        if let Some(make) = options.per_epoch {
            x_all = to_tensor(&make(epoch)?, &all).to_device(device);
        }
        let order = on_device(&fit);
        let mut total = Tensor::zeros([], (Kind::Float, device));
        for from in (0..fit.len()).step_by(settings.batch_size) {
            let len = settings.batch_size.min(fit.len() - from);
            let rows = order.narrow(0, from as i64, len as i64);
            let (xb, yb) = (x_all.index_select(0, &rows), y_all.index_select(0, &rows));
            let loss =
                tch::autocast(cuda, || net.forward_t(&xb, true).to_kind(Kind::Float).cross_entropy_for_logits(&yb));
            opt.backward_step(&loss);
            total += loss.detach() * len as f64;
        }
        let total = total.double_value(&[]);
        let train_loss = total / fit.len().max(1) as f64;
        let speed = fit.len() as f64 / start.elapsed().as_secs_f64().max(1e-9);
        let (valid_loss, valid_accuracy) = if valid.is_empty() {
            (train_loss, None)
        } else {
            let _no_grad = tch::no_grad_guard();
            let logits = tch::autocast(cuda, || net.forward_t(&x_valid, false).to_kind(Kind::Float));
            let loss = logits.cross_entropy_for_logits(&y_valid).double_value(&[]);
            let right = logits.argmax(-1, false).eq_tensor(&y_valid).to_kind(Kind::Float).mean(Kind::Float);
            (loss, Some(right.double_value(&[])))
        };
        if !train_loss.is_finite() {
            return Err(Error::user(format!(
                "training diverged at epoch {epoch} (loss {train_loss}); lower [torch] learning_rate in kindling.toml"
            )));
        }
        progress.advance(epoch as u64);
        progress.loss(epoch as u64, train_loss);
        progress.epoch(epoch as u64, train_loss, valid_accuracy, speed);
        if best.as_ref().is_none_or(|(b, _)| valid_loss < b - 1e-6) {
            let mut bytes = Vec::new();
            vs.save_to_stream(&mut bytes).map_err(tch_error)?;
            best = Some((valid_loss, bytes));
            stale = 0;
        } else {
            stale += 1;
            if stale >= settings.patience {
                break;
            }
        }
    }
    progress.finish();
    best.map(|(_, bytes)| bytes).ok_or_else(|| Error::internal("no epoch was trained"))
}

fn arch_name(arch: &Arch) -> &'static str {
    match arch {
        Arch::Linear => "softmax regression",
        Arch::Mlp { .. } => "an MLP",
        Arch::Cnn { .. } => "a CNN",
    }
}

/// Row numbers (or classes) as libtorch's indices.
fn indices(values: &[usize]) -> Vec<i64> {
    values.iter().map(|&i| i as i64).collect()
}
