//! Box files of detection projects, as the tools people train detectors with read them:
//! YOLO txt (one file per image, normalised centres), COCO JSON (one file) and Pascal VOC
//! XML (one file per image). Coordinates are read into pixels of the original image, which
//! YOLO's normalised numbers need the image's size for.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::error::{Error, Result};
use crate::labels::store::Rect;

mod coco;
mod voc;
mod yolo;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoxFormat {
    Yolo,
    Coco,
    Voc,
}

impl BoxFormat {
    pub fn parse(name: &str) -> Option<BoxFormat> {
        match name {
            "yolo" => Some(BoxFormat::Yolo),
            "coco" => Some(BoxFormat::Coco),
            "voc" => Some(BoxFormat::Voc),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            BoxFormat::Yolo => "yolo",
            BoxFormat::Coco => "coco",
            BoxFormat::Voc => "voc",
        }
    }
}

/// One image's boxes, with its size in pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageBoxes {
    pub id: String,
    pub width: u32,
    pub height: u32,
    pub boxes: Vec<(String, Rect)>,
}

/// What an import needs to know of the project: its images (sample ids), their sizes (read
/// only for the images a YOLO file names), and its classes in order (YOLO numbers them so).
pub struct Images<'a> {
    pub ids: &'a BTreeSet<String>,
    pub size: &'a dyn Fn(&str) -> Result<(u32, u32)>,
    pub classes: &'a [String],
}

impl Images<'_> {
    /// The sample a name stands for: the id itself, or the one id with the name's stem.
    fn sample(&self, name: &str) -> Option<&str> {
        match self.ids.get(name) {
            Some(id) => Some(id),
            None => self.by_stem(strip_extension(name)),
        }
    }

    /// The one id that is `stem` and an extension (YOLO and VOC files are named so).
    fn by_stem(&self, stem: &str) -> Option<&str> {
        // Every id of the form `STEM.ext` sorts among those that start with `STEM.`: a range
        // of the sorted ids, not a scan of them all for each file.
        let prefix = format!("{stem}.");
        let mut found = self
            .ids
            .range(prefix.clone()..)
            .take_while(|id| id.starts_with(&prefix))
            .filter(|id| strip_extension(id) == stem);
        match (found.next(), found.next()) {
            (Some(id), None) => Some(id),
            _ => None,
        }
    }
}

fn strip_extension(name: &str) -> &str {
    match name.rfind('.') {
        Some(dot) if !name[dot..].contains('/') => &name[..dot],
        _ => name,
    }
}

/// Writes `images` to `out` (a folder for YOLO and VOC, a file for COCO); returns the
/// number of files written.
pub fn write(format: BoxFormat, images: &[ImageBoxes], classes: &[String], out: &Path) -> Result<usize> {
    match format {
        BoxFormat::Yolo => yolo::write(images, classes, out),
        BoxFormat::Coco => coco::write(images, classes, out),
        BoxFormat::Voc => voc::write(images, out),
    }
}

/// Reads boxes from `path` into pixels, by sample. Every image a file names must be one of
/// `images`; a box's class must be a name (or for YOLO a number) of the project's classes.
pub fn read(format: BoxFormat, path: &Path, images: &Images) -> Result<BTreeMap<String, Vec<(String, Rect)>>> {
    match format {
        BoxFormat::Yolo => yolo::read(path, images),
        BoxFormat::Coco => coco::read(path, images),
        BoxFormat::Voc => voc::read(path, images),
    }
}

/// A number as short as it can be written without losing it (whole pixels without `.0`).
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v}") }
}

fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::file(dir, format!("cannot create the folder ({e})")))
}

/// The files under `dir` whose names end in `.ext`, as paths relative to it, sorted.
fn files_under(dir: &Path, ext: &str) -> Result<Vec<String>> {
    if !dir.is_dir() {
        return Err(Error::file(dir, format!("is not a folder; a {ext} export is a folder of .{ext} files")));
    }
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| Error::file(dir, e))?;
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let name = rel.to_string_lossy().replace('\\', "/");
        if entry.file_type().is_file() && name.ends_with(&format!(".{ext}")) {
            found.push(name);
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests;
