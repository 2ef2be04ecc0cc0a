use super::*;

fn app() -> App {
    App::new("demo".into(), SourceKind::Images, Vec::new(), KeyMap::defaults())
}

#[test]
fn tab_cycles_through_panes_both_ways() {
    let mut a = app();
    a.act(Action::PrevPane);
    assert_eq!(a.pane, Pane::Map);
    a.act(Action::NextPane);
    a.act(Action::NextPane);
    assert_eq!(a.pane, Pane::Label);
    a.act(Action::GotoPane(Pane::Train));
    assert_eq!(a.pane, Pane::Train);
}

#[test]
fn palette_jumps_to_a_row_and_reports_unknown_commands() {
    let mut a = app();
    a.panes.browse.total = Some(500);
    a.act(Action::Palette);
    for c in "123".chars() {
        a.prompt_key(crossterm::event::KeyCode::Char(c));
    }
    a.prompt_key(crossterm::event::KeyCode::Enter);
    assert_eq!(a.panes.browse.cursor, 122, ":123 is the 123rd row, as the status bar counts");
    a.act(Action::Palette);
    a.prompt_key(crossterm::event::KeyCode::Char('x'));
    a.prompt_key(crossterm::event::KeyCode::Enter);
    assert!(a.message.as_deref().unwrap().contains("unknown command"));
    assert!(!a.quit);
}

#[test]
fn a_pane_switched_to_is_entered_and_effects_reach_the_app() {
    let mut a = app();
    a.panes.results.runs_arrived(Ok(Vec::new()));
    a.act(Action::GotoPane(Pane::Results));
    assert!(a.jobs().contains(&Job::Runs), "entering Results lists the runs again");
    a.apply(Effect::Review { title: "t".into(), ids: vec!["a.png".into()], notes: Default::default(), focus: None });
    assert_eq!(a.pane, Pane::Label);
    a.act(Action::Unmark);
    assert_eq!(a.pane, Pane::Results, "Esc in a review opened from Results goes back");
}

#[test]
fn palette_commands_go_where_they_act_and_ask_for_their_work() {
    use kindling::workflow::classes::ClassChange;
    let mut a = app();
    a.run_command("goto circle/7.png");
    assert_eq!(a.pane, Pane::Browse);
    assert!(matches!(a.jobs().last(), Some(Job::Locate { id, .. }) if id == "circle/7.png"));
    a.run_command("order diverse");
    assert_eq!(a.pane, Pane::Label);
    assert!(a.message.as_deref().unwrap().contains("needs a model"), "{:?}", a.message);
    a.run_command("order random");
    assert_eq!(a.panes.label.order, kindling::workflow::queue::Order::Random);
    a.run_command("export out.csv");
    assert!(matches!(a.jobs().last(), Some(Job::Export(path)) if path == "out.csv"));
    a.run_command("train random_forest");
    assert_eq!(a.pane, Pane::Train);
    let launched = a.jobs().into_iter().find_map(|j| if let Job::Launch(l) = j { Some(l) } else { None });
    assert_eq!(launched.and_then(|l| l.model).map(|m| m.name()), Some("random_forest"));
    a.run_command("class add star 8");
    let asked = a.jobs().into_iter().find(|j| matches!(j, Job::ClassChange(_)));
    assert!(
        matches!(&asked, Some(Job::ClassChange(ClassChange::Add { name, key: Some(k), .. })) if name == "star" && k == "8"),
        "{asked:?}"
    );
    // The change arrives: the classes (and their keys) change at once, Backspace can undo it.
    let star = ClassConfig { name: "star".into(), key: "8".into(), colour: "red".into() };
    a.receive(Msg::ClassChanged { undoable: true, result: Ok(("add star".into(), vec![star.clone()])) });
    assert_eq!((a.shared.classes.clone(), a.panes.label.classes.clone()), (vec![star.clone()], vec![star]));
    assert_eq!(a.message.as_deref(), Some("add star"));
    a.goto(Pane::Label);
    a.act(Action::Undo);
    assert!(a.jobs().iter().any(|j| matches!(j, Job::UndoChange)), "Backspace takes the change back");
    a.run_command("class rename onlyone");
    assert_eq!(a.message.as_deref(), Some("type it as :class rename OLD NEW"));
}

