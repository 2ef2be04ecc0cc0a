//! Appending served inputs to `served/log.jsonl` off the request path: requests hand their
//! entries to one writer thread, which appends and flushes whatever has queued up.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};

use serde::{Deserialize, Serialize};

use super::{FILES_DIR, LOG_FILE, SERVED_DIR};
use crate::error::{Error, Result};

/// One served input: when (seconds since 1970), by which run, the input as posted (a row
/// object, a text, or the name of the file under `served/files/`), and the answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub at: f64,
    pub run: String,
    pub input: serde_json::Value,
    pub predicted: String,
    pub confidence: f64,
}

pub struct Logger {
    folder: PathBuf,
    sender: Mutex<Sender<Vec<Entry>>>,
    /// Files kept so far: names stay unique within a second.
    kept: AtomicU64,
}

impl Logger {
    /// Starts the writer for the project at `root`; the folder is made now, so that a
    /// project that cannot be written to is said at start, not at the first request.
    pub fn start(root: &Path) -> Result<Logger> {
        let folder = root.join(SERVED_DIR);
        let files = folder.join(FILES_DIR);
        std::fs::create_dir_all(&files).map_err(|e| Error::file(&files, e))?;
        let path = folder.join(LOG_FILE);
        let file =
            std::fs::OpenOptions::new().create(true).append(true).open(&path).map_err(|e| Error::file(&path, e))?;
        let (sender, receiver) = channel();
        std::thread::Builder::new()
            .name("served-log".into())
            .spawn(move || write_all(file, &path, receiver))
            .map_err(|e| Error::internal(format!("cannot start the log writer: {e}")))?;
        Ok(Logger { folder, sender: Mutex::new(sender), kept: AtomicU64::new(0) })
    }

    /// Keeps a posted file; its name for the log (`20261201-193512-17.png`).
    pub fn keep_file(&self, source: &Path) -> Result<String> {
        let extension = source.extension().and_then(|e| e.to_str()).unwrap_or("bin");
        let n = self.kept.fetch_add(1, Ordering::Relaxed);
        let name = format!("{}-{n}.{extension}", crate::runs::clock::compact(crate::runs::clock::now()));
        let to = self.folder.join(FILES_DIR).join(&name);
        std::fs::copy(source, &to).map_err(|e| Error::file(&to, e))?;
        Ok(name)
    }

    pub fn log(&self, entries: Vec<Entry>) {
        let _ = self.sender.lock().unwrap_or_else(|e| e.into_inner()).send(entries);
    }
}

fn write_all(file: std::fs::File, path: &Path, receiver: Receiver<Vec<Entry>>) {
    let mut out = std::io::BufWriter::new(file);
    while let Ok(first) = receiver.recv() {
        let mut batch = vec![first];
        batch.extend(receiver.try_iter());
        for entry in batch.into_iter().flatten() {
            if let Ok(line) = serde_json::to_string(&entry) {
                let _ = writeln!(out, "{line}");
            }
        }
        if let Err(e) = out.flush() {
            eprintln!("kindling: cannot append to {}: {e}", path.display());
        }
    }
}
