//! Changing the task's classes mid-project — add, rename, merge, remove, re-key — from the
//! CLI (`kindling classes`) and the workbench's palette. A change that moves labels writes
//! them as ordinary label events (origin rename / merge / remove) with a note of the change
//! in one transaction of the label store, then rewrites kindling.toml in place; an undo
//! (`kindling labels undo`) takes the change back whole, labels and class list.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::labels::multi;
use crate::labels::store::{Latest, Origin};
use crate::project::Project;
use crate::project::class_history::moves;
use crate::project::config::ClassConfig;
use crate::project::keys::RESERVED_KEYS;

#[derive(Debug, Clone, PartialEq)]
pub enum ClassChange {
    Add { name: String, key: Option<String>, colour: Option<String> },
    Rename { from: String, to: String },
    Merge { from: Vec<String>, into: String },
    Remove { name: String, clear_labels: bool },
    Key { name: String, key: String },
}

/// A class with its label count, for `kindling classes`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassCount {
    pub name: String,
    pub key: String,
    pub colour: String,
    pub labels: u64,
}

/// What a change did, in words, and how many labels it moved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Changed {
    pub what: String,
    pub labels: usize,
}

pub fn list(project: &Project) -> Result<Vec<ClassCount>> {
    let store = project.labels()?;
    let mut counts = std::collections::HashMap::<String, u64>::new();
    for (_, label) in store.current()? {
        for class in multi::split(&label) {
            *counts.entry(class.to_string()).or_default() += 1;
        }
    }
    Ok(project
        .config
        .classes
        .iter()
        .map(|c| ClassCount {
            name: c.name.clone(),
            key: c.key.clone(),
            colour: c.colour.clone(),
            labels: counts.get(&c.name).copied().unwrap_or(0),
        })
        .collect())
}

/// Applies `change` to the project: its labels, then kindling.toml (and `project.config`).
pub fn change(project: &mut Project, change: &ClassChange) -> Result<Changed> {
    let before = project.config.classes.clone();
    let (classes, renamed, what, origin) = plan(&before, change)?;
    let mut config = project.config.clone();
    config.classes = classes.clone();
    config.validate()?;
    if let Some(key) = new_key(change, &classes) {
        check_key(key)?;
    }
    let mut store = project.labels()?;
    let relabel = relabelled(&store.current()?, change, &classes, project.config.project.multi_label);
    if let ClassChange::Remove { name, clear_labels: false } = change
        && !relabel.is_empty()
    {
        return Err(Error::user(format!(
            "{} {} \"{name}\"; merge it into another class, or remove it with --clear-labels \
             (the labels are cleared as events, and `kindling labels undo` brings them back)",
            relabel.len(),
            if relabel.len() == 1 { "label uses" } else { "labels use" }
        )));
    }
    let before_json = serde_json::to_string(&before).map_err(|e| Error::internal(e.to_string()))?;
    let labels = store.record_change(&what, &before_json, &relabel, origin)?;
    // The labels are committed first: a config that failed to be written is said, and the
    // change can be undone, with no label lost either way.
    crate::project::config_edit::write_classes(project.root(), &classes, &renamed)
        .map_err(|e| e.context("the labels changed but kindling.toml did not; `kindling labels undo` takes it back"))?;
    project.config = config;
    if labels > 0 {
        crate::live::state::forget(project.root());
    }
    Ok(Changed { what, labels })
}

/// Takes back the latest label event or class change (`kindling labels undo`); says what.
pub fn undo(project: &mut Project) -> Result<Option<String>> {
    let mut store = project.labels()?;
    let Some(undone) = store.undo_latest()? else { return Ok(None) };
    Ok(Some(match undone {
        Latest::Label(u) => format!("undone: {} → {}", u.sample_id, u.restored.as_deref().unwrap_or("(no label)")),
        Latest::Change(c) => {
            let classes: Vec<ClassConfig> = serde_json::from_str(&c.classes_before)
                .map_err(|e| Error::internal(format!("the label store's note of \"{}\": {e}", c.what)))?;
            // Names the class list had after the change map back to their tables by rename.
            let renamed = project
                .config
                .classes
                .iter()
                .filter(|now| !classes.iter().any(|c| c.name == now.name))
                .filter_map(|now| {
                    let (old, _) = moves(&c.what).into_iter().find(|(_, to)| *to == now.name)?;
                    Some((now.name.clone(), old))
                })
                .collect::<Vec<_>>();
            crate::project::config_edit::write_classes(project.root(), &classes, &renamed)?;
            project.config.classes = classes;
            crate::live::state::forget(project.root());
            format!("undone: {}{}", c.what, moved(c.labels, "back"))
        }
    }))
}

/// ` (3 labels changed)`, ` (1 label back)`, nothing for none.
fn moved(labels: usize, how: &str) -> String {
    match labels {
        0 => String::new(),
        1 => format!(" (1 label {how})"),
        n => format!(" ({n} labels {how})"),
    }
}

impl Changed {
    /// The change in words with what it did to labels: `rename a → b (3 labels changed)`.
    pub fn said(&self) -> String {
        format!("{}{}", self.what, moved(self.labels, "changed"))
    }
}

