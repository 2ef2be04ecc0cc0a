//! Label efficiency of the live model's queue orders, for `bench/active.sh`.
//!
//! A simulated labeller that always answers the true class labels generated text, image and
//! table sets the way a script does with `kindling queue` + `labels set`: it asks the queue
//! for the next 10 samples (`[live] every`), labels them, and the queue refits the live model
//! before answering again. The first 10 labels are random for every order (a cold start);
//! then each order goes its own way. A fixed test share of every set is never labelled; the
//! live model's accuracy on it is recorded after every batch, with how often its suggestion
//! for a sample was right before the sample was labelled (the Enter acceptance rate).
//!
//! `cargo run --release --example active -- WORKDIR [SEEDS] [SETS]` (SETS: text,image,table).
//! `… --example active -- make SET DIR N LABELS` makes one project of N samples of a set with
//! LABELS of them labelled (true classes), for the refit benchmark in `bench/label.sh`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use kindling::data::SourceKind;
use kindling::labels::store::Origin;
use kindling::live;
use kindling::progress::Silent;
use kindling::project::Project;
use kindling::project::init::{InitOptions, init};
use kindling::workflow::next;
use kindling::workflow::queue::Order;
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const BATCH: usize = 10;
const BUDGET: usize = 400;
const CHECKPOINTS: [usize; 4] = [50, 100, 200, 400];
const ORDERS: [&str; 5] = ["random", "least_confident", "margin", "entropy", "diverse"];

/// A generated set: where its source is, how to make a project of it, and the truth.
struct Set {
    name: &'static str,
    options: InitOptions,
    truth: HashMap<String, String>,
    test: HashSet<String>,
}

fn main() -> kindling::Result<()> {
    let mut args = std::env::args().skip(1);
    let first = args.next().unwrap_or_else(|| "target/bench-active".into());
    if first == "make" {
        let mut next = || args.next().unwrap_or_default();
        let (set, dir, n, labels) = (next(), PathBuf::from(next()), next(), next());
        let number = |s: &str| s.parse::<usize>().map_err(|_| kindling::Error::user(format!("not a number: {s:?}")));
        return make(&set, &dir, number(&n)?, number(&labels)?);
    }
    let work = PathBuf::from(first);
    let seeds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(3);
    let sets = args.next().unwrap_or_else(|| "text,image,table".into());
    std::fs::create_dir_all(&work)?;
    for name in sets.split(',') {
        let n = match name {
            "text" => 3000,
            "image" => 2400,
            _ => 4000,
        };
        report(&generate(name, &work, n)?, &work, seeds)?;
    }
    Ok(())
}

fn generate(name: &str, work: &Path, n: usize) -> kindling::Result<Set> {
    match name {
        "text" => texts(&work.join("texts"), n),
        "image" => images(&work.join("images"), n),
        "table" => table(&work.join("table"), n),
        other => Err(kindling::Error::user(format!("unknown set {other}: text, image or table"))),
    }
}

fn make(name: &str, dir: &Path, n: usize, labels: usize) -> kindling::Result<()> {
    let set = generate(name, &dir.join("data"), n)?;
    let options = InitOptions { dir: dir.join("project"), ..clone_options(&set.options) };
    let (project, _) = init(&options, &Silent)?;
    let mut store = project.labels()?;
    let mut ids: Vec<&String> = set.truth.keys().collect();
    ids.sort();
    for id in ids.into_iter().step_by((n / labels.max(1)).max(1)).take(labels) {
        store.set(id, Some(&set.truth[id]), Origin::Import)?;
    }
    println!("{}", options.dir.display());
    Ok(())
}

/// One labelling session: test accuracy after every batch and suggestions that were right.
struct Session {
    accuracy: Vec<(usize, f64)>,
    /// Per sample labelled (in order), whether the live model's suggestion was its class.
    accepted: Vec<Option<bool>>,
}

