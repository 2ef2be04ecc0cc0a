//! Pascal VOC XML: for each image a `STEM.xml` with its `filename`, `size` and an `object`
//! per box (`name`, `bndbox` with `xmin ymin xmax ymax`). Corners are written as pixels of
//! the box's edges, `xmax = x + w` (as labelImg writes them), so a round trip keeps a box.

use std::collections::BTreeMap;
use std::path::Path;

use quick_xml::events::Event;

use super::{ImageBoxes, Images, create_dir, files_under, number, strip_extension};
use crate::error::{Error, Result};
use crate::labels::store::Rect;

pub fn write(images: &[ImageBoxes], out: &Path) -> Result<usize> {
    create_dir(out)?;
    for image in images {
        let esc = |s: &str| quick_xml::escape::escape(s).into_owned();
        let mut xml = format!(
            "<annotation>\n  <filename>{}</filename>\n  <size>\n    <width>{}</width>\n    <height>{}</height>\n    <depth>3</depth>\n  </size>\n",
            esc(&image.id),
            image.width,
            image.height
        );
        for (class, r) in &image.boxes {
            xml.push_str(&format!(
                "  <object>\n    <name>{}</name>\n    <difficult>0</difficult>\n    <bndbox>\n      <xmin>{}</xmin>\n      <ymin>{}</ymin>\n      <xmax>{}</xmax>\n      <ymax>{}</ymax>\n    </bndbox>\n  </object>\n",
                esc(class),
                number(r.x),
                number(r.y),
                number(r.x + r.w),
                number(r.y + r.h)
            ));
        }
        xml.push_str("</annotation>\n");
        let path = out.join(format!("{}.xml", strip_extension(&image.id)));
        if let Some(parent) = path.parent() {
            create_dir(parent)?;
        }
        std::fs::write(&path, xml).map_err(|e| Error::file(&path, e))?;
    }
    Ok(images.len())
}

/// One VOC file as read: the texts of the elements that matter, by path.
#[derive(Default)]
struct Parsed {
    filename: Option<String>,
    /// Each object's name and its four corners (as written).
    objects: Vec<(String, [Option<String>; 4])>,
}

const CORNERS: [&str; 4] = ["xmin", "ymin", "xmax", "ymax"];

fn parse(text: &str) -> std::result::Result<Parsed, String> {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut path: Vec<String> = Vec::new();
    let mut parsed = Parsed::default();
    let mut content = String::new();
    loop {
        let event = reader.read_event().map_err(|e| format!("at byte {}: {e}", reader.error_position()))?;
        match event {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                if name == "object" && path.len() == 1 {
                    parsed.objects.push((String::new(), Default::default()));
                }
                path.push(name);
                content.clear();
            }
            Event::Text(t) => content.push_str(&t.xml_content().map_err(|e| e.to_string())?),
            Event::GeneralRef(r) => {
                let name = r.decode().map_err(|e| e.to_string())?;
                match (r.resolve_char_ref().ok().flatten(), quick_xml::escape::resolve_predefined_entity(&name)) {
                    (Some(c), _) => content.push(c),
                    (None, Some(s)) => content.push_str(s),
                    (None, None) => return Err(format!("unknown entity &{name};")),
                }
            }
            Event::End(_) => {
                let at: Vec<&str> = path.iter().map(String::as_str).collect();
                let value = content.trim().to_string();
                match at.as_slice() {
                    ["annotation", "filename"] => parsed.filename = Some(value),
                    ["annotation", "object", "name"] => {
                        if let Some(o) = parsed.objects.last_mut() {
                            o.0 = value;
                        }
                    }
                    ["annotation", "object", "bndbox", corner] => {
                        if let (Some(o), Some(k)) =
                            (parsed.objects.last_mut(), CORNERS.iter().position(|c| c == corner))
                        {
                            o.1[k] = Some(value);
                        }
                    }
                    _ => {}
                }
                path.pop();
                content.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(parsed)
}

pub fn read(dir: &Path, images: &Images) -> Result<BTreeMap<String, Vec<(String, Rect)>>> {
    let mut found = BTreeMap::new();
    for name in files_under(dir, "xml")? {
        let path = dir.join(&name);
        let text = std::fs::read_to_string(&path).map_err(|e| Error::file(&path, e))?;
        let parsed = parse(&text).map_err(|e| Error::file(&path, format!("is not VOC XML ({e})")))?;
        let stem = &name[..name.len() - ".xml".len()];
        let id =
            parsed.filename.as_deref().and_then(|f| images.sample(f)).or_else(|| images.by_stem(stem)).ok_or_else(
                || Error::file(&path, "names no image of the project (by its filename, nor by its own name)"),
            )?;
        let mut boxes = Vec::new();
        for (i, (class, corners)) in parsed.objects.into_iter().enumerate() {
            let at = |what: String| Error::file(&path, format!("object {}: {what}", i + 1));
            if !images.classes.contains(&class) {
                return Err(at(format!(
                    "class {class:?} is not one of the project's; add it with `kindling classes add`"
                )));
            }
            let mut v = [0.0f64; 4];
            for (k, slot) in v.iter_mut().enumerate() {
                let text = corners[k].as_deref().ok_or_else(|| at(format!("bndbox has no {}", CORNERS[k])))?;
                *slot = text.parse().map_err(|_| at(format!("{}: {text:?} is not a number", CORNERS[k])))?;
            }
            let rect = Rect { x: v[0], y: v[1], w: v[2] - v[0], h: v[3] - v[1] };
            rect.check().map_err(at)?;
            boxes.push((class, rect));
        }
        found.insert(id.to_string(), boxes);
    }
    Ok(found)
}
