//! The real binary in a pseudo-terminal: keys in, screen out (parsed by a terminal
//! emulator), and the terminal restored however it ends.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

use super::*;

struct Session {
    screen: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Session {
    fn start(args: &[&str], cols: u16, rows: u16) -> Session {
        let pty = native_pty_system().openpty(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 }).unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_kindling"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        let child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let screen = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let mut reader = pty.master.try_clone_reader().unwrap();
        let sink = Arc::clone(&screen);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().process(&buf[..n]);
            }
        });
        let writer = pty.master.take_writer().unwrap();
        // Keep the master open for the session's life.
        std::mem::forget(pty.master);
        Session { screen, writer, child }
    }

    fn text(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, what: &str) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            if self.text().contains(what) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("\"{what}\" never appeared; the screen was:\n{}", self.text());
    }

    fn keys(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    fn exit_code(&mut self) -> u32 {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.exit_code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("kindling did not exit; the screen was:\n{}", self.text());
    }

    /// Whether the terminal is back to normal: main screen, no mouse reporting, cursor
    /// shown. Waits a little for the last bytes the program wrote before it exited.
    fn restored(&self) -> bool {
        let start = Instant::now();
        loop {
            let state = {
                let parser = self.screen.lock().unwrap();
                let s = parser.screen();
                (s.alternate_screen(), s.mouse_protocol_mode(), s.hide_cursor())
            };
            if state == (false, vt100::MouseProtocolMode::None, false) {
                return true;
            }
            if start.elapsed() > Duration::from_secs(5) {
                eprintln!("alternate screen, mouse mode, cursor hidden: {state:?}");
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Session {
    /// A failed test must not leave the workbench running.
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    ok(&["demo", p(&dir.path().join("demo")), "--no-open"]);
    dir
}

#[test]
fn browse_the_demo_images_then_quit() {
    let dir = demo();
    let shapes = dir.path().join("demo/shapes");
    let mut s = Session::start(&[p(&shapes), "--graphics", "halfblocks"], 80, 24);
    s.wait_for("F1 Browse");
    s.wait_for("circle_0001.png");
    s.wait_for("1/400");
    s.keys("j");
    s.wait_for("2/400");
    s.keys("G");
    s.wait_for("400/400");
    s.wait_for("triangle_0100.png");
    // Only the labelled ones (157 in the demo), then only the unlabelled ones.
    s.keys("f");
    s.wait_for("showing labelled");
    s.wait_for("1/157");
    s.keys("f");
    s.wait_for("1/243");
    // The thumbnail grid, made in the background and cached in the project.
    // Four classes later the label filter is back to all.
    s.keys("fffff");
    s.wait_for("1/400");
    s.keys("tl");
    s.wait_for("2/400");
    let thumbs = shapes.join(".kindling/cache/thumbs");
    let start = Instant::now();
    while std::fs::read_dir(&thumbs).map_or(0, |d| d.count()) == 0 && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(std::fs::read_dir(&thumbs).map_or(0, |d| d.count()) > 0, "thumbnails are cached under .kindling/cache");
    s.keys("\t");
    s.wait_for("unlabelled first");
    s.keys("?");
    s.wait_for("next pane");
    s.keys("q");
    assert_eq!(s.exit_code(), 0);
    assert!(s.restored(), "the terminal was left in the workbench's modes");
}

#[test]
fn browse_a_table_and_jump_to_a_row() {
    let dir = demo();
    let fruit = dir.path().join("demo/fruit");
    let mut s = Session::start(&["open", p(&fruit)], 200, 60);
    s.wait_for("weight_g");
    s.wait_for("f0001");
    // The demo table's split column: 487 train and 113 test rows.
    s.keys("p");
    s.wait_for("train split");
    s.wait_for("/487");
    s.keys("pp");
    s.wait_for("/113");
    s.keys("p");
    s.wait_for(" 1/600 ·");
    s.keys(":450\r");
    s.wait_for("450/600");
    s.wait_for("f0450");
    // Filter, sort by the first column (weight_g, descending), search.
    s.keys("&label == banana\r");
    s.wait_for("filter: label == banana");
    s.wait_for("/82");
    s.keys("ss");
    s.wait_for("sorted by weight_g ↓");
    // Every row left contains "banana": the search moves one row at a time, ignoring case.
    s.keys("/BANANA\r");
    s.wait_for("2/82");
    s.keys("n");
    s.wait_for("3/82");
    s.keys("N");
    s.wait_for("2/82");
    s.keys("q");
    assert_eq!(s.exit_code(), 0);
    assert!(s.restored());
}

/// The screen line of the grid row numbered `number`, if it is on screen.
fn grid_line(text: &str, number: usize) -> Option<String> {
    text.lines().find(|l| l.starts_with(&format!("│{number} "))).map(str::to_string)
}

#[test]
fn a_large_csv_reaches_its_last_row_with_the_right_number_and_id() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("big.csv");
    let mut text = String::from("id,x,note\n");
    for i in 0..200_000 {
        // Quoted newlines: a row is not a line.
        let note = if i % 1000 == 0 { format!("\"two\nlines {i}\"") } else { format!("n{i}") };
        text.push_str(&format!("{},{}.25,{note}\n", i * 3, i % 97));
    }
    std::fs::write(&csv, text).unwrap();
    let project = dir.path().join("big");
    ok(&["init", p(&project), "--source", p(&csv), "--id-column", "id", "--classes", "x,y"]);
    let mut s = Session::start(&["open", p(&project)], 120, 30);
    s.wait_for("n1 ");
    s.keys("G");
    s.wait_for("200000/200000");
    // The row number shows at once; its values once the window is read.
    s.wait_for("n199999");
    let last = grid_line(&s.text(), 200_000).unwrap();
    assert!(last.contains(" 599997 ") && last.contains("n199999"), "{last}");
    s.keys(":150001\r");
    s.wait_for("150001/200000");
    s.wait_for("lines 150000");
    let row = grid_line(&s.text(), 150_001).unwrap();
    assert!(row.contains(" 450000 ") && row.contains("two"), "row 150001 holds the quoted newline: {row}");
    s.keys("q");
    assert_eq!(s.exit_code(), 0);
    assert!(s.restored());
}

#[test]
fn the_live_model_suggests_and_enter_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("texts");
    std::fs::create_dir_all(&data).unwrap();
    for i in 0..40usize {
        let text = if i.is_multiple_of(2) {
            "the printer jams and the toner leaks"
        } else {
            "reset my password, unlock the account"
        };
        std::fs::write(data.join(format!("t{i:03}.txt")), format!("{text} (ticket {i})")).unwrap();
    }
    let project = dir.path().join("p");
    ok(&["init", p(&project), "--source", p(&data), "--kind", "text", "--classes", "printer,account"]);
    let mut s = Session::start(&["open", p(&project)], 120, 30);
    s.wait_for("t000.txt");
    s.keys("\x1bOQ"); // F2
    s.wait_for("Label · t000.txt");
    // Twelve labels, in the texts' order: printer, account, printer, …
    for i in 0..12usize {
        s.wait_for(&format!("Label · t{i:03}.txt"));
        s.keys(if i.is_multiple_of(2) { "1" } else { "2" });
    }
    s.wait_for("Label · t012.txt");
    s.wait_for("suggest: printer");
    s.keys("\r");
    s.wait_for("Label · t013.txt");
    s.keys("q");
    assert_eq!(s.exit_code(), 0);
    let export = ok(&["labels", "export", p(&project), "-o", p(&dir.path().join("labels.csv"))]);
    let _ = export;
    let labels = std::fs::read_to_string(dir.path().join("labels.csv")).unwrap();
    assert!(labels.contains("t012.txt,printer"), "{labels}");
    let stats = ok(&["labels", "stats", p(&project)]);
    assert!(stats.contains("accepted 1"), "{stats}");
    assert!(project.join(".kindling/live/history.jsonl").is_file());
}

#[test]
fn a_class_added_from_the_palette_labels_with_its_key_and_backspace_takes_a_rename_back() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("texts");
    std::fs::create_dir_all(&data).unwrap();
    for i in 0..6usize {
        std::fs::write(data.join(format!("t{i}.txt")), format!("ticket {i}")).unwrap();
    }
    let project = dir.path().join("p");
    ok(&["init", p(&project), "--source", p(&data), "--kind", "text", "--classes", "printer,account"]);
    let mut s = Session::start(&["open", p(&project)], 120, 30);
    s.wait_for("t0.txt");
    s.keys("\x1bOQ"); // F2
    s.wait_for("Label · t0.txt");
    s.keys(":class add network 7\r");
    s.wait_for("add network");
    s.wait_for("7 network"); // the key row
    s.keys("7");
    s.wait_for("Label · t1.txt");
    s.keys(":class ren");
    s.keys("\t"); // completes to `class rename `
    s.wait_for(":class rename ");
    s.keys("printer hardware\r");
    s.wait_for("rename printer → hardware");
    s.keys("1"); // t1 labelled hardware
    s.wait_for("Label · t2.txt");
    s.keys("\x7f"); // Backspace: the label of t1
    s.wait_for("undone: t1.txt");
    s.keys("\x7f"); // Backspace: the rename, whole
    s.wait_for("undone: rename printer → hardware");
    s.wait_for("1 printer");
    s.keys(":clas add x\r");
    s.wait_for("(close: class)");
    s.keys("q");
    assert_eq!(s.exit_code(), 0);
    let labels = ok(&["labels", "export", p(&project)]);
    assert_eq!(labels, "id,label\nt0.txt,network\n");
    let classes = ok(&["classes", p(&project)]);
    assert!(classes.contains("printer") && classes.contains("network") && !classes.contains("hardware"), "{classes}");
}

#[test]
fn sigterm_restores_the_terminal() {
    let dir = demo();
    let mut s = Session::start(&[p(&dir.path().join("demo/tones")), "--graphics", "none"], 80, 24);
    s.wait_for("chirp_001.wav");
    s.wait_for("Hz");
    let pid = s.child.process_id().unwrap();
    std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap();
    s.exit_code();
    assert!(s.restored(), "after SIGTERM the terminal must be restored");
}

impl Session {
    /// The id of the sample the Label pane shows, from its title.
    fn shown_id(&self) -> Option<String> {
        let text = self.text();
        let line = text.lines().find(|l| l.contains("┌ Label · "))?;
        let rest = line.split("┌ Label · ").nth(1)?;
        Some(rest.split(" ─").next()?.trim().to_string()).filter(|id| !id.is_empty())
    }

    /// Waits until the Label pane shows a sample other than `previous`.
    fn wait_for_another_sample(&self, previous: Option<&str>) -> String {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            if let Some(id) = self.shown_id().filter(|id| Some(id.as_str()) != previous) {
                return id;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        panic!("the Label pane never moved past {previous:?}; the screen was:\n{}", self.text());
    }
}

#[test]
fn fifty_labels_typed_survive_sigkill() {
    let dir = demo();
    let tickets = dir.path().join("demo/tickets");
    let mut s = Session::start(&[p(&tickets)], 100, 30);
    s.wait_for("F1 Browse");
    s.keys("\t");
    s.wait_for("unlabelled first");
    let classes = ["billing", "bug", "feature_request", "praise"];
    let mut shown = s.wait_for_another_sample(None);
    let mut typed = Vec::new();
    for i in 0..50 {
        s.keys(&(i % 4 + 1).to_string());
        typed.push((shown.clone(), classes[i % 4]));
        // The next sample is drawn only once the label is committed.
        shown = s.wait_for_another_sample(Some(&shown));
    }
    let pid = s.child.process_id().unwrap();
    std::process::Command::new("kill").args(["-KILL", &pid.to_string()]).status().unwrap();
    s.exit_code();
    let export = ok(&["labels", "export", p(&tickets), "--format", "csv"]);
    let labels: std::collections::HashMap<&str, &str> =
        export.lines().skip(1).filter_map(|l| l.split_once(',')).collect();
    let ids: std::collections::HashSet<&str> = typed.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids.len(), 50, "fifty different samples were shown: {typed:?}");
    for (id, class) in &typed {
        assert_eq!(labels.get(id.as_str()), Some(class), "{id} was shown labelled {class}");
    }
}

#[test]
fn label_pane_undo_and_bulk_labels_in_the_grid() {
    let dir = demo();
    let shapes = dir.path().join("demo/shapes");
    let mut s = Session::start(&[p(&shapes), "--graphics", "none"], 100, 30);
    s.wait_for("F1 Browse");
    s.keys("\t");
    let first = s.wait_for_another_sample(None);
    s.keys("2");
    s.wait_for_another_sample(Some(&first));
    s.keys("u");
    s.wait_for(&format!("undone: {first} → unlabelled"));
    assert_eq!(s.shown_id().as_deref(), Some(first.as_str()), "undo shows the sample again");
    // Grid: mark two, then a range of three, and label all five with one key.
    s.keys("t");
    s.wait_for("space mark");
    s.keys("  vll4");
    s.wait_for("5 samples labelled cross");
    s.keys("q");
    assert_eq!(s.exit_code(), 0);
    let stats = json(&["labels", "stats", p(&shapes), "--json"]);
    assert_eq!(stats["events_per_origin"]["bulk"], 5, "{stats}");
    assert_eq!(stats["labelled"], 157 + 5, "{stats}");
}

/// The recipe's loop inside the workbench: launch a run from the Train pane, wait for it to
/// finish, open a confusion cell in the Results pane and relabel one of its samples.
#[test]
fn launch_a_run_open_a_confusion_cell_and_relabel_a_sample() {
    let dir = demo();
    let fruit = dir.path().join("demo/fruit");
    let mut s = Session::start(&[p(&fruit)], 120, 36);
    s.wait_for("F1 Browse");
    s.keys("\x1bOS"); // F4
    s.wait_for("next run");
    s.keys("\r");
    s.wait_for("F5 shows the results");
    let shown = json(&["show", p(&fruit), "latest", "--json"]);
    let run = shown["run"]["id"].as_str().unwrap().to_string();
    assert!(s.text().contains(&run), "the Train pane follows the run it launched");
    // The first cell that holds a mistake (else the first cell), from the run's own files.
    let detail: Vec<Vec<u64>> = serde_json::from_value(shown["confusion"].clone()).unwrap();
    let (g, c) = (0..detail.len())
        .flat_map(|g| (0..detail.len()).map(move |c| (g, c)))
        .find(|&(g, c)| g != c && detail[g][c] > 0)
        .unwrap_or((0, 0));
    let classes: Vec<String> = serde_json::from_value(shown["run"]["classes"].clone()).unwrap();
    s.keys("\x1b[15~"); // F5
    s.wait_for("confusion matrix: test split");
    s.keys(&"j".repeat(g));
    s.keys(&"l".repeat(c));
    let cell = format!("cell: given {} → predicted {}", classes[g], classes[c]);
    s.wait_for(&cell);
    s.keys("\r");
    s.wait_for("Enter relabels");
    s.keys("\r");
    s.wait_for(&format!("review: given {} → predicted {}", classes[g], classes[c]));
    let id = s.wait_for_another_sample(None);
    // Label it with the predicted class (the class keys are 1, 2, … in order).
    s.keys(&(c + 1).to_string());
    s.wait_for("this session 1 ");
    s.keys("\x1b");
    s.wait_for(&cell);
    s.keys("q");
    assert_eq!(s.exit_code(), 0);
    let export = ok(&["labels", "export", p(&fruit), "--format", "csv"]);
    assert!(export.lines().any(|l| l == format!("{id},{}", classes[c])), "{id} relabelled {}:\n{export}", classes[c]);
}

#[test]
fn sigterm_marks_a_training_run_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let proj = slow_forest_project(dir.path());
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kindling"))
        .args(["train", p(&proj), "--model", "random_forest", "--folds", "10"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let record = |status: &str| -> Option<serde_json::Value> {
        let runs = std::fs::read_dir(proj.join("runs")).ok()?;
        let dir = runs.filter_map(|e| e.ok()).next()?.path();
        let r: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("run.json")).ok()?).ok()?;
        (r["status"] == status).then_some(r)
    };
    let start = Instant::now();
    let running = loop {
        if let Some(r) = record("running") {
            break r;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "the run never started");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(running["pid"], child.id(), "a running run names its process");
    std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success());
    let cancelled = record("cancelled").expect("the run is marked cancelled");
    assert!(cancelled["ended"].is_string() && cancelled.get("pid").is_none(), "{cancelled}");
    let runs = json(&["runs", p(&proj), "--json"]);
    assert_eq!(runs[0]["status"], "cancelled");
}

