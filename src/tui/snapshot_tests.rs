//! Panes rendered into ratatui's `TestBackend` and compared with the text snapshots in
//! `src/tui/snapshots/`. Set `UPDATE_SNAPSHOTS=1` to rewrite them after a deliberate change.

use kindling::data::SourceKind;
use kindling::data::preview::{AudioSummary, Preview};
use kindling::project::config::ClassConfig;
use kindling::project::samples::{SampleRow, TableColumn};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::app::App;
use super::job::{Job, Msg};
use super::keys::{Action, KeyMap};
use super::pane::Pane;
use super::theme::Theme;
use super::ui;

fn classes() -> Vec<ClassConfig> {
    ["oak", "pine", "elm"]
        .iter()
        .enumerate()
        .map(|(i, n)| ClassConfig { name: n.to_string(), key: (i + 1).to_string(), colour: "red".into() })
        .collect()
}

pub(super) fn app(kind: SourceKind) -> App {
    App::new("trees".into(), kind, classes(), KeyMap::defaults())
}

pub(super) fn draw(app: &mut App, width: u16, height: u16) -> String {
    let mut term = Terminal::new(TestBackend::new(width, height)).unwrap();
    // Two frames: the first sets the page size, as in the real loop.
    term.draw(|f| ui::render(f, app, Theme { colour: false, light: false })).unwrap();
    term.draw(|f| ui::render(f, app, Theme { colour: false, light: false })).unwrap();
    let buffer = term.backend().buffer();
    let mut text = String::new();
    for y in 0..buffer.area.height {
        let line: String = (0..buffer.area.width).map(|x| buffer[(x, y)].symbol().to_string()).collect();
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

pub(super) fn check(name: &str, actual: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui/snapshots").join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!("no snapshot {}; run with UPDATE_SNAPSHOTS=1 and review it:\n{actual}", path.display())
    });
    assert_eq!(actual, expected, "snapshot {name} differs (UPDATE_SNAPSHOTS=1 rewrites it after review)");
}

/// Columns named `names`; those in `floats` hold floats.
fn columns(names: &[&str], floats: &[&str]) -> Vec<TableColumn> {
    names.iter().map(|n| TableColumn { name: n.to_string(), float: floats.contains(n) }).collect()
}

fn table_rows(offset: usize, n: usize) -> Vec<SampleRow> {
    (offset..offset + n)
        .map(|i| SampleRow {
            id: format!("k{i}"),
            label: [Some("oak"), None, Some("elm")][i % 3].map(str::to_string),
            values: vec![
                (i % 7 != 0).then(|| format!("{:.1}", 10.0 + i as f64 * 0.5)),
                Some(["red", "green", "blue"][i % 3].into()),
                Some(format!("a note, number {i} with more words than fit")),
            ],
        })
        .collect()
}

fn with_table(app: &mut App, total: usize) {
    app.receive(Msg::Count { generation: 0, result: Ok(total) });
    app.panes.browse.set_page(20);
    app.jobs();
    let columns = columns(&["height", "colour", "note"], &["height"]);
    app.receive(Msg::Rows { request: 1, offset: 0, result: Ok((columns, table_rows(0, 420))) });
    app.receive(Msg::Coverage(Ok((2, 2))));
}

/// A white disc on black, 16×16.
fn disc() -> image::DynamicImage {
    image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(16, 16, |x, y| {
        let inside = (x as i32 - 8).pow(2) + (y as i32 - 8).pow(2) < 30;
        if inside { image::Rgb([255, 255, 255]) } else { image::Rgb([0, 0, 0]) }
    }))
}

fn with_files(app: &mut App, ids: &[&str]) {
    app.receive(Msg::Count { generation: 0, result: Ok(ids.len()) });
    app.jobs();
    let rows = ids
        .iter()
        .enumerate()
        .map(|(i, id)| SampleRow { id: id.to_string(), label: (i == 0).then(|| "pine".into()), values: Vec::new() })
        .collect();
    app.receive(Msg::Rows { request: 1, offset: 0, result: Ok((Vec::new(), rows)) });
    app.receive(Msg::Coverage(Ok((1, 1))));
    app.jobs();
}

#[test]
fn table_at_80x24() {
    let mut a = app(SourceKind::Table);
    with_table(&mut a, 1000);
    a.act(Action::Down);
    a.act(Action::Down);
    check("table_80x24", &draw(&mut a, 80, 24));
    a.act(Action::Right);
    check("table_80x24_scrolled_right", &draw(&mut a, 80, 24));
}

#[test]
fn column_summary_beside_the_grid() {
    use kindling::data::summary::ColumnSummary;
    let mut a = app(SourceKind::Table);
    with_table(&mut a, 1000);
    a.act(Action::Summary);
    a.jobs();
    let summary = ColumnSummary {
        column: "height".into(),
        dtype: "f64".into(),
        float: true,
        rows: 1000,
        nulls: 143,
        distinct: 857,
        min: Some("10.5".into()),
        max: Some("509.5".into()),
        mean: Some(260.0),
        top: vec![("10.5".into(), 1), ("11".into(), 1)],
    };
    a.receive(Msg::Summary { generation: 0, column: "height".into(), result: Ok(summary) });
    check("table_summary_80x24", &draw(&mut a, 80, 24));
}

#[test]
fn readiness_report_in_browse() {
    use kindling::readiness::{Check, Finding, Report, Severity};
    let mut a = app(SourceKind::Table);
    with_table(&mut a, 1000);
    a.act(Action::Report);
    assert!(a.jobs().iter().any(|j| matches!(j, Job::Report)));
    let findings = vec![
        Finding::new(Check::MissingValues, Severity::Warning, 143, "143 of 1000 values missing (14.3%)")
            .column("height")
            .examples(["k0".to_string(), "k7".to_string()])
            .suggest("baselines impute them"),
        Finding::new(
            Check::SplitLeakage,
            Severity::Error,
            2,
            "1 groups of duplicate samples sit in both train and valid/test",
        )
        .examples(["k3".to_string(), "k9".to_string()])
        .suggest("put each group of duplicates in one split"),
    ];
    let profile = vec![("rows".to_string(), "1000".to_string())];
    a.receive(Msg::Report(Ok(Report { band: "B".into(), findings, profile })));
    check("readiness_report_80x24", &draw(&mut a, 80, 24));
}

#[test]
fn table_at_200x60() {
    let mut a = app(SourceKind::Table);
    with_table(&mut a, 1000);
    let screen = draw(&mut a, 200, 60);
    check("table_200x60", &screen);
    // The room a wide screen has goes to the long text, not to empty columns beside it.
    assert!(screen.contains("a note, number 0 with more words than fit "), "{screen}");
}

#[test]
fn text_of_a_table_row() {
    let mut a = app(SourceKind::Text);
    a.shared.text_column = Some("review".into());
    a.receive(Msg::Count { generation: 0, result: Ok(2) });
    a.jobs();
    let rows = vec![
        SampleRow {
            id: "0".into(),
            label: Some("oak".into()),
            values: vec![Some(
                "The first review, long enough to wrap over more than one line of the panel below the grid.".into(),
            )],
        },
        SampleRow { id: "1".into(), label: None, values: vec![Some("short".into())] },
    ];
    a.receive(Msg::Rows { request: 1, offset: 0, result: Ok((columns(&["review"], &[]), rows)) });
    check("text_table_80x24", &draw(&mut a, 80, 24));
}

