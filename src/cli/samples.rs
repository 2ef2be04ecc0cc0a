use std::path::Path;

use kindling::Result;
use kindling::project::Project;
use kindling::project::samples::window;

use super::output::{print, print_json};

/// Widest a column is drawn in the terminal; `--json` gives the full values.
const MAX_CELL: usize = 32;

pub fn run(dir: &Path, offset: usize, limit: usize, json: bool) -> Result<()> {
    let project = Project::open(dir)?;
    let w = window(&project, offset, limit)?;
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
