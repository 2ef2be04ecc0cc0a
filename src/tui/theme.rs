//! Colours and styles: what reads on a dark or a light terminal, and plain text with
//! `NO_COLOR`.

use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};

/// Styles that degrade to plain text with `NO_COLOR` and read in 16-colour terminals, on a
/// dark background or (`light`) a light one.
#[derive(Clone, Copy, Default)]
pub struct Theme {
    pub colour: bool,
    pub light: bool,
}

/// The terminal's background, as `--theme` and `[ui] theme` name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Background {
    /// From `COLORFGBG` when the terminal sets it, else dark.
    Auto,
    Dark,
    Light,
}

impl Theme {
    pub fn from_env(background: Background) -> Theme {
        let colour = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        let light = match background {
            Background::Light => true,
            Background::Dark => false,
            Background::Auto => light_from_colorfgbg(&std::env::var("COLORFGBG").unwrap_or_default()),
        };
        Theme { colour, light }
    }

    /// A colour by name (a class's colour), made readable on the background: dark blue and
    /// magenta on black, or yellow and the light colours on white, are hard to read.
    pub fn fg(&self, name: &str) -> Style {
        match (self.colour, Color::from_str(name)) {
            (true, Ok(c)) => Style::new().fg(self.readable(c)),
            _ => Style::new(),
        }
    }

    fn readable(&self, c: Color) -> Color {
        match (self.light, c) {
            (false, Color::Blue) => Color::LightBlue,
            (false, Color::Magenta) => Color::LightMagenta,
            (false, Color::DarkGray | Color::Black) => Color::Gray,
            (true, Color::Yellow | Color::LightYellow) => Color::Indexed(136),
            (true, Color::Cyan | Color::LightCyan) => Color::Indexed(30),
            (true, Color::LightRed) => Color::Red,
            (true, Color::LightGreen | Color::Green) => Color::Indexed(28),
            (true, Color::LightBlue) => Color::Blue,
            (true, Color::LightMagenta) => Color::Magenta,
            (true, Color::White | Color::Gray) => Color::DarkGray,
            (_, c) => c,
        }
    }

    pub fn accent(&self) -> Style {
        let accent = if self.light { Color::Blue } else { Color::Cyan };
        if self.colour {
            Style::new().fg(accent).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    pub fn dim(&self) -> Style {
        if self.colour { Style::new().fg(Color::DarkGray) } else { Style::new() }
    }

    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
}

/// `COLORFGBG` is `fg;bg` (some terminals add a middle field); a background of 7 or 9–15 is
/// light.
fn light_from_colorfgbg(value: &str) -> bool {
    value.rsplit(';').next().and_then(|bg| bg.parse::<u8>().ok()).is_some_and(|bg| bg == 7 || (9..=15).contains(&bg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_colours_stay_readable_on_either_background() {
        let dark = Theme { colour: true, light: false };
        let light = Theme { colour: true, light: true };
        assert_eq!(dark.fg("blue").fg, Some(Color::LightBlue), "dark blue on black is hard to read");
        assert_eq!(light.fg("blue").fg, Some(Color::Blue));
        assert_eq!(light.fg("lightyellow").fg, Some(Color::Indexed(136)), "yellow on white is hard to read");
        assert_eq!(dark.fg("red").fg, Some(Color::Red));
        assert_eq!(Theme { colour: false, light: true }.fg("red").fg, None, "NO_COLOR");
        assert!(light_from_colorfgbg("0;15") && light_from_colorfgbg("0;default;15") && light_from_colorfgbg("0;7"));
        assert!(!light_from_colorfgbg("15;0") && !light_from_colorfgbg("") && !light_from_colorfgbg("7;8"));
    }
}
