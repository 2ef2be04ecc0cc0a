//! Class changes in the label store: a rename, merge or removal of classes writes its label
//! events and a note of the change (with the class list before it) in one transaction, so
//! that the event log explains every current label and an undo takes the change back whole.

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{LabelStore, Origin, Undone, append, now_ms};
use crate::error::Result;

/// An undone class change: what it was, the class list to restore (JSON, as written by the
/// caller) and how many labels went back.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeUndone {
    pub what: String,
    pub classes_before: String,
    pub labels: usize,
}

/// What `undo_latest` took back.
#[derive(Debug, Clone, PartialEq)]
pub enum Latest {
    Label(Undone),
    Change(ChangeUndone),
}

impl LabelStore {
    /// Records a class change — `what` it was, the class list before it, and the labels it
    /// changes (`None` clears one) — in one transaction. Returns the events written (a
    /// sample that already has its new label gets none).
    pub fn record_change(
        &mut self,
        what: &str,
        classes_before: &str,
        relabel: &[(String, Option<String>)],
        origin: Origin,
    ) -> Result<usize> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO changes (time_ms, session, what, classes_before, last_seq) VALUES (?1, ?2, ?3, ?4, 0)",
            params![now_ms(), self.session, what, classes_before],
        )?;
        let change = tx.last_insert_rowid();
        let mut written = 0;
        for (id, label) in relabel {
            if super::current_label(&tx, id)? == *label {
                continue;
            }
            append(&tx, &self.session, id, label.as_deref(), origin, None, Some(change))?;
            written += 1;
        }
        mark_last_seq(&tx, change)?;
        tx.commit()?;
        Ok(written)
    }

    /// Takes back the latest label event or class change not undone yet, from any session
    /// (`kindling labels undo`): a class change as a whole. `None` when there is nothing.
    pub fn undo_latest(&mut self) -> Result<Option<Latest>> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let event: Option<(i64, String, String)> = tx
            .query_row(
                "SELECT seq, sample_id, origin FROM events e
                 WHERE undoes IS NULL AND change IS NULL
                   AND NOT EXISTS (SELECT 1 FROM events u WHERE u.undoes = e.seq)
                 ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let change: Option<(i64, i64, String, String)> = tx
            .query_row(
                "SELECT id, last_seq, what, classes_before FROM changes c
                 WHERE undoes IS NULL AND NOT EXISTS (SELECT 1 FROM changes u WHERE u.undoes = c.id)
                 ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        // A change is later than an event when the events up to its last one were written
        // before it was (its own events included).
        let latest = match (event, change) {
            (Some(e), Some(c)) if e.0 > c.1 => Some(Ok(e)),
            (_, Some(c)) => Some(Err(c)),
            (Some(e), None) => Some(Ok(e)),
            (None, None) => None,
        };
        let undone = match latest {
            None => None,
            Some(Ok((seq, sample_id, origin))) => {
                let origin = Origin::parse(&origin).unwrap_or(Origin::Cli);
                let restored = revert(&tx, &self.session, seq, &sample_id, origin, None)?;
                Some(Latest::Label(Undone { sample_id, restored }))
            }
            Some(Err((id, _, what, classes_before))) => {
                tx.execute(
                    "INSERT INTO changes (time_ms, session, what, classes_before, last_seq, undoes)
                     VALUES (?1, ?2, ?3, '', 0, ?4)",
                    params![now_ms(), self.session, format!("undo: {what}"), id],
                )?;
                let undo = tx.last_insert_rowid();
                let events: Vec<(i64, String, String)> = {
                    let mut stmt =
                        tx.prepare("SELECT seq, sample_id, origin FROM events WHERE change = ?1 ORDER BY seq DESC")?;
                    let rows = stmt.query_map(params![id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
                    rows.collect::<rusqlite::Result<_>>()?
                };
                for (seq, sample_id, origin) in &events {
                    let origin = Origin::parse(origin).unwrap_or(Origin::Cli);
                    revert(&tx, &self.session, *seq, sample_id, origin, Some(undo))?;
                }
                mark_last_seq(&tx, undo)?;
                Some(Latest::Change(ChangeUndone { what, classes_before, labels: events.len() }))
            }
        };
        tx.commit()?;
        Ok(undone)
    }

    /// Every class change so far, oldest first: (what, whether it was undone).
    pub fn changes(&self) -> Result<Vec<(String, bool)>> {
        let mut stmt = self.conn.prepare(
            "SELECT what, EXISTS (SELECT 1 FROM changes u WHERE u.undoes = c.id) FROM changes c
             WHERE undoes IS NULL ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Appends the event that gives the sample of event `seq` the label it had before it.
pub(super) fn revert(
    tx: &rusqlite::Transaction,
    session: &str,
    seq: i64,
    sample_id: &str,
    origin: Origin,
    change: Option<i64>,
) -> Result<Option<String>> {
    if origin.is_answer() {
        // An answer is withdrawn by an empty answer pointing at it (the label never moved),
        // and its re-ask waits again.
        append(tx, session, sample_id, None, origin, Some(seq), change)?;
        tx.execute(
            "INSERT OR IGNORE INTO asks (sample_id, kind, time_ms) VALUES (?1, ?2, ?3)",
            params![sample_id, origin.name(), now_ms()],
        )?;
        return super::current_label(tx, sample_id);
    }
    let before: Option<String> = tx
        .query_row(
            "SELECT label FROM events WHERE sample_id = ?1 AND seq < ?2 AND origin NOT IN ('echo', 'gold')
             ORDER BY seq DESC LIMIT 1",
            params![sample_id, seq],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    append(tx, session, sample_id, before.as_deref(), origin, Some(seq), change)?;
    Ok(before)
}

fn mark_last_seq(tx: &rusqlite::Transaction, change: i64) -> Result<()> {
    tx.execute(
        "UPDATE changes SET last_seq = (SELECT COALESCE(MAX(seq), 0) FROM events) WHERE id = ?1",
        params![change],
    )?;
    Ok(())
}
