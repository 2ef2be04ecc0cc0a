//! What became of classes that a class change renamed, merged or removed, read from the label
//! store's notes of the changes: a run trained before a change still names its old classes.

use std::collections::{BTreeMap, HashMap};

use super::Project;
use crate::error::Result;

/// What became of each of `classes` (a run's) that the project no longer has: `→ NEW` when a
/// rename or merge took it there, `(removed)` otherwise. Read from the store's notes of the
/// changes not undone, in order.
pub fn since(project: &Project, classes: &[String]) -> Result<BTreeMap<String, String>> {
    let mut became: HashMap<String, String> = HashMap::new();
    for (what, undone) in project.labels()?.changes()? {
        if undone {
            continue;
        }
        for (from, to) in moves(&what) {
            // What went to `from` before goes on to `to`.
            for target in became.values_mut().filter(|t| **t == from) {
                *target = to.clone();
            }
            became.insert(from, to);
        }
    }
    let current = project.config.class_names();
    Ok(classes
        .iter()
        .filter(|c| !current.contains(c))
        .map(|c| {
            let now = became.get(c).filter(|t| current.contains(t));
            (c.clone(), now.map_or("(removed)".to_string(), |t| format!("→ {t}")))
        })
        .collect())
}

/// The classes a change's note says went elsewhere, as (from, to): `rename OLD → NEW`,
/// `merge A, B into C`; none for the other notes. The notes are written by
/// `workflow::classes`.
pub fn moves(what: &str) -> Vec<(String, String)> {
    if let Some((from, to)) = what.strip_prefix("rename ").and_then(|r| r.split_once(" → ")) {
        return vec![(from.to_string(), to.to_string())];
    }
    if let Some((from, into)) = what.strip_prefix("merge ").and_then(|r| r.rsplit_once(" into ")) {
        return from.split(", ").map(|f| (f.to_string(), into.to_string())).collect();
    }
    Vec::new()
}
