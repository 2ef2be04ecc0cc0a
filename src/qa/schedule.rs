//! Where re-asks go in a queue: of the samples shown, a share `[qa] echo` are labelled ones
//! asked again blind and a share `[qa] gold` are gold samples, spread evenly over the
//! labelling. A place is a re-ask when it takes the count of re-asks so far to the next whole
//! one (shown = own labels + answers so far, so the share holds over the whole labelling
//! whatever the length of each queue asked for); re-asks shown and not answered yet come
//! first, so that asking for the queue twice does not ask twice as many.

use std::collections::HashSet;
use std::time::Duration;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::answers::Answers;
use crate::labels::store::Ask;
use crate::project::qa_settings::QaSettings;

/// What the schedule needs to know besides the log.
pub struct Context<'a> {
    pub settings: &'a QaSettings,
    pub answers: &'a Answers,
    /// The gold samples.
    pub gold: &'a HashSet<String>,
    /// Re-asks shown and not answered yet, oldest first.
    pub pending: &'a [(String, Ask)],
    pub now_ms: i64,
    pub seed: u64,
}

/// Labelled samples that may be asked again: labelled by the labeller themselves, at least
/// `echo_gap` own labels and `echo_wait` ago, not asked again since, not gold, not waiting.
pub fn echo_candidates(cx: &Context) -> Vec<String> {
    let wait = cx.settings.wait().unwrap_or(Duration::from_secs(600)).as_millis() as i64;
    let own = &cx.answers.own;
    // The place of each sample's latest own label in the run of own labels.
    let mut place: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, o) in own.iter().enumerate() {
        place.insert(&o.sample_id, i);
    }
    let waiting: HashSet<&str> = cx.pending.iter().map(|(id, _)| id.as_str()).collect();
    let mut out: Vec<String> = cx
        .answers
        .labelled_by
        .iter()
        .filter(|(_, (_, origin, time))| origin.is_own() && cx.now_ms - time >= wait)
        .filter(|(id, _)| place.get(id.as_str()).is_some_and(|&p| own.len() - 1 - p >= cx.settings.echo_gap))
        .filter(|(id, _)| !cx.answers.echoed.contains(*id) && !cx.gold.contains(*id) && !waiting.contains(id.as_str()))
        .map(|(id, _)| id.clone())
        .collect();
    out.sort_unstable();
    out
}

/// Gold samples never answered and not waiting.
pub fn gold_candidates(cx: &Context) -> Vec<String> {
    let waiting: HashSet<&str> = cx.pending.iter().map(|(id, _)| id.as_str()).collect();
    let mut out: Vec<String> = cx
        .gold
        .iter()
        .filter(|id| !cx.answers.gold_asked.contains(*id) && !waiting.contains(id.as_str()))
        .cloned()
        .collect();
    out.sort_unstable();
    out
}

