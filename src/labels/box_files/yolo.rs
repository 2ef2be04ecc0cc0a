//! YOLO txt: a `classes.txt` (one name a line, numbered from 0) and for each image a
//! `STEM.txt` of lines `class cx cy w h`, the centre and size divided by the image's size.

use std::collections::BTreeMap;
use std::path::Path;

use super::{ImageBoxes, Images, create_dir, files_under, strip_extension};
use crate::error::{Error, Result};
use crate::labels::store::Rect;

const CLASSES: &str = "classes.txt";

pub fn write(images: &[ImageBoxes], classes: &[String], out: &Path) -> Result<usize> {
    create_dir(out)?;
    let names = classes.join("\n") + "\n";
    std::fs::write(out.join(CLASSES), names).map_err(|e| Error::file(&out.join(CLASSES), e))?;
    for image in images {
        let (w, h) = (image.width as f64, image.height as f64);
        let mut text = String::new();
        for (class, r) in &image.boxes {
            let Some(k) = classes.iter().position(|c| c == class) else {
                return Err(Error::user(format!("{}: class {class:?} is not one of the project's", image.id)));
            };
            let (cx, cy) = ((r.x + r.w / 2.0) / w, (r.y + r.h / 2.0) / h);
            text.push_str(&format!("{k} {cx:.6} {cy:.6} {:.6} {:.6}\n", r.w / w, r.h / h));
        }
        let path = out.join(format!("{}.txt", strip_extension(&image.id)));
        if let Some(parent) = path.parent() {
            create_dir(parent)?;
        }
        std::fs::write(&path, text).map_err(|e| Error::file(&path, e))?;
    }
    Ok(images.len() + 1)
}

pub fn read(dir: &Path, images: &Images) -> Result<BTreeMap<String, Vec<(String, Rect)>>> {
    let files = files_under(dir, "txt")?;
    let classes_path = dir.join(CLASSES);
    let names: Vec<String> = match std::fs::read_to_string(&classes_path) {
        Ok(text) => text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect(),
        Err(_) => images.classes.to_vec(),
    };
    let mut found = BTreeMap::new();
    for name in files.iter().filter(|n| n.as_str() != CLASSES) {
        let path = dir.join(name);
        let Some(id) = images.by_stem(&name[..name.len() - ".txt".len()]) else {
            return Err(Error::file(
                &path,
                "names no image of the project (a YOLO file is named by its image, less the extension)",
            ));
        };
        let (w, h) = (images.size)(id)?;
        let text = std::fs::read_to_string(&path).map_err(|e| Error::file(&path, e))?;
        let mut boxes = Vec::new();
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let at = |what: String| Error::file(&path, format!("line {}: {what}", i + 1));
            let fields: Vec<&str> = line.split_whitespace().collect();
            if !(5..=6).contains(&fields.len()) {
                return Err(at(format!("expected `class cx cy w h` (and perhaps a score), found {line:?}")));
            }
            let class = fields[0]
                .parse::<usize>()
                .ok()
                .and_then(|k| names.get(k))
                .ok_or_else(|| at(format!("class {} is not a number below {}", fields[0], names.len())))?;
            if !images.classes.contains(class) {
                return Err(at(format!(
                    "class {class:?} is not one of the project's; add it with `kindling classes add`"
                )));
            }
            let mut v = [0.0f64; 4];
            for (slot, text) in v.iter_mut().zip(&fields[1..5]) {
                *slot = text.parse().map_err(|_| at(format!("{text:?} is not a number")))?;
            }
            let [cx, cy, bw, bh] = v;
            let rect = Rect {
                x: (cx - bw / 2.0) * w as f64,
                y: (cy - bh / 2.0) * h as f64,
                w: bw * w as f64,
                h: bh * h as f64,
            };
            rect.check().map_err(at)?;
            boxes.push((class.clone(), rect));
        }
        found.insert(id.to_string(), boxes);
    }
    Ok(found)
}
