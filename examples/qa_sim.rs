//! Label QA against a simulated labeller whose mistakes are known, for `bench/qa.sh`.
//!
//! The labeller walks a real set's samples (TRUTH.csv: `id,label`, the classes as the set
//! has them) in random order, 30 at a time as a script walks `kindling queue`, with Kindling's
//! label store and its schedule of re-asks (`[qa]`: echoes at 0.05, no wait, gold at 0.02 of
//! 20 gold samples). It answers from the true class with a known error profile: samples of
//! two confusable classes A and B are answered as the other one at rate `before` until label
//! `drift`, at `after` from then on (tired); every other class at 1 %, to a random class.
//! Per seed it compares what `kindling qa` would say with the truth of that seed's design:
//!
//! - κ's 95 % interval against the κ of the expected table of the very pairs asked (each
//!   pair's two answer distributions, given its class and when each answer was given);
//! - the gold interval against the expected accuracy of the gold answers given;
//! - the drop's place against `drift` (with `QA_SIM_PROJECT`, weighing the live model's
//!   out-of-fold agreement with every label, as `kindling qa` does, beside the re-asks);
//! - the review queue's first 100 items: how many hold a label that is wrong; and, with
//!   `QA_SIM_PROJECT` (a Kindling project over the same files) for the first
//!   `QA_SIM_FLAG_SEEDS` seeds (20), the same with the model's flags in it (logistic
//!   regression, 5 folds, confident learning) beside the model's flags alone;
//! - re-asks per own label (the keystrokes QA costs).
//!
//! `cargo run --release --example qa_sim -- TRUTH.csv SEEDS LABELS A B [BEFORE AFTER]`

use std::collections::{BTreeMap, HashMap, HashSet};

use kindling::eval::predictions::{Prediction, Predictions};
use kindling::features::Matrix;
use kindling::labels::store::{Ask, LabelStore, Origin};
use kindling::live::folds;
use kindling::models::{Fit, ModelKind};
use kindling::project::qa_settings::QaSettings;
use kindling::qa::{answers, report, review, schedule};
use rand::seq::SliceRandom;
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const BATCH: usize = 30;
const GOLD: usize = 20;
const OTHERS: f64 = 0.01;

struct Labeller {
    classes: Vec<String>,
    pair: (String, String),
    before: f64,
    after: f64,
    drift: usize,
}

impl Labeller {
    /// The chance of each class as the answer to a sample of `truth` given after `labels`.
    fn answers(&self, truth: &str, labels: usize) -> Vec<f64> {
        let k = self.classes.len();
        let at = |c: &str| self.classes.iter().position(|x| x == c).unwrap_or(0);
        let mut p = vec![0.0; k];
        let other = if truth == self.pair.0 {
            Some(&self.pair.1)
        } else if truth == self.pair.1 {
            Some(&self.pair.0)
        } else {
            None
        };
        match other {
            Some(o) => {
                let e = if labels < self.drift { self.before } else { self.after };
                p[at(o)] = e;
                p[at(truth)] = 1.0 - e;
            }
            None => {
                for (j, q) in p.iter_mut().enumerate() {
                    *q = OTHERS / (k - 1) as f64;
                    if j == at(truth) {
                        *q = 1.0 - OTHERS;
                    }
                }
            }
        }
        p
    }

    fn answer(&self, truth: &str, labels: usize, rng: &mut impl Rng) -> String {
        let p = self.answers(truth, labels);
        let mut u: f64 = rng.random();
        for (j, q) in p.iter().enumerate() {
            if u < *q {
                return self.classes[j].clone();
            }
            u -= q;
        }
        truth.to_string()
    }
}

/// κ of an expected table (rows: first answer, columns: second).
fn kappa(table: &[Vec<f64>]) -> f64 {
    let n: f64 = table.iter().flatten().sum();
    let k = table.len();
    let observed: f64 = (0..k).map(|i| table[i][i]).sum::<f64>() / n;
    let row = |i: usize| table[i].iter().sum::<f64>() / n;
    let col = |j: usize| table.iter().map(|r| r[j]).sum::<f64>() / n;
    let chance: f64 = (0..k).map(|i| row(i) * col(i)).sum();
    (observed - chance) / (1.0 - chance)
}

