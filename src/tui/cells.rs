//! Fitting things into terminal cells: text clipped to a width, the grid's picture cell.

use ratatui::layout::Rect;

/// A grid cell: the thumbnail and one line for the label and id below it.
pub const CELL: (u16, u16) = (16, 8);
/// Where a thumbnail is drawn inside its cell.
pub const THUMB_AREA: Rect = Rect { x: 0, y: 0, width: CELL.0 - 1, height: CELL.1 - 1 };

/// `s` on one line, at most `width` characters, cut with `…`.
pub fn clip(s: &str, width: usize) -> String {
    let one_line = s.replace(['\n', '\r', '\t'], " ");
    if one_line.chars().count() <= width {
        one_line
    } else {
        format!("{}…", one_line.chars().take(width.saturating_sub(1)).collect::<String>())
    }
}
