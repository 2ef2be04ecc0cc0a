use std::io::IsTerminal;
use std::path::Path;

use kindling::labels::box_files::BoxFormat;
use kindling::labels::files::{self, LabelFormat};
use kindling::labels::store::Origin;
use kindling::project::Project;
use kindling::project::{boxes, labelling};
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

/// A labels file's format, or a box format.
#[derive(Clone, Copy)]
pub enum Format {
    Labels(LabelFormat),
    Boxes(BoxFormat),
}

pub fn export(dir: &Path, format: Option<Format>, output: Option<&Path>) -> Result<()> {
    let project = Project::open(dir)?;
    let format = match format {
        Some(Format::Boxes(f)) => return export_boxes(&project, f, output),
        None if project.config.is_detect() => {
            return Err(Error::user(
                "this detection project's labels are boxes: choose --format yolo, coco or voc, with -o",
            ));
        }
        Some(Format::Labels(f)) => Some(f),
        None => None,
    };
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

fn export_boxes(project: &Project, format: BoxFormat, output: Option<&Path>) -> Result<()> {
    let Some(out) = output else {
        let what = if format == BoxFormat::Coco { "a file, -o boxes.json" } else { "a folder, -o boxes" };
        return Err(Error::user(format!("{} boxes are written to {what}", format.name())));
    };
    let moved = boxes::export(project, format, out)?;
    eprintln!(
        "wrote {} in {} as {} to {}",
        boxes_said(moved.boxes),
        count(moved.images as u64, "image"),
        format.name(),
        out.display()
    );
    Ok(())
}

pub fn import(dir: &Path, file: &Path, format: Option<Format>) -> Result<()> {
    let project = Project::open(dir)?;
    if project.config.is_detect() || matches!(format, Some(Format::Boxes(_))) {
        let format = match format {
            Some(Format::Boxes(f)) => f,
            Some(Format::Labels(_)) => {
                return Err(Error::user("a detection project imports boxes: --format yolo, coco or voc"));
            }
            None => boxes::sniff(file).ok_or_else(|| {
                Error::file(file, "holds no box files (a COCO .json file, or a folder of YOLO .txt or VOC .xml files)")
            })?,
        };
        let moved = boxes::import(&project, format, file)?;
        print(&format!(
            "imported {} in {} from {} ({})\n",
            boxes_said(moved.boxes),
            count(moved.images as u64, "image"),
            file.display(),
            format.name()
        ));
        return Ok(());
    }
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

fn boxes_said(n: usize) -> String {
    if n == 1 { "1 box".into() } else { format!("{n} boxes") }
}