#[test]
fn text_files() {
    let mut a = app(SourceKind::Text);
    with_files(&mut a, &["a.txt", "nested/b.txt"]);
    let text = "A plain text sample that is long enough to wrap inside the preview panel.".to_string();
    a.receive(Msg::Preview { id: "a.txt".into(), result: Ok(Preview::Text { text, truncated: false }) });
    check("text_files_80x24", &draw(&mut a, 80, 24));
}

#[test]
fn audio_files() {
    let mut a = app(SourceKind::Audio);
    with_files(&mut a, &["sine_001.wav", "hiss_001.wav"]);
    let peaks = (0..400)
        .map(|i| {
            let v = (i as f32 / 40.0).sin().abs() * 0.9;
            (-v, v)
        })
        .collect();
    let summary = AudioSummary { sample_rate: 8000, channels: 1, bits: 16, seconds: 0.5, peaks };
    a.receive(Msg::Preview { id: "sine_001.wav".into(), result: Ok(Preview::Audio(summary)) });
    check("audio_files_80x24", &draw(&mut a, 80, 24));
}

#[test]
fn image_files_in_halfblocks() {
    let mut a = app(SourceKind::Images);
    with_files(&mut a, &["circle_0001.png", "cross_0001.png"]);
    let img = disc();
    a.receive(Msg::Preview { id: "circle_0001.png".into(), result: Ok(Preview::Image(img.clone())) });
    a.panes.browse.image = Some(ratatui_image::picker::Picker::halfblocks().new_resize_protocol(img));
    check("images_80x24", &draw(&mut a, 80, 24));
}

#[test]
fn image_thumbnail_grid() {
    let mut a = app(SourceKind::Images);
    let ids: Vec<String> = (1..=12).map(|i| format!("shape_{i:02}.png")).collect();
    with_files(&mut a, &ids.iter().map(String::as_str).collect::<Vec<_>>());
    a.act(Action::Grid);
    let picker = ratatui_image::picker::Picker::halfblocks();
    let disc = disc();
    for id in &ids[..3] {
        let protocol = picker
            .new_protocol(
                disc.clone(),
                super::cells::thumb_area(super::cells::CELL),
                ratatui_image::Resize::Scale(None),
            )
            .ok();
        a.shared.thumbs.encoded.insert(id.clone(), protocol);
    }
    a.act(Action::Right);
    check("image_grid_80x24", &draw(&mut a, 80, 24));
}

#[test]
fn a_wide_terminal_gets_larger_thumbnails_and_more_of_them() {
    let mut a = app(SourceKind::Images);
    let ids: Vec<String> = (1..=40).map(|i| format!("shape_{i:02}.png")).collect();
    with_files(&mut a, &ids.iter().map(String::as_str).collect::<Vec<_>>());
    a.act(Action::Grid);
    draw(&mut a, 200, 60);
    a.jobs();
    let area = a.shared.thumbs.area();
    assert!(area.width > super::cells::CELL.0, "thumbnails at 200×60 drawn {area:?}");
    let picker = ratatui_image::picker::Picker::halfblocks();
    for id in &ids[..2] {
        let protocol = picker.new_protocol(disc(), area, ratatui_image::Resize::Scale(None)).ok();
        a.shared.thumbs.encoded.insert(id.clone(), protocol);
    }
    let wide = draw(&mut a, 200, 60);
    check("image_grid_200x60", &wide);
    assert_eq!(a.panes.browse.per_row, 8, "{wide}");
    // The picture fills its larger cell: half-blocks over more than the 80×24 grid's 7 rows.
    let picture: Vec<usize> =
        wide.lines().enumerate().filter(|(_, l)| l.contains('▀') || l.contains('▄')).map(|(i, _)| i).collect();
    let tall = picture.last().zip(picture.first()).map_or(0, |(last, first)| last - first + 1);
    assert!(tall > 7, "the picture spans {tall} rows:\n{wide}");
}

#[test]
fn help_lists_the_keys_of_the_pane() {
    let mut a = app(SourceKind::Table);
    with_table(&mut a, 10);
    a.act(Action::Help);
    check("help_browse_80x24", &draw(&mut a, 80, 24));
}

#[test]
fn augment_pane_without_a_sample_says_where_to_pick_one() {
    let mut a = app(SourceKind::Images);
    a.act(Action::GotoPane(Pane::Augment));
    check("augment_empty_80x24", &draw(&mut a, 80, 24));
}

/// The Label pane with a queue of `ids`, some already labelled.
fn with_queue(a: &mut App, ids: &[&str], labelled: &[(&str, &str)]) {
    with_queue_agreeing(a, ids, labelled, None);
}

fn with_queue_agreeing(a: &mut App, ids: &[&str], labelled: &[(&str, &str)], qa: Option<Box<kindling::qa::QaReport>>) {
    a.act(Action::GotoPane(Pane::Label));
    a.jobs();
    let data = super::label::QueueData {
        ids: ids.iter().map(|s| s.to_string()).collect(),
        labels: labelled.iter().map(|(i, l)| (i.to_string(), l.to_string())).collect(),
        total: ids.len(),
        run: None,
        events: 0,
        note: None,
        live: None,
        asks: Default::default(),
        notes: Default::default(),
        qa,
    };
    a.receive(Msg::Queue { generation: 0, result: Ok(data) });
    a.jobs();
}

/// What `kindling qa` says of echoes answered as `pairs` (first, second).
fn qa_of(pairs: &[(&str, &str)]) -> kindling::qa::QaReport {
    let echoes = pairs
        .iter()
        .enumerate()
        .map(|(i, (first, second))| kindling::qa::answers::Echo {
            seq: i as i64,
            sample_id: format!("s{i}"),
            first: first.to_string(),
            first_ms: 0,
            second: second.to_string(),
            second_ms: 1,
            after_labels: i,
        })
        .collect();
    let answers = kindling::qa::answers::Answers { echoes, ..Default::default() };
    kindling::qa::report::report(&answers, None, 0)
}

#[test]
fn the_label_pane_says_self_agreement_once_echoes_are_answered() {
    let mut a = app(SourceKind::Images);
    with_queue(&mut a, &["a.png", "b.png"], &[("a.png", "oak")]);
    assert!(!draw(&mut a, 100, 30).contains("self-agreement"), "no echoes answered yet");
    let mut qa = qa_of(&[("oak", "oak"), ("oak", "elm"), ("elm", "elm"), ("pine", "pine"), ("elm", "elm")]);
    with_queue_agreeing(&mut a, &["a.png", "b.png"], &[("a.png", "oak")], Some(Box::new(qa.clone())));
    let screen = draw(&mut a, 100, 30);
    assert!(screen.contains("self-agreement 0.80 on 5"), "{screen}");
    assert!(screen.contains("κ 0.69 ("), "{screen}");
    assert!(!screen.contains("dropped"), "{screen}");
    // A drop in care is said, with what fell.
    qa.drop = Some(kindling::qa::report::DropSeen {
        before: None,
        after: None,
        model_before: Some(0.81),
        model_after: Some(0.7),
        p_value: 0.01,
        since_ms: 0,
        after_labels: 312,
        minutes: 38.0,
    });
    with_queue_agreeing(&mut a, &["a.png", "b.png"], &[("a.png", "oak")], Some(Box::new(qa)));
    let screen = draw(&mut a, 100, 30);
    assert!(screen.contains("care fell at label 312 "), "{screen}");
    assert!(screen.contains("  model 0.81 → 0.70 "), "{screen}");
    assert!(!screen.contains("re-asks"), "none on either side: {screen}");
}

