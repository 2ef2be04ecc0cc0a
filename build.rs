//! With the `torch` feature and a libtorch that has CUDA, keep `libtorch_cuda` linked: the
//! binary calls nothing in it by name, so the linker would drop it (`--as-needed`) and
//! `tch::Cuda::is_available()` would then say false on a machine with a GPU.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    println!("cargo:rerun-if-env-changed=LIBTORCH_USE_PYTORCH");
    if std::env::var_os("CARGO_FEATURE_TORCH").is_none() {
        return;
    }
    let Some(lib) = libtorch_lib() else { return };
    if lib.join("libtorch_cuda.so").exists() {
        println!("cargo:rustc-link-search=native={}", lib.display());
        println!("cargo:rustc-link-arg=-Wl,--no-as-needed");
        println!("cargo:rustc-link-arg=-ltorch_cuda");
        // CUDA's own libraries (cuBLAS, cuDNN, …) are found at run time, from the
        // machine's PyTorch; they need not be present where the binary is built.
        println!("cargo:rustc-link-arg=-Wl,--allow-shlib-undefined");
    }
}

/// Where libtorch's libraries are: `$LIBTORCH/lib`, or with `LIBTORCH_USE_PYTORCH` the
/// installed PyTorch's.
fn libtorch_lib() -> Option<PathBuf> {
    if let Some(root) = std::env::var_os("LIBTORCH") {
        return Some(PathBuf::from(root).join("lib"));
    }
    std::env::var_os("LIBTORCH_USE_PYTORCH")?;
    let python = std::env::var("PYTHON_SYS_EXECUTABLE").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(python)
        .args(["-c", "import torch, os; print(os.path.join(os.path.dirname(torch.__file__), 'lib'))"])
        .output()
        .ok()?;
    out.status.success().then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}
