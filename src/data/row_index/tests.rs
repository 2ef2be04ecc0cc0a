use proptest::prelude::*;

use super::*;

fn write(dir: &Path, text: &[u8]) -> PathBuf {
    let path = dir.join("t.csv");
    std::fs::write(&path, text).unwrap();
    path
}

/// Builds the index of `text` and reads every row through it, as strings.
fn rows_of(text: &[u8]) -> (usize, Vec<Vec<String>>) {
    let dir = tempfile::tempdir().unwrap();
    let index = RowIndex::new(&write(dir.path(), text), b',', None);
    let n = index.ensure(&|_| {}).unwrap();
    let rows = index.read(0, n + 10).unwrap();
    (n, rows.iter().map(|r| r.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect()).collect())
}

/// The data rows as the csv crate reads them, the reader windows are read with.
fn records_by_csv(text: &[u8]) -> Vec<csv::ByteRecord> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text);
    reader.byte_records().map(Result::unwrap).collect()
}

/// The first record the csv crate reads from byte `at` on.
fn record_at(text: &[u8], at: u64) -> Option<csv::ByteRecord> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(&text[at as usize..]);
    reader.byte_records().next().map(Result::unwrap)
}

fn split_in_chunks(text: &[u8], cuts: &[usize]) -> Found {
    let mut s = RowSplitter::new(b',');
    let mut rest = text;
    if rest.starts_with(b"\xEF\xBB\xBF") {
        s.skip(3);
        rest = &rest[3..];
    }
    for &cut in cuts {
        let (head, tail) = rest.split_at(cut.min(rest.len()));
        s.feed(head);
        rest = tail;
    }
    s.feed(rest);
    s.finish()
}

#[test]
fn quoted_newlines_and_escaped_quotes_stay_in_their_field() {
    let text = b"id,text\n1,\"two\nlines\"\n2,\"say \"\"hi\"\",\nthen go\"\n3,plain\n";
    let (n, rows) = rows_of(text);
    assert_eq!(n, 3);
    assert_eq!(rows[0], ["1", "two\nlines"]);
    assert_eq!(rows[1], ["2", "say \"hi\",\nthen go"]);
    assert_eq!(rows[2], ["3", "plain"]);
}

#[test]
fn a_quote_inside_an_unquoted_field_is_a_character() {
    let (n, rows) = rows_of(b"a,b\n5\" pipe,x\n6,y\n");
    assert_eq!(n, 2);
    assert_eq!(rows[0], ["5\" pipe", "x"]);
}