#[derive(Default)]
struct Tally {
    seeds: usize,
    kappa_covered: usize,
    kappa_seen: usize,
    kappa_true: f64,
    kappa_told: f64,
    gold_covered: usize,
    gold_seen: usize,
    gold_true: f64,
    gold_told: f64,
    drops: Vec<Option<usize>>,
    review_wrong: usize,
    review_items: usize,
    /// With the model's flags: (wrong, items) of the flags alone and of the whole review.
    flags_alone: (usize, usize),
    flags_review: (usize, usize),
    flag_seeds: usize,
    /// The same with the live model's out-of-fold flags, every seed.
    live_alone: (usize, usize),
    live_review: (usize, usize),
    wrong_share: f64,
    echoes: f64,
    golds: f64,
}

fn main() -> kindling::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 5 {
        eprintln!("usage: qa_sim TRUTH.csv SEEDS LABELS A B [BEFORE AFTER]");
        std::process::exit(2);
    }
    let text =
        std::fs::read_to_string(&args[0]).map_err(|e| kindling::Error::file(std::path::Path::new(&args[0]), e))?;
    let truth: BTreeMap<String, String> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.rsplit_once(',').map(|(id, c)| (id.to_string(), c.to_string())))
        .collect();
    let seeds: usize = args[1].parse().unwrap_or(200);
    let labels: usize = args[2].parse().unwrap_or(900);
    let before: f64 = args.get(5).and_then(|a| a.parse().ok()).unwrap_or(0.08);
    let after: f64 = args.get(6).and_then(|a| a.parse().ok()).unwrap_or(0.30);
    let mut classes: Vec<String> = truth.values().cloned().collect::<HashSet<_>>().into_iter().collect();
    classes.sort();
    let labeller = Labeller {
        classes: classes.clone(),
        pair: (args[3].clone(), args[4].clone()),
        before,
        after,
        drift: labels / 2,
    };
    let settings = QaSettings { echo: 0.05, echo_gap: 30, echo_wait: "0s".into(), gold: 0.02 };
    let flag_project = std::env::var_os("QA_SIM_PROJECT").map(std::path::PathBuf::from);
    let flag_seeds: usize = std::env::var("QA_SIM_FLAG_SEEDS").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    let features = match &flag_project {
        Some(dir) => Some(Features::load(dir)?),
        None => None,
    };
    let mut tally = Tally::default();
    let dir = tempfile::tempdir_in(std::env::var("QA_SIM_DIR").unwrap_or_else(|_| "/tmp".to_string()))
        .map_err(|e| kindling::Error::internal(e.to_string()))?;
    for seed in 0..seeds {
        let mut rng = ChaCha8Rng::seed_from_u64(seed as u64);
        let path = dir.path().join(format!("labels-{seed}.db"));
        let mut store = LabelStore::create(&path)?;
        let mut ids: Vec<String> = truth.keys().cloned().collect();
        ids.shuffle(&mut rng);
        let gold: BTreeMap<String, String> = ids.drain(..GOLD).map(|id| (id.clone(), truth[&id].clone())).collect();
        store.set_gold(&gold.iter().map(|(a, b)| (a.clone(), b.clone())).collect::<Vec<_>>())?;
        let gold_ids: HashSet<String> = gold.keys().cloned().collect();
        // When each own label and each re-ask's answer was given, in own labels.
        let mut labelled_at: HashMap<String, usize> = HashMap::new();
        let mut asked_at: Vec<(String, Ask, usize)> = Vec::new();
        let mut pool = ids.into_iter();
        let mut own = 0;
        while own < labels {
            let next: Vec<String> = pool.by_ref().take(BATCH).collect();
            let read = answers::read(&store.events()?, &gold);
            let pending = store.asks()?;
            let cx = schedule::Context {
                settings: &settings,
                answers: &read,
                gold: &gold_ids,
                pending: &pending,
                now_ms: i64::MAX / 2,
                seed: seed as u64,
            };
            let placed = schedule::interleave(&cx, &next, BATCH);
            let shown: Vec<(String, Ask)> = placed.iter().filter_map(|(id, a)| a.map(|a| (id.clone(), a))).collect();
            store.ask(&shown)?;
            let placed_ids: HashSet<&String> = placed.iter().map(|(id, _)| id).collect();
            // The queue's samples a re-ask pushed out come back in the next batch.
            let pushed: Vec<String> = next.iter().filter(|id| !placed_ids.contains(id)).cloned().collect();
            for (id, ask) in &placed {
                let answer = labeller.answer(&truth[id], own, &mut rng);
                match ask {
                    Some(kind) => {
                        store.answer(id, &answer, *kind)?;
                        asked_at.push((id.clone(), *kind, own));
                    }
                    None => {
                        store.set(id, Some(&answer), Origin::Keyboard)?;
                        labelled_at.insert(id.clone(), own);
                        own += 1;
                    }
                }
            }
            let rest: Vec<String> = pool.collect();
            pool = pushed.into_iter().chain(rest).collect::<Vec<_>>().into_iter();
        }
        let read = answers::read(&store.events()?, &gold);
        let current: BTreeMap<String, String> = store.current()?.into_iter().collect();
        let model = match &features {
            Some(f) => Some(out_of_fold(f, &current)?),
            None => None,
        };
        let told = report::report(&read, model.as_ref(), 0);
        // The expected table of the pairs asked, and the gold answers' expected accuracy.
        let k = classes.len();
        let at = |c: &str| classes.iter().position(|x| x == c).unwrap_or(0);
        let mut table = vec![vec![0.0; k]; k];
        let mut gold_expected = 0.0;
        let mut gold_n = 0;
        for (id, kind, when) in &asked_at {
            let t = &truth[id];
            match kind {
                Ask::Echo => {
                    let first = labeller.answers(t, labelled_at[id]);
                    let second = labeller.answers(t, *when);
                    for i in 0..k {
                        for j in 0..k {
                            table[i][j] += first[i] * second[j];
                        }
                    }
                }
                Ask::Gold => {
                    gold_expected += labeller.answers(t, *when)[at(t)];
                    gold_n += 1;
                }
            }
        }
        tally.seeds += 1;
        if let Some(kappa_told) = told.self_agreement.kappa {
            let truth_k = kappa(&table);
            tally.kappa_seen += 1;
            tally.kappa_true += truth_k;
            tally.kappa_told += kappa_told.value;
            if kappa_told.low <= truth_k && truth_k <= kappa_told.high {
                tally.kappa_covered += 1;
            }
        }
        if let Some(g) = &told.gold {
            let truth_g = gold_expected / gold_n.max(1) as f64;
            tally.gold_seen += 1;
            tally.gold_true += truth_g;
            tally.gold_told += g.accuracy.value;
            if g.accuracy.low <= truth_g && truth_g <= g.accuracy.high {
                tally.gold_covered += 1;
            }
        }
        tally.drops.push(told.drop.as_ref().map(|d| d.after_labels));
        let wrong = current.iter().filter(|(id, label)| truth.get(*id) != Some(*label)).count();
        tally.wrong_share += wrong as f64 / current.len().max(1) as f64;
        let items = review::items(&read, &[], 0, &current);
        let first: Vec<&review::ReviewItem> = items.iter().take(100).collect();
        tally.review_items += first.len();
        tally.review_wrong += first.iter().filter(|i| current.get(&i.id) != truth.get(&i.id)).count();
        let wrong = |ids: &mut dyn Iterator<Item = &String>| {
            let ids: Vec<&String> = ids.take(100).collect();
            (ids.iter().filter(|id| current.get(**id) != truth.get(**id)).count(), ids.len())
        };
        if let Some(m) = &model {
            // The live model's flags (its out-of-fold view), as the review takes them without a run.
            let issues = kindling::eval::label_issues::find(m);
            let alone = wrong(&mut issues.iter().map(|i| &i.id));
            let items = review::items(&read, &issues, i64::MAX, &current);
            let whole = wrong(&mut items.iter().map(|i| &i.id));
            tally.live_alone = (tally.live_alone.0 + alone.0, tally.live_alone.1 + alone.1);
            tally.live_review = (tally.live_review.0 + whole.0, tally.live_review.1 + whole.1);
        }
        if let Some(project) = &flag_project
            && seed < flag_seeds
        {
            let issues = model_flags(project, &current)?;
            let alone = wrong(&mut issues.iter().map(|i| &i.id));
            let items = review::items(&read, &issues, i64::MAX, &current);
            let whole = wrong(&mut items.iter().map(|i| &i.id));
            tally.flags_alone = (tally.flags_alone.0 + alone.0, tally.flags_alone.1 + alone.1);
            tally.flags_review = (tally.flags_review.0 + whole.0, tally.flags_review.1 + whole.1);
            tally.flag_seeds += 1;
        }
        tally.echoes += asked_at.iter().filter(|a| a.1 == Ask::Echo).count() as f64 / own as f64;
        tally.golds += asked_at.iter().filter(|a| a.1 == Ask::Gold).count() as f64 / own as f64;
        drop(store);
        let _ = std::fs::remove_file(&path);
    }
    print(&tally, &labeller, labels);
    Ok(())
}

