//! Where a model trains: the CPU, a CUDA GPU, or the GPU when there is one. Only the models
//! of the `torch` feature use it; the CPU baselines always run on the CPU.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Device {
    /// CUDA when libtorch finds a GPU, else the CPU.
    #[default]
    Auto,
    Cpu,
    Cuda,
}

impl Device {
    pub const ALL: [Device; 3] = [Device::Auto, Device::Cpu, Device::Cuda];

    pub fn name(self) -> &'static str {
        match self {
            Device::Auto => "auto",
            Device::Cpu => "cpu",
            Device::Cuda => "cuda",
        }
    }

    /// The choices that make sense here: `cuda` only where libtorch sees a GPU.
    pub fn offered() -> &'static [Device] {
        if gpu_present() { &Device::ALL } else { &Device::ALL[..2] }
    }

    pub fn parse(name: &str) -> Result<Device> {
        Device::ALL
            .into_iter()
            .find(|d| d.name() == name)
            .ok_or_else(|| Error::user(format!("unknown device '{name}'; choose auto, cpu or cuda")))
    }
}

/// Whether libtorch sees a CUDA GPU (asked once: the first answer starts CUDA); never
/// without the `torch` feature.
pub fn gpu_present() -> bool {
    #[cfg(feature = "torch")]
    {
        static PRESENT: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        *PRESENT.get_or_init(tch::Cuda::is_available)
    }
    #[cfg(not(feature = "torch"))]
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuda_is_offered_only_where_there_is_a_gpu() {
        assert_eq!(Device::offered()[..2], [Device::Auto, Device::Cpu]);
        assert_eq!(Device::offered().contains(&Device::Cuda), gpu_present());
        if cfg!(not(feature = "torch")) {
            assert!(!gpu_present(), "a build without libtorch has no GPU models");
        }
        assert_eq!(Device::parse("cuda").unwrap(), Device::Cuda);
        assert!(Device::parse("gpu").unwrap_err().to_string().contains("auto, cpu or cuda"));
    }
}