#[test]
fn the_map_selects_a_rectangle_and_one_key_labels_it_in_bulk() {
    let dir = demo();
    let shapes = dir.path().join("demo/shapes");
    let mut s = Session::start(&[p(&shapes), "--graphics", "none"], 100, 30);
    s.wait_for("F1 Browse");
    s.keys("\x1b[17~"); // F6
    s.wait_for("points ·");
    s.keys("v");
    s.wait_for("rectangle open");
    s.keys("llljjj");
    s.keys("v");
    s.wait_for("selected: a class key");
    let text = s.text();
    let line = text.lines().find(|l| l.contains("selected: a class key")).unwrap().to_string();
    let before = line.split(" selected: a class key").next().unwrap();
    let selected: usize = before.rsplit(' ').next().unwrap().parse().expect(&line);
    assert!(selected > 1, "{line}");
    s.keys("2");
    s.wait_for(&format!("{selected} samples labelled"));
    s.keys("q");
    assert_eq!(s.exit_code(), 0);
    let stats = json(&["labels", "stats", p(&shapes), "--json"]);
    assert!(stats["events_per_origin"]["bulk"].as_u64().unwrap() >= 1, "{stats}");
    let export = ok(&["labels", "export", p(&shapes), "-o", "-"]);
    let labelled_2 = export.lines().filter(|l| l.ends_with(",square")).count();
    assert!(labelled_2 >= selected, "{export}");
}

