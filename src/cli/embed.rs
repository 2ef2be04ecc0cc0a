//! `kindling embed` (vectors per sample, cached) and `kindling similar` (a sample's nearest
//! neighbours by cosine, with their labels).

use std::path::Path;

use kindling::embed::similar::{self, Neighbour};
use kindling::embed::{self, Embedder};
use kindling::progress::Progress;
use kindling::project::Project;
use kindling::{Error, Result};

use super::output::{count, print, print_json};
use super::progress::TermProgress;

/// What the command line says makes the vectors: `--features` or `--encoder`.
pub struct VectorsBy<'a> {
    pub features: &'a str,
    pub encoder: Option<&'a Path>,
}

fn embedder(project: &Project, by: &VectorsBy) -> Result<Embedder> {
    Embedder::choose(by.features, by.encoder, project.config.source.kind, &project.config.features)
}

pub fn embed(dir: &Path, by: &VectorsBy, out: Option<&Path>, json: bool) -> Result<()> {
    let project = Project::open(dir)?;
    let embedder = embedder(&project, by)?;
    let progress = TermProgress::new();
    let (vectors, skipped) = embed::vectors(&project, &embedder, &progress)?;
    progress.finish();
    for s in &skipped {
        eprintln!("kindling: left out {s}");
    }
    if let Some(out) = out {
        vectors.write_csv(out)?;
        let form = if vectors.writes_long() {
            format!(" (sparse: a line `id,dimension,value` for each non-zero of {} dimensions)", vectors.width())
        } else {
            String::new()
        };
        eprintln!("wrote {}{form} to {}", count(vectors.len() as u64, "vector"), out.display());
    }
    let path = embed::cache_path(project.root(), &embedder);
    if json {
        print_json(&serde_json::json!({
            "features": embedder.name(), "samples": vectors.len(), "dimensions": vectors.width(),
            "skipped": skipped, "cache": path,
        }));
        return Ok(());
    }
    print(&format!(
        "{} of {} dimensions ({} features), cached in {}\n",
        count(vectors.len() as u64, "vector"),
        vectors.width(),
        embedder.name(),
        path.display()
    ));
    Ok(())
}

/// Queries past this many have their neighbours' labels read all at once, not one by one.
const LABELS_ONE_BY_ONE: usize = 100;

/// `ids` as given, `-` standing for the ids on standard input (one a line).
fn query_ids(ids: &[String]) -> Result<Vec<String>> {
    let mut queries = Vec::new();
    for id in ids {
        if id != "-" {
            queries.push(id.clone());
            continue;
        }
        for line in std::io::stdin().lines() {
            let line = line.map_err(|e| Error::user(format!("reading ids from standard input: {e}")))?;
            let line = line.trim();
            if !line.is_empty() {
                queries.push(line.to_string());
            }
        }
    }
    Ok(queries)
}

pub fn similar(dir: &Path, ids: &[String], k: usize, by: &VectorsBy, json: bool) -> Result<()> {
    let project = Project::open(dir)?;
    let embedder = embedder(&project, by)?;
    let queries = query_ids(ids)?;
    if queries.is_empty() {
        return Err(Error::user("no sample ids given (standard input was empty)"));
    }
    let progress = TermProgress::new();
    let asked: Vec<&str> = queries.iter().map(String::as_str).collect();
    let found = similar::in_project(&project, &embedder, &asked, k, &progress)?;
    progress.finish();
    let missing: Vec<&str> = asked.iter().zip(&found).filter(|(_, f)| f.is_none()).map(|(id, _)| *id).collect();
    if let Some(first) = missing.first() {
        let more = if missing.len() > 1 { format!(" (and {} more)", missing.len() - 1) } else { String::new() };
        return Err(Error::user(format!(
            "no sample \"{first}\"{more} with a vector; ids are as `kindling samples {}` lists them",
            dir.display()
        )));
    }
    let found: Vec<Vec<Neighbour>> = found.into_iter().flatten().collect();
    // Only the neighbours' labels for a few queries: reading all of them costs more than the
    // search at 100,000.
    let store = project.labels()?;
    let labels: std::collections::HashMap<String, String> = if queries.len() > LABELS_ONE_BY_ONE {
        store.current()?.into_iter().collect()
    } else {
        let mut labels = std::collections::HashMap::new();
        for n in found.iter().flatten() {
            if let Some(l) = store.get(&n.id)? {
                labels.insert(n.id.clone(), l);
            }
        }
        labels
    };
    let rows = |near: &[Neighbour]| -> Vec<serde_json::Value> {
        near.iter()
            .map(|n| serde_json::json!({ "id": n.id, "similarity": n.similarity, "label": labels.get(&n.id) }))
            .collect()
    };
    if json && queries.len() == 1 {
        print_json(&rows(&found[0]));
        return Ok(());
    }
    if json {
        let all: Vec<_> = queries
            .iter()
            .zip(&found)
            .map(|(id, near)| serde_json::json!({ "id": id, "neighbours": rows(near) }))
            .collect();
        print_json(&all);
        return Ok(());
    }
    let mut out = String::new();
    for (q, (id, near)) in queries.iter().zip(&found).enumerate() {
        let indent = if queries.len() > 1 { "  " } else { "" };
        if queries.len() > 1 {
            out.push_str(&format!("{}{id}\n", if q > 0 { "\n" } else { "" }));
        }
        let width = near.iter().map(|n| n.id.chars().count()).max().unwrap_or(2).max(2);
        for n in near {
            let label = labels.get(&n.id).map_or("·", String::as_str);
            out.push_str(&format!("{indent}{:<width$}  {:.3}  {label}\n", n.id, n.similarity));
        }
    }
    print(&out);
    Ok(())
}

