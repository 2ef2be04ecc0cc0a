//! The libtorch models (cargo feature `torch`): `linear` (softmax regression), `mlp`
//! (hidden layers, ReLU, dropout) and `cnn` (a small convolutional net over the image
//! pixels). Trained with AdamW on mini-batches, early stopping on a held-back validation
//! share, on the CPU or a CUDA GPU (bfloat16 autocast there). The weights travel with the
//! model as the VarStore's saved bytes.

mod net;
mod precision;
mod train;

use serde::{Deserialize, Serialize};
use tch::{Device as TchDevice, Kind, Tensor, nn};

use super::device::Device;
use super::{Fit, ModelKind, Probabilities};
use crate::error::{Error, Result};
use crate::features::Matrix;
use crate::progress::Progress;

pub use net::Arch;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TorchModel {
    arch: Arch,
    inputs: usize,
    classes: usize,
    /// The VarStore's variables as `VarStore::save_to_stream` writes them.
    weights: Vec<u8>,
    /// Where it was trained (`cpu` or `cuda`).
    pub device: String,
}

/// The libtorch device for a choice; CUDA asked for but missing is the user's to know.
pub fn resolve(device: Device) -> Result<TchDevice> {
    match device {
        Device::Cpu => Ok(TchDevice::Cpu),
        Device::Auto => Ok(TchDevice::cuda_if_available()),
        Device::Cuda if tch::Cuda::is_available() => Ok(TchDevice::Cuda(0)),
        Device::Cuda => Err(Error::user(
            "--device cuda: libtorch finds no CUDA GPU here (is LD_LIBRARY_PATH pointing at PyTorch's CUDA libraries?); use --device cpu",
        )),
    }
}

pub fn device_name(device: TchDevice) -> String {
    match device {
        TchDevice::Cpu => "cpu".into(),
        TchDevice::Cuda(i) => format!("cuda:{i}"),
        other => format!("{other:?}").to_lowercase(),
    }
}

/// libtorch's random generator (initial weights, dropout) is global to the process, and
/// building a network draws from it: one network is built or trained at a time, so that a
/// seed gives one network.
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    TURN.lock().unwrap_or_else(|e| e.into_inner())
}

fn tch_error(e: tch::TchError) -> Error {
    Error::internal(format!("libtorch: {e}"))
}

/// Dense rows of `x` as a float tensor `[rows, cols]` (sparse rows are filled in).
pub fn to_tensor(x: &Matrix, rows: &[usize]) -> Tensor {
    let cols = x.cols();
    let mut data = vec![0.0f32; rows.len() * cols];
    for (r, &i) in rows.iter().enumerate() {
        x.row(i).for_each(|j, v| data[r * cols + j] = v);
    }
    Tensor::from_slice(&data).view([rows.len() as i64, cols as i64])
}

impl TorchModel {
    pub fn fit(
        kind: ModelKind,
        x: &Matrix,
        y: &[usize],
        classes: usize,
        fit: &Fit,
        progress: &dyn Progress,
    ) -> Result<TorchModel> {
        fit.torch.validate()?;
        let arch = Arch::choose(kind, x.cols(), &fit.torch)?;
        let device = resolve(fit.device)?;
        let weights = train::train(&arch, x, y, classes, device, fit, progress)?;
        Ok(TorchModel { arch, inputs: x.cols(), classes, weights, device: device_name(device) })
    }