type Plan = (Vec<ClassConfig>, Vec<(String, String)>, String, Origin);

/// The class list after `change`, the renames in it, its note and its label events' origin.
fn plan(classes: &[ClassConfig], change: &ClassChange) -> Result<Plan> {
    let exists = |name: &str| -> Result<()> {
        if classes.iter().any(|c| c.name == name) {
            return Ok(());
        }
        let names: Vec<&str> = classes.iter().map(|c| c.name.as_str()).collect();
        Err(Error::user(format!("no class \"{name}\"; the classes are {}", names.join(", "))))
    };
    let free = |name: &str| -> Result<()> {
        match classes.iter().any(|c| c.name == name) {
            true => Err(Error::user(format!("there is a class \"{name}\" already; merge into it instead"))),
            false => Ok(()),
        }
    };
    let mut out = classes.to_vec();
    Ok(match change {
        ClassChange::Add { name, key, colour } => {
            free(name)?;
            let used: Vec<&str> = classes.iter().map(|c| c.key.as_str()).collect();
            let key = key.clone().unwrap_or_else(|| {
                // The key the name asks for (`7`, `seven`) when free, else the next free default.
                let named = crate::project::keys::named_key(name).map(String::from);
                named.filter(|k| !used.contains(&k.as_str())).unwrap_or_else(|| {
                    (0..)
                        .map(crate::project::keys::default_key)
                        .find(|k| k.is_empty() || !used.contains(&k.as_str()))
                        .unwrap_or_default()
                })
            });
            let colour = colour.clone().unwrap_or_else(|| crate::project::keys::default_colour(classes.len()));
            out.push(ClassConfig { name: name.clone(), key, colour });
            (out, Vec::new(), format!("add {name}"), Origin::Cli)
        }
        ClassChange::Rename { from, to } => {
            exists(from)?;
            free(to)?;
            out.iter_mut().filter(|c| c.name == *from).for_each(|c| c.name = to.clone());
            (out, vec![(from.clone(), to.clone())], format!("rename {from} → {to}"), Origin::Rename)
        }
        ClassChange::Merge { from, into } => {
            exists(into)?;
            for f in from {
                exists(f)?;
            }
            if from.is_empty() || from.iter().all(|f| f == into) {
                return Err(Error::user("name at least one class to merge into another"));
            }
            out.retain(|c| c.name == *into || !from.contains(&c.name));
            let names: Vec<&str> = from.iter().filter(|f| *f != into).map(String::as_str).collect();
            (out, Vec::new(), format!("merge {} into {into}", names.join(", ")), Origin::Merge)
        }
        ClassChange::Remove { name, .. } => {
            exists(name)?;
            out.retain(|c| c.name != *name);
            (out, Vec::new(), format!("remove {name}"), Origin::Remove)
        }
        ClassChange::Key { name, key } => {
            exists(name)?;
            out.iter_mut().filter(|c| c.name == *name).for_each(|c| c.key = key.clone());
            (out, Vec::new(), format!("key of {name} → {key}"), Origin::Cli)
        }
    })
}

/// The key a change gives a class, if it gives one.
fn new_key<'a>(change: &'a ClassChange, classes: &'a [ClassConfig]) -> Option<&'a str> {
    match change {
        ClassChange::Key { key, .. } => Some(key.as_str()),
        ClassChange::Add { name, .. } => classes.iter().find(|c| c.name == *name).map(|c| c.key.as_str()),
        _ => None,
    }
    .filter(|k| !k.is_empty())
}

fn check_key(key: &str) -> Result<()> {
    match key.chars().next() {
        Some(c) if RESERVED_KEYS.contains(c) => Err(Error::user(format!(
            "key \"{key}\" is one of the Label pane's own ({}); choose a digit or another letter",
            RESERVED_KEYS.trim()
        ))),
        _ => Ok(()),
    }
}

/// The label events a change makes: each current label it touches and its new value.
fn relabelled(
    current: &[(String, String)],
    change: &ClassChange,
    classes: &[ClassConfig],
    multi_label: bool,
) -> Vec<(String, Option<String>)> {
    let map = |class: &str| -> Option<Option<String>> {
        match change {
            ClassChange::Rename { from, to } if class == from => Some(Some(to.clone())),
            ClassChange::Merge { from, into } if from.iter().any(|f| f == class) && class != into => {
                Some(Some(into.clone()))
            }
            ClassChange::Remove { name, .. } if class == name => Some(None),
            _ => None,
        }
    };
    let names: Vec<String> = classes.iter().map(|c| c.name.clone()).collect();
    current
        .iter()
        .filter_map(|(id, label)| {
            if !multi_label {
                return map(label).map(|new| (id.clone(), new));
            }
            let parts: Vec<&str> = multi::split(label).collect();
            if !parts.iter().any(|p| map(p).is_some()) {
                return None;
            }
            let mapped: Vec<String> =
                parts.iter().filter_map(|p| map(p).unwrap_or_else(|| Some(p.to_string()))).collect();
            let chosen: Vec<&str> = mapped.iter().map(String::as_str).collect();
            Some((id.clone(), multi::join(&chosen, &names)))
        })
        .collect()
}

#[cfg(test)]
mod tests;
