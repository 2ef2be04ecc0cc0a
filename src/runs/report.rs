//! The run report (`kindling show DIR RUN --report FILE.html|FILE.md`): one document per run
//! — the task and its classes, the data version and labels, the split, the featurizer and
//! model with their settings, the metrics and per-class table, the confusion matrix picture,
//! the loss curve, the top label issues, and the command that trains it again. HTML is
//! self-contained (pictures embedded as base64 PNG); Markdown links pictures written beside
//! it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine;

use super::detail::RunDetail;
use crate::error::{Error, Result};
use crate::project::Project;

/// Label issues listed at most.
const ISSUES: usize = 20;

/// Writes the report of run `id` to `path` (HTML for `.html` / `.htm`, else Markdown);
/// returns the pictures written beside a Markdown report.
pub fn write(project: &Project, id: &str, path: &Path) -> Result<Vec<PathBuf>> {
    let d = super::detail(project.root(), id)?;
    let html = matches!(path.extension().and_then(|e| e.to_str()), Some("html" | "htm"));
    let confusion = crate::eval::confusion_png::png(&d.confusion, &format!("run {id}"))?;
    let mut beside = Vec::new();
    let picture = |name: &str, bytes: &[u8], beside: &mut Vec<PathBuf>| -> Result<String> {
        if html {
            let data = base64::engine::general_purpose::STANDARD.encode(bytes);
            return Ok(format!("<img alt=\"{name}\" src=\"data:image/png;base64,{data}\">"));
        }
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("report");
        let file = path.with_file_name(format!("{stem}-{name}.png"));
        std::fs::write(&file, bytes).map_err(|e| Error::file(&file, e))?;
        let link = file.file_name().and_then(|f| f.to_str()).unwrap_or_default().to_string();
        beside.push(file);
        Ok(format!("![{name}]({link})"))
    };
    let confusion = picture("confusion", &confusion, &mut beside)?;
    let loss = match d.loss.len() {
        0 => None,
        _ => Some(picture("loss", &crate::eval::loss_png::png(&d.loss)?, &mut beside)?),
    };
    let markdown = markdown(project, &d, &confusion, loss.as_deref());
    let text = if html { to_html(&format!("run {id}"), &markdown) } else { markdown };
    std::fs::write(path, text).map_err(|e| Error::file(path, e))?;
    Ok(beside)
}

