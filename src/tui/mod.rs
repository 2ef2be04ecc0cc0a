//! The workbench: a full-screen terminal UI over a project. The event loop turns keys,
//! mouse, ticks and the results of background work into state changes, and redraws only
//! when something changed. Reading data happens off the UI task.

mod app;
mod augment;
mod augment_view;
mod browse;
mod browse_view;
mod keys;
mod label;
mod label_view;
mod launch;
mod report;
mod report_view;
mod results;
mod results_view;
mod sample_view;
mod terminal;
mod thumbs;
mod train;
mod train_view;
mod ui;
mod viewport;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind, MouseButton, MouseEventKind};
use futures::StreamExt;
use kindling::data::Source;
use kindling::data::preview::{self, Preview};
use kindling::data::{summary, thumbnail};
use kindling::labels::store::LabelStore;
use kindling::progress::Silent;
use kindling::project::Project;
use kindling::project::{queue, samples};
use kindling::readiness;
use kindling::{Error, Result};
use ratatui_image::picker::{Picker, ProtocolType};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc::UnboundedSender;

use app::{App, Job, Msg, Pane};
use keys::{Action, Key, KeyMap};

/// How images are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Graphics {
    Auto,
    Kitty,
    Sixel,
    Iterm,
    Halfblocks,
    None,
}

/// Waveform resolution loaded for audio previews.
const WAVEFORM_BUCKETS: usize = 400;

pub fn run(dir: &Path, graphics: Graphics) -> Result<()> {
    // Everything that can fail on bad input fails here, before the terminal changes.
    let project = Project::open(dir)?;
    let source = Arc::new(project.source()?);
    let store = project.labels()?;
    let picker = pick_graphics(graphics);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::internal(format!("cannot start the event loop: {e}")))?;
    let (keymap, problems) = key_map(&project);
    let mut app = App::new(
        project.config.project.name.clone(),
        project.config.source.kind,
        project.config.classes.clone(),
        keymap,
    );
    app.text_column = project.config.source.text_column.clone();
    app.augment.settings = project.config.augment.clone();
    let settings = &project.config.label;
    app.label.multi = project.config.project.multi_label;
    app.label.advance = settings.advance;
    app.label.seed = settings.seed;
    app.label.from_table = matches!(source.as_ref(), Source::Table(_));
    app.label.label_column = project.config.source.label_column.clone();
    let mut problems = problems;
    problems.extend(class_key_problems(&app));
    if !problems.is_empty() {
        app.message = Some(problems.join("; "));
    }
    let mut term = terminal::enter().map_err(|e| Error::internal(format!("cannot set up the terminal: {e}")))?;
    let ctx = Context {
        source,
        labels: project.labels_path(),
        cache: project.cache_dir(),
        root: project.root().to_path_buf(),
        classes: project.config.class_names(),
        picker,
    };
    let result = runtime.block_on(event_loop(&mut term, &mut app, ctx, store));
    terminal::leave();
    result
}

/// The default keys with the user's and then the project's overrides; problems are shown at
/// start rather than refusing to open.
fn key_map(project: &Project) -> (KeyMap, Vec<String>) {
    let mut map = KeyMap::defaults();
    let mut problems = Vec::new();
    if let Some(path) = kindling::settings::path() {
        match kindling::settings::load(&path) {
            Ok(settings) => problems.extend(map.apply(&path.display().to_string(), &settings.keys)),
            Err(e) => problems.push(e.to_string()),
        }
    }
    problems.extend(map.apply("kindling.toml", &project.config.keys));
    (map, problems)
}

/// Class keys win over the Label pane's own keys; say which commands they hide.
fn class_key_problems(app: &App) -> Vec<String> {
    app.classes
        .iter()
        .filter_map(|c| {
            let key = Key::parse(&c.key)?;
            let hidden = app.keymap.action(Pane::Label, key)?;
            Some(format!(
                "class \"{}\" has key {}, which hides \"{}\" in the Label pane",
                c.name,
                c.key,
                hidden.describe_in(Pane::Label)
            ))
        })
        .collect()
}