#[test]
fn label_an_image() {
    let mut a = app(SourceKind::Images);
    with_queue(&mut a, &["a.png", "b.png", "c.png", "d.png"], &[("a.png", "oak"), ("d.png", "pine")]);
    a.receive(Msg::Preview { id: "b.png".into(), result: Ok(Preview::Image(disc())) });
    let picker = ratatui_image::picker::Picker::halfblocks();
    draw(&mut a, 80, 24); // the picture's room is known once drawn
    assert!(super::encode_label_image(&mut a, Some(&picker)));
    assert!(!super::encode_label_image(&mut a, Some(&picker)), "once for one size");
    check("label_image_80x24", &draw(&mut a, 80, 24));
}

#[test]
fn a_small_image_fills_the_label_pane() {
    let mut a = app(SourceKind::Images);
    with_queue(&mut a, &["a.png"], &[]);
    let square = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(32, 32, image::Rgb([250, 250, 250])));
    a.receive(Msg::Preview { id: "a.png".into(), result: Ok(Preview::Image(square)) });
    let picker = ratatui_image::picker::Picker::halfblocks();
    draw(&mut a, 80, 24);
    assert!(super::encode_label_image(&mut a, Some(&picker)));
    // A larger terminal: the picture is encoded again for its room, and fills it.
    draw(&mut a, 120, 50);
    assert!(super::encode_label_image(&mut a, Some(&picker)), "a new size, a new encoding");
    let mut term = Terminal::new(TestBackend::new(120, 50)).unwrap();
    term.draw(|f| ui::render(f, &mut a, Theme { colour: false, light: false })).unwrap();
    let buffer = term.backend().buffer();
    // Half-blocks paint the picture's cells in its colours.
    let painted = |y: u16| (0..120).filter(|&x| buffer[(x, y)].bg != ratatui::style::Color::Reset).count();
    let widest = (0..50).map(painted).max().unwrap_or(0);
    let rows = (0..50).filter(|&y| painted(y) > 0).count();
    assert!(widest >= 80, "a 32×32 picture 80 cells wide or more, got {widest}");
    assert!(rows * 2 >= widest * 9 / 10, "square: {rows} rows of two pixels for {widest} columns");
}

#[test]
fn label_a_table_row_as_a_card() {
    let mut a = app(SourceKind::Table);
    let ids: Vec<String> = (0..30).map(|i| format!("k{i}")).collect();
    let labelled: Vec<(&str, &str)> = ids[..25].iter().map(|i| (i.as_str(), "oak")).collect();
    with_queue(&mut a, &ids.iter().map(String::as_str).collect::<Vec<_>>(), &labelled);
    let rows = table_rows(25, 1);
    a.receive(Msg::Cards(Ok((columns(&["height", "colour", "note"], &["height"]), rows))));
    check("label_table_80x24", &draw(&mut a, 80, 24));
}

#[test]
fn label_texts_in_a_grid_with_marks_multi_label() {
    let mut a = app(SourceKind::Text);
    a.panes.label.multi = true;
    let ids: Vec<String> = (0..8).map(|i| format!("t{i}.txt")).collect();
    with_queue(&mut a, &ids.iter().map(String::as_str).collect::<Vec<_>>(), &[("t0.txt", "oak|elm")]);
    for (i, id) in ids.iter().enumerate() {
        let text = format!("Ticket {i}: the export button does nothing when the report is empty.");
        a.receive(Msg::Preview { id: id.clone(), result: Ok(Preview::Text { text, truncated: false }) });
    }
    a.act(Action::Grid);
    draw(&mut a, 80, 24);
    a.act(Action::Skip);
    a.act(Action::Skip);
    a.act(Action::Range);
    a.act(Action::Right);
    check("label_text_grid_80x24", &draw(&mut a, 80, 24));
}

#[test]
fn help_lists_the_label_keys() {
    let mut a = app(SourceKind::Images);
    with_queue(&mut a, &["a.png"], &[]);
    a.act(Action::Help);
    check("help_label_80x24", &draw(&mut a, 80, 24));
}

/// A finished run over classes oak, elm, pine, made by hand.
fn fixture_run(id: &str, accuracy: f64) -> (kindling::runs::RunSummary, kindling::runs::RunDetail) {
    let classes: Vec<String> = ["oak", "elm", "pine"].map(String::from).to_vec();
    fixture_run_of(id, accuracy, classes, vec![vec![4, 1, 0], vec![0, 3, 1], vec![0, 0, 3]])
}

/// A finished run over `classes` whose confusion matrix is `counts`.
fn fixture_run_of(
    id: &str,
    accuracy: f64,
    classes: Vec<String>,
    counts: Vec<Vec<u64>>,
) -> (kindling::runs::RunSummary, kindling::runs::RunDetail) {
    use kindling::eval::confusion::Confusion;
    use kindling::runs::record::{DatasetVersion, RunRecord, Versions};
    let config = kindling::project::config::Config::parse(
        "[project]\nname = \"trees\"\n[source]\nkind = \"table\"\npath = \"t.csv\"\n",
    )
    .unwrap();
    let record = RunRecord {
        id: id.into(),
        status: "finished".into(),
        pid: None,
        error: None,
        model: "logistic".into(),
        features: "table".into(),
        seed: 0,
        folds: None,
        device: None,
        augment: None,
        started: "2026-11-22T09:30:05Z".into(),
        ended: None,
        seconds: Some(1.5),
        classes: classes.clone(),
        sweep: None,
        encoder: None,
        timing: None,
        dataset: DatasetVersion {
            fingerprint: "0123456789abcdef0123".into(),
            label_events: 60,
            samples: 100,
            labelled: 60,
            split: "stratified".into(),
            test_share: 0.2,
            train: 48,
            evaluated: 12,
            evaluated_split: "test".into(),
        },
        config,
        versions: Versions::current(),
        notes: Vec::new(),
    };
    let confusion = Confusion { classes: classes.clone(), counts };
    let per_class = if classes == ["oak", "elm", "pine"] {
        serde_json::json!({
            "oak": {"precision": 1.0, "recall": 0.8, "f1": 0.889, "support": 5},
            "elm": {"precision": 0.75, "recall": 0.75, "f1": 0.75, "support": 4},
            "pine": {"precision": 0.75, "recall": 1.0, "f1": 0.857, "support": 3},
        })
    } else {
        classes
            .iter()
            .map(|c| (c.clone(), serde_json::json!({"precision": 0.9, "recall": 0.9, "f1": 0.9, "support": 10})))
            .collect()
    };
    let metrics = serde_json::json!({"accuracy": accuracy, "balanced_accuracy": 0.85, "macro_f1": 0.832,
        "log_loss": 0.41, "per_class": per_class});
    let summary = kindling::runs::RunSummary {
        id: id.into(),
        status: "finished".into(),
        pid: None,
        model: "logistic".into(),
        features: "table".into(),
        started: "2026-11-22T09:30:05Z".into(),
        seconds: Some(1.5),
        labelled: 60,
        data: "01234567-60".into(),
        accuracy: Some(accuracy),
        macro_f1: Some(0.832),
        error: None,
        sweep: None,
        cv_accuracy: None,
        cv_macro_f1: None,
    };
    // One sample per count, named after its cell.
    let mut samples = Vec::new();
    for (g, row) in confusion.counts.iter().enumerate() {
        for (p, n) in row.iter().enumerate() {
            for k in 0..*n {
                let id = format!("{}-as-{}-{k}.csv", classes[g], classes[p]);
                samples.push(kindling::runs::Scored { id, given: g, predicted: p, confidence: 0.9 - 0.1 * k as f64 });
            }
        }
    }
    let drill = kindling::runs::Drill {
        scope: "test split, 12 samples".into(),
        matrix: confusion.clone(),
        metrics: metrics.clone(),
        samples,
        problem: None,
    };
    let loss = (1..=20).map(|i| (i as f64, 1.0 / i as f64)).collect();
    (
        summary,
        kindling::runs::RunDetail { record, metrics, confusion, drill, loss, issues: None, since: Default::default() },
    )
}

