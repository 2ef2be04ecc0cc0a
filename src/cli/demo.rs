use std::path::Path;

use kindling::Result;
use kindling::demo;
use kindling::project::Project;
use kindling::project::info::info;

use super::output::print;
use super::progress::TermProgress;

pub fn run(dir: &Path) -> Result<()> {
    let progress = TermProgress::new();
    let made = demo::generate(dir, &progress)?;
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
