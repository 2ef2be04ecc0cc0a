//! The prompt on the status line — the command palette (`:`, its language in command.rs),
//! the Browse filter (`&`) and search (`/`), the Augment pane's numbers (`=`).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

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

/// What is typed at the prompt, and where the cursor is in it (in characters).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Input {
    pub text: String,
    pub cursor: usize,
}

impl From<&str> for Input {
    fn from(text: &str) -> Input {
        Input::from(text.to_string())
    }
}

impl From<String> for Input {
    /// The text with the cursor at its end.
    fn from(text: String) -> Input {
        Input { cursor: text.chars().count(), text }
    }
}

impl Input {
    /// The byte offset of character `at`.
    fn byte(&self, at: usize) -> usize {
        self.text.char_indices().nth(at).map_or(self.text.len(), |(i, _)| i)
    }

    fn insert(&mut self, c: char) {
        let at = self.byte(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
    }

    /// Removes the characters from `from` to the cursor, which moves to `from`.
    fn cut_back_to(&mut self, from: usize) {
        let (a, b) = (self.byte(from), self.byte(self.cursor));
        self.text.replace_range(a..b, "");
        self.cursor = from;
    }

    /// Where the word before the cursor starts (readline's Ctrl-W: spaces, then a word).
    fn word_start(&self) -> usize {
        let before: Vec<char> = self.text.chars().take(self.cursor).collect();
        let mut at = before.len();
        while at > 0 && before[at - 1].is_whitespace() {
            at -= 1;
        }
        while at > 0 && !before[at - 1].is_whitespace() {
            at -= 1;
        }
        at
    }
}

/// Edits the open prompt with one key, as readline does: Ctrl-U clears to the start, Ctrl-W
/// removes the word before the cursor, Ctrl-K to the end, Ctrl-A / Home and Ctrl-E / End
/// go to either end, the arrows (and Ctrl-B / Ctrl-F) move. On Enter closes it and returns
/// what was typed; Esc closes it, as Backspace does on an empty prompt.
pub fn key(prompt: &mut Option<(Prompt, Input)>, event: KeyEvent) -> Option<(Prompt, String)> {
    let (kind, input) = prompt.as_mut()?;
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    let end = input.text.chars().count();
    match event.code {
        KeyCode::Esc => *prompt = None,
        // On an empty prompt Backspace closes it.
        KeyCode::Backspace if input.text.is_empty() => *prompt = None,
        KeyCode::Backspace | KeyCode::Char('h') if ctrl || event.code == KeyCode::Backspace => {
            input.cut_back_to(input.cursor.saturating_sub(1))
        }
        KeyCode::Delete | KeyCode::Char('d') if (ctrl || event.code == KeyCode::Delete) && input.cursor < end => {
            input.cursor += 1;
            input.cut_back_to(input.cursor - 1);
        }
        KeyCode::Char('u') if ctrl => input.cut_back_to(0),
        KeyCode::Char('w') if ctrl => input.cut_back_to(input.word_start()),
        KeyCode::Char('k') if ctrl => {
            let at = input.byte(input.cursor);
            input.text.truncate(at);
        }
        KeyCode::Char('a') if ctrl => input.cursor = 0,
        KeyCode::Home => input.cursor = 0,
        KeyCode::Char('e') if ctrl => input.cursor = end,
        KeyCode::End => input.cursor = end,
        KeyCode::Char('b') if ctrl => input.cursor = input.cursor.saturating_sub(1),
        KeyCode::Left => input.cursor = input.cursor.saturating_sub(1),
        KeyCode::Char('f') if ctrl => input.cursor = (input.cursor + 1).min(end),
        KeyCode::Right => input.cursor = (input.cursor + 1).min(end),
        KeyCode::Char(_) if ctrl => {}
        KeyCode::Char(c) => input.insert(c),
        KeyCode::Tab if *kind == Prompt::Command => {
            super::command::complete(&mut input.text);
            input.cursor = input.text.chars().count();
        }
        KeyCode::Enter => {
            let submitted = (*kind, input.text.trim().to_string());
            *prompt = None;
            return Some(submitted);
        }
        _ => {}
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prompt_edits_submits_and_closes() {
        let mut prompt = Some((Prompt::Search, Input::default()));
        for c in "oaks".chars() {
            assert_eq!(key(&mut prompt, KeyCode::Char(c).into()), None);
        }
        key(&mut prompt, KeyCode::Backspace.into());
        assert_eq!(key(&mut prompt, KeyCode::Enter.into()), Some((Prompt::Search, "oak".into())));
        assert_eq!(prompt, None);
        let mut prompt = Some((Prompt::Command, Input::from("rev")));
        key(&mut prompt, KeyCode::Tab.into());
        assert_eq!(prompt.as_ref().unwrap().1.text, "review", "Tab completes an action name");
        let mut prompt = Some((Prompt::Command, Input::from("pa")));
        key(&mut prompt, KeyCode::Tab.into());
        assert_eq!(prompt.as_ref().unwrap().1.text, "pa", "as far as the names agree");
        let mut prompt = Some((Prompt::Command, Input::from("page_")));
        key(&mut prompt, KeyCode::Tab.into());
        assert_eq!(prompt.as_ref().unwrap().1.text, "page_", "page_up and page_down agree on page_ only");
        let mut prompt = Some((Prompt::Filter, Input::default()));
        key(&mut prompt, KeyCode::Backspace.into());
        assert_eq!(prompt, None, "Backspace on an empty prompt closes it");
    }

    #[test]
    fn the_prompt_follows_readline_keys() {
        let ctrl = |c: char| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
        let typed = |p: &Option<(Prompt, Input)>| p.as_ref().map(|(_, i)| (i.text.clone(), i.cursor));
        let long = "height > 3 and colour == \"red\" and is_null(age)";
        let mut prompt = Some((Prompt::Filter, Input::from(long)));
        key(&mut prompt, ctrl('w'));
        assert_eq!(typed(&prompt), Some(("height > 3 and colour == \"red\" and ".into(), 35)), "Ctrl-W: a word");
        key(&mut prompt, ctrl('a'));
        key(&mut prompt, KeyCode::Char('(').into());
        key(&mut prompt, ctrl('e'));
        key(&mut prompt, KeyCode::Char(')').into());
        assert_eq!(typed(&prompt), Some(("(height > 3 and colour == \"red\" and )".into(), 37)), "Ctrl-A, Ctrl-E");
        key(&mut prompt, KeyCode::Left.into());
        key(&mut prompt, ctrl('u'));
        assert_eq!(typed(&prompt), Some((")".into(), 0)), "Ctrl-U clears what is before the cursor, not u");
        key(&mut prompt, ctrl('k'));
        assert_eq!(typed(&prompt), Some((String::new(), 0)), "Ctrl-K what is after it");
        key(&mut prompt, KeyCode::Char('é').into());
        key(&mut prompt, KeyCode::Char('x').into());
        key(&mut prompt, KeyCode::Left.into());
        key(&mut prompt, KeyCode::Backspace.into());
        assert_eq!(typed(&prompt), Some(("x".into(), 0)), "Backspace at the cursor, in characters");
        assert_eq!(key(&mut prompt, KeyCode::Enter.into()), Some((Prompt::Filter, "x".into())));
    }
}
