//! The workbench: a full-screen terminal UI over a project. The event loop turns keys,
//! mouse, ticks and the results of background work into state changes, and redraws only
//! when something changed. Reading data happens off the UI task.

mod app;
mod augment;
mod augment_view;
mod boxes;
mod boxes_view;
mod browse;
mod browse_view;
mod cells;
mod command;
mod component;
mod job;
mod keys;
mod kitty;
mod label;
mod label_view;
mod label_write;
mod launch;
mod learner;
mod map;
mod map_data;
mod map_dots;
mod map_job;
mod map_view;
mod palette;
mod pane;
mod report;
mod report_view;
mod results;
mod results_view;
mod run_widgets;
mod sample_view;
mod terminal;
mod theme;
mod thumbs;
mod train;
mod train_view;
mod ui;

pub use theme::Background;
mod viewport;
mod worker;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt;
use kindling::data::Source;
use kindling::data::preview::Preview;
use kindling::labels::store::{LabelStore, Origin};
use kindling::project::Project;
use kindling::{Error, Result};
use ratatui_image::picker::{Picker, ProtocolType};
use tokio::signal::unix::{SignalKind, signal};

use app::App;
use job::{Job, Msg};
use keys::{Action, Key, KeyMap};
use pane::Pane;
use worker::{Workers, spawn};

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

pub fn run(dir: &Path, graphics: Graphics, background: Option<Background>) -> Result<()> {
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
    let settings = kindling::settings::path().map(|path| (kindling::settings::load(&path), path));
    let (keymap, problems) = key_map(&project, settings.as_ref());
    let background = background.unwrap_or(match settings.as_ref().and_then(|(s, _)| s.as_ref().ok()?.ui.theme) {
        Some(kindling::settings::Theme::Dark) => Background::Dark,
        Some(kindling::settings::Theme::Light) => Background::Light,
        _ => Background::Auto,
    });
    let mut app = App::new(
        project.config.project.name.clone(),
        project.config.source.kind,
        project.config.classes.clone(),
        keymap,
    );
    app.shared.text_column = project.config.source.text_column.clone();
    if project.config.is_detect() {
        app.label_boxes(project.config.detector.live_every);
        app.panes.train.for_boxes();
    }
    app.panes.augment.settings = project.config.augment.clone();
    app.shared.transforms_on = app.panes.augment.on();
    let settings = &project.config.label;
    app.panes.label.multi = project.config.project.multi_label;
    app.panes.label.advance = settings.advance;
    app.panes.label.seed = settings.seed;
    app.panes.label.refit_every = project.config.live.every;
    app.panes.label.from_table = matches!(source.as_ref(), Source::Table(_));
    app.panes.label.label_column = project.config.source.label_column.clone();
    let mut problems = problems;
    problems.extend(class_key_problems(&mut app));
    if !problems.is_empty() {
        app.message = Some(problems.join("; "));
    }
    let mut term = terminal::enter().map_err(|e| Error::internal(format!("cannot set up the terminal: {e}")))?;
    let workers = Workers {
        source,
        labels: project.labels_path(),
        cache: project.cache_dir(),
        root: project.root().to_path_buf(),
        classes: project.config.class_names(),
        detect: project.config.is_detect(),
    };
    let result =
        runtime.block_on(event_loop(&mut term, &mut app, workers, picker, store, theme::Theme::from_env(background)));
    terminal::leave();
    // Labels are committed on the event loop, so none waits in a job. Dropping the runtime
    // would wait for every job: quitting while the map of 2,000,000 samples was made kept
    // the process (and both cores) for as long as the map took. Short jobs (an export, a
    // saved setting: each written whole through a rename) get a moment to finish.
    runtime.shutdown_timeout(QUIT_GRACE);
    result
}

/// The default keys with the user's and then the project's overrides; problems are shown at
/// start rather than refusing to open.
type LoadedSettings = (Result<kindling::settings::Settings>, std::path::PathBuf);

