//! Short customer-support tickets in four classes, written from templates; about half are
//! labelled.

use std::path::Path;

use rand::{Rng, RngExt};

use crate::error::{Error, Result, ResultExt};

const TICKETS: usize = 400;

const TEMPLATES: [(&str, &[&str]); 4] = [
    (
        "billing",
        &[
            "I was charged twice for my {plan} plan this month",
            "Can I get a refund for the {plan} subscription?",
            "My invoice shows the wrong amount, please check",
            "Why did my card get billed after I cancelled {plan}?",
            "How do I change the payment method on my account",
        ],
    ),
    (
        "bug",
        &[
            "The app crashes every time I open {feature}",
            "{feature} does not load since the last update",
            "I get an error when I try to save in {feature}",
            "Clicking export in {feature} freezes the whole window",
            "Login fails with a blank page on {device}",
        ],
    ),
    (
        "feature_request",
        &[
            "It would be great if {feature} could work offline",
            "Please add a dark mode to {feature}",
            "Could you support {device} in the next release?",
            "I would love keyboard shortcuts for {feature}",
            "Any plans to let {feature} sync across devices?",
        ],
    ),
    (
        "praise",
        &[
            "Love the new {feature}, it saves me hours",
            "Thanks, {feature} works perfectly on my {device}",
            "Your support team was fast and friendly, thank you",
            "The {plan} plan is worth every penny",
            "Best update so far, {feature} feels much quicker",
        ],
    ),
];

const FEATURES: [&str; 6] = ["the calendar", "reports", "the editor", "search", "the dashboard", "notifications"];
const PLANS: [&str; 3] = ["Basic", "Pro", "Team"];
const DEVICES: [&str; 4] = ["my phone", "the tablet", "Linux", "an old laptop"];
const ENDINGS: [&str; 5] = ["", ".", "!", " - thanks", ", any ideas?"];

pub fn write(path: &Path, rng: &mut impl Rng) -> Result<()> {
    super::create_dir(path.parent().unwrap_or(Path::new(".")))?;
    let mut w = csv::Writer::from_path(path).map_err(|e| Error::file(path, e))?;
    w.write_record(["id", "text", "label"]).map_err(|e| Error::file(path, e))?;
    for i in 0..TICKETS {
        let (class, templates) = TEMPLATES[rng.random_range(0..TEMPLATES.len())];
        let text = templates[rng.random_range(0..templates.len())]
            .replace("{feature}", FEATURES[rng.random_range(0..FEATURES.len())])
            .replace("{plan}", PLANS[rng.random_range(0..PLANS.len())])
            .replace("{device}", DEVICES[rng.random_range(0..DEVICES.len())]);
        let text = format!("{text}{}", ENDINGS[rng.random_range(0..ENDINGS.len())]);
        let label = if rng.random_bool(0.5) { class } else { "" };
        w.write_record([format!("t{:04}", i + 1).as_str(), &text, label]).map_err(|e| Error::file(path, e))?;
    }
    w.flush().context(path.display())
}