#[test]
fn results_pane_shows_runs_the_confusion_heatmap_and_per_class_scores() {
    let mut a = app(SourceKind::Table);
    a.act(Action::GotoPane(Pane::Results));
    assert!(a.jobs().iter().any(|j| matches!(j, Job::Runs)));
    let (old, _) = fixture_run("20261121-080000-knn", 0.5);
    let (new, detail) = fixture_run("20261122-093005-logistic", 0.833);
    a.receive(Msg::Runs(Ok(vec![old, new])));
    let asked = a.jobs();
    assert!(asked.contains(&Job::RunDetail { id: "20261122-093005-logistic".into() }), "newest first: {asked:?}");
    a.receive(Msg::RunDetail { id: "20261122-093005-logistic".into(), result: Ok(Box::new(detail)) });
    a.act(Action::Right);
    check("results_100x30", &draw(&mut a, 100, 30));
    check("results_wide_150x30", &draw(&mut a, 150, 30));
    a.act(Action::PageDown);
    assert!(a.jobs().contains(&Job::RunDetail { id: "20261121-080000-knn".into() }));
}

#[test]
fn results_pane_shows_a_sweep_as_its_leaderboard() {
    let mut a = app(SourceKind::Table);
    a.act(Action::GotoPane(Pane::Results));
    let swept = |id: &str, model: &str, cv: f64| {
        let (mut r, _) = fixture_run(id, cv - 0.01);
        (r.model, r.sweep, r.cv_accuracy) = (model.into(), Some("sweep-20261122-100000".into()), Some((cv, 0.012)));
        r.cv_macro_f1 = Some(cv - 0.05);
        r
    };
    let (lone, _) = fixture_run("20261121-080000-knn", 0.5);
    // Oldest first, as `kindling runs` lists them: the sweep ran majority, logistic, forest.
    let runs = vec![
        lone,
        swept("20261122-100001-majority", "majority", 0.25),
        swept("20261122-100002-logistic", "logistic", 0.81),
        swept("20261122-100003-random_forest", "random_forest", 0.86),
    ];
    a.receive(Msg::Runs(Ok(runs)));
    let order: Vec<&str> =
        a.panes.results.runs.as_ref().unwrap().as_ref().unwrap().iter().map(|r| r.model.as_str()).collect();
    assert_eq!(
        order,
        ["random_forest", "logistic", "majority", "logistic"],
        "the sweep best first, then the older run"
    );
    let (_, mut detail) = fixture_run("20261122-100003-random_forest", 0.85);
    detail.record.model = "random_forest".into();
    a.jobs();
    a.receive(Msg::RunDetail { id: "20261122-100003-random_forest".into(), result: Ok(Box::new(detail)) });
    let screen = draw(&mut a, 100, 30);
    check("results_sweep_100x30", &screen);
    assert!(screen.contains("  sweep-20261122-100000 · by fold accuracy"), "{screen}");
    assert!(screen.contains("#1 ±0.012   random_forest 0.860 0.810"), "the folds' accuracy and F1: {screen}");
    assert!(!screen.contains("features last"), "one featurizer: {screen}");
    // The next row of the leaderboard is the next run down, and its matrix is asked for.
    a.act(Action::PageDown);
    assert!(a.jobs().contains(&Job::RunDetail { id: "20261122-100002-logistic".into() }));
    // On a short screen the list scrolls to keep the selected run in sight.
    a.act(Action::Bottom);
    let short = draw(&mut a, 100, 6);
    assert!(short.contains("11-21 08:00") && !short.contains("#1 ±0.012"), "{short}");
}

#[test]
fn a_sweep_over_several_featurizers_tells_its_rows_apart_by_them() {
    let mut a = app(SourceKind::Images);
    a.act(Action::GotoPane(Pane::Results));
    let swept = |id: &str, features: &str, cv: f64| {
        let (mut r, _) = fixture_run(id, cv);
        (r.model, r.features, r.sweep) = ("knn".into(), features.into(), Some("sweep-20261203-075335".into()));
        r.cv_accuracy = Some((cv, 0.1));
        r
    };
    let runs = vec![swept("20261203-075336-knn", "pixels", 0.675), swept("20261203-075337-knn-2", "hog", 0.312)];
    a.receive(Msg::Runs(Ok(runs)));
    let screen = draw(&mut a, 100, 30);
    assert!(screen.contains("  sweep-20261203-075335 · features last"), "{screen}");
    assert!(screen.contains("#1 ±0.100   knn           0.675") && screen.contains("pixels"), "{screen}");
    assert!(screen.contains("#2 ±0.100   knn           0.312") && screen.contains("   hog"), "{screen}");
}