fn session(set: &Set, work: &Path, order: &str, seed: u64) -> kindling::Result<Session> {
    let dir = work.join(format!("{}-{order}-{seed}", set.name));
    let _ = std::fs::remove_dir_all(&dir);
    let options = InitOptions { dir: dir.clone(), ..clone_options(&set.options) };
    let (mut project, _) = init(&options, &Silent)?;
    project.config.label.seed = seed;
    project.config.save(&dir)?;
    // The rows do not depend on labels or seed: featurize each set once.
    let cached = work.join(format!("{}-features.bin", set.name));
    let features = kindling::embed::cache_path(
        &dir,
        &kindling::embed::Embedder::Features(kindling::features::Method::auto(project.config.source.kind)),
    );
    if cached.is_file() {
        std::fs::create_dir_all(features.parent().expect("a cache folder"))?;
        std::fs::copy(&cached, &features)?;
    }
    let project = Project::open(&dir)?;
    let mut store = project.labels()?;
    let wanted = Order::parse(order).expect("a known order");
    let (mut accuracy, mut accepted) = (Vec::new(), Vec::new());
    let mut labelled = 0;
    while labelled < BUDGET {
        let order = if labelled < BATCH { Order::Random } else { wanted };
        let next = next::next(&project, order, BATCH + set.test.len(), &Silent)?.suggestions;
        if !cached.is_file() && features.is_file() {
            std::fs::copy(&features, &cached)?;
        }
        if labelled > 0 {
            accuracy.push((labelled, test_accuracy(set, &project)?));
        }
        for s in next.iter().filter(|s| !set.test.contains(&s.id)).take(BATCH) {
            let truth = &set.truth[&s.id];
            accepted.push(s.guess.as_ref().map(|g| &g.class == truth));
            store.set(&s.id, Some(truth), Origin::Cli)?;
            labelled += 1;
        }
    }
    live::refit(&project, &Silent)?;
    accuracy.push((labelled, test_accuracy(set, &project)?));
    std::fs::remove_dir_all(&dir)?;
    Ok(Session { accuracy, accepted })
}

fn test_accuracy(set: &Set, project: &Project) -> kindling::Result<f64> {
    let live = live::state::read(project.root())?.expect("a refit happened");
    let right =
        set.test.iter().filter(|id| live.predictions.by_id.get(*id).is_some_and(|p| p.predicted == set.truth[*id]));
    Ok(right.count() as f64 / set.test.len() as f64)
}

fn report(set: &Set, work: &Path, seeds: u64) -> kindling::Result<()> {
    println!("\n{} — {} samples, {} held out for testing, {seeds} seeds", set.name, set.truth.len(), set.test.len());
    println!(
        "{:<16} {:>7} {:>7} {:>7} {:>7}   {:>22}   accepted per 100 labels",
        "order", "@50", "@100", "@200", "@400", "labels to random@400"
    );
    let mut random_at_400 = None;
    for order in ORDERS {
        let sessions: Vec<Session> =
            (0..seeds).map(|seed| session(set, work, order, seed)).collect::<Result<_, _>>()?;
        let mean_at = |n: usize| {
            let v: Vec<f64> =
                sessions.iter().filter_map(|s| s.accuracy.iter().find(|(k, _)| *k == n).map(|a| a.1)).collect();
            v.iter().sum::<f64>() / v.len().max(1) as f64
        };
        let target = *random_at_400.get_or_insert(mean_at(BUDGET));
        let reached = (1..=BUDGET / BATCH).map(|b| b * BATCH).find(|&n| mean_at(n) >= target);
        let accepted: Vec<String> = (0..BUDGET / 100)
            .map(|h| {
                let answers: Vec<bool> = sessions
                    .iter()
                    .flat_map(|s| s.accepted[h * 100..(h + 1) * 100].iter().flatten().copied())
                    .collect();
                let share = answers.iter().filter(|&&a| a).count() as f64 / answers.len().max(1) as f64;
                format!("{:.0}%", share * 100.0)
            })
            .collect();
        println!(
            "{order:<16} {}   {:>22}   {}",
            CHECKPOINTS.map(|n| format!("{:>7.3}", mean_at(n))).join(" "),
            reached.map_or("not within 400".into(), |n| n.to_string()),
            accepted.join(" ")
        );
    }
    Ok(())
}

fn clone_options(o: &InitOptions) -> InitOptions {
    InitOptions {
        dir: o.dir.clone(),
        source: o.source.clone(),
        kind: o.kind,
        text_column: o.text_column.clone(),
        classes: o.classes.clone(),
        ..Default::default()
    }
}

/// Picks a class with the given shares (imbalanced, as real sets are).
fn class_of(rng: &mut impl Rng, shares: &[f64]) -> usize {
    let mut u: f64 = rng.random();
    for (c, s) in shares.iter().enumerate() {
        if u < *s {
            return c;
        }
        u -= s;
    }
    shares.len() - 1
}

/// Every fourth sample is held out for testing.
fn held_out(ids: &[String]) -> HashSet<String> {
    ids.iter().step_by(4).cloned().collect()
}

