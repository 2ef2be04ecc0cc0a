//! Progress reporting for long operations. The core reports through a sink; the CLI draws a
//! bar, the TUI a gauge, a training run writes events.

pub trait Progress: Sync {
    /// A new stage begins; `total` is the number of steps when known.
    fn stage(&self, name: &str, total: Option<u64>);
    /// `done` steps of the current stage are finished.
    fn advance(&self, done: u64);
    /// The current stage is over.
    fn finish(&self) {}
    /// Something the user should read once (texts cut to an encoder's longest input).
    fn note(&self, _text: &str) {}
    /// An iterative fit reached `step` with training loss `value` (for loss curves).
    fn loss(&self, _step: u64, _value: f64) {}
    /// A network finished an epoch: training loss, validation accuracy (when samples were
    /// held back) and training samples per second.
    fn epoch(&self, _epoch: u64, _loss: f64, _valid_accuracy: Option<f64>, _samples_per_second: f64) {}
}

/// For callers that do not want progress.
pub struct Silent;

impl Progress for Silent {
    fn stage(&self, _: &str, _: Option<u64>) {}
    fn advance(&self, _: u64) {}
}

/// Counts steps finished by parallel workers and reports each one as a stage's progress.
pub struct Counter<'a> {
    progress: &'a dyn Progress,
    done: std::sync::atomic::AtomicU64,
}

impl<'a> Counter<'a> {
    /// Begins stage `name` of `total` steps.
    pub fn start(progress: &'a dyn Progress, name: &str, total: usize) -> Counter<'a> {
        progress.stage(name, Some(total as u64));
        Counter { progress, done: std::sync::atomic::AtomicU64::new(0) }
    }

    /// One more step is finished (from any thread).
    pub fn tick(&self) {
        let done = self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        self.progress.advance(done);
    }

    pub fn finish(self) {
        self.progress.finish();
    }
}
