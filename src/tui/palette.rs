//! The prompt on the status line — the command palette (`:`), the Browse filter (`&`) and
//! search (`/`), the Augment pane's numbers (`=`) — and the palette's commands: a row
//! number, or any action of the key map by its name (`:review`, `:grid`, `:q`).

use crossterm::event::KeyCode;

use super::app::Pane;
use super::keys::{Action, KeyMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    Command,
    Filter,
    Search,
    /// The numbers of the Augment pane's transform, as name=value pairs.
    Augment,
}

impl Prompt {
    pub fn sigil(self) -> char {
        match self {
            Prompt::Command => ':',
            Prompt::Filter => '&',
            Prompt::Search => '/',
            Prompt::Augment => '=',
        }
    }
}

/// Edits the open prompt with one key; on Enter closes it and returns what was typed.
/// Esc closes it, as Backspace does on an empty prompt.
pub fn key(prompt: &mut Option<(Prompt, String)>, code: KeyCode) -> Option<(Prompt, String)> {
    let (kind, input) = prompt.as_mut()?;
    match code {
        KeyCode::Esc => *prompt = None,
        // Backspace removes the last character (in the guard); on an empty prompt it closes it.
        KeyCode::Backspace if input.pop().is_none() => *prompt = None,
        KeyCode::Char(c) => input.push(c),
        KeyCode::Tab if *kind == Prompt::Command => complete(input),
        KeyCode::Enter => {
            let submitted = (*kind, input.trim().to_string());
            *prompt = None;
            return Some(submitted);
        }
        _ => {}
    }
    None
}

/// A command typed into the palette.
#[derive(Debug, PartialEq)]
pub enum Command {
    Empty,
    /// A row number, counted from 1 as the status bar counts.
    Row(usize),
    Action(Action),
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
    match Action::named().find(|(n, _)| *n == name) {
        Some((_, action)) => Command::Action(action),
        None => Command::Unknown(text.to_string()),
    }
}

/// Tab: the typed name completed as far as the action names that start with it agree.
fn complete(input: &mut String) {
    let names = completions(input);
    let Some(first) = names.first() else { return };
    let common = names
        .iter()
        .fold(first.len(), |n, name| first.bytes().zip(name.bytes()).take(n).take_while(|(a, b)| a == b).count());
    if common > input.len() {
        *input = first[..common].to_string();
    }
}

/// Action names that start with `prefix`, in the key map's order.
pub fn completions(prefix: &str) -> Vec<&'static str> {
    Action::named().map(|(n, _)| n).filter(|n| n.starts_with(prefix)).collect()
}

/// The palette's list: every action whose name starts with `prefix`, with the keys that do
/// it in `pane`.
pub fn entries(prefix: &str, keymap: &KeyMap, pane: Pane) -> Vec<(&'static str, Vec<String>)> {
    Action::named().filter(|(n, _)| n.starts_with(prefix)).map(|(n, a)| (n, keymap.keys_of(pane, a))).collect()
}

/// What to say of a command the palette does not know, with the names closest to it.
pub fn unknown(text: &str) -> String {
    let mut close: Vec<(usize, &str)> =
        Action::named().map(|(n, _)| (distance(text, n), n)).filter(|(d, _)| *d <= 2).collect();
    close.sort();
    let close: Vec<&str> = close.into_iter().take(3).map(|(_, n)| n).collect();
    let hint = if close.is_empty() { String::new() } else { format!(" (close: {})", close.join(", ")) };
    format!("unknown command \"{text}\": try a row number, q, or an action name{hint}")
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
    fn commands_are_rows_or_action_names() {
        assert_eq!(parse(" 123 "), Command::Row(123));
        assert_eq!(parse("q"), Command::Action(Action::Quit));
        assert_eq!(parse("review"), Command::Action(Action::Review));
        assert_eq!(parse("results"), Command::Action(Action::GotoPane(Pane::Results)));
        assert_eq!(parse(""), Command::Empty);
        assert_eq!(parse("revue"), Command::Unknown("revue".into()));
        assert!(unknown("revue").contains("(close: review)"), "{}", unknown("revue"));
        assert!(unknown("sortt").contains("(close: sort)"), "{}", unknown("sortt"));
        assert!(!unknown("xyzzy").contains("close"));
        assert_eq!(completions("pa"), ["palette", "page_up", "page_down"]);
    }

    #[test]
    fn entries_list_each_action_with_its_keys() {
        let map = KeyMap::defaults();
        let got = entries("se", &map, Pane::Browse);
        let names: Vec<&str> = got.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["search", "search_next", "search_prev"]);
        assert_eq!(got[0].1, ["/"]);
        let label = entries("skip", &map, Pane::Label);
        assert_eq!(label[0].1, ["space", "s"]);
        assert_eq!(entries("results", &map, Pane::Label)[0].1, ["F5"]);
    }

    #[test]
    fn the_prompt_edits_submits_and_closes() {
        let mut prompt = Some((Prompt::Search, String::new()));
        for c in "oaks".chars() {
            assert_eq!(key(&mut prompt, KeyCode::Char(c)), None);
        }
        key(&mut prompt, KeyCode::Backspace);
        assert_eq!(key(&mut prompt, KeyCode::Enter), Some((Prompt::Search, "oak".into())));
        assert_eq!(prompt, None);
        let mut prompt = Some((Prompt::Command, "rev".to_string()));
        key(&mut prompt, KeyCode::Tab);
        assert_eq!(prompt.as_ref().unwrap().1, "review", "Tab completes an action name");
        let mut prompt = Some((Prompt::Command, "pa".to_string()));
        key(&mut prompt, KeyCode::Tab);
        assert_eq!(prompt.as_ref().unwrap().1, "pa", "as far as the names agree");
        let mut prompt = Some((Prompt::Command, "page_".to_string()));
        key(&mut prompt, KeyCode::Tab);
        assert_eq!(prompt.as_ref().unwrap().1, "page_", "page_up and page_down agree on page_ only");
        let mut prompt = Some((Prompt::Filter, String::new()));
        key(&mut prompt, KeyCode::Backspace);
        assert_eq!(prompt, None, "Backspace on an empty prompt closes it");
    }
}
