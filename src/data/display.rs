//! How values are shown on screen: a float rounded to a fixed number of significant
//! digits (never cut), so that a column of them reads at a glance; the value itself is
//! kept whole and shown in full where there is room for one value.

/// Significant digits of a float as shown in a grid or a card.
pub const SIGNIFICANT: usize = 7;

/// `text`, a float as read from the table, rounded to `SIGNIFICANT` digits; text that is
/// not a number is returned as it is.
pub fn float(text: &str) -> String {
    match text.trim().parse::<f64>() {
        Ok(v) => rounded(v),
        Err(_) => text.to_string(),
    }
}

/// `v` with `SIGNIFICANT` significant digits, trailing zeros dropped, in plain notation
/// from 1e-4 up to 1e7 and scientific outside it (as C's `%.7g`).
pub fn rounded(v: f64) -> String {
    if !v.is_finite() {
        return if v.is_nan() {
            "NaN".into()
        } else if v > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    if v == 0.0 {
        return "0".into();
    }
    // Round first: the exponent of 9999999.6 is that of 1.0e7 once rounded.
    let scientific = format!("{:.*e}", SIGNIFICANT - 1, v);
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if (-4..SIGNIFICANT as i32).contains(&exponent) {
        let decimals = (SIGNIFICANT as i32 - 1 - exponent).max(0) as usize;
        trim_zeros(format!("{v:.decimals$}"))
    } else {
        format!("{}e{exponent}", trim_zeros(mantissa.to_string()))
    }
}

fn trim_zeros(s: String) -> String {
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_keep_seven_significant_digits() {
        assert_eq!(float("-2.1422038"), "-2.142204");
        assert_eq!(float("-0.0569"), "-0.0569");
        assert_eq!(float("142.85714285714286"), "142.8571");
        assert_eq!(float("3.0"), "3");
        assert_eq!(float("1234567.89"), "1234568");
        assert_eq!(float("9999999.6"), "1e7");
        assert_eq!(float("123456789012.5"), "1.234568e11");
        assert_eq!(float("0.000123456789"), "0.0001234568");
        assert_eq!(float("0.0000123456789"), "1.234568e-5");
        assert_eq!(float("6.02214076e23"), "6.022141e23");
        assert_eq!(float("-0"), "0");
        assert_eq!(float("NaN"), "NaN");
        assert_eq!(float("-inf"), "-inf");
        assert_eq!(float("n/a"), "n/a", "not a number: shown as it is");
    }

    #[test]
    fn rounding_never_moves_a_value_by_more_than_half_a_unit_in_the_last_digit() {
        for v in [1.0e-3, 0.33333333, 2.0f64.sqrt() * 1e9, -98765.4321, 1e14 + 0.5, 5e-5] {
            let shown: f64 = rounded(v).parse().unwrap();
            let relative = ((shown - v) / v).abs();
            assert!(relative <= 5e-7, "{v} shown as {}", rounded(v));
        }
    }
}
