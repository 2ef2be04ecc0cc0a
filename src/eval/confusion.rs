//! The confusion matrix: rows are the given classes, columns the predicted ones.

use std::path::Path;

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq)]
pub struct Confusion {
    pub classes: Vec<String>,
    /// `counts[given][predicted]`.
    pub counts: Vec<Vec<u64>>,
}

impl Confusion {
    pub fn new(classes: &[String], given: &[usize], predicted: &[usize]) -> Confusion {
        let mut counts = vec![vec![0; classes.len()]; classes.len()];
        given.iter().zip(predicted).for_each(|(g, p)| counts[*g][*p] += 1);
        Confusion { classes: classes.to_vec(), counts }
    }

    /// `confusion.csv`: a header `given,<class>...`, then one row per given class.
    pub fn write_csv(&self, path: &Path) -> Result<()> {
        let mut w = csv::Writer::from_path(path).map_err(|e| Error::file(path, e))?;
        let header = std::iter::once("given").chain(self.classes.iter().map(String::as_str));
        w.write_record(header).map_err(|e| Error::file(path, e))?;
        for (class, row) in self.classes.iter().zip(&self.counts) {
            let record = std::iter::once(class.clone()).chain(row.iter().map(u64::to_string));
            w.write_record(record).map_err(|e| Error::file(path, e))?;
        }
        w.flush().map_err(|e| Error::file(path, e))
    }

    pub fn read_csv(path: &Path) -> Result<Confusion> {
        let mut r = csv::Reader::from_path(path).map_err(|e| Error::file(path, e))?;
        let bad = |line: usize, what: &str| Error::file(path, format!("line {line}: {what}"));
        let classes: Vec<String> =
            r.headers().map_err(|e| Error::file(path, e))?.iter().skip(1).map(str::to_string).collect();
        let mut counts = Vec::new();
        for (n, record) in r.records().enumerate() {
            let record = record.map_err(|e| Error::file(path, e))?;
            let row: Vec<u64> = record
                .iter()
                .skip(1)
                .map(|v| v.parse().map_err(|_| bad(n + 2, &format!("'{v}' is not a count"))))
                .collect::<Result<_>>()?;
            if row.len() != classes.len() {
                return Err(bad(n + 2, "has a different number of columns than the header"));
            }
            counts.push(row);
        }
        Ok(Confusion { classes, counts })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_round_trips_through_csv() {
        let classes: Vec<String> = ["cat", "dog"].map(String::from).to_vec();
        let c = Confusion::new(&classes, &[0, 0, 1, 1, 1], &[0, 1, 1, 1, 0]);
        assert_eq!(c.counts, vec![vec![1, 1], vec![1, 2]]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("confusion.csv");
        c.write_csv(&path).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "given,cat,dog\ncat,1,1\ndog,1,2\n");
        assert_eq!(Confusion::read_csv(&path).unwrap(), c);
    }
}
