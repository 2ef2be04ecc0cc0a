//! Band A and B for a detection project's boxes: boxes outside their image or on its border,
//! boxes too small to learn from, the same object boxed twice, classes with few boxes, and
//! images nobody has boxed yet.

use std::collections::{BTreeMap, BTreeSet};

use super::{Check, Finding, Severity};
use crate::eval::detection::iou;
use crate::labels::store::LabelBox;

/// A box with a side under this many pixels is tiny.
const TINY_SIDE: f64 = 4.0;
/// Two boxes of one class overlapping this much are one object boxed twice.
const SAME_OBJECT: f64 = 0.9;
/// A class with fewer boxes than this is too few to learn (or test) from.
const FEW: usize = 10;

/// `sizes` holds each boxed image's width and height (`None`: it could not be read).
pub fn check(
    classes: &[String],
    ids: &[String],
    boxes: &BTreeMap<String, Vec<LabelBox>>,
    done: &BTreeSet<String>,
    sizes: &BTreeMap<String, Option<(u32, u32)>>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let (mut outside, mut border, mut tiny, mut twice) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (image, list) in boxes {
        let size = sizes.get(image).copied().flatten();
        for (i, b) in list.iter().enumerate() {
            let r = &b.rect;
            if let Some((w, h)) = size.map(|(w, h)| (f64::from(w), f64::from(h))) {
                if r.x < 0.0 || r.y < 0.0 || r.x + r.w > w || r.y + r.h > h {
                    outside.push(image.clone());
                } else if r.x < 1.0 || r.y < 1.0 || r.x + r.w > w - 1.0 || r.y + r.h > h - 1.0 {
                    border.push(image.clone());
                }
            }
            if r.w < TINY_SIDE || r.h < TINY_SIDE {
                tiny.push(image.clone());
            }
            if list[..i].iter().any(|o| o.class == b.class && iou(&o.rect, r) >= SAME_OBJECT) {
                twice.push(image.clone());
            }
        }
    }
    let found = |check, severity, ids: Vec<String>, what: String, suggestion: &str| {
        Finding::new(check, severity, ids.len() as u64, what).examples(ids).suggest(suggestion)
    };
    if !outside.is_empty() {
        out.push(found(
            Check::BoxesOutside,
            Severity::Error,
            outside.clone(),
            format!("{} outside their image", boxes_are(outside.len(), "reaches", "reach")),
            "move their edges inside (the Label pane's Shift+arrows), or import them again clipped",
        ));
    }
    if !border.is_empty() {
        out.push(found(
            Check::BoxesOnBorder,
            Severity::Info,
            border.clone(),
            format!("{} the image's border: objects cut by the frame", boxes_are(border.len(), "touches", "touch")),
            "fine when the object goes on beyond the picture; a detector learns cut objects from them",
        ));
    }
    if !tiny.is_empty() {
        out.push(found(
            Check::TinyBoxes,
            Severity::Warning,
            tiny.clone(),
            format!("{} under {TINY_SIDE} pixels on a side", boxes_are(tiny.len(), "is", "are")),
            "look at them: a slip of the keys, or objects too small to learn at this size",
        ));
    }
    if !twice.is_empty() {
        out.push(found(
            Check::DuplicateBoxes,
            Severity::Warning,
            twice.clone(),
            format!(
                "{} boxes lie over another box of their class ({}% overlap or more)",
                twice.len(),
                SAME_OBJECT * 100.0
            ),
            "delete one of each pair (Tab to it, x): a detector is taught to find the object twice",
        ));
    }
    let mut per_class: BTreeMap<&str, (usize, Vec<String>)> =
        classes.iter().map(|c| (c.as_str(), (0, Vec::new()))).collect();
    for (image, list) in boxes {
        for b in list {
            if let Some(slot) = per_class.get_mut(b.class.as_str()) {
                slot.0 += 1;
                if slot.1.len() < super::EXAMPLES && !slot.1.contains(image) {
                    slot.1.push(image.clone());
                }
            }
        }
    }
    for (class, (n, examples)) in per_class.into_iter().filter(|(_, (n, _))| *n < FEW) {
        let severity = if n == 0 { Severity::Error } else { Severity::Warning };
        out.push(
            Finding::new(
                Check::TooFewSamples,
                severity,
                n as u64,
                format!(
                    "class \"{class}\" has {} (under {FEW})",
                    if n == 1 { "1 box".to_string() } else { format!("{n} boxes") }
                ),
            )
            .examples(examples)
            .suggest("box more of them: look for images that hold the class"),
        );
    }
    let todo: Vec<String> = ids.iter().filter(|id| !boxes.contains_key(*id) && !done.contains(*id)).cloned().collect();
    let boxed = ids.len() - todo.len();
    if boxed == 0 {
        out.push(found(
            Check::LabelCoverage,
            Severity::Error,
            todo,
            "no image is boxed yet".into(),
            "box objects in the Label pane (n makes a box), or import boxes with `kindling labels import`",
        ));
    } else if !todo.is_empty() {
        let share = boxed as f64 / ids.len() as f64;
        let severity = if share < 0.5 { Severity::Warning } else { Severity::Info };
        out.push(found(
            Check::LabelCoverage,
            severity,
            todo,
            format!("{boxed} of {} images boxed or marked done ({:.1}%)", ids.len(), share * 100.0),
            "box the rest; an image with no objects is done with Space",
        ));
    }
    out
}

