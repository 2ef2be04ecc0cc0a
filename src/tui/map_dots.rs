//! Which braille dots the Map pane's points light, and in which colour, made once per view
//! (centre, zoom, size, colouring, labels) and kept while only the cursor moves.
//!
//! A terminal cell shows one colour whatever its eight dots: drawn point by point, class by
//! class, the last class drawn took every crowded cell. So each cell's labelled dots take the
//! commonest group among its points, and a million points come down to at most eight dots a
//! cell (drawing every point through the canvas cost most of a key at 2,000,000 points).

use ratatui::style::Color;
use ratatui::widgets::canvas::{Painter, Shape};
use rayon::prelude::*;

/// The visible part of the map, in map units, and the plot's size in cells.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    pub x: (f64, f64),
    pub y: (f64, f64),
    pub cols: usize,
    pub rows: usize,
}

/// The dots to light: unlabelled ones (dim) and labelled ones with their group (a colour).
#[derive(Debug, Default, PartialEq)]
pub struct Dots {
    pub unlabelled: Vec<(u16, u16)>,
    pub grouped: Vec<(u16, u16, u16)>,
}

impl View {
    /// The braille dot (column, row on the canvas's 2 × 4-a-cell grid) of a point, if visible.
    fn dot(&self, p: (f64, f64)) -> Option<(usize, usize)> {
        if !(self.x.0..=self.x.1).contains(&p.0) || !(self.y.0..=self.y.1).contains(&p.1) {
            return None;
        }
        let (w, h) = (2 * self.cols, 4 * self.rows);
        let fx = (p.0 - self.x.0) / (self.x.1 - self.x.0);
        let fy = (self.y.1 - p.1) / (self.y.1 - self.y.0);
        Some((((fx * w as f64) as usize).min(w - 1), ((fy * h as f64) as usize).min(h - 1)))
    }
}

/// Points one task bins: a million points take a few milliseconds a core.
const CHUNK: usize = 1 << 18;

/// Bins the points: `group(i)` is point i's colour group (of `groups`), none for unlabelled.
/// Chunks of points are binned on every core and their dots and counts added together, so
/// a zoom at 2,000,000 points does not wait for one core to go through them all.
pub fn bin(xy: &[(f64, f64)], group: impl Fn(usize) -> Option<usize> + Sync, groups: usize, view: View) -> Dots {
    let (cols, rows) = (view.cols.max(1), view.rows.max(1));
    let view = View { cols, rows, ..view };
    let (w, h) = (2 * cols, 4 * rows);
    let n = groups.max(1);
    // Per dot: lit by an unlabelled point (bit 0), by a labelled one (bit 1); per cell and
    // group: its labelled points.
    let empty = || (vec![0u8; w * h], vec![0u32; cols * rows * n]);
    let binned = |(chunk, points): (usize, &[(f64, f64)])| {
        let (mut lit, mut counts) = empty();
        for (i, &p) in (chunk * CHUNK..).zip(points) {
            let Some((dx, dy)) = view.dot(p) else { continue };
            match group(i) {
                None => lit[dy * w + dx] |= 1,
                Some(g) => {
                    lit[dy * w + dx] |= 2;
                    counts[((dy / 4) * cols + dx / 2) * n + g.min(n - 1)] += 1;
                }
            }
        }
        (lit, counts)
    };
    let added = |(mut lit, mut counts): (Vec<u8>, Vec<u32>), (more_lit, more_counts): (Vec<u8>, Vec<u32>)| {
        lit.iter_mut().zip(more_lit).for_each(|(a, b)| *a |= b);
        counts.iter_mut().zip(more_counts).for_each(|(a, b)| *a += b);
        (lit, counts)
    };
    let (lit, counts) = xy.par_chunks(CHUNK).enumerate().map(binned).reduce_with(added).unwrap_or_else(empty);
    let commonest = |cell: usize| {
        let c = &counts[cell * n..(cell + 1) * n];
        // The first group wins a tie, so the colour does not flicker between redraws.
        c.iter().enumerate().max_by_key(|(g, k)| (**k, std::cmp::Reverse(*g))).map_or(0, |(g, _)| g)
    };
    let mut dots = Dots::default();
    for (at, &bits) in lit.iter().enumerate() {
        let (dx, dy) = (at % w, at / w);
        if bits & 1 != 0 {
            dots.unlabelled.push((dx as u16, dy as u16));
        }
        if bits & 2 != 0 {
            dots.grouped.push((dx as u16, dy as u16, commonest((dy / 4) * cols + dx / 2) as u16));
        }
    }
    dots
}

