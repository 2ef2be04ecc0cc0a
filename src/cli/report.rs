//! `kindling report`: the data readiness report.

use std::path::Path;

use kindling::progress::Progress;
use kindling::project::Project;
use kindling::readiness::{self, Severity};
use kindling::{Error, Result};

use super::output::{print, print_json};
use super::progress::TermProgress;

pub fn run(dir: &Path, as_json: bool, markdown: Option<&Path>) -> Result<()> {
    let project = Project::open(dir)?;
    let progress = TermProgress::new();
    let qa = kindling::workflow::label_qa::report(&project)?;
    let report = readiness::report(&project, &qa, &progress)?;
    progress.finish();
    if let Some(path) = markdown {
        let text = readiness::to_markdown(&project.config.project.name, &report);
        match super::output::file_or_stdout(Some(path)) {
            Some(path) => std::fs::write(path, text).map_err(|e| Error::file(path, e))?,
            // `--md -`: the Markdown is the output.
            None => {
                print(&text);
                return Ok(());
            }
        }
    }
    if as_json {
        print_json(&serde_json::json!({ "band": report.band, "findings": report.findings, "profile": report.profile }));
        return Ok(());
    }
    let mut text = format!("band {}  (C accessible · B faithful · A appropriate for the task)\n", report.band);
    if report.findings.is_empty() {
        text += "no findings\n";
    }
    for f in &report.findings {
        let severity = match f.severity {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "ERROR",
        };
        let column = f.column.as_deref().map(|c| format!(" [{c}]")).unwrap_or_default();
        text += &format!("\n{:?} {severity:<7} {}{column}: {}\n", f.band, f.check.name(), f.message);
        if !f.examples.is_empty() {
            text += &format!("  e.g. {}\n", f.examples.join(", "));
        }
        text += &format!("  → {}\n", f.suggestion);
    }
    text += "\n";
    for (key, value) in &report.profile {
        text += &format!("{key}: {value}\n");
    }
    if let Some(path) = markdown {
        text += &format!("\nwrote {}\n", path.display());
    }
    print(&text);
    Ok(())
}
