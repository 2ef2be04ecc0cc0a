//! `kindling.toml`: the task (name, classes and their keys) and where the data lives.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::data::SourceConfig;
use crate::error::{Error, Result, toml_error};
use crate::settings::KeyOverrides;

pub const CONFIG_FILE: &str = "kindling.toml";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub project: ProjectSection,
    /// `[task]`: what is labelled — a class per sample (the default) or boxes of objects.
    #[serde(default, skip_serializing_if = "TaskSection::is_default")]
    pub task: TaskSection,
    pub source: SourceConfig,
    #[serde(default)]
    pub classes: Vec<ClassConfig>,
    /// Key map overrides for the workbench: action name → key or list of keys.
    #[serde(default, skip_serializing_if = "KeyOverrides::is_empty")]
    pub keys: KeyOverrides,
    #[serde(default, skip_serializing_if = "LabelSettings::is_default")]
    pub label: LabelSettings,
    /// `[features]`: knobs of the featurizers.
    #[serde(default, skip_serializing_if = "crate::features::Settings::is_default")]
    pub features: crate::features::Settings,
    /// `[augment]`: the augmentations training applies.
    #[serde(default, skip_serializing_if = "crate::augment::Settings::is_empty")]
    pub augment: crate::augment::Settings,
    /// `[torch]`: how the libtorch models train.
    #[serde(default, skip_serializing_if = "crate::models::TorchSettings::is_default")]
    pub torch: crate::models::TorchSettings,
    /// `[live]`: the live model refitted while labelling.
    #[serde(default, skip_serializing_if = "super::live_settings::LiveSettings::is_default")]
    pub live: super::live_settings::LiveSettings,
    /// `[qa]`: echoes and gold samples asked blind while labelling.
    #[serde(default, skip_serializing_if = "super::qa_settings::QaSettings::is_default")]
    pub qa: super::qa_settings::QaSettings,
    /// `[detector]`: how `train --model detector` fits (detection projects).
    #[serde(default, skip_serializing_if = "super::detector_settings::DetectorSettings::is_default")]
    pub detector: super::detector_settings::DetectorSettings,
}

/// `[label]`: how the Label pane behaves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LabelSettings {
    /// Whether labelling a sample moves on to the next one (otherwise it stays).
    pub advance: bool,
    /// Seed of the random queue order.
    pub seed: u64,
    /// The key that accepts the live model's suggestion (Enter by default); the same as
    /// `[keys] commit`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accept: Option<String>,
}

impl Default for LabelSettings {
    fn default() -> LabelSettings {
        LabelSettings { advance: true, seed: 0, accept: None }
    }
}

impl LabelSettings {
    fn is_default(&self) -> bool {
        *self == LabelSettings::default()
    }
}

/// `[task]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TaskSection {
    pub kind: TaskKind,
}

impl TaskSection {
    fn is_default(&self) -> bool {
        *self == TaskSection::default()
    }
}