#[test]
fn results_pane_lists_a_cell_then_opens_a_sample_for_review_and_comes_back() {
    let mut a = app(SourceKind::Table);
    a.act(Action::GotoPane(Pane::Results));
    let (old, before) = fixture_run("20261121-080000-knn", 0.5);
    let (new, _) = fixture_run("20261122-093005-logistic", 0.833);
    a.receive(Msg::Runs(Ok(vec![old, new])));
    // Compare the newest run with the older one: m on the older, then back up.
    a.act(Action::PageDown);
    a.jobs();
    let mut before = before;
    before.metrics["accuracy"] = serde_json::json!(0.5);
    before.drill.metrics["per_class"]["elm"]["f1"] = serde_json::json!(0.5);
    a.receive(Msg::RunDetail { id: "20261121-080000-knn".into(), result: Ok(Box::new(before)) });
    a.act(Action::Compare);
    a.act(Action::PageUp);
    assert!(a.jobs().contains(&Job::RunDetail { id: "20261122-093005-logistic".into() }));
    let (_, detail) = fixture_run("20261122-093005-logistic", 0.833);
    a.receive(Msg::RunDetail { id: "20261122-093005-logistic".into(), result: Ok(Box::new(detail)) });
    assert!(a.panes.results.compared().is_some());
    // The elm row, oak column: one sample.
    a.act(Action::Down);
    a.act(Action::Right);
    a.act(Action::Right);
    a.act(Action::Open);
    check("results_cell_list_100x30", &draw(&mut a, 100, 30));
    a.act(Action::Open);
    assert_eq!(a.pane, Pane::Label);
    assert_eq!(
        a.panes.label.review,
        Some(kindling::workflow::queue::Review::Listed {
            title: "given elm → predicted pine".into(),
            ids: vec!["elm-as-pine-0.csv".into()]
        })
    );
    a.act(Action::Unmark);
    assert_eq!(a.pane, Pane::Results, "Esc goes back to the Results pane");
    assert_eq!((a.panes.results.cell, a.panes.results.list), ((1, 2), Some(0)), "on the same cell");
}

#[test]
fn train_pane_follows_a_running_run_with_gauge_and_loss_curve() {
    let mut a = app(SourceKind::Images);
    a.act(Action::GotoPane(Pane::Train));
    assert!(a.tick());
    assert!(a.jobs().contains(&Job::Runs));
    let (mut run, _) = fixture_run("20261122-093005-logistic", 0.0);
    run.status = "running".into();
    run.pid = Some(4242);
    let (done, _) = fixture_run("20261121-080000-knn", 0.5);
    a.receive(Msg::Runs(Ok(vec![done, run])));
    let mut events = vec![
        serde_json::json!({"time": "2026-11-22T09:30:05Z", "event": "stage", "stage": "fitting logistic regression (L-BFGS)", "total": 100}),
        serde_json::json!({"time": "2026-11-22T09:30:15Z", "event": "progress", "done": 40, "total": 100}),
    ];
    for step in 1..=40 {
        let loss = 1.0 / f64::from(step);
        events.push(serde_json::json!({"time": "2026-11-22T09:30:15Z", "event": "loss", "step": step, "loss": loss}));
    }
    // In two reads, as the pane follows a growing file; an answer repeating the first read
    // is dropped.
    let id = || "20261122-093005-logistic".to_string();
    let rest = events.split_off(2);
    a.receive(Msg::Events { id: id(), from: 0, result: Ok((events.clone(), 100)) });
    a.receive(Msg::Events { id: id(), from: 100, result: Ok((rest, 900)) });
    a.receive(Msg::Events { id: id(), from: 0, result: Ok((events, 100)) });
    assert!(a.tick());
    assert!(a.jobs().contains(&Job::Events { id: id(), from: 900 }), "the next read starts where the last ended");
    a.act(Action::Down);
    a.act(Action::Right);
    check("train_running_100x30", &draw(&mut a, 100, 30));
    a.act(Action::CancelRun);
    assert!(a.jobs().contains(&Job::Cancel { pid: 4242 }));
    a.act(Action::Open);
    assert!(a.jobs().iter().any(|j| matches!(j, Job::Launch(l) if l.features == "pixels")));
}

#[test]
fn train_pane_offers_the_encoders_that_fit_the_data() {
    let mut a = app(SourceKind::Text);
    a.act(Action::GotoPane(Pane::Train));
    a.act(Action::Down);
    // auto → tfidf → the first known text encoder.
    a.act(Action::Right);
    a.act(Action::Right);
    let screen = draw(&mut a, 100, 30);
    check("train_encoder_100x30", &screen);
    assert!(screen.contains("encoder all-MiniLM-L6-v2"), "{screen}");
    a.act(Action::Open);
    assert!(
        a.jobs()
            .iter()
            .any(|j| matches!(j, Job::Launch(l) if l.args().join(" ").contains("--encoder all-MiniLM-L6-v2"))),
        "launched with the encoder"
    );
}

#[test]
fn augment_pane_lists_transforms_and_shows_text_versions() {
    let mut a = app(SourceKind::Text);
    a.act(Action::GotoPane(Pane::Augment));
    a.act(Action::Down);
    a.act(Action::Skip);
    assert!(
        matches!(a.requests.last(), Some(Job::SaveAugment(s)) if s.plan(kindling::augment::Modality::Text).unwrap().has("insert"))
    );
    a.panes.augment.show(Some("t0001".into()));
    let texts = ["the app is slow", "the app is sluggish", "the app is is slow", "app the is slow", "the app slow"];
    let versions = kindling::workflow::augment_preview::Versions::Texts(texts.map(String::from).to_vec());
    let jobs = a.panes.augment.jobs();
    let Some(Job::AugmentPreview { generation, .. }) = jobs.first() else { panic!("a preview is asked for: {jobs:?}") };
    a.receive(Msg::AugmentPreview { generation: *generation, result: Ok(versions) });
    let screen = draw(&mut a, 100, 30);
    check("augment_text_100x30", &screen);
    assert!(screen.contains("4 draws · training 2 copies"), "the draws shown are not the copies made:\n{screen}");

    a.act(Action::Open);
    assert_eq!(a.prompt, Some((super::palette::Prompt::Augment, "p=0.5 alpha=0.1".into())));
}

#[test]
fn a_long_text_leaves_room_for_its_versions_at_80x24() {
    let mut a = app(SourceKind::Text);
    a.act(Action::GotoPane(Pane::Augment));
    a.panes.augment.show(Some("t0001".into()));
    let page = (1..=80).map(|i| format!("NAME\nline {i} of a page")).collect::<Vec<_>>().join("\n");
    let texts = vec![page.clone(), page.replace("page", "leaf"), page];
    let jobs = a.panes.augment.jobs();
    let Some(Job::AugmentPreview { generation, .. }) = jobs.first() else { panic!("a preview is asked for: {jobs:?}") };
    let versions = kindling::workflow::augment_preview::Versions::Texts(texts);
    a.receive(Msg::AugmentPreview { generation: *generation, result: Ok(versions) });
    let screen = draw(&mut a, 80, 24);
    assert!(screen.contains("version 2"), "{screen}");
    assert!(!screen.contains("NAMEline") && screen.contains("NAME line"), "line breaks join words:\n{screen}");
}

#[test]
fn augment_pane_shows_table_versions_as_columns() {
    let mut a = app(SourceKind::Table);
    a.act(Action::GotoPane(Pane::Augment));
    a.panes.augment.show(Some("k1".into()));
    let rows = vec![vec!["7.1".to_string(), "red".to_string()], vec!["7.3".to_string(), "red".to_string()]];
    let versions =
        kindling::workflow::augment_preview::Versions::Rows { columns: vec!["size".into(), "colour".into()], rows };
    let jobs = a.panes.augment.jobs();
    let Some(Job::AugmentPreview { generation, .. }) = jobs.first() else { panic!("{jobs:?}") };
    a.receive(Msg::AugmentPreview { generation: *generation, result: Ok(versions) });
    check("augment_table_80x20", &draw(&mut a, 80, 20));
}