#[test]
fn quitting_while_the_neighbour_map_is_made_exits_at_once() {
    // 6,000 rows: the t-SNE map takes far longer than the grace quitting gives it.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("points.csv");
    let mut text = String::from("id,a,b,c\n");
    for i in 0..6_000u64 {
        let h = i.wrapping_mul(2_654_435_761) % 1_000;
        text.push_str(&format!("r{i},{},{},{}\n", h % 10, h / 10 % 10, h / 100));
    }
    std::fs::write(&csv, text).unwrap();
    let project = dir.path().join("points");
    ok(&["init", p(&project), "--source", p(&csv), "--id-column", "id", "--classes", "x,y"]);
    let mut s = Session::start(&[p(&project)], 120, 30);
    s.wait_for("F1 Browse");
    s.keys("\x1b[17~"); // F6
    s.wait_for("neighbour map coming");
    s.keys("q");
    let start = Instant::now();
    assert_eq!(s.exit_code(), 0);
    assert!(start.elapsed() < Duration::from_secs(6), "quitting took {:?}", start.elapsed());
    assert!(s.restored());
}

/// The sample the Label pane shows, from its title (`Label · ID`).
fn shown_id(screen: &str) -> Option<String> {
    let after = screen.split("Label · ").nth(1)?;
    Some(after.split_whitespace().next()?.to_string())
}

