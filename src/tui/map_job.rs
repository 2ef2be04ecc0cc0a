//! The Map pane's background work: the map itself (the live model's vectors, their principal
//! components or their t-SNE or UMAP map, cached until the data changes, scaled into the unit
//! square; k-means clusters; the labels) and what is shown of the sample under the cursor.

use std::collections::HashMap;
use std::path::Path;

use kindling::Result;
use kindling::data::Source;
use kindling::data::preview;
use kindling::embed::{self, map::Projection};
use kindling::labels::store::LabelStore;
use kindling::project::Project;
use tokio::sync::mpsc::UnboundedSender;

use super::job::Msg;
use super::map_data::{MapData, Progress, Shown};

/// Clusters the map is coloured by (`c`).
const CLUSTERS: usize = 8;

/// The map by principal components (quick), or the one that keeps neighbours together
/// (`neighbours`: t-SNE or UMAP as `auto` chooses; the pane asks for it second).
/// `progress` hears the vectors' stages and the projection's.
pub fn data(root: &Path, neighbours: bool, progress: &dyn kindling::progress::Progress) -> Result<MapData> {
    let project = Project::open(root)?;
    let embedder = embed::Embedder::live(&project.config)?;
    let (vectors, _) = embed::vectors(&project, &embedder, progress)?;
    let projection = if neighbours { Projection::choose("auto", vectors.len())? } else { Projection::Pca };
    let points = embed::map::cached_project(root, &vectors, projection, progress)?;
    let labels: HashMap<String, String> = project.labels()?.current()?.into_iter().collect();
    let k = CLUSTERS.min(points.len() - 1);
    // Kept after the first map, so the second does not cluster again.
    let clustering = embed::clusters::cached_kmeans(root, &vectors, &labels, k, 0)?;
    // Framed on where most points lie, the few far beyond at the frame's edge (`map_frame`);
    // one scale for both axes keeps distances as the projection has them.
    let frame = embed::map_frame::Frame::of(points.iter().map(|p| (p.x, p.y)));
    let ((lo_x, hi_x), (lo_y, hi_y)) = (frame.x, frame.y);
    let scale = (hi_x - lo_x).max(hi_y - lo_y).max(f64::MIN_POSITIVE);
    let (mid_x, mid_y) = ((lo_x + hi_x) / 2.0, (lo_y + hi_y) / 2.0);
    let xy = points
        .iter()
        .map(|p| {
            let (x, y) = frame.pin(p.x, p.y);
            (0.5 + (x - mid_x) / scale, 0.5 + (y - mid_y) / scale)
        })
        .collect();
    let cluster = points.iter().map(|p| clustering.of.get(&p.id).copied().unwrap_or(0)).collect();
    // The live model's class for every sample, when it has made predictions.
    let live = kindling::live::state::read(root).ok().flatten();
    let suggested_names: Vec<String> = live.as_ref().map(|l| l.predictions.classes.clone()).unwrap_or_default();
    let suggested = points
        .iter()
        .map(|p| {
            let predicted = &live.as_ref()?.predictions.by_id.get(&p.id)?.predicted;
            suggested_names.iter().position(|c| c == predicted).map(|k| k as u16)
        })
        .collect();
    Ok(MapData {
        ids: points.into_iter().map(|p| p.id).collect(),
        xy,
        cluster,
        clusters: k,
        vectors,
        labels,
        index: Default::default(),
        suggested,
        suggested_names,
        features: embedder.name().to_string(),
        projection,
    })
}

/// The map job's progress sent to the pane: each stage, and its steps at most once a
/// percent (UMAP's search of 2,000,000 samples would otherwise send a message a step).
pub struct ToPane {
    tx: UnboundedSender<Msg>,
    now: std::sync::Mutex<Progress>,
}

impl ToPane {
    pub fn new(tx: UnboundedSender<Msg>) -> ToPane {
        ToPane { tx, now: std::sync::Mutex::new(Progress::default()) }
    }
}

impl kindling::progress::Progress for ToPane {
    fn stage(&self, name: &str, total: Option<u64>) {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *now = Progress { stage: name.to_string(), done: 0, total };
        let _ = self.tx.send(Msg::MapProgress(now.clone()));
    }

    fn advance(&self, done: u64) {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        let before = now.percent();
        now.done = done;
        if now.percent() != before {
            let _ = self.tx.send(Msg::MapProgress(now.clone()));
        }
    }
}

/// What the side panel shows of sample `id`: a table's row, or a file's preview (the Browse
/// pane's sample view draws it). `place`: the sample's place among the samples, where its row
/// is looked for first.
pub fn shown(source: &Source, labels: &Path, id: &str, place: usize) -> Shown {
    let fail = |e: kindling::Error| e.to_string();
    if let Source::Table(_) = source {
        return Shown::Row(
            LabelStore::open(labels).and_then(|store| row_lines(source, &store, id, place)).map_err(fail),
        );
    }
    Shown::Sample(preview::load(source, id, preview::WAVEFORM_BUCKETS).map_err(fail))
}

/// A table row as `column: value` lines.
fn row_lines(source: &Source, store: &LabelStore, id: &str, place: usize) -> Result<Vec<String>> {
    let (columns, rows) = kindling::project::samples::row_by_id_near(source, store, id, place)?;
    let Some(row) = rows.into_iter().next() else { return Ok(vec!["(no longer in the source)".into()]) };
    Ok(columns
        .iter()
        .zip(row.values)
        .map(|(c, v)| format!("{}: {}", c.name, v.unwrap_or_else(|| "(missing)".into())))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling::data::{SourceConfig, SourceKind};

    #[test]
    fn an_audio_sample_beside_the_map_keeps_its_shape() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("clips")).unwrap();
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 8000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut wav = hound::WavWriter::create(dir.path().join("clips/pluck.wav"), spec).unwrap();
        // A loud start that dies away.
        for i in 0..8000 {
            let fade = 1.0 - i as f32 / 8000.0;
            wav.write_sample(((i as f32 * 0.3).sin() * fade * 32000.0) as i16).unwrap();
        }
        wav.finalize().unwrap();
        let source = Source::open(dir.path(), &SourceConfig::new(SourceKind::Audio, "clips"), None).unwrap();
        let Shown::Sample(Ok(preview::Preview::Audio(clip))) =
            shown(&source, &dir.path().join("labels.db"), "pluck.wav", 0)
        else {
            panic!("an audio preview")
        };
        // One peak for the whole clip drew a solid block in the side panel.
        assert!(clip.peaks.len() >= 100, "{} peaks", clip.peaks.len());
        let lines = super::super::sample_view::waveform(&clip, 30, 5);
        let quiet_end: String = lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.chars().last().unwrap_or(' ')).collect::<String>())
            .collect();
        assert!(quiet_end.contains(' '), "the quiet end is lower than the loud start: {lines:?}");
    }
}