/// A map of 200 points in two blobs: the left one labelled oak (every other point), the
/// right one unlabelled.
fn map_fixture() -> super::map_data::MapData {
    use kindling::features::Matrix;
    let (mut ids, mut xy, mut labels) = (Vec::new(), Vec::new(), std::collections::HashMap::new());
    for i in 0..200 {
        let (blob, k) = (i / 100, (i % 100) as f64);
        let centre = if blob == 0 { (0.25, 0.6) } else { (0.75, 0.4) };
        let angle = k * 2.399_963;
        let r = 0.15 * (k / 100.0).sqrt();
        let id = format!("s{i:03}");
        if blob == 0 && i % 2 == 0 {
            labels.insert(id.clone(), "oak".to_string());
        }
        ids.push(id);
        xy.push((centre.0 + r * angle.cos(), centre.1 + r * angle.sin()));
    }
    let x = Matrix::dense(200, 2, xy.iter().flat_map(|p: &(f64, f64)| [p.0 as f32, p.1 as f32]).collect());
    super::map_data::MapData {
        cluster: (0..200).map(|i| i / 100).collect(),
        clusters: 2,
        vectors: kindling::embed::Vectors::new(ids.clone(), x),
        labels,
        index: Default::default(),
        suggested: (0..200).map(|i| Some((i / 100) as u16)).collect(),
        suggested_names: vec!["oak".into(), "pine".into()],
        features: "table".into(),
        projection: kindling::embed::map::Projection::Tsne,
        ids,
        xy,
    }
}

#[test]
fn map_pane_draws_points_the_cursor_and_a_rectangle_selection() {
    let mut a = app(SourceKind::Table);
    a.act(Action::GotoPane(Pane::Map));
    check("map_computing_80x24", &draw(&mut a, 80, 24));
    assert!(a.jobs().contains(&Job::Map { neighbours: false }), "entering the pane asks for the map");
    a.receive(Msg::Map(Ok(map_fixture())));
    let row = || super::map_data::Shown::Row(Ok(vec!["height: 7.5".into(), "colour: red".into()]));
    a.receive(Msg::MapSample { id: "s000".into(), shown: row() });
    a.jobs();
    a.receive(Msg::MapSample { id: "s000".into(), shown: row() });
    let screen = draw(&mut a, 80, 24);
    check("map_points_80x24", &screen);
    assert!(screen.contains("■ oak ■ pine ■ elm · unlabelled"), "a legend names each colour:\n{screen}");
    // By the live model, then by cluster, then back by label.
    a.act(Action::Colouring);
    a.act(Action::Colouring);
    let clusters = draw(&mut a, 80, 24);
    assert!(clusters.contains("by cluster") && clusters.contains("■ 0 ■ 1 ■ 2"), "the clusters' too:\n{clusters}");
    a.act(Action::Colouring);
    // A rectangle from the cursor, three steps right and two down.
    a.act(Action::Range);
    for _ in 0..3 {
        a.act(Action::Right);
    }
    a.act(Action::Down);
    a.act(Action::Down);
    a.act(Action::Range);
    let selected = a.panes.map.selection.len();
    assert!(selected > 1, "{selected}");
    assert!(a.message.as_deref().unwrap().starts_with(&format!("{selected} selected")), "{:?}", a.message);
    check("map_selection_120x40", &draw(&mut a, 120, 40));
    a.act(Action::Colouring);
    assert!(draw(&mut a, 120, 40).contains("coloured by the live model"));
}

#[test]
fn the_map_panel_shows_the_sample_under_the_cursor_as_the_browse_pane_does() {
    use super::map_data::Shown;
    let mut a = app(SourceKind::Images);
    a.act(Action::GotoPane(Pane::Map));
    a.receive(Msg::Map(Ok(map_fixture())));
    a.jobs();
    let img = disc();
    a.receive(Msg::MapSample { id: "s000".into(), shown: Shown::Sample(Ok(Preview::Image(img.clone()))) });
    assert!(a.panes.map.image_to_encode().is_some(), "the event loop encodes it");
    a.panes.map.image = Some(ratatui_image::picker::Picker::halfblocks().new_resize_protocol(img));
    assert!(a.panes.map.image_to_encode().is_none());
    let screen = draw(&mut a, 80, 24);
    check("map_image_80x24", &screen);
    let panel: String = screen.lines().map(|l| l.chars().skip(48).collect::<String>()).collect();
    assert!(panel.contains('▀') || panel.contains('▄'), "the picture in half blocks:\n{screen}");
    assert!(panel.contains("16×16"), "{screen}");
    // A text is wrapped into the panel, its length below it; a file that cannot be read says why.
    let text = "the printer on the third floor jams at every page ".repeat(3);
    a.receive(Msg::MapSample { id: "s000".into(), shown: Shown::Sample(Ok(Preview::Text { text, truncated: false })) });
    let screen = draw(&mut a, 80, 24);
    assert!(screen.contains("150 characters") && screen.contains("the printer on"), "{screen}");
    a.receive(Msg::MapSample { id: "s000".into(), shown: Shown::Sample(Err("s000: not a PNG".into())) });
    assert!(draw(&mut a, 80, 24).contains("s000: not a PNG"));
}

#[test]
fn a_crowded_part_of_the_map_shows_the_colour_of_its_commonest_class_not_the_last_drawn() {
    use kindling::features::Matrix;
    let coloured = [("oak", "red"), ("pine", "blue")]
        .iter()
        .enumerate()
        .map(|(i, (n, c))| ClassConfig { name: n.to_string(), key: (i + 1).to_string(), colour: c.to_string() })
        .collect();
    let mut a = App::new("trees".into(), SourceKind::Table, coloured, KeyMap::defaults());
    a.act(Action::GotoPane(Pane::Map));
    // On the left 300 oaks, and a pine at every third oak's place: more oak in every cell
    // there. On the right, pines alone.
    let spiral = |k: usize, centre: (f64, f64)| {
        let (angle, r) = (k as f64 * 2.399_963, 0.12 * (k as f64 / 300.0).sqrt());
        (centre.0 + r * angle.cos(), centre.1 + r * angle.sin())
    };
    let mut xy: Vec<(f64, f64)> = (0..300).map(|k| spiral(k, (0.25, 0.5))).collect();
    xy.extend((0..100).map(|j| spiral(3 * j, (0.25, 0.5))));
    xy.extend((0..100).map(|k| spiral(3 * k, (0.75, 0.5))));
    let ids: Vec<String> = (0..xy.len()).map(|i| format!("s{i:03}")).collect();
    let labels =
        ids.iter().enumerate().map(|(i, id)| (id.clone(), if i < 300 { "oak" } else { "pine" }.into())).collect();
    let x = Matrix::dense(xy.len(), 2, xy.iter().flat_map(|p| [p.0 as f32, p.1 as f32]).collect());
    a.receive(Msg::Map(Ok(super::map_data::MapData {
        cluster: vec![0; xy.len()],
        clusters: 2,
        vectors: kindling::embed::Vectors::new(ids.clone(), x),
        labels,
        index: Default::default(),
        suggested: vec![None; xy.len()],
        suggested_names: Vec::new(),
        features: "table".into(),
        projection: kindling::embed::map::Projection::Tsne,
        ids,
        xy,
    })));
    let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
    term.draw(|f| ui::render(f, &mut a, Theme { colour: true, light: false })).unwrap();
    let buffer = term.backend().buffer();
    let dots = |colour: ratatui::style::Color, columns: std::ops::Range<u16>| {
        let is_dot = |c: &ratatui::buffer::Cell| {
            c.symbol().chars().next().is_some_and(|s| ('\u{2801}'..='\u{28ff}').contains(&s))
        };
        columns
            .flat_map(|x| (0..40).map(move |y| (x, y)))
            .filter(|&(x, y)| is_dot(&buffer[(x, y)]) && buffer[(x, y)].fg == colour)
            .count()
    };
    let (red, blue) = (ratatui::style::Color::Red, ratatui::style::Color::LightBlue);
    // The plot is the pane's width less the 32-column side panel.
    assert!(dots(red, 0..44) > 5, "the oaks show");
    assert_eq!(dots(blue, 0..44), 0, "pines drawn after the oaks do not take their cells");
    assert!(dots(blue, 44..88) > 5, "the pines alone show");
}

