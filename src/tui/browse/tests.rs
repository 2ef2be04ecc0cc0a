use super::*;

fn columns(names: &[&str]) -> Vec<TableColumn> {
    names.iter().map(|n| TableColumn { name: n.to_string(), float: false }).collect()
}

fn rows(offset: usize, n: usize) -> Vec<SampleRow> {
    (offset..offset + n).map(|i| SampleRow { id: i.to_string(), label: None, values: vec![Some("v".into())] }).collect()
}

#[test]
fn fetches_only_around_the_page_and_once() {
    let mut b = Browse::new(SourceKind::Table);
    b.total = Some(2_000_000);
    b.set_page(20);
    let jobs = b.jobs(&mut Thumbs::default());
    let count = Job::Count { generation: 0, query: Query::default() };
    assert_eq!(jobs, [count, Job::Rows { request: 1, offset: 0, len: 420, query: Query::default() }]);
    assert!(b.jobs(&mut Thumbs::default()).is_empty(), "the same rows are not asked twice");
    b.window_arrived(1, 0, columns(&["x"]), rows(0, 420));
    assert!(b.jobs(&mut Thumbs::default()).is_empty());

    b.move_by(Action::Bottom);
    assert_eq!(b.cursor, 1_999_999);
    assert_eq!(b.top, 1_999_980);
    assert_eq!(
        b.jobs(&mut Thumbs::default()),
        [Job::Rows { request: 2, offset: 1_999_780, len: 420, query: Query::default() }]
    );
    b.window_arrived(2, 1_999_780, columns(&["x"]), rows(1_999_780, 220));
    assert_eq!(b.selected().unwrap().id, "1999999");
    assert!(b.jobs(&mut Thumbs::default()).is_empty(), "the tail is covered even though the window is short");
}

#[test]
fn bottom_before_the_count_goes_to_the_end_once_it_is_known() {
    let mut b = Browse::new(SourceKind::Table);
    b.set_page(20);
    b.jobs(&mut Thumbs::default());
    b.window_arrived(1, 0, columns(&["x"]), rows(0, 420));
    b.counting(0, 120_000);
    b.move_by(Action::Bottom);
    assert_eq!(b.cursor, 119_999, "as far as the count has gone");
    b.count_arrived(0, 2_000_000);
    assert_eq!(b.cursor, 1_999_999);
    // Moving after G, before the count, keeps the cursor where it was moved to.
    let mut b = Browse::new(SourceKind::Table);
    b.set_page(20);
    b.counting(0, 5_000);
    b.move_by(Action::Bottom);
    b.move_by(Action::Up);
    b.count_arrived(0, 2_000_000);
    assert_eq!(b.cursor, 4_998);
}

#[test]
fn stale_windows_are_dropped() {
    let mut b = Browse::new(SourceKind::Table);
    b.total = Some(10_000);
    b.set_page(10);
    b.jobs(&mut Thumbs::default());
    b.jump(5000);
    b.jobs(&mut Thumbs::default());
    b.window_arrived(1, 0, vec![], rows(0, 410));
    assert!(b.selected().is_none(), "request 1 is stale");
    b.window_arrived(2, 4791, vec![], rows(4791, 410));
    assert_eq!(b.selected().unwrap().id, "5000");
}

#[test]
fn a_new_query_starts_over_and_drops_old_results() {
    let mut b = Browse::new(SourceKind::Table);
    b.set_page(10);
    b.jobs(&mut Thumbs::default());
    b.count_arrived(0, 100);
    b.window_arrived(1, 0, columns(&["height", "colour"]), rows(0, 100));
    b.jump(50);
    b.cycle_sort();
    assert_eq!(b.query.sort, Some(("height".into(), false)));
    assert_eq!((b.cursor, b.total), (0, None));
    let jobs = b.jobs(&mut Thumbs::default());
    assert!(matches!(&jobs[0], Job::Count { generation: 1, .. }), "{jobs:?}");
    assert!(matches!(&jobs[1], Job::Rows { request: 2, query, .. } if query.sort.is_some()), "{jobs:?}");
    b.count_arrived(0, 100); // the old query's count
    assert_eq!(b.total, None);
    b.window_arrived(1, 0, vec![], rows(0, 10)); // the old query's rows
    assert!(b.selected().is_none());
    b.cycle_sort();
    assert_eq!(b.query.sort, Some(("height".into(), true)));
    b.cycle_sort();
    assert_eq!(b.query.sort, None);
}

#[test]
fn grid_moves_by_rows_and_asks_for_visible_thumbnails() {
    let mut b = Browse::new(SourceKind::Images);
    let mut thumbs = Thumbs::default();
    b.total = Some(100);
    b.toggle_grid();
    b.set_layout(12, 4); // three rows of four
    b.jobs(&mut thumbs);
    b.window_arrived(
        1,
        0,
        vec![],
        (0..100).map(|i| SampleRow { id: format!("{i}.png"), label: None, values: vec![] }).collect(),
    );
    let jobs = b.jobs(&mut thumbs);
    let Some(Job::Thumbnails { ids }) = jobs.last() else { panic!("{jobs:?}") };
    assert_eq!(ids.len(), 12);
    b.move_by(Action::Down);
    b.move_by(Action::Right);
    assert_eq!(b.cursor, 5);
    for _ in 0..3 {
        b.move_by(Action::Down);
    }
    assert_eq!((b.cursor, b.top), (17, 8), "the grid scrolls a whole row at a time");
    let jobs = b.jobs(&mut thumbs);
    let Some(Job::Thumbnails { ids }) = jobs.last() else { panic!("{jobs:?}") };
    assert_eq!(ids.len(), 8, "only the two rows not on screen before are asked for");
}

#[test]
fn cursor_stays_in_range_and_on_screen() {
    let mut b = Browse::new(SourceKind::Images);
    b.total = Some(30);
    b.set_page(10);
    b.move_by(Action::PageDown);
    b.move_by(Action::PageDown);
    b.move_by(Action::PageDown);
    b.move_by(Action::PageDown);
    assert_eq!((b.cursor, b.top), (29, 20));
    b.move_by(Action::Top);
    b.move_by(Action::Up);
    assert_eq!((b.cursor, b.top), (0, 0));
}

#[test]
fn a_row_asked_for_while_counting_is_kept_until_the_count() {
    let mut b = Browse::new(SourceKind::Table);
    b.set_page(20);
    b.jump(449);
    assert_eq!(b.cursor, 449, "not row 1 for want of a count");
    b.count_arrived(b.generation, 600);
    assert_eq!(b.cursor, 449);
    b.set_query(Query::default());
    b.jump(5000);
    b.count_arrived(b.generation, 600);
    assert_eq!(b.cursor, 599, "past the end: the last row");
}
