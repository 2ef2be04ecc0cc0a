//! Launching `kindling train` (or `kindling sweep`) from the workbench as a detached process in its own session:
//! closing the workbench or losing the SSH connection does not stop it, and it writes its
//! run directory like any CLI run. A thread waits for it only to say how it ended.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use kindling::models::{Device, ModelKind};

/// How the Train pane names a pre-trained encoder among the features.
pub const ENCODER_PREFIX: &str = "encoder ";

/// What `kindling train` is launched with.
#[derive(Debug, Clone, PartialEq)]
pub struct Launch {
    /// `None`: a sweep of every CPU baseline (`kindling sweep`).
    pub model: Option<ModelKind>,
    /// `auto`, a featurizer, or `encoder NAME` (ENCODER_PREFIX).
    pub features: String,
    pub folds: Option<usize>,
    pub seed: u64,
    /// Apply the project's augmentations.
    pub augment: bool,
    pub device: Device,
    /// A detection project: `train --model detector` (on `--encoder NAME` when one is chosen).
    pub detector: bool,
}

/// A sweep cross-validates every run; with no folds chosen it takes this many.
const SWEEP_FOLDS: usize = 5;

impl Launch {
    /// The detector on the project's encoder, its augmentations on (the labeller's refit).
    pub fn detector() -> Launch {
        Launch {
            model: None,
            features: "auto".into(),
            folds: None,
            seed: 0,
            augment: true,
            device: Device::Auto,
            detector: true,
        }
    }

    /// `train` or `sweep`.
    pub fn command(&self) -> &'static str {
        if self.model.is_some() || self.detector { "train" } else { "sweep" }
    }

    /// The arguments after `kindling COMMAND DIR`.
    /// The features as flags: `--features F`, or `--encoder NAME` for a pre-trained encoder.
    fn feature_args(&self) -> [String; 2] {
        match self.features.strip_prefix(ENCODER_PREFIX) {
            Some(name) => ["--encoder".into(), name.into()],
            None => ["--features".into(), self.features.clone()],
        }
    }

    pub fn args(&self) -> Vec<String> {
        if self.detector {
            let mut args = vec!["--model".into(), "detector".into(), "--seed".into(), self.seed.to_string()];
            if self.features.starts_with(ENCODER_PREFIX) {
                args.extend(self.feature_args());
            }
            if !self.augment {
                args.push("--no-augment".into());
            }
            return args;
        }
        let Some(model) = self.model else {
            let folds = self.folds.unwrap_or(SWEEP_FOLDS).to_string();
            let mut args = self.feature_args().to_vec();
            args.extend(["--folds".into(), folds, "--seed".into(), self.seed.to_string()]);
            return args;
        };
        let mut args = vec!["--model".into(), model.name().into()];
        args.extend(self.feature_args());
        args.extend(["--seed".into(), self.seed.to_string()]);
        if let Some(k) = self.folds {
            args.extend(["--folds".into(), k.to_string()]);
        }
        if !self.augment {
            args.push("--no-augment".into());
        }
        if self.device != Device::Auto {
            args.extend(["--device".into(), self.device.name().into()]);
        }
        args
    }
}

/// Starts the run; its standard error goes to a log in the cache, shown if it fails before
/// its run directory could say why. `ended` is told whether the run succeeded and its last
/// error line, once it has ended (or at once, when it could not start).
pub fn start(root: &Path, cache: &Path, launch: &Launch, ended: impl FnOnce(bool, String) + Send + 'static) {
    let (mut child, log_path) = match spawn(root, cache, launch) {
        Ok(started) => started,
        Err(e) => return ended(false, format!("cannot launch kindling {}: {e}", launch.command())),
    };
    // A plain thread: the workbench must not wait for the run when it quits.
    std::thread::spawn(move || {
        let ok = child.wait().is_ok_and(|s| s.success());
        let mut text = String::new();
        let _ = std::fs::File::open(&log_path).and_then(|mut f| f.read_to_string(&mut text));
        let why = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim().to_string();
        if ok || why.is_empty() {
            let _ = std::fs::remove_file(&log_path);
        }
        ended(ok, why);
    });
}

fn spawn(root: &Path, cache: &Path, launch: &Launch) -> std::io::Result<(Child, PathBuf)> {
    let exe = std::env::current_exe()?;
    std::fs::create_dir_all(cache)?;
    let log_path = cache.join(format!("train-{}.log", kindling::runs::clock::compact(kindling::runs::clock::now())));
    let log = std::fs::File::create(&log_path)?;
    let mut command = Command::new(exe);
    command.arg(launch.command()).arg(root).args(launch.args());
    command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(log);
    // SAFETY: between fork and exec the child only calls setsid, which is async-signal-safe
    // and touches no memory of the parent.
    unsafe {
        command.pre_exec(|| if libc::setsid() == -1 { Err(std::io::Error::last_os_error()) } else { Ok(()) });
    }
    Ok((command.spawn()?, log_path))
}
