//! Default keys and colours for new classes.

/// Keys given to classes in order: digits first, then letters the Label pane does not use
/// for its own commands (h j k l move, q quits, s skips, u undoes, x clears, t grid, o order,
/// r review, v range, g/G first/last, J/K scroll, n more like this).
const DEFAULT_KEYS: &str = "1234567890abcdefimpwyzABCDEFILMNOPQRTVWYZ";

/// Keys the Label pane keeps for its own commands (moving, skipping, undo, grid, order,
/// review, range, first / last, scrolling, more like this, help, palette, search); a class
/// cannot take one.
pub const RESERVED_KEYS: &str = "hjklqsuxtorvgGJKn?:/ ";

/// Colours that exist in 16-colour terminals, distinct from each other.
const COLOURS: [&str; 12] = [
    "red",
    "green",
    "blue",
    "yellow",
    "magenta",
    "cyan",
    "lightred",
    "lightgreen",
    "lightblue",
    "lightyellow",
    "lightmagenta",
    "lightcyan",
];

/// The key of the n-th class, or "" when the defaults run out.
pub fn default_key(n: usize) -> String {
    DEFAULT_KEYS.chars().nth(n).map(String::from).unwrap_or_default()
}

pub fn default_colour(n: usize) -> String {
    COLOURS[n % COLOURS.len()].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_skip_commands() {
        let keys: Vec<String> = (0..60).map(default_key).filter(|k| !k.is_empty()).collect();
        let set: std::collections::HashSet<_> = keys.iter().collect();
        assert_eq!(set.len(), keys.len());
        for reserved in RESERVED_KEYS.chars() {
            assert!(!keys.iter().any(|k| k.starts_with(reserved)), "{reserved} is a command key");
        }
        assert_eq!(default_key(0), "1");
        assert_eq!(default_key(9), "0");
        assert_eq!(default_key(10), "a");
    }
}
