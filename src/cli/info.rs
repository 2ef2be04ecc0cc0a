use std::path::Path;

use kindling::Result;
use kindling::data::folder::Unreadable;
use kindling::project::Project;
use kindling::project::info::{ProjectInfo, info};

use super::output::{bar, percent, print, print_json};
use super::progress::TermProgress;

pub fn run(dir: &Path, json: bool) -> Result<()> {
    let project = Project::open(dir)?;
    let info = info(&project, &TermProgress::new())?;
    if json {
        print_json(&info);
    } else {
        print(&render(&info));
    }
    Ok(())
}

pub fn render(i: &ProjectInfo) -> String {
    let mut s = format!("{}  ({} · {})\n", i.name, i.kind, i.source);
    s.push_str(&format!("  samples   {}\n", i.samples));
    match i.boxes {
        Some(boxes) => s.push_str(&format!(
            "  boxed     {} ({}), {boxes} boxes; {} to go\n",
            super::output::count(i.labelled, "image"),
            percent(i.labelled, i.samples as u64),
            super::output::count(i.unlabelled, "image"),
        )),
        None => s.push_str(&format!(
            "  labelled  {} ({}), unlabelled {}\n",
            i.labelled,
            percent(i.labelled, i.samples as u64),
            i.unlabelled
        )),
    }
    let width = i.classes.iter().map(|c| c.chars().count()).max().unwrap_or(0);
    let max = i.per_class.values().copied().max().unwrap_or(0);
    s.push_str(if i.boxes.is_some() { "  classes   (boxes)\n" } else { "  classes\n" });
    for class in &i.classes {
        let n = i.per_class.get(class).copied().unwrap_or(0);
        s.push_str(&format!("    {class:<width$}  {n:>6}  {}\n", bar(n, max, 30)));
    }
    match &i.split {
        Some(c) => s.push_str(&format!(
            "  split     fixed: train {}, valid {}, test {}{}\n",
            c.train,
            c.valid,
            c.test,
            if c.unassigned > 0 { format!(", unassigned {}", c.unassigned) } else { String::new() }
        )),
        None => s.push_str("  split     not fixed: each run draws a stratified, seeded split\n"),
    }
    let events = if i.boxes.is_some() { "box edits" } else { "label events" };
    s.push_str(&format!("  version   {}  ({} {events})\n", i.version, i.label_events));
    s.push_str(&unreadable_lines(&i.unreadable));
    s
}

/// The skipped files, a few by name.
pub fn unreadable_lines(unreadable: &[Unreadable]) -> String {
    if unreadable.is_empty() {
        return String::new();
    }
    let mut s = format!("  skipped   {} file(s) that cannot be used:\n", unreadable.len());
    for u in unreadable.iter().take(10) {
        s.push_str(&format!("    {}: {}\n", u.id, u.reason));
    }
    if unreadable.len() > 10 {
        s.push_str(&format!("    … and {} more (see `kindling info --json`)\n", unreadable.len() - 10));
    }
    s
}