/// "1 box is", "3 boxes are".
fn boxes_are(n: usize, one: &str, more: &str) -> String {
    if n == 1 { format!("1 box {one}") } else { format!("{n} boxes {more}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::store::Rect;

    fn b(id: i64, image: &str, class: &str, x: f64, y: f64, w: f64, h: f64) -> LabelBox {
        LabelBox { id, sample_id: image.into(), class: class.into(), rect: Rect { x, y, w, h } }
    }

    #[test]
    fn each_kind_of_bad_box_is_found_and_counted() {
        let classes: Vec<String> = ["car", "person"].map(String::from).to_vec();
        let ids: Vec<String> = ["a", "b", "c", "d"].map(String::from).to_vec();
        let mut boxes = BTreeMap::new();
        boxes.insert(
            "a".to_string(),
            vec![
                b(1, "a", "car", 90.0, 10.0, 20.0, 20.0), // reaches out of a 100-wide image
                b(2, "a", "car", 0.0, 10.0, 20.0, 20.0),  // on the border
                b(3, "a", "car", 50.0, 50.0, 2.0, 9.0),   // tiny
                b(4, "a", "car", 30.0, 30.0, 20.0, 20.0),
                b(5, "a", "car", 30.5, 30.0, 20.0, 20.0), // the same car again
            ],
        );
        let done: BTreeSet<String> = ["b".to_string()].into();
        let sizes: BTreeMap<String, Option<(u32, u32)>> = [("a".to_string(), Some((100, 100)))].into();
        let found = check(&classes, &ids, &boxes, &done, &sizes);
        let count = |c: Check| found.iter().filter(|f| f.check == c).map(|f| f.count).sum::<u64>();
        assert_eq!(count(Check::BoxesOutside), 1);
        assert_eq!(count(Check::BoxesOnBorder), 1);
        assert_eq!(count(Check::TinyBoxes), 1);
        assert_eq!(count(Check::DuplicateBoxes), 1);
        let few: Vec<&Finding> = found.iter().filter(|f| f.check == Check::TooFewSamples).collect();
        assert_eq!(few.len(), 2, "car with 5 boxes, person with none");
        assert!(few.iter().any(|f| f.severity == Severity::Error && f.message.contains("person")));
        let coverage = found.iter().find(|f| f.check == Check::LabelCoverage).unwrap();
        assert_eq!((coverage.count, coverage.severity), (2, Severity::Info), "c and d to go; a boxed, b done");
    }
}
