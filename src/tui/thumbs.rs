//! Thumbnails encoded for the terminal, shared by the panes that show image grids.

use std::collections::{HashMap, HashSet};

use ratatui_image::protocol::Protocol;

use super::job::Job;

#[derive(Default)]
pub struct Thumbs {
    /// By sample id; `None` when one could not be made.
    pub encoded: HashMap<String, Option<Protocol>>,
    asked: HashSet<String>,
}

impl Thumbs {
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
