//! `kindling augment DIR --preview ID -o OUTDIR`: augmented versions of one sample written
//! as files to look at (png, txt, wav or csv), the original first.

use std::path::{Path, PathBuf};

use kindling::augment::Modality;
use kindling::augment::settings::Plan;
use kindling::project::Project;
use kindling::workflow::augment_preview::{self, Versions};
use kindling::{Error, Result};

use super::output::print;

/// `--on`, `--off` and `--set`: changes to `[augment]` in kindling.toml.
pub struct Edit {
    pub on: Vec<String>,
    pub off: Vec<String>,
    pub set: Vec<String>,
}

/// Which transforms a preview applies: `--transforms`, `--all`, else those turned on.
pub struct Choice {
    pub transforms: Vec<String>,
    pub all: bool,
}

pub fn run(
    dir: &Path,
    edit: &Edit,
    preview: Option<&str>,
    choice: &Choice,
    copies: Option<usize>,
    seed: u64,
    out: Option<&Path>,
) -> Result<()> {
    let edits = !(edit.on.is_empty() && edit.off.is_empty() && edit.set.is_empty());
    if edits {
        change(dir, edit)?;
    }
    match (preview, out) {
        (Some(id), Some(out)) => write_preview(dir, id, choice, copies, seed, out),
        _ if edits => Ok(()),
        _ => {
            Err(Error::user("give --preview ID -o OUTDIR to preview, or --on / --off / --set to change kindling.toml"))
        }
    }
}

/// Applies `--on`, `--off` and `--set` to kindling.toml, as the Augment pane does.
fn change(dir: &Path, edit: &Edit) -> Result<()> {
    let mut project = Project::open(dir)?;
    let modality = Modality::of_task(project.config.source.kind, project.config.is_detect());
    let settings = &mut project.config.augment;
    for name in &edit.on {
        known(modality, name)?;
        settings.set_on(name, true);
    }
    for name in &edit.off {
        known(modality, name)?;
        settings.set_on(name, false);
    }
    for assignment in &edit.set {
        let bad = || Error::user(format!("--set {assignment}: write NAME.PARAM=VALUE, e.g. rotate.degrees=15"));
        let (what, value) = assignment.split_once('=').ok_or_else(bad)?;
        let (name, param) = what.trim().split_once('.').ok_or_else(bad)?;
        let value: f64 = value.trim().parse().map_err(|_| bad())?;
        known(modality, name)?;
        settings.set_value(name, param, value);
    }
    project.config.validate()?;
    project.config.save(dir)?;
    let plan = project.config.augment.plan(modality)?;
    let on: Vec<&str> = plan.steps.iter().map(|s| s.name.as_str()).collect();
    print(&format!("augmentations on: {}\n", if on.is_empty() { "none".into() } else { on.join(", ") }));
    Ok(())
}

fn known(modality: Modality, name: &str) -> Result<()> {
    if modality.spec(name).is_some() {
        return Ok(());
    }
    let names: Vec<&str> = modality.transforms().iter().map(|s| s.name).collect();
    Err(Error::user(format!("no transform \"{name}\" for this project's data; there are {}", names.join(", "))))
}

/// The plan of a preview: the transforms chosen, else those turned on, else the kind's
/// default set (said on stderr).
fn plan_for(project: &Project, choice: &Choice) -> Result<Plan> {
    let modality = Modality::of_task(project.config.source.kind, project.config.is_detect());
    let on = project.config.augment.plan(modality)?;
    let names: Vec<String> = if choice.all {
        modality.transforms().iter().map(|s| s.name.to_string()).collect()
    } else if !choice.transforms.is_empty() {
        choice.transforms.clone()
    } else if on.steps.is_empty() {
        let names = modality.default_set();
        eprintln!("kindling: no augmentation is turned on; previewing the default set: {}", names.join(", "));
        names.iter().map(|n| n.to_string()).collect()
    } else {
        return Ok(on);
    };
    let mut steps = Vec::new();
    for name in &names {
        known(modality, name)?;
        // The numbers kindling.toml gives it, else the defaults.
        steps.extend(project.config.augment.step(modality, name).map(|(_, step)| step));
    }
    Ok(Plan { steps, ..on })
}

fn write_preview(dir: &Path, id: &str, choice: &Choice, copies: Option<usize>, seed: u64, out: &Path) -> Result<()> {
    let project = Project::open(dir)?;
    let plan = plan_for(&project, choice)?;
    let copies = copies.unwrap_or(plan.copies);
    let versions = augment_preview::versions(&project, id, &plan, copies, seed)?;
    std::fs::create_dir_all(out).map_err(|e| Error::file(out, e))?;
    // `cats/tabby.png` → `cats_tabby`: one flat folder, names that say which sample.
    let bare = Path::new(id).with_extension("");
    let stem: String =
        bare.to_string_lossy().chars().map(|c| if c.is_alphanumeric() || c == '-' { c } else { '_' }).collect();
    let name = |k: usize, ext: &str| -> PathBuf {
        let which = if k == 0 { "original".to_string() } else { format!("{k}") };
        out.join(format!("{stem}-{which}.{ext}"))
    };
    let mut written = Vec::new();
    match &versions {
        Versions::Images(images) => {
            for (k, img) in images.iter().enumerate() {
                let path = name(k, "png");
                img.save_with_format(&path, image::ImageFormat::Png).map_err(|e| Error::file(&path, e))?;
                written.push(path);
            }
        }
        Versions::Texts(texts) => {
            for (k, text) in texts.iter().enumerate() {
                let path = name(k, "txt");
                std::fs::write(&path, format!("{text}\n")).map_err(|e| Error::file(&path, e))?;
                written.push(path);
            }
        }
        Versions::Clips { rate, clips } => {
            for (k, clip) in clips.iter().enumerate() {
                let path = name(k, "wav");
                kindling::features::audio::write_mono(&path, *rate, clip)?;
                written.push(path);
            }
        }
        Versions::Rows { columns, rows } => {
            let path = out.join(format!("{stem}-augmented.csv"));
            let mut w = csv::Writer::from_path(&path).map_err(|e| Error::file(&path, e))?;
            let header = std::iter::once("version").chain(columns.iter().map(String::as_str));
            w.write_record(header).map_err(|e| Error::file(&path, e))?;
            for (k, row) in rows.iter().enumerate() {
                let which = if k == 0 { "original".to_string() } else { k.to_string() };
                w.write_record(std::iter::once(which.as_str()).chain(row.iter().map(String::as_str)))
                    .map_err(|e| Error::file(&path, e))?;
            }
            w.flush().map_err(|e| Error::file(&path, e))?;
            written.push(path);
        }
    }
    let steps: Vec<&str> = plan.steps.iter().map(|s| s.name.as_str()).collect();
    let versions = super::output::count(copies as u64, "augmented version");
    eprintln!("{versions} of {id} ({}, seed {seed}) in {}", steps.join(", "), out.display());
    for path in written {
        println!("{}", path.display());
    }
    Ok(())
}
