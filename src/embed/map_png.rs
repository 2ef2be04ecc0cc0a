//! The map as a picture (`kindling map --png`): a dot per sample, coloured by its class as
//! kindling.toml colours it (unlabelled grey, drawn first so labels stay visible), with a
//! legend. Drawn with plotters on a pixel buffer, text in the project's pixel font.

use std::collections::HashMap;
use std::path::Path;

use plotters::prelude::*;

use super::map::Point;
use crate::error::{Error, Result};
use crate::eval::pixel_font::{LINE_H, text};
use crate::project::config::ClassConfig;

const SIDE: u32 = 900;
const MARGIN: u32 = 24;
const GREY: RGBColor = RGBColor(190, 190, 190);

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

fn draw(
    points: &[Point],
    labels: &HashMap<String, String>,
    classes: &[ClassConfig],
    buffer: &mut [u8],
) -> std::result::Result<(), String> {
    let root = BitMapBackend::with_buffer(buffer, (SIDE, SIDE)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let legend = (classes.len() as u32 + 1) * LINE_H + MARGIN;
    let (lo_x, hi_x) = points.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.x), b.max(p.x)));
    let (lo_y, hi_y) = points.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.y), b.max(p.y)));
    let span = |lo: f64, hi: f64| if hi > lo { hi - lo } else { 1.0 };
    let room = (SIDE - 2 * MARGIN - legend) as f64;
    let at = |p: &Point| {
        let x = MARGIN as f64 + (p.x - lo_x) / span(lo_x, hi_x) * room;
        let y = (MARGIN + legend) as f64 + (1.0 - (p.y - lo_y) / span(lo_y, hi_y)) * room;
        (x as i32, y as i32)
    };
    let colour_of: HashMap<&str, RGBColor> = classes.iter().map(|c| (c.name.as_str(), rgb(&c.colour))).collect();
    // Unlabelled first, so that labelled dots are drawn over them.
    let mut ordered: Vec<&Point> = points.iter().collect();
    ordered.sort_by_key(|p| labels.contains_key(&p.id));
    for p in ordered {
        let colour = labels.get(&p.id).and_then(|l| colour_of.get(l.as_str()).copied()).unwrap_or(GREY);
        root.draw(&Circle::new(at(p), 3, colour.filled())).map_err(|e| e.to_string())?;
    }
    text(&root, MARGIN, MARGIN, "unlabelled", GREY)?;
    for (i, class) in classes.iter().enumerate() {
        text(&root, MARGIN, MARGIN + (i as u32 + 1) * LINE_H, &class.name, rgb(&class.colour))?;
    }
    Ok(())
}