#[test]
fn e_in_results_writes_the_selected_finished_runs_report() {
    use crate::tui::train::tests::run;
    let mut a = app();
    a.act(Action::GotoPane(Pane::Results));
    a.panes.results.runs_arrived(Ok(vec![run("r1", "finished"), run("r2", "running")]));
    a.act(Action::ExportReport);
    assert!(a.message.as_deref().unwrap().contains("only a finished run"), "{:?}", a.message);
    assert!(!a.jobs().iter().any(|j| matches!(j, Job::RunReport(_))));
    a.act(Action::PageDown);
    a.act(Action::ExportReport);
    assert!(a.jobs().contains(&Job::RunReport("r1".into())), "{:?}", a.jobs());
}

#[test]
fn the_split_filter_on_a_project_without_a_split_says_so_and_changes_nothing() {
    let mut a = app();
    let g = a.panes.browse.generation;
    a.receive(Msg::Count { generation: g, result: Ok(100) });
    a.act(Action::SplitFilter);
    let g = a.panes.browse.generation;
    let why = "this project has no fixed split (a split column, split file or split folders)".to_string();
    a.receive(Msg::Count { generation: g, result: Err(why.clone()) });
    assert_eq!(a.panes.browse.query.split, None, "the view goes back to every sample");
    assert_eq!(a.message.as_deref(), Some(why.as_str()));
    let jobs = a.jobs();
    assert!(jobs.iter().any(|j| matches!(j, Job::Count { query, .. } if query.split.is_none())), "{jobs:?}");
    a.receive(Msg::Count { generation: a.panes.browse.generation, result: Ok(100) });
    a.message = None;
    let before = a.panes.browse.generation;
    a.act(Action::SplitFilter);
    assert_eq!(a.panes.browse.generation, before, "p again changes nothing");
    assert_eq!(a.message.as_deref(), Some(why.as_str()));
}

#[test]
fn esc_closes_the_readiness_report_and_the_column_summary() {
    use crossterm::event::{KeyCode, KeyModifiers};
    let mut a = App::new("demo".into(), SourceKind::Table, Vec::new(), KeyMap::defaults());
    a.panes.browse.columns = vec![kindling::project::samples::TableColumn { name: "height".into(), float: true }];
    let key = |c: KeyCode| Key { code: c, mods: KeyModifiers::NONE };
    a.key(key(KeyCode::Char('R')));
    assert!(a.panes.browse.report.open);
    a.key(key(KeyCode::Esc));
    assert!(!a.panes.browse.report.open, "Esc closes the report");
    a.key(key(KeyCode::Char('c')));
    assert!(a.panes.browse.summary_open);
    a.key(key(KeyCode::Esc));
    assert!(!a.panes.browse.summary_open, "Esc closes the summary");
    assert!(!a.quit);
}

#[test]
fn the_launch_message_goes_when_the_run_ends() {
    let mut a = app();
    a.message = Some(format!("{} train --model logistic", crate::tui::train::LAUNCHING));
    a.receive(Msg::Exited { ok: true, why: String::new() });
    assert_eq!(a.message.as_deref(), Some("the run ended: F5 shows its results"));
    a.message = Some("something else".into());
    a.receive(Msg::Exited { ok: true, why: String::new() });
    assert_eq!(a.message.as_deref(), Some("something else"), "other words stay");
}

#[test]
fn a_detection_project_writes_boxes_and_refuses_a_class_for_a_whole_image() {
    let mut a = app();
    a.label_boxes(0);
    a.apply(Effect::Write(Write::Set {
        ids: vec!["a.png".into()],
        label: Some("cat".into()),
        origin: kindling::labels::store::Origin::Bulk,
    }));
    assert_eq!(a.write, None, "nothing to commit");
    assert!(a.message.as_deref().unwrap().contains("labels boxes"), "{:?}", a.message);
    a.apply(Effect::Write(Write::Box(super::super::label_write::BoxWrite::Undo)));
    assert_eq!(a.write, Some(Write::Box(super::super::label_write::BoxWrite::Undo)));
    assert_eq!(a.panes.augment.modality, kindling::augment::Modality::Boxes);
}
