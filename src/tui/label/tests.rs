use std::time::Duration;

use super::*;
use kindling::labels::store::Undone;

fn classes() -> Vec<ClassConfig> {
    ["cat", "dog", "bird"]
        .iter()
        .enumerate()
        .map(|(i, n)| ClassConfig { name: n.to_string(), key: (i + 1).to_string(), colour: "red".into() })
        .collect()
}

/// A labeller with a queue of `n` samples, the first `labelled` of them labelled cat.
fn labeller(kind: SourceKind, n: usize, labelled: usize) -> Labeller {
    let mut l = Labeller::new(kind, classes(), false, true, 0);
    let jobs = l.jobs(&mut Thumbs::default());
    assert!(matches!(jobs[..], [Job::Queue { generation: 0, order: Order::UnlabelledFirst, .. }]), "{jobs:?}");
    let ids: Vec<String> = (0..n).map(|i| format!("s{i}")).collect();
    let labels = ids.iter().take(labelled).map(|id| (id.clone(), "cat".to_string())).collect();
    let data = QueueData {
        ids,
        labels,
        total: n,
        run: None,
        events: labelled as u64,
        note: None,
        live: None,
        asks: HashMap::new(),
        notes: HashMap::new(),
        qa: None,
    };
    l.queue_arrived(0, Ok(data));
    l
}

/// Does what the event loop does with a write: commits it (here: pretends to) and reports.
fn commit(l: &mut Labeller, now: Instant) -> Write {
    let write = l.write.take().expect("a write was asked for");
    let written = match write.clone() {
        Write::Set { ids, label, .. } => {
            let events = ids.len();
            Written::Set { ids, label, events }
        }
        Write::Accept { pairs } => Written::Accepted { events: pairs.len(), pairs },
        Write::Answer { id, kind, .. } => Written::Answered { id, kind },
        Write::Undo { .. } | Write::Box(_) => {
            unreachable!("undo is committed by the tests themselves; boxes are not the labeller's")
        }
    };
    l.written(Ok(written), now);
    write
}

#[test]
fn a_labelled_sample_asked_again_is_shown_blind_and_answered_beside_its_label() {
    let mut l = Labeller::new(SourceKind::Text, classes(), false, true, 0);
    l.jobs(&mut Thumbs::default());
    // s0 and s1 labelled cat; s1 is asked again between s2 and s3.
    // s1 also comes later, as a queue reordered while it waited could place it.
    let ids: Vec<String> = ["s0", "s2", "s1", "s3", "s1"].map(String::from).to_vec();
    let labels: HashMap<String, String> = [("s0", "cat"), ("s1", "cat")].map(|(i, c)| (i.into(), c.into())).into();
    let asks: HashMap<String, Ask> = [("s1".to_string(), Ask::Echo)].into();
    l.queue_arrived(
        0,
        Ok(QueueData {
            ids,
            labels,
            total: 4,
            run: None,
            events: 2,
            note: None,
            live: None,
            asks,
            notes: HashMap::new(),
            qa: None,
        }),
    );
    assert_eq!(l.current(), Some("s2"));
    l.class_key(1);
    commit(&mut l, Instant::now());
    assert_eq!(l.current(), Some("s1"), "the echo comes in its place, not skipped as labelled");
    assert_eq!(l.label_of("s1"), None, "its label is hidden");
    l.class_key(1);
    let write = commit(&mut l, Instant::now());
    assert_eq!(write, Write::Answer { id: "s1".into(), label: "dog".into(), kind: Ask::Echo });
    assert_eq!((l.current(), l.labels.get("s1").map(String::as_str)), (Some("s3"), Some("cat")), "the label stays");
    assert_eq!(l.queue.as_ref().unwrap(), &["s0", "s2", "s1", "s3"], "answered, it is not met again ahead");
    // Undo takes the answer back and asks again.
    l.act(Action::Undo);
    assert_eq!(l.write.take(), Some(Write::Undo { events: 1 }));
    let undone = Undone { sample_id: "s1".into(), restored: Some("cat".into()) };
    l.written(Ok(Written::Undone(vec![undone])), Instant::now());
    assert_eq!((l.current(), l.label_of("s1")), (Some("s1"), None), "asked again, blind");
}

