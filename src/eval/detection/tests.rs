use super::*;

fn rect(x: f64, y: f64, w: f64, h: f64) -> Rect {
    Rect { x, y, w, h }
}

fn truth(image: &str, class: &str, r: Rect) -> Truth {
    Truth { image: image.into(), class: class.into(), rect: r }
}

fn found(image: &str, class: &str, r: Rect, score: f64) -> Found {
    Found { image: image.into(), class: class.into(), rect: r, score }
}

fn images(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[test]
fn iou_of_boxes_half_over_each_other_is_a_third() {
    assert!((iou(&rect(0.0, 0.0, 10.0, 10.0), &rect(5.0, 0.0, 10.0, 10.0)) - 1.0 / 3.0).abs() < 1e-12);
    assert_eq!(iou(&rect(0.0, 0.0, 10.0, 10.0), &rect(20.0, 0.0, 10.0, 10.0)), 0.0);
    assert_eq!(iou(&rect(0.0, 0.0, 10.0, 10.0), &rect(0.0, 0.0, 10.0, 10.0)), 1.0);
}

#[test]
fn ap_interpolates_precision_at_101_recall_points_as_coco_does() {
    // Two cars; found: a hit (0.9), a miss (0.8), a hit (0.7). Precision 1, 1/2, 2/3 at
    // recall 1/2, 1/2, 1; made monotone: 1, 2/3, 2/3. Recall 0…0.50 (51 points) reads 1,
    // 0.51…1 (50 points) reads 2/3.
    let truths = [truth("a", "car", rect(0.0, 0.0, 10.0, 10.0)), truth("a", "car", rect(50.0, 50.0, 10.0, 10.0))];
    let found = [
        found("a", "car", rect(0.0, 0.0, 10.0, 10.0), 0.9),
        found("a", "car", rect(100.0, 0.0, 10.0, 10.0), 0.8),
        found("a", "car", rect(50.0, 50.0, 10.0, 10.0), 0.7),
    ];
    let ap = average_precision(&truths, &found, "car", 0.5, &images(&["a"])).unwrap();
    assert!((ap - (51.0 + 50.0 * 2.0 / 3.0) / 101.0).abs() < 1e-12, "{ap}");
    assert_eq!(average_precision(&truths, &found, "person", 0.5, &images(&["a"])), None, "no person labelled");
}

#[test]
fn a_box_found_at_iou_0_6_counts_at_0_5_and_not_at_0_75_and_a_second_find_is_a_false_positive() {
    let truths = [truth("a", "car", rect(0.0, 0.0, 10.0, 10.0))];
    // Shifted by 2.5: overlap 75, union 125, IoU 0.6.
    let near = found("a", "car", rect(2.5, 0.0, 10.0, 10.0), 0.9);
    let on = |t| average_precision(&truths, std::slice::from_ref(&near), "car", t, &images(&["a"])).unwrap();
    assert_eq!((on(0.5), on(0.75)), (1.0, 0.0));
    // A second box on the same car, scored higher, takes the match; the first is then false.
    let twice = [near.clone(), found("a", "car", rect(0.0, 0.0, 10.0, 10.0), 0.95)];
    assert_eq!(average_precision(&truths, &twice, "car", 0.5, &images(&["a"])), Some(1.0));
    let lower = [near, found("a", "car", rect(0.0, 0.0, 10.0, 10.0), 0.5)];
    let ap = average_precision(&truths, &lower, "car", 0.5, &images(&["a"])).unwrap();
    assert_eq!(ap, 1.0, "recall 1 is reached at the first box; the later duplicate cannot lower it");
}

#[test]
fn map_averages_the_classes_that_have_boxes_and_the_ten_thresholds() {
    let truths = [truth("a", "car", rect(0.0, 0.0, 10.0, 10.0)), truth("b", "person", rect(0.0, 0.0, 10.0, 20.0))];
    let found = [
        found("a", "car", rect(0.0, 0.0, 10.0, 10.0), 0.9),
        // IoU 0.8: counted at 0.50…0.80 (7 of 10 thresholds).
        found("b", "person", rect(0.0, 0.0, 10.0, 16.0), 0.9),
    ];
    let classes = images(&["car", "person", "bicycle"]);
    let e = evaluate(&truths, &found, &classes, &images(&["a", "b"]), 0.0);
    assert_eq!(e.map50, Some(1.0));
    assert!((e.map.unwrap() - (1.0 + 0.7) / 2.0).abs() < 1e-12, "{:?}", e.map);
    assert_eq!(e.per_class[2].ap, None, "no bicycle labelled: not in the mean");
}

#[test]
fn the_confusion_matrix_has_background_and_missed_and_keeps_the_boxes_behind_each_cell() {
    let classes = images(&["car", "person"]);
    let truths = [
        truth("a", "car", rect(0.0, 0.0, 10.0, 10.0)),
        truth("a", "person", rect(50.0, 0.0, 10.0, 10.0)),
        truth("b", "person", rect(0.0, 0.0, 10.0, 10.0)),
    ];
    let found = [
        found("a", "car", rect(0.0, 0.0, 10.0, 10.0), 0.9),    // right
        found("a", "car", rect(50.0, 0.0, 10.0, 10.0), 0.8),   // a person called car
        found("b", "car", rect(80.0, 80.0, 10.0, 10.0), 0.7),  // nothing there
        found("b", "person", rect(0.0, 0.0, 10.0, 10.0), 0.1), // under the score floor
    ];
    let e = evaluate(&truths, &found, &classes, &images(&["a", "b"]), 0.25);
    let m = &e.confusion;
    assert_eq!(m.count(0, 0), 1);
    assert_eq!(m.count(1, 0), 1, "person → car");
    assert_eq!(m.count(2, 0), 1, "background → car");
    assert_eq!(m.count(1, 2), 1, "person missed (its find scored under 0.25)");
    let behind = &m.cell(1, 0).unwrap().pairs[0];
    assert_eq!((behind.image.as_str(), behind.truth, behind.found), ("a", Some(truths[1].rect), Some(found[1].rect)));
    // The errors count every box found, the one under the score floor too.
    assert_eq!(e.errors, Errors { class: 1, background: 1, missed: 1, ..Errors::default() });
}

#[test]
fn tide_tells_location_both_and_duplicate_apart() {
    let truths = [truth("a", "car", rect(0.0, 0.0, 10.0, 10.0)), truth("a", "person", rect(100.0, 0.0, 10.0, 10.0))];
    let found = [
        found("a", "car", rect(0.0, 0.0, 10.0, 10.0), 0.9),   // right
        found("a", "car", rect(1.0, 0.0, 10.0, 10.0), 0.8),   // duplicate (IoU 0.82)
        found("a", "car", rect(6.0, 0.0, 10.0, 10.0), 0.7),   // location (IoU 0.25)
        found("a", "car", rect(106.0, 0.0, 10.0, 10.0), 0.6), // both: near the person, wrong class
    ];
    let e = evaluate(&truths, &found, &images(&["car", "person"]), &images(&["a"]), 0.0);
    assert_eq!(e.errors, Errors { location: 1, both: 1, duplicate: 1, missed: 1, ..Errors::default() });
}

#[test]
fn each_error_kind_costs_the_map_its_fix_gives_back() {
    let truths = [truth("a", "car", rect(0.0, 0.0, 10.0, 10.0)), truth("a", "person", rect(50.0, 0.0, 10.0, 10.0))];
    let found = [
        found("a", "car", rect(100.0, 100.0, 10.0, 10.0), 0.9), // background
        found("a", "car", rect(50.0, 0.0, 10.0, 10.0), 0.8),    // the person called a car
        found("a", "car", rect(0.0, 0.0, 10.0, 10.0), 0.5),     // right
    ];
    let e = evaluate(&truths, &found, &images(&["car", "person"]), &images(&["a"]), 0.0);
    // As it is: car AP 1/3 (two false boxes first), person AP 0: mAP 1/6.
    assert!((e.map50.unwrap() - 1.0 / 6.0).abs() < 1e-12);
    let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
    assert!(close(e.costs.background, 1.0 / 4.0 - 1.0 / 6.0), "{:?}", e.costs);
    assert!(close(e.costs.class, 3.0 / 4.0 - 1.0 / 6.0), "{:?}", e.costs);
    assert!(close(e.costs.missed, 1.0 / 3.0 - 1.0 / 6.0), "{:?}", e.costs);
    assert_eq!((e.costs.location, e.costs.both, e.costs.duplicate), (0.0, 0.0, 0.0));
}
