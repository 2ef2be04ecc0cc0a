//! `[augment]` in kindling.toml, and the plan a run follows:
//!
//! ```toml
//! [augment]
//! copies = 4            # augmented versions per training sample
//! [augment.rotate]
//! on = true             # false keeps the numbers but turns it off
//! p = 0.5               # chance per copy
//! degrees = 15          # the transform's own parameters
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::catalogue::Modality;
use crate::error::{Error, Result};

/// The most copies per sample a project may ask for.
pub const MAX_COPIES: usize = 100;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Augmented versions per training sample; the modality's default when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copies: Option<usize>,
    /// Texts: a synonym list of one's own (one group of synonyms per line, comma-separated),
    /// relative to the project; used with the built-in list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synonyms: Option<String>,
    /// Transform name → its settings.
    #[serde(flatten)]
    pub transforms: BTreeMap<String, TransformSettings>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransformSettings {
    #[serde(default = "on_by_default")]
    pub on: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p: Option<f64>,
    #[serde(flatten)]
    pub params: BTreeMap<String, f64>,
}

fn on_by_default() -> bool {
    true
}

/// One transform of a plan, with every parameter filled in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub name: String,
    pub p: f64,
    pub params: BTreeMap<String, f64>,
}

impl Step {
    pub fn param(&self, name: &str) -> f64 {
        self.params.get(name).copied().unwrap_or(0.0)
    }
}

/// What a run applies: the transforms turned on, in the catalogue's order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub copies: usize,
    pub steps: Vec<Step>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub synonyms: Option<String>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty() || self.copies == 0
    }

    pub fn has(&self, name: &str) -> bool {
        self.steps.iter().any(|s| s.name == name)
    }
}

impl Settings {
    pub fn is_empty(&self) -> bool {
        *self == Settings::default()
    }

    /// The settings of transform `name`: kindling.toml's, filled in with the defaults.
    pub fn step(&self, modality: Modality, name: &str) -> Option<(bool, Step)> {
        let spec = modality.spec(name)?;
        let given = self.transforms.get(name);
        let mut params: BTreeMap<String, f64> = spec.params.iter().map(|p| (p.name.to_string(), p.default)).collect();
        if let Some(g) = given {
            params.extend(g.params.iter().map(|(k, v)| (k.clone(), *v)));
        }
        let step = Step { name: name.to_string(), p: given.and_then(|g| g.p).unwrap_or(spec.p), params };
        Some((given.is_some_and(|g| g.on), step))
    }

    /// Checks every name and number against the catalogue of `modality`.
    pub fn validate(&self, modality: Modality) -> Result<()> {
        let bad = |what: String| Err(Error::user(format!("kindling.toml: [augment] {what}")));
        if let Some(n) = self.copies
            && !(1..=MAX_COPIES).contains(&n)
        {
            return bad(format!("copies = {n}: give 1 to {MAX_COPIES}"));
        }
        for (name, t) in &self.transforms {
            let Some(spec) = modality.spec(name) else {
                let known: Vec<&str> = modality.transforms().iter().map(|s| s.name).collect();
                return bad(format!("{name}: no such transform for this project's data; known: {}", known.join(", ")));
            };
            if let Some(p) = t.p
                && !(0.0..=1.0).contains(&p)
            {
                return bad(format!("{name}: p = {p} must be between 0 and 1"));
            }
            for (param, value) in &t.params {
                let Some(range) = spec.params.iter().find(|p| p.name == param) else {
                    let known: Vec<&str> = spec.params.iter().map(|p| p.name).collect();
                    let known = if known.is_empty() { "none".to_string() } else { known.join(", ") };
                    return bad(format!("{name}: no parameter \"{param}\" (it has: on, p, {known})"));
                };
                if !(range.min..=range.max).contains(value) {
                    return bad(format!("{name}.{param} = {value} must be between {} and {}", range.min, range.max));
                }
            }
        }
        Ok(())
    }

    /// The plan a run follows: the transforms turned on.
    pub fn plan(&self, modality: Modality) -> Result<Plan> {
        self.validate(modality)?;
        let steps = modality
            .transforms()
            .iter()
            .filter_map(|spec| self.step(modality, spec.name))
            .filter(|(on, _)| *on)
            .map(|(_, step)| step)
            .collect();
        Ok(Plan { copies: self.copies.unwrap_or(modality.default_copies()), steps, synonyms: self.synonyms.clone() })
    }

    /// Turns transform `name` on or off, keeping its numbers.
    pub fn set_on(&mut self, name: &str, on: bool) {
        self.transforms
            .entry(name.to_string())
            .or_insert_with(|| TransformSettings { on, p: None, params: BTreeMap::new() })
            .on = on;
    }

    /// Sets one number of transform `name`: `p` or one of its parameters.
    pub fn set_value(&mut self, name: &str, param: &str, value: f64) {
        let t = self.transforms.entry(name.to_string()).or_insert_with(|| TransformSettings {
            on: false,
            p: None,
            params: BTreeMap::new(),
        });
        if param == "p" {
            t.p = Some(value);
        } else {
            t.params.insert(param.to_string(), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Settings {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn a_plan_has_the_transforms_turned_on_with_defaults_filled_in() {
        let s = parse("copies = 3\n[rotate]\ndegrees = 30\n[hflip]\non = false\n[cutout]\np = 0.9\n");
        let plan = s.plan(Modality::Image).unwrap();
        assert_eq!(plan.copies, 3);
        let names: Vec<&str> = plan.steps.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["rotate", "cutout"]);
        assert_eq!(plan.steps[0].param("degrees"), 30.0);
        assert_eq!(plan.steps[0].p, 0.5);
        assert_eq!(plan.steps[1].param("size"), 0.25);
        assert_eq!(plan.steps[1].p, 0.9);
        assert_eq!(Settings::default().plan(Modality::Text).unwrap().copies, 2);
    }

    #[test]
    fn mistakes_name_the_transform_and_what_is_allowed() {
        let e = parse("[spin]\n").validate(Modality::Image).unwrap_err().to_string();
        assert!(e.contains("kindling.toml") && e.contains("spin") && e.contains("rotate"), "{e}");
        let e = parse("[rotate]\nangle = 3\n").validate(Modality::Image).unwrap_err().to_string();
        assert!(e.contains("angle") && e.contains("degrees"), "{e}");
        let e = parse("[rotate]\ndegrees = 500\n").validate(Modality::Image).unwrap_err().to_string();
        assert!(e.contains("between 0 and 180"), "{e}");
        let e = parse("[rotate]\n").validate(Modality::Audio).unwrap_err().to_string();
        assert!(e.contains("no such transform"), "{e}");
        assert!(parse("copies = 0\n").validate(Modality::Image).is_err());
    }

    #[test]
    fn toggles_and_values_survive_a_round_trip_through_toml() {
        let mut s = Settings::default();
        s.set_on("rotate", true);
        s.set_value("rotate", "degrees", 45.0);
        s.set_value("blur", "p", 0.1);
        let text = toml::to_string(&s).unwrap();
        let back: Settings = toml::from_str(&text).unwrap();
        assert_eq!(back, s);
        let plan = back.plan(Modality::Image).unwrap();
        assert_eq!(plan.steps.len(), 1, "blur was only edited, not turned on");
        assert_eq!(plan.steps[0].param("degrees"), 45.0);
    }
}
