//! "Natural" ordering, so that `img2` sorts before `img10` and class `9` before `10`.

use std::cmp::Ordering;

pub fn compare(a: &str, b: &str) -> Ordering {
    // The common start decides nothing (ids like `circle_00017.png` share most of it), but a
    // run of digits it ends inside is compared whole, as a number.
    let mut start = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while start > 0 && (!a.is_char_boundary(start) || !b.is_char_boundary(start)) {
        start -= 1;
    }
    while start > 0 && a.as_bytes()[start - 1].is_ascii_digit() {
        start -= 1;
    }
    compare_from(&a[start..], &b[start..])
}

fn compare_from(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        match (a.chars().next(), b.chars().next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (na, ra) = split_digits(a);
                let (nb, rb) = split_digits(b);
                let ta = na.trim_start_matches('0');
                let tb = nb.trim_start_matches('0');
                let ord = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb)).then_with(|| na.len().cmp(&nb.len()));
                if ord != Ordering::Equal {
                    return ord;
                }
                a = ra;
                b = rb;
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(&y);
                }
                a = &a[x.len_utf8()..];
                b = &b[y.len_utf8()..];
            }
        }
    }
}

fn split_digits(s: &str) -> (&str, &str) {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s.split_at(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_sort_by_value() {
        let mut v = vec!["img10.png", "img2.png", "img1.png", "a", "img02.png"];
        v.sort_by(|a, b| compare(a, b));
        assert_eq!(v, ["a", "img1.png", "img2.png", "img02.png", "img10.png"]);
    }

    #[test]
    fn skipping_the_common_start_changes_no_order() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let pieces = ["0", "00", "1", "7", "10", "9", "a", "b", "_", "é", "è", "img", "x.png"];
        let mut word =
            || (0..rng.random_range(0..6)).map(|_| pieces[rng.random_range(0..pieces.len())]).collect::<String>();
        for _ in 0..20_000 {
            let (prefix, a, b) = (word(), word(), word());
            let (a, b) = (format!("{prefix}{a}"), format!("{prefix}{b}"));
            assert_eq!(compare(&a, &b), compare_from(&a, &b), "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn plain_text_sorts_like_str() {
        assert_eq!(compare("cat", "dog"), Ordering::Less);
        assert_eq!(compare("cat", "cat"), Ordering::Equal);
        assert_eq!(compare("cats", "cat"), Ordering::Greater);
    }
}