/// Chosen once at start, before the input reader starts. Detection reads the environment
/// rather than querying the terminal: the query's reader thread outlives a terminal that
/// does not answer in time and then steals keystrokes (seen in tmux).
fn pick_graphics(graphics: Graphics) -> Option<Picker> {
    let with = |p: ProtocolType| {
        let mut picker = Picker::halfblocks();
        picker.set_protocol_type(p);
        Some(picker)
    };
    match graphics {
        Graphics::None => None,
        Graphics::Halfblocks => Some(Picker::halfblocks()),
        Graphics::Kitty => with(ProtocolType::Kitty),
        Graphics::Sixel => with(ProtocolType::Sixel),
        Graphics::Iterm => with(ProtocolType::Iterm2),
        Graphics::Auto => with(protocol_from_env(|k| std::env::var(k).unwrap_or_default())),
    }
}

/// The graphics protocol the terminal we run in is known to support.
fn protocol_from_env(var: impl Fn(&str) -> String) -> ProtocolType {
    let (term, program) = (var("TERM"), var("TERM_PROGRAM"));
    if !var("TMUX").is_empty() {
        ProtocolType::Halfblocks // tmux needs passthrough set up for the others.
    } else if !var("KITTY_WINDOW_ID").is_empty() || term.contains("kitty") || term.contains("ghostty") {
        ProtocolType::Kitty
    } else if program == "iTerm.app" || program == "WezTerm" || !var("WEZTERM_EXECUTABLE").is_empty() {
        ProtocolType::Iterm2
    } else if term.starts_with("foot") || term.contains("mlterm") || term.contains("sixel") {
        ProtocolType::Sixel
    } else {
        ProtocolType::Halfblocks
    }
}

struct Context {
    source: Arc<Source>,
    labels: PathBuf,
    cache: PathBuf,
    root: PathBuf,
    classes: Vec<String>,
    picker: Option<Picker>,
}

async fn event_loop(term: &mut terminal::Term, app: &mut App, ctx: Context, mut store: LabelStore) -> Result<()> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Msg>();
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut hangup = signal(SignalKind::hangup()).map_err(|e| Error::internal(e.to_string()))?;
    let mut terminate = signal(SignalKind::terminate()).map_err(|e| Error::internal(e.to_string()))?;
    let theme = ui::Theme::from_env();
    let mut frame_log = FrameLog::from_env();
    let mut dirty = true;
    while !app.quit {
        if dirty {
            term.draw(|f| ui::render(f, app, theme)).map_err(|e| Error::internal(format!("cannot draw: {e}")))?;
            frame_log.drawn(app.pane != Pane::Label || app.label.settled(ctx.picker.is_some()));
            dirty = false;
            for job in app.jobs() {
                spawn(&ctx, &tx, job);
            }
        }
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => {
                    dirty = handle_event(app, event);
                    if dirty {
                        frame_log.key_pressed();
                    }
                    // A label is committed before the frame that moves past it is drawn.
                    if let Some(write) = app.label.write.take() {
                        let result = commit(&mut store, write);
                        if result.is_ok() {
                            app.browse.refresh();
                            app.requests.push(Job::Coverage);
                        }
                        app.label.written(result, std::time::Instant::now());
                    }
                }
                Some(Err(e)) => return Err(Error::internal(format!("cannot read the terminal: {e}"))),
                None => break,
            },
            Some(msg) = rx.recv() => {
                let before = app.labelled;
                let coverage = matches!(msg, Msg::Coverage(_));
                if let Msg::Thumbnail { id, result } = msg {
                    let protocol = result.ok().zip(ctx.picker.as_ref()).and_then(|(img, picker)| {
                        picker.new_protocol(img, browse_view::THUMB_AREA, ratatui_image::Resize::Scale(None)).ok()
                    });
                    app.thumbs.encoded.insert(id, protocol);
                    dirty = true;
                    continue;
                }
                app.receive(msg);
                if let (Some(picker), None) = (&ctx.picker, &app.browse.image)
                    && let Some((_, Ok(Preview::Image(img)))) = &app.browse.preview
                {
                    app.browse.image = Some(picker.new_resize_protocol(img.clone()));
                }
                if let Some(picker) = &ctx.picker
                    && let Some((id, img)) = app.label.image_to_encode()
                {
                    app.label.image = Some((id.to_string(), picker.new_resize_protocol(enlarged(img))));
                }
                if coverage && before.is_some() && before != app.labelled {
                    app.browse.refresh(); // Labels changed elsewhere: show them.
                }
                dirty = !coverage || before != app.labelled;
            }
            _ = tick.tick() => {
                spawn(&ctx, &tx, Job::Coverage);
                dirty |= app.tick();
            }
            _ = hangup.recv() => break,
            _ = terminate.recv() => break,
        }
    }
    Ok(())
}

