//! `kindling train --model detector` and `kindling predict` with a detector run: boxes.

use std::path::{Path, PathBuf};

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

/// The image files `input` names: itself, or the images under it (named from it).
fn image_files(input: &Path) -> Result<Vec<(String, PathBuf)>> {
    if input.is_file() {
        let name = input.file_name().map_or_else(|| input.display().to_string(), |n| n.to_string_lossy().into_owned());
        return Ok(vec![(name, input.to_path_buf())]);
    }
    if !input.is_dir() {
        return Err(Error::file(input, "is neither an image nor a folder of images"));
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(input).sort_by_file_name() {
        let entry = entry.map_err(|e| Error::file(input, e))?;
        let path = entry.path();
        let is_image = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            matches!(e.to_ascii_lowercase().as_str(), "png" | "jpg" | "jpeg" | "webp" | "gif" | "bmp")
        });
        if entry.file_type().is_file() && is_image {
            let name = path.strip_prefix(input).unwrap_or(path).to_string_lossy().replace('\\', "/");
            files.push((name, path.to_path_buf()));
        }
    }
    if files.is_empty() {
        return Err(Error::file(input, "holds no image (png, jpg, webp, gif, bmp)"));
    }
    Ok(files)
}

/// Writes the boxes run `run_dir` finds in `input`, as the JSON list `kindling evaluate`
/// reads, to `output` or standard output.
pub fn predict(run_dir: &Path, input: &Path, output: Option<&Path>, min_score: f32) -> Result<()> {
    let loaded = detector::load(run_dir)?;
    let files = image_files(input)?;
    let progress = TermProgress::new();
    let (found, skipped) = loaded.predict_readable(&files, min_score, &progress)?;
    progress.finish();
    for (name, why) in &skipped {
        let path = if input.is_file() { input.to_path_buf() } else { input.join(name) };
        eprintln!("kindling: skipped {}: {why}", path.display());
    }
    if skipped.len() == files.len() {
        return Err(Error::file(input, "holds no image that can be read (each is named above)"));
    }
    let text = serde_json::to_string_pretty(&found).map_err(|e| Error::internal(e.to_string()))? + "\n";
    match super::output::file_or_stdout(output) {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| Error::file(path, e))?;
            eprintln!("wrote {} boxes in {} images to {}", found.len(), files.len(), path.display());
        }
        None => print(&text),
    }
    Ok(())
}
