use std::collections::{HashMap, HashSet};

use kindling::data::SourceKind;
use proptest::prelude::*;

use super::*;
use crate::tui::component::in_cx;

fn classes() -> Vec<ClassConfig> {
    ["car", "person"]
        .iter()
        .enumerate()
        .map(|(i, n)| ClassConfig { name: n.to_string(), key: (i + 1).to_string(), colour: "red".into() })
        .collect()
}

/// A box labeller showing `a.jpg` (200×100) with `boxes`.
fn shown(boxes: Vec<LabelBox>) -> Boxer {
    let mut b = Boxer::new(classes());
    let mut all = HashMap::new();
    all.insert("a.jpg".to_string(), boxes);
    b.images_arrived(vec!["a.jpg".into(), "b.jpg".into()], all, HashSet::new());
    in_cx(SourceKind::Images, |cx| b.request_jobs(cx));
    let img = image::DynamicImage::new_rgb8(200, 100);
    b.preview_arrived("a.jpg".into(), &Ok(Preview::Image(img)));
    b
}

fn car(id: i64, x: f64, y: f64, w: f64, h: f64) -> LabelBox {
    LabelBox { id, sample_id: "a.jpg".into(), class: "car".into(), rect: Rect { x, y, w, h } }
}

fn box_writes(effects: Vec<Effect>) -> Vec<BoxWrite> {
    effects
        .into_iter()
        .filter_map(|e| match e {
            Effect::Write(Write::Box(w)) => Some(w),
            _ => None,
        })
        .collect()
}

fn key(code: KeyCode, mods: KeyModifiers) -> Key {
    Key { code, mods }
}

#[test]
fn n_makes_a_box_of_the_last_class_at_the_cursor_and_a_class_key_sets_the_next_ones() {
    let mut b = shown(vec![]);
    let (_, _, effects) = in_cx(SourceKind::Images, |cx| {
        b.key(key(KeyCode::Char('2'), KeyModifiers::NONE), cx);
        b.act(Action::MoreLikeThis, cx)
    });
    let rect = Rect { x: 90.0, y: 40.0, w: 20.0, h: 20.0 };
    assert_eq!(box_writes(effects), [BoxWrite::Add { sample: "a.jpg".into(), class: "person".into(), rect }]);
}

#[test]
fn arrows_move_the_selected_box_by_a_step_or_a_pixel_and_stop_at_the_border() {
    let mut b = shown(vec![car(7, 10.0, 10.0, 20.0, 20.0)]);
    b.tab();
    assert_eq!((b.selected, b.edge), (Some(0), Edge::Whole));
    let (_, _, effects) = in_cx(SourceKind::Images, |cx| {
        b.act(Action::Right, cx);
        b.key(key(KeyCode::Left, KeyModifiers::CONTROL), cx);
        b.key(key(KeyCode::Up, KeyModifiers::ALT), cx);
    });
    let rects: Vec<Rect> = box_writes(effects)
        .into_iter()
        .map(|w| match w {
            BoxWrite::Change { id: 7, rect, .. } => rect,
            other => panic!("{other:?}"),
        })
        .collect();
    // A step is a fiftieth of the longer side (4 px of 200); the box is not updated here, so
    // each write starts from the stored box.
    assert_eq!(rects[0], Rect { x: 14.0, y: 10.0, w: 20.0, h: 20.0 });
    assert_eq!(rects[1], Rect { x: 9.0, y: 10.0, w: 20.0, h: 20.0 });
    assert_eq!(rects[2], Rect { x: 10.0, y: 9.0, w: 20.0, h: 20.0 });
    let mut edge = shown(vec![car(7, 0.0, 0.0, 20.0, 20.0)]);
    edge.tab();
    let (_, _, effects) = in_cx(SourceKind::Images, |cx| edge.act(Action::Left, cx));
    assert!(box_writes(effects).is_empty(), "at the border: nothing to write");
}