/// Small images enlarged for the Label pane (nearest neighbour: pixels stay crisp), which
/// draws them with `Resize::Fit`: scaling a tiny image up to the whole pane in pixels made
/// each frame cost far more to encode for kitty / sixel terminals than it shows.
fn enlarged(img: &image::DynamicImage) -> image::DynamicImage {
    const SIDE: u32 = 256;
    let long = img.width().max(img.height()).max(1);
    match SIDE / long {
        0 | 1 => img.clone(),
        k => img.resize(img.width() * k, img.height() * k, image::imageops::FilterType::Nearest),
    }
}

/// For benchmarks: with `KINDLING_FRAME_LOG=FILE`, the microseconds from each input event to
/// the end of the first frame that shows its whole effect (in the Label pane: the next sample
/// loaded and drawn) are appended to FILE, one per line.
struct FrameLog {
    file: Option<std::fs::File>,
    pending: Option<std::time::Instant>,
}

impl FrameLog {
    fn from_env() -> FrameLog {
        let file = std::env::var_os("KINDLING_FRAME_LOG")
            .and_then(|p| std::fs::OpenOptions::new().create(true).append(true).open(p).ok());
        FrameLog { file, pending: None }
    }

    fn key_pressed(&mut self) {
        if self.file.is_some() && self.pending.is_none() {
            self.pending = Some(std::time::Instant::now());
        }
    }

    fn drawn(&mut self, settled: bool) {
        if !settled {
            return;
        }
        if let (Some(file), Some(start)) = (&mut self.file, self.pending.take()) {
            use std::io::Write;
            let _ = writeln!(file, "{}", start.elapsed().as_micros());
        }
    }
}

/// Applies one terminal event; returns whether the screen must be redrawn.
fn handle_event(app: &mut App, event: Event) -> bool {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => {
            if app.prompt.is_some() {
                app.prompt_key(key.code);
            } else if app.help && key.code == crossterm::event::KeyCode::Esc {
                app.help = false;
            } else if let Some(class) = app.class_of_key(Key::from_event(&key)).filter(|_| app.pane == Pane::Label) {
                app.label.class_key(class);
            } else if let Some(action) = app.keymap.action(app.pane, Key::from_event(&key)) {
                app.act(action);
            } else {
                return false;
            }
            true
        }
        Event::Mouse(m) if app.pane == Pane::Browse => match m.kind {
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let action = if m.kind == MouseEventKind::ScrollDown { Action::Down } else { Action::Up };
                (0..3).for_each(|_| app.act(action));
                true
            }
            MouseEventKind::Down(MouseButton::Left) => {
                // Rows start below the tab bar, the pane border and (for tables) the header.
                let header = usize::from(!app.browse.columns.is_empty());
                if let Some(n) = (m.row as usize).checked_sub(2 + header) {
                    app.browse.click(n);
                }
                true
            }
            _ => false,
        },
        Event::Resize(..) => true,
        _ => false,
    }
}

