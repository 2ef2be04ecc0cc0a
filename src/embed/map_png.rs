//! The map as a picture (`kindling map --png`): a dot per sample, coloured by its class as
//! kindling.toml colours it (unlabelled grey, drawn first so labels stay visible), with a
//! legend. The frame holds where most points lie (`map_frame`); the few far beyond are
//! drawn at its edge, and the legend says how many. Drawn with plotters on a pixel buffer, text in the project's pixel font.

use std::collections::HashMap;
use std::path::Path;

use plotters::prelude::*;

use super::map::Point;
use super::map_frame::Frame;
use crate::error::{Error, Result};
use crate::eval::pixel_font::{LINE_H, text};
use crate::project::config::ClassConfig;

const SIDE: u32 = 900;
const MARGIN: u32 = 24;
const GREY: RGBColor = RGBColor(190, 190, 190);
const INK: RGBColor = RGBColor(40, 40, 40);
/// The side of a legend's colour swatch, in pixels (the font's capital height).
const SWATCH: i32 = 14;

/// The RGB of a class colour name (the 16 terminal colours) or `#rrggbb`.
fn rgb(name: &str) -> RGBColor {
    let named = match name {
        "red" => (205, 49, 49),
        "green" => (13, 160, 60),
        "blue" => (36, 84, 214),
        "yellow" => (200, 160, 0),
        "magenta" => (188, 63, 188),
        "cyan" => (17, 168, 205),
        "lightred" => (241, 106, 106),
        "lightgreen" => (80, 200, 110),
        "lightblue" => (90, 150, 240),
        "lightyellow" => (225, 200, 60),
        "lightmagenta" => (214, 112, 214),
        "lightcyan" => (80, 210, 230),
        hex if hex.len() == 7 && hex.starts_with('#') => {
            let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0);
            (byte(1), byte(3), byte(5))
        }
        _ => (60, 60, 60),
    };
    RGBColor(named.0, named.1, named.2)
}

pub fn write(points: &[Point], labels: &HashMap<String, String>, classes: &[ClassConfig], path: &Path) -> Result<()> {
    let mut buffer = vec![255u8; (SIDE * SIDE * 3) as usize];
    draw(points, labels, classes, &mut buffer).map_err(|e| Error::internal(format!("cannot draw the map: {e}")))?;
    let picture = image::RgbImage::from_raw(SIDE, SIDE, buffer)
        .ok_or_else(|| Error::internal("the picture buffer has the wrong size"))?;
    picture.save_with_format(path, image::ImageFormat::Png).map_err(|e| Error::file(path, e))
}

/// Unlabelled first, so that labelled dots are drawn over them; the labelled in an order
/// mixed by a hash of their ids. In the samples' order, the class whose files sort last was
/// drawn over the others wherever they overlap: 100,000 images looked all squares.
fn drawing_order<'a>(points: &'a [Point], labels: &HashMap<String, String>) -> Vec<&'a Point> {
    let mut ordered: Vec<&Point> = points.iter().collect();
    ordered.sort_by_cached_key(|p| {
        let hash = blake3::hash(p.id.as_bytes());
        (labels.contains_key(&p.id), u64::from_le_bytes(hash.as_bytes()[..8].try_into().expect("8 bytes")))
    });
    ordered
}

/// Smaller dots for more samples, so that a dense map still shows its mixtures.
fn dot_radius(points: usize) -> i32 {
    match points {
        0..=5_000 => 3,
        5_001..=50_000 => 2,
        _ => 1,
    }
}

fn draw(
    points: &[Point],
    labels: &HashMap<String, String>,
    classes: &[ClassConfig],
    buffer: &mut [u8],
) -> std::result::Result<(), String> {
    let root = BitMapBackend::with_buffer(buffer, (SIDE, SIDE)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let legend = (classes.len() as u32 + 2) * LINE_H + MARGIN;
    let frame = Frame::of(points.iter().map(|p| (p.x, p.y)));
    // Each axis spans its room (the width, the height below the legend), as each is framed
    // on its own points.
    let (wide, high) = ((SIDE - 2 * MARGIN) as f64, (SIDE - 2 * MARGIN - legend) as f64);
    let at = |p: &Point| {
        let (x, y) = frame.place(p.x, p.y);
        ((MARGIN as f64 + x * wide) as i32, ((MARGIN + legend) as f64 + (1.0 - y) * high) as i32)
    };
    let colour_of: HashMap<&str, RGBColor> = classes.iter().map(|c| (c.name.as_str(), rgb(&c.colour))).collect();
    for p in drawing_order(points, labels) {
        let colour = labels.get(&p.id).and_then(|l| colour_of.get(l.as_str()).copied()).unwrap_or(GREY);
        root.draw(&Circle::new(at(p), dot_radius(points.len()), colour.filled())).map_err(|e| e.to_string())?;
    }
    // The legend: a swatch of each colour and, in dark ink, what it is and how many (light
    // class colours written in themselves were hard to read on white).
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for p in points {
        *counts.entry(labels.get(&p.id).map_or("", String::as_str)).or_default() += 1;
    }
    let count = |name: &str| counts.get(name).copied().unwrap_or(0);
    let mut entries = vec![(format!("unlabelled ({})", count("")), GREY)];
    entries.extend(classes.iter().map(|c| (format!("{} ({})", c.name, count(&c.name)), rgb(&c.colour))));
    let beyond = points.iter().filter(|p| frame.is_beyond(p.x, p.y)).count();
    if beyond > 0 {
        entries.push((format!("{beyond} far points drawn at the edge"), WHITE));
    }
    for (i, (name, colour)) in entries.iter().enumerate() {
        let y = (MARGIN + i as u32 * LINE_H) as i32;
        let swatch = [(MARGIN as i32, y), (MARGIN as i32 + SWATCH, y + SWATCH)];
        root.draw(&Rectangle::new(swatch, colour.filled())).map_err(|e| e.to_string())?;
        text(&root, MARGIN + SWATCH as u32 + 6, y as u32, name, INK)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unlabelled_dots_come_first_and_no_class_is_drawn_all_last() {
        let points: Vec<Point> = (0..400).map(|i| Point { id: format!("s{i:03}"), x: 0.0, y: 0.0 }).collect();
        // As sorted file names are: a class a quarter, in runs; the last 40 unlabelled.
        let classes = ["circle", "cross", "ring", "square"];
        let labels: HashMap<String, String> =
            (0..360).map(|i| (format!("s{i:03}"), classes[i * 4 / 360].to_string())).collect();
        let order = drawing_order(&points, &labels);
        assert_eq!(order.len(), 400);
        assert!(order[..40].iter().all(|p| !labels.contains_key(&p.id)), "unlabelled first");
        let last: Vec<&str> = order[300..].iter().map(|p| labels[&p.id].as_str()).collect();
        for class in classes {
            assert!(last.iter().filter(|c| **c == class).count() > 10, "{class} among the last drawn: {last:?}");
        }
        assert_eq!(
            drawing_order(&points, &labels).iter().map(|p| &p.id).collect::<Vec<_>>(),
            order.iter().map(|p| &p.id).collect::<Vec<_>>(),
            "the same every time"
        );
        assert!(dot_radius(400) > dot_radius(100_000));
    }
}
