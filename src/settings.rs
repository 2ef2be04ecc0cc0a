//! User-level settings, kept where the `directories` crate says (e.g.
//! `~/.config/kindling/config.toml` on Linux), never in a project.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, toml_error};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Key map overrides, as in a project's `[keys]`.
    #[serde(default)]
    pub keys: KeyOverrides,
    #[serde(default)]
    pub ui: UiSettings,
}

/// `[ui]`: how the workbench looks.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UiSettings {
    /// The terminal's background: `auto` (from COLORFGBG), `dark` or `light`.
    pub theme: Option<Theme>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    Auto,
    Dark,
    Light,
}

/// `[keys]` tables: `down = "j"` or `down = ["j", "Down"]`.
pub type KeyOverrides = std::collections::BTreeMap<String, KeyList>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum KeyList {
    One(String),
    Many(Vec<String>),
}

impl KeyList {
    pub fn keys(&self) -> Vec<&str> {
        match self {
            KeyList::One(k) => vec![k.as_str()],
            KeyList::Many(ks) => ks.iter().map(String::as_str).collect(),
        }
    }
}

/// Where the settings file is, if this system has a config folder.
pub fn path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "kindling").map(|d| d.config_dir().join("config.toml"))
}

/// Reads the settings file; a missing file is the default settings.
pub fn load(path: &Path) -> Result<Settings> {
    match std::fs::read_to_string(path) {
        Ok(text) => toml::from_str(&text).map_err(|e| toml_error(&text, &e).context(path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
        Err(e) => Err(Error::file(path, e)),
    }
}

/// A span of time as written in settings and options: `90s`, `10m`, `1h`, or plain seconds.
pub fn parse_span(text: &str) -> Result<std::time::Duration> {
    let wrong = || Error::user(format!("\"{text}\": write a time such as 90s, 10m or 1h"));
    let trimmed = text.trim();
    let (number, unit) = trimmed.split_at(trimmed.trim_end_matches(['s', 'm', 'h']).len());
    let n: f64 = number.parse().map_err(|_| wrong())?;
    let seconds = match unit {
        "" | "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(wrong()),
    };
    if !seconds.is_finite() || seconds < 0.0 {
        return Err(wrong());
    }
    Ok(std::time::Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_keys_and_names_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.toml");
        assert!(load(&p).unwrap().keys.is_empty(), "no file, no overrides");
        std::fs::write(&p, "[keys]\ndown = [\"e\", \"Down\"]\nquit = \"Q\"\n").unwrap();
        assert_eq!(load(&p).unwrap().keys.len(), 2);
        std::fs::write(&p, "[ui]\ntheme = \"light\"\n").unwrap();
        assert_eq!(load(&p).unwrap().ui.theme, Some(Theme::Light));
        std::fs::write(&p, "[ui]\ntheme = \"pink\"\n").unwrap();
        assert!(load(&p).unwrap_err().message().contains("line 2"));
        std::fs::write(&p, "[keys]\ndown = \n").unwrap();
        let e = load(&p).unwrap_err();
        assert!(e.message().contains("config.toml: line 2"), "{}", e.message());
    }
}
