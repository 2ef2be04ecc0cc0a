//! `kindling qa` and `kindling labels gold`.

use std::path::Path;

use kindling::labels::files;
use kindling::project::Project;
use kindling::qa::{self, QaReport};
use kindling::workflow::label_qa;
use kindling::{Error, Result};

use super::output::{count, print, print_json};
use super::progress::TermProgress;

pub fn report(dir: &Path, json: bool) -> Result<()> {
    let project = Project::open(dir)?;
    let unfitted = label_qa::refresh(&project, &TermProgress::new());
    let report = label_qa::report(&project)?;
    if json {
        print_json(&report);
        return Ok(());
    }
    print(&describe(&report, &project.config.qa));
    if let Some(why) = unfitted {
        print(&format!("(the drop weighs the re-asks alone: the live model cannot be fitted — {why})"));
    }
    Ok(())
}

fn describe(r: &QaReport, settings: &kindling::project::qa_settings::QaSettings) -> String {
    let mut out = String::new();
    let a = &r.self_agreement;
    match &a.kappa {
        _ if a.pairs == 0 => out.push_str(&format!(
            "self-agreement: no echoes answered yet ([qa] echo = {}: that share of the samples shown are labelled ones \
             asked again blind, {} own labels and {} after their label)\n",
            settings.echo, settings.echo_gap, settings.echo_wait
        )),
        Some(k) => {
            out.push_str(&format!(
                "self-agreement: {:.2} on {} · κ {:.2} ({:.2}–{:.2})",
                a.percent,
                echoes(a.pairs),
                k.value,
                k.low,
                k.high
            ));
            match r.echoes_for_target {
                Some(more) if more > 0 => out.push_str(&format!("; {more} more echoes would narrow it to ±0.05\n")),
                _ => out.push('\n'),
            }
        }
        None => out.push_str(&format!(
            "self-agreement: {:.2} on {} (κ needs answers of two classes)\n",
            a.percent,
            echoes(a.pairs)
        )),
    }
    match &r.gold {
        Some(g) => out.push_str(&format!(
            "gold: {:.2} right on {} ({:.2}–{:.2})\n",
            g.accuracy.value,
            count(g.answered as u64, "answer"),
            g.accuracy.low,
            g.accuracy.high
        )),
        None => out.push_str("gold: none answered (set some aside with `kindling labels gold`)\n"),
    }
    if !r.self_confusion.is_empty() {
        out.push_str("answered differently the second time (first → second):\n");
        let width =
            r.self_confusion.iter().map(|(a, b, _)| a.chars().count() + b.chars().count() + 3).max().unwrap_or(0);
        for (first, second, n) in &r.self_confusion {
            out.push_str(&format!("  {:<width$}  {n}\n", format!("{first} → {second}")));
        }
    }
    if let Some(d) = &r.drop {
        out.push_str(&format!(
            "agreement dropped: {} over the last {:.0} minutes (from label {}): a break, or a look at \
             `kindling queue --order review`?\n",
            d.rates_said(),
            d.minutes,
            d.after_labels
        ));
    }
    if r.windows.len() > 1 {
        let w: Vec<String> = r.windows.iter().map(|w| format!("{:.2}", w.agreement)).collect();
        out.push_str(&format!("agreement over time (20 answers a window): {}\n", w.join(" ")));
    }
    if let Some(p) = &r.pace {
        out.push_str(&format!(
            "pace: {:.1} s a label (median of {}), 9 in 10 within {:.1} s",
            p.median_s, p.labels, p.p90_s
        ));
        let slow: Vec<String> = p.slow.iter().take(3).map(|(id, s)| format!("{id} {s:.0} s")).collect();
        if !slow.is_empty() {
            out.push_str(&format!("; slowest: {}", slow.join(", ")));
        }
        out.push('\n');
    }
    out
}

/// `qa --answers`: every answer to a re-ask, with its origin, as CSV.
pub fn answers(dir: &Path, output: Option<&Path>) -> Result<()> {
    let project = Project::open(dir)?;
    let read = qa::answers(&project.labels()?)?;
    let mut rows: Vec<[String; 5]> =
        read.echoes
            .iter()
            .map(|e| [e.sample_id.clone(), e.first.clone(), e.second.clone(), "echo".into(), e.second_ms.to_string()])
            .chain(read.gold.iter().map(|g| {
                [g.sample_id.clone(), g.known.clone(), g.answer.clone(), "gold".into(), g.time_ms.to_string()]
            }))
            .collect();
    rows.sort_by_key(|r| (r[4].parse::<i64>().unwrap_or(0), r[0].clone()));
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Error::internal(format!("writing the answers: {e}"));
    w.write_record(["id", "label", "answer", "origin", "time_ms"]).map_err(fail)?;
    for row in &rows {
        w.write_record(row).map_err(fail)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::internal(format!("writing the answers: {e}")))?;
    match super::output::file_or_stdout(output) {
        Some(path) => {
            kindling::atomic::write_whole(path, &bytes)?;
            eprintln!("wrote {} to {}", count(rows.len() as u64, "answer"), path.display());
        }
        None => super::output::print_bytes(&bytes),
    }
    Ok(())
}

fn echoes(n: usize) -> String {
    if n == 1 { "1 echo".into() } else { format!("{n} echoes") }
}

pub fn gold(dir: &Path, file: Option<&Path>, from_labels: Option<usize>) -> Result<()> {
    let project = Project::open(dir)?;
    let rows = match (file, from_labels) {
        (_, Some(n)) => qa::gold_from_labels(&project, n)?,
        (Some(file), None) => {
            let rows = files::read(file)?;
            let rows: Vec<(String, String)> =
                rows.into_iter().filter_map(|r| r.label.map(|label| (r.id, label))).collect();
            if rows.is_empty() {
                return Err(Error::file(file, "has no row with both an id and a label"));
            }
            qa::set_gold(&project, &rows)?;
            rows
        }
        (None, None) => return Err(Error::user("give a file of known answers (id,label) or --from-labels N")),
    };
    let total = qa::gold(&project)?.len();
    print(&format!(
        "set aside {} as gold ({total} in all); they are asked blind at [qa] gold = {} of the samples shown\n",
        count(rows.len() as u64, "sample"),
        project.config.qa.gold
    ));
    Ok(())
}
