//! The key map: which key does what, in which pane. Help is generated from it, so what
//! `?` shows is always what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::pane::Pane;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    Help,
    Palette,
    NextPane,
    PrevPane,
    GotoPane(Pane),
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Left,
    Right,
    Sort,
    Grid,
    SplitFilter,
    LabelFilter,
    Summary,
    Report,
    Filter,
    Search,
    SearchNext,
    SearchPrev,
    Skip,
    Undo,
    ClearLabel,
    Commit,
    Order,
    Review,
    Range,
    Unmark,
    Open,
    Back,
    Compare,
    LabelIssues,
    ExportReport,
    CancelRun,
    ScrollDown,
    ScrollUp,
    MoreLikeThis,
    ZoomIn,
    ZoomOut,
    Colouring,
}

impl Action {
    /// Every action but going to a pane, with the name a `[keys]` table uses for it.
    const NAMED: [(&'static str, Action); 43] = [
        ("quit", Action::Quit),
        ("help", Action::Help),
        ("palette", Action::Palette),
        ("next_pane", Action::NextPane),
        ("prev_pane", Action::PrevPane),
        ("up", Action::Up),
        ("down", Action::Down),
        ("page_up", Action::PageUp),
        ("page_down", Action::PageDown),
        ("top", Action::Top),
        ("bottom", Action::Bottom),
        ("left", Action::Left),
        ("right", Action::Right),
        ("sort", Action::Sort),
        ("label_filter", Action::LabelFilter),
        ("grid", Action::Grid),
        ("split_filter", Action::SplitFilter),
        ("summary", Action::Summary),
        ("report", Action::Report),
        ("filter", Action::Filter),
        ("search", Action::Search),
        ("search_next", Action::SearchNext),
        ("search_prev", Action::SearchPrev),
        ("skip", Action::Skip),
        ("undo", Action::Undo),
        ("clear_label", Action::ClearLabel),
        ("commit", Action::Commit),
        ("order", Action::Order),
        ("review", Action::Review),
        ("range", Action::Range),
        ("unmark", Action::Unmark),
        ("open", Action::Open),
        ("back", Action::Back),
        ("compare", Action::Compare),
        ("label_issues", Action::LabelIssues),
        ("export_report", Action::ExportReport),
        ("cancel_run", Action::CancelRun),
        ("scroll_down", Action::ScrollDown),
        ("scroll_up", Action::ScrollUp),
        ("more_like_this", Action::MoreLikeThis),
        ("zoom_in", Action::ZoomIn),
        ("zoom_out", Action::ZoomOut),
        ("colouring", Action::Colouring),
    ];

    /// Every action with its name: going to a pane is named after the pane (`browse`).
    pub fn named() -> impl Iterator<Item = (&'static str, Action)> {
        let panes = Pane::ALL.iter().map(|p| (p.name(), Action::GotoPane(*p)));
        Action::NAMED.iter().take(5).copied().chain(panes).chain(Action::NAMED.iter().skip(5).copied())
    }

    pub fn describe(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "show / hide this help",
            Action::Palette => "palette: commands, rows",
            Action::NextPane => "next pane",
            Action::PrevPane => "previous pane",
            Action::GotoPane(_) => "go to that pane",
            Action::Up => "move up",
            Action::Down => "move down",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Top => "first sample",
            Action::Bottom => "last sample",
            Action::Left => "left: columns, or grid",
            Action::Right => "right: columns, or grid",
            Action::Sort => "sort by the first column",
            Action::LabelFilter => "all/labelled/unlabelled/class",
            Action::Grid => "images: list / thumbnail grid",
            Action::SplitFilter => "split: all/train/valid/test",
            Action::Summary => "summary of the first column",
            Action::Report => "data readiness report",
            Action::Filter => "filter rows by column values",
            Action::Search => "search for text",
            Action::SearchNext => "next match",
            Action::SearchPrev => "previous match",
            Action::Skip => "skip (grid: mark)",
            Action::Undo => "undo the last label",
            Action::ClearLabel => "clear the label",
            Action::Commit => "multi-label: commit",
            Action::Order => "queue order",
            Action::Review => "review a class / errors",
            Action::Range => "grid: mark a range",
            Action::Unmark => "clear marks",
            Action::Open => "open",
            Action::Back => "back",
            Action::Compare => "compare other runs with this one",
            Action::LabelIssues => "review suspected label errors",
            Action::ExportReport => "write the run's report (HTML) to exports/",
            Action::CancelRun => "cancel the run followed",
            Action::ScrollDown => "scroll a long text down",
            Action::ScrollUp => "scroll a long text up",
            Action::MoreLikeThis => "more like this one next",
            Action::ZoomIn => "zoom in around the cursor",
            Action::ZoomOut => "zoom out",
            Action::Colouring => "colour by label / by cluster",
        }
    }
}

