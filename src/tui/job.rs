//! Background work as plain data: what the panes ask for (`Job`) and what comes back
//! (`Msg`), so that tests can feed `Msg` values to the app without running anything.
//! `worker` runs the jobs.

use kindling::data::query::Query;
use kindling::project::samples::{SampleRow, TableColumn};
use kindling::workflow::queue::Queue as QueueData;

use super::launch::Launch;
use super::map_data::{MapData, Progress, Shown};

/// A detection project's images in the source's order, their boxes, and those done.
#[derive(Debug, Clone)]
pub struct BoxImages {
    pub ids: Vec<String>,
    pub boxes: std::collections::HashMap<String, Vec<kindling::labels::store::LabelBox>>,
    pub done: std::collections::HashSet<String>,
}

/// Work for the event loop to run off the UI task.
#[derive(Debug, Clone, PartialEq)]
pub enum Job {
    Thumbnails {
        ids: Vec<String>,
    },
    Count {
        generation: u64,
        query: Query,
    },
    Rows {
        request: u64,
        offset: usize,
        len: usize,
        query: Query,
    },
    Preview {
        id: String,
    },
    Coverage,
    /// The Label pane's queue, built in `order` (or for `review`).
    Queue {
        generation: u64,
        order: kindling::workflow::queue::Order,
        review: Option<kindling::workflow::queue::Review>,
        seed: u64,
    },
    /// Previews of file samples, sent one by one as they load.
    Previews {
        ids: Vec<String>,
    },
    /// Table rows by id, as cards for the Label pane.
    Cards {
        ids: Vec<String>,
    },
    /// Every current label, read again because they changed elsewhere.
    Labels,
    /// A detection project's images, their boxes and which are done.
    BoxImages,
    /// What the latest detector run finds in image `id` (its proposals).
    Proposals {
        id: String,
    },
    /// Refit the live model on the current labels.
    Refit,
    /// A class change from the palette (`:class …`).
    ClassChange(kindling::workflow::classes::ClassChange),
    /// Backspace reached a class change: take it back whole.
    UndoChange,
    /// Where sample `id` is in the Browse view (`:goto ID`).
    Locate {
        generation: u64,
        query: Query,
        id: String,
    },
    /// Write the current labels to a file (`:export FILE`).
    Export(String),
    /// Leave a table column out of the features (`:exclude COLUMN`).
    Exclude(String),
    /// Write run `id`'s report to `exports/` (the Results pane's `e`).
    RunReport(String),
    /// The samples most like `id` (the Label pane's `n`).
    Similar {
        id: String,
    },
    /// The data readiness report.
    Report,
    /// The Map pane's points: vectors, their 2-D projection (principal components, or
    /// with `neighbours` the t-SNE or UMAP map), clusters, the labels.
    Map {
        neighbours: bool,
    },
    /// What the Map pane shows of sample `id`, the `place`-th point of the map.
    MapSample {
        id: String,
        place: usize,
    },
    /// The project's runs.
    Runs,
    /// Augmented versions of a sample, for the Augment pane.
    AugmentPreview {
        generation: u64,
        id: String,
        plan: kindling::augment::Plan,
        copies: usize,
        seed: u64,
    },
    /// Write the Augment pane's settings to kindling.toml.
    SaveAugment(kindling::augment::Settings),
    /// A run's events after byte `from` of its events.jsonl.
    Events {
        id: String,
        from: u64,
    },
    /// Start `kindling train` with these settings, detached.
    Launch(Launch),
    /// Ask a running training process to stop.
    Cancel {
        pid: u32,
    },
    /// A finished run's record, metrics and confusion matrix.
    RunDetail {
        id: String,
    },
    Summary {
        generation: u64,
        query: Query,
        column: String,
    },
    /// The next (or previous) sample after `from` that contains `text`.
    Find {
        generation: u64,
        query: Query,
        text: String,
        from: usize,
        forward: bool,
    },
}

/// Results of background work.
pub enum Msg {
    BoxImages(Result<BoxImages, String>),
    /// The latest detector run's boxes in an image (none: no detector trained yet).
    Proposals {
        id: String,
        result: Result<Option<kindling::runs::detector::Proposed>, String>,
    },
    Map(Result<MapData, String>),
    /// The map job's stage and how far it is (done, of), while it runs.
    MapProgress(Progress),
    MapSample {
        id: String,
        shown: Shown,
    },
    Count {
        generation: u64,
        result: Result<usize, String>,
    },
    /// Rows counted so far, while a count goes on.
    Counting {
        generation: u64,
        rows: usize,
    },
    Found {
        generation: u64,
        text: String,
        result: Result<Option<usize>, String>,
    },
    Summary {
        generation: u64,
        column: String,
        result: Result<kindling::data::summary::ColumnSummary, String>,
    },
    Report(Result<kindling::readiness::Report, String>),
    Runs(Result<Vec<kindling::runs::RunSummary>, String>),
    /// A run's events after byte `from`, and the offset after them.
    Events {
        id: String,
        from: u64,
        result: Result<(Vec<serde_json::Value>, u64), String>,
    },
    /// A training process launched here ended; `why` is its last error line.
    Exited {
        ok: bool,
        why: String,
    },
    AugmentPreview {
        generation: u64,
        result: Result<kindling::workflow::augment_preview::Versions, String>,
    },
    Saved(Result<(), String>),
    /// Cancelling a run failed.
    Cancelled(Result<(), String>),
    RunDetail {
        id: String,
        result: Result<Box<kindling::runs::RunDetail>, String>,
    },
    /// A thumbnail, made or read from the cache; encoded for the terminal by the event loop.
    Thumbnail {
        id: String,
        result: Result<image::DynamicImage, String>,
    },
    Rows {
        request: u64,
        offset: usize,
        result: Result<(Vec<TableColumn>, Vec<SampleRow>), String>,
    },
    Preview {
        id: String,
        result: Result<kindling::data::preview::Preview, String>,
    },
    /// Labelled samples and label events, counted in the store.
    Coverage(Result<(u64, u64), String>),
    Queue {
        generation: u64,
        result: Result<QueueData, String>,
    },
    Cards(Result<(Vec<TableColumn>, Vec<SampleRow>), String>),
    Refit(Result<kindling::live::Refit, String>),
    /// What a class change (or its undo) did and the class list after it.
    ClassChanged {
        undoable: bool,
        result: Result<(String, Vec<kindling::project::config::ClassConfig>), String>,
    },
    Located {
        generation: u64,
        id: String,
        result: Result<Option<usize>, String>,
    },
    Exported(Result<String, String>),
    /// What `:exclude` did, in words.
    Excluded(Result<String, String>),
    Similar {
        id: String,
        result: Result<Vec<String>, String>,
    },
    Labels(Result<(std::collections::HashMap<String, String>, u64), String>),
}
