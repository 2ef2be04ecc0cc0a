//! `kindling train --model detector` and `kindling predict` with a detector run: boxes.

use std::path::{Path, PathBuf};

use kindling::data::folder::{self, Unreadable};
use kindling::progress::Progress;
use kindling::project::Project;
use kindling::runs::detector::{self, DetectorOptions};
use kindling::runs::record::RunRecord;
use kindling::{Error, Result};
use serde_json::json;

use super::output::{print, print_json};
use super::progress::TermProgress;

pub fn train(dir: &Path, options: &DetectorOptions, as_json: bool) -> Result<()> {
    let project = Project::open(dir)?;
    super::runs::cancel_on_signals();
    let progress = TermProgress::new();
    let done = detector::train(&project, options, &progress)?;
    progress.finish();
    let e = &done.evaluation;
    if as_json {
        print_json(&json!({
            "run": done.run,
            "metrics": { "map50": e.map50, "map": e.map, "train_images": done.train_images, "augmented_copies": done.copies,
                         "test_images": done.test_images, "evaluation": e },
            "seconds": { "encode": done.encode_seconds, "fit": done.fit_seconds },
        }));
        return Ok(());
    }
    let record = RunRecord::read(&done.dir)?;
    let mut text = format!(
        "run {} (detector on {}, {:.1} s: encoding {:.1} s, fitting {:.1} s)\ntrained on {} images{}, scored on {} held out\n",
        done.run,
        record.features_said(),
        record.seconds.unwrap_or(0.0),
        done.encode_seconds,
        done.fit_seconds,
        done.train_images,
        if done.copies > 0 { format!(" and {} augmented copies", done.copies) } else { String::new() },
        done.test_images,
    );
    text += &super::evaluate::render(e, 0.25);
    text += &format!("the held-out images' boxes: {}\n", done.dir.join(detector::FOUND_FILE).display());
    print(&text);
    Ok(())
}

/// An image file and the name it is given in the output.
type Named = (String, PathBuf);

/// The image files `input` names: itself, or the images under it (named from it, as a
/// folder source names its samples), with the files whose names cannot be read.
fn image_files(input: &Path) -> Result<(Vec<Named>, Vec<Unreadable>)> {
    let kind = kindling::data::SourceKind::Images;
    if input.is_file() && folder::has_extension(input, kind) {
        let name = input.file_name().map_or_else(|| input.display().to_string(), |n| n.to_string_lossy().into_owned());
        return Ok((vec![(name, input.to_path_buf())], Vec::new()));
    }
    if !input.is_dir() {
        return Err(Error::file(input, "is neither an image nor a folder of images"));
    }
    let (entries, unreadable) = folder::list(input, kind)?;
    if entries.is_empty() {
        return Err(Error::file(input, format!("holds no image ({})", folder::extensions(kind).join(", "))));
    }
    Ok((entries.into_iter().map(|e| (e.id, e.path)).collect(), unreadable))
}

/// Writes the boxes run `run_dir` finds in `input`, as the JSON list `kindling evaluate`
/// reads, to `output` or standard output.
pub fn predict(run_dir: &Path, input: &Path, output: Option<&Path>, min_score: f32) -> Result<()> {
    let loaded = detector::load(run_dir)?;
    let (files, unreadable) = image_files(input)?;
    for u in &unreadable {
        eprintln!("kindling: skipped {}: {}", input.join(&u.id).display(), u.reason);
    }
    let progress = TermProgress::new();
    let (found, skipped) = loaded.predict_readable(&files, min_score, &progress)?;
    progress.finish();
    // The reason names the file already.
    for (_, why) in &skipped {
        eprintln!("kindling: skipped {why}");
    }
    if skipped.len() == files.len() {
        return Err(Error::file(input, "holds no image that can be read (each is named above)"));
    }
    let text = serde_json::to_string_pretty(&found).map_err(|e| Error::internal(e.to_string()))? + "\n";
    match super::output::file_or_stdout(output) {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| Error::file(path, e))?;
            eprintln!("wrote {} boxes in {} images to {}", found.len(), files.len() - skipped.len(), path.display());
        }
        None => print(&text),
    }
    Ok(())
}