/// A key with its modifiers, as the map stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    const fn plain(code: KeyCode) -> Key {
        Key { code, mods: KeyModifiers::NONE }
    }

    /// Parses `j`, `G`, `?`, `Ctrl-x`, `F5`, `Down`, `PageUp`, `Space`, `Tab`, `Enter`, ...
    pub fn parse(s: &str) -> Option<Key> {
        if let Some(rest) = s.strip_prefix("Ctrl-").or_else(|| s.strip_prefix("ctrl-")) {
            let key = Key::parse(rest)?;
            return Some(Key { code: key.code, mods: KeyModifiers::CONTROL });
        }
        let mut chars = s.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            return Some(Key::plain(KeyCode::Char(c)));
        }
        let code = match s.to_ascii_lowercase().as_str() {
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pageup" | "pgup" => KeyCode::PageUp,
            "pagedown" | "pgdn" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "tab" => KeyCode::Tab,
            "backtab" | "shift-tab" => KeyCode::BackTab,
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "backspace" => KeyCode::Backspace,
            "space" => KeyCode::Char(' '),
            f if f.starts_with('f') => KeyCode::F(f[1..].parse().ok().filter(|n| (1..=12).contains(n))?),
            _ => return None,
        };
        Some(Key::plain(code))
    }

    pub fn from_event(e: &KeyEvent) -> Key {
        // Shift is part of the character already ('G', '?'); keep it only for named keys.
        let mods = match e.code {
            KeyCode::Char(_) => e.modifiers - KeyModifiers::SHIFT,
            _ => e.modifiers,
        };
        Key { code: e.code, mods }
    }

    pub fn name(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Backspace => "Backspace".into(),
            other => format!("{other:?}"),
        };
        if self.mods.contains(KeyModifiers::CONTROL) { format!("Ctrl-{base}") } else { base }
    }
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Global,
    Pane(Pane),
}

pub struct Binding {
    pub key: Key,
    pub action: Action,
    pub scope: Scope,
}

pub struct KeyMap {
    bindings: Vec<Binding>,
}

impl KeyMap {
    pub fn defaults() -> KeyMap {
        use KeyCode as K;
        let global = [
            (K::Char('q'), Action::Quit),
            (K::Char('?'), Action::Help),
            (K::Char(':'), Action::Palette),
            (K::Tab, Action::NextPane),
            (K::BackTab, Action::PrevPane),
        ];
        let panes = Pane::ALL.iter().map(|p| (K::F(p.number()), Action::GotoPane(*p)));
        // Arrows and h j k l, PgUp / PgDn, and g / G / Home / End: the same in every pane.
        let moves = [
            (K::Char('k'), Action::Up),
            (K::Up, Action::Up),
            (K::Char('j'), Action::Down),
            (K::Down, Action::Down),
            (K::Char('h'), Action::Left),
            (K::Left, Action::Left),
            (K::Char('l'), Action::Right),
            (K::Right, Action::Right),
            (K::PageUp, Action::PageUp),
            (K::PageDown, Action::PageDown),
        ];
        let ends = [
            (K::Char('g'), Action::Top),
            (K::Home, Action::Top),
            (K::Char('G'), Action::Bottom),
            (K::End, Action::Bottom),
        ];
        let browse = [
            (K::Char('s'), Action::Sort),
            (K::Char('c'), Action::Summary),
            (K::Char('R'), Action::Report),
            (K::Char('f'), Action::LabelFilter),
            (K::Char('t'), Action::Grid),
            (K::Char('p'), Action::SplitFilter),
            (K::Char('&'), Action::Filter),
            (K::Char('/'), Action::Search),
            (K::Char('n'), Action::SearchNext),
            (K::Char('N'), Action::SearchPrev),
            (K::Esc, Action::Back),
        ];
        let label = [
            (K::Char(' '), Action::Skip),
            (K::Char('s'), Action::Skip),
            (K::Backspace, Action::Undo),
            (K::Char('u'), Action::Undo),
            (K::Char('x'), Action::ClearLabel),
            (K::Enter, Action::Commit),
            (K::Char('t'), Action::Grid),
            (K::Char('v'), Action::Range),
            (K::Esc, Action::Unmark),
            (K::Char('o'), Action::Order),
            (K::Char('r'), Action::Review),
            (K::Char('J'), Action::ScrollDown),
            (K::Char('K'), Action::ScrollUp),
            (K::Char('n'), Action::MoreLikeThis),
            (K::Char('+'), Action::ZoomIn),
            (K::Char('='), Action::ZoomIn),
            (K::Char('-'), Action::ZoomOut),
        ];
        let results = [
            (K::Enter, Action::Open),
            (K::Esc, Action::Back),
            (K::Char('m'), Action::Compare),
            (K::Char('i'), Action::LabelIssues),
            (K::Char('e'), Action::ExportReport),
        ];
        let augment = [(K::Char(' '), Action::Skip), (K::Enter, Action::Open), (K::Char('r'), Action::Review)];
        let train = [(K::Enter, Action::Open), (K::Char('c'), Action::CancelRun)];
        let map = [
            (K::Char('+'), Action::ZoomIn),
            (K::Char('='), Action::ZoomIn),
            (K::Char('-'), Action::ZoomOut),
            (K::Char('v'), Action::Range),
            (K::Char('n'), Action::MoreLikeThis),
            (K::Char('c'), Action::Colouring),
            (K::Enter, Action::Open),
            (K::Esc, Action::Unmark),
        ];
        let mut bindings: Vec<Binding> = Vec::new();
        let mut add = |scope: Scope, keys: &[(KeyCode, Action)]| {
            bindings.extend(keys.iter().map(|&(c, action)| Binding { key: Key::plain(c), action, scope }));
        };
        add(Scope::Global, &global);
        add(Scope::Global, &panes.collect::<Vec<_>>());
        for (pane, own) in [
            (Pane::Browse, &browse[..]),
            (Pane::Label, &label[..]),
            (Pane::Results, &results[..]),
            (Pane::Augment, &augment[..]),
        ] {
            add(Scope::Pane(pane), &moves);
            add(Scope::Pane(pane), &ends);
            add(Scope::Pane(pane), own);
        }
        add(Scope::Pane(Pane::Train), &moves);
        add(Scope::Pane(Pane::Train), &train);
        add(Scope::Pane(Pane::Map), &moves);
        add(Scope::Pane(Pane::Map), &map);
        bindings.push(Binding {
            key: Key { code: K::Char('c'), mods: KeyModifiers::CONTROL },
            action: Action::Quit,
            scope: Scope::Global,
        });
        KeyMap { bindings }
    }