/// Ten digit classes; `four` is always taken for `one` (a whole row off the diagonal).
fn ten_class_run() -> (kindling::runs::RunSummary, kindling::runs::RunDetail) {
    let classes: Vec<String> =
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"].map(String::from).to_vec();
    let counts = (0..10)
        .map(|g| {
            (0..10).map(|p| if g == 4 { u64::from(p == 1) * 18 } else { u64::from(g == p) * (10 + g as u64) }).collect()
        })
        .collect();
    fixture_run_of("20261122-093005-logistic", 0.9, classes, counts)
}

/// The column at which `word` ends on the first line of `screen` that contains `marker`.
fn end_of(screen: &str, marker: &str, word: &str) -> usize {
    let line =
        screen.lines().find(|l| l.contains(marker)).unwrap_or_else(|| panic!("no line with {marker}:\n{screen}"));
    let at = line.find(word).unwrap_or_else(|| panic!("no {word} in {line}"));
    line[..at + word.len()].chars().count()
}

#[test]
fn the_confusion_matrix_headers_stand_over_their_columns_and_scroll_at_80x24() {
    let mut a = app(SourceKind::Images);
    a.act(Action::GotoPane(Pane::Results));
    let (summary, detail) = ten_class_run();
    a.receive(Msg::Runs(Ok(vec![summary])));
    a.receive(Msg::RunDetail { id: "20261122-093005-logistic".into(), result: Ok(Box::new(detail)) });
    let wide = draw(&mut a, 200, 60);
    check("results_ten_classes_200x60", &wide);
    // Each header ends where its column's cells end: `zero` over the zero row's `10  100%`.
    assert_eq!(end_of(&wide, "g\\p", " zero"), end_of(&wide, "││zero", "100%"), "{wide}");
    assert_eq!(end_of(&wide, "g\\p", " one"), end_of(&wide, "││four", "100%"), "four → one under one:\n{wide}");
    let small = draw(&mut a, 80, 24);
    check("results_ten_classes_80x24", &small);
    assert!(small.contains("columns 1–"), "{small}");
    // Moving right past the last column shown scrolls to the cursor's.
    for _ in 0..9 {
        a.act(Action::Right);
    }
    let scrolled = draw(&mut a, 80, 24);
    assert!(scrolled.contains("nine") && scrolled.contains("–10 of 10"), "{scrolled}");
    assert!(
        scrolled.contains("cell: given zero → predicted nine") && scrolled.contains("0 samples · 0% of row"),
        "{scrolled}"
    );
}

/// The status line of `a` drawn at 80×24.
fn status(a: &mut App) -> String {
    draw(a, 80, 24).lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").to_string()
}

#[test]
fn the_labelled_share_is_of_every_sample_whatever_the_filter() {
    let mut a = app(SourceKind::Images);
    let g = a.panes.browse.generation;
    a.receive(Msg::Count { generation: g, result: Ok(100) });
    a.receive(Msg::Coverage(Ok((57, 57))));
    assert!(status(&mut a).contains("labelled 57/100 (57%)"), "{}", status(&mut a));
    a.act(Action::LabelFilter); // labelled only
    let g = a.panes.browse.generation;
    a.receive(Msg::Count { generation: g, result: Ok(57) });
    a.act(Action::LabelFilter); // unlabelled only
    let g = a.panes.browse.generation;
    a.receive(Msg::Count { generation: g, result: Ok(43) });
    let line = status(&mut a);
    assert!(line.contains("labelled 57/100 (57%)"), "not 57/43 (133%): {line}");
}

#[test]
fn a_message_too_long_for_the_status_line_is_shown_whole_below_it() {
    let mut a = app(SourceKind::Images);
    let message = "there is a class \"cat\" already; merge into it instead (class merge FROM… INTO)";
    a.message = Some(message.to_string());
    let screen = draw(&mut a, 80, 24);
    check("long_message_80x24", &screen);
    let bottom: Vec<&str> = screen.lines().rev().take(3).collect();
    let joined: String = bottom.iter().rev().map(|l| l.trim_end()).collect::<Vec<_>>().join("");
    assert!(joined.contains(message), "cut: {joined}");
    let lines: Vec<&str> = screen.lines().collect();
    let status = lines.iter().position(|l| l.contains("trees images")).unwrap();
    assert!(lines[status + 1].starts_with("there is a class"), "the status keeps its line above:\n{screen}");
}

#[test]
fn image_transforms_are_not_cut_at_200x60() {
    let mut a = app(SourceKind::Images);
    a.act(Action::GotoPane(Pane::Augment));
    let cut = |screen: &str| screen.lines().filter(|l| l.contains("[ ]") || l.contains("[x]")).any(|l| l.contains('…'));
    assert!(cut(&draw(&mut a, 80, 24)), "at 80×24 the numbers are cut");
    let wide = draw(&mut a, 200, 60);
    assert!(!cut(&wide), "no transform cut at 200×60:\n{wide}");
}

#[test]
fn help_on_a_narrow_screen_wraps_rather_than_cuts() {
    let mut a = app(SourceKind::Table);
    a.act(Action::Help);
    let screen = draw(&mut a, 64, 28);
    check("help_browse_64x28", &screen);
    // The popup's rows: from its title to its foot, between its borders.
    let rows: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let top = rows.iter().position(|r| r.iter().collect::<String>().contains("Browse keys")).unwrap();
    let left = rows[top].iter().position(|c| *c == '┌').unwrap();
    let foot = (top + 1..rows.len()).find(|&y| rows[y].get(left) == Some(&'└')).unwrap();
    let inside: Vec<String> =
        rows[top + 1..foot].iter().map(|r| r.iter().skip(left + 1).take_while(|c| **c != '│').collect()).collect();
    let text = inside.iter().flat_map(|l| l.split_whitespace()).collect::<Vec<_>>().join(" ");
    for words in ["filter rows by", "summary of the first", "images: list / thumbnail", "close the report"] {
        assert!(text.contains(words), "{words} is missing:\n{screen}");
    }
    assert!(!inside.iter().any(|l| l.contains('…')), "nothing cut:\n{screen}");
}

