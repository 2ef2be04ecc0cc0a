//! The boxes of a detection project: a log of box edits (`box_events`) and the boxes it
//! gives now (`boxes`), plus which images are marked done, kept in the same transaction.
//! Every edit writes a box's whole state (class and rectangle, or gone), so an undo appends
//! the state the box had before; nothing is rewritten.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use super::{LabelStore, Origin, now_ms};
use crate::error::{Error, Result};

/// The tables of version 5. A row of `box_events` with no `box` is an image's done mark
/// (`class` `done`, or NULL for not done).
pub(super) const TABLES: &str = "
CREATE TABLE IF NOT EXISTS box_events (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    sample_id TEXT    NOT NULL,
    box       INTEGER,
    class     TEXT,
    x         REAL,
    y         REAL,
    w         REAL,
    h         REAL,
    time_ms   INTEGER NOT NULL,
    origin    TEXT    NOT NULL,
    session   TEXT    NOT NULL,
    undoes    INTEGER REFERENCES box_events(seq)
);
CREATE INDEX IF NOT EXISTS box_events_by_box ON box_events(box, seq);
CREATE TABLE IF NOT EXISTS boxes (
    box       INTEGER PRIMARY KEY,
    sample_id TEXT    NOT NULL,
    class     TEXT    NOT NULL,
    x         REAL    NOT NULL,
    y         REAL    NOT NULL,
    w         REAL    NOT NULL,
    h         REAL    NOT NULL,
    seq       INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS boxes_by_sample ON boxes(sample_id);
CREATE TABLE IF NOT EXISTS images_done (
    sample_id TEXT PRIMARY KEY,
    seq       INTEGER NOT NULL
);";

const DONE: &str = "done";

const LABELLED_IMAGES: &str = "SELECT sample_id FROM boxes UNION SELECT sample_id FROM images_done";

/// A rectangle in pixels of the original image: left, top, width, height.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    /// Refuses what no image holds: a side not above zero, or a number that is not one.
    pub fn check(&self) -> std::result::Result<(), String> {
        let Rect { x, y, w, h } = *self;
        if ![x, y, w, h].iter().all(|v| v.is_finite()) {
            return Err(format!("a box must have finite coordinates, not {x}, {y}, {w}, {h}"));
        }
        if w <= 0.0 || h <= 0.0 {
            return Err(format!("a box must be wider and taller than 0 pixels, not {w}×{h}"));
        }
        Ok(())
    }
}

/// One box as it is now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelBox {
    /// Stable over edits: the box a move or a class change applies to.
    pub id: i64,
    pub sample_id: String,
    pub class: String,
    #[serde(flatten)]
    pub rect: Rect,
}

/// What an undo of a box edit gave back.
#[derive(Debug, Clone, PartialEq)]
pub struct BoxUndone {
    pub sample_id: String,
    /// The box undone, or `None` for a done mark.
    pub box_id: Option<i64>,
}

/// The state one event writes: a box (class and rectangle, or gone), or a done mark.
#[derive(Debug, Clone, PartialEq)]
enum State {
    Box(i64, Option<(String, Rect)>),
    Done(bool),
}

impl LabelStore {
    /// Adds a box to `sample_id`; returns its id.
    pub fn add_box(&mut self, sample_id: &str, class: &str, rect: Rect, origin: Origin) -> Result<i64> {
        rect.check().map_err(Error::user)?;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id = next_box(&tx)?;
        write(&tx, &self.session, sample_id, &State::Box(id, Some((class.into(), rect))), origin, None)?;
        tx.commit()?;
        Ok(id)
    }

    /// Gives box `id` a new class and rectangle.
    pub fn change_box(&mut self, id: i64, class: &str, rect: Rect, origin: Origin) -> Result<()> {
        rect.check().map_err(Error::user)?;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let sample = box_sample(&tx, id)?;
        write(&tx, &self.session, &sample, &State::Box(id, Some((class.into(), rect))), origin, None)?;
        tx.commit()?;
        Ok(())
    }

