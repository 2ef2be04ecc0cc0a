//! SIGKILL in the middle of a loop of `labels set` loses nothing that was reported
//! committed, and never damages the store.

use std::process::{Command, Stdio};
use std::time::Duration;

use super::*;

#[test]
fn sigkill_during_a_loop_of_labels_set_loses_nothing_reported() {
    let dir = tempfile::tempdir().unwrap();
    let images = dir.path().join("images");
    for i in 0..60 {
        data::png(&images.join(format!("{i}.png")), 0);
    }
    let proj = dir.path().join("proj");
    ok(&["init", p(&proj), "--source", p(&images), "--classes", "a,b"]);

    let mut reported = Vec::new();
    let mut killed = 0;
    for i in 0..60 {
        let id = format!("{i}.png");
        let class = if i % 2 == 0 { "a" } else { "b" };
        let mut child = Command::new(env!("CARGO_BIN_EXE_kindling"))
            .args(["labels", "set", p(&proj), &id, class])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Every third process is killed (SIGKILL) at a different moment of its run.
        if i % 3 == 0 {
            std::thread::sleep(Duration::from_millis((i as u64 * 7) % 40));
            if child.try_wait().unwrap().is_none() {
                child.kill().unwrap();
                killed += 1;
            }
        }
        let out = child.wait_with_output().unwrap();
        // A label counts as reported only when the process said so after committing.
        if out.status.success() && String::from_utf8_lossy(&out.stdout) == format!("{id}\t{class}\n") {
            reported.push((id, class));
        }
    }
    assert!(killed > 0, "no process was killed mid-run");
    assert!(reported.len() >= 40, "only {} labels were reported", reported.len());

    let export = ok(&["labels", "export", p(&proj)]);
    for (id, class) in &reported {
        assert!(export.contains(&format!("\n{id},{class}\n")), "{id} was reported but is missing:\n{export}");
    }
    // The store still takes writes after all the killing.
    ok(&["labels", "set", p(&proj), "59.png", "a"]);
}
