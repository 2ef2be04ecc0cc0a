//! Requests that arrive together share one pass of a pre-trained encoder: the first waits a
//! moment for others, then encodes all of their inputs at once (the encoder splits a pass
//! over the cores; one pass of many samples wastes less than many small ones) and hands each
//! request its own rows. Built-in featurizers are cheap enough to run per request.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::features::Inputs;
use crate::models::Probabilities;

/// How long the first request of a batch waits for others.
pub const WINDOW: Duration = Duration::from_millis(5);

#[derive(Default)]
struct State {
    next: u64,
    /// Inputs waiting for a pass, by ticket.
    pending: Vec<(u64, Inputs)>,
    /// Whether a request is gathering the pending ones.
    gathering: bool,
    done: HashMap<u64, std::result::Result<Probabilities, String>>,
    /// Passes made, and requests answered by them (for `/info` and the tests).
    passes: u64,
}

pub struct Batcher {
    state: Mutex<State>,
    answered: Condvar,
    window: Duration,
}

impl Default for Batcher {
    fn default() -> Batcher {
        Batcher::with_window(WINDOW)
    }
}

impl Batcher {
    pub fn with_window(window: Duration) -> Batcher {
        Batcher { state: Mutex::default(), answered: Condvar::new(), window }
    }

    /// The probabilities of `inputs`, computed by `pass` together with those of the
    /// requests that came within `WINDOW` of the first.
    pub fn run(&self, inputs: Inputs, pass: impl Fn(&Inputs) -> Result<Probabilities>) -> Result<Probabilities> {
        let lock = || self.state.lock().unwrap_or_else(|e| e.into_inner());
        let (ticket, gathers) = {
            let mut s = lock();
            s.next += 1;
            let ticket = s.next;
            s.pending.push((ticket, inputs));
            let gathers = !s.gathering;
            s.gathering = true;
            (ticket, gathers)
        };
        if gathers {
            std::thread::sleep(self.window);
            let batch = {
                let mut s = lock();
                s.gathering = false;
                s.passes += 1;
                std::mem::take(&mut s.pending)
            };
            let answers = answer(&batch, &pass);
            let mut s = lock();
            for ((t, _), a) in batch.iter().zip(answers) {
                s.done.insert(*t, a);
            }
            self.answered.notify_all();
        }
        let mut s = lock();
        loop {
            if let Some(a) = s.done.remove(&ticket) {
                return a.map_err(Error::user);
            }
            s = self.answered.wait(s).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Passes made so far.
    pub fn passes(&self) -> u64 {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).passes
    }
}

/// One pass over the batch's inputs put together, split back per request; a failed pass
/// fails each request with its message.
fn answer(
    batch: &[(u64, Inputs)],
    pass: &impl Fn(&Inputs) -> Result<Probabilities>,
) -> Vec<std::result::Result<Probabilities, String>> {
    let together = match batch.iter().map(|(_, i)| i).try_fold(None::<Inputs>, joined) {
        Some(Some(all)) => all,
        // Inputs of different kinds (never from one run): each on its own.
        _ => return batch.iter().map(|(_, i)| pass(i).map_err(|e| e.message().to_string())).collect(),
    };
    match pass(&together) {
        Ok(probs) => {
            let mut start = 0;
            batch
                .iter()
                .map(|(_, i)| {
                    let rows: Vec<f64> = (start..start + i.len()).flat_map(|r| probs.row(r).to_vec()).collect();
                    start += i.len();
                    Ok(Probabilities::new(probs.classes(), rows))
                })
                .collect()
        }
        Err(e) => batch.iter().map(|_| Err(e.message().to_string())).collect(),
    }
}

/// `all` followed by `next`, when both are texts or both files.
fn joined(all: Option<Inputs>, next: &Inputs) -> Option<Option<Inputs>> {
    Some(Some(match (all, next) {
        (None, i) => i.clone(),
        (Some(Inputs::Texts(mut a)), Inputs::Texts(b)) => {
            a.extend(b.iter().cloned());
            Inputs::Texts(a)
        }
        (Some(Inputs::Files(mut a)), Inputs::Files(b)) => {
            a.extend(b.iter().cloned());
            Inputs::Files(a)
        }
        _ => return None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A "model" giving each text its length as the probability of class 0.
    fn lengths(inputs: &Inputs) -> Result<Probabilities> {
        let Inputs::Texts(t) = inputs else { return Err(Error::user("texts only")) };
        Ok(Probabilities::new(
            2,
            t.iter().flat_map(|s| [s.len() as f64 / 100.0, 1.0 - s.len() as f64 / 100.0]).collect(),
        ))
    }

    #[test]
    fn requests_arriving_together_share_one_pass_and_get_their_own_rows() {
        // A wide window: on a busy machine the six threads may start milliseconds apart.
        let batcher = std::sync::Arc::new(Batcher::with_window(Duration::from_millis(300)));
        let handles: Vec<_> = (0..6)
            .map(|i| {
                let b = batcher.clone();
                std::thread::spawn(move || {
                    let texts: Vec<String> = (0..=i).map(|k| "x".repeat(k + i)).collect();
                    let probs = b.run(Inputs::Texts(texts.clone()), lengths).unwrap();
                    assert_eq!(probs.rows(), texts.len());
                    for (r, t) in texts.iter().enumerate() {
                        assert!((probs.row(r)[0] - t.len() as f64 / 100.0).abs() < 1e-12, "request {i} row {r}");
                    }
                })
            })
            .collect();
        handles.into_iter().for_each(|h| h.join().unwrap());
        assert!(batcher.passes() < 6, "six requests at once took {} passes", batcher.passes());
        let e = batcher.run(Inputs::Files(vec!["a.png".into()]), lengths).unwrap_err();
        assert!(e.to_string().contains("texts only"));
    }
}
