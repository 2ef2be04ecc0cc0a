use super::*;

fn app() -> App {
    App::new("demo".into(), SourceKind::Images, Vec::new(), KeyMap::defaults())
}

#[test]
fn tab_cycles_through_panes_both_ways() {
    let mut a = app();
    a.act(Action::PrevPane);
    assert_eq!(a.pane, Pane::Results);
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