#[test]
fn the_queue_starts_at_the_first_unlabelled_sample() {
    let l = labeller(SourceKind::Text, 10, 3);
    assert_eq!(l.current(), Some("s3"));
}

#[test]
fn a_class_key_labels_commits_then_advances() {
    let mut l = labeller(SourceKind::Text, 10, 0);
    l.class_key(1);
    assert_eq!(l.current(), Some("s0"), "nothing moves before the label is committed");
    let now = Instant::now();
    let write = commit(&mut l, now);
    assert_eq!(write, Write::Set { ids: vec!["s0".into()], label: Some("dog".into()), origin: Origin::Keyboard });
    assert_eq!((l.current(), l.label_of("s0")), (Some("s1"), Some("dog")));
    assert_eq!(l.per_class(), [("cat".to_string(), 0), ("dog".into(), 1), ("bird".into(), 0)]);
    l.class_key(0);
    commit(&mut l, now + Duration::from_secs(3));
    assert_eq!(l.pace.labels, 2);
    assert_eq!(l.pace.per_minute(), Some(20.0), "one label every three seconds");
}

#[test]
fn a_failed_commit_stays_on_the_sample_and_says_so() {
    let mut l = labeller(SourceKind::Text, 10, 0);
    l.class_key(0);
    l.write.take();
    l.written(Err("database is locked".into()), Instant::now());
    assert_eq!((l.current(), l.label_of("s0")), (Some("s0"), None));
    assert!(l.message.as_deref().unwrap().contains("not saved: database is locked"));
}

#[test]
fn the_stay_setting_keeps_the_sample_after_labelling() {
    let mut l = labeller(SourceKind::Text, 10, 0);
    l.advance = false;
    l.class_key(2);
    commit(&mut l, Instant::now());
    assert_eq!((l.current(), l.label_of("s0")), (Some("s0"), Some("bird")));
}

#[test]
fn skip_back_and_forward_move_through_the_queue() {
    let mut l = labeller(SourceKind::Text, 3, 0);
    l.act(Action::Skip);
    l.act(Action::Skip);
    assert_eq!(l.current(), Some("s2"));
    l.act(Action::Skip);
    assert_eq!(l.current(), Some("s2"));
    assert_eq!(l.message.as_deref(), Some("the end of the queue"));
    l.act(Action::Left);
    l.act(Action::Left);
    l.act(Action::Left);
    assert_eq!(l.current(), Some("s0"));
    l.act(Action::Right);
    assert_eq!(l.current(), Some("s1"));
    assert!(l.write.is_none(), "moving writes nothing");
}

#[test]
fn clear_writes_no_label_and_undo_asks_for_the_events_of_the_last_action() {
    let mut l = labeller(SourceKind::Text, 10, 0);
    l.act(Action::Undo);
    assert_eq!(l.message.as_deref(), Some("nothing to undo in this session"));
    l.class_key(0);
    commit(&mut l, Instant::now());
    l.act(Action::Left);
    l.act(Action::ClearLabel);
    let write = commit(&mut l, Instant::now());
    assert_eq!(write, Write::Set { ids: vec!["s0".into()], label: None, origin: Origin::Keyboard });
    assert_eq!((l.current(), l.label_of("s0")), (Some("s0"), None), "clearing stays");
    l.act(Action::Skip);
    l.act(Action::Undo);
    assert_eq!(l.write.take(), Some(Write::Undo { events: 1 }));
    let undone = Undone { sample_id: "s0".into(), restored: Some("cat".into()) };
    l.written(Ok(Written::Undone(vec![undone])), Instant::now());
    assert_eq!((l.current(), l.label_of("s0")), (Some("s0"), Some("cat")), "undo shows the sample again");
}

#[test]
fn grid_marks_and_ranges_label_in_bulk() {
    let mut l = labeller(SourceKind::Images, 20, 0);
    l.act(Action::Grid);
    l.set_layout(8, 4);
    l.act(Action::Skip); // mark s0, move to s1
    l.act(Action::Right);
    l.act(Action::Range); // from s2
    l.act(Action::Down); // to s6
    l.class_key(2);
    let write = commit(&mut l, Instant::now());
    let ids: Vec<String> = ["s0", "s2", "s3", "s4", "s5", "s6"].iter().map(|s| s.to_string()).collect();
    assert_eq!(write, Write::Set { ids, label: Some("bird".into()), origin: Origin::Bulk });
    assert!(l.marks.is_empty() && l.range_from.is_none(), "marks are used up");
    assert_eq!(l.current(), Some("s6"), "a bulk label leaves the cursor where it was");
    assert_eq!(l.per_class()[2].1, 6);
    l.act(Action::Skip);
    l.act(Action::Unmark);
    assert!(l.marks.is_empty());
}

