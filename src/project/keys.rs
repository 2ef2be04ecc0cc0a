//! Default keys and colours for new classes.

/// Keys given to classes in order: digits first, then letters the Label pane does not use
/// for its own commands (h j k l move, q quits, s skips, u undoes, x clears, t grid, o order,
/// r review, v range, g/G first/last, J/K scroll, n more like this).
const DEFAULT_KEYS: &str = "1234567890abcdefimpwyzABCDEFILMNOPQRTVWYZ";

/// Keys the Label pane keeps for its own commands (moving, skipping, undo, grid, order,
/// review, range, first / last, scrolling, more like this, help, palette, search); a class
/// cannot take one.
pub const RESERVED_KEYS: &str = "hjklqsuxtorvgGJKn?:/ +=-";

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

/// Number words, in the order of the digits they name.
const NUMBER_WORDS: [&str; 10] = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

/// The number a class name says: `7`, `seven`, `Seven`.
fn number_of(name: &str) -> Option<u64> {
    let name = name.trim();
    name.parse::<u64>()
        .ok()
        .or_else(|| NUMBER_WORDS.iter().position(|w| name.eq_ignore_ascii_case(w)).map(|n| n as u64))
}

/// The key a class name asks for: a one-character name (a digit, or a letter the Label pane
/// does not keep) is its own key; a number word its digit.
pub fn named_key(name: &str) -> Option<char> {
    let mut chars = name.trim().chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_alphanumeric() && !RESERVED_KEYS.contains(c) => Some(c),
        _ => number_of(name).filter(|&n| n < 10).and_then(|n| char::from_digit(n as u32, 10)),
    }
}

/// Keys for classes in order: each name's own key where it asks for one (and no earlier
/// class took it), then the default keys not yet used, in their order.
pub fn keys_for(names: &[String]) -> Vec<String> {
    let mut used: Vec<char> = Vec::new();
    let mut keys: Vec<Option<char>> = names
        .iter()
        .map(|n| {
            let key = named_key(n).filter(|k| !used.contains(k))?;
            used.push(key);
            Some(key)
        })
        .collect();
    // Names that ask for a key keep it even when an earlier name's default would take it.
    let mut defaults = DEFAULT_KEYS.chars().filter(|k| !used.contains(k));
    for key in keys.iter_mut().filter(|k| k.is_none()) {
        *key = defaults.next();
    }
    keys.into_iter().map(|k| k.map(String::from).unwrap_or_default()).collect()
}

/// Class names found in the data, in the order a person counts them: by number when every
/// name is one (`0`…`10`, `zero`…`nine`), else in natural order (`class2` before `class10`).
pub fn order_found(names: &mut [String]) {
    if !names.is_empty() && names.iter().all(|n| number_of(n).is_some()) {
        names.sort_by_key(|n| number_of(n));
    } else {
        names.sort_by(|a, b| crate::natural::compare(a, b));
    }
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

    fn names(list: &str) -> Vec<String> {
        list.split(',').map(String::from).collect()
    }

    #[test]
    fn classes_named_by_digits_or_number_words_get_those_keys() {
        assert_eq!(keys_for(&names("0,1,2,3,4,5,6,7,8,9")), names("0,1,2,3,4,5,6,7,8,9"));
        assert_eq!(keys_for(&names("zero,one,two,three")), names("0,1,2,3"));
        assert_eq!(keys_for(&names("cat,dog,bird")), names("1,2,3"), "other names keep the defaults");
        // A name that asks for a key keeps it; the others take the defaults left.
        assert_eq!(keys_for(&names("other,1,a")), names("2,1,a"));
        // Keys the Label pane keeps are never taken from a name.
        assert_eq!(keys_for(&names("q,s")), names("1,2"));
    }

    #[test]
    fn classes_found_in_the_data_are_counted_in_order() {
        let mut words = names("eight,five,four,nine,one,seven,six,three,two,zero");
        order_found(&mut words);
        assert_eq!(words, names("zero,one,two,three,four,five,six,seven,eight,nine"));
        let mut numbered = names("10,2,1");
        order_found(&mut numbered);
        assert_eq!(numbered, names("1,2,10"));
        let mut mixed = names("class10,class2,bird");
        order_found(&mut mixed);
        assert_eq!(mixed, names("bird,class2,class10"));
    }
}
