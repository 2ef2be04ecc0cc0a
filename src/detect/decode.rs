//! From heats to boxes: a cell whose heat tops its eight neighbours' in a class is a
//! centre (CenterNet's 3×3 peak), the head's shape there is the box; boxes of one class
//! that overlap by more than `NMS_IOU` keep the surer one (the grid is coarse, so one
//! object can light two cells).

use super::grid::Frame;
use crate::eval::detection::iou;
use crate::labels::store::Rect;

/// The most boxes one image gives.
pub const MAX_BOXES: usize = 100;
const NMS_IOU: f64 = 0.6;

/// A box found: its class index, where, how sure (0..1).
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    pub class: usize,
    pub rect: Rect,
    pub score: f32,
}

/// `heat`: `grid² × classes` probabilities; `shapes`: `grid² × 4`.
pub fn decode(frame: &Frame, heat: &[f32], shapes: &[f32], classes: usize, min_score: f32) -> Vec<Detection> {
    let g = frame.grid as isize;
    let at = |x: isize, y: isize, c: usize| heat[((y * g + x) as usize) * classes + c];
    let mut found = Vec::new();
    for y in 0..g {
        for x in 0..g {
            for c in 0..classes {
                let v = at(x, y, c);
                if v < min_score {
                    continue;
                }
                let neighbours = (-1..=1).flat_map(|dy| (-1..=1).map(move |dx| (x + dx, y + dy)));
                let peak = neighbours
                    .filter(|&(nx, ny)| (nx, ny) != (x, y) && (0..g).contains(&nx) && (0..g).contains(&ny))
                    .all(|(nx, ny)| at(nx, ny, c) <= v);
                if peak {
                    let cell = (y * g + x) as usize;
                    found.push(Detection { class: c, rect: frame.decode(cell, &shapes[cell * 4..][..4]), score: v });
                }
            }
        }
    }
    found.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Detection> = Vec::new();
    for d in found {
        if d.rect.w <= 0.0 || d.rect.h <= 0.0 {
            continue;
        }
        if kept.iter().any(|k| k.class == d.class && iou(&k.rect, &d.rect) > NMS_IOU) {
            continue;
        }
        kept.push(d);
        if kept.len() == MAX_BOXES {
            break;
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peaks_become_boxes_and_overlaps_keep_the_surer() {
        let frame = Frame::new(64, 64, 4);
        let mut heat = vec![0.0f32; 16];
        let mut shapes = vec![0.0f32; 16 * 4];
        // Cells (1, 1) and (3, 1) both peak (not neighbours); their boxes share the centre
        // (32, 32). Cell (2, 2) is under the threshold.
        heat[5] = 0.9;
        heat[7] = 0.8;
        heat[10] = 0.05;
        shapes[5 * 4..][..4].copy_from_slice(&[1.0, 1.0, 3f32.ln(), 3f32.ln()]);
        shapes[7 * 4..][..4].copy_from_slice(&[-1.0, 1.0, 3f32.ln(), 3f32.ln()]);
        let found = decode(&frame, &heat, &shapes, 1, 0.1);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].score, 0.9);
        let r = found[0].rect;
        assert!((r.x - 8.0).abs() < 1e-4 && (r.w - 48.0).abs() < 1e-4, "{r:?}");
        // Small boxes at the same cells do not overlap: both stay.
        for cell in [5, 7] {
            shapes[cell * 4..][..4].copy_from_slice(&[0.5, 0.5, 0.0, 0.0]);
        }
        assert_eq!(decode(&frame, &heat, &shapes, 1, 0.1).len(), 2);
    }
}