#[test]
fn grid_mode_is_for_images_and_texts() {
    let mut l = labeller(SourceKind::Audio, 5, 0);
    l.act(Action::Grid);
    assert!(!l.grid);
    assert!(l.message.as_deref().unwrap().contains("images and texts"));
}

#[test]
fn multi_label_keys_toggle_and_enter_commits() {
    let mut l = labeller(SourceKind::Images, 5, 1);
    l.multi = true;
    l.act(Action::Left); // s0, labelled cat
    l.class_key(2);
    l.class_key(0);
    l.class_key(1);
    assert!(l.write.is_none(), "toggling writes nothing");
    l.act(Action::Commit);
    let write = commit(&mut l, Instant::now());
    assert_eq!(write, Write::Set { ids: vec!["s0".into()], label: Some("dog|bird".into()), origin: Origin::Keyboard });
    assert_eq!(l.current(), Some("s1"));
    assert_eq!(l.per_class(), [("cat".to_string(), 0), ("dog".into(), 1), ("bird".into(), 1)]);
}

#[test]
fn order_and_review_rebuild_the_queue() {
    let mut l = labeller(SourceKind::Text, 5, 0);
    l.act(Action::Order);
    assert!(l.queue.is_none());
    let jobs = l.jobs(&mut Thumbs::default());
    assert!(matches!(jobs[..], [Job::Queue { generation: 1, order: Order::Sequential, review: None, .. }]), "{jobs:?}");
    l.act(Action::Review);
    let jobs = l.jobs(&mut Thumbs::default());
    let want = Some(Review::Class("cat".into()));
    assert!(matches!(&jobs[..], [Job::Queue { generation: 2, review, .. }] if *review == want), "{jobs:?}");
    // A queue built for an older choice is dropped.
    let stale = QueueData {
        ids: vec!["x".into()],
        labels: HashMap::new(),
        total: 1,
        run: None,
        events: 0,
        note: None,
        live: None,
        asks: HashMap::new(),
        notes: HashMap::new(),
        qa: None,
    };
    l.queue_arrived(1, Ok(stale));
    assert!(l.queue.is_none());
}

#[test]
fn content_is_fetched_ahead_in_batches_and_forgotten_behind() {
    let mut l = labeller(SourceKind::Table, 200, 0);
    let number = |id: &String| id[1..].parse::<usize>().unwrap();
    let jobs = l.jobs(&mut Thumbs::default());
    let Some(Job::Cards { ids }) = jobs.first() else { panic!("{jobs:?}") };
    assert_eq!(ids.iter().map(number).collect::<Vec<_>>(), (0..=AHEAD_ROWS).collect::<Vec<_>>());
    l.rows_arrived(
        vec![kindling::project::samples::TableColumn { name: "x".into(), float: false }],
        ids.iter().map(|id| SampleRow { id: id.clone(), label: None, values: vec![] }).collect(),
    );
    for _ in 0..AHEAD_ROWS / 2 {
        l.act(Action::Skip);
        assert!(l.jobs(&mut Thumbs::default()).is_empty(), "half a window ahead is still there at {}", l.pos);
    }
    l.act(Action::Skip);
    let jobs = l.jobs(&mut Thumbs::default());
    let Some(Job::Cards { ids }) = jobs.first() else { panic!("{jobs:?}") };
    let pos = AHEAD_ROWS / 2 + 1;
    assert_eq!(ids.iter().map(number).collect::<Vec<_>>(), (AHEAD_ROWS + 1..=pos + AHEAD_ROWS).collect::<Vec<_>>());
    assert!(l.content.keys().all(|id| number(id) + BEHIND >= pos), "rows far behind are forgotten");
    assert!(l.content.contains_key(&format!("s{pos}")));
    // Jumping back to a forgotten sample asks for it first.
    l.act(Action::Top);
    let jobs = l.jobs(&mut Thumbs::default());
    let Some(Job::Cards { ids }) = jobs.first() else { panic!("{jobs:?}") };
    assert_eq!(ids[0], "s0");
}

