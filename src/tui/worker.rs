//! Runs the panes' jobs off the UI task: each result comes back to the event loop as a `Msg`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use kindling::data::Source;
use kindling::data::preview;
use kindling::data::{summary, thumbnail};
use kindling::labels::store::LabelStore;
use kindling::progress::Silent;
use kindling::project::Project;
use kindling::project::samples;
use kindling::readiness;
use kindling::workflow::queue;
use tokio::sync::mpsc::UnboundedSender;

use super::job::{Job, Msg};
use super::{augment, launch};

/// What jobs run against: the project's source, label store, caches and classes.
pub struct Workers {
    pub source: Arc<Source>,
    pub labels: PathBuf,
    pub cache: PathBuf,
    pub root: PathBuf,
    pub classes: Vec<String>,
    /// A detection project: coverage counts the images boxed or done.
    pub detect: bool,
}

/// Neighbours the Label pane's `n` asks for (the unlabelled among them come next).
const MORE_LIKE_THIS: usize = 20;

/// Runs `job` on the blocking pool; its result comes back on `tx`.
pub fn spawn(ctx: &Workers, tx: &UnboundedSender<Msg>, job: Job) {
    let (source, labels, tx) = (Arc::clone(&ctx.source), ctx.labels.clone(), tx.clone());
    if let Job::Thumbnails { ids } = job {
        let cache = ctx.cache.clone();
        tokio::task::spawn_blocking(move || {
            for id in ids {
                let result = thumbnail::load(&source, &cache, &id).map_err(|e| e.to_string());
                if tx.send(Msg::Thumbnail { id, result }).is_err() {
                    return;
                }
            }
        });
        return;
    }
    if let Job::Previews { ids } = job {
        tokio::task::spawn_blocking(move || {
            for id in ids {
                let result = preview::load(&source, &id, preview::WAVEFORM_BUCKETS).map_err(|e| e.to_string());
                if tx.send(Msg::Preview { id, result }).is_err() {
                    return;
                }
            }
        });
        return;
    }
    let (root, classes, cache, detect) = (ctx.root.clone(), ctx.classes.clone(), ctx.cache.clone(), ctx.detect);
    tokio::task::spawn_blocking(move || {
        let msg = match job {
            Job::Thumbnails { .. } | Job::Previews { .. } => return,
            Job::Launch(launch) => {
                return launch::start(&root, &cache, &launch, move |ok, why| {
                    let _ = tx.send(Msg::Exited { ok, why });
                });
            }
            Job::Cancel { pid } => Msg::Cancelled(kindling::runs::active::terminate(pid).map_err(|e| e.to_string())),
            Job::AugmentPreview { generation, id, plan, copies, seed } => {
                let result = Project::open(&root)
                    .and_then(|p| kindling::workflow::augment_preview::versions(&p, &id, &plan, copies, seed))
                    .map(augment::for_display)
                    .map_err(|e| e.to_string());
                Msg::AugmentPreview { generation, result }
            }
            Job::Exclude(column) => Msg::Excluded(
                Project::open(&root)
                    .and_then(|mut p| p.exclude_column(&column))
                    .map(|()| format!("\"{column}\" is left out of the features from the next run on"))
                    .map_err(|e| format!("exclude: {e}")),
            ),
            Job::SaveAugment(settings) => Msg::Saved(
                Project::open(&root)
                    .and_then(|mut p| {
                        p.config.augment = settings;
                        p.config.validate()?;
                        p.config.save(&root)
                    })
                    .map_err(|e| format!("cannot save the augmentations: {e}")),
            ),
            Job::Events { id, from } => {
                let path = kindling::runs::dir(&root, &id).join(kindling::runs::events::EVENTS_FILE);
                Msg::Events {
                    id,
                    from,
                    result: kindling::runs::events::read_from(&path, from).map_err(|e| e.to_string()),
                }
            }
            Job::Queue { generation, order, review, seed } => {
                let result = LabelStore::open(&labels).and_then(|mut store| {
                    let mut built = queue::build(&root, &source, &store, &classes, order, review.as_ref(), seed)?;
                    if review.is_none() {
                        queue::place_asks(&root, &mut store, &mut built)?;
                    }
                    Ok(built)
                });
                Msg::Queue { generation, result: result.map_err(|e| e.to_string()) }
            }
            Job::Refit => Msg::Refit(super::learner::refit(&root)),
            Job::ClassChange(change) => Msg::ClassChanged {
                undoable: true,
                result: Project::open(&root)
                    .and_then(|mut p| {
                        let changed = kindling::workflow::classes::change(&mut p, &change)?;
                        Ok((format!("{} · Backspace undoes it", changed.said()), p.config.classes))
                    })
                    .map_err(|e| e.to_string()),
            },
            Job::UndoChange => Msg::ClassChanged {
                undoable: false,
                result: Project::open(&root)
                    .and_then(|mut p| {
                        let said = kindling::workflow::classes::undo(&mut p)?;
                        Ok((said.unwrap_or_else(|| "nothing to undo".into()), p.config.classes))
                    })
                    .map_err(|e| e.to_string()),
            },
            Job::Locate { generation, query, id } => {
                let result = LabelStore::open(&labels)
                    .and_then(|store| samples::locate(&source, &store, &query, &id))
                    .map_err(|e| e.to_string());
                Msg::Located { generation, id, result }
            }
            Job::Similar { id } => {
                let result = Project::open(&root)
                    .and_then(|p| {
                        // The live model's featurizer: its vectors are cached already.
                        let embedder = kindling::embed::Embedder::live(&p.config)?;
                        // The cached rows when there are (a refit keeps them fresh); reading the
                        // whole data again for each `n` only when there are none.
                        let vectors = match kindling::embed::cached(&root, &embedder) {
                            Some(v) => v,
                            None => kindling::embed::vectors(&p, &embedder, &Silent)?.0,
                        };
                        let near = kindling::embed::similar::nearest(&vectors, &id, MORE_LIKE_THIS);
                        Ok(near.unwrap_or_default().into_iter().map(|n| n.id).collect())
                    })
                    .map_err(|e| e.to_string());
                Msg::Similar { id, result }
            }
            Job::Export(path) => Msg::Exported(
                Project::open(&root)
                    .and_then(|p| kindling::project::labelling::export(&p, std::path::Path::new(&path), None))
                    .map(|n| format!("wrote {n} label{} to {path}", if n == 1 { "" } else { "s" }))
                    .map_err(|e| e.to_string()),
            ),
            Job::RunReport(id) => Msg::Exported(
                Project::open(&root)
                    .and_then(|p| {
                        let folder = p.root().join("exports");
                        std::fs::create_dir_all(&folder).map_err(|e| kindling::Error::file(&folder, e))?;
                        let path = folder.join(format!("{id}-report.html"));
                        kindling::runs::report::write(&p, &id, &path)?;
                        Ok(format!("wrote the report of run {id} to {}", path.display()))
                    })
                    .map_err(|e| e.to_string()),
            ),
            Job::Cards { ids } => Msg::Cards(
                LabelStore::open(&labels)
                    .and_then(|store| samples::rows_by_ids(&source, &store, &ids))
                    .map_err(|e| e.to_string()),
            ),
            Job::BoxImages => Msg::BoxImages(
                LabelStore::open(&labels)
                    .and_then(|store| {
                        Ok(super::job::BoxImages {
                            ids: source.ids_in_order()?,
                            boxes: store.all_boxes()?.into_iter().collect(),
                            done: store.done_images()?.into_iter().collect(),
                        })
                    })
                    .map_err(|e| e.to_string()),
            ),
            Job::Proposals { id } => {
                let path = source.location().join(&id);
                let result = kindling::runs::detector::propose(&root, &id, &path).map_err(|e| e.to_string());
                Msg::Proposals { id, result }
            }
            Job::Labels => Msg::Labels(
                LabelStore::open(&labels)
                    .and_then(|store| {
                        let events = store.event_count()?;
                        Ok((store.current()?.into_iter().collect(), events))
                    })
                    .map_err(|e| e.to_string()),
            ),
            Job::Count { generation, query } => {
                let last = std::sync::Mutex::new(std::time::Instant::now());
                let progress = |rows| {
                    let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
                    if last.elapsed() >= Duration::from_millis(100) {
                        *last = std::time::Instant::now();
                        let _ = tx.send(Msg::Counting { generation, rows });
                    }
                };
                let result =
                    LabelStore::open(&labels).and_then(|store| samples::count(&source, &store, &query, &progress));
                Msg::Count { generation, result: result.map_err(|e| e.to_string()) }
            }
            Job::Runs => Msg::Runs(kindling::runs::list(&root).map_err(|e| e.to_string())),
            Job::Map { neighbours } => {
                let progress = super::map_job::ToPane::new(tx.clone());
                Msg::Map(super::map_job::data(&root, neighbours, &progress).map_err(|e| e.to_string()))
            }
            Job::MapSample { id, place } => {
                let shown = super::map_job::shown(&source, &labels, &id, place);
                Msg::MapSample { id, shown }
            }
            Job::RunDetail { id } => {
                let result = kindling::runs::detail(&root, &id).map(Box::new).map_err(|e| e.to_string());
                Msg::RunDetail { id, result }
            }
            Job::Report => Msg::Report(
                Project::open(&root)
                    .and_then(|p| readiness::report(&p, &kindling::workflow::label_qa::report(&p)?, &Silent))
                    .map_err(|e| e.to_string()),
            ),
            Job::Summary { generation, query, column } => {
                let result = match source.as_ref() {
                    Source::Table(t) => summary::summarize(t, &query, &column).map_err(|e| e.to_string()),
                    Source::Folder(_) => Err("column summaries apply to tables".to_string()),
                };
                Msg::Summary { generation, column, result }
            }
            Job::Find { generation, query, text, from, forward } => {
                let result = LabelStore::open(&labels)
                    .and_then(|store| samples::find(&source, &store, &query, &text, from, forward))
                    .map_err(|e| e.to_string());
                Msg::Found { generation, text, result }
            }
            Job::Coverage => Msg::Coverage(
                LabelStore::open(&labels)
                    .and_then(|s| {
                        let covered = if detect { s.boxed_image_count()? } else { s.labelled_count()? };
                        Ok((covered, s.event_count()?))
                    })
                    .map_err(|e| e.to_string()),
            ),
            Job::Rows { request, offset, len, query } => {
                let result =
                    LabelStore::open(&labels).and_then(|store| samples::rows(&source, &store, &query, offset, len));
                Msg::Rows { request, offset, result: result.map_err(|e| e.to_string()) }
            }
            Job::Preview { id } => {
                let result = preview::load(&source, &id, preview::WAVEFORM_BUCKETS).map_err(|e| e.to_string());
                Msg::Preview { id, result }
            }
        };
        let _ = tx.send(msg);
    });
}
