//! The flywheel: what `kindling serve --log` answered comes back to be labelled. The server
//! appends each input and its prediction to `served/log.jsonl` (posted images and clips as
//! files beside it); `kindling served DIR` sums the log up and `--import` adds the inputs to
//! the project as samples of its source's kind, remembering how sure the model was of each
//! so that the Label pane's `served` order asks about the least sure first.

mod import;
mod log;

pub use import::{Imported, Summary, confidences, import, summary};
pub use log::{Entry, Logger};

/// The project's folder of served inputs.
pub const SERVED_DIR: &str = "served";
/// One JSON line per served input.
pub const LOG_FILE: &str = "log.jsonl";
/// Posted images and clips, named in the log.
pub const FILES_DIR: &str = "files";
/// What `--import` has added: sample id, the model's confidence, the log line.
pub const IMPORTED_FILE: &str = "imported.csv";
pub use crate::data::folder::IMPORT_FOLDER;
