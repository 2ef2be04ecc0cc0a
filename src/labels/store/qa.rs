//! What label QA keeps in the store: the gold samples' known answers, and the re-asks shown
//! but not answered yet (`asks`), so that a script that asks for its queue twice before
//! answering meets the same re-asks, and an answer given to one is known for what it is.
//! The answers themselves are events (origins `echo` and `gold`) that change no label.

use std::collections::BTreeMap;

use rusqlite::{TransactionBehavior, params};

use super::{LabelStore, Origin, append, now_ms};
use crate::error::Result;

/// The tables of version 4.
pub(super) const TABLES: &str = "
CREATE TABLE IF NOT EXISTS gold (
    sample_id TEXT PRIMARY KEY,
    label     TEXT    NOT NULL,
    time_ms   INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS asks (
    sample_id TEXT PRIMARY KEY,
    kind      TEXT    NOT NULL CHECK (kind IN ('echo', 'gold')),
    time_ms   INTEGER NOT NULL
);";

/// A re-ask shown to the labeller and not answered yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    Echo,
    Gold,
}

impl Ask {
    fn name(self) -> &'static str {
        match self {
            Ask::Echo => "echo",
            Ask::Gold => "gold",
        }
    }

    /// The origin of its answer.
    pub fn origin(self) -> Origin {
        match self {
            Ask::Echo => Origin::Echo,
            Ask::Gold => Origin::Gold,
        }
    }
}

impl LabelStore {
    /// Sets aside `rows` (sample, known answer) as gold, in one transaction; a sample already
    /// gold takes the new answer. Returns how many were written.
    pub fn set_gold(&mut self, rows: &[(String, String)]) -> Result<usize> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let now = now_ms();
        for (id, label) in rows {
            tx.prepare_cached(
                "INSERT INTO gold (sample_id, label, time_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT(sample_id) DO UPDATE SET label = excluded.label, time_ms = excluded.time_ms",
            )?
            .execute(params![id, label, now])?;
        }
        tx.commit()?;
        Ok(rows.len())
    }

    /// The gold samples and their known answers.
    pub fn gold(&self) -> Result<BTreeMap<String, String>> {
        let mut stmt = self.conn.prepare("SELECT sample_id, label FROM gold")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Notes re-asks as shown (a sample already waiting keeps its first note).
    pub fn ask(&mut self, asks: &[(String, Ask)]) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let now = now_ms();
        for (id, kind) in asks {
            tx.prepare_cached("INSERT OR IGNORE INTO asks (sample_id, kind, time_ms) VALUES (?1, ?2, ?3)")?
                .execute(params![id, kind.name(), now])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The re-asks waiting for an answer, oldest first.
    pub fn asks(&self) -> Result<Vec<(String, Ask)>> {
        let mut stmt = self.conn.prepare("SELECT sample_id, kind FROM asks ORDER BY time_ms, sample_id")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let kind = |k: &str| if k == "gold" { Ask::Gold } else { Ask::Echo };
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?.into_iter().map(|(id, k)| (id, kind(&k))).collect())
    }

    /// The re-ask waiting on `sample_id`, if any.
    pub fn asked(&self, sample_id: &str) -> Result<Option<Ask>> {
        Ok(self.asks()?.into_iter().find(|(id, _)| id == sample_id).map(|(_, kind)| kind))
    }

    /// Records the answer to the re-ask waiting on `sample_id`, and that it is answered, in
    /// one transaction. The label stays as it is.
    pub fn answer(&mut self, sample_id: &str, label: &str, kind: Ask) -> Result<i64> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let seq = append(&tx, &self.session, sample_id, Some(label), kind.origin(), None, None)?;
        tx.execute("DELETE FROM asks WHERE sample_id = ?1", params![sample_id])?;
        tx.commit()?;
        Ok(seq)
    }
}
