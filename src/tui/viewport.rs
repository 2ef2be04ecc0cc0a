//! Scrolling shared by the panes that show a page of samples, one or several to a row.

/// The first sample on screen after the cursor moved: unchanged while the cursor's row is
/// visible, otherwise just far enough to show it. Always the first sample of a row.
pub fn top_following(cursor: usize, top: usize, page: usize, per_row: usize) -> usize {
    let row = per_row.max(1);
    let rows_on_screen = (page / row).max(1);
    let (cursor_row, top_row) = (cursor / row, top / row);
    let top_row = if cursor_row < top_row {
        cursor_row
    } else if cursor_row >= top_row + rows_on_screen {
        cursor_row + 1 - rows_on_screen
    } else {
        top_row
    };
    top_row * row
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_top_moves_only_to_keep_the_cursor_row_on_screen() {
        assert_eq!(top_following(5, 0, 10, 1), 0, "visible: no scroll");
        assert_eq!(top_following(12, 0, 10, 1), 3, "below: the cursor becomes the last row");
        assert_eq!(top_following(2, 8, 10, 1), 2, "above: the cursor becomes the first row");
        assert_eq!(top_following(17, 0, 8, 4), 12, "grids scroll whole rows: rows 3 and 4 of four");
    }
}
