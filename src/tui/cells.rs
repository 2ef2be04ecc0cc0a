//! Fitting things into terminal cells: text clipped to a width, the grid's picture cell.

use ratatui::layout::Rect;

/// A grid cell: the thumbnail and one line for the label and id below it.
pub const CELL: (u16, u16) = (16, 8);
/// Larger cells first: a wide terminal shows larger thumbnails while the grid keeps
/// at least [`GRID_SAMPLES`] of them.
const CELLS: [(u16, u16); 3] = [(32, 16), (24, 12), CELL];
const GRID_SAMPLES: u16 = 24;

/// The cell size of an image grid drawn in `area`.
pub fn grid_cell(area: Rect) -> (u16, u16) {
    let holds = |(w, h): (u16, u16)| (area.width / w) * (area.height / h) >= GRID_SAMPLES;
    CELLS.into_iter().find(|c| holds(*c)).unwrap_or(CELL)
}

/// Where a thumbnail is drawn inside a cell of size `cell`.
pub fn thumb_area(cell: (u16, u16)) -> Rect {
    Rect { x: 0, y: 0, width: cell.0 - 1, height: cell.1 - 1 }
}

/// `s` on one line, at most `width` characters, cut with `…`.
pub fn clip(s: &str, width: usize) -> String {
    let one_line = s.replace(['\n', '\r', '\t'], " ");
    if one_line.chars().count() <= width {
        one_line
    } else {
        format!("{}…", one_line.chars().take(width.saturating_sub(1)).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wide_terminal_gets_larger_grid_cells() {
        let area = |width, height| Rect { x: 0, y: 0, width, height };
        assert_eq!(grid_cell(area(78, 20)), CELL);
        assert_eq!(grid_cell(area(198, 55)), (24, 12));
        assert_eq!(grid_cell(area(300, 80)), (32, 16));
    }
}
