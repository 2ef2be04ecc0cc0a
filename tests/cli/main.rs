//! Runs the real `kindling` binary on data each test generates for itself.

mod bad_input;
mod boxes;
mod classes;
mod conventions;
mod data;
mod demo;
mod download;
mod drift;
mod durability;
mod embed;
mod encoders;
mod init;
mod labels;
mod live;
mod qa;
mod report;
mod serve;
mod train;
mod tui;

use std::path::Path;
use std::process::{Command, Output};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn kindling(args: &[&str]) -> Run {
    kindling_in(Path::new("."), args)
}

/// Where the binaries the tests run keep encoders and their vectors (never the user's own
/// cache), and no encoder is ever fetched.
pub fn test_cache() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("kindling-cli-tests-{}", std::process::id()))
}

pub fn kindling_in(cwd: &Path, args: &[&str]) -> Run {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_kindling"))
        .args(args)
        .current_dir(cwd)
        .env("KINDLING_CACHE_DIR", test_cache())
        .env("KINDLING_OFFLINE", "1")
        .output()
        .unwrap();
    Run::of(out)
}

impl Run {
    pub fn of(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// Runs with `input` on standard input; insists on success, returns stdout.
pub fn with_input(args: &[&str], input: &str) -> String {
    let r = piped(args, input);
    assert_eq!(r.code, 0, "kindling {args:?} failed: {}", r.stderr);
    r.stdout
}

/// Runs with `input` on standard input; insists on a user error (status 2), returns stderr.
pub fn with_input_error(args: &[&str], input: &str) -> String {
    let r = piped(args, input);
    assert_eq!(r.code, 2, "kindling {args:?} should fail with status 2: {}", r.stderr);
    r.stderr
}

fn piped(args: &[&str], input: &str) -> Run {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_kindling"))
        .args(args)
        .env("KINDLING_CACHE_DIR", test_cache())
        .env("KINDLING_OFFLINE", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    Run::of(child.wait_with_output().unwrap())
}

/// Runs and insists on success, returning stdout.
pub fn ok(args: &[&str]) -> String {
    let r = kindling(args);
    assert_eq!(r.code, 0, "kindling {args:?} failed: {}", r.stderr);
    r.stdout
}

pub fn json(args: &[&str]) -> serde_json::Value {
    let out = ok(args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

/// Runs, insists on exit status 2 with one line on stderr and no panic, returns that line.
pub fn user_error(args: &[&str]) -> String {
    let r = kindling(args);
    assert_eq!(r.code, 2, "kindling {args:?} should fail with status 2; stdout {} stderr {}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("panicked") && !r.stderr.contains("internal error"), "{}", r.stderr);
    assert_eq!(r.stderr.trim_end().lines().count(), 1, "one line expected: {}", r.stderr);
    r.stderr.trim_end().to_string()
}

/// A 20,000-row table project in `dir`: enough rows for a cross-validated forest to train
/// far longer than a test that interrupts it waits.
pub fn slow_forest_project(dir: &Path) -> std::path::PathBuf {
    let mut csv = String::from("id,a,b,c,label\n");
    for i in 0..20_000 {
        csv += &format!("r{i},{},{},{},{}\n", i % 97, (i * 7) % 13, (i * 31) % 101, ["x", "y"][i % 2]);
    }
    std::fs::write(dir.join("t.csv"), csv).unwrap();
    let proj = dir.join("p");
    ok(&["init", p(&proj), "--source", p(&dir.join("t.csv")), "--label-column", "label"]);
    proj
}

pub fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Saves `forward` as a TorchScript module at `path`, traced on `example`.
#[cfg(feature = "torch")]
pub fn save_traced(path: &Path, example: tch::Tensor, forward: impl Fn(&tch::Tensor) -> tch::Tensor) {
    let module =
        tch::CModule::create_by_tracing("Traced", "forward", &[example], &mut |x| vec![forward(&x[0])]).unwrap();
    module.save(path).unwrap();
}

/// A TorchScript module giving each image's mean red, green and blue.
#[cfg(feature = "torch")]
pub fn colour_means_module(path: &Path) {
    let example = tch::Tensor::zeros([1, 3, 4, 4], (tch::Kind::Float, tch::Device::Cpu));
    save_traced(path, example, |x| x.mean_dim([2i64, 3].as_slice(), false, tch::Kind::Float));
}
