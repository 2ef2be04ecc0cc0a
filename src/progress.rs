//! Progress reporting for long operations. The core reports through a sink; the CLI draws a
//! bar, the TUI a gauge, a training run writes events.

pub trait Progress: Sync {
    /// A new stage begins; `total` is the number of steps when known.
    fn stage(&self, name: &str, total: Option<u64>);
    /// `done` steps of the current stage are finished.
    fn advance(&self, done: u64);
    /// The current stage is over.
    fn finish(&self) {}
}

/// For callers that do not want progress.
pub struct Silent;

impl Progress for Silent {
    fn stage(&self, _: &str, _: Option<u64>) {}
    fn advance(&self, _: u64) {}
}