fn markdown(project: &Project, d: &RunDetail, confusion: &str, loss: Option<&str>) -> String {
    let r = &d.record;
    let m = &d.metrics;
    let number = |v: &serde_json::Value| v.as_f64().map_or("-".to_string(), |v| format!("{v:.3}"));
    let mut s = String::new();
    let _ = writeln!(s, "# Run {}\n", r.id);
    let _ = writeln!(
        s,
        "Project **{}**, {} data; status {}.\n",
        r.config.project.name,
        r.config.source.kind.name(),
        r.status
    );
    let _ = writeln!(s, "## Task\n");
    let _ = writeln!(s, "Classes: {}.\n", r.classes.join(", "));
    for (class, now) in &d.since {
        let _ = writeln!(s, "- {class} {now} since this run");
    }
    let _ = writeln!(s, "\n## Data\n");
    let v = &r.dataset;
    let _ = writeln!(s, "| | |\n|---|---|");
    let _ = writeln!(s, "| data version | `{}` |", v.fingerprint);
    let _ = writeln!(s, "| label events | {} |", v.label_events);
    let _ = writeln!(s, "| samples | {} |", v.samples);
    let _ = writeln!(s, "| labelled | {} |", v.labelled);
    match v.split.as_str() {
        "fixed" => writeln!(s, "| split | fixed by the source |"),
        split => writeln!(s, "| split | {split}, test share {} |", v.test_share),
    }
    .ok();
    let _ = writeln!(s, "| trained on | {} |", v.train);
    let _ = writeln!(s, "| scored on | {} ({} split) |", v.evaluated, v.evaluated_split);
    if let Ok(stats) = crate::project::labelling::label_stats(project) {
        let origins: Vec<String> = stats.events_per_origin.iter().map(|(o, n)| format!("{o} {n}")).collect();
        let _ = writeln!(
            s,
            "\nLabels now: {} of {} samples; events by origin: {}.\n",
            stats.labelled,
            stats.samples,
            origins.join(", ")
        );
        let _ = writeln!(s, "| class | labelled now |\n|---|---|");
        for (class, n) in &stats.per_class {
            let _ = writeln!(s, "| {class} | {n} |");
        }
    }
    let _ = writeln!(s, "\n## Model\n");
    let _ = writeln!(s, "| | |\n|---|---|");
    let _ = writeln!(s, "| model | {} |", r.model);
    let _ = writeln!(s, "| features | {} |", r.features);
    let _ = writeln!(s, "| seed | {} |", r.seed);
    let _ = writeln!(s, "| folds | {} |", r.folds.map_or("none".to_string(), |k| k.to_string()));
    let settings = serde_json::to_string(&r.config.features).unwrap_or_default();
    let _ = writeln!(s, "| featurizer settings | `{settings}` |");
    if let Some(a) = &r.augment {
        let _ = writeln!(s, "| augmentation | `{a}` |");
    }
    let _ = writeln!(s, "| took | {} s |", r.seconds.map_or("-".to_string(), |t| format!("{t:.1}")));
    let _ = writeln!(s, "\n## Metrics\n");
    let _ = writeln!(
        s,
        "accuracy {} · balanced accuracy {} · macro F1 {} · log loss {}\n",
        number(&m["accuracy"]),
        number(&m["balanced_accuracy"]),
        number(&m["macro_f1"]),
        number(&m["log_loss"])
    );
    if let Some(cv) = m.get("cross_validation") {
        let _ = writeln!(
            s,
            "Cross-validation: {} folds, accuracy {} ± {}.\n",
            cv["folds"],
            number(&cv["accuracy_mean"]),
            number(&cv["accuracy_std"])
        );
    }
    let _ = writeln!(s, "| class | precision | recall | F1 | support |\n|---|---|---|---|---|");
    for class in &d.confusion.classes {
        let pc = &m["per_class"][class];
        let _ = writeln!(
            s,
            "| {class} | {} | {} | {} | {} |",
            number(&pc["precision"]),
            number(&pc["recall"]),
            number(&pc["f1"]),
            pc["support"]
        );
    }
    let _ = writeln!(s, "\n## Confusion matrix\n\n{confusion}\n");
    if !d.loss.is_empty() {
        let _ = writeln!(s, "## Loss curve\n\n{}\n\n| iteration | loss |\n|---|---|", loss.unwrap_or_default());
        let step = d.loss.len().div_ceil(20).max(1);
        for (i, loss) in d.loss.iter().step_by(step) {
            let _ = writeln!(s, "| {i} | {loss:.4} |");
        }
        let _ = writeln!(s);
    }
    if let Some(issues) = d.issues.as_ref().filter(|i| !i.is_empty()) {
        let _ =
            writeln!(s, "## Suspected label errors\n\n| sample | given | suggested | p(given) |\n|---|---|---|---|");
        for i in issues.iter().take(ISSUES) {
            let _ = writeln!(s, "| {} | {} | {} | {:.3} |", i.id, i.given, i.suggested, i.self_confidence);
        }
        let _ = writeln!(s);
    }
    if let Ok(Some(profile)) = crate::drift::Profile::load(&super::dir(project.root(), &r.id)) {
        profile_section(&mut s, &profile);
    }
    let mut command = format!(
        "kindling train {} --model {} --features {} --seed {}",
        project.root().display(),
        r.model,
        r.features,
        r.seed
    );
    if let Some(k) = r.folds {
        let _ = write!(command, " --folds {k}");
    }
    if r.augment.is_none() {
        command.push_str(" --no-augment");
    }
    let _ = writeln!(s, "## Reproduce\n\nOn data version `{}`:\n\n```\n{command}\n```", v.fingerprint);
    s
}