#[test]
fn an_echo_is_asked_blind_answered_differently_and_found_in_the_review() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("texts");
    std::fs::create_dir_all(&data).unwrap();
    let truth = |i: usize| if i.is_multiple_of(2) { "printer" } else { "account" };
    for i in 0..40usize {
        let text = if i.is_multiple_of(2) { "the printer jams" } else { "unlock the account" };
        std::fs::write(data.join(format!("t{i:03}.txt")), format!("{text} (ticket {i})")).unwrap();
    }
    let project = dir.path().join("p");
    ok(&["init", p(&project), "--source", p(&data), "--kind", "text", "--classes", "printer,account"]);
    let config = project.join("kindling.toml");
    let toml = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{toml}\n[qa]\necho = 0.5\necho_gap = 1\necho_wait = \"0s\"\ngold = 0.0\n"))
        .unwrap();
    for i in 0..6 {
        ok(&["labels", "set", p(&project), &format!("t{i:03}.txt"), truth(i)]);
    }
    let mut s = Session::start(&["open", p(&project)], 120, 30);
    s.wait_for("t000.txt");
    s.keys("\x1bOQ"); // F2
    s.wait_for("Label · t0");
    let mut echoed = None;
    for _ in 0..12 {
        let screen = s.text();
        let id = shown_id(&screen).unwrap();
        let i: usize = id[1..4].parse().unwrap();
        if i < 6 {
            // A sample labelled before, asked again: its card shows no label.
            assert!(screen.contains("label: unlabelled"), "the echo shows its label:\n{screen}");
            s.keys(if truth(i) == "printer" { "2" } else { "1" });
            echoed = Some(id);
            break;
        }
        s.keys(if truth(i) == "printer" { "1" } else { "2" });
        let start = Instant::now();
        while shown_id(&s.text()).as_deref() == Some(id.as_str()) && start.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let echoed = echoed.expect("no echo within 12 cards");
    // The reviews: each class, the model's disagreements, then the answers.
    for _ in 0..4 {
        s.keys("r");
        std::thread::sleep(Duration::from_millis(300));
        if s.text().contains("review: answers") {
            break;
        }
    }
    s.wait_for("review: answers");
    s.wait_for(&format!("Label · {echoed}"));
    s.wait_for("when asked again");
    s.keys("q");
    assert_eq!(s.exit_code(), 0);
    let qa = json(&["qa", p(&project), "--json"]);
    assert_eq!(qa["self_agreement"]["pairs"], 1, "{qa}");
    let labels = ok(&["labels", "export", p(&project)]);
    let i: usize = echoed[1..4].parse().unwrap();
    assert!(labels.contains(&format!("{echoed},{}", truth(i))), "the label stays: {labels}");
}

