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

    pub fn parse(name: &str) -> Result<Device> {
        Device::ALL
            .into_iter()
            .find(|d| d.name() == name)
            .ok_or_else(|| Error::user(format!("unknown device '{name}'; choose auto, cpu or cuda")))
    }
}
