//! `kindling sweep` (every baseline × featurizer, cross-validated, as runs) and its
//! leaderboard (`kindling runs DIR --sweep ID`).

use std::path::Path;
use std::time::Duration;

use kindling::project::Project;
use kindling::runs::sweep::{self, Entry, SweepOptions};
use kindling::{Error, Result};

use super::output::{count, print, print_json};
use super::progress::TermProgress;

/// `--budget`: `90s`, `10m`, `1h`, or plain seconds.
pub fn parse_budget(text: &str) -> Result<Duration> {
    kindling::settings::parse_span(text).map_err(|e| Error::user(format!("--budget {}", e.message())))
}

pub fn run(dir: &Path, options: &SweepOptions, json: bool) -> Result<()> {
    let project = Project::open(dir)?;
    let progress = TermProgress::new();
    let said = |line: &str| eprintln!("{line}");
    let id = sweep::new_id(&project)?;
    stop_on_signals(project.root(), &id);
    let swept = sweep::run(&project, options, &id, &progress, &said)?;
    if json {
        print_json(&swept);
        return Ok(());
    }
    for f in &swept.failed {
        eprintln!("kindling: failed: {f}");
    }
    let mut out =
        format!("sweep {} — {}, {} folds each\n", swept.id, count(swept.entries.len() as u64, "run"), options.folds);
    out += &board(&swept.entries);
    if swept.skipped > 0 {
        out += &format!("{} not started: the budget ran out\n", count(swept.skipped as u64, "combination"));
    }
    print(&out);
    Ok(())
}

/// Ctrl-C (or `kill`, or a closed terminal) stops the sweep: the run in progress is marked
/// `cancelled`, the finished runs stay, and no other starts.
fn stop_on_signals(root: &Path, id: &str) {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else { return };
    let (root, id) = (root.to_path_buf(), id.to_string());
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            if let Some(run) = kindling::runs::active::cancel() {
                eprintln!("\nkindling: run {run} cancelled");
            }
            let finished = Project::open(&root).and_then(|p| sweep::leaderboard(&p, &id)).map_or(0, |e| e.len());
            eprintln!(
                "kindling: sweep {id} stopped; {} kept (`kindling runs {} --sweep {id}`), no other started",
                count(finished as u64, "finished run"),
                root.display()
            );
            std::process::exit(128 + signal);
        }
    });
}

pub fn leaderboard(dir: &Path, id: &str, json: bool) -> Result<()> {
    let project = Project::open(dir)?;
    let entries = sweep::leaderboard(&project, id)?;
    if json {
        print_json(&entries);
        return Ok(());
    }
    print(&format!("sweep {id}\n{}", board(&entries)));
    Ok(())
}

/// The leaderboard as a table, best first, with a hint when the top two are too close.
fn board(entries: &[Entry]) -> String {
    let mut rows = vec![
        ["model", "features", "accuracy", "macro F1", "fit s", "predict s/1k", "run s", "run"]
            .map(String::from)
            .to_vec(),
    ];
    for e in entries {
        rows.push(vec![
            e.model.clone(),
            e.features.clone(),
            format!("{:.3} ± {:.3}", e.accuracy_mean, e.accuracy_std),
            format!("{:.3} ± {:.3}", e.macro_f1_mean, e.macro_f1_std),
            format!("{:.2}", e.fit_seconds),
            format!("{:.3}", e.predict_seconds_per_1000),
            format!("{:.1}", e.seconds),
            e.run.clone(),
        ]);
    }
    let mut out = super::runs::table(&rows);
    if sweep::too_close_to_call(entries) {
        out += "the top two are within one standard deviation: either may be the better one\n";
    }
    out
}
