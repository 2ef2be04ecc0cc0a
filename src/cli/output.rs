//! Writing to stdout and stderr: a closed pipe (`| head`) ends the program quietly, and
//! errors are one line.

use std::io::Write;

use kindling::Error;

/// Prints to stdout; exits quietly when the reader has gone away.
pub fn print(text: &str) {
    print_bytes(text.as_bytes());
}

pub fn print_bytes(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(bytes).and_then(|_| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("kindling: cannot write to stdout: {e}");
        std::process::exit(1);
    }
}

pub fn print_json(value: &impl serde::Serialize) {
    match serde_json::to_string_pretty(value) {
        Ok(s) => print(&format!("{s}\n")),
        Err(e) => fail(&Error::internal(e.to_string())),
    }
}

pub fn fail(e: &Error) -> ! {
    eprintln!("kindling: {e}");
    std::process::exit(e.exit_code());
}

/// `n` and the noun that agrees with it: `1 label`, `2 labels`.
pub fn count(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// `-o -` means standard output, as everywhere a file is written.
pub fn file_or_stdout(output: Option<&std::path::Path>) -> Option<&std::path::Path> {
    output.filter(|p| *p != std::path::Path::new("-"))
}

/// `n` as a percentage of `total`, for people.
pub fn percent(n: u64, total: u64) -> String {
    if total == 0 { "0%".into() } else { format!("{:.1}%", n as f64 * 100.0 / total as f64) }
}

/// A bar of `width` cells for `n` out of `max`.
pub fn bar(n: u64, max: u64, width: usize) -> String {
    let cells = if max == 0 { 0 } else { ((n as f64 / max as f64) * width as f64).round() as usize };
    "█".repeat(cells.min(width))
}
