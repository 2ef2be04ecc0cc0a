//! Small helpers for messages.

/// "a, b, c and 4 more": the first `n` items of a list of problems.
pub fn first_few(items: &[String], n: usize) -> String {
    let shown = items.iter().take(n).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > n { format!("{shown} and {} more", items.len() - n) } else { shown }
}

#[cfg(test)]
mod tests {
    #[test]
    fn first_few_counts_the_rest() {
        let v: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        assert_eq!(super::first_few(&v, 2), "a, b and 1 more");
        assert_eq!(super::first_few(&v, 3), "a, b, c");
    }
}
