//! Writes a wide numeric table for the browse benchmark:
//! `cargo run --example numeric_table -- DIR [ROWS]` makes DIR/numeric.csv and
//! DIR/numeric.parquet (default 2,000,000 rows × 22 columns, ~450 MB of CSV): an integer id
//! that starts at 1,000,000,000 (so the first and last rows read unmistakably on screen),
//! twenty floats f0–f19 with seven decimals, and an integer label. Deterministic.

use polars::prelude::*;

fn main() -> PolarsResult<()> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| "bench-data".into()));
    let rows: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(2_000_000);
    std::fs::create_dir_all(&dir)?;
    let mut columns = vec![Column::new("id".into(), (0..rows as i64).map(|i| 1_000_000_000 + i).collect::<Vec<_>>())];
    // A small linear congruential generator: the same numbers on every machine.
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for c in 0..20 {
        let scale = 10f64.powi(c % 5 - 1);
        let values: Vec<f64> = (0..rows).map(|_| ((next() - 0.5) * 6.0 * scale * 1e7).round() / 1e7).collect();
        columns.push(Column::new(format!("f{c}").into(), values));
    }
    columns.push(Column::new("label".into(), (0..rows as i64).map(|i| i % 3).collect::<Vec<_>>()));
    let mut df = DataFrame::new_infer_height(columns)?;
    CsvWriter::new(std::fs::File::create(dir.join("numeric.csv"))?).finish(&mut df)?;
    ParquetWriter::new(std::fs::File::create(dir.join("numeric.parquet"))?).finish(&mut df)?;
    println!("wrote {rows} rows to {}/numeric.csv and numeric.parquet", dir.display());
    Ok(())
}