/// Support tickets of five imbalanced classes: a few words of the class among many shared
/// ones, and some tickets that borrow another class's words.
fn texts(dir: &Path, n: usize) -> kindling::Result<Set> {
    std::fs::create_dir_all(dir)?;
    let classes = ["billing", "login", "shipping", "bug", "refund"];
    let shares = [0.40, 0.25, 0.15, 0.12, 0.08];
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let word = |prefix: &str, k: usize| format!("{prefix}{k}");
    let mut csv = String::from("text\n");
    let (mut ids, mut truth) = (Vec::new(), HashMap::new());
    for i in 0..n {
        let c = class_of(&mut rng, &shares);
        let other = rng.random_range(0..classes.len());
        let mut words = Vec::new();
        for _ in 0..rng.random_range(8..20) {
            let u: f64 = rng.random();
            // Shared words follow a long tail; class words are few and repeat.
            words.push(if u < 0.70 {
                word("w", (rng.random::<f64>().powi(3) * 800.0) as usize)
            } else if u < 0.88 || other == c {
                word(classes[c], rng.random_range(0..30))
            } else {
                word(classes[other], rng.random_range(0..30))
            });
        }
        csv.push_str(&words.join(" "));
        csv.push('\n');
        ids.push(i.to_string());
        truth.insert(i.to_string(), classes[c].to_string());
    }
    let source = dir.join("tickets.csv");
    std::fs::write(&source, csv)?;
    let options = InitOptions {
        source,
        kind: Some(SourceKind::Text),
        text_column: Some("text".into()),
        classes: Some(classes.map(String::from).to_vec()),
        ..Default::default()
    };
    Ok(Set { name: "text", options, test: held_out(&ids), truth })
}

/// 16 × 16 grey shapes of four imbalanced classes, a little moved and resized, noisy.
fn images(dir: &Path, n: usize) -> kindling::Result<Set> {
    let images = dir.join("images");
    std::fs::create_dir_all(&images)?;
    let classes = ["disc", "square", "cross", "ring"];
    let shares = [0.45, 0.30, 0.15, 0.10];
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let (mut ids, mut truth) = (Vec::new(), HashMap::new());
    for i in 0..n {
        let c = class_of(&mut rng, &shares);
        let (cx, cy) = (rng.random_range(6.5..9.5f32), rng.random_range(6.5..9.5f32));
        let r = rng.random_range(3.5..5.5f32);
        let mut img = image::GrayImage::new(16, 16);
        for (x, y, p) in img.enumerate_pixels_mut() {
            let (dx, dy) = (x as f32 - cx, y as f32 - cy);
            let inside = match c {
                0 => dx * dx + dy * dy <= r * r,
                1 => dx.abs() <= r * 0.8 && dy.abs() <= r * 0.8,
                2 => (dx.abs() <= 1.0 && dy.abs() <= r) || (dy.abs() <= 1.0 && dx.abs() <= r),
                _ => ((dx * dx + dy * dy).sqrt() - r).abs() <= 1.0,
            };
            let noise = rng.random_range(-90.0..90.0f32);
            p.0 = [((if inside { 200.0 } else { 60.0 }) + noise).clamp(0.0, 255.0) as u8];
        }
        let id = format!("{i:05}.png");
        img.save(images.join(&id)).map_err(|e| kindling::Error::internal(e.to_string()))?;
        ids.push(id.clone());
        truth.insert(id, classes[c].to_string());
    }
    let options =
        InitOptions { source: images, classes: Some(classes.map(String::from).to_vec()), ..Default::default() };
    Ok(Set { name: "image", options, test: held_out(&ids), truth })
}

/// Points of six imbalanced classes in ten columns: Gaussian blobs of different spreads, two
/// of them close together, and columns that are only noise.
fn table(dir: &Path, n: usize) -> kindling::Result<Set> {
    std::fs::create_dir_all(dir)?;
    let classes = ["a", "b", "c", "d", "e", "f"];
    let shares = [0.35, 0.25, 0.15, 0.12, 0.08, 0.05];
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    let centres: Vec<Vec<f64>> =
        (0..classes.len()).map(|_| (0..6).map(|_| rng.random_range(-3.0..3.0)).collect()).collect();
    let mut csv = (0..10).map(|k| format!("x{k}")).collect::<Vec<_>>().join(",");
    csv.push('\n');
    let (mut ids, mut truth) = (Vec::new(), HashMap::new());
    for i in 0..n {
        let c = class_of(&mut rng, &shares);
        let spread = 0.8 + 0.3 * c as f64;
        let mut row: Vec<String> = Vec::new();
        for k in 0..10 {
            let centre = centres[c].get(k).copied().unwrap_or(0.0);
            let normal: f64 = (0..6).map(|_| rng.random::<f64>()).sum::<f64>() - 3.0;
            row.push(format!("{:.4}", centre + spread * normal));
        }
        csv.push_str(&row.join(","));
        csv.push('\n');
        ids.push(i.to_string());
        truth.insert(i.to_string(), classes[c].to_string());
    }
    let source = dir.join("points.csv");
    std::fs::write(&source, csv)?;
    let options = InitOptions { source, classes: Some(classes.map(String::from).to_vec()), ..Default::default() };
    Ok(Set { name: "table", options, test: held_out(&ids), truth })
}
