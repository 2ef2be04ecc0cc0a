//! A table far wider than the screen, with 7-digit row numbers, long values and floats of
//! many digits: every value on screen must be its true value, but for a trailing `…` or the
//! rounding of a float.

use kindling::data::SourceKind;
use kindling::data::display;
use kindling::project::samples::{SampleRow, TableColumn};

use super::job::{Job, Msg};
use super::keys::Action;
use super::snapshot_tests::{app, check, draw};

const TOTAL: usize = 2_000_000;
const COLUMNS: usize = 30;

fn column(c: usize) -> TableColumn {
    TableColumn { name: format!("c{c}"), float: c.is_multiple_of(3) }
}

fn value(row: usize, c: usize) -> Option<String> {
    match c % 3 {
        _ if (row + c) % 17 == 5 => None,
        0 => Some(format!("{:.9}", -2.1422038 * (row as f64 + 1.0) / (c as f64 + 3.0))),
        1 => Some(format!("{}", row * 7 + c)),
        _ => Some(format!("a long note for row {row}, column {c}, longer than any column is drawn")),
    }
}

fn rows(offset: usize, n: usize) -> Vec<SampleRow> {
    (offset..(offset + n).min(TOTAL))
        .map(|i| SampleRow {
            id: format!("sample-{i}"),
            label: (i % 2 == 0).then(|| "oak".into()),
            values: (0..COLUMNS).map(|c| value(i, c)).collect(),
        })
        .collect()
}

/// The Browse pane on the wide table, scrolled to `row`, `right` columns to the right.
fn screen(row: usize, right: usize, width: u16, height: u16) -> String {
    let mut a = app(SourceKind::Table);
    a.receive(Msg::Count { generation: 0, result: Ok(TOTAL) });
    a.panes.browse.set_page(height as usize);
    a.panes.browse.jump(row);
    for job in a.jobs() {
        if let Job::Rows { request, offset, len, .. } = job {
            let columns = (0..COLUMNS).map(column).collect();
            a.receive(Msg::Rows { request, offset, result: Ok((columns, rows(offset, len))) });
        }
    }
    for _ in 0..right {
        a.act(Action::Right);
    }
    draw(&mut a, width, height)
}

/// Is `shown` what a cell may show of `truth` in a column `width` wide?
fn faithful(shown: &str, truth: &str, float: bool) -> bool {
    let full = if float { display::float(truth) } else { truth.to_string() };
    if float {
        let (a, b): (f64, f64) = (full.parse().unwrap(), truth.parse().unwrap());
        assert!(((a - b) / b).abs() < 1e-6, "{full} is not a rounding of {truth}");
    }
    match shown.strip_suffix('…') {
        Some(prefix) => full.starts_with(prefix),
        None => shown == full,
    }
}

/// Reads the grid back off the screen and checks every cell against the data.
fn check_every_cell(text: &str, first_column: usize) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let header_at = lines.iter().position(|l| l.contains("│#")).expect("a header line");
    let header: Vec<char> = lines[header_at].chars().collect();
    // Cells start where their header does; headers are separated by two spaces.
    let mut starts = Vec::new();
    for (x, c) in header.iter().enumerate() {
        if *c != ' ' && *c != '│' && (x == 0 || header[x - 1] == ' ' || header[x - 1] == '│') {
            starts.push(x);
        }
    }
    let end = header.iter().rposition(|c| *c == '│').unwrap();
    let names: Vec<String> = starts
        .iter()
        .enumerate()
        .map(|(k, &x)| header[x..starts.get(k + 1).copied().unwrap_or(end)].iter().collect::<String>().trim().into())
        .collect();
    assert_eq!(&names[..3], ["#", "id", "label"]);
    for (k, name) in names[3..].iter().enumerate() {
        assert_eq!(name, &format!("c{}", first_column + k), "columns are drawn in order from the selected one");
    }
    let mut checked = 0;
    for line in &lines[header_at + 1..] {
        let chars: Vec<char> = line.chars().collect();
        let cell = |k: usize| -> String {
            let from = starts[k].min(chars.len());
            let to = starts.get(k + 1).copied().unwrap_or(end).min(chars.len());
            chars[from..to].iter().collect::<String>().trim().to_string()
        };
        let Ok(number) = cell(0).parse::<usize>() else { break };
        let row = number - 1;
        assert_eq!(cell(1), format!("sample-{row}"), "the id of row {number}");
        for k in 3..starts.len() {
            let c = first_column + k - 3;
            let shown = cell(k);
            match value(row, c) {
                None => assert_eq!(shown, "null"),
                Some(truth) => {
                    assert!(faithful(&shown, &truth, column(c).float), "row {number} c{c}: {shown:?} for {truth:?}")
                }
            }
            checked += 1;
        }
    }
    checked
}

#[test]
fn every_value_on_screen_is_its_true_value() {
    for (row, right, width, height) in
        [(1_999_999, 0, 160, 45), (1_234_567, 7, 120, 30), (0, 29, 80, 24), (1_999_980, 2, 200, 60)]
    {
        let text = screen(row, right, width, height);
        let checked = check_every_cell(&text, right);
        assert!(checked > 0, "no cell checked at {width}×{height}:\n{text}");
        let title = text.lines().nth(1).unwrap();
        assert!(title.contains(&format!("columns c{right}")) && title.contains("of 30"), "{title}");
    }
}

#[test]
fn the_selected_value_is_shown_whole_below_the_grid() {
    let text = screen(1_999_999, 0, 160, 45);
    let truth = value(1_999_999, 0).unwrap();
    assert!(text.contains(&format!("c0 = {truth}")), "{text}");
    check("table_wide_160x45", &text);
}
