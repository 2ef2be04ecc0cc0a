//! `kindling evaluate`: boxes a detector found, read from a JSON file, scored against a
//! detection project's boxes (eval::detection).

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::eval::detection::{Evaluation, Found, Truth, evaluate};
use crate::labels::store::Rect;
use crate::project::Project;

/// One found box as detectors write them (COCO's results format, or by names): the image
/// by `image` (its id in the project) or `image_id` (as `labels export --format coco`
/// numbers the images), the class by `class` or `category_id` (classes numbered from 1).
#[derive(Deserialize)]
struct Row {
    image: Option<String>,
    file_name: Option<String>,
    image_id: Option<u64>,
    class: Option<String>,
    category_id: Option<u64>,
    bbox: [f64; 4],
    score: f64,
}

/// The images labelled (with boxes, or done with none) and every labelled box.
fn truths(project: &Project) -> Result<(Vec<String>, Vec<Truth>)> {
    let store = project.labels()?;
    let images = store.labelled_images()?;
    let all = store.all_boxes()?;
    let truths =
        all.into_values().flatten().map(|b| Truth { image: b.sample_id, class: b.class, rect: b.rect }).collect();
    Ok((images.into_iter().collect(), truths))
}

pub fn read_found(path: &Path, images: &[String], classes: &[String]) -> Result<Vec<Found>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::file(path, e))?;
    let rows: Vec<Row> = serde_json::from_str(&text).map_err(|e| {
        Error::file(
            path,
            format!(
                "is not a list of found boxes (line {}: {e}); each needs image (or image_id), class (or category_id), bbox [x, y, w, h] and score",
                e.line()
            ),
        )
    })?;
    let mut found = Vec::with_capacity(rows.len());
    for (i, row) in rows.into_iter().enumerate() {
        let at = |what: String| Error::file(path, format!("box {}: {what}", i + 1));
        let image = match (row.image.or(row.file_name), row.image_id) {
            (Some(name), _) => name,
            (None, Some(id)) => images
                .get((id as usize).wrapping_sub(1))
                .cloned()
                .ok_or_else(|| at(format!("image_id {id} is not one of the {} labelled images", images.len())))?,
            (None, None) => return Err(at("names no image (image or image_id)".into())),
        };
        let class = match (row.class, row.category_id) {
            (Some(c), _) => c,
            (None, Some(k)) => classes
                .get((k as usize).wrapping_sub(1))
                .cloned()
                .ok_or_else(|| at(format!("category_id {k} is not one of the {} classes", classes.len())))?,
            (None, None) => return Err(at("names no class (class or category_id)".into())),
        };
        if !classes.contains(&class) {
            return Err(at(format!("class {class:?} is not one of the project's")));
        }
        let [x, y, w, h] = row.bbox;
        let rect = Rect { x, y, w, h };
        rect.check().map_err(at)?;
        if !row.score.is_finite() {
            return Err(at(format!("score {} is not a number", row.score)));
        }
        found.push(Found { image, class, rect, score: row.score });
    }
    Ok(found)
}

/// Scores the boxes in `path` against the project's; boxes on images not labelled are left
/// out (their count is the second value).
pub fn run(project: &Project, path: &Path, min_score: f64) -> Result<(Evaluation, usize)> {
    project.config.is_detect().then_some(()).ok_or_else(|| {
        Error::user(
            "`kindling evaluate` scores boxes; this project labels a class per sample (its runs have `kindling show`)",
        )
    })?;
    let (images, truths) = truths(project)?;
    if images.is_empty() {
        return Err(Error::user("no image is labelled yet: box some (or mark them done) before scoring a detector"));
    }
    let classes = project.config.class_names();
    let found = read_found(path, &images, &classes)?;
    let labelled: BTreeSet<&String> = images.iter().collect();
    let (kept, elsewhere): (Vec<Found>, Vec<Found>) = found.into_iter().partition(|f| labelled.contains(&f.image));
    Ok((evaluate(&truths, &kept, &classes, &images, min_score), elsewhere.len()))
}
