//! Launching `kindling train` (or `kindling sweep`) from the workbench as a detached process in its own session:
//! closing the workbench or losing the SSH connection does not stop it, and it writes its
//! run directory like any CLI run. A thread waits for it only to say how it ended.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};

use tokio::sync::mpsc::UnboundedSender;

use super::job::Msg;
use super::train::Launch;

/// Starts the run; its standard error goes to a log in the cache, shown if it fails before
/// its run directory could say why.
pub fn start(root: &Path, cache: &Path, launch: &Launch, tx: UnboundedSender<Msg>) {
    if let Err(e) = try_start(root, cache, launch, tx.clone()) {
        let _ = tx.send(Msg::Exited { ok: false, why: format!("cannot launch kindling {}: {e}", launch.command()) });
    }
}

fn try_start(root: &Path, cache: &Path, launch: &Launch, tx: UnboundedSender<Msg>) -> std::io::Result<()> {
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
    let mut child = command.spawn()?;
    // A plain thread: the workbench must not wait for the run when it quits.
    std::thread::spawn(move || {
        let ok = child.wait().is_ok_and(|s| s.success());
        let mut text = String::new();
        let _ = std::fs::File::open(&log_path).and_then(|mut f| f.read_to_string(&mut text));
        let why = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim().to_string();
        if ok || why.is_empty() {
            let _ = std::fs::remove_file(&log_path);
        }
        let _ = tx.send(Msg::Exited { ok, why });
    });
    Ok(())
}
