//! Writes a large table for the benchmarks: `cargo run --release --example big_table -- DIR [ROWS]`
//! makes DIR/big.csv and DIR/big.parquet (default 2,000,000 rows) with numbers, strings,
//! missing values and a partly filled label column. Deterministic; nothing downloaded.

use polars::prelude::*;

fn main() -> PolarsResult<()> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| "bench-data".into()));
    let rows: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(2_000_000);
    std::fs::create_dir_all(&dir)?;
    let n = rows as u64;
    let ids: Vec<String> = (0..n).map(|i| format!("r{i}")).collect();
    let a: Vec<Option<f64>> = (0..n).map(|i| (i % 11 != 0).then(|| (i * 7919 % 1000) as f64 / 7.0)).collect();
    let b: Vec<i64> = (0..n).map(|i| (i * 104_729 % 100_000) as i64).collect();
    let colour: Vec<Option<&str>> = (0..n).map(|i| ["red", "green", "blue"].get((i % 4) as usize).copied()).collect();
    let note: Vec<String> = (0..n).map(|i| format!("note {i}, with a comma")).collect();
    let label: Vec<Option<&str>> = (0..n).map(|i| ["x", "y"].get((i % 3) as usize).copied()).collect();
    let mut df = DataFrame::new_infer_height(vec![
        Column::new("id".into(), ids),
        Column::new("a".into(), a),
        Column::new("b".into(), b),
        Column::new("colour".into(), colour),
        Column::new("note".into(), note),
        Column::new("label".into(), label),
    ])?;
    CsvWriter::new(std::fs::File::create(dir.join("big.csv"))?).finish(&mut df)?;
    ParquetWriter::new(std::fs::File::create(dir.join("big.parquet"))?).finish(&mut df)?;
    println!("wrote {rows} rows to {}/big.csv and big.parquet", dir.display());
    Ok(())
}
