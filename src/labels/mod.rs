//! Labels: the durable store and the files they are exported to and imported from.

pub mod box_files;
pub mod files;
pub mod multi;
pub mod store;