/// The live model's features of every page, to score each seed's labels out of fold.
struct Features {
    x: Matrix,
    row: HashMap<String, usize>,
    classes: Vec<String>,
    model: ModelKind,
}

impl Features {
    fn load(dir: &std::path::Path) -> kindling::Result<Features> {
        let project = kindling::project::Project::open(dir)?;
        let dataset = kindling::runs::dataset::Dataset::load(&project)?;
        let embedder = kindling::embed::Embedder::live(&project.config)?;
        let rows = kindling::embed::all_rows(&project, &dataset, &embedder, &kindling::progress::Silent)?;
        let row = rows.kept.iter().enumerate().map(|(r, &i)| (dataset.ids[i].clone(), r)).collect();
        let model = ModelKind::parse(&project.config.live.model)?;
        Ok(Features { x: rows.x, row, classes: project.config.class_names(), model })
    }
}

/// What the live model says of each labelled page, each from the folds that did not fit on
/// it (as `kindling qa` finds it after refitting the live model).
fn out_of_fold(f: &Features, labels: &BTreeMap<String, String>) -> kindling::Result<Predictions> {
    let picked: Vec<(&String, usize, usize)> = labels
        .iter()
        .filter_map(|(id, l)| Some((id, *f.row.get(id)?, f.classes.iter().position(|c| c == l)?)))
        .collect();
    let rows: Vec<usize> = picked.iter().map(|p| p.1).collect();
    let y: Vec<usize> = picked.iter().map(|p| p.2).collect();
    let fit = Fit { seed: 0, ..Default::default() };
    let oof = folds::out_of_fold(f.model, &f.x.select(&rows), &y, f.classes.len(), &fit)?;
    let mut by_id = HashMap::new();
    for (k, (id, _, c)) in picked.iter().enumerate() {
        let Some(probs) = oof.as_ref().filter(|o| o.scored[k]).map(|o| o.probs.row(k).to_vec()) else { continue };
        let predicted = f.classes[oof.as_ref().map_or(0, |o| o.probs.predicted(k))].clone();
        let prediction = Prediction { split: "labelled".into(), given: Some(f.classes[*c].clone()), predicted, probs };
        by_id.insert((*id).clone(), prediction);
    }
    Ok(Predictions { classes: f.classes.clone(), by_id })
}