/// Commits a label change to the store, durably, before returning.
fn commit(store: &mut LabelStore, write: label::Write) -> std::result::Result<label::Written, String> {
    use label::{Write, Written};
    match write {
        Write::Set { ids, label, origin } => {
            let events = store.set_many(ids.iter().map(|id| (id.as_str(), label.as_deref())), origin);
            events.map(|events| Written::Set { ids, label, events }).map_err(|e| e.to_string())
        }
        Write::Undo { events } => {
            let mut undone = Vec::new();
            for _ in 0..events {
                match store.undo() {
                    Ok(Some(u)) => undone.push(u),
                    Ok(None) => break,
                    Err(e) => return Err(e.to_string()),
                }
            }
            Ok(Written::Undone(undone))
        }
    }
}

fn spawn(ctx: &Context, tx: &UnboundedSender<Msg>, job: Job) {
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
                let result = preview::load(&source, &id, WAVEFORM_BUCKETS).map_err(|e| e.to_string());
                if tx.send(Msg::Preview { id, result }).is_err() {
                    return;
                }
            }
        });
        return;
    }
    let (root, classes, cache) = (ctx.root.clone(), ctx.classes.clone(), ctx.cache.clone());
    tokio::task::spawn_blocking(move || {
        let msg = match job {
            Job::Thumbnails { .. } | Job::Previews { .. } => return,
            Job::Launch(launch) => return launch::start(&root, &cache, &launch, tx),
            Job::Cancel { pid } => Msg::Cancelled(kindling::runs::active::terminate(pid).map_err(|e| e.to_string())),
            Job::AugmentPreview { generation, id, plan, copies, seed } => {
                let result = Project::open(&root)
                    .and_then(|p| kindling::augment::preview::versions(&p, &id, &plan, copies, seed))
                    .map(augment::for_display)
                    .map_err(|e| e.to_string());
                Msg::AugmentPreview { generation, result }
            }
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
                let result = LabelStore::open(&labels)
                    .and_then(|store| queue::build(&root, &source, &store, &classes, order, review.as_ref(), seed));
                Msg::Queue { generation, result: result.map_err(|e| e.to_string()) }
            }
            Job::Cards { ids } => Msg::Cards(
                LabelStore::open(&labels)
                    .and_then(|store| samples::rows_by_ids(&source, &store, &ids))
                    .map_err(|e| e.to_string()),
            ),
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
            Job::RunDetail { id } => {
                let result = kindling::runs::detail(&root, &id).map(Box::new).map_err(|e| e.to_string());
                Msg::RunDetail { id, result }
            }
            Job::Report => Msg::Report(
                Project::open(&root).and_then(|p| readiness::report(&p, &Silent)).map_err(|e| e.to_string()),
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
                    .and_then(|s| Ok((s.labelled_count()?, s.event_count()?)))
                    .map_err(|e| e.to_string()),
            ),
            Job::Rows { request, offset, len, query } => {
                let result =
                    LabelStore::open(&labels).and_then(|store| samples::rows(&source, &store, &query, offset, len));
                Msg::Rows { request, offset, result: result.map_err(|e| e.to_string()) }
            }
            Job::Preview { id } => {
                let result = preview::load(&source, &id, WAVEFORM_BUCKETS).map_err(|e| e.to_string());
                Msg::Preview { id, result }
            }
        };
        let _ = tx.send(msg);
    });
}

#[cfg(test)]
mod snapshot_tests;
#[cfg(test)]
mod wide_table_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphics_follow_the_terminal() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|(n, _)| *n == k).map_or(String::new(), |(_, v)| v.to_string())
        };
        assert_eq!(protocol_from_env(env(&[("TERM", "xterm-kitty")])), ProtocolType::Kitty);
        assert_eq!(protocol_from_env(env(&[("TERM_PROGRAM", "iTerm.app")])), ProtocolType::Iterm2);
        assert_eq!(protocol_from_env(env(&[("TERM", "foot")])), ProtocolType::Sixel);
        assert_eq!(protocol_from_env(env(&[("TERM", "xterm-256color")])), ProtocolType::Halfblocks);
        assert_eq!(
            protocol_from_env(env(&[("TERM", "xterm-kitty"), ("TMUX", "/tmp/t,1,0")])),
            ProtocolType::Halfblocks
        );
    }
}
