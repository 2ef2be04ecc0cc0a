use proptest::prelude::*;

use super::*;

fn new_store(dir: &tempfile::TempDir) -> LabelStore {
    LabelStore::create(&dir.path().join(LABELS_FILE)).unwrap()
}

fn as_map(rows: Vec<(String, String)>) -> BTreeMap<String, String> {
    rows.into_iter().collect()
}

#[test]
fn set_clear_and_undo_are_events() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = new_store(&dir);
    s.set("a", Some("cat"), Origin::Keyboard).unwrap();
    s.set("a", Some("dog"), Origin::Keyboard).unwrap();
    s.set("b", Some("cat"), Origin::Keyboard).unwrap();
    s.set("b", None, Origin::Keyboard).unwrap();
    assert_eq!(s.get("b").unwrap(), None);

    assert_eq!(s.undo().unwrap(), Some(Undone { sample_id: "b".into(), restored: Some("cat".into()) }));
    assert_eq!(s.undo().unwrap(), Some(Undone { sample_id: "b".into(), restored: None }));
    assert_eq!(s.undo().unwrap(), Some(Undone { sample_id: "a".into(), restored: Some("cat".into()) }));
    assert_eq!(s.undo().unwrap(), Some(Undone { sample_id: "a".into(), restored: None }));
    assert_eq!(s.undo().unwrap(), None);
    assert!(s.current().unwrap().is_empty());
    // Nothing was deleted: four labels and four undos.
    assert_eq!(s.event_count().unwrap(), 8);
}

#[test]
fn undo_only_touches_its_own_session() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = new_store(&dir);
    let mut b = LabelStore::open(&dir.path().join(LABELS_FILE)).unwrap();
    a.set("x", Some("cat"), Origin::Keyboard).unwrap();
    b.set("y", Some("dog"), Origin::Keyboard).unwrap();
    assert_eq!(a.undo().unwrap().unwrap().sample_id, "x");
    assert_eq!(a.undo().unwrap(), None);
    assert_eq!(b.get("y").unwrap().as_deref(), Some("dog"));
}

#[test]
fn a_reader_sees_each_committed_write() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = new_store(&dir);
    let reader = LabelStore::open(&dir.path().join(LABELS_FILE)).unwrap();
    for i in 0..20 {
        writer.set(&format!("s{i}"), Some("cat"), Origin::Cli).unwrap();
        assert_eq!(reader.labelled_count().unwrap(), i + 1);
    }
}

#[test]
fn set_many_skips_unchanged_labels() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = new_store(&dir);
    s.set("a", Some("cat"), Origin::Cli).unwrap();
    let n = s.set_many([("a", Some("cat")), ("b", Some("dog"))], Origin::Import).unwrap();
    assert_eq!(n, 1);
    assert_eq!(s.count_per_origin().unwrap().get("import"), Some(&1));
}

#[test]
fn a_non_database_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(LABELS_FILE);
    std::fs::write(&path, "this is not sqlite, just some text that is long enough to matter").unwrap();
    let e = LabelStore::open(&path).err().unwrap();
    assert!(e.message().contains("is not a Kindling label store"), "{}", e.message());
}

#[derive(Debug, Clone)]
enum Op {
    Set(usize, Option<usize>),
    Bulk(Vec<(usize, Option<usize>)>),
    Undo,
    SwitchSession,
    /// Asked again blind, and answered.
    Echo(usize, usize),
}

fn op() -> impl Strategy<Value = Op> {
    let id = 0..6usize;
    let label = proptest::option::weighted(0.8, 0..3usize);
    prop_oneof![
        4 => (id.clone(), label.clone()).prop_map(|(i, l)| Op::Set(i, l)),
        1 => proptest::collection::vec((id, label), 0..4).prop_map(Op::Bulk),
        2 => Just(Op::Undo),
        1 => Just(Op::SwitchSession),
        2 => (0..6usize, 0..3usize).prop_map(|(i, l)| Op::Echo(i, l)),
    ]
}

