//! COCO JSON: one file with `images` (id, file_name, width, height), `categories` (id,
//! name) and `annotations` (image_id, category_id, bbox `[x, y, w, h]` in pixels).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{ImageBoxes, Images};
use crate::error::{Error, Result};
use crate::labels::store::Rect;

#[derive(Serialize, Deserialize)]
struct Coco {
    images: Vec<Image>,
    #[serde(default)]
    annotations: Vec<Annotation>,
    categories: Vec<Category>,
}

#[derive(Serialize, Deserialize)]
struct Image {
    id: u64,
    file_name: String,
    #[serde(default)]
    width: u32,
    #[serde(default)]
    height: u32,
}

#[derive(Serialize, Deserialize)]
struct Annotation {
    id: u64,
    image_id: u64,
    category_id: u64,
    bbox: [f64; 4],
    #[serde(default)]
    area: f64,
    #[serde(default)]
    iscrowd: u8,
}

#[derive(Serialize, Deserialize)]
struct Category {
    id: u64,
    name: String,
}

pub fn write(images: &[ImageBoxes], classes: &[String], out: &Path) -> Result<usize> {
    let mut coco = Coco {
        images: Vec::new(),
        annotations: Vec::new(),
        categories: classes.iter().enumerate().map(|(i, c)| Category { id: i as u64 + 1, name: c.clone() }).collect(),
    };
    for (i, image) in images.iter().enumerate() {
        let image_id = i as u64 + 1;
        coco.images.push(Image { id: image_id, file_name: image.id.clone(), width: image.width, height: image.height });
        for (class, r) in &image.boxes {
            let Some(k) = classes.iter().position(|c| c == class) else {
                return Err(Error::user(format!("{}: class {class:?} is not one of the project's", image.id)));
            };
            coco.annotations.push(Annotation {
                id: coco.annotations.len() as u64 + 1,
                image_id,
                category_id: k as u64 + 1,
                bbox: [r.x, r.y, r.w, r.h],
                area: r.w * r.h,
                iscrowd: 0,
            });
        }
    }
    let text = serde_json::to_string_pretty(&coco).map_err(|e| Error::internal(e.to_string()))?;
    std::fs::write(out, text).map_err(|e| Error::file(out, e))?;
    Ok(1)
}

pub fn read(path: &Path, images: &Images) -> Result<BTreeMap<String, Vec<(String, Rect)>>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::file(path, e))?;
    let coco: Coco = serde_json::from_str(&text).map_err(|e| {
        Error::file(
            path,
            format!("is not COCO JSON (line {}: {e}); it needs images, categories and annotations", e.line()),
        )
    })?;
    let categories: HashMap<u64, &str> = coco.categories.iter().map(|c| (c.id, c.name.as_str())).collect();
    let mut samples: HashMap<u64, &str> = HashMap::new();
    let mut found: BTreeMap<String, Vec<(String, Rect)>> = BTreeMap::new();
    for image in &coco.images {
        let Some(id) = images.sample(&image.file_name) else {
            return Err(Error::file(
                path,
                format!("image {} ({:?}) is not one of the project's", image.id, image.file_name),
            ));
        };
        samples.insert(image.id, id);
        found.insert(id.to_string(), Vec::new());
    }
    for a in &coco.annotations {
        let at = |what: String| Error::file(path, format!("annotation {}: {what}", a.id));
        let id = samples.get(&a.image_id).ok_or_else(|| at(format!("image_id {} is not among images", a.image_id)))?;
        let class = categories
            .get(&a.category_id)
            .ok_or_else(|| at(format!("category_id {} is not among categories", a.category_id)))?;
        if !images.classes.iter().any(|c| c == class) {
            return Err(at(format!("class {class:?} is not one of the project's; add it with `kindling classes add`")));
        }
        let [x, y, w, h] = a.bbox;
        let rect = Rect { x, y, w, h };
        rect.check().map_err(at)?;
        found.entry(id.to_string()).or_default().push((class.to_string(), rect));
    }
    Ok(found)
}