#[test]
fn imbalance_is_flagged_when_one_class_dwarfs_another() {
    let mut l = labeller(SourceKind::Text, 100, 40);
    assert_eq!(l.imbalance().as_deref(), Some("imbalanced: dog has no labels, cat has 40"));
    let mut labels: HashMap<String, String> = (0..40).map(|i| (format!("s{i}"), "cat".to_string())).collect();
    labels.extend((40..44).map(|i| (format!("s{i}"), "dog".to_string())));
    labels.extend((44..48).map(|i| (format!("s{i}"), "bird".to_string())));
    l.set_labels(labels);
    assert_eq!(l.imbalance().as_deref(), Some("imbalanced: cat 40 vs dog 4 (10×)"));
    labels = (0..30).map(|i| (format!("s{i}"), ["cat", "dog", "bird"][i % 3].to_string())).collect();
    l.set_labels(labels);
    assert_eq!(l.imbalance(), None);
}

/// Live predictions: even samples look like the first class, odd ones like the second.
fn live(l: &mut Labeller, n: usize) {
    use kindling::eval::predictions::{Prediction, Predictions};
    let classes = l.class_names();
    let by_id = (0..n)
        .map(|i| {
            let probs = if i.is_multiple_of(2) { vec![0.9, 0.1] } else { vec![0.3, 0.7] };
            let predicted = classes[usize::from(!i.is_multiple_of(2))].clone();
            (format!("s{i}"), Prediction { split: "unlabelled".into(), given: None, predicted, probs })
        })
        .collect();
    let refit = kindling::live::Refit {
        at: String::new(),
        labels: 2,
        held_out_labels: 0,
        held_out_scored: None,
        label_events: 0,
        fingerprint: String::new(),
        accuracy: None,
        seconds: 0.0,
        model: "logistic".into(),
        features: "tfidf".into(),
        skipped: Vec::new(),
        leaks: Vec::new(),
    };
    let state = kindling::live::LiveState { refit, predictions: Predictions { classes, by_id }, curve: Vec::new() };
    l.live = Some((state, Instant::now()));
}

#[test]
fn enter_accepts_the_suggestion_and_in_the_grid_each_marked_samples_own() {
    let mut l = labeller(SourceKind::Text, 10, 0);
    l.act(Action::Commit);
    assert!(l.write.is_none() && l.message.as_deref().unwrap().contains("no suggestion"));
    live(&mut l, 10);
    let guess = l.suggestion().unwrap();
    assert_eq!((guess.class.as_str(), guess.runner_up), (l.class_names()[0].as_str(), None));
    l.act(Action::Commit);
    assert!(matches!(&l.write, Some(Write::Set { ids, origin: Origin::Accepted, .. }) if ids == &["s0"]));
    commit(&mut l, Instant::now());
    assert_eq!(l.current(), Some("s1"), "accepting moves on like a class key");
    l.act(Action::Grid);
    l.act(Action::Skip); // mark s1
    l.act(Action::Skip); // mark s2
    l.act(Action::Commit);
    let classes = l.class_names();
    let Some(Write::Accept { pairs }) = &l.write else { panic!("{:?}", l.write) };
    assert_eq!(pairs, &[("s1".to_string(), classes[1].clone()), ("s2".to_string(), classes[0].clone())]);
    commit(&mut l, Instant::now());
    assert_eq!(l.label_of("s1"), Some(classes[1].as_str()));
    assert!(l.marks.is_empty());
}