const LABELS: [&str; 3] = ["cat", "dog", "bird"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Replaying the event log always gives the current view, whatever the mix of sets,
    /// clears, bulk writes and undos from two sessions.
    #[test]
    fn replaying_events_equals_the_current_view(ops in proptest::collection::vec(op(), 0..40)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LABELS_FILE);
        let mut stores = [LabelStore::create(&path).unwrap(), LabelStore::open(&path).unwrap()];
        let mut who = 0;
        for op in ops {
            let s = &mut stores[who];
            match op {
                Op::Set(i, l) => {
                    s.set(&format!("s{i}"), l.map(|l| LABELS[l]), Origin::Keyboard).unwrap();
                }
                Op::Bulk(items) => {
                    let items: Vec<(String, Option<&str>)> =
                        items.into_iter().map(|(i, l)| (format!("s{i}"), l.map(|l| LABELS[l]))).collect();
                    s.set_many(items.iter().map(|(i, l)| (i.as_str(), *l)), Origin::Bulk).unwrap();
                }
                Op::Undo => {
                    s.undo().unwrap();
                }
                Op::SwitchSession => who = 1 - who,
                Op::Echo(i, l) => {
                    s.ask(&[(format!("s{i}"), Ask::Echo)]).unwrap();
                    s.answer(&format!("s{i}"), LABELS[l], Ask::Echo).unwrap();
                }
            }
            let events = stores[0].events().unwrap();
            prop_assert_eq!(replay(&events), as_map(stores[1].current().unwrap()));
        }
    }
}

#[test]
fn an_answer_to_a_re_ask_changes_no_label_and_undo_withdraws_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = new_store(&dir);
    s.set("a", Some("cat"), Origin::Keyboard).unwrap();
    s.ask(&[("a".into(), Ask::Echo), ("g".into(), Ask::Gold)]).unwrap();
    assert_eq!(s.asked("a").unwrap(), Some(Ask::Echo));
    s.answer("a", "dog", Ask::Echo).unwrap();
    assert_eq!(s.get("a").unwrap().as_deref(), Some("cat"), "the label stays");
    assert_eq!(s.asked("a").unwrap(), None, "answered");
    assert_eq!(s.asks().unwrap(), [("g".to_string(), Ask::Gold)]);
    assert_eq!(s.event_count().unwrap(), 1, "answers are not label events");
    let last = s.events().unwrap().pop().unwrap();
    assert_eq!((last.origin, last.label.as_deref()), (Origin::Echo, Some("dog")));
    // Undo takes back the answer, not the label before it, and asks again.
    assert_eq!(s.undo().unwrap(), Some(Undone { sample_id: "a".into(), restored: Some("cat".into()) }));
    assert_eq!(s.get("a").unwrap().as_deref(), Some("cat"));
    assert_eq!(s.asked("a").unwrap(), Some(Ask::Echo));
    // The next undo reaches the label.
    assert_eq!(s.undo().unwrap(), Some(Undone { sample_id: "a".into(), restored: None }));
    assert_eq!(s.get("a").unwrap(), None);
}

#[test]
fn gold_answers_are_kept_and_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = new_store(&dir);
    s.set_gold(&[("a".into(), "cat".into()), ("b".into(), "dog".into())]).unwrap();
    s.set_gold(&[("b".into(), "cat".into())]).unwrap();
    let gold = s.gold().unwrap();
    assert_eq!(gold.get("b").map(String::as_str), Some("cat"));
    assert_eq!(gold.len(), 2);
    assert!(s.current().unwrap().is_empty(), "gold is not labels");
}

#[test]
fn a_version_3_store_is_brought_up_to_date_with_its_class_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE changes (id INTEGER PRIMARY KEY AUTOINCREMENT, time_ms INTEGER NOT NULL,
                 session TEXT NOT NULL, what TEXT NOT NULL, classes_before TEXT NOT NULL,
                 last_seq INTEGER NOT NULL, undoes INTEGER REFERENCES changes(id));
             CREATE TABLE events (
                 seq INTEGER PRIMARY KEY AUTOINCREMENT, sample_id TEXT NOT NULL, label TEXT,
                 time_ms INTEGER NOT NULL,
                 origin TEXT NOT NULL CHECK (origin IN
                     ('keyboard', 'import', 'bulk', 'cli', 'accepted', 'rename', 'merge', 'remove')),
                 session TEXT NOT NULL, undoes INTEGER REFERENCES events(seq),
                 change INTEGER REFERENCES changes(id));
             CREATE INDEX events_by_sample ON events(sample_id, seq);
             CREATE INDEX events_by_session ON events(session, seq);
             CREATE TABLE current (sample_id TEXT PRIMARY KEY, label TEXT NOT NULL, seq INTEGER NOT NULL);
             INSERT INTO changes (time_ms, session, what, classes_before, last_seq)
                 VALUES (2, 's', 'rename kitty → cat', '[]', 2);
             INSERT INTO events (sample_id, label, time_ms, origin, session) VALUES ('a', 'kitty', 1, 'keyboard', 's');
             INSERT INTO events (sample_id, label, time_ms, origin, session, change) VALUES ('a', 'cat', 2, 'rename', 's', 1);
             INSERT INTO current VALUES ('a', 'cat', 2);
             PRAGMA user_version = 3;",
        )
        .unwrap();
    }
    let mut store = LabelStore::open(&path).unwrap();
    let events = store.events().unwrap();
    assert_eq!(events.len(), 2, "no event lost");
    assert_eq!(events[1].change, Some(1), "the class change kept");
    store.ask(&[("a".into(), Ask::Echo)]).unwrap();
    store.answer("a", "cat", Ask::Echo).unwrap();
    assert_eq!(store.changes().unwrap(), [("rename kitty → cat".to_string(), false)]);
    drop(store);
    let store = LabelStore::open(&path).unwrap();
    assert_eq!(store.events().unwrap().last().map(|e| e.origin), Some(Origin::Echo), "opened again at version 4");
}

