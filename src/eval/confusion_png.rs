//! The confusion matrix as a PNG for reports (`kindling show --png`): a square per cell,
//! shaded by its share of the row, with the count and row percentage written in it. Drawn
//! with plotters on a pixel buffer; text uses our own pixel font, as plotters needs a font
//! file or the system's fonts for text.

use std::path::Path;

use plotters::prelude::*;

use super::confusion::Confusion;
use super::pixel_font::{CHAR_W, LINE_H, text};
use crate::error::{Error, Result};

const MARGIN: u32 = 16;
/// Class names are shortened to this many characters.
const NAME_CHARS: usize = 16;
const INK: RGBColor = RGBColor(20, 20, 20);
const DARK: RGBColor = RGBColor(24, 70, 150);

struct Geometry {
    names: u32,
    cell_w: u32,
    cell_h: u32,
    top: u32,
    width: u32,
    height: u32,
}

fn geometry(c: &Confusion, title: &str) -> Geometry {
    let n = c.classes.len() as u32;
    let longest = c.classes.iter().map(|k| k.chars().count().min(NAME_CHARS)).max().unwrap_or(5).max(5) as u32;
    let names = longest * CHAR_W + 12;
    let cell_chars = longest.clamp(6, 10);
    let cell_w = cell_chars * CHAR_W + 12;
    let cell_h = 2 * LINE_H + 8;
    let top = MARGIN + 3 * LINE_H;
    let title_w = title.chars().count() as u32 * CHAR_W;
    let width = (2 * MARGIN + names + n * cell_w).max(2 * MARGIN + title_w);
    let height = top + n * cell_h + LINE_H + MARGIN;
    Geometry { names, cell_w, cell_h, top, width, height }
}

/// Writes the matrix, titled `title`, to `path`.
pub fn write(c: &Confusion, title: &str, path: &Path) -> Result<()> {
    picture(c, title)?.save_with_format(path, image::ImageFormat::Png).map_err(|e| Error::file(path, e))
}

/// The matrix as PNG bytes (for the run report).
pub fn png(c: &Confusion, title: &str) -> Result<Vec<u8>> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    picture(c, title)?
        .write_to(&mut bytes, image::ImageFormat::Png)
        .map_err(|e| Error::internal(format!("cannot encode the confusion matrix: {e}")))?;
    Ok(bytes.into_inner())
}

fn picture(c: &Confusion, title: &str) -> Result<image::RgbImage> {
    let g = geometry(c, title);
    let mut buffer = vec![255u8; (g.width * g.height * 3) as usize];
    draw(c, title, &g, &mut buffer).map_err(|e| Error::internal(format!("cannot draw the confusion matrix: {e}")))?;
    image::RgbImage::from_raw(g.width, g.height, buffer)
        .ok_or_else(|| Error::internal("the picture buffer has the wrong size"))
}

fn draw(c: &Confusion, title: &str, g: &Geometry, buffer: &mut [u8]) -> std::result::Result<(), String> {
    let root = BitMapBackend::with_buffer(buffer, (g.width, g.height)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let x0 = MARGIN + g.names;
    text(&root, MARGIN, MARGIN, title, INK)?;
    text(&root, x0, MARGIN + LINE_H, "predicted", INK)?;
    text(&root, MARGIN, g.top - LINE_H, "given", INK)?;
    let fit = |name: &str, chars: u32| name.chars().take(chars as usize).collect::<String>();
    for (i, class) in c.classes.iter().enumerate() {
        let x = x0 + i as u32 * g.cell_w + 6;
        text(&root, x, g.top - LINE_H, &fit(class, (g.cell_w - 12) / CHAR_W), INK)?;
    }
    for (row, counts) in c.counts.iter().enumerate() {
        let y = g.top + row as u32 * g.cell_h;
        text(&root, MARGIN, y + g.cell_h / 2 - LINE_H / 2, &fit(&c.classes[row], NAME_CHARS as u32), INK)?;
        let total: u64 = counts.iter().sum();
        for (col, count) in counts.iter().enumerate() {
            let share = if total == 0 { 0.0 } else { *count as f64 / total as f64 };
            let x = x0 + col as u32 * g.cell_w;
            let fill = shade(share);
            let corners = [(x as i32, y as i32), ((x + g.cell_w - 2) as i32, (y + g.cell_h - 2) as i32)];
            root.draw(&Rectangle::new(corners, fill.filled())).map_err(|e| e.to_string())?;
            let ink = if share >= 0.5 { WHITE } else { INK };
            text(&root, x + 6, y + 6, &count.to_string(), ink)?;
            text(&root, x + 6, y + 6 + LINE_H, &format!("{:.0}%", share * 100.0), ink)?;
        }
    }
    let legend = "shade: share of the given class's samples";
    text(&root, MARGIN, g.height - MARGIN - LINE_H + 4, legend, INK)?;
    root.present().map_err(|e| e.to_string())
}

/// White for an empty share of the row, deep blue for all of it.
fn shade(share: f64) -> RGBColor {
    let mix = |dark: u8| (255.0 - (255.0 - f64::from(dark)) * share.clamp(0.0, 1.0)).round() as u8;
    RGBColor(mix(DARK.0), mix(DARK.1), mix(DARK.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_shaded_by_their_share_of_the_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.png");
        let classes: Vec<String> = ["cat", "dog"].map(String::from).to_vec();
        let c = Confusion { classes, counts: vec![vec![10, 0], vec![5, 5]] };
        write(&c, "run x", &path).unwrap();
        let picture = image::open(&path).unwrap().to_rgb8();
        let g = geometry(&c, "run x");
        assert_eq!(picture.dimensions(), (g.width, g.height));
        // The bottom-right corner of each cell holds no text: only the shade.
        let corner = |row: u32, col: u32| {
            let x = MARGIN + g.names + col * g.cell_w + g.cell_w - 4;
            picture.get_pixel(x, g.top + row * g.cell_h + g.cell_h - 4).0
        };
        assert_eq!(corner(0, 0), [DARK.0, DARK.1, DARK.2], "all of the row");
        assert_eq!(corner(0, 1), [255, 255, 255], "none of the row");
        assert_eq!(corner(1, 0), corner(1, 1), "half and half");
        assert!(corner(1, 0)[0] < 255 && corner(1, 0)[0] > DARK.0);
    }
}