#[test]
fn crlf_line_ends() {
    let (n, rows) = rows_of(b"a,b\r\n1,x\r\n2,\"y\r\nz\"\r\n3,w\r\n");
    assert_eq!(n, 3);
    assert_eq!(rows[1], ["2", "y\r\nz"]);
    assert_eq!(rows[2], ["3", "w"]);
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_header_row() {
    let (n, rows) = rows_of(b"\xEF\xBB\xBF\"a\nb\",c\n1,2\n");
    assert_eq!(n, 1, "the quoted header field holds a newline");
    assert_eq!(rows[0], ["1", "2"]);
}

#[test]
fn a_last_line_without_a_newline_is_a_row() {
    assert_eq!(rows_of(b"a\n1\n2").0, 2);
    assert_eq!(rows_of(b"a\n1\n2\n").0, 2);
    assert_eq!(rows_of(b"a\r\n1\r\n2\r").0, 2, "a lone carriage return at the end is not a row");
    assert_eq!(rows_of(b"a\n1\n\"open").0, 2, "an unterminated quote runs to the end");
}

#[test]
fn blank_lines_are_not_rows() {
    let (n, rows) = rows_of(b"\na,b\n\n1,x\r\n\r\n2,y\n\n");
    assert_eq!(n, 2);
    assert_eq!(rows, [["1", "x"], ["2", "y"]]);
}

#[test]
fn windows_anywhere_read_the_right_rows() {
    let mut text = String::from("i,s\n");
    for i in 0..1000 {
        if i % 7 == 0 {
            text.push_str(&format!("{i},\"multi\nline {i}\"\n"));
        } else {
            text.push_str(&format!("{i},v{i}\n"));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let index = RowIndex::new(&write(dir.path(), text.as_bytes()), b',', None);
    assert_eq!(index.ensure(&|_| {}).unwrap(), 1000);
    for offset in [0, 1, 63, 64, 65, 127, 128, 500, 959, 999] {
        let rows = index.read(offset, 40).unwrap();
        assert_eq!(rows.len(), 40.min(1000 - offset));
        for (k, r) in rows.iter().enumerate() {
            assert_eq!(&r[0], (offset + k).to_string().as_bytes(), "offset {offset}");
        }
    }
    assert!(index.read(1000, 5).unwrap().is_empty());
    assert!(index.read(5000, 5).unwrap().is_empty());
}

#[test]
fn windows_are_read_before_and_during_the_pass() {
    let mut text = String::from("i\n");
    for i in 0..300 {
        text.push_str(&format!("{i}\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let index = RowIndex::new(&write(dir.path(), text.as_bytes()), b',', None);
    assert_eq!(index.rows_known(), (0, false));
    assert_eq!(index.read(250, 2).unwrap()[0].get(0), Some(&b"250"[..]), "no index yet: parsed from the top");
    // What a pass shares half way: the first two offsets only.
    let full = split_in_chunks(text.as_bytes(), &[]);
    index.publish(Found { offsets: full.offsets[..2].to_vec(), rows: 128, complete: false });
    assert_eq!(index.rows_known(), (128, false));
    assert_eq!(index.read(250, 2).unwrap()[1].get(0), Some(&b"251"[..]), "parsed on from row 64");
}

#[test]
fn the_index_is_cached_against_size_and_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), b"a\n1\n2\n3\n");
    let cache = dir.path().join("cache/rows.idx");
    assert_eq!(RowIndex::new(&path, b',', Some(cache.clone())).ensure(&|_| {}).unwrap(), 3);
    assert!(cache.is_file());
    // A cache that says something else, with the file's stamp, is believed: it is read, not rebuilt.
    let stamp = Stamp::of(&std::fs::metadata(&path).unwrap());
    let found = Found { offsets: vec![2], rows: 7, complete: true };
    let saved = Saved { version: VERSION, stamp, separator: b',', stride: STRIDE, found };
    std::fs::write(&cache, postcard::to_allocvec(&saved).unwrap()).unwrap();
    assert_eq!(RowIndex::new(&path, b',', Some(cache.clone())).ensure(&|_| {}).unwrap(), 7);
    // Once the file changes, the cache is stale and the file is indexed again.
    std::fs::write(&path, b"a\n1\n2\n3\n4\n").unwrap();
    assert_eq!(RowIndex::new(&path, b',', Some(cache.clone())).ensure(&|_| {}).unwrap(), 4);
    // A damaged cache is no cache.
    std::fs::write(&cache, b"\x01garbage").unwrap();
    assert_eq!(RowIndex::new(&path, b',', Some(cache)).ensure(&|_| {}).unwrap(), 4);
}

#[test]
fn progress_is_reported_and_the_last_report_is_the_total() {
    let dir = tempfile::tempdir().unwrap();
    let index = RowIndex::new(&write(dir.path(), b"a\n1\n2\n"), b',', None);
    let seen = std::cell::RefCell::new(Vec::new());
    index.ensure(&|n| seen.borrow_mut().push(n)).unwrap();
    assert_eq!(seen.borrow().last(), Some(&2));
}

/// CSV text built from random rows of awkward fields.
fn awkward_csv() -> impl Strategy<Value = Vec<u8>> {
    let field = prop_oneof![
        "[a-z0-9 ]{0,6}",
        "[a-z]{0,3}\"[a-z]{0,3}",
        Just("\"q,\"\"x\"\"\ny\"".to_string()),
        Just("\"\r\n\"".to_string()),
        Just("".to_string()),
    ];
    let row = prop::collection::vec(field, 1..4).prop_map(|f| f.join(","));
    let end = prop_oneof![Just("\n"), Just("\r\n"), Just("\n\n")];
    (prop::collection::vec((row, end), 1..150), any::<bool>(), any::<bool>()).prop_map(|(rows, bom, last_newline)| {
        let mut text = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
        text.extend_from_slice(b"h1,h2\n");
        for (i, (row, end)) in rows.iter().enumerate() {
            text.extend_from_slice(row.as_bytes());
            if last_newline || i + 1 < rows.len() {
                text.extend_from_slice(end.as_bytes());
            }
        }
        text
    })
}

proptest! {
    #[test]
    fn rows_start_where_the_csv_reader_says(text in awkward_csv(), cuts in prop::collection::vec(0usize..50, 0..6)) {
        let records = records_by_csv(&text);
        let found = split_in_chunks(&text, &cuts);
        prop_assert_eq!(found.rows, records.len());
        prop_assert_eq!(found.offsets.len(), records.len().div_ceil(STRIDE));
        for (k, at) in found.offsets.iter().enumerate() {
            let record = record_at(&text, *at);
            prop_assert_eq!(record.as_ref(), records.get(k * STRIDE), "offset {} of row {}", at, k * STRIDE);
        }
    }
}
