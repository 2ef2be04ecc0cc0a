//! The command palette's language: a row number, a command with arguments (`class add
//! NAME [KEY]`, `order NAME`, `goto ID`, …), or any action of the key map by its name
//! (`:review`, `:grid`, `:q`); with completion of names and what to say of a typo.

use kindling::models::ModelKind;
use kindling::workflow::classes::ClassChange;
use kindling::workflow::queue::Order;

use super::keys::{Action, KeyMap};
use super::pane::Pane;

/// The commands that take arguments, and how they are typed.
pub const COMMANDS: [(&str, &str); 11] = [
    ("class add", "class add NAME [KEY]"),
    ("class rename", "class rename OLD NEW"),
    ("class merge", "class merge FROM… INTO"),
    ("class key", "class key NAME KEY"),
    ("class remove", "class remove NAME"),
    ("order", "order least_confident|margin|entropy|diverse|random|unlabelled|sequential|by_class"),
    ("filter", "filter EXPR"),
    ("goto", "goto ID"),
    ("train", "train MODEL"),
    ("export", "export FILE"),
    ("exclude", "exclude COLUMN"),
];

/// A command typed into the palette.
#[derive(Debug, PartialEq)]
pub enum Command {
    Empty,
    /// A row number, counted from 1 as the status bar counts.
    Row(usize),
    Action(Action),
    Class(ClassChange),
    Order(Order),
    /// A Browse filter (empty: clear it).
    Filter(String),
    /// Any sample, by its id.
    Goto(String),
    Train(ModelKind),
    Export(String),
    /// Leave a table column out of the features.
    Exclude(String),
    /// A known command typed wrongly: what to say.
    Wrong(String),
    Unknown(String),
}

pub fn parse(text: &str) -> Command {
    let text = text.trim();
    if text.is_empty() {
        return Command::Empty;
    }
    if let Ok(row) = text.parse::<usize>() {
        return Command::Row(row);
    }
    let name = if text == "q" { "quit" } else { text };
    // A command name alone that is also an action's (`order`, `filter`, `train`) is the action.
    if let Some((_, action)) = Action::named().find(|(n, _)| *n == name) {
        return Command::Action(action);
    }
    let (head, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let rest = rest.trim();
    let words: Vec<&str> = rest.split_whitespace().collect();
    let usage = |name: &str| {
        let how = COMMANDS.iter().find(|(n, _)| *n == name).map_or(name, |(_, u)| u);
        Command::Wrong(format!("type it as :{how}"))
    };
    match head {
        "class" => class(&words).unwrap_or_else(|| match words.first() {
            Some(sub) if COMMANDS.iter().any(|(n, _)| *n == format!("class {sub}")) => usage(&format!("class {sub}")),
            _ => Command::Wrong("class add, rename, merge, key or remove (Tab completes)".into()),
        }),
        "order" => match Order::parse(rest) {
            Some(order) => Command::Order(order),
            None => usage("order"),
        },
        "filter" => Command::Filter(rest.to_string()),
        "goto" if !rest.is_empty() => Command::Goto(rest.to_string()),
        "train" => match ModelKind::parse(rest) {
            Ok(model) => Command::Train(model),
            Err(e) => Command::Wrong(e.message().to_string()),
        },
        "export" if !rest.is_empty() => Command::Export(rest.to_string()),
        "exclude" if words.len() == 1 => Command::Exclude(rest.to_string()),
        "goto" | "export" | "exclude" => usage(head),
        _ => Command::Unknown(text.to_string()),
    }
}

fn class(words: &[&str]) -> Option<Command> {
    let owned = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    Some(Command::Class(match words {
        ["add", name] => ClassChange::Add { name: name.to_string(), key: None, colour: None },
        ["add", name, key] => ClassChange::Add { name: name.to_string(), key: Some(key.to_string()), colour: None },
        ["rename", from, to] => ClassChange::Rename { from: from.to_string(), to: to.to_string() },
        ["merge", from @ .., into] if !from.is_empty() => {
            ClassChange::Merge { from: owned(from), into: into.to_string() }
        }
        ["key", name, key] => ClassChange::Key { name: name.to_string(), key: key.to_string() },
        ["remove", name] => ClassChange::Remove { name: name.to_string(), clear_labels: false },
        _ => return None,
    }))
}

/// Every name the palette knows: its commands, then the actions.
fn names() -> impl Iterator<Item = &'static str> {
    COMMANDS.iter().map(|(n, _)| *n).chain(Action::named().map(|(n, _)| n))
}

/// Tab: the typed name completed as far as the names that start with it agree.
pub fn complete(input: &mut String) {
    let names = completions(input);
    let Some(first) = names.first() else { return };
    let common = names
        .iter()
        .fold(first.len(), |n, name| first.bytes().zip(name.bytes()).take(n).take_while(|(a, b)| a == b).count());
    if common > input.len() {
        *input = first[..common].to_string();
        // A whole command name is followed by its arguments.
        if names.len() == 1 && COMMANDS.iter().any(|(n, _)| *n == input) {
            input.push(' ');
        }
    }
}

/// Names that start with `prefix`: the commands, then the actions in the key map's order.
pub fn completions(prefix: &str) -> Vec<&'static str> {
    let mut found: Vec<&'static str> = Vec::new();
    for name in names().filter(|n| n.starts_with(prefix)) {
        if !found.contains(&name) {
            found.push(name);
        }
    }
    found
}

