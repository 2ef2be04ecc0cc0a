//! Thumbnails encoded for the terminal, shared by the panes that show image grids.

use std::collections::{HashMap, HashSet};

use ratatui::layout::Rect;
use ratatui_image::protocol::Protocol;

use super::cells::{CELL, thumb_area};
use super::job::Job;

pub struct Thumbs {
    /// By sample id, encoded for cells of size `cell`; `None` when one could not be made.
    pub encoded: HashMap<String, Option<Protocol>>,
    asked: HashSet<String>,
    cell: (u16, u16),
}

impl Default for Thumbs {
    fn default() -> Self {
        Thumbs { encoded: HashMap::new(), asked: HashSet::new(), cell: CELL }
    }
}

impl Thumbs {
    /// Grid cells are now `cell` large: thumbnails encoded for another size are made again.
    pub fn fit(&mut self, cell: (u16, u16)) {
        if cell != self.cell {
            self.cell = cell;
            self.encoded.clear();
            self.asked.clear();
        }
    }

    /// Where a thumbnail is drawn inside its grid cell.
    pub fn area(&self) -> Rect {
        thumb_area(self.cell)
    }

    /// A job for the thumbnails of `ids` not asked for yet.
    pub fn request(&mut self, ids: &[String]) -> Option<Job> {
        let missing: Vec<String> = ids.iter().filter(|id| !self.asked.contains(*id)).cloned().collect();
        if missing.is_empty() {
            return None;
        }
        self.asked.extend(missing.iter().cloned());
        Some(Job::Thumbnails { ids: missing })
    }
}