    /// Applies `[keys]` overrides (action name → keys): each named action gets exactly the
    /// keys given, in the scope it had. Returns the problems found, for the status bar:
    /// unknown actions, keys that cannot be read, and keys bound twice in one scope.
    pub fn apply(&mut self, source: &str, overrides: &kindling::settings::KeyOverrides) -> Vec<String> {
        let mut problems = Vec::new();
        for (name, keys) in overrides {
            let Some((_, action)) = Action::named().find(|(n, _)| n == name) else {
                problems.push(format!("{source}: [keys] {name}: no such action"));
                continue;
            };
            // Each scope the action had keeps it, with the new keys.
            let mut scopes: Vec<Scope> = Vec::new();
            for b in self.bindings.iter().filter(|b| b.action == action) {
                if !scopes.contains(&b.scope) {
                    scopes.push(b.scope);
                }
            }
            if scopes.is_empty() {
                scopes.push(Scope::Global);
            }
            let mut parsed = Vec::new();
            for k in keys.keys() {
                match Key::parse(k) {
                    Some(key) => parsed.push(key),
                    None => problems.push(format!("{source}: [keys] {name}: cannot read key \"{k}\"")),
                }
            }
            if parsed.is_empty() {
                continue;
            }
            self.bindings.retain(|b| b.action != action);
            for scope in scopes {
                self.bindings.extend(parsed.iter().map(|&key| Binding { key, action, scope }));
            }
        }
        problems.extend(self.conflicts().into_iter().map(|c| format!("{source}: {c}")));
        problems
    }

    /// Keys bound to two different actions where both would apply.
    fn conflicts(&self) -> Vec<String> {
        let mut found = Vec::new();
        for (i, a) in self.bindings.iter().enumerate() {
            for b in &self.bindings[i + 1..] {
                if a.key == b.key && a.action != b.action && a.scope == b.scope {
                    found.push(format!(
                        "key {} is bound to both \"{}\" and \"{}\"",
                        a.key.name(),
                        a.action.describe(),
                        b.action.describe()
                    ));
                }
            }
        }
        found
    }

    /// The action of a key in a pane: the pane's own binding first, then the global one.
    pub fn action(&self, pane: Pane, key: Key) -> Option<Action> {
        let find = |scope: Scope| self.bindings.iter().find(|b| b.scope == scope && b.key == key).map(|b| b.action);
        find(Scope::Pane(pane)).or_else(|| find(Scope::Global))
    }

    /// The keys that do `action` in `pane` (its own bindings, then the global ones).
    pub fn keys_of(&self, pane: Pane, action: Action) -> Vec<String> {
        let reaches = |b: &&Binding| {
            b.action == action
                && match b.scope {
                    Scope::Pane(p) => p == pane,
                    // A global key works unless the pane binds the same key to something else.
                    Scope::Global => self.action(pane, b.key) == Some(action),
                }
        };
        self.bindings.iter().filter(reaches).map(|b| b.key.name()).collect()
    }