/// What a project labels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskKind {
    /// A class (or in multi-label projects several) per sample.
    #[default]
    Classify,
    /// Boxes around objects in images, a class each.
    Detect,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectSection {
    pub name: String,
    #[serde(default)]
    pub multi_label: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassConfig {
    pub name: String,
    /// The key that assigns this class in the Label pane; empty for none.
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub colour: String,
}

impl Config {
    pub fn load(project_dir: &Path) -> Result<Config> {
        let path = project_dir.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::user(format!(
                    "{}: not a Kindling project (no {CONFIG_FILE}); create one with `kindling init {} --source PATH`",
                    project_dir.display(),
                    project_dir.display()
                )));
            }
            Err(e) => return Err(Error::file(&path, e)),
        };
        let config = Self::parse(&text).map_err(|e| e.context(path.display()))?;
        Ok(config)
    }

    pub fn parse(text: &str) -> Result<Config> {
        let config: Config = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
        config.validate()?;
        Ok(config)
    }

    pub fn validate(&self) -> Result<()> {
        let mut seen_names = std::collections::HashSet::new();
        let mut seen_keys = std::collections::HashMap::new();
        for class in &self.classes {
            if class.name.trim().is_empty() {
                return Err(Error::user("a class has an empty name; give every [[classes]] a name"));
            }
            if class.name.contains(crate::labels::multi::SEPARATOR) {
                return Err(Error::user(format!(
                    "class \"{}\": a class name cannot contain \"{}\", which joins the classes of a \
                     multi-label sample (labels files and the label store read it so); choose another name",
                    class.name,
                    crate::labels::multi::SEPARATOR
                )));
            }
            if !seen_names.insert(class.name.as_str()) {
                return Err(Error::user(format!("class \"{}\" is listed twice; remove one", class.name)));
            }
            if class.key.chars().count() > 1 {
                return Err(Error::user(format!(
                    "class \"{}\": key \"{}\" must be a single character",
                    class.name, class.key
                )));
            }
            if !class.key.is_empty()
                && let Some(other) = seen_keys.insert(class.key.as_str(), class.name.as_str())
            {
                return Err(Error::user(format!(
                    "key \"{}\" is used by both \"{other}\" and \"{}\"; give each class its own key",
                    class.key, class.name
                )));
            }
        }
        if self.task.kind == TaskKind::Detect {
            if self.source.kind != crate::data::SourceKind::Images {
                return Err(Error::user(format!(
                    "[task] kind = \"detect\" boxes objects in images; this source holds {} (set [task] kind = \"classify\")",
                    self.source.kind.name()
                )));
            }
            if self.project.multi_label {
                return Err(Error::user(
                    "[task] kind = \"detect\" gives each box one class; set multi_label = false in [project]",
                ));
            }
        }
        self.features.validate()?;
        self.torch.validate()?;
        self.live.validate()?;
        self.qa.validate()?;
        self.detector.validate()?;
        self.augment.validate(crate::augment::Modality::of_task(self.source.kind, self.is_detect()))
    }

    pub fn save(&self, project_dir: &Path) -> Result<()> {
        let text = toml::to_string_pretty(self).map_err(|e| Error::internal(e.to_string()))?;
        let header = "# Kindling project. Edit class keys and colours freely; see `kindling --help`.\n\n";
        crate::atomic::write_whole(&project_dir.join(CONFIG_FILE), format!("{header}{text}").as_bytes())
    }

    pub fn is_detect(&self) -> bool {
        self.task.kind == TaskKind::Detect
    }

    /// Refuses `what` on a detection project, which labels boxes, not samples.
    pub fn require_classify(&self, what: &str) -> Result<()> {
        if self.is_detect() {
            return Err(Error::user(format!(
                "{what} works on a class per sample; this is a detection project ([task] kind = \"detect\"), \
                 which labels boxes (the Label pane draws them; `kindling labels import` and `kindling labels export \
                 --format yolo|coco|voc` move them; no detector can be trained yet)"
            )));
        }
        Ok(())
    }

    pub fn class_names(&self) -> Vec<String> {
        self.classes.iter().map(|c| c.name.clone()).collect()
    }

    pub fn has_class(&self, name: &str) -> bool {
        self.classes.iter().any(|c| c.name == name)
    }

    /// Whether `label` is a label a sample may have: one class, or in multi-label projects
    /// several joined by `|`.
    pub fn is_valid_label(&self, label: &str) -> bool {
        if self.project.multi_label {
            let mut classes = crate::labels::multi::split(label).peekable();
            classes.peek().is_some() && classes.all(|c| self.has_class(c))
        } else {
            self.has_class(label)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::SourceKind;

    const GOOD: &str = r#"
[project]
name = "shapes"

[source]
kind = "images"
path = "images"
labels_from_folders = true

[[classes]]
name = "circle"
key = "1"
colour = "red"

[[classes]]
name = "square"
key = "2"
"#;

    #[test]
    fn parses_and_round_trips() {
        let c = Config::parse(GOOD).unwrap();
        assert_eq!(c.source.kind, SourceKind::Images);
        assert_eq!(c.class_names(), ["circle", "square"]);
        let text = toml::to_string_pretty(&c).unwrap();
        assert_eq!(Config::parse(&text).unwrap(), c);
    }

    #[test]
    fn syntax_error_names_the_line() {
        let bad = GOOD.replace("kind = \"images\"", "kind = images");
        let e = Config::parse(&bad).unwrap_err();
        assert!(e.message().starts_with("line 6:"), "{}", e.message());
    }

    #[test]
    fn unknown_kind_is_rejected() {
        let bad = GOOD.replace("\"images\"", "\"video\"");
        let e = Config::parse(&bad).unwrap_err();
        assert!(e.message().contains("line 6"), "{}", e.message());
    }

    #[test]
    fn a_detection_task_is_for_images_with_one_class_a_box() {
        let detect = GOOD.replace("[source]", "[task]\nkind = \"detect\"\n\n[source]");
        let c = Config::parse(&detect).unwrap();
        assert!(c.is_detect());
        assert!(c.require_classify("train").unwrap_err().message().contains("detection project"));
        assert_eq!(Config::parse(&toml::to_string_pretty(&c).unwrap()).unwrap(), c, "round trip");
        assert!(!toml::to_string_pretty(&Config::parse(GOOD).unwrap()).unwrap().contains("[task]"), "default unsaid");
        let texts = detect.replace("kind = \"images\"", "kind = \"text\"");
        assert!(Config::parse(&texts).unwrap_err().message().contains("boxes objects in images"));
        let jitter = "\n[augment.box_jitter]\non = true\n";
        assert!(Config::parse(&format!("{detect}{jitter}")).is_ok(), "boxes jitter in a detection project");
        let e = Config::parse(&format!("{GOOD}{jitter}")).unwrap_err();
        assert!(e.message().contains("box_jitter"), "and nowhere else: {}", e.message());
        let multi = detect.replace("name = \"shapes\"", "name = \"shapes\"\nmulti_label = true");
        assert!(Config::parse(&multi).unwrap_err().message().contains("multi_label = false"));
    }

    #[test]
    fn duplicate_keys_are_rejected() {
        let bad = GOOD.replace("key = \"2\"", "key = \"1\"");
        let e = Config::parse(&bad).unwrap_err();
        assert!(e.message().contains("key \"1\" is used by both"), "{}", e.message());
    }
}
