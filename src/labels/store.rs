//! The label store: an append-only log of label events in SQLite, and the current label of
//! every sample derived from it in the same transaction. Every write is committed (WAL,
//! `synchronous=FULL`) before the call returns; undo appends an event, it never deletes.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use crate::error::{Error, Result};

pub const LABELS_FILE: &str = "labels.db";
const SCHEMA_VERSION: i64 = 5;

/// Where a label event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    Keyboard,
    Import,
    Bulk,
    Cli,
    /// The live model's suggestion, accepted with one key.
    Accepted,
    /// A class was renamed, merged into another or removed (`kindling classes`).
    Rename,
    Merge,
    Remove,
    /// An answer to a blind re-ask of a labelled sample (`[qa] echo`): kept beside the label,
    /// never changing it.
    Echo,
    /// An answer to a gold sample, scored against its known answer; changes no label.
    Gold,
    /// A label settled in the review queue.
    Review,
}

impl Origin {
    pub fn name(self) -> &'static str {
        match self {
            Origin::Keyboard => "keyboard",
            Origin::Import => "import",
            Origin::Bulk => "bulk",
            Origin::Cli => "cli",
            Origin::Accepted => "accepted",
            Origin::Rename => "rename",
            Origin::Merge => "merge",
            Origin::Remove => "remove",
            Origin::Echo => "echo",
            Origin::Gold => "gold",
            Origin::Review => "review",
        }
    }

    const ALL: [Origin; 11] = [
        Origin::Keyboard,
        Origin::Import,
        Origin::Bulk,
        Origin::Cli,
        Origin::Accepted,
        Origin::Rename,
        Origin::Merge,
        Origin::Remove,
        Origin::Echo,
        Origin::Gold,
        Origin::Review,
    ];

    /// An answer to a re-ask (echo or gold): kept in the log, changing no label.
    pub fn is_answer(self) -> bool {
        matches!(self, Origin::Echo | Origin::Gold)
    }

    /// Labels given by the labeller themselves, one sample at a time: what an echo re-asks.
    pub fn is_own(self) -> bool {
        matches!(self, Origin::Keyboard | Origin::Cli | Origin::Accepted | Origin::Review)
    }

    fn parse(s: &str) -> Option<Origin> {
        Origin::ALL.into_iter().find(|o| o.name() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelEvent {
    pub seq: i64,
    pub sample_id: String,
    /// `None` clears the label.
    pub label: Option<String>,
    pub time_ms: i64,
    pub origin: Origin,
    pub session: String,
    /// The event this one reverts, for undo events.
    pub undoes: Option<i64>,
    /// The class change this event is part of (`kindling classes`), if any.
    pub change: Option<i64>,
}

/// What an undo did: the sample and the label it has again.
#[derive(Debug, Clone, PartialEq)]
pub struct Undone {
    pub sample_id: String,
    pub restored: Option<String>,
}

pub struct LabelStore {
    conn: Connection,
    session: String,
}

/// The events table: every label change, never rewritten.
const EVENTS: &str = "
CREATE TABLE events (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    sample_id TEXT    NOT NULL,
    label     TEXT,
    time_ms   INTEGER NOT NULL,
    origin    TEXT    NOT NULL CHECK (origin IN
                      ('keyboard', 'import', 'bulk', 'cli', 'accepted', 'rename', 'merge', 'remove',
                       'echo', 'gold', 'review')),
    session   TEXT    NOT NULL,
    undoes    INTEGER REFERENCES events(seq),
    change    INTEGER REFERENCES changes(id)
);";

/// Class changes (`kindling classes`): what changed and the class list before it, which an
/// undo of the change restores; their label events point at them.
const CHANGES: &str = "
CREATE TABLE IF NOT EXISTS changes (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    time_ms        INTEGER NOT NULL,
    session        TEXT    NOT NULL,
    what           TEXT    NOT NULL,
    classes_before TEXT    NOT NULL,
    last_seq       INTEGER NOT NULL,
    undoes         INTEGER REFERENCES changes(id)
);";

const SCHEMA: &str = "
CREATE INDEX events_by_sample ON events(sample_id, seq);
CREATE INDEX events_by_session ON events(session, seq);
CREATE TABLE current (
    sample_id TEXT PRIMARY KEY,
    label     TEXT    NOT NULL,
    seq       INTEGER NOT NULL
);
";

impl LabelStore {
    /// Creates a new, empty store; fails if the file exists.
    pub fn create(path: &Path) -> Result<LabelStore> {
        if path.exists() {
            return Err(Error::file(path, "already exists; refusing to overwrite labels"));
        }
        let store = Self::connect(path)?;
        store.conn.execute_batch(&format!("{CHANGES}{EVENTS}{SCHEMA}{}{}", qa::TABLES, boxes::TABLES))?;
        store.conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        Ok(store)
    }

    /// Version 1 knew four origins; version 2 added `accepted`; version 3 the class changes
    /// (their origins, the `change` column and the `changes` table); version 4 the answers
    /// of label QA (origins `echo`, `gold`, `review`, the gold answers and the pending asks);
    /// version 5 the boxes of detection projects (their own tables). SQLite changes a CHECK
    /// only by copying the table, done here in one transaction: the events are copied whole
    /// or not at all.
    fn migrate(&mut self, from: i64) -> Result<()> {
        let columns = match from {
            ..=2 => "seq, sample_id, label, time_ms, origin, session, undoes",
            _ => "seq, sample_id, label, time_ms, origin, session, undoes, change",
        };
        let copy_events = if from < 4 {
            format!(
                "ALTER TABLE events RENAME TO events_old;
                 {CHANGES}
                 {EVENTS}
                 INSERT INTO events ({columns}) SELECT {columns} FROM events_old;
                 DROP TABLE events_old;
                 CREATE INDEX IF NOT EXISTS events_by_sample ON events(sample_id, seq);
                 CREATE INDEX IF NOT EXISTS events_by_session ON events(session, seq);"
            )
        } else {
            String::new()
        };
        self.conn.pragma_update(None, "foreign_keys", "OFF")?;
        let tx = self.conn.transaction()?;
        tx.execute_batch(&format!(
            "{copy_events}
             {}
             {}
             PRAGMA user_version = {SCHEMA_VERSION};",
            qa::TABLES,
            boxes::TABLES
        ))?;
        tx.commit()?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        Ok(())
    }

    pub fn open(path: &Path) -> Result<LabelStore> {
        if !path.is_file() {
            return Err(Error::file(
                path,
                "is missing; a project keeps its labels there (restore it from a backup, or re-run `kindling init` in a new folder)",
            ));
        }
        let mut store = Self::connect(path)?;
        let version: i64 = store
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| Error::file(path, format!("is not a Kindling label store ({e})")))?;
        if (1..SCHEMA_VERSION).contains(&version) {
            store
                .migrate(version)
                .map_err(|e| Error::file(path, format!("cannot bring the label store up to date: {e}")))?;
        } else if version != SCHEMA_VERSION {
            return Err(Error::file(
                path,
                format!("has label-store version {version}; this Kindling reads version {SCHEMA_VERSION}"),
            ));
        }
        Ok(store)
    }

    fn connect(path: &Path) -> Result<LabelStore> {
        let conn = Connection::open(path).map_err(|e| Error::file(path, e))?;
        conn.busy_timeout(Duration::from_secs(10))?;
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .map_err(|e| Error::file(path, format!("is not a Kindling label store ({e})")))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::file(path, format!("cannot use write-ahead logging (journal mode {mode})")));
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let session = format!("{}-{}", std::process::id(), now_ms());
        Ok(LabelStore { conn, session })
    }

    pub fn session(&self) -> &str {
        &self.session
    }

    /// Sets (or with `None` clears) one sample's label, committed before returning.
    pub fn set(&mut self, sample_id: &str, label: Option<&str>, origin: Origin) -> Result<i64> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let seq = append(&tx, &self.session, sample_id, label, origin, None, None)?;
        tx.commit()?;
        Ok(seq)
    }

    /// Applies many labels as one transaction: all of them or none. Returns how many events
    /// were written (a sample that already has the label gets no event).
    pub fn set_many<'a>(
        &mut self,
        items: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
        origin: Origin,
    ) -> Result<usize> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut written = 0;
        for (id, label) in items {
            if current_label(&tx, id)?.as_deref() == label {
                continue;
            }
            append(&tx, &self.session, id, label, origin, None, None)?;
            written += 1;
        }
        tx.commit()?;
        Ok(written)
    }

    /// Reverts this session's latest label event not yet undone (class changes are undone
    /// whole, by `undo_latest`), by appending an event that
    /// gives the sample back the label it had before. `None` when there is nothing to undo.
    pub fn undo(&mut self) -> Result<Option<Undone>> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let target: Option<(i64, String, String)> = tx
            .query_row(
                "SELECT seq, sample_id, origin FROM events e
                 WHERE session = ?1 AND undoes IS NULL AND change IS NULL
                   AND NOT EXISTS (SELECT 1 FROM events u WHERE u.undoes = e.seq)
                 ORDER BY seq DESC LIMIT 1",
                params![self.session],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((seq, sample_id, origin)) = target else { return Ok(None) };
        let origin = Origin::parse(&origin).unwrap_or(Origin::Keyboard);
        let before = changes::revert(&tx, &self.session, seq, &sample_id, origin, None)?;
        tx.commit()?;
        Ok(Some(Undone { sample_id, restored: before }))
    }

    pub fn get(&self, sample_id: &str) -> Result<Option<String>> {
        current_label(&self.conn, sample_id)
    }

    /// Every labelled sample and its label, ordered by sample id.
    pub fn current(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare("SELECT sample_id, label FROM current ORDER BY sample_id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Calls `each` on every labelled sample and its label, in no set order, without
    /// copying either (a run reads tens of thousands).
    pub fn each_current(&self, mut each: impl FnMut(&str, &str)) -> Result<()> {
        let mut stmt = self.conn.prepare("SELECT sample_id, label FROM current")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let text =
                |i: usize| row.get_ref(i)?.as_str().map_err(|e| Error::internal(format!("a label store text: {e}")));
            each(text(0)?, text(1)?);
        }
        Ok(())
    }

    pub fn events(&self) -> Result<Vec<LabelEvent>> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, sample_id, label, time_ms, origin, session, undoes, change FROM events ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| {
            let origin: String = r.get(4)?;
            Ok(LabelEvent {
                seq: r.get(0)?,
                sample_id: r.get(1)?,
                label: r.get(2)?,
                time_ms: r.get(3)?,
                origin: Origin::parse(&origin).unwrap_or(Origin::Cli),
                session: r.get(5)?,
                undoes: r.get(6)?,
                change: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Label events so far: what changes when labels do (the answers to echoes and gold
    /// samples change no label and are not counted).
    pub fn event_count(&self) -> Result<u64> {
        let sql = "SELECT COUNT(*) FROM events WHERE origin NOT IN ('echo', 'gold')";
        Ok(self.conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64)
    }

    pub fn labelled_count(&self) -> Result<u64> {
        Ok(self.conn.query_row("SELECT COUNT(*) FROM current", [], |r| r.get::<_, i64>(0))? as u64)
    }

    pub fn count_per_label(&self) -> Result<BTreeMap<String, u64>> {
        self.grouped("SELECT label, COUNT(*) FROM current GROUP BY label")
    }

    pub fn count_per_origin(&self) -> Result<BTreeMap<String, u64>> {
        self.grouped("SELECT origin, COUNT(*) FROM events GROUP BY origin")
    }

    pub fn last_event_time_ms(&self) -> Result<Option<i64>> {
        Ok(self.conn.query_row("SELECT MAX(time_ms) FROM events", [], |r| r.get(0))?)
    }

    fn grouped(&self, sql: &str) -> Result<BTreeMap<String, u64>> {
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Appends one label event (part of class change `change`, if any) and updates the current
/// label of its sample — unless it is an answer to an echo or a gold sample, which changes no
/// label.
fn append(
    conn: &Connection,
    session: &str,
    sample_id: &str,
    label: Option<&str>,
    origin: Origin,
    undoes: Option<i64>,
    change: Option<i64>,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO events (sample_id, label, time_ms, origin, session, undoes, change)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![sample_id, label, now_ms(), origin.name(), session, undoes, change])?;
    let seq = conn.last_insert_rowid();
    if origin.is_answer() {
        return Ok(seq);
    }
    match label {
        Some(l) => conn
            .prepare_cached(
                "INSERT INTO current (sample_id, label, seq) VALUES (?1, ?2, ?3)
                 ON CONFLICT(sample_id) DO UPDATE SET label = excluded.label, seq = excluded.seq",
            )?
            .execute(params![sample_id, l, seq])?,
        None => conn.prepare_cached("DELETE FROM current WHERE sample_id = ?1")?.execute(params![sample_id])?,
    };
    Ok(seq)
}

fn current_label(conn: &Connection, sample_id: &str) -> Result<Option<String>> {
    let mut stmt = conn.prepare_cached("SELECT label FROM current WHERE sample_id = ?1")?;
    Ok(stmt.query_row(params![sample_id], |r| r.get(0)).optional()?)
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// The current labels that replaying `events` in order gives.
pub fn replay(events: &[LabelEvent]) -> BTreeMap<String, String> {
    let mut view = BTreeMap::new();
    for e in events.iter().filter(|e| !e.origin.is_answer()) {
        match &e.label {
            Some(l) => view.insert(e.sample_id.clone(), l.clone()),
            None => view.remove(&e.sample_id),
        };
    }
    view
}

mod boxes;
mod changes;
mod qa;
pub use boxes::{BoxUndone, LabelBox, Rect};
pub use changes::{ChangeUndone, Latest};
pub use qa::Ask;

#[cfg(test)]
mod tests;
