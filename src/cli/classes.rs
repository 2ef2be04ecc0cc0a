//! `kindling classes`: list the classes, or add, rename, merge, remove or re-key one; and
//! `kindling labels undo`, which takes a class change back whole.

use std::path::Path;

use kindling::project::Project;
use kindling::workflow::classes::{self, ClassChange};
use kindling::{Error, Result};

use super::output::{print, print_json};

pub fn list(dir: Option<&Path>, json: bool) -> Result<()> {
    let dir = dir.ok_or_else(|| Error::user("name the project: `kindling classes DIR`"))?;
    let project = Project::open(dir)?;
    let classes = classes::list(&project)?;
    if json {
        print_json(&classes);
        return Ok(());
    }
    let width = classes.iter().map(|c| c.name.chars().count()).max().unwrap_or(5).max(5);
    let mut out = format!("{:<width$}  key  {:<13}  labels\n", "class", "colour");
    for c in &classes {
        let key = if c.key.is_empty() { "·" } else { &c.key };
        out.push_str(&format!("{:<width$}  {key:<3}  {:<13}  {:>6}\n", c.name, c.colour, c.labels));
    }
    if classes.is_empty() {
        out.push_str("no classes yet: `kindling classes add DIR NAME`\n");
    }
    print(&out);
    Ok(())
}

pub fn change(dir: &Path, change: ClassChange) -> Result<()> {
    let mut project = Project::open(dir)?;
    let changed = classes::change(&mut project, &change)?;
    print(&format!("{}\n", changed.said()));
    Ok(())
}

pub fn undo(dir: &Path) -> Result<()> {
    let mut project = Project::open(dir)?;
    match classes::undo(&mut project)? {
        Some(said) => print(&format!("{said}\n")),
        None => print("nothing to undo\n"),
    }
    Ok(())
}
