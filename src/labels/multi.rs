//! Labels of multi-label projects: the store keeps one text per sample, the classes joined
//! by `|` in the order kindling.toml lists them.

pub const SEPARATOR: char = '|';

/// The classes of a stored label.
pub fn split(label: &str) -> impl Iterator<Item = &str> {
    label.split(SEPARATOR).filter(|c| !c.is_empty())
}

/// The stored label for a set of classes, ordered as `classes` lists them; `None` for none.
pub fn join(chosen: &[&str], classes: &[String]) -> Option<String> {
    let ordered: Vec<&str> = classes.iter().map(String::as_str).filter(|c| chosen.contains(c)).collect();
    (!ordered.is_empty()).then(|| ordered.join(&SEPARATOR.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_orders_as_the_classes_and_split_reverses_it() {
        let classes = vec!["indoor".to_string(), "people".to_string(), "night".to_string()];
        let label = join(&["night", "indoor"], &classes).unwrap();
        assert_eq!(label, "indoor|night");
        assert_eq!(split(&label).collect::<Vec<_>>(), ["indoor", "night"]);
        assert_eq!(join(&[], &classes), None);
    }
}