fn key_map(project: &Project, settings: Option<&LoadedSettings>) -> (KeyMap, Vec<String>) {
    let mut map = KeyMap::defaults();
    let mut problems = Vec::new();
    match settings {
        Some((Ok(settings), path)) => problems.extend(map.apply(&path.display().to_string(), &settings.keys)),
        Some((Err(e), _)) => problems.push(e.to_string()),
        None => {}
    }
    problems.extend(map.apply("kindling.toml", &project.config.keys));
    if let Some(key) = &project.config.label.accept {
        let accept = [("commit".to_string(), kindling::settings::KeyList::One(key.clone()))].into();
        problems.extend(map.apply("kindling.toml [label] accept", &accept));
    }
    (map, problems)
}

/// Class keys win over the Label pane's own keys; say which commands they hide.
fn class_key_problems(app: &mut App) -> Vec<String> {
    let hidden: Vec<(String, String, Action)> = app
        .shared
        .classes
        .iter()
        .filter_map(|c| {
            let key = Key::parse(&c.key)?;
            Some((c.name.clone(), c.key.clone(), app.keymap.action(Pane::Label, key)?))
        })
        .collect();
    hidden
        .into_iter()
        .map(|(name, key, action)| {
            let what = app.describe(Pane::Label, action);
            format!("class \"{name}\" has key {key}, which hides \"{what}\" in the Label pane")
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

async fn event_loop(
    term: &mut terminal::Term,
    app: &mut App,
    workers: Workers,
    picker: Option<Picker>,
    mut store: LabelStore,
    theme: theme::Theme,
) -> Result<()> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Msg>();
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut hangup = signal(SignalKind::hangup()).map_err(|e| Error::internal(e.to_string()))?;
    let mut terminate = signal(SignalKind::terminate()).map_err(|e| Error::internal(e.to_string()))?;
    let mut frame_log = FrameLog::from_env();
    let mut kitty_shown = kitty::Shown::default();
    let mut dirty = true;
    while !app.quit {
        if dirty {
            term.draw(|f| ui::render(f, app, theme)).map_err(|e| Error::internal(format!("cannot draw: {e}")))?;
            if let Some(boxes) = &app.panes.boxes {
                let want = boxes
                    .kitty_placement()
                    .filter(|_| app.pane == pane::Pane::Label && !app.help && app.prompt.is_none());
                kitty_shown
                    .sync(term.backend_mut(), want)
                    .map_err(|e| Error::internal(format!("cannot draw the picture: {e}")))?;
            }
            frame_log.drawn(app.settled(picker.is_some()), app.panes.label.fresh_suggestions.take());
            dirty = false;
            for job in app.jobs() {
                spawn(&workers, &tx, job);
            }
            // The picture's room changed with that frame: encode it for its new size, draw again.
            if encode_label_image(app, picker.as_ref()) {
                dirty = true;
                continue;
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
                    if let Some(write) = app.write.take() {
                        app.written(commit(&mut store, write));
                    }
                }
                Some(Err(e)) => return Err(Error::internal(format!("cannot read the terminal: {e}"))),
                None => break,
            },
            Some(msg) = rx.recv() => {
                let before = app.shared.labelled;
                let coverage = matches!(msg, Msg::Coverage(_));
                if let Msg::Thumbnail { id, result } = msg {
                    let area = app.shared.thumbs.area();
                    let protocol = result.ok().zip(picker.as_ref()).and_then(|(img, picker)| {
                        picker.new_protocol(img, area, ratatui_image::Resize::Scale(None)).ok()
                    });
                    app.shared.thumbs.encoded.insert(id, protocol);
                    dirty = true;
                    continue;
                }
                app.receive(msg);
                if let (Some(picker), None) = (&picker, &app.panes.browse.image)
                    && let Some((_, Ok(Preview::Image(img)))) = &app.panes.browse.preview
                {
                    app.panes.browse.image = Some(picker.new_resize_protocol(img.clone()));
                }
                if let Some(picker) = &picker
                    && let Some(img) = app.panes.map.image_to_encode()
                {
                    app.panes.map.image = Some(picker.new_resize_protocol(img.clone()));
                }
                encode_label_image(app, picker.as_ref());
                if coverage && before.is_some() && before != app.shared.labelled {
                    app.panes.browse.refresh(); // Labels changed elsewhere: show them.
                }
                dirty = !coverage || before != app.shared.labelled;
            }
            _ = tick.tick() => {
                spawn(&workers, &tx, Job::Coverage);
                dirty |= app.tick();
            }
            _ = hangup.recv() => break,
            _ = terminate.recv() => break,
        }
    }
    let _ = kitty_shown.sync(term.backend_mut(), None);
    Ok(())
}

/// Encodes the Label pane's picture when it is new or its room changed; whether it did.
fn encode_label_image(app: &mut App, picker: Option<&Picker>) -> bool {
    let Some(picker) = picker else { return false };
    if let Some(boxes) = &mut app.panes.boxes {
        // Half-blocks show two pixels a cell: the picture is made at that size and drawn as
        // it is, not made at the font's size to be scaled down again (on a 1920×1080 photo
        // at 200×60 that took 0.5 s a key).
        if picker.protocol_type() == ProtocolType::Halfblocks {
            let Some(frame) = boxes.frame_to_encode((1, 2)) else { return false };
            boxes.cells = Some(frame.into_rgb8());
            boxes.image = None;
        } else if picker.protocol_type() == ProtocolType::Kitty {
            let Some(frame) = boxes.kitty_frame(picker.font_size()) else { return false };
            boxes.kitty = Some(frame);
            boxes.image = None;
            boxes.cells = None;
        } else {
            let Some(frame) = boxes.frame_to_encode(picker.font_size()) else { return false };
            boxes.image = Some(picker.new_resize_protocol(frame));
            boxes.cells = None;
        }
        return true;
    }
    let label = &mut app.panes.label;
    let Some((id, img)) = label.image_to_encode() else { return false };
    let cells = label.picture_cells;
    let protocol = picker.new_resize_protocol(enlarged(img, cells, picker.font_size()));
    label.image = Some((id.to_string(), protocol));
    label.encoded_for = cells;
    true
}

/// An image enlarged by a whole factor (nearest neighbour: pixels stay crisp) to fill as
/// much of `cells` as its aspect allows, for `Resize::Fit`, which never enlarges: the
/// terminal library's own scaling would blur a 32 × 32 picture, and cost more to encode.
fn enlarged(img: &image::DynamicImage, cells: (u16, u16), font: (u16, u16)) -> image::DynamicImage {
    let (room_w, room_h) = (cells.0 as u32 * font.0 as u32, cells.1 as u32 * font.1 as u32);
    let k = (room_w / img.width().max(1)).min(room_h / img.height().max(1));
    match k {
        0 | 1 => img.clone(),
        k => img.resize(img.width() * k, img.height() * k, image::imageops::FilterType::Nearest),
    }
}

/// How long quitting waits for background jobs before leaving them.
const QUIT_GRACE: Duration = Duration::from_secs(2);

/// For benchmarks: with `KINDLING_FRAME_LOG=FILE`, the microseconds from each input event to
/// the end of the first frame that shows its whole effect (in the Label pane: the next sample
/// loaded and drawn) are appended to FILE, one per line; and `refit N`, the microseconds from
/// the label that made a refit of the live model due to the frame showing its suggestions.
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

    fn drawn(&mut self, settled: bool, suggestions_keyed: Option<std::time::Instant>) {
        if let (Some(file), Some(keyed)) = (&mut self.file, suggestions_keyed) {
            use std::io::Write;
            let _ = writeln!(file, "refit {}", keyed.elapsed().as_micros());
        }
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
                app.prompt_key(key);
            } else if app.help && key.code == crossterm::event::KeyCode::Esc {
                app.help = false;
            } else {
                return app.key(Key::from_event(&key));
            }
            true
        }
        Event::Mouse(m) => app.mouse(m),
        Event::Resize(..) => true,
        _ => false,
    }
}