/// Binned dots drawn straight onto the canvas's grid: unlabelled in `dim`, then each
/// labelled dot in its group's colour (over an unlabelled one in the same cell).
pub struct DotsShape<'a> {
    pub dots: &'a Dots,
    pub dim: Color,
    pub colours: &'a [Color],
}

impl Shape for DotsShape<'_> {
    fn draw(&self, painter: &mut Painter) {
        for &(x, y) in &self.dots.unlabelled {
            painter.paint(usize::from(x), usize::from(y), self.dim);
        }
        for &(x, y, g) in &self.dots.grouped {
            let colour = self.colours.get(usize::from(g)).copied().unwrap_or(self.dim);
            painter.paint(usize::from(x), usize::from(y), colour);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(cols: usize, rows: usize) -> View {
        View { x: (0.0, 1.0), y: (0.0, 1.0), cols, rows }
    }

    #[test]
    fn each_point_lights_the_dot_it_falls_in_and_points_outside_the_view_none() {
        // One cell: 2 × 4 dots. Top left, bottom right, and two outside.
        let xy = [(0.0, 1.0), (1.0, 0.0), (1.5, 0.5), (0.5, -0.1)];
        let dots = bin(&xy, |_| None, 1, view(1, 1));
        assert_eq!(dots.unlabelled, vec![(0, 0), (1, 3)]);
        assert!(dots.grouped.is_empty());
    }

    #[test]
    fn many_points_on_one_dot_light_it_once() {
        let xy = vec![(0.125, 0.875); 100_000];
        let dots = bin(&xy, |i| (i % 2 == 0).then_some(0), 1, view(10, 10));
        assert_eq!(dots.unlabelled, vec![(2, 5)]);
        assert_eq!(dots.grouped, vec![(2, 5, 0)]);
    }

    #[test]
    fn a_cell_takes_its_commonest_group_and_the_first_group_wins_a_tie() {
        // Cell 0 (left): three of group 1, one of group 0. Cell 1 (right): one of each.
        let xy = [(0.05, 0.9), (0.1, 0.6), (0.2, 0.4), (0.05, 0.1), (0.7, 0.9), (0.9, 0.1)];
        let groups = [1, 1, 1, 0, 1, 0];
        let dots = bin(&xy, |i| Some(groups[i]), 2, view(2, 1));
        let of_cell =
            |cell: u16| -> Vec<u16> { dots.grouped.iter().filter(|d| d.0 / 2 == cell).map(|d| d.2).collect() };
        assert_eq!(of_cell(0), vec![1; 4]);
        assert_eq!(of_cell(1), vec![0; 2]);
    }

    #[test]
    fn points_binned_in_different_chunks_add_up() {
        // Outside the view but for: three of group 1 in the first chunk, two of group 0 in
        // the second, all in one cell, and an unlabelled point at the very end.
        let mut xy = vec![(5.0, 5.0); 2 * CHUNK + 10];
        let mut groups = vec![None; xy.len()];
        for (i, g) in [(0, 1), (1, 1), (2, 1), (CHUNK, 0), (CHUNK + 1, 0)] {
            (xy[i], groups[i]) = ((0.1, 0.9), Some(g));
        }
        let last = xy.len() - 1;
        xy[last] = (0.9, 0.1);
        let dots = bin(&xy, |i| groups[i], 2, view(2, 1));
        assert_eq!(dots.grouped, vec![(0, 0, 1)]);
        assert_eq!(dots.unlabelled, vec![(3, 3)]);
    }

    #[test]
    fn a_zoomed_view_bins_only_its_part_of_the_map() {
        let xy = [(0.25, 0.25), (0.75, 0.75)];
        let zoomed = View { x: (0.5, 1.0), y: (0.5, 1.0), cols: 4, rows: 4 };
        let dots = bin(&xy, |_| None, 1, zoomed);
        // (0.75, 0.75) is the middle of the view: dot column 4 of 8, row 8 of 16.
        assert_eq!(dots.unlabelled, vec![(4, 8)]);
    }
}
