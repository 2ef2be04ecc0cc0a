//! One error type for the whole library: a single readable line, and whether the user
//! can fix it (bad input → exit status 2) or it is our fault / the machine's (exit 1).

use std::fmt;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad input: a path, a file, a value, an id. The message says what to do.
    User,
    /// Something outside the user's control failed (disk full, a bug).
    Internal,
}

#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn user(message: impl Into<String>) -> Self {
        Error { kind: ErrorKind::User, message: message.into() }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Error { kind: ErrorKind::Internal, message: message.into() }
    }

    /// A problem with one file: `path: message`.
    pub fn file(path: &Path, message: impl fmt::Display) -> Self {
        Error::user(format!("{}: {message}", path.display()))
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// Prefixes the message with where it happened, keeping the kind.
    pub fn context(self, what: impl fmt::Display) -> Self {
        Error { kind: self.kind, message: format!("{what}: {}", self.message) }
    }

    /// Process exit status for this error.
    pub fn exit_code(&self) -> i32 {
        match self.kind {
            ErrorKind::User => 2,
            ErrorKind::Internal => 1,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Library errors (polars, sqlite) may carry newlines; keep the promise of one line.
        let one_line = self.message.split_whitespace().collect::<Vec<_>>().join(" ");
        f.write_str(&one_line)
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::internal(e.to_string())
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::internal(format!("label store: {e}"))
    }
}

impl From<polars::prelude::PolarsError> for Error {
    fn from(e: polars::prelude::PolarsError) -> Self {
        Error::user(e.to_string())
    }
}

/// `.context(..)` on any result whose error converts into ours.
pub trait ResultExt<T> {
    fn context(self, what: impl fmt::Display) -> Result<T>;
    /// Failure is the user's to fix (a path they gave, a file they own).
    fn user_context(self, what: impl fmt::Display) -> Result<T>;
}

impl<T, E: Into<Error>> ResultExt<T> for std::result::Result<T, E> {
    fn context(self, what: impl fmt::Display) -> Result<T> {
        self.map_err(|e| e.into().context(what))
    }

    fn user_context(self, what: impl fmt::Display) -> Result<T> {
        self.map_err(|e| {
            let e = e.into();
            Error::user(format!("{what}: {}", e.message))
        })
    }
}

/// A TOML error as one line that names the line of the file.
pub fn toml_error(text: &str, e: &toml::de::Error) -> Error {
    let line = e.span().map(|s| text[..s.start.min(text.len())].lines().count().max(1));
    let what = e.message().trim_end_matches('.');
    match line {
        Some(n) => Error::user(format!("line {n}: {what}; fix the file by hand")),
        None => Error::user(format!("{what}; fix the file by hand")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_one_line() {
        let e = Error::user("first\nsecond\n  third");
        assert_eq!(e.to_string(), "first second third");
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn context_keeps_kind() {
        let r: Result<()> = Err(Error::internal("disk full"));
        let e = r.context("writing labels.db").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Internal);
        assert_eq!(e.message(), "writing labels.db: disk full");
    }
}