/// Commits a box edit, and reads back what the image has now.
fn commit_box(store: &mut LabelStore, edit: label_write::BoxWrite) -> Result<label_write::Written> {
    use label_write::{BoxWrite, Written};
    let origin = Origin::Keyboard;
    let (sample, added) = match edit {
        BoxWrite::Add { sample, class, rect } => {
            let id = store.add_box(&sample, &class, rect, origin)?;
            (sample, Some(id))
        }
        BoxWrite::Change { sample, id, class, rect } => {
            store.change_box(id, &class, rect, origin)?;
            (sample, None)
        }
        BoxWrite::Delete { sample, id } => {
            store.delete_box(id, origin)?;
            (sample, None)
        }
        BoxWrite::Accept { sample, boxes } => {
            for (class, rect) in boxes.into_iter().filter(|(_, r)| r.check().is_ok()) {
                store.add_box(&sample, &class, rect, kindling::labels::store::Origin::Accepted)?;
            }
            (sample, None)
        }
        BoxWrite::Done { sample, done } => {
            store.mark_done(&sample, done, origin)?;
            (sample, None)
        }
        BoxWrite::Undo => match store.undo_box()? {
            Some(undone) => (undone.sample_id, None),
            None => return Ok(Written::NothingToUndo),
        },
    };
    let boxes = store.boxes(&sample)?;
    let done = store.is_done(&sample)?;
    Ok(Written::Boxes { sample, boxes, done, added })
}