/// The training inputs as `predict` and `serve` compare new data with them.
fn profile_section(s: &mut String, profile: &crate::drift::Profile) {
    use crate::drift::Shape;
    let _ = writeln!(
        s,
        "## Training profile\n\n{} training samples profiled; new data is compared with this for drift.\n",
        profile.samples
    );
    let _ = writeln!(s, "| feature | missing | distribution |\n|---|---|---|");
    for f in profile.features.iter().chain([&profile.confidence]) {
        let shape = match &f.shape {
            Shape::Number { deciles, mean, .. } => format!(
                "min {} · 10 % {} · median {} · 90 % {} · max {} · mean {}",
                short(deciles[0]),
                short(deciles[1]),
                short(deciles[5]),
                short(deciles[9]),
                short(deciles[10]),
                short(*mean)
            ),
            Shape::Category { frequencies, other } => {
                let mut top: Vec<String> =
                    frequencies.iter().take(5).map(|(c, share)| format!("{c} {:.0} %", share * 100.0)).collect();
                if frequencies.len() > 5 || *other > 0.0 {
                    top.push(format!("{} categories in all", frequencies.len()));
                }
                top.join(" · ")
            }
        };
        let _ = writeln!(s, "| {} | {:.1} % | {shape} |", f.name, f.missing * 100.0);
    }
    let _ = writeln!(s);
}

/// A number to four decimals (tiny or huge ones in exponent form).
fn short(v: f64) -> String {
    if v.is_finite() && v != 0.0 && (v.abs() >= 1e5 || v.abs() < 1e-3) {
        format!("{v:.3e}")
    } else {
        format!("{}", (v * 1e4).round() / 1e4)
    }
}

/// The Markdown the report writes, as a small self-contained HTML page: headings, tables,
/// paragraphs, code blocks, pictures.
fn to_html(title: &str, markdown: &str) -> String {
    let escape = |t: &str| t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let inline = |t: &str| {
        let t = escape(t);
        let mut out = String::new();
        for (i, part) in t.split('`').enumerate() {
            if i % 2 == 1 {
                let _ = write!(out, "<code>{part}</code>");
            } else {
                out.push_str(&part.replace("**", ""));
            }
        }
        out
    };
    let mut body = String::new();
    let mut lines = markdown.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some(h) = line.strip_prefix("## ") {
            let _ = writeln!(body, "<h2>{}</h2>", inline(h));
        } else if let Some(h) = line.strip_prefix("# ") {
            let _ = writeln!(body, "<h1>{}</h1>", inline(h));
        } else if line.starts_with("<img") {
            let _ = writeln!(body, "<p>{line}</p>");
        } else if line.starts_with("```") {
            body.push_str("<pre>");
            for code in lines.by_ref().take_while(|l| !l.starts_with("```")) {
                let _ = writeln!(body, "{}", escape(code));
            }
            body.push_str("</pre>\n");
        } else if line.starts_with('|') {
            body.push_str("<table>\n");
            let mut row = Some(line);
            let mut first = true;
            while let Some(r) = row {
                let cells: Vec<&str> = r.trim_matches('|').split('|').map(str::trim).collect();
                if !cells.iter().all(|c| c.chars().all(|ch| ch == '-')) {
                    let tag = if first { "th" } else { "td" };
                    let cells: String = cells.iter().map(|c| format!("<{tag}>{}</{tag}>", inline(c))).collect();
                    let _ = writeln!(body, "<tr>{cells}</tr>");
                }
                first = false;
                row = lines.next_if(|l| l.starts_with('|'));
            }
            body.push_str("</table>\n");
        } else if let Some(item) = line.strip_prefix("- ") {
            let _ = writeln!(body, "<p>• {}</p>", inline(item));
        } else if !line.trim().is_empty() {
            let _ = writeln!(body, "<p>{}</p>", inline(line));
        }
    }
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title><style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:2px 8px}}</style></head>\n<body>\n{body}</body></html>\n",
        escape(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_html_holds_headings_tables_code_and_escapes_text() {
        let md = "# Run r1\n\n## Data\n\n| | |\n|---|---|\n| samples | 5 |\n\na <b> `x` **y**\n\n```\nkindling train p\n```\n";
        let html = to_html("run r1", md);
        assert!(html.contains("<h1>Run r1</h1>") && html.contains("<h2>Data</h2>"), "{html}");
        assert!(html.contains("<tr><td>samples</td><td>5</td></tr>"), "{html}");
        assert!(html.contains("a &lt;b&gt; <code>x</code> y"), "{html}");
        assert!(html.contains("<pre>kindling train p\n</pre>"), "{html}");
        assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    }
}
