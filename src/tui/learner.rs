//! The live model's learner: each refit runs as a child process (`kindling live DIR --json`)
//! at low priority. The workbench keeps the CPU it needs for keys and frames (the learner
//! gets what is left), and a learner that crashes — a panic, the out-of-memory killer — ends
//! its own process and comes back as a message on the status bar, never as a workbench that
//! is gone or a terminal left raw. Labels live in the store, so a crash loses none.

use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use kindling::live::Refit;

/// The learner's niceness: well below the workbench, above nothing the user started.
const NICENESS: libc::c_int = 10;

/// Refits the live model of the project at `root` in a child process.
pub fn refit(root: &Path) -> Result<Refit, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the kindling binary: {e}"))?;
    let mut command = Command::new(exe);
    command.arg("live").arg(root).arg("--json");
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    // SAFETY: between fork and exec the child only calls setpriority, a system call that is
    // async-signal-safe and touches no memory of the parent. Threads the child starts later
    // inherit its niceness.
    unsafe {
        command.pre_exec(|| {
            libc::setpriority(libc::PRIO_PROCESS as _, 0, NICENESS);
            Ok(())
        });
    }
    let output = command.output().map_err(|e| format!("cannot start the learner: {e}"))?;
    outcome(&output)
}

/// What the learner's exit says: its refit, the error it gave, or how it died.
fn outcome(output: &Output) -> Result<Refit, String> {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let said = stderr.lines().rev().find(|l| !l.trim().is_empty()).map(|l| l.trim().trim_start_matches("kindling: "));
    if output.status.success() {
        return serde_json::from_slice(&output.stdout).map_err(|e| format!("the learner's answer is unreadable: {e}"));
    }
    if let Some(signal) = output.status.signal() {
        return Err(format!("the learner was killed (signal {signal}); no label is lost, the next labels refit it"));
    }
    match (output.status.code(), said) {
        (Some(101), Some(said)) => Err(format!("the learner crashed ({said}); no label is lost")),
        (_, Some(said)) => Err(said.to_string()),
        (code, None) => Err(format!("the learner stopped with status {}", code.unwrap_or(-1))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exited(code: i32, stdout: &str, stderr: &str) -> Output {
        Output {
            status: std::process::ExitStatus::from_raw(code << 8),
            stdout: stdout.as_bytes().to_vec(),
            stderr: stderr.as_bytes().to_vec(),
        }
    }

    #[test]
    fn the_learner_s_error_is_its_last_line_without_the_prefix() {
        let out = exited(2, "", "reading features\nkindling: label at least one sample of two classes\n\n");
        assert_eq!(outcome(&out).unwrap_err(), "label at least one sample of two classes");
    }

    #[test]
    fn a_crash_and_a_kill_say_that_no_label_is_lost() {
        let crashed = exited(101, "", "kindling: internal error at src/x.rs:1: boom. This is a bug\n");
        let message = outcome(&crashed).unwrap_err();
        assert!(message.starts_with("the learner crashed (internal error at src/x.rs:1: boom"), "{message}");
        let killed = Output { status: std::process::ExitStatus::from_raw(9), stdout: vec![], stderr: vec![] };
        let message = outcome(&killed).unwrap_err();
        assert!(message.contains("signal 9") && message.contains("no label is lost"), "{message}");
    }

    #[test]
    fn a_refit_is_read_from_the_learner_s_json() {
        let json = r#"{"at":"2026-12-01T10:00:00Z","labels":12,"label_events":14,"fingerprint":"f",
            "accuracy":0.75,"seconds":0.2,"model":"logistic","features":"tfidf"}"#;
        let refit = outcome(&exited(0, json, "")).unwrap();
        assert_eq!((refit.labels, refit.accuracy), (12, Some(0.75)));
        assert!(outcome(&exited(0, "{", "")).unwrap_err().contains("unreadable"));
    }
}
