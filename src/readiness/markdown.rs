//! The report as Markdown, to commit next to the data.

use super::{Band, Report, Severity};

pub fn to_markdown(project: &str, report: &Report) -> String {
    let mut out = format!("# Data readiness: {project}\n\n**Band {}** — ", report.band);
    out += match report.band.as_str() {
        "A" => "appropriate for the task: accessible, faithful, and the labels fit the task.",
        "B" => "faithful, but not yet appropriate for the task (see band A below).",
        "C" => "accessible, but not faithful (see band B below).",
        _ => "not accessible: some of the data cannot be read (see band C below).",
    };
    out += "\n\nBands: C accessible, B faithful, A appropriate for the task; a band is reached when it and \
            the bands below it have no error.\n";
    for (band, title) in
        [(Band::C, "C — accessible"), (Band::B, "B — faithful"), (Band::A, "A — appropriate for the task")]
    {
        out += &format!("\n## {title}\n\n");
        let findings: Vec<_> = report.findings.iter().filter(|f| f.band == band).collect();
        if findings.is_empty() {
            out += "Nothing to report.\n";
            continue;
        }
        out += "| check | severity | column | count | what | examples | suggestion |\n|---|---|---|---|---|---|---|\n";
        for f in findings {
            let severity = match f.severity {
                Severity::Info => "info",
                Severity::Warning => "warning",
                Severity::Error => "**error**",
            };
            let examples = f.examples.iter().map(|e| format!("`{}`", cell(e))).collect::<Vec<_>>().join(", ");
            out += &format!(
                "| {} | {severity} | {} | {} | {} | {examples} | {} |\n",
                f.check.name(),
                f.column.as_deref().map(cell).unwrap_or_default(),
                f.count,
                cell(&f.message),
                cell(&f.suggestion)
            );
        }
    }
    out += "\n## Profile\n\n";
    for (key, value) in &report.profile {
        out += &format!("- **{key}**: {}\n", cell(value));
    }
    out
}

/// Text safe inside a table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
