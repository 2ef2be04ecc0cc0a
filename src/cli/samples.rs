use std::path::Path;

use kindling::data::query::{LabelFilter, Query, parse_filter};
use kindling::data::split::Split;
use kindling::project::Project;
use kindling::project::samples::window;
use kindling::{Error, Result};

use super::output::{print, print_json};

/// Widest a column is drawn in the terminal; `--json` gives the full values.
const MAX_CELL: usize = 32;

/// Which samples `kindling samples` lists.
pub struct Which {
    pub unlabelled: bool,
    pub labelled: bool,
    pub class: Option<String>,
    pub split: Option<String>,
    pub filter: Option<String>,
}

impl Which {
    fn query(&self) -> Result<Query> {
        let labels = match (&self.class, self.unlabelled, self.labelled) {
            (Some(c), _, _) => LabelFilter::Class(c.clone()),
            (None, true, _) => LabelFilter::Unlabelled,
            (None, false, true) => LabelFilter::Labelled,
            _ => LabelFilter::All,
        };
        let split = match &self.split {
            Some(s) => {
                Some(Split::parse(s).ok_or_else(|| Error::user(format!("--split {s}: choose train, valid or test")))?)
            }
            None => None,
        };
        let filter = match &self.filter {
            Some(f) => Some(parse_filter(f).map_err(|e| Error::user(format!("--filter: {e}")))?),
            None => None,
        };
        Ok(Query { labels, split, filter, sort: None })
    }
}

pub fn run(dir: &Path, which: &Which, offset: usize, limit: usize, json: bool) -> Result<()> {
    let project = Project::open(dir)?;
    let w = window(&project, &which.query()?, offset, limit)?;
    if json {
        print_json(&w);
        return Ok(());
    }
    let mut header = vec!["id".to_string(), "label".to_string()];
    header.extend(w.columns.iter().cloned());
    let mut table = vec![header];
    for r in &w.rows {
        let mut cells = vec![r.id.clone(), r.label.clone().unwrap_or_else(|| "·".into())];
        cells.extend(r.values.iter().map(|v| v.clone().unwrap_or_else(|| "null".into())));
        table.push(cells);
    }
    let cell = |s: &str| -> String {
        let one_line = s.replace(['\n', '\r', '\t'], " ");
        if one_line.chars().count() > MAX_CELL {
            format!("{}…", one_line.chars().take(MAX_CELL - 1).collect::<String>())
        } else {
            one_line
        }
    };
    let table: Vec<Vec<String>> = table.iter().map(|row| row.iter().map(|c| cell(c)).collect()).collect();
    let widths: Vec<usize> =
        (0..table[0].len()).map(|i| table.iter().map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in &table {
        let line: Vec<String> = row.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    let shown_end = (w.offset + w.rows.len()).min(w.total);
    out.push_str(&format!("samples {}–{} of {}\n", w.offset, shown_end.saturating_sub(1), w.total));
    print(&out);
    Ok(())
}