#[test]
fn every_th_label_refits_once_at_a_time_and_the_refit_re_ranks_the_queue_ahead() {
    let mut l = labeller(SourceKind::Text, 20, 0);
    l.refit_every = 3;
    let has_refit = |jobs: &[Job]| jobs.iter().any(|j| matches!(j, Job::Refit));
    for _ in 0..2 {
        l.class_key(0);
        commit(&mut l, Instant::now());
    }
    assert!(!has_refit(&l.jobs(&mut Thumbs::default())), "two labels of three");
    l.class_key(1);
    commit(&mut l, Instant::now());
    assert!(has_refit(&l.jobs(&mut Thumbs::default())), "the third label");
    l.class_key(1);
    commit(&mut l, Instant::now());
    for _ in 0..3 {
        l.class_key(0);
        commit(&mut l, Instant::now());
    }
    assert!(!has_refit(&l.jobs(&mut Thumbs::default())), "one refit at a time");
    assert_eq!(l.current(), Some("s7"));
    let refit = kindling::live::Refit {
        at: String::new(),
        labels: 3,
        held_out_labels: 0,
        held_out_scored: None,
        label_events: 3,
        fingerprint: String::new(),
        accuracy: None,
        seconds: 0.1,
        model: "logistic".into(),
        features: "tfidf".into(),
        skipped: Vec::new(),
        leaks: Vec::new(),
    };
    l.refit_arrived(Ok(refit.clone()));
    let jobs = l.jobs(&mut Thumbs::default());
    assert!(has_refit(&jobs), "the labels written meanwhile are due: {jobs:?}");
    let Some(Job::Queue { generation, .. }) = jobs.iter().find(|j| matches!(j, Job::Queue { .. })) else {
        panic!("the queue is asked for in the new order: {jobs:?}")
    };
    // The live model puts s19 first among the samples ahead.
    let mut ids: Vec<String> = (0..19).map(|i| format!("s{i}")).collect();
    ids.insert(7, "s19".into());
    let live = kindling::live::LiveState {
        refit,
        predictions: kindling::eval::predictions::Predictions { classes: l.class_names(), by_id: Default::default() },
        curve: Vec::new(),
    };
    let data = QueueData {
        ids,
        labels: HashMap::new(),
        total: 20,
        run: None,
        events: 7,
        note: None,
        live: Some(live),
        asks: HashMap::new(),
        notes: HashMap::new(),
        qa: None,
    };
    l.queue_arrived(*generation, Ok(data));
    assert_eq!(l.current(), Some("s7"), "the sample on screen stays");
    assert!(l.fresh_suggestions.is_some(), "the frame log measures from the third label");
    let queue = l.queue.clone().unwrap();
    assert_eq!(queue[8..12], ["s8", "s9", "s10", "s19"], "the next three (loaded already) stay, then the new order");
    assert_eq!(queue.len(), 20, "a permutation still");
    l.refit_arrived(Err("the learner crashed (boom); no label is lost".into()));
    assert_eq!(l.message.as_deref(), Some("live model: the learner crashed (boom); no label is lost"));
}

#[test]
fn more_like_this_puts_the_unlabelled_neighbours_next() {
    let mut l = labeller(SourceKind::Text, 10, 2);
    assert_eq!(l.current(), Some("s2"));
    l.act(Action::MoreLikeThis);
    let jobs = l.jobs(&mut Thumbs::default());
    assert!(jobs.iter().any(|j| matches!(j, Job::Similar { id } if id == "s2")), "{jobs:?}");
    // Neighbours: s8, s0 (labelled), a sample no longer in the data, s5.
    l.more_like("s2", vec!["s8".into(), "s0".into(), "gone".into(), "s5".into()]);
    assert_eq!(l.message.as_deref(), Some("2 samples like s2 come next"));
    let queue = l.queue.clone().unwrap();
    assert_eq!(queue[..5], ["s0", "s1", "s2", "s8", "s5"], "the shown one stays; the labelled s0 keeps its place");
    assert_eq!(queue.len(), 10, "a permutation still");
    assert_eq!(l.current(), Some("s2"));
}

/// A queue of `n` unlabelled samples that a model ranked (`run`).
fn ranked(n: usize, generation: u64) -> (u64, Result<QueueData, String>) {
    let ids: Vec<String> = (0..n).map(|i| format!("s{i}")).collect();
    let run = Some(kindling::workflow::queue::LIVE.to_string());
    (
        generation,
        Ok(QueueData {
            ids,
            labels: HashMap::new(),
            total: n,
            run,
            events: 4,
            note: None,
            live: None,
            asks: HashMap::new(),
            notes: HashMap::new(),
            qa: None,
        }),
    )
}

