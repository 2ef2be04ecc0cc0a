use std::io::IsTerminal;
use std::path::Path;

use kindling::Result;
use kindling::demo;
use kindling::project::Project;
use kindling::project::info::info;

use super::output::print;
use super::progress::TermProgress;

/// Generates the demo and opens the image project in the workbench; prints a summary
/// instead with `--no-open` or when not on a terminal.
pub fn run(dir: &Path, no_open: bool, graphics: crate::tui::Graphics) -> Result<()> {
    let progress = TermProgress::new();
    let made = demo::generate(dir, &progress)?;
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    if interactive && !no_open {
        return crate::tui::run(&made.projects[0], graphics, None);
    }
    let verb = if made.created { "created" } else { "found existing" };
    let mut text = format!("{verb} demo projects in {}\n\n", dir.display());
    for project_dir in &made.projects {
        let project = Project::open(project_dir)?;
        text.push_str(&super::info::render(&info(&project, &progress)?));
        text.push('\n');
    }
    text.push_str(&format!(
        "try: kindling labels stats {0}\n     kindling labels export {0} -o labels.csv\n",
        made.projects[0].display()
    ));
    print(&text);
    Ok(())
}
