//! The prompt on the status line — the command palette (`:`, its language in command.rs),
//! the Browse filter (`&`) and search (`/`), the Augment pane's numbers (`=`).

use crossterm::event::KeyCode;

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
        KeyCode::Tab if *kind == Prompt::Command => super::command::complete(input),
        KeyCode::Enter => {
            let submitted = (*kind, input.trim().to_string());
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