pub fn clusters(dir: &Path, k: Option<usize>, by: &VectorsBy, seed: u64, json: bool) -> Result<()> {
    let project = Project::open(dir)?;
    let embedder = embedder(&project, by)?;
    let progress = TermProgress::new();
    let (vectors, _) = embed::vectors(&project, &embedder, &progress)?;
    progress.finish();
    let labels: std::collections::HashMap<String, String> = project.labels()?.current()?.into_iter().collect();
    // As many clusters as classes by default: a first look at whether the data agrees.
    let wanted = k.unwrap_or(project.config.classes.len().max(2));
    let k = wanted.min(vectors.len().max(2));
    if k < wanted {
        eprintln!("kindling: -k {wanted} is more than the {} samples: made {k} clusters", vectors.len());
    }
    let found = embed::clusters::cached_kmeans(project.root(), &vectors, &labels, k, seed)?;
    if json {
        print_json(&found.clusters);
        return Ok(());
    }
    let mut out = String::new();
    for (c, cluster) in found.clusters.iter().enumerate() {
        let mut make_up: Vec<(&String, &usize)> = cluster.labels.iter().collect();
        make_up.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let make_up: Vec<String> = make_up.iter().map(|(l, n)| format!("{l} {n}")).collect();
        out.push_str(&format!("cluster {c}: {}  ({})\n", count(cluster.size as u64, "sample"), make_up.join(", ")));
        out.push_str(&format!("  central: {}\n", cluster.central.join(", ")));
    }
    print(&out);
    Ok(())
}

pub fn map(dir: &Path, method_name: &str, by: &VectorsBy, png: Option<&Path>, json: bool) -> Result<()> {
    let project = Project::open(dir)?;
    let embedder = embedder(&project, by)?;
    let progress = TermProgress::new();
    let (vectors, _) = embed::vectors(&project, &embedder, &progress)?;
    progress.finish();
    let projection = embed::map::Projection::choose(method_name, vectors.len())?;
    let points = embed::map::cached_project(project.root(), &vectors, projection, &progress)?;
    progress.finish();
    let labels: std::collections::HashMap<String, String> = project.labels()?.current()?.into_iter().collect();
    if let Some(path) = png {
        embed::map_png::write(&points, &labels, &project.config.classes, path)?;
        eprintln!("wrote the map of {} to {}", count(points.len() as u64, "sample"), path.display());
    }
    if json {
        let rows: Vec<_> = points
            .iter()
            .map(|p| serde_json::json!({ "id": p.id, "x": p.x, "y": p.y, "label": labels.get(&p.id) }))
            .collect();
        print_json(&rows);
    } else if png.is_none() {
        let mut out = csv::Writer::from_writer(Vec::new());
        let write =
            |w: &mut csv::Writer<Vec<u8>>, r: [&str; 4]| w.write_record(r).map_err(|e| Error::internal(e.to_string()));
        write(&mut out, ["id", "x", "y", "label"])?;
        for p in &points {
            let (x, y) = (format!("{:.6}", p.x), format!("{:.6}", p.y));
            write(&mut out, [&p.id, &x, &y, labels.get(&p.id).map_or("", String::as_str)])?;
        }
        let bytes = out.into_inner().map_err(|e| Error::internal(e.to_string()))?;
        super::output::print_bytes(&bytes);
    }
    Ok(())
}
