use super::*;
use kindling::embed::Vectors;
use kindling::features::Matrix;

/// A 3 × 3 grid of points at 0.1, 0.5, 0.9 on each axis (`p{row}{col}`, row 0 at the top),
/// each its own vector; the first column labelled `cat`.
fn grid() -> Map {
    let mut ids = Vec::new();
    let mut xy = Vec::new();
    for row in 0..3 {
        for col in 0..3 {
            ids.push(format!("p{row}{col}"));
            xy.push((0.1 + 0.4 * col as f64, 0.9 - 0.4 * row as f64));
        }
    }
    let x = Matrix::dense(9, 2, xy.iter().flat_map(|p| [p.0 as f32 + 0.05, p.1 as f32 + 0.05]).collect());
    let labels = ["p00", "p10", "p20"].iter().map(|id| (id.to_string(), "cat".to_string())).collect();
    let mut m = Map::default();
    m.arrived(Ok(MapData {
        cluster: (0..9).map(|i| i % 3).collect(),
        clusters: 3,
        vectors: Vectors::new(ids.clone(), x),
        labels,
        index: Default::default(),
        suggested: vec![None; 9],
        suggested_names: Vec::new(),
        features: "table".into(),
        projection: kindling::embed::map::Projection::Tsne,
        ids,
        xy,
    }));
    m
}

fn at(m: &Map) -> &str {
    m.cursor_id().unwrap()
}

#[test]
fn arrows_jump_to_the_nearest_point_that_way_and_stop_at_the_edge() {
    let mut m = grid();
    assert_eq!(at(&m), "p00");
    m.act(Action::Right);
    assert_eq!(at(&m), "p01");
    m.act(Action::Down);
    assert_eq!(at(&m), "p11");
    m.act(Action::Down);
    m.act(Action::Down);
    assert_eq!(at(&m), "p21", "nothing further down: the cursor stays");
    m.act(Action::Left);
    m.act(Action::Up);
    assert_eq!(at(&m), "p10");
}

#[test]
fn zoom_centres_on_the_cursor_and_zooming_out_comes_back() {
    let mut m = grid();
    m.act(Action::Right);
    m.act(Action::ZoomIn);
    m.act(Action::ZoomIn);
    assert_eq!((m.zoom, m.centre), (2, (0.5, 0.9)));
    assert!(m.span() < 0.3);
    m.act(Action::ZoomOut);
    m.act(Action::ZoomOut);
    assert_eq!((m.zoom, m.centre), (0, (0.5, 0.5)));
}

#[test]
fn a_rectangle_selects_the_points_inside_and_a_class_key_labels_them_in_bulk() {
    let mut m = grid();
    m.act(Action::Range);
    m.act(Action::Right);
    m.act(Action::Down);
    assert!(m.anchor.is_some());
    m.act(Action::Range);
    let ids: Vec<&str> = m.selection.iter().map(|&i| m.ok().unwrap().ids[i].as_str()).collect();
    assert_eq!(ids, ["p00", "p01", "p10", "p11"]);
    match m.label("dog") {
        Some(Effect::Write(Write::Set { ids, label, origin })) => {
            assert_eq!(ids, ["p00", "p01", "p10", "p11"]);
            assert_eq!((label.as_deref(), origin), (Some("dog"), Origin::Bulk));
        }
        other => panic!("{other:?}"),
    }
    assert!(m.selection.is_empty(), "labelled: the selection is done");
    // The write coming back recolours the map.
    let written = Ok(Written::Set { ids: vec!["p01".into()], label: Some("dog".into()), events: 1 });
    m.written(&written);
    assert_eq!(m.ok().unwrap().labels.get("p01").map(String::as_str), Some("dog"));
}

#[test]
fn enter_opens_the_selection_or_else_the_cursors_cluster() {
    let mut m = grid();
    match m.act(Action::Open) {
        Some(Effect::Review { ids, title, .. }) => {
            assert_eq!(ids, ["p00", "p10", "p20"], "cluster 0: every third point");
            assert!(title.contains("cluster 0"));
        }
        other => panic!("{other:?}"),
    }
    m.act(Action::MoreLikeThis);
    assert_eq!(m.selection.len(), 9, "the cursor and its 8 neighbours (all there are)");
    let Some(Effect::Review { ids, .. }) = m.act(Action::Open) else { panic!() };
    assert_eq!(ids[0], "p00");
    m.act(Action::Unmark);
    assert!(m.selection.is_empty());
}

#[test]
fn a_single_point_gets_an_ordinary_keyboard_label() {
    let mut m = grid();
    let Some(Effect::Write(Write::Set { ids, origin, .. })) = m.label("cat") else { panic!() };
    assert_eq!((ids, origin), (vec!["p00".to_string()], Origin::Keyboard));
}

#[test]
fn the_principal_components_come_first_then_the_neighbour_map_keeps_the_cursor() {
    use kindling::embed::map::Projection;
    let mut m = grid();
    let pca = |m: &mut Map| {
        let mut d = m.data.take().unwrap().unwrap();
        d.projection = Projection::Pca;
        d
    };
    let first = pca(&mut m);
    m.arrived(Ok(first));
    assert!(m.neighbours_pending);
    let asked = m.jobs();
    assert!(asked.contains(&Job::Map { neighbours: true }), "{asked:?}");
    assert!(!m.jobs().iter().any(|j| matches!(j, Job::Map { .. })), "each map asked once");
    m.act(Action::Right);
    let mut again = grid();
    let mut tsne = again.data.take().unwrap().unwrap();
    tsne.xy.reverse();
    m.arrived(Ok(tsne));
    assert!(!m.neighbours_pending);
    assert_eq!(at(&m), "p01", "the same sample under the cursor");
}

#[test]
fn c_cycles_label_suggestion_cluster_and_skips_suggestions_there_are_none_of() {
    let mut m = grid();
    m.act(Action::Colouring);
    assert_eq!(m.colouring(), Colouring::Cluster, "no live model: straight to clusters");
    m.act(Action::Colouring);
    assert_eq!(m.colouring(), Colouring::Label);
    if let Some(Ok(d)) = m.data.as_mut() {
        d.suggested_names = vec!["cat".into()];
        d.suggested[4] = Some(0);
    }
    m.act(Action::Colouring);
    assert_eq!(m.colouring(), Colouring::Suggestion);
    m.act(Action::Colouring);
    assert_eq!(m.colouring(), Colouring::Cluster);
}

#[test]
fn page_keys_move_the_cursor_several_points_at_any_zoom() {
    let mut m = grid();
    assert_eq!(at(&m), "p00");
    m.act(Action::PageDown);
    assert_eq!(at(&m), "p20", "down through the grid to its last row");
    m.act(Action::PageUp);
    assert_eq!(at(&m), "p00");
    assert_eq!(m.zoom, 0, "at zoom ×1");
}