    /// Help lines for a pane: its own keys, then the global ones; keys with the same action
    /// are listed together. `describe` says what an action does in the pane (nothing: the
    /// key does nothing there, and is not listed).
    pub fn help(&self, pane: Pane, describe: impl Fn(Action) -> &'static str) -> Vec<(String, &'static str)> {
        let mut lines: Vec<(String, &'static str)> = Vec::new();
        for scope in [Scope::Pane(pane), Scope::Global] {
            for b in self.bindings.iter().filter(|b| b.scope == scope) {
                let what = describe(b.action);
                if what.is_empty() {
                    continue;
                }
                match lines.iter_mut().find(|(_, w)| *w == what) {
                    Some((keys, _)) => keys.push_str(&format!(" {}", b.key.name())),
                    None => lines.push((b.key.name(), what)),
                }
            }
        }
        let every_pane: Vec<String> = Pane::ALL.iter().map(|p| format!("F{}", p.number())).collect();
        for (keys, _) in &mut lines {
            if *keys == every_pane.join(" ") {
                *keys = format!("{}–{}", every_pane[0], every_pane[every_pane.len() - 1]);
            }
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pane_keys_come_before_global_ones() {
        let map = KeyMap::defaults();
        let key = |c| Key { code: KeyCode::Char(c), mods: KeyModifiers::NONE };
        assert_eq!(map.action(Pane::Browse, key('j')), Some(Action::Down));
        assert_eq!(map.action(Pane::Label, key('j')), Some(Action::Down));
        assert_eq!(map.action(Pane::Augment, key('j')), Some(Action::Down));
        assert_eq!(map.action(Pane::Augment, key('x')), None);
        assert_eq!(map.action(Pane::Label, key('q')), Some(Action::Quit));
        let shifted = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(map.action(Pane::Browse, Key::from_event(&shifted)), Some(Action::Bottom));
    }

    #[test]
    fn overrides_replace_keys_and_report_problems() {
        use kindling::settings::{KeyList, KeyOverrides};
        let mut map = KeyMap::defaults();
        let overrides: KeyOverrides = [
            ("down".to_string(), KeyList::Many(vec!["w".into(), "Down".into()])),
            ("quit".to_string(), KeyList::One("Ctrl-q".into())),
            ("fly".to_string(), KeyList::One("x".into())),
            ("up".to_string(), KeyList::One("Hyper-9".into())),
        ]
        .into_iter()
        .collect();
        let problems = map.apply("kindling.toml", &overrides);
        let key = |c| Key { code: KeyCode::Char(c), mods: KeyModifiers::NONE };
        assert_eq!(map.action(Pane::Browse, key('w')), Some(Action::Down));
        assert_eq!(map.action(Pane::Browse, key('j')), None, "j no longer moves down");
        assert_eq!(map.action(Pane::Label, key('w')), Some(Action::Down), "in every pane that had it");
        assert_eq!(map.action(Pane::Browse, key('q')), None);
        assert_eq!(
            map.action(Pane::Label, Key { code: KeyCode::Char('q'), mods: KeyModifiers::CONTROL }),
            Some(Action::Quit)
        );
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("fly: no such action"));
        assert!(problems[1].contains("cannot read key \"Hyper-9\""));

        let clash: KeyOverrides = [("sort".to_string(), KeyList::One("w".into()))].into_iter().collect();
        let problems = map.apply("config.toml", &clash);
        assert!(problems.iter().any(|p| p.contains("key w is bound to both")), "{problems:?}");
    }

    #[test]
    fn help_lists_every_binding_of_the_pane() {
        let map = KeyMap::defaults();
        let help = map.help(Pane::Browse, Action::describe);
        let down = help.iter().find(|(_, what)| *what == "move down").unwrap();
        assert_eq!(down.0, "j ↓");
        assert!(help.iter().any(|(keys, what)| keys == "q Ctrl-c" && *what == "quit"));
        assert!(help.iter().any(|(keys, _)| keys == "F1–F6"), "{help:?}");
    }

    #[test]
    fn the_label_pane_s_own_letters_are_reserved_from_classes() {
        let map = KeyMap::defaults();
        let key = |c| Key { code: KeyCode::Char(c), mods: KeyModifiers::NONE };
        for c in (' '..='~').filter(|c| map.action(Pane::Label, key(*c)).is_some()) {
            assert!(
                kindling::project::keys::RESERVED_KEYS.contains(c),
                "'{c}' does something in the Label pane; add it to RESERVED_KEYS"
            );
        }
    }
}