#[test]
fn tab_picks_each_edge_then_the_next_box_and_shift_moves_the_picked_edge() {
    let mut b = shown(vec![car(1, 10.0, 10.0, 40.0, 40.0), car(2, 100.0, 10.0, 40.0, 40.0)]);
    let mut seen = Vec::new();
    for _ in 0..6 {
        b.tab();
        seen.push((b.selected, b.edge));
    }
    assert_eq!(
        seen,
        [
            (Some(0), Edge::Whole),
            (Some(0), Edge::Left),
            (Some(0), Edge::Top),
            (Some(0), Edge::Right),
            (Some(0), Edge::Bottom),
            (Some(1), Edge::Whole)
        ]
    );
    b.tab(); // the left edge of box 2
    let (_, _, effects) = in_cx(SourceKind::Images, |cx| {
        b.key(key(KeyCode::Right, KeyModifiers::SHIFT), cx);
        // Shift+Up has no picked edge on its axis: the top edge grows up.
        b.key(key(KeyCode::Up, KeyModifiers::SHIFT), cx);
    });
    let writes = box_writes(effects);
    assert!(
        matches!(&writes[0], BoxWrite::Change { id: 2, rect, .. } if *rect == Rect { x: 104.0, y: 10.0, w: 36.0, h: 40.0 }),
        "{writes:?}"
    );
    assert!(
        matches!(&writes[1], BoxWrite::Change { id: 2, rect, .. } if *rect == Rect { x: 100.0, y: 6.0, w: 40.0, h: 44.0 }),
        "{writes:?}"
    );
}

#[test]
fn a_write_shows_the_stored_boxes_selects_a_new_one_and_space_moves_on_for_good() {
    let mut b = shown(vec![]);
    let stored = vec![car(5, 1.0, 1.0, 5.0, 5.0)];
    b.written(&Ok(Written::Boxes { sample: "a.jpg".into(), boxes: stored.clone(), done: false, added: Some(5) }));
    assert_eq!((b.shown_boxes(), b.selected), (stored.as_slice(), Some(0)));
    let (_, _, effects) = in_cx(SourceKind::Images, |cx| b.act(Action::Skip, cx));
    assert_eq!(box_writes(effects), [BoxWrite::Done { sample: "a.jpg".into(), done: true }]);
    assert_eq!(b.current(), Some("b.jpg"));
    b.written(&Ok(Written::Boxes { sample: "a.jpg".into(), boxes: stored, done: true, added: None }));
    assert_eq!(b.current(), Some("b.jpg"), "the done mark's write does not take the labeller back");
    assert!(b.done.contains("a.jpg"));
    // An undo that reaches the other image shows it.
    in_cx(SourceKind::Images, |cx| b.act(Action::Undo, cx));
    b.written(&Ok(Written::Boxes { sample: "a.jpg".into(), boxes: vec![], done: false, added: None }));
    assert_eq!(b.current(), Some("a.jpg"));
}

#[test]
fn the_picture_shows_the_boxes_in_their_colour_and_the_selected_one_in_white() {
    let mut b = shown(vec![car(1, 20.0, 20.0, 60.0, 40.0)]);
    let frame = b.frame_to_encode((1, 1)).expect("a frame to encode").to_rgb8();
    // 60×20 cells of one pixel: the 200×100 image at 0.2.
    assert_eq!(frame.dimensions(), (40, 20));
    let red = super::super::boxes_view::rgb_of("red");
    assert_eq!(*frame.get_pixel(4, 8), red, "the box's left edge");
    assert_eq!(*frame.get_pixel(10, 8), image::Rgb([0, 0, 0]), "inside the box, the image");
    assert!(b.frame_to_encode((1, 1)).is_none(), "nothing changed: nothing to encode");
    b.tab();
    let frame = b.frame_to_encode((1, 1)).unwrap().to_rgb8();
    assert_eq!(*frame.get_pixel(4, 8), image::Rgb([255, 255, 255]));
}

