use std::io::IsTerminal;
use std::path::Path;

use kindling::labels::files::{self, LabelFormat};
use kindling::labels::store::Origin;
use kindling::project::Project;
use kindling::project::labelling;
use kindling::{Error, Result};

use super::output::{bar, count, file_or_stdout, percent, print, print_bytes, print_json};

pub fn set(dir: &Path, id: &str, class: Option<&str>) -> Result<()> {
    let project = Project::open(dir)?;
    let recorded = labelling::set_label(&project, id, class, Origin::Cli)?;
    match (class, recorded) {
        (Some(c), labelling::Recorded::Answer(kind)) => {
            print(&format!("{id}\t{c}\t({} answer: the label stays as it was)\n", kind.origin().name()))
        }
        (Some(c), labelling::Recorded::Label) => print(&format!("{id}\t{c}\n")),
        (None, _) => print(&format!("{id}\tcleared\n")),
    }
    Ok(())
}

pub fn export(dir: &Path, format: Option<LabelFormat>, output: Option<&Path>) -> Result<()> {
    let project = Project::open(dir)?;
    match file_or_stdout(output) {
        Some(path) => {
            let n = labelling::export(&project, path, format)?;
            eprintln!("wrote {} to {}", count(n as u64, "label"), path.display());
        }
        None => {
            let format = format.or_else(|| output.and_then(LabelFormat::from_path)).unwrap_or(LabelFormat::Csv);
            if format == LabelFormat::Parquet && std::io::stdout().is_terminal() {
                return Err(Error::user("Parquet is binary; write it to a file with -o labels.parquet"));
            }
            let rows = labelling::current_labels(&project)?;
            let mut buf = Vec::new();
            files::write(&rows, format, &mut buf)?;
            print_bytes(&buf);
        }
    }
    Ok(())
}

pub fn import(dir: &Path, file: &Path) -> Result<()> {
    let project = Project::open(dir)?;
    let rows = files::read(file)?;
    let r = labelling::import_labels(&project, &rows, Origin::Import)?;
    print(&format!(
        "imported {} from {}: {} changed, {} already so, {} skipped\n",
        count(r.rows as u64, "row"),
        file.display(),
        count(r.changed as u64, "label"),
        r.unchanged,
        count(r.blank as u64, "blank row"),
    ));
    Ok(())
}

pub fn stats(dir: &Path, json: bool) -> Result<()> {
    let project = Project::open(dir)?;
    let s = labelling::label_stats(&project)?;
    if json {
        print_json(&s);
        return Ok(());
    }
    let mut out =
        format!("labelled {} of {} samples ({})\n", s.labelled, s.samples, percent(s.labelled, s.samples as u64));
    let width = s.per_class.keys().chain(s.unknown_classes.keys()).map(|c| c.chars().count()).max().unwrap_or(0);
    let max = s.per_class.values().copied().max().unwrap_or(0);
    for (class, n) in &s.per_class {
        out.push_str(&format!("  {class:<width$}  {n:>6}  {}\n", bar(*n, max, 30)));
    }
    for (class, n) in &s.unknown_classes {
        out.push_str(&format!("  {class:<width$}  {n:>6}  (not a class in kindling.toml)\n"));
    }
    let origins: Vec<String> = s.events_per_origin.iter().map(|(o, n)| format!("{o} {n}")).collect();
    out.push_str(&format!("{} label events ({})\n", s.events, origins.join(", ")));
    print(&out);
    Ok(())
}