    pub fn delete_box(&mut self, id: i64, origin: Origin) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let sample = box_sample(&tx, id)?;
        write(&tx, &self.session, &sample, &State::Box(id, None), origin, None)?;
        tx.commit()?;
        Ok(())
    }

    /// Marks an image done (every object in it boxed) or not.
    pub fn mark_done(&mut self, sample_id: &str, done: bool, origin: Origin) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        write(&tx, &self.session, sample_id, &State::Done(done), origin, None)?;
        tx.commit()?;
        Ok(())
    }

    /// Gives every sample in `boxes` exactly these boxes and marks it done, all in one
    /// transaction (an import): boxes it had are deleted, as events. Returns how many boxes
    /// were written.
    pub fn replace_boxes(&mut self, boxes: &BTreeMap<String, Vec<(String, Rect)>>, origin: Origin) -> Result<usize> {
        for (sample, list) in boxes {
            for (_, rect) in list {
                rect.check().map_err(|e| Error::user(format!("{sample}: {e}")))?;
            }
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut written = 0;
        for (sample, list) in boxes {
            for old in sample_boxes(&tx, sample)? {
                write(&tx, &self.session, sample, &State::Box(old.id, None), origin, None)?;
            }
            for (class, rect) in list {
                let id = next_box(&tx)?;
                write(&tx, &self.session, sample, &State::Box(id, Some((class.clone(), *rect))), origin, None)?;
                written += 1;
            }
            write(&tx, &self.session, sample, &State::Done(true), origin, None)?;
        }
        tx.commit()?;
        Ok(written)
    }

    /// Reverts this session's latest box edit or done mark not yet undone, by appending the
    /// state it replaced. `None` when there is nothing to undo.
    pub fn undo_box(&mut self) -> Result<Option<BoxUndone>> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let target: Option<(i64, String, Option<i64>, String)> = tx
            .query_row(
                "SELECT seq, sample_id, box, origin FROM box_events e
                 WHERE session = ?1 AND undoes IS NULL
                   AND NOT EXISTS (SELECT 1 FROM box_events u WHERE u.undoes = e.seq)
                 ORDER BY seq DESC LIMIT 1",
                params![self.session],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((seq, sample_id, box_id, origin)) = target else { return Ok(None) };
        let before = state_before(&tx, seq, &sample_id, box_id)?;
        let origin = Origin::parse(&origin).unwrap_or(Origin::Keyboard);
        write(&tx, &self.session, &sample_id, &before, origin, Some(seq))?;
        tx.commit()?;
        Ok(Some(BoxUndone { sample_id, box_id }))
    }

    /// The boxes of one image, oldest first.
    pub fn boxes(&self, sample_id: &str) -> Result<Vec<LabelBox>> {
        sample_boxes(&self.conn, sample_id)
    }

    /// Every box, by image.
    pub fn all_boxes(&self) -> Result<BTreeMap<String, Vec<LabelBox>>> {
        let mut stmt =
            self.conn.prepare("SELECT box, sample_id, class, x, y, w, h FROM boxes ORDER BY sample_id, box")?;
        let mut all: BTreeMap<String, Vec<LabelBox>> = BTreeMap::new();
        for b in stmt.query_map([], read_box)? {
            let b = b?;
            all.entry(b.sample_id.clone()).or_default().push(b);
        }
        Ok(all)
    }

    /// The images marked done.
    pub fn done_images(&self) -> Result<BTreeSet<String>> {
        let mut stmt = self.conn.prepare("SELECT sample_id FROM images_done")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn is_done(&self, sample_id: &str) -> Result<bool> {
        let sql = "SELECT EXISTS (SELECT 1 FROM images_done WHERE sample_id = ?1)";
        Ok(self.conn.query_row(sql, params![sample_id], |r| r.get(0))?)
    }

    /// The images labelled: those with boxes, and those marked done with none. What a
    /// box file exports and an evaluation scores, in id order (COCO's image ids follow it).
    pub fn labelled_images(&self) -> Result<BTreeSet<String>> {
        let mut stmt = self.conn.prepare(&format!("{LABELLED_IMAGES} ORDER BY sample_id"))?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many images are labelled (`labelled_images`), counted without reading them.
    pub fn boxed_image_count(&self) -> Result<u64> {
        let sql = format!("SELECT COUNT(*) FROM ({LABELLED_IMAGES})");
        Ok(self.conn.query_row(&sql, [], |r| r.get::<_, i64>(0))? as u64)
    }

    /// How many box edits and done marks the log holds.
    pub fn box_event_count(&self) -> Result<u64> {
        Ok(self.conn.query_row("SELECT COUNT(*) FROM box_events", [], |r| r.get::<_, i64>(0))? as u64)
    }
}

fn next_box(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT COALESCE(MAX(box), 0) + 1 FROM box_events", [], |r| r.get(0))?)
}

fn box_sample(conn: &Connection, id: i64) -> Result<String> {
    conn.query_row("SELECT sample_id FROM boxes WHERE box = ?1", params![id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::user(format!("there is no box {id} (deleted, or never made)")))
}

fn read_box(r: &rusqlite::Row) -> rusqlite::Result<LabelBox> {
    Ok(LabelBox {
        id: r.get(0)?,
        sample_id: r.get(1)?,
        class: r.get(2)?,
        rect: Rect { x: r.get(3)?, y: r.get(4)?, w: r.get(5)?, h: r.get(6)? },
    })
}

fn sample_boxes(conn: &Connection, sample_id: &str) -> Result<Vec<LabelBox>> {
    let mut stmt =
        conn.prepare_cached("SELECT box, sample_id, class, x, y, w, h FROM boxes WHERE sample_id = ?1 ORDER BY box")?;
    let rows = stmt.query_map(params![sample_id], read_box)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The state of the box (or done mark) that event `seq` changed, as it was just before.
fn state_before(conn: &Connection, seq: i64, sample_id: &str, box_id: Option<i64>) -> Result<State> {
    Ok(match box_id {
        Some(id) => {
            let kept: Option<(String, Rect)> = conn
                .query_row(
                    "SELECT class, x, y, w, h FROM box_events WHERE box = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT 1",
                    params![id, seq],
                    |r| {
                        let class: Option<String> = r.get(0)?;
                        let side = |i: usize| r.get::<_, Option<f64>>(i);
                        Ok(match (class, side(1)?, side(2)?, side(3)?, side(4)?) {
                            (Some(class), Some(x), Some(y), Some(w), Some(h)) => Some((class, Rect { x, y, w, h })),
                            _ => None,
                        })
                    },
                )
                .optional()?
                .flatten();
            State::Box(id, kept)
        }
        None => {
            let class: Option<Option<String>> = conn
                .query_row(
                    "SELECT class FROM box_events WHERE box IS NULL AND sample_id = ?1 AND seq < ?2
                     ORDER BY seq DESC LIMIT 1",
                    params![sample_id, seq],
                    |r| r.get(0),
                )
                .optional()?;
            State::Done(class.flatten().as_deref() == Some(DONE))
        }
    })
}

/// Appends one event that writes `state`, and brings `boxes` / `images_done` to it.
fn write(
    conn: &Connection,
    session: &str,
    sample_id: &str,
    state: &State,
    origin: Origin,
    undoes: Option<i64>,
) -> Result<i64> {
    let (box_id, class, rect) = match state {
        State::Box(id, Some((class, rect))) => (Some(*id), Some(class.as_str()), Some(*rect)),
        State::Box(id, None) => (Some(*id), None, None),
        State::Done(done) => (None, done.then_some(DONE), None),
    };
    conn.prepare_cached(
        "INSERT INTO box_events (sample_id, box, class, x, y, w, h, time_ms, origin, session, undoes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        sample_id,
        box_id,
        class,
        rect.map(|r| r.x),
        rect.map(|r| r.y),
        rect.map(|r| r.w),
        rect.map(|r| r.h),
        now_ms(),
        origin.name(),
        session,
        undoes
    ])?;
    let seq = conn.last_insert_rowid();
    match state {
        State::Box(id, Some((class, r))) => conn
            .prepare_cached(
                "INSERT INTO boxes (box, sample_id, class, x, y, w, h, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT(box) DO UPDATE SET class = excluded.class, x = excluded.x, y = excluded.y,
                     w = excluded.w, h = excluded.h, seq = excluded.seq",
            )?
            .execute(params![id, sample_id, class, r.x, r.y, r.w, r.h, seq])?,
        State::Box(id, None) => conn.prepare_cached("DELETE FROM boxes WHERE box = ?1")?.execute(params![id])?,
        State::Done(true) => conn
            .prepare_cached(
                "INSERT INTO images_done (sample_id, seq) VALUES (?1, ?2)
                 ON CONFLICT(sample_id) DO UPDATE SET seq = excluded.seq",
            )?
            .execute(params![sample_id, seq])?,
        State::Done(false) => {
            conn.prepare_cached("DELETE FROM images_done WHERE sample_id = ?1")?.execute(params![sample_id])?
        }
    };
    Ok(seq)
}
