//! What `kindling serve` answers, without the HTTP: a finished run loaded once (the very
//! featurizer and model `kindling predict` uses, or a detector), a request's JSON turned
//! into the featurizer's inputs, the answer, and the counters `/metrics` reports.

mod batcher;
pub mod metrics;
mod request;

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::data::SourceKind;
use crate::drift::{self, DriftReport, Window};
use crate::error::Result;
use crate::features::{Featurizer, Inputs};
use crate::progress::Silent;
use crate::runs::predict::Loaded;
use crate::runs::record::RunRecord;
use crate::served::{Entry, Logger};
pub use request::{BadRequest, MAX_BATCH};

/// Inputs `GET /drift` looks back over.
pub const DRIFT_WINDOW: usize = 10_000;

/// A run being served.
pub struct Served {
    model: Model,
    /// The last inputs answered, for drift against the run's training profile.
    window: Mutex<Window>,
    /// Where answered inputs go with `--log`.
    log: Option<Arc<Logger>>,
    /// Items a request may hold.
    max_batch: usize,
    /// Requests that come together share one pass of a pre-trained encoder.
    batcher: batcher::Batcher,
}

/// A classifier (class probabilities) or a detector (boxes).
enum Model {
    Classifier(Box<Loaded>),
    Detector { record: Box<RunRecord>, loaded: Box<crate::runs::detector::Loaded> },
}

impl Served {
    pub fn open(run_dir: &std::path::Path) -> Result<Served> {
        let record = RunRecord::read(run_dir)?;
        let model = if record.model == crate::runs::detector::MODEL_NAME {
            Model::Detector { loaded: Box::new(crate::runs::detector::load(run_dir)?), record: Box::new(record) }
        } else {
            Model::Classifier(Box::new(Loaded::open(run_dir)?))
        };
        Ok(Served {
            model,
            window: Mutex::new(Window::new(DRIFT_WINDOW)),
            log: None,
            max_batch: MAX_BATCH,
            batcher: batcher::Batcher::default(),
        })
    }

    pub fn with_max_batch(mut self, most: usize) -> Served {
        self.max_batch = most.max(1);
        self
    }

    /// Appends every input answered, with its prediction, to the project's served log.
    pub fn with_log(mut self, log: Option<Arc<Logger>>) -> Served {
        self.log = log;
        self
    }

    fn record(&self) -> &RunRecord {
        match &self.model {
            Model::Classifier(loaded) => &loaded.record,
            Model::Detector { record, .. } => record,
        }
    }

    pub fn run(&self) -> &str {
        &self.record().id
    }

    pub fn classes(&self) -> &[String] {
        &self.record().classes
    }

    /// `GET /info`: the run, its model and features, classes, data version, and what a
    /// request must hold.
    pub fn info(&self) -> Value {
        let r = self.record();
        let kind = r.config.source.kind;
        let input = match &self.model {
            Model::Detector { .. } => json!({ "images": "base64 strings of PNG, JPEG, WebP, GIF or BMP files" }),
            Model::Classifier(loaded) => Self::classifier_input(loaded, kind),
        };
        json!({
            "run": r.id,
            "model": r.model,
            "features": r.features,
            "classes": r.classes,
            "data_version": crate::project::data_version(&r.dataset.fingerprint, r.dataset.label_events),
            "input": input,
            "max_batch": self.max_batch,
            "encoder_passes": self.batcher.passes(),
        })
    }

    fn classifier_input(loaded: &Loaded, kind: SourceKind) -> Value {
        match (&loaded.featurizer, kind) {
            (Featurizer::Table(t), _) => {
                let columns: serde_json::Map<String, Value> =
                    t.schema().into_iter().map(|(name, what)| (name, Value::from(what))).collect();
                json!({ "rows": columns })
            }
            (_, SourceKind::Text) => json!({ "texts": "strings" }),
            (_, SourceKind::Images) => json!({ "images": "base64 strings of PNG, JPEG, WebP, GIF or BMP files" }),
            (_, _) => json!({ "clips": "base64 strings of WAV files" }),
        }
    }