#[test]
fn a_version_1_store_is_brought_up_to_date_with_every_event() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE events (
                 seq INTEGER PRIMARY KEY AUTOINCREMENT, sample_id TEXT NOT NULL, label TEXT,
                 time_ms INTEGER NOT NULL,
                 origin TEXT NOT NULL CHECK (origin IN ('keyboard', 'import', 'bulk', 'cli')),
                 session TEXT NOT NULL, undoes INTEGER REFERENCES events(seq));
             CREATE INDEX events_by_sample ON events(sample_id, seq);
             CREATE INDEX events_by_session ON events(session, seq);
             CREATE TABLE current (sample_id TEXT PRIMARY KEY, label TEXT NOT NULL, seq INTEGER NOT NULL);
             INSERT INTO events (sample_id, label, time_ms, origin, session) VALUES ('a', 'cat', 1, 'keyboard', 's');
             INSERT INTO events (sample_id, label, time_ms, origin, session) VALUES ('b', 'dog', 2, 'import', 's');
             INSERT INTO current VALUES ('a', 'cat', 1), ('b', 'dog', 2);
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let mut store = LabelStore::open(&path).unwrap();
    assert_eq!(store.event_count().unwrap(), 2, "no event lost");
    assert_eq!(store.get("b").unwrap().as_deref(), Some("dog"));
    store.set("c", Some("cat"), Origin::Accepted).unwrap();
    assert_eq!(store.event_count().unwrap(), 3);
    drop(store);
    let store = LabelStore::open(&path).unwrap();
    assert_eq!(store.get("c").unwrap().as_deref(), Some("cat"), "opened again at version 2");
}

fn rect(x: f64, y: f64, w: f64, h: f64) -> Rect {
    Rect { x, y, w, h }
}

#[test]
fn box_edits_are_events_and_undo_gives_back_each_state() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = new_store(&dir);
    let a = s.add_box("img.jpg", "car", rect(10.0, 20.0, 30.0, 40.0), Origin::Keyboard).unwrap();
    let b = s.add_box("img.jpg", "person", rect(0.0, 0.0, 5.0, 5.0), Origin::Keyboard).unwrap();
    assert_ne!(a, b);
    s.change_box(a, "truck", rect(12.0, 20.0, 30.0, 40.0), Origin::Keyboard).unwrap();
    s.delete_box(b, Origin::Keyboard).unwrap();
    s.mark_done("img.jpg", true, Origin::Keyboard).unwrap();
    let now = s.boxes("img.jpg").unwrap();
    assert_eq!(now.len(), 1);
    assert_eq!((now[0].class.as_str(), now[0].rect), ("truck", rect(12.0, 20.0, 30.0, 40.0)));
    assert!(s.done_images().unwrap().contains("img.jpg"));

    assert_eq!(s.undo_box().unwrap(), Some(BoxUndone { sample_id: "img.jpg".into(), box_id: None }));
    assert!(s.done_images().unwrap().is_empty(), "the done mark undone");
    assert_eq!(s.undo_box().unwrap().and_then(|u| u.box_id), Some(b));
    assert_eq!(s.boxes("img.jpg").unwrap().len(), 2, "the deleted box is back");
    s.undo_box().unwrap();
    let back: Vec<(String, Rect)> = s.boxes("img.jpg").unwrap().into_iter().map(|b| (b.class, b.rect)).collect();
    assert!(back.contains(&("car".into(), rect(10.0, 20.0, 30.0, 40.0))), "the move and class undone: {back:?}");
    s.undo_box().unwrap();
    s.undo_box().unwrap();
    assert!(s.boxes("img.jpg").unwrap().is_empty());
    assert_eq!(s.undo_box().unwrap(), None, "nothing left to undo");
    assert_eq!(s.box_event_count().unwrap(), 10, "five edits and five undos, none deleted");
    assert!(s.current().unwrap().is_empty(), "boxes are not class labels");
}