/// `queue` (the samples to label, in order) with re-asks placed among its first `limit`
/// places; the re-asks are marked. Gold samples are taken out of `queue`: they are asked
/// only as gold.
pub fn interleave(cx: &Context, queue: &[String], limit: usize) -> Vec<(String, Option<Ask>)> {
    let shown = cx.answers.own.len() + cx.answers.echoes.len() + cx.answers.gold.len();
    let mut rng = ChaCha8Rng::seed_from_u64(cx.seed ^ shown as u64);
    let mut echoes = echo_candidates(cx);
    echoes.shuffle(&mut rng);
    let mut golds = gold_candidates(cx);
    golds.shuffle(&mut rng);
    let mut pending_echo = cx.pending.iter().filter(|(_, k)| *k == Ask::Echo).map(|(id, _)| id.clone());
    let mut pending_gold = cx.pending.iter().filter(|(_, k)| *k == Ask::Gold).map(|(id, _)| id.clone());
    let (mut echoes, mut golds) = (echoes.into_iter(), golds.into_iter());
    let mut rest = queue.iter().filter(|id| !cx.gold.contains(*id));
    let due = |share: f64, place: usize| ((place + 1) as f64 * share).floor() > (place as f64 * share).floor();
    let mut out = Vec::with_capacity(limit);
    let mut place = shown;
    while out.len() < limit {
        let ask = if due(cx.settings.gold, place) {
            pending_gold.next().or_else(|| golds.next()).map(|id| (id, Ask::Gold))
        } else {
            None
        };
        let ask = ask.or_else(|| {
            due(cx.settings.echo, place)
                .then(|| pending_echo.next().or_else(|| echoes.next()).map(|id| (id, Ask::Echo)))
                .flatten()
        });
        place += 1;
        match ask {
            Some((id, kind)) => out.push((id, Some(kind))),
            None => match rest.next() {
                Some(id) => out.push((id.clone(), None)),
                None => break,
            },
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::store::{LabelEvent, Origin};

    const MINUTE: i64 = 60_000;

    fn event(seq: i64, id: &str, label: &str, time_ms: i64, origin: Origin) -> LabelEvent {
        LabelEvent {
            seq,
            sample_id: id.into(),
            label: Some(label.into()),
            time_ms,
            origin,
            session: "s".into(),
            undoes: None,
            change: None,
        }
    }

    /// `n` own labels of l0…, a minute apart, the last one at `last_ms`.
    fn labelled(n: usize, last_ms: i64) -> Vec<LabelEvent> {
        (0..n)
            .map(|i| {
                event(i as i64 + 1, &format!("l{i}"), "cat", last_ms - (n - 1 - i) as i64 * MINUTE, Origin::Keyboard)
            })
            .collect()
    }

    fn settings(echo: f64, gold: f64) -> QaSettings {
        QaSettings { echo, gold, echo_gap: 30, echo_wait: "10m".into() }
    }

    fn queue(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("u{i}")).collect()
    }

    #[test]
    fn echoes_take_their_share_spread_evenly() {
        let answers = super::super::answers::read(&labelled(100, 0), &Default::default());
        let (s, gold) = (settings(0.1, 0.0), HashSet::new());
        let cx = Context { settings: &s, answers: &answers, gold: &gold, pending: &[], now_ms: 1000 * MINUTE, seed: 1 };
        let got = interleave(&cx, &queue(100), 50);
        assert_eq!(got.len(), 50);
        let places: Vec<usize> = got.iter().enumerate().filter(|(_, (_, a))| a.is_some()).map(|(i, _)| i).collect();
        // 100 shown so far: places 100 + j with j = 9, 19, … take the count of tens on.
        assert_eq!(places, [9, 19, 29, 39, 49]);
        assert!(got.iter().filter(|(_, a)| a.is_some()).all(|(id, _)| id.starts_with('l')));
        let unlabelled: Vec<&String> = got.iter().filter(|(_, a)| a.is_none()).map(|(id, _)| id).collect();
        assert_eq!(unlabelled[..3], ["u0", "u1", "u2"], "the queue keeps its order around them");
    }

    #[test]
    fn only_labels_old_enough_and_far_enough_back_are_asked_again() {
        // 40 own labels a minute apart, the last one now: l0…l9 are 30 labels back, and
        // l0…l30 ten minutes old; so l0…l9 may be asked again.
        let events = labelled(40, 100 * MINUTE);
        let answers = super::super::answers::read(&events, &Default::default());
        let (s, gold) = (settings(0.5, 0.0), HashSet::new());
        let cx = Context { settings: &s, answers: &answers, gold: &gold, pending: &[], now_ms: 100 * MINUTE, seed: 1 };
        let mut got = echo_candidates(&cx);
        got.sort_by_key(|id| id[1..].parse::<usize>().unwrap());
        assert_eq!(got, (0..10).map(|i| format!("l{i}")).collect::<Vec<_>>());
        // An hour later the wait is over for all, the gap still holds.
        let cx = Context { now_ms: 160 * MINUTE, ..cx };
        assert_eq!(echo_candidates(&cx).len(), 10);
        // Imported labels are not the labeller's own: never echoed.
        let mut imported = labelled(40, 0);
        imported[0].origin = Origin::Import;
        let answers = super::super::answers::read(&imported, &Default::default());
        let cx = Context { answers: &answers, now_ms: 1000 * MINUTE, ..cx };
        assert!(!echo_candidates(&cx).contains(&"l0".to_string()));
    }

    #[test]
    fn an_echo_is_asked_once_and_an_echo_answer_is_never_echoed() {
        let mut events = labelled(40, 0);
        events.push(event(41, "l3", "dog", MINUTE, Origin::Echo));
        let answers = super::super::answers::read(&events, &Default::default());
        assert_eq!(answers.own.len(), 40, "an echo answer is not an own label");
        assert_eq!(answers.echoes.len(), 1);
        assert_eq!((answers.echoes[0].first.as_str(), answers.echoes[0].second.as_str()), ("cat", "dog"));
        let (s, gold) = (settings(0.5, 0.0), HashSet::new());
        let cx = Context { settings: &s, answers: &answers, gold: &gold, pending: &[], now_ms: 1000 * MINUTE, seed: 1 };
        assert!(!echo_candidates(&cx).contains(&"l3".to_string()));
        // Labelled again, it may be asked again (once its gap and wait are over).
        events.push(event(42, "l3", "cat", 2 * MINUTE, Origin::Keyboard));
        events.extend((0..30).map(|i| event(43 + i, &format!("m{i}"), "cat", 3 * MINUTE, Origin::Keyboard)));
        let answers = super::super::answers::read(&events, &Default::default());
        let cx = Context { answers: &answers, ..cx };
        assert!(echo_candidates(&cx).contains(&"l3".to_string()));
    }

    #[test]
    fn waiting_re_asks_come_first_so_asking_twice_asks_no_more() {
        let answers = super::super::answers::read(&labelled(100, 0), &Default::default());
        let (s, gold) = (settings(0.1, 0.0), HashSet::new());
        let cx = Context { settings: &s, answers: &answers, gold: &gold, pending: &[], now_ms: 1000 * MINUTE, seed: 1 };
        let first = interleave(&cx, &queue(100), 20);
        let shown: Vec<(String, Ask)> = first.iter().filter_map(|(id, a)| a.map(|a| (id.clone(), a))).collect();
        assert_eq!(shown.len(), 2);
        // Asked again before answering, with another seed: the same two.
        let again = Context { pending: &shown, seed: 99, ..cx };
        let second = interleave(&again, &queue(100), 20);
        assert_eq!(first, second);
    }

    #[test]
    fn gold_samples_are_asked_only_as_gold_and_once() {
        let answers = super::super::answers::read(&labelled(10, 0), &Default::default());
        let s = settings(0.0, 0.25);
        let gold: HashSet<String> = ["u1", "u5"].map(String::from).into();
        let cx = Context { settings: &s, answers: &answers, gold: &gold, pending: &[], now_ms: 0, seed: 3 };
        let got = interleave(&cx, &queue(20), 12);
        let asked: Vec<&(String, Option<Ask>)> = got.iter().filter(|(_, a)| a.is_some()).collect();
        assert_eq!(asked.len(), 2, "{got:?}");
        assert!(asked.iter().all(|(id, a)| gold.contains(id) && *a == Some(Ask::Gold)));
        assert_eq!(got.iter().filter(|(id, _)| gold.contains(id)).count(), 2, "not in the queue besides");
        // Answered once, a gold sample is not asked again.
        let mut events = labelled(10, 0);
        events.push(event(11, "u1", "cat", 0, Origin::Gold));
        let gold_known = [("u1".to_string(), "dog".to_string())].into();
        let answers = super::super::answers::read(&events, &gold_known);
        assert_eq!(answers.gold.len(), 1);
        let cx = Context { answers: &answers, ..cx };
        assert_eq!(gold_candidates(&cx), ["u5"]);
    }
}