/// Commits a label change to the store, durably, before returning.
fn commit(store: &mut LabelStore, write: label_write::Write) -> std::result::Result<label_write::Written, String> {
    use label_write::{Write, Written};
    match write {
        // A review settles a label even when it stays the same: the event says it was looked at.
        Write::Set { ids, label, origin: Origin::Review } => {
            let written: std::result::Result<Vec<i64>, _> =
                ids.iter().map(|id| store.set(id, label.as_deref(), Origin::Review)).collect();
            written.map(|w| Written::Set { ids, label, events: w.len() }).map_err(|e| e.to_string())
        }
        Write::Set { ids, label, origin } => {
            let events = store.set_many(ids.iter().map(|id| (id.as_str(), label.as_deref())), origin);
            events.map(|events| Written::Set { ids, label, events }).map_err(|e| e.to_string())
        }
        Write::Accept { pairs } => {
            let events =
                store.set_many(pairs.iter().map(|(id, class)| (id.as_str(), Some(class.as_str()))), Origin::Bulk);
            events.map(|events| Written::Accepted { pairs, events }).map_err(|e| e.to_string())
        }
        Write::Answer { id, label, kind } => {
            store.answer(&id, &label, kind).map(|_| Written::Answered { id, kind }).map_err(|e| e.to_string())
        }
        Write::Box(edit) => commit_box(store, edit).map_err(|e| e.to_string()),
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

#[cfg(test)]
mod snapshot_tests;
#[cfg(test)]
mod wide_table_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use kindling::progress::Silent;

    #[test]
    fn a_review_settles_a_label_that_stays_the_same_and_an_answer_keeps_the_label() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = LabelStore::create(&dir.path().join("labels.db")).unwrap();
        store.set("a", Some("cat"), Origin::Keyboard).unwrap();
        let same =
            label_write::Write::Set { ids: vec!["a".into()], label: Some("cat".into()), origin: Origin::Keyboard };
        assert!(matches!(commit(&mut store, same), Ok(label_write::Written::Set { events: 0, .. })));
        let review =
            label_write::Write::Set { ids: vec!["a".into()], label: Some("cat".into()), origin: Origin::Review };
        assert!(matches!(commit(&mut store, review), Ok(label_write::Written::Set { events: 1, .. })));
        assert_eq!(store.events().unwrap().last().map(|e| e.origin), Some(Origin::Review));
        let answer = label_write::Write::Answer {
            id: "a".into(),
            label: "dog".into(),
            kind: kindling::labels::store::Ask::Echo,
        };
        assert!(matches!(commit(&mut store, answer), Ok(label_write::Written::Answered { .. })));
        assert_eq!(store.get("a").unwrap().as_deref(), Some("cat"));
    }

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

    #[test]
    fn label_accept_moves_the_accept_key() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.csv"), "x\n1\n2\n").unwrap();
        let opts = kindling::project::init::InitOptions {
            dir: dir.path().join("p"),
            source: dir.path().join("t.csv"),
            classes: Some(vec!["a".into(), "b".into()]),
            ..Default::default()
        };
        let (mut project, _) = kindling::project::init::init(&opts, &Silent).unwrap();
        project.config.label.accept = Some("y".into());
        let (map, problems) = key_map(&project, None);
        assert!(problems.is_empty(), "{problems:?}");
        let key = |code| Key { code, mods: crossterm::event::KeyModifiers::NONE };
        assert_eq!(map.action(Pane::Label, key(crossterm::event::KeyCode::Char('y'))), Some(Action::Commit));
        assert_eq!(map.action(Pane::Label, key(crossterm::event::KeyCode::Enter)), None);
    }
}