#[test]
fn augmented_pictures_take_the_room_there_is_at_80x24() {
    let mut a = app(SourceKind::Images);
    a.act(Action::GotoPane(Pane::Augment));
    a.panes.augment.show(Some("a.png".into()));
    let picture = |shade: u8| image::RgbImage::from_fn(16, 16, |x, _| image::Rgb([shade, (x * 16) as u8, 0]));
    let versions = kindling::workflow::augment_preview::Versions::Images((0..5).map(|k| picture(k * 50)).collect());
    let jobs = a.panes.augment.jobs();
    let Some(Job::AugmentPreview { generation, .. }) = jobs.first() else { panic!("a preview is asked for: {jobs:?}") };
    a.receive(Msg::AugmentPreview { generation: *generation, result: Ok(versions) });
    let screen = draw(&mut a, 80, 24);
    check("augment_images_80x24", &screen);
    // Whole labels, and pictures at least 10 columns wide (they were 5 × 2 cells in a row).
    assert!(screen.contains("original") && screen.contains("version 4"), "{screen}");
    let widest = screen.lines().filter_map(|l| l.split_whitespace().map(|w| w.matches('▀').count()).max()).max();
    assert!(widest.unwrap_or(0) >= 10, "{screen}");
}

#[test]
fn the_status_line_keeps_its_key_hints_whole_at_80x24() {
    let mut a = App::new("digits-from-scikit-learn".into(), SourceKind::Images, classes(), KeyMap::defaults());
    with_files(&mut a, &["0000.png", "0001.png"]);
    let screen = draw(&mut a, 80, 24);
    let status = screen.lines().last().unwrap().trim_end();
    assert!(status.ends_with("? help") || status.ends_with("q quit"), "{status}");
    let mut wide = App::new("digits".into(), SourceKind::Images, classes(), KeyMap::defaults());
    with_files(&mut wide, &["0000.png"]);
    assert!(draw(&mut wide, 80, 24).lines().last().unwrap().trim_end().ends_with("q quit"));
}

#[test]
fn long_ids_and_long_texts_are_cut_with_a_mark_at_80x24() {
    let mut a = app(SourceKind::Text);
    let id = "admin/applygnupgdefaults-and-more-words.8.txt";
    with_files(&mut a, &[id, "admin/arp.8.txt"]);
    let text = (1..=60).map(|i| format!("line {i} of a manual page")).collect::<Vec<_>>().join("\n");
    a.receive(Msg::Preview { id: id.into(), result: Ok(Preview::Text { text, truncated: false }) });
    let screen = draw(&mut a, 80, 24);
    let list_line = screen.lines().find(|l| l.contains("applygnupg")).unwrap();
    assert!(list_line.contains("…"), "{screen}");
    assert!(screen.contains("(J/K scroll)"), "the place in the text, whole:\n{screen}");
}

#[test]
fn the_suggestion_line_drops_whole_parts_that_do_not_fit_at_80x24() {
    use kindling::eval::predictions::{Prediction, Predictions};
    let mut a = app(SourceKind::Text);
    with_queue(&mut a, &["t0.txt", "t1.txt"], &[]);
    let text = "a passage of a manual page".to_string();
    a.receive(Msg::Preview { id: "t0.txt".into(), result: Ok(Preview::Text { text, truncated: false }) });
    let classes: Vec<String> = ["oak", "pine", "elm"].map(String::from).to_vec();
    let guess =
        Prediction { split: "unlabelled".into(), given: None, predicted: "oak".into(), probs: vec![0.36, 0.34, 0.3] };
    let refit = kindling::live::Refit {
        at: String::new(),
        labels: 12,
        held_out_labels: 0,
        held_out_scored: None,
        label_events: 12,
        fingerprint: String::new(),
        accuracy: None,
        seconds: 0.0,
        model: "logistic".into(),
        features: "tfidf".into(),
        skipped: Vec::new(),
        leaks: Vec::new(),
    };
    let predictions = Predictions { classes, by_id: [("t0.txt".to_string(), guess)].into_iter().collect() };
    let state = kindling::live::LiveState { refit, predictions, curve: Vec::new() };
    a.panes.label.live = Some((state, std::time::Instant::now()));
    let wide = draw(&mut a, 120, 30);
    assert!(wide.contains("suggest: oak 0.36  or pine 0.34  (Enter accepts)"), "{wide}");
    let small = draw(&mut a, 80, 24);
    let head = small.lines().find(|l| l.contains("suggest:")).unwrap();
    // Whole parts or none: the runner-up does not fit beside the card's 50 columns here.
    assert!(head.contains("suggest: oak 0.36") && !head.contains("(Enter"), "{head}");
    assert!(!head.contains(" or ") || head.contains("or pine 0.34"), "{head}");
    assert!(!head.contains("or pine"), "{head}");
}

#[test]
fn the_label_pane_of_a_detection_project_draws_boxes_and_lists_them() {
    use kindling::labels::store::{LabelBox, Rect};
    let mut a = app(SourceKind::Images);
    a.label_boxes(0);
    a.act(Action::GotoPane(Pane::Label));
    assert!(a.jobs().contains(&Job::BoxImages));
    let oak = |id, x, y, class: &str| LabelBox {
        id,
        sample_id: "street.jpg".into(),
        class: class.into(),
        rect: Rect { x, y, w: 400.0, h: 300.0 },
    };
    let boxes = [("street.jpg".to_string(), vec![oak(1, 100.0, 100.0, "oak"), oak(2, 1200.0, 500.0, "pine")])];
    let images = super::job::BoxImages {
        ids: vec!["street.jpg".into(), "park.jpg".into()],
        boxes: boxes.into_iter().collect(),
        done: ["park.jpg".to_string()].into(),
    };
    a.receive(Msg::BoxImages(Ok(images)));
    assert!(a.jobs().contains(&Job::Preview { id: "street.jpg".into() }));
    let photo = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(1920, 1080, image::Rgb([90, 90, 90])));
    a.receive(Msg::Preview { id: "street.jpg".into(), result: Ok(Preview::Image(photo)) });
    a.key(super::keys::Key { code: crossterm::event::KeyCode::Tab, mods: crossterm::event::KeyModifiers::NONE });
    let picker = ratatui_image::picker::Picker::halfblocks();
    draw(&mut a, 80, 24);
    assert!(super::encode_label_image(&mut a, Some(&picker)));
    check("label_boxes_80x24", &draw(&mut a, 80, 24));
    // The boxes are in the picture's colours: the classes' red, the selected box white.
    let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
    term.draw(|f| ui::render(f, &mut a, Theme { colour: true, light: false })).unwrap();
    let buffer = term.backend().buffer();
    let cells = |rgb: image::Rgb<u8>| {
        let c = ratatui::style::Color::Rgb(rgb[0], rgb[1], rgb[2]);
        buffer.content().iter().filter(|cell| cell.fg == c || cell.bg == c).count()
    };
    let red = super::boxes_view::rgb_of("red");
    assert!(cells(red) >= 20, "the unselected box's outline: {} cells", cells(red));
    assert!(cells(image::Rgb([255, 255, 255])) >= 20, "the selected box's outline");
}
