//! `events.jsonl`: a run's progress, one JSON object per line, flushed as it goes, so a
//! workbench can tail a run it did not start. Stage changes are always written; progress
//! within a stage at most ten times a second, and its last step always.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

use serde_json::{Value, json};

use super::clock;
use crate::error::{Error, Result};
use crate::progress::Progress;

pub const EVENTS_FILE: &str = "events.jsonl";

pub struct EventLog {
    inner: Mutex<Inner>,
}

struct Inner {
    file: File,
    total: Option<u64>,
    last_write: Option<Instant>,
}

impl EventLog {
    pub fn create(path: &Path) -> Result<EventLog> {
        let file = File::create(path).map_err(|e| Error::file(path, e))?;
        Ok(EventLog { inner: Mutex::new(Inner { file, total: None, last_write: None }) })
    }

    /// Opens an existing log to add events at its end.
    pub fn append(path: &Path) -> Result<EventLog> {
        let file = std::fs::OpenOptions::new().append(true).open(path).map_err(|e| Error::file(path, e))?;
        Ok(EventLog { inner: Mutex::new(Inner { file, total: None, last_write: None }) })
    }

    /// Writes one event: `{"time": …, "event": kind, …fields}`.
    pub fn write(&self, kind: &str, fields: Value) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.append(kind, fields);
    }
}

impl Inner {
    fn append(&mut self, kind: &str, fields: Value) {
        let mut event = json!({ "time": clock::iso(clock::now()), "event": kind });
        if let (Some(e), Value::Object(f)) = (event.as_object_mut(), fields) {
            e.extend(f);
        }
        // A full disk must not stop the training; the run's record says how it ended.
        let _ = writeln!(self.file, "{event}").and_then(|_| self.file.flush());
    }
}

impl Progress for EventLog {
    fn stage(&self, name: &str, total: Option<u64>) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.total = total;
        inner.last_write = Some(Instant::now());
        inner.append("stage", json!({ "stage": name, "total": total }));
    }

    fn advance(&self, done: u64) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let last = inner.total == Some(done);
        if last || inner.last_write.is_none_or(|t| t.elapsed().as_millis() >= 100) {
            inner.last_write = Some(Instant::now());
            let total = inner.total;
            inner.append("progress", json!({ "done": done, "total": total }));
        }
    }

    fn loss(&self, step: u64, value: f64) {
        self.write("loss", json!({ "step": step, "loss": value }));
    }

    fn epoch(&self, epoch: u64, loss: f64, valid_accuracy: Option<f64>, samples_per_second: f64) {
        let fields = json!({ "epoch": epoch, "loss": loss, "valid_accuracy": valid_accuracy,
            "samples_per_second": samples_per_second });
        self.write("epoch", fields);
    }
}

/// Reads a run's events (lines that do not parse are skipped: the last may be half written).
pub fn read(path: &Path) -> Result<Vec<Value>> {
    Ok(read_from(path, 0)?.0)
}

/// The events whose lines are complete after byte `offset`, and the offset after them: a
/// follower reads only what was added since its last look.
pub fn read_from(path: &Path, offset: u64) -> Result<(Vec<Value>, u64)> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = File::open(path).map_err(|e| Error::file(path, e))?;
    file.seek(SeekFrom::Start(offset)).map_err(|e| Error::file(path, e))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(|e| Error::file(path, e))?;
    // A last line without its newline is still being written: leave it for next time.
    let complete = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let events =
        bytes[..complete].split(|b| *b == b'\n').filter_map(|line| serde_json::from_slice(line).ok()).collect();
    Ok((events, offset + complete as u64))
}

/// Sends progress to two sinks (the event log and a terminal bar).
pub struct Both<'a>(pub &'a dyn Progress, pub &'a dyn Progress);

impl Progress for Both<'_> {
    fn stage(&self, name: &str, total: Option<u64>) {
        self.0.stage(name, total);
        self.1.stage(name, total);
    }
    fn advance(&self, done: u64) {
        self.0.advance(done);
        self.1.advance(done);
    }
    fn finish(&self) {
        self.0.finish();
        self.1.finish();
    }
    fn note(&self, text: &str) {
        self.0.note(text);
        self.1.note(text);
    }
    fn loss(&self, step: u64, value: f64) {
        self.0.loss(step, value);
        self.1.loss(step, value);
    }
    fn epoch(&self, epoch: u64, loss: f64, valid_accuracy: Option<f64>, samples_per_second: f64) {
        self.0.epoch(epoch, loss, valid_accuracy, samples_per_second);
        self.1.epoch(epoch, loss, valid_accuracy, samples_per_second);
    }
}

/// The loss curves in a run's events, one per iterative fit in the order they ran (a run
/// with K folds fits K + 1 times): `(step, loss)` points.
pub fn loss_curves(events: &[Value]) -> Vec<Vec<(f64, f64)>> {
    let mut curves: Vec<Vec<(f64, f64)>> = Vec::new();
    for e in events.iter().filter(|e| e["event"] == "loss") {
        let (Some(step), Some(loss)) = (e["step"].as_f64(), e["loss"].as_f64()) else { continue };
        match curves.last_mut() {
            Some(curve) if curve.last().is_some_and(|(s, _)| *s < step) => curve.push((step, loss)),
            _ => curves.push(vec![(step, loss)]),
        }
    }
    curves
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_and_the_last_step_are_always_logged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(EVENTS_FILE);
        let log = EventLog::create(&path).unwrap();
        log.stage("fitting", Some(1000));
        (1..=1000).for_each(|i| log.advance(i));
        log.write("finished", json!({ "accuracy": 0.5 }));
        let events = read(&path).unwrap();
        assert_eq!(events[0]["stage"], "fitting");
        let progress: Vec<&Value> = events.iter().filter(|e| e["event"] == "progress").collect();
        assert!(progress.len() < 1000, "progress is throttled");
        assert_eq!(progress.last().unwrap()["done"], 1000);
        assert_eq!(events.last().unwrap()["accuracy"], 0.5);
    }

    #[test]
    fn a_follower_reads_only_complete_new_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(EVENTS_FILE);
        std::fs::write(&path, "{\"event\":\"stage\"}\n{\"event\":\"prog").unwrap();
        let (first, offset) = read_from(&path, 0).unwrap();
        assert_eq!(first.len(), 1);
        let mut file = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"ress\"}\n{\"event\":\"finished\"}\n").unwrap();
        let (rest, end) = read_from(&path, offset).unwrap();
        assert_eq!(rest.iter().map(|e| e["event"].as_str().unwrap()).collect::<Vec<_>>(), ["progress", "finished"]);
        assert_eq!(end, std::fs::metadata(&path).unwrap().len());
        assert!(read_from(&path, end).unwrap().0.is_empty());
    }

    #[test]
    fn each_fit_gets_its_own_loss_curve() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(EVENTS_FILE);
        let log = EventLog::create(&path).unwrap();
        for fit in 0..2 {
            log.stage("fitting", Some(3));
            for step in 1..=3 {
                log.advance(step);
                log.loss(step, 1.0 / (step + fit) as f64);
            }
        }
        let curves = loss_curves(&read(&path).unwrap());
        assert_eq!(curves.len(), 2);
        assert_eq!(curves[0], vec![(1.0, 1.0), (2.0, 0.5), (3.0, 1.0 / 3.0)]);
        assert_eq!(curves[1][0], (1.0, 0.5));
    }
}
