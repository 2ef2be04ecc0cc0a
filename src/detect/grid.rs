//! The grid a detector reads: one row of features per cell of the stride-16 map — the
//! four stride-8 cells inside it side by side (so the row knows where in the cell things
//! lie), the cell itself, and the stride-32 cell over it — and the targets of each cell: a
//! heat per class that peaks at the cell holding a box's centre, and at that cell the box.

use crate::encoders::efficientnet::FeatureMap;
use crate::labels::store::Rect;

/// What the head regresses at a centre cell: the centre's offset inside the cell (0..1)
/// and the box's log width and height in cells.
pub type Shape = [f32; 4];

/// The feature rows of one image's cells, `grid × grid` rows of `width` values.
pub struct Cells {
    pub rows: Vec<f32>,
    pub grid: usize,
    pub width: usize,
}

/// The width of a cell's row for maps of `channels` (stride 8, 16, 32).
pub fn width(channels: [usize; 3]) -> usize {
    4 * channels[0] + channels[1] + channels[2]
}

/// `maps`: stride 8, 16 and 32, channels last.
pub fn cells(maps: &[FeatureMap; 3]) -> Cells {
    let [finer, fine, coarse] = maps;
    let width = width([finer.channels, fine.channels, coarse.channels]);
    let grid = fine.size;
    let mut rows = Vec::with_capacity(grid * grid * width);
    for y in 0..grid {
        for x in 0..grid {
            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                rows.extend_from_slice(at(finer, 2 * x + dx, 2 * y + dy));
            }
            rows.extend_from_slice(at(fine, x, y));
            rows.extend_from_slice(at(coarse, x / 2, y / 2));
        }
    }
    Cells { rows, grid, width }
}

/// Cell (x, y) of a map, the last row or column where the map is smaller.
fn at(m: &FeatureMap, x: usize, y: usize) -> &[f32] {
    let (x, y) = (x.min(m.size - 1), y.min(m.size - 1));
    &m.values[(y * m.size + x) * m.channels..][..m.channels]
}

/// How an image of `width × height` pixels maps onto a `grid × grid` detector grid.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    pub grid: usize,
    /// Pixels of the original per cell, across and down.
    pub cell_w: f64,
    pub cell_h: f64,
}

impl Frame {
    pub fn new(width: u32, height: u32, grid: usize) -> Frame {
        Frame { grid, cell_w: f64::from(width) / grid as f64, cell_h: f64::from(height) / grid as f64 }
    }

    /// The cell holding a box's centre and what the head should say there.
    pub fn encode(&self, r: &Rect) -> (usize, Shape) {
        let cx = (r.x + r.w / 2.0) / self.cell_w;
        let cy = (r.y + r.h / 2.0) / self.cell_h;
        let gx = (cx.floor().max(0.0) as usize).min(self.grid - 1);
        let gy = (cy.floor().max(0.0) as usize).min(self.grid - 1);
        let w = (r.w / self.cell_w).max(1e-3);
        let h = (r.h / self.cell_h).max(1e-3);
        let shape = [(cx - gx as f64) as f32, (cy - gy as f64) as f32, w.ln() as f32, h.ln() as f32];
        (gy * self.grid + gx, shape)
    }

    /// The box the head's `shape` at `cell` stands for, in pixels of the original, kept
    /// inside the image.
    pub fn decode(&self, cell: usize, shape: &[f32]) -> Rect {
        let (gx, gy) = ((cell % self.grid) as f64, (cell / self.grid) as f64);
        let cx = (gx + f64::from(shape[0])) * self.cell_w;
        let cy = (gy + f64::from(shape[1])) * self.cell_h;
        let w = f64::from(shape[2].clamp(-8.0, 8.0)).exp() * self.cell_w;
        let h = f64::from(shape[3].clamp(-8.0, 8.0)).exp() * self.cell_h;
        let (right, bottom) = (self.grid as f64 * self.cell_w, self.grid as f64 * self.cell_h);
        let x0 = (cx - w / 2.0).clamp(0.0, right);
        let y0 = (cy - h / 2.0).clamp(0.0, bottom);
        let x1 = (cx + w / 2.0).clamp(0.0, right);
        let y1 = (cy + h / 2.0).clamp(0.0, bottom);
        Rect { x: x0, y: y0, w: x1 - x0, h: y1 - y0 }
    }
}

/// The targets of one image's cells.
pub struct Targets {
    /// `grid² × classes` heats: 1 at a centre, a Gaussian around it (0 far away).
    pub heat: Vec<f32>,
    /// The centre cells and their shapes.
    pub centres: Vec<(usize, Shape)>,
}

/// The targets of `boxes` (class index, rectangle). A box's Gaussian is as wide as a
/// sixth of the box (TTFNet's elliptical kernel), so cells near the centre of a large box
/// are not punished as much as far ones.
pub fn targets(frame: &Frame, boxes: &[(usize, Rect)], classes: usize) -> Targets {
    let g = frame.grid;
    let mut heat = vec![0.0f32; g * g * classes];
    let mut centres = Vec::with_capacity(boxes.len());
    for (class, r) in boxes {
        let (cell, shape) = frame.encode(r);
        let (cx, cy) = ((cell % g) as f64 + 0.5, (cell / g) as f64 + 0.5);
        let sx = (0.54 * r.w / frame.cell_w / 6.0).max(0.4);
        let sy = (0.54 * r.h / frame.cell_h / 6.0).max(0.4);
        for y in 0..g {
            for x in 0..g {
                let dx = (x as f64 + 0.5 - cx) / sx;
                let dy = (y as f64 + 0.5 - cy) / sy;
                let v = (-(dx * dx + dy * dy) / 2.0).exp() as f32;
                let at = &mut heat[(y * g + x) * classes + class];
                *at = at.max(if v < 1e-4 { 0.0 } else { v });
            }
        }
        heat[cell * classes + class] = 1.0;
        centres.push((cell, shape));
    }
    Targets { heat, centres }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_box_encoded_decodes_to_itself(x in 0.0f64..500.0, y in 0.0f64..300.0, w in 2.0f64..140.0, h in 2.0f64..100.0) {
            let frame = Frame::new(640, 400, 20);
            let r = Rect { x, y, w, h };
            let (cell, shape) = frame.encode(&r);
            let back = frame.decode(cell, &shape);
            prop_assert!((back.x - r.x).abs() < 1e-3 * 640.0);
            prop_assert!((back.y - r.y).abs() < 1e-3 * 400.0);
            prop_assert!((back.w - r.w).abs() < 1e-3 * 640.0);
            prop_assert!((back.h - r.h).abs() < 1e-3 * 400.0);
        }
    }

    #[test]
    fn heat_is_one_at_the_centre_and_falls_away() {
        let frame = Frame::new(160, 160, 10);
        let t = targets(&frame, &[(1, Rect { x: 40.0, y: 40.0, w: 96.0, h: 96.0 })], 2);
        let at = |x: usize, y: usize, c: usize| t.heat[(y * 10 + x) * 2 + c];
        assert_eq!(t.centres[0].0, 5 * 10 + 5);
        assert_eq!(at(5, 5, 1), 1.0);
        assert!(at(6, 5, 1) > at(7, 5, 1) && at(7, 5, 1) > at(9, 5, 1));
        assert!((0..100).all(|cell| t.heat[cell * 2] == 0.0), "the other class stays cold");
    }
}