    /// `POST /predict`: per item its predicted class and the probability of every class,
    /// with the run's id; or what is wrong with the request.
    pub fn predict(&self, body: &[u8]) -> std::result::Result<Answer, BadRequest> {
        let loaded = match &self.model {
            Model::Classifier(loaded) => loaded,
            Model::Detector { loaded, .. } => return self.boxes(loaded, body),
        };
        let posted = request::inputs(loaded, body, self.max_batch)?;
        let probs = if matches!(loaded.featurizer, crate::features::Featurizer::Pretrained(_)) {
            self.batcher.run(posted.inputs.clone(), |inputs| loaded.probabilities(inputs, &Silent))
        } else {
            loaded.probabilities(&posted.inputs, &Silent)
        };
        let probs = probs.map_err(|e| BadRequest::new("", e.message()))?;
        let classes = self.classes();
        let predictions = (0..probs.rows())
            .map(|i| {
                let p: serde_json::Map<String, Value> =
                    classes.iter().zip(probs.row(i)).map(|(c, v)| (c.clone(), Value::from(*v))).collect();
                json!({ "predicted": classes[probs.predicted(i)], "probabilities": p })
            })
            .collect();
        if let Some(profile) = &loaded.profile {
            let observed = profile.observe(&posted.inputs);
            self.window.lock().unwrap_or_else(|e| e.into_inner()).push(observed, drift::confidence(&probs));
        }
        if let Some(log) = &self.log {
            self.log_answers(log, &posted, &probs);
        }
        let predicted = (0..probs.rows()).map(|i| probs.predicted(i)).collect();
        Ok(Answer { body: json!({ "run": self.run(), "predictions": Value::Array(predictions) }), predicted })
    }
}

impl Served {
    /// `POST /predict` to a detector: per image its boxes (class, `[x, y, w, h]` in pixels,
    /// score), surest first, those scored under 0.05 left out.
    fn boxes(&self, loaded: &crate::runs::detector::Loaded, body: &[u8]) -> std::result::Result<Answer, BadRequest> {
        let posted = request::images(body, self.max_batch)?;
        let Inputs::Files(paths) = &posted.inputs else { return Err(BadRequest::new("images", "no images posted")) };
        let files: Vec<(String, std::path::PathBuf)> =
            paths.iter().enumerate().map(|(i, p)| (i.to_string(), p.clone())).collect();
        let found = loaded.predict(&files, 0.05, &Silent).map_err(|e| BadRequest::new("", e.message()))?;
        let classes = self.classes();
        let mut predicted = Vec::new();
        let predictions = files
            .iter()
            .map(|(name, _)| {
                let boxes: Vec<Value> = found
                    .iter()
                    .filter(|f| f.image == *name)
                    .map(|f| {
                        predicted.extend(classes.iter().position(|c| *c == f.class));
                        json!({ "class": f.class, "bbox": f.bbox, "score": f.score })
                    })
                    .collect();
                json!({ "boxes": boxes })
            })
            .collect();
        if let Some(log) = &self.log {
            let at = crate::runs::clock::now();
            let entries = files
                .iter()
                .map(|(name, path)| {
                    // Boxes come surest first: an image is logged with its surest box.
                    let top = found.iter().find(|f| f.image == *name);
                    Entry {
                        at,
                        run: self.run().to_string(),
                        input: log.keep_file(path).map_or(Value::Null, Value::from),
                        predicted: top.map_or_else(String::new, |f| f.class.clone()),
                        confidence: top.map_or(0.0, |f| f.score),
                    }
                })
                .collect();
            log.log(entries);
        }
        Ok(Answer { body: json!({ "run": self.run(), "predictions": Value::Array(predictions) }), predicted })
    }

    fn log_answers(&self, log: &Logger, posted: &request::Posted, probs: &crate::models::Probabilities) {
        let inputs: Vec<Value> = match &posted.inputs {
            Inputs::Files(paths) => paths.iter().map(|p| log.keep_file(p).map_or(Value::Null, Value::from)).collect(),
            _ => posted.items.clone(),
        };
        let at = crate::runs::clock::now();
        let entries = inputs
            .into_iter()
            .enumerate()
            .map(|(i, input)| Entry {
                at,
                run: self.run().to_string(),
                input,
                predicted: self.classes()[probs.predicted(i)].clone(),
                confidence: probs.row(i).iter().copied().fold(0.0, f64::max),
            })
            .collect();
        log.log(entries);
    }

    /// The inputs of the window against the training profile; `None` for a run trained
    /// before profiles were kept.
    pub fn drift(&self) -> Option<DriftReport> {
        let Model::Classifier(loaded) = &self.model else { return None };
        let profile = loaded.profile.as_ref()?;
        Some(self.window.lock().unwrap_or_else(|e| e.into_inner()).check(profile))
    }
}

/// An answer to `POST /predict`, and the class index of each prediction (for the metrics).
pub struct Answer {
    pub body: Value,
    pub predicted: Vec<usize>,
}
