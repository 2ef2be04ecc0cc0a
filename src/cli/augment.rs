//! `kindling augment DIR --preview ID -o OUTDIR`: augmented versions of one sample written
//! as files to look at (png, txt, wav or csv), the original first.

use std::path::{Path, PathBuf};

use kindling::augment::Modality;
use kindling::augment::preview::{self, Versions};
use kindling::project::Project;
use kindling::{Error, Result};

pub fn preview(dir: &Path, id: &str, copies: Option<usize>, seed: u64, out: &Path) -> Result<()> {
    let project = Project::open(dir)?;
    let plan = project.config.augment.plan(Modality::of(project.config.source.kind))?;
    if plan.steps.is_empty() {
        return Err(Error::user(format!(
            "no augmentation is turned on for {}: add one to kindling.toml (e.g. a line [augment.{}]) or use the Augment pane",
            dir.display(),
            Modality::of(project.config.source.kind).transforms()[0].name
        )));
    }
    let copies = copies.unwrap_or(plan.copies);
    let versions = preview::versions(&project, id, &plan, copies, seed)?;
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
    eprintln!("{} augmented versions of {id} ({}, seed {seed}) in {}", copies, steps.join(", "), out.display());
    for path in written {
        println!("{}", path.display());
    }
    Ok(())
}