#[test]
fn the_order_becomes_auto_once_a_model_ranks_unless_one_was_chosen() {
    let mut l = labeller(SourceKind::Text, 10, 0);
    assert_eq!(l.order, Order::UnlabelledFirst, "no model yet");
    let (g, data) = ranked(10, l.generation);
    l.queue_arrived(g, data);
    assert_eq!(l.order, Order::Auto);
    assert!(l.message.as_deref().is_some_and(|m| m.contains("auto")), "{:?}", l.message);
    let jobs = l.jobs(&mut Thumbs::default());
    assert!(jobs.iter().any(|j| matches!(j, Job::Queue { order: Order::Auto, .. })), "asked again in auto: {jobs:?}");
    // A chosen order stays.
    let mut chosen = labeller(SourceKind::Text, 10, 0);
    chosen.set_order(Order::Random);
    let _ = chosen.jobs(&mut Thumbs::default());
    let (g, data) = ranked(10, chosen.generation);
    chosen.queue_arrived(g, data);
    assert_eq!(chosen.order, Order::Random);
}

#[test]
fn labels_the_live_model_has_not_seen_are_fitted_when_the_pane_opens() {
    let has_refit = |jobs: &[Job]| jobs.iter().any(|j| matches!(j, Job::Refit));
    // Labels imported with the project, no live model yet: it is fitted at once.
    let mut l = labeller(SourceKind::Text, 10, 3);
    assert!(has_refit(&l.jobs(&mut Thumbs::default())));
    // Nothing labelled: nothing to fit.
    let mut l = labeller(SourceKind::Text, 10, 0);
    assert!(!has_refit(&l.jobs(&mut Thumbs::default())));
}

#[test]
fn the_order_key_reaches_the_review_of_answers_after_the_last_order_and_then_starts_again() {
    let mut l = Labeller::new(SourceKind::Text, classes(), false, true, 0);
    l.jobs(&mut Thumbs::default());
    let mut seen = vec![l.order];
    while l.review.is_none() && seen.len() < 20 {
        l.act(Action::Order);
        seen.push(l.order);
    }
    assert_eq!(l.review, Some(Review::Answers), "reached after {seen:?}");
    assert!(seen.len() > 2, "every order first: {seen:?}");
    let jobs = l.jobs(&mut Thumbs::default());
    assert!(jobs.iter().any(|j| matches!(j, Job::Queue { review: Some(Review::Answers), .. })), "{jobs:?}");
    l.act(Action::Order);
    assert_eq!((l.review.clone(), l.order), (None, Order::ALL[0]), "and round again");
}

#[test]
fn the_review_of_answers_shows_why_and_settles_with_origin_review() {
    let mut l = Labeller::new(SourceKind::Text, classes(), false, true, 0);
    l.jobs(&mut Thumbs::default());
    l.act(Action::Review); // cat
    l.act(Action::Review); // dog
    l.act(Action::Review); // bird
    l.act(Action::Review); // no run: the answers next
    assert_eq!(l.review, Some(Review::Answers));
    let jobs = l.jobs(&mut Thumbs::default());
    assert!(jobs.iter().any(|j| matches!(j, Job::Queue { review: Some(Review::Answers), .. })), "{jobs:?}");
    let ids: Vec<String> = vec!["s4".into()];
    let labels: HashMap<String, String> = [("s4".to_string(), "cat".to_string())].into();
    let notes: HashMap<String, String> =
        [("s4".to_string(), "answered cat first, dog when asked again".to_string())].into();
    let generation = match jobs.iter().find_map(|j| match j {
        Job::Queue { generation, .. } => Some(*generation),
        _ => None,
    }) {
        Some(g) => g,
        None => unreachable!("a queue was asked for"),
    };
    l.queue_arrived(
        generation,
        Ok(QueueData {
            ids,
            labels,
            total: 5,
            run: None,
            events: 1,
            note: None,
            live: None,
            asks: HashMap::new(),
            notes,
            qa: None,
        }),
    );
    assert_eq!(l.current(), Some("s4"));
    assert_eq!(l.label_of("s4"), Some("cat"), "a review shows the label");
    assert!(l.notes["s4"].contains("when asked again"));
    l.class_key(1);
    let write = commit(&mut l, Instant::now());
    assert_eq!(write, Write::Set { ids: vec!["s4".into()], label: Some("dog".into()), origin: Origin::Review });
}