#[test]
fn a_box_edit_is_undone_only_in_its_own_session_and_kept_across_opening() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = new_store(&dir);
    let mut b = LabelStore::open(&dir.path().join(LABELS_FILE)).unwrap();
    a.add_box("x.png", "car", rect(1.0, 1.0, 2.0, 2.0), Origin::Keyboard).unwrap();
    b.add_box("y.png", "car", rect(1.0, 1.0, 2.0, 2.0), Origin::Keyboard).unwrap();
    assert_eq!(a.undo_box().unwrap().map(|u| u.sample_id), Some("x.png".into()));
    assert_eq!(a.undo_box().unwrap(), None);
    drop(a);
    drop(b);
    let c = LabelStore::open(&dir.path().join(LABELS_FILE)).unwrap();
    let all = c.all_boxes().unwrap();
    assert_eq!(all.keys().collect::<Vec<_>>(), ["y.png"]);
}

#[test]
fn replacing_boxes_is_one_transaction_and_refuses_a_box_no_image_holds() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = new_store(&dir);
    s.add_box("a.png", "car", rect(1.0, 1.0, 2.0, 2.0), Origin::Keyboard).unwrap();
    let mut import: BTreeMap<String, Vec<(String, Rect)>> = BTreeMap::new();
    import.insert(
        "a.png".into(),
        vec![("dog".into(), rect(3.0, 3.0, 4.0, 4.0)), ("cat".into(), rect(0.0, 0.0, 1.0, 1.0))],
    );
    import.insert("b.png".into(), vec![]);
    assert_eq!(s.replace_boxes(&import, Origin::Import).unwrap(), 2);
    let classes: Vec<String> = s.boxes("a.png").unwrap().into_iter().map(|b| b.class).collect();
    assert_eq!(classes, ["dog", "cat"], "the old box replaced");
    assert_eq!(s.done_images().unwrap().len(), 2, "an image with no boxes is done too");
    s.add_box("c.png", "car", rect(1.0, 1.0, 2.0, 2.0), Origin::Keyboard).unwrap();
    assert_eq!(s.boxed_image_count().unwrap(), 3, "a.png and b.png done, c.png boxed");
    let labelled: Vec<String> = s.labelled_images().unwrap().into_iter().collect();
    assert_eq!(labelled, ["a.png", "b.png", "c.png"]);
    assert!(s.is_done("b.png").unwrap() && !s.is_done("c.png").unwrap());
    let before = s.box_event_count().unwrap();
    import.insert("c.png".into(), vec![("car".into(), rect(0.0, 0.0, 0.0, 5.0))]);
    let err = s.replace_boxes(&import, Origin::Import).unwrap_err().to_string();
    assert!(err.contains("c.png") && err.contains("wider and taller than 0"), "{err}");
    assert_eq!(s.box_event_count().unwrap(), before, "nothing written");
    let err = s.change_box(99, "car", rect(0.0, 0.0, 1.0, 1.0), Origin::Keyboard).unwrap_err().to_string();
    assert!(err.contains("no box 99"), "{err}");
}

#[test]
fn a_version_4_store_gains_boxes_and_keeps_its_labels() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(LABELS_FILE);
    {
        let mut s = LabelStore::create(&path).unwrap();
        s.set("a", Some("cat"), Origin::Keyboard).unwrap();
        s.conn
            .execute_batch("DROP TABLE box_events; DROP TABLE boxes; DROP TABLE images_done; PRAGMA user_version = 4;")
            .unwrap();
    }
    let mut s = LabelStore::open(&path).unwrap();
    assert_eq!(s.get("a").unwrap().as_deref(), Some("cat"));
    s.add_box("a", "car", rect(1.0, 1.0, 2.0, 2.0), Origin::Keyboard).unwrap();
    drop(s);
    let s = LabelStore::open(&path).unwrap();
    assert_eq!(s.boxes("a").unwrap().len(), 1, "opened again at version 5");
}