    /// Class probabilities of every row, computed on the GPU when there is one.
    pub fn predict_proba(&self, x: &Matrix) -> Result<Probabilities> {
        if x.cols() != self.inputs {
            return Err(Error::internal(format!("the model takes {} features, not {}", self.inputs, x.cols())));
        }
        let device = TchDevice::cuda_if_available();
        let _turn = one_at_a_time();
        let mut vs = nn::VarStore::new(device);
        let net = self.arch.build(&vs.root(), self.inputs, self.classes);
        vs.load_from_stream(std::io::Cursor::new(&self.weights)).map_err(tch_error)?;
        let _no_grad = tch::no_grad_guard();
        let mut out = Vec::with_capacity(x.rows() * self.classes);
        let all: Vec<usize> = (0..x.rows()).collect();
        for batch in all.chunks(1024) {
            let xb = to_tensor(x, batch).to_device(device);
            let probs = nn::ModuleT::forward_t(&net, &xb, false).softmax(-1, Kind::Float).to_device(TchDevice::Cpu);
            let flat: Vec<f32> = Vec::<f32>::try_from(probs.flatten(0, -1)).map_err(tch_error)?;
            out.extend(flat.into_iter().map(f64::from));
        }
        Ok(Probabilities::new(self.classes, out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Silent;

    /// Two classes split by the sign of x0 + x1, with a third feature of noise.
    fn blobs(n: usize) -> (Matrix, Vec<usize>) {
        let (mut data, mut y) = (Vec::new(), Vec::new());
        for i in 0..n {
            let (a, b) = (((i * 37) % 101) as f32 / 50.0 - 1.0, ((i * 53) % 97) as f32 / 48.0 - 1.0);
            data.extend([a, b, ((i * 7) % 11) as f32 / 11.0]);
            y.push(usize::from(a + b > 0.0));
        }
        (Matrix::dense(n, 3, data), y)
    }

    fn accuracy(p: &Probabilities, y: &[usize]) -> f64 {
        y.iter().enumerate().filter(|(i, c)| p.predicted(*i) == **c).count() as f64 / y.len() as f64
    }

    fn fit_for(kind: ModelKind, x: &Matrix, y: &[usize]) -> TorchModel {
        let fit = Fit { seed: 1, device: Device::Cpu, ..Default::default() };
        TorchModel::fit(kind, x, y, 2, &fit, &Silent).unwrap()
    }

    #[test]
    fn linear_and_mlp_learn_a_separable_problem_and_survive_saving() {
        let (x, y) = blobs(400);
        for kind in [ModelKind::Linear, ModelKind::Mlp] {
            let m = fit_for(kind, &x, &y);
            let p = m.predict_proba(&x).unwrap();
            assert!(accuracy(&p, &y) > 0.9, "{}: {}", kind.name(), accuracy(&p, &y));
            let bytes = postcard::to_allocvec(&m).unwrap();
            let back: TorchModel = postcard::from_bytes(&bytes).unwrap();
            assert_eq!(back.predict_proba(&x).unwrap(), p, "{}: the same after a round trip", kind.name());
            assert_eq!(m.device, "cpu");
        }
    }

    /// libtorch's threads may sum in another order, so two runs agree closely, not bit
    /// for bit.
    #[test]
    fn the_same_seed_trains_nearly_the_same_network() {
        let (x, y) = blobs(200);
        let (a, b) = (fit_for(ModelKind::Mlp, &x, &y), fit_for(ModelKind::Mlp, &x, &y));
        let (pa, pb) = (a.predict_proba(&x).unwrap(), b.predict_proba(&x).unwrap());
        for i in 0..x.rows() {
            for (u, v) in pa.row(i).iter().zip(pb.row(i)) {
                assert!((u - v).abs() < 0.02, "row {i}: {u} vs {v}");
            }
        }
    }

    #[test]
    fn cnn_tells_bright_left_from_bright_right() {
        let side = 8;
        let (mut data, mut y) = (Vec::new(), Vec::new());
        for i in 0..200 {
            let right = i % 2 == 1;
            for r in 0..side {
                for c in 0..side {
                    let lit = (c >= side / 2) == right;
                    data.push(if lit { 1.0 } else { 0.0 } + ((i * 31 + r * 7 + c) % 13) as f32 / 40.0);
                }
            }
            y.push(usize::from(right));
        }
        let x = Matrix::dense(200, side * side, data);
        let m = fit_for(ModelKind::Cnn, &x, &y);
        assert!(accuracy(&m.predict_proba(&x).unwrap(), &y) > 0.95);
        let flat = Matrix::dense(2, 10, vec![0.0; 20]);
        let e = TorchModel::fit(ModelKind::Cnn, &flat, &[0, 1], 2, &Fit::default(), &Silent).unwrap_err();
        assert!(e.to_string().contains("pixels"), "{e}");
    }

    #[test]
    fn asking_for_cuda_without_a_gpu_says_so() {
        if !tch::Cuda::is_available() {
            let e = resolve(Device::Cuda).unwrap_err().to_string();
            assert!(e.contains("--device cpu"), "{e}");
            assert_eq!(resolve(Device::Auto).unwrap(), TchDevice::Cpu);
        }
    }
}
