use kindling::Result;
use kindling::project::init::{InitOptions, init};

use super::output::print;
use super::progress::TermProgress;

pub fn run(opts: InitOptions) -> Result<()> {
    let (project, report) = init(&opts, &TermProgress::new())?;
    let c = &project.config;
    let mut text = format!(
        "created {} project at {}\n  {}, {} imported\n  classes: {}\n",
        if c.is_detect() { "detection (images)" } else { c.source.kind.name() },
        project.root().display(),
        super::output::count(report.samples as u64, "sample"),
        super::output::count(report.imported_labels as u64, "label"),
        c.classes.iter().map(|k| format!("{} [{}]", k.name, k.key)).collect::<Vec<_>>().join(", ")
    );
    for note in &report.notes {
        text.push_str(&format!("  {note}\n"));
    }
    text.push_str(&super::info::unreadable_lines(&report.unreadable));
    text.push_str(&format!("next: kindling info {}\n", opts.dir.display()));
    print(&text);
    Ok(())
}