/// The model's suspected label errors, worst first: the project's labels replaced by
/// `labels`, a logistic regression trained with 5 folds, its confident-learning flags.
fn model_flags(
    dir: &std::path::Path,
    labels: &BTreeMap<String, String>,
) -> kindling::Result<Vec<kindling::eval::label_issues::LabelIssue>> {
    let project = kindling::project::Project::open(dir)?;
    let path = project.labels_path();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let mut store = LabelStore::create(&path)?;
    store.set_many(labels.iter().map(|(id, l)| (id.as_str(), Some(l.as_str()))), Origin::Import)?;
    drop(store);
    let options = kindling::runs::train::TrainOptions {
        model: kindling::models::ModelKind::Logistic,
        folds: Some(5),
        ..Default::default()
    };
    let trained = kindling::runs::train::train(&project, &options, &kindling::progress::Silent)?;
    let detail = kindling::runs::detail(project.root(), &trained.run)?;
    let _ = std::fs::remove_dir_all(&trained.dir);
    Ok(detail.issues.unwrap_or_default())
}

fn print(t: &Tally, l: &Labeller, labels: usize) {
    let n = t.seeds as f64;
    println!(
        "simulated labeller: {} seeds, {labels} own labels each; {} ↔ {} swapped at {:.2} until label {}, {:.2} after; other classes 0.01",
        t.seeds, l.pair.0, l.pair.1, l.before, l.drift, l.after
    );
    println!(
        "κ: mean told {:.3}, mean true {:.3}; the 95 % interval covered the true κ in {}/{} seeds ({:.1} %)",
        t.kappa_told / t.kappa_seen.max(1) as f64,
        t.kappa_true / t.kappa_seen.max(1) as f64,
        t.kappa_covered,
        t.kappa_seen,
        100.0 * t.kappa_covered as f64 / t.kappa_seen.max(1) as f64
    );
    println!(
        "gold accuracy: mean told {:.3}, mean true {:.3}; covered in {}/{} seeds",
        t.gold_told / t.gold_seen.max(1) as f64,
        t.gold_true / t.gold_seen.max(1) as f64,
        t.gold_covered,
        t.gold_seen
    );
    let found: Vec<usize> = t.drops.iter().flatten().copied().collect();
    let near = found.iter().filter(|&&at| at.abs_diff(l.drift) <= 50).count();
    let mut sorted = found.clone();
    sorted.sort_unstable();
    let median = sorted.get(sorted.len() / 2).copied();
    println!(
        "drop: flagged in {}/{} seeds, within 50 labels of label {} in {}; median place {}",
        found.len(),
        t.drops.len(),
        l.drift,
        near,
        median.map_or("-".into(), |m| m.to_string())
    );
    println!(
        "review queue: {} of its first {} items (over all seeds) hold a wrong label ({:.1} %), against {:.1} % of all labels",
        t.review_wrong,
        t.review_items,
        100.0 * t.review_wrong as f64 / t.review_items.max(1) as f64,
        100.0 * t.wrong_share / n
    );
    let share = |(w, n): (usize, usize)| 100.0 * w as f64 / n.max(1) as f64;
    if t.live_alone.1 > 0 {
        println!(
            "with the live model's flags (3 folds, every seed): the review's first 100 hold {} wrong labels of {} ({:.1} %); the flags alone {} of {} ({:.1} %): {:.2}×",
            t.live_review.0,
            t.live_review.1,
            share(t.live_review),
            t.live_alone.0,
            t.live_alone.1,
            share(t.live_alone),
            t.live_review.0 as f64 / t.live_alone.0.max(1) as f64
        );
    }
    if t.flag_seeds > 0 {
        println!(
            "with the model's flags ({} seeds): the review's first 100 hold {} wrong labels of {} ({:.1} %); the model's flags alone {} of {} ({:.1} %): {:.2}×",
            t.flag_seeds,
            t.flags_review.0,
            t.flags_review.1,
            share(t.flags_review),
            t.flags_alone.0,
            t.flags_alone.1,
            share(t.flags_alone),
            t.flags_review.0 as f64 / t.flags_alone.0.max(1) as f64
        );
    }
    println!("more keystrokes than labels alone: echoes {:.3}, gold {:.3}", t.echoes / n, t.golds / n);
}
