//! The run this process is training, so that a signal can mark it `cancelled`. Every write
//! of its record goes through here under one lock: once cancelled, the training thread can
//! no longer write `running` or `finished` over it while the process exits.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::json;

use super::clock;
use super::events::{EVENTS_FILE, EventLog};
use super::record::RunRecord;
use crate::error::Result;

static ACTIVE: Mutex<Option<PathBuf>> = Mutex::new(None);

fn lock() -> std::sync::MutexGuard<'static, Option<PathBuf>> {
    ACTIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// `dir` is the run being trained; writes its first record.
pub fn begin(record: &RunRecord, dir: &Path) -> Result<()> {
    let mut active = lock();
    *active = Some(dir.to_path_buf());
    record.write(dir)
}

/// Writes the record, unless the run was cancelled meanwhile.
pub fn save(record: &RunRecord, dir: &Path) -> Result<()> {
    let active = lock();
    if active.as_deref() == Some(dir) { record.write(dir) } else { Ok(()) }
}

/// Writes the record's last state and forgets the run.
pub fn end(record: &RunRecord, dir: &Path) -> Result<()> {
    let mut active = lock();
    if active.as_deref() != Some(dir) {
        return Ok(());
    }
    *active = None;
    record.write(dir)
}

/// Marks the run being trained `cancelled` (with its end time and an event) and forgets
/// it; returns its id. For a signal handler, just before the process exits.
pub fn cancel() -> Option<String> {
    let mut active = lock();
    let dir = active.take()?;
    let mut record = RunRecord::read(&dir).ok()?;
    if record.status != "running" {
        return None;
    }
    let ended = clock::now();
    record.status = "cancelled".into();
    record.pid = None;
    record.seconds = clock::parse_iso(&record.started).map(|s| ((ended - s) * 1000.0).round() / 1000.0);
    record.ended = Some(clock::iso(ended));
    let _ = record.write(&dir);
    if let Ok(log) = EventLog::append(&dir.join(EVENTS_FILE)) {
        log.write("cancelled", json!({}));
    }
    Some(record.id)
}

/// Whether process `pid` still exists (a run whose process is gone will never finish).
pub fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
    // SAFETY: signal 0 only checks that the process exists and may be signalled.
    let result = unsafe { libc::kill(pid, 0) };
    result == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Asks the training process `pid` to stop (SIGTERM); it marks its run `cancelled`.
pub fn terminate(pid: u32) -> Result<()> {
    let target = libc::pid_t::try_from(pid).map_err(|_| crate::Error::user(format!("no process {pid}")))?;
    // SAFETY: kill has no memory effects; a stale pid at worst fails with ESRCH.
    if unsafe { libc::kill(target, libc::SIGTERM) } == 0 {
        Ok(())
    } else {
        Err(crate::Error::user(format!("cannot stop process {pid}: {}", std::io::Error::last_os_error())))
    }
}
