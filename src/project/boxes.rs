//! The boxes of a detection project moved out to box files and in from them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::Project;
use crate::data::Source;
use crate::error::{Error, Result};
use crate::labels::box_files::{self, BoxFormat, ImageBoxes, Images};
use crate::labels::store::Origin;

/// How many images and boxes went out or came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moved {
    pub images: usize,
    pub boxes: usize,
}

/// The width and height of a project's image, read from its header.
fn size_of(source: &Source, id: &str) -> Result<(u32, u32)> {
    let path = source.location().join(id);
    image::image_dimensions(&path)
        .map_err(|e| Error::file(&path, format!("cannot read the image's size ({e}); a box file needs it")))
}

fn require_detect(project: &Project, what: &str) -> Result<()> {
    if !project.config.is_detect() {
        return Err(Error::user(format!(
            "{what} moves the boxes of a detection project; this project labels a class per sample \
             (box files are for `kindling init --task detect`; its labels export as csv, jsonl or parquet)"
        )));
    }
    Ok(())
}

/// Writes every image that has boxes or is marked done (an image with no objects is an
/// answer too) to `out` in `format`.
pub fn export(project: &Project, format: BoxFormat, out: &Path) -> Result<Moved> {
    require_detect(project, "--format yolo|coco|voc")?;
    let store = project.labels()?;
    let mut boxes = store.all_boxes()?;
    let ids = store.labelled_images()?;
    let source = project.source()?;
    let mut images = Vec::with_capacity(ids.len());
    for id in ids {
        let (width, height) = size_of(&source, &id)?;
        let list = boxes.remove(&id).unwrap_or_default().into_iter().map(|b| (b.class, b.rect)).collect();
        images.push(ImageBoxes { id, width, height, boxes: list });
    }
    box_files::write(format, &images, &project.config.class_names(), out)?;
    Ok(Moved { images: images.len(), boxes: images.iter().map(|i| i.boxes.len()).sum() })
}

/// The format a path holds: a `.json` file is COCO, a folder of `.xml` files VOC, a folder
/// of `.txt` files YOLO.
pub fn sniff(path: &Path) -> Option<BoxFormat> {
    if path.is_file() {
        return path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")).then_some(BoxFormat::Coco);
    }
    let mut found = walkdir::WalkDir::new(path).into_iter().flatten().filter_map(|e| {
        let ext = e.path().extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "xml" => Some(BoxFormat::Voc),
            "txt" => Some(BoxFormat::Yolo),
            _ => None,
        }
    });
    found.next()
}

/// Reads `path` and gives each image it names exactly its boxes (marked done), all in one
/// transaction; nothing is written when any file is wrong.
pub fn import(project: &Project, format: BoxFormat, path: &Path) -> Result<Moved> {
    require_detect(project, "importing box files")?;
    let source = project.source()?;
    let ids: BTreeSet<String> = source.ids_in_order()?.into_iter().collect();
    let size = |id: &str| size_of(&source, id);
    let classes = project.config.class_names();
    let found = box_files::read(format, path, &Images { ids: &ids, size: &size, classes: &classes })?;
    let boxes: BTreeMap<_, _> = found;
    let written = project.labels()?.replace_boxes(&boxes, Origin::Import)?;
    Ok(Moved { images: boxes.len(), boxes: written })
}