proptest! {
    #[test]
    fn no_key_takes_a_box_out_of_the_image(keys in proptest::collection::vec(0usize..10, 1..60)) {
        let mut b = shown(vec![car(1, 150.0, 60.0, 40.0, 30.0)]);
        b.tab();
        for k in keys {
            let (code, mods) = [
                (KeyCode::Left, KeyModifiers::NONE), (KeyCode::Right, KeyModifiers::NONE),
                (KeyCode::Up, KeyModifiers::NONE), (KeyCode::Down, KeyModifiers::NONE),
                (KeyCode::Left, KeyModifiers::SHIFT), (KeyCode::Right, KeyModifiers::SHIFT),
                (KeyCode::Up, KeyModifiers::SHIFT), (KeyCode::Down, KeyModifiers::SHIFT),
                (KeyCode::Tab, KeyModifiers::NONE), (KeyCode::Right, KeyModifiers::CONTROL),
            ][k];
            let (_, _, effects) = in_cx(SourceKind::Images, |cx| {
                if matches!(code, KeyCode::Tab) || mods != KeyModifiers::NONE {
                    b.key(key(code, mods), cx);
                } else {
                    let action = match code { KeyCode::Left => Action::Left, KeyCode::Right => Action::Right, KeyCode::Up => Action::Up, _ => Action::Down };
                    b.act(action, cx);
                }
            });
            for w in box_writes(effects) {
                let BoxWrite::Change { sample, id, class, rect } = w else { panic!("{w:?}") };
                prop_assert!(rect.x >= 0.0 && rect.y >= 0.0 && rect.w >= 1.0 && rect.h >= 1.0, "{rect:?}");
                prop_assert!(rect.x + rect.w <= 200.0 && rect.y + rect.h <= 100.0, "{rect:?}");
                // As the store would: the box is what was written.
                let boxes = vec![LabelBox { id, sample_id: sample.clone(), class, rect }];
                b.written(&Ok(Written::Boxes { sample, boxes, done: false, added: None }));
            }
        }
    }
}

fn proposal(class: &str, bbox: [f64; 4], score: f64) -> FoundBox {
    FoundBox { image: "a.jpg".into(), class: class.into(), bbox, score }
}

#[test]
fn the_detector_is_asked_for_the_shown_and_next_image_and_enter_keeps_its_open_proposals() {
    let mut b = Boxer::new(classes());
    b.images_arrived(vec!["a.jpg".into(), "b.jpg".into(), "c.jpg".into()], HashMap::new(), HashSet::new());
    let (_, jobs, _) = in_cx(SourceKind::Images, |cx| b.request_jobs(cx));
    assert!(
        jobs.contains(&Job::Proposals { id: "a.jpg".into() }) && jobs.contains(&Job::Proposals { id: "b.jpg".into() })
    );
    assert!(!jobs.contains(&Job::Proposals { id: "c.jpg".into() }));

    // Before any detector was trained, Enter says so and writes nothing.
    b.proposals_arrived("a.jpg".into(), None);
    let (_, _, effects) = in_cx(SourceKind::Images, |cx| b.act(Action::Commit, cx));
    assert!(box_writes(effects).is_empty());
    assert!(b.message.as_deref().unwrap_or_default().contains("train a detector"), "{:?}", b.message);

    // A proposal a labelled box of its class already covers is not offered again.
    let mut b = shown(vec![car(1, 10.0, 10.0, 40.0, 30.0)]);
    let found =
        vec![proposal("car", [12.0, 11.0, 40.0, 30.0], 0.9), proposal("person", [100.0, 20.0, 30.0, 60.0], 0.6)];
    b.proposals_arrived("a.jpg".into(), Some(Proposed { run: "run-1".into(), trained_on: 1, boxes: found }));
    assert_eq!(b.open_proposals().len(), 1);
    let (_, _, effects) = in_cx(SourceKind::Images, |cx| b.act(Action::Commit, cx));
    let rect = Rect { x: 100.0, y: 20.0, w: 30.0, h: 60.0 };
    assert_eq!(
        box_writes(effects),
        [BoxWrite::Accept { sample: "a.jpg".into(), boxes: vec![("person".into(), rect)] }]
    );
}

