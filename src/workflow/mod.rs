//! The steps of the practitioner's loop that stand on several layers at once: what to label
//! next (queue orders over the live model, runs, vectors and served inputs) and class changes,
//! which must also tell the live model that its fit is stale; the preview of augmentations,
//! drawn with the training split's partners; label QA's measures with the live model's view.

pub mod augment_preview;
pub mod box_eval;
pub mod classes;
pub mod label_qa;
pub mod next;
pub mod queue;
pub mod review;