#[test]
fn two_boxes_drawn_by_keys_one_reclassed_and_undone_are_exported_as_coco() {
    let dir = tempfile::tempdir().unwrap();
    let images = dir.path().join("images");
    std::fs::create_dir(&images).unwrap();
    for name in ["a.png", "b.png"] {
        image::RgbImage::from_pixel(640, 480, image::Rgb([30, 90, 160])).save(images.join(name)).unwrap();
    }
    let project = dir.path().join("p");
    ok(&["init", p(&project), "--source", p(&images), "--task", "detect", "--classes", "car,person"]);
    let mut s = Session::start(&[p(&project), "--graphics", "none"], 100, 30);
    s.wait_for("F1 Browse");
    s.keys("\t");
    s.wait_for("640×480 px");
    s.keys("n");
    s.wait_for("▶ car 96×96");
    // Deselect, move the cursor down four steps, pick person, and box there.
    s.keys("\x1b");
    s.wait_for("  car 96×96");
    s.keys("\x1b[B\x1b[B\x1b[B\x1b[B2n");
    s.wait_for("▶ person 96×96");
    s.keys("1");
    s.wait_for("▶ car 96×96");
    s.keys("u");
    s.wait_for("person 96×96");
    s.keys("q");
    assert_eq!(s.exit_code(), 0);
    assert!(s.restored());
    let coco = dir.path().join("boxes.json");
    ok(&["labels", "export", p(&project), "--format", "coco", "-o", p(&coco)]);
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&coco).unwrap()).unwrap();
    let names: Vec<&str> = v["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            v["categories"].as_array().unwrap()[a["category_id"].as_u64().unwrap() as usize - 1]["name"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(names, ["car", "person"], "{v}");
    let ys: Vec<f64> = v["annotations"].as_array().unwrap().iter().map(|a| a["bbox"][1].as_f64().unwrap()).collect();
    // A step is a fiftieth of 640 px: the second box sits 4 × 13 px lower.
    assert_eq!(ys, [192.0, 244.0], "{v}");
}