#[test]
fn an_image_asked_for_before_the_images_arrive_is_shown_when_they_do() {
    let mut b = Boxer::new(classes());
    b.show("c.jpg");
    b.images_arrived(vec!["a.jpg".into(), "b.jpg".into(), "c.jpg".into()], HashMap::new(), HashSet::new());
    assert_eq!(b.current(), Some("c.jpg"));
    b.show("a.jpg");
    assert_eq!(b.current(), Some("a.jpg"));
}

#[test]
fn with_no_box_selected_shift_arrows_take_the_cursor_five_steps_and_arrows_one() {
    let mut b = shown(vec![]);
    assert_eq!(b.cursor, (100.0, 50.0), "the cursor starts at the centre");
    in_cx(SourceKind::Images, |cx| {
        b.key(key(KeyCode::Right, KeyModifiers::SHIFT), cx);
        b.act(Action::Down, cx);
        b.key(key(KeyCode::Up, KeyModifiers::CONTROL), cx);
    });
    // A step is 4 px of the 200 px side: five of them, one, and a pixel.
    assert_eq!(b.cursor, (120.0, 53.0));
}

#[test]
fn once_enough_more_images_are_labelled_than_the_detector_had_it_is_trained_again_once() {
    let mut b = Boxer::new(classes());
    b.live_every = 2;
    let ids: Vec<String> = (0..6).map(|i| format!("{i}.jpg")).collect();
    b.images_arrived(ids, HashMap::new(), HashSet::new());
    let proposed = |run: &str| Proposed { run: run.into(), trained_on: 1, boxes: Vec::new() };
    b.proposals_arrived("0.jpg".into(), Some(proposed("run-1")));
    let launches = |b: &mut Boxer| {
        let (_, jobs, _) = in_cx(SourceKind::Images, |cx| b.act(Action::Skip, cx));
        jobs.iter().filter(|j| matches!(j, Job::Launch(l) if l.detector)).count()
    };
    assert_eq!(launches(&mut b), 0, "1 labelled: as many as the run had");
    assert_eq!(launches(&mut b), 0, "2 labelled: one more");
    assert_eq!(launches(&mut b), 1, "3 labelled: two more, a new run");
    assert_eq!(launches(&mut b), 0, "launched once a run");
    // Its end asks for proposals again; a newer run may launch again later.
    b.run_ended();
    b.proposals_arrived("4.jpg".into(), Some(Proposed { run: "run-2".into(), trained_on: 4, boxes: Vec::new() }));
    assert_eq!(launches(&mut b), 0);
    assert_eq!(launches(&mut b), 1);
}

#[test]
fn a_zoomed_view_stays_put_while_the_box_is_inside_it_and_follows_when_it_leaves() {
    let mut b = shown(vec![car(1, 90.0, 40.0, 10.0, 10.0)]);
    b.tab();
    in_cx(SourceKind::Images, |cx| b.act(Action::ZoomIn, cx));
    b.frame_to_encode((1, 2));
    let view = b.view().unwrap();
    assert_eq!((view.w, view.h), (100.0, 50.0));
    assert_eq!((view.x, view.y), (45.0, 20.0), "centred on the box when zoomed");
    // The store moved the box 4 px: still inside, the view stays.
    b.boxes.insert("a.jpg".into(), vec![car(1, 94.0, 40.0, 10.0, 10.0)]);
    b.frame_to_encode((1, 2));
    assert_eq!(b.view().unwrap().x, 45.0);
    // Far to the right, out of the view: it follows.
    b.boxes.insert("a.jpg".into(), vec![car(1, 170.0, 40.0, 10.0, 10.0)]);
    b.stale = true;
    b.frame_to_encode((1, 2));
    assert_eq!(b.view().unwrap().x, 100.0, "centred on the box again, kept inside the image");
}