/// The palette's list for what is typed: each command it may become with how it is typed,
/// each action with the keys that do it in `pane`.
pub fn entries(typed: &str, keymap: &KeyMap, pane: Pane) -> Vec<(String, Option<String>)> {
    let commands = COMMANDS
        .iter()
        .filter(|(n, _)| n.starts_with(typed) || typed.starts_with(&format!("{n} ")))
        .map(|(_, usage)| (usage.to_string(), None));
    let actions = Action::named()
        .filter(|(n, _)| n.starts_with(typed))
        .map(|(n, a)| (n.to_string(), keymap.keys_of(pane, a).into_iter().next()));
    commands.chain(actions).collect()
}

/// What to say of a command the palette does not know, with the names closest to it.
pub fn unknown(text: &str) -> String {
    let head = text.split_whitespace().next().unwrap_or(text);
    let mut close: Vec<(usize, &str)> =
        names().map(|n| (distance(head, n.split(' ').next().unwrap_or(n)), n)).filter(|(d, _)| *d <= 2).collect();
    close.sort();
    close.dedup_by_key(|(_, n)| n.split(' ').next().unwrap_or(n));
    let close: Vec<&str> = close.into_iter().take(3).map(|(_, n)| n.split(' ').next().unwrap_or(n)).collect();
    match close.is_empty() {
        true => format!("unknown command \"{text}\": a row number, a command or an action name (Tab completes)"),
        false => format!("unknown command \"{text}\" (close: {})", close.join(", ")),
    }
}

/// Edits (insert, delete, replace a character) that turn `a` into `b`.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_rows_commands_or_action_names() {
        assert_eq!(parse(" 123 "), Command::Row(123));
        assert_eq!(parse("q"), Command::Action(Action::Quit));
        assert_eq!(parse("review"), Command::Action(Action::Review));
        assert_eq!(parse("results"), Command::Action(Action::GotoPane(Pane::Results)));
        assert_eq!(parse(""), Command::Empty);
        assert_eq!(parse("revue"), Command::Unknown("revue".into()));
        assert_eq!(parse("order diverse"), Command::Order(Order::Diverse));
        assert_eq!(parse("filter  x > 3 "), Command::Filter("x > 3".into()));
        assert_eq!(parse("goto cat/001.png"), Command::Goto("cat/001.png".into()));
        assert_eq!(parse("train random_forest"), Command::Train(ModelKind::parse("random_forest").unwrap()));
        assert_eq!(parse("export labels.csv"), Command::Export("labels.csv".into()));
    }

    #[test]
    fn class_commands_take_their_arguments() {
        let add = |name: &str, key: Option<&str>| {
            Command::Class(ClassChange::Add { name: name.into(), key: key.map(String::from), colour: None })
        };
        assert_eq!(parse("class add fish"), add("fish", None));
        assert_eq!(parse("class add fish f"), add("fish", Some("f")));
        assert_eq!(
            parse("class merge cat dog pet"),
            Command::Class(ClassChange::Merge { from: vec!["cat".into(), "dog".into()], into: "pet".into() })
        );
        assert_eq!(parse("class rename a b"), Command::Class(ClassChange::Rename { from: "a".into(), to: "b".into() }));
        assert_eq!(parse("class key a 7"), Command::Class(ClassChange::Key { name: "a".into(), key: "7".into() }));
        assert_eq!(parse("class rename a"), Command::Wrong("type it as :class rename OLD NEW".into()));
        assert_eq!(parse("class merge a"), Command::Wrong("type it as :class merge FROM… INTO".into()));
        assert!(matches!(parse("class fly"), Command::Wrong(w) if w.contains("add, rename, merge")));
        assert!(matches!(parse("order fast"), Command::Wrong(w) if w.contains("order least_confident|")));
        assert!(matches!(parse("train gbm9"), Command::Wrong(w) if w.contains("unknown model 'gbm9'")));
        assert_eq!(parse("goto"), Command::Wrong("type it as :goto ID".into()));
        assert_eq!(parse("exclude species"), Command::Exclude("species".into()));
        assert_eq!(parse("exclude"), Command::Wrong("type it as :exclude COLUMN".into()));
    }

    #[test]
    fn tab_completes_commands_and_actions_and_typos_get_the_close_names() {
        assert_eq!(completions("pa"), ["palette", "page_up", "page_down"]);
        assert_eq!(completions("class "), ["class add", "class rename", "class merge", "class key", "class remove"]);
        let mut typed = "class r".to_string();
        complete(&mut typed);
        assert_eq!(typed, "class re", "as far as rename and remove agree");
        let mut typed = "class ren".to_string();
        complete(&mut typed);
        assert_eq!(typed, "class rename ", "a whole command, ready for its arguments");
        let mut typed = "ord".to_string();
        complete(&mut typed);
        assert_eq!(typed, "order ", "the command and the action of that name are one name");
        assert!(unknown("revue").contains("(close: review)"), "{}", unknown("revue"));
        assert!(unknown("clas add x").contains("(close: class)"), "{}", unknown("clas add x"));
        assert!(unknown("sortt").contains("(close: sort)"), "{}", unknown("sortt"));
        assert!(!unknown("xyzzy").contains("close"));
    }

    #[test]
    fn entries_list_commands_with_their_usage_and_actions_with_their_keys() {
        let map = KeyMap::defaults();
        let got = entries("se", &map, Pane::Browse);
        let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["search", "search_next", "search_prev"]);
        assert_eq!(got[0].1.as_deref(), Some("/"));
        assert_eq!(entries("skip", &map, Pane::Label)[0].1.as_deref(), Some("space"));
        let class = entries("class ren", &map, Pane::Label);
        assert_eq!(class, [("class rename OLD NEW".to_string(), None)]);
        assert_eq!(
            entries("class rename cat f", &map, Pane::Label)[0].0,
            "class rename OLD NEW",
            "while typing arguments"
        );
    }
}
