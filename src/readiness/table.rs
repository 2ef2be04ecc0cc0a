//! Checks of a table source, as polars lazy queries over the file (each a streaming pass):
//! per column missing values, constants, numbers stored as text and outliers; duplicate
//! rows; near-duplicate texts; columns that predict the label almost alone.

use std::collections::HashMap;

use polars::prelude::*;

use super::{Check, Finding, Groups, Scanned, Severity};
use crate::data::SourceKind;
use crate::data::TableSource;
use crate::data::table::column_texts;
use crate::error::Result;
use crate::eval::leakage::LEAKAGE_ACCURACY;
use crate::progress::Progress;

/// A value this many robust standard deviations from the median is an outlier.
const ROBUST_Z: f64 = 3.5;
/// A text column is "numbers stored as text" when at least this share of its values parse.
const NUMERIC_SHARE: f64 = 0.9;
const LABEL: &str = "__kindling_label";
const GROUP: &str = "__kindling_group";

pub fn scan(t: &TableSource, labels: &HashMap<String, String>, progress: &dyn Progress) -> Result<Scanned> {
    let mut findings = Vec::new();
    let mut profile = vec![("source".to_string(), t.table.path().display().to_string())];
    if let Ok(meta) = std::fs::metadata(t.table.path()) {
        profile.push(("size".into(), human_size(meta.len())));
    }
    progress.stage("checking the table can be read", None);
    if let Err(e) = t.table.validate_text() {
        findings.push(
            Finding::new(Check::Unreadable, Severity::Error, 1, e.message().to_string())
                .suggest("fix or re-export the file (every row with the header's fields, UTF-8)"),
        );
        return Ok(Scanned {
            findings,
            profile,
            ids: Vec::new(),
            exact: Vec::new(),
            near: Vec::new(),
            leakage: Vec::new(),
        });
    }
    if t.table.format().is_delimited() {
        profile.push(("encoding".into(), "UTF-8, every line with the header's fields (checked)".into()));
    }
    let lf = t.scan_with_ids()?;
    let schema = t.table.collect(lf.clone().limit(0))?.schema().clone();
    let reserved = t.reserved_columns();
    let text_column = (t.kind == SourceKind::Text).then(|| t.text_column.clone()).flatten();
    let features: Vec<(String, DataType)> = schema
        .iter()
        .filter(|(name, _)| !reserved.iter().any(|r| r == name.as_str()) || Some(name.to_string()) == text_column)
        .map(|(name, dtype)| (name.to_string(), dtype.clone()))
        .collect();

    progress.stage("counting values per column", None);
    let mut stats = vec![len().cast(DataType::UInt64).alias("__rows")];
    for (c, dtype) in &features {
        stats.push(col(c.as_str()).null_count().cast(DataType::UInt64).alias(format!("{c}__nulls")));
        stats.push(col(c.as_str()).n_unique().cast(DataType::UInt64).alias(format!("{c}__distinct")));
        if dtype.is_primitive_numeric() {
            stats.push(col(c.as_str()).cast(DataType::Float64).median().alias(format!("{c}__median")));
        }
        if dtype.is_string() {
            let parses = col(c.as_str()).str().strip_chars(lit(NULL)).cast(DataType::Float64).is_not_null();
            stats.push(parses.sum().cast(DataType::UInt64).alias(format!("{c}__numeric")));
        }
    }
    let stats = t.table.collect(lf.clone().select(stats))?;
    let number =
        |name: &str| -> u64 { stats.column(name).ok().and_then(|c| c.u64().ok()).and_then(|c| c.get(0)).unwrap_or(0) };
    let rows = number("__rows");
    profile.push(("rows".into(), rows.to_string()));
    profile.push(("columns".into(), features.iter().map(|(c, d)| format!("{c} ({d})")).collect::<Vec<_>>().join(", ")));
    let first_ids = |filter: Expr| -> Result<Vec<String>> {
        let df = t.table.collect(lf.clone().filter(filter).select([col("id")]).limit(super::EXAMPLES as IdxSize))?;
        column_texts(df.column("id")?)
    };

    for (c, dtype) in &features {
        progress.stage(&format!("checking column {c}"), None);
        let nulls = number(&format!("{c}__nulls"));
        let distinct = number(&format!("{c}__distinct")).saturating_sub(u64::from(nulls > 0));
        if nulls > 0 {
            let share = nulls as f64 / rows.max(1) as f64;
            let severity = if share > 0.5 { Severity::Error } else { Severity::Warning };
            findings.push(
                Finding::new(
                    Check::MissingValues,
                    severity,
                    nulls,
                    format!("{nulls} of {rows} values missing ({:.1}%)", share * 100.0),
                )
                .column(c)
                .examples(first_ids(col(c.as_str()).is_null())?)
                .suggest(
                    "baselines impute them (median / most frequent) and mark them; fill them if they mean something",
                ),
            );
        }
        if distinct <= 1 && rows > 1 {
            findings.push(
                Finding::new(
                    Check::ConstantColumn,
                    Severity::Warning,
                    rows,
                    format!("every value is the same ({distinct} distinct)"),
                )
                .column(c)
                .suggest("drop the column: it cannot tell samples apart"),
            );
            continue;
        }
        if dtype.is_string() && Some(c) != text_column.as_ref() {
            let parses = number(&format!("{c}__numeric"));
            let present = rows - nulls;
            if present > 0 && parses < present && parses as f64 >= NUMERIC_SHARE * present as f64 {
                let stray = col(c.as_str())
                    .is_not_null()
                    .and(col(c.as_str()).str().strip_chars(lit(NULL)).cast(DataType::Float64).is_null());
                findings.push(
                    Finding::new(
                        Check::TypeMixup,
                        Severity::Warning,
                        present - parses,
                        format!("{parses} of {present} values are numbers, the rest text: numbers stored as text"),
                    )
                    .column(c)
                    .examples(first_ids(stray)?)
                    .suggest("fix or blank the values that are not numbers, so the column is read as numbers"),
                );
            }
        }
        if dtype.is_primitive_numeric()
            && !dtype.is_bool()
            && let Some(finding) = outliers(t, &lf, c, stats.column(&format!("{c}__median"))?.f64()?.get(0))?
        {
            findings.push(finding);
        }
    }

    progress.stage("looking for duplicate rows", None);
    let feature_names: Vec<&str> = features.iter().map(|(c, _)| c.as_str()).collect();
    // A column with a different value in every row rules duplicate rows out.
    let some_column_unique =
        features.iter().any(|(c, _)| number(&format!("{c}__nulls")) == 0 && number(&format!("{c}__distinct")) == rows);
    let exact = if feature_names.is_empty() || some_column_unique {
        Vec::new()
    } else {
        groups(t, &lf, feature_names.iter().map(|c| col(*c)).collect())?
    };
    if !exact.is_empty() {
        findings.push(Finding::copies(Check::Duplicates, &exact, "rows repeat another row in every feature column"));
    }
    let mut near = Vec::new();
    if let Some(text) = &text_column {
        let chars = col(text.as_str()).str().len_chars().cast(DataType::Float64);
        let lengths = t.table.collect(lf.clone().select([
            chars.clone().min().alias("min"),
            chars.clone().median().alias("median"),
            chars.max().alias("max"),
        ]))?;
        let at = |c: &str| lengths.column(c).ok().and_then(|c| c.f64().ok()?.get(0)).unwrap_or(0.0);
        profile.push((
            "text length (characters)".into(),
            format!("min {}, median {}, max {}", at("min"), at("median"), at("max")),
        ));
        progress.stage("looking for near-duplicate texts", None);
        let normalized = col(text.as_str())
            .str()
            .to_lowercase()
            .str()
            .replace_all(lit(r"[^\p{L}\p{N}]+"), lit(" "), false)
            .str()
            .strip_chars(lit(NULL));
        let exact_ids: std::collections::HashSet<&String> = exact.iter().flatten().collect();
        near = groups(t, &lf, vec![normalized])?
            .into_iter()
            .filter(|g| !g.iter().all(|id| exact_ids.contains(id)))
            .collect();
        if !near.is_empty() {
            findings.push(Finding::copies(
                Check::NearDuplicates,
                &near,
                "texts are the same once case, punctuation and spacing are ignored",
            ));
        }
    }
    progress.stage("reading sample ids", None);
    let ids = column_texts(t.table.collect(lf.clone().select([col("id")]))?.column("id")?)?;
    let leakage = if text_column.is_none() && !labels.is_empty() {
        progress.stage("looking for columns that give the label away", None);
        let distinct: HashMap<&str, u64> =
            features.iter().map(|(c, _)| (c.as_str(), number(&format!("{c}__distinct")))).collect();
        leakage_suspects(t, &lf, &features, &distinct, labels, &ids)?
    } else {
        Vec::new()
    };
    Ok(Scanned { findings, profile, ids, exact, near, leakage })
}

fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1_000_000_000 => format!("{:.1} GB", b as f64 / 1e9),
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b if b >= 1_000 => format!("{:.1} kB", b as f64 / 1e3),
        b => format!("{b} bytes"),
    }
}

/// Values more than ROBUST_Z robust standard deviations (1.4826 × MAD) from the median.
fn outliers(t: &TableSource, lf: &LazyFrame, c: &str, median: Option<f64>) -> Result<Option<Finding>> {
    let Some(median) = median else { return Ok(None) };
    let offset = col(c).cast(DataType::Float64) - lit(median);
    let distance = when(offset.clone().lt(lit(0.0))).then(lit(0.0) - offset.clone()).otherwise(offset);
    let mad = t.table.collect(lf.clone().select([distance.clone().median().alias("mad")]))?;
    let Some(mad) = mad.column("mad")?.f64()?.get(0).filter(|m| *m > 0.0) else { return Ok(None) };
    let z = distance / lit(1.4826 * mad);
    let far = lf.clone().filter(z.clone().gt(lit(ROBUST_Z)));
    let count = t.table.collect(far.clone().select([len().cast(DataType::UInt64).alias("n")]))?;
    let count = count.column("n")?.u64()?.get(0).unwrap_or(0);
    if count == 0 {
        return Ok(None);
    }
    let worst = far
        .with_column(z.alias("__z"))
        .sort(["__z"], SortMultipleOptions::default().with_order_descending(true))
        .select([col("id")])
        .limit(super::EXAMPLES as IdxSize);
    let examples = column_texts(t.table.collect(worst)?.column("id")?)?;
    Ok(Some(
        Finding::new(
            Check::Outliers,
            Severity::Info,
            count,
            format!("{count} values lie over {ROBUST_Z} robust standard deviations from the median {median}"),
        )
        .column(c)
        .examples(examples)
        .suggest("check the most extreme ones (listed first): typos, units, or sentinel values like -999"),
    ))
}

/// Groups of rows equal in `keys` (nulls equal), as sample ids in source order.
fn groups(t: &TableSource, lf: &LazyFrame, keys: Vec<Expr>) -> Result<Groups> {
    let names: Vec<String> = (0..keys.len()).map(|i| format!("__key{i}")).collect();
    let keyed = lf.clone().select(
        std::iter::once(col("id"))
            .chain(keys.into_iter().zip(&names).map(|(k, n)| k.alias(n.as_str())))
            .collect::<Vec<_>>(),
    );
    let key_cols: Vec<Expr> = names.iter().map(|n| col(n.as_str())).collect();
    let repeated = keyed
        .clone()
        .group_by(key_cols.clone())
        .agg([len().alias("__n")])
        .filter(col("__n").gt(lit(1)))
        .with_row_index(GROUP, None)
        .select(std::iter::once(col(GROUP)).chain(key_cols.clone()).collect::<Vec<_>>());
    let mut args = JoinArgs::new(JoinType::Inner);
    args.nulls_equal = true;
    args.maintain_order = MaintainOrderJoin::Left;
    let members = keyed.join(repeated, key_cols.clone(), key_cols, args).select([col("id"), col(GROUP)]);
    let df = t.table.collect(members)?;
    let ids = column_texts(df.column("id")?)?;
    let group = df.column(GROUP)?.cast(&DataType::UInt64)?;
    let mut by_group: HashMap<u64, Vec<String>> = HashMap::new();
    let mut order = Vec::new();
    for (id, g) in ids.into_iter().zip(group.u64()?.iter()) {
        let g = g.unwrap_or(0);
        let members = by_group.entry(g).or_insert_with(|| {
            order.push(g);
            Vec::new()
        });
        members.push(id);
    }
    Ok(order.into_iter().filter_map(|g| by_group.remove(&g)).collect())
}

/// Feature columns whose value alone (numbers in 32 equal bins) gives the label of at least
/// 98 % of the labelled rows, when the most frequent class alone would not. Columns with
/// nearly one value per labelled row are ids, not features that give the label away.
fn leakage_suspects(
    t: &TableSource,
    lf: &LazyFrame,
    features: &[(String, DataType)],
    distinct: &HashMap<&str, u64>,
    labels: &HashMap<String, String>,
    ids: &[String],
) -> Result<Vec<Finding>> {
    let labelled = labels.len();
    if labelled < 20 {
        return Ok(Vec::new());
    }
    let mut majority = HashMap::<&str, usize>::new();
    labels.values().for_each(|l| *majority.entry(l.as_str()).or_default() += 1);
    let baseline = majority.values().max().copied().unwrap_or(0) as f64 / labelled as f64;
    if baseline > 0.9 {
        return Ok(Vec::new());
    }
    let keys: Vec<(&String, Expr)> = features
        .iter()
        .filter_map(|(c, dtype)| {
            if dtype.is_primitive_numeric() && !dtype.is_bool() {
                let x = col(c.as_str()).cast(DataType::Float64);
                let (lo, hi) = (x.clone().min(), x.clone().max());
                // Values are at least `lo`, so truncating is flooring; the maximum joins the top bin.
                let bin = ((x - lo.clone()) / (hi - lo) * lit(32.0)).cast(DataType::Int64);
                Some((c, when(bin.clone().gt(lit(31))).then(lit(31i64)).otherwise(bin)))
            } else if (distinct.get(c.as_str()).copied().unwrap_or(u64::MAX) as f64) <= labelled as f64 / 10.0 {
                Some((c, col(c.as_str())))
            } else {
                None
            }
        })
        .collect();
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let (label_ids, label_values): (Vec<&str>, Vec<&str>) =
        labels.iter().map(|(i, l)| (i.as_str(), l.as_str())).unzip();
    let label_frame = DataFrame::new_infer_height(vec![
        Column::new("id".into(), label_ids),
        Column::new(LABEL.into(), label_values),
    ])?;
    let names: Vec<String> = (0..keys.len()).map(|i| format!("__key{i}")).collect();
    let keyed = lf.clone().select(
        std::iter::once(col("id"))
            .chain(keys.iter().zip(&names).map(|((_, k), n)| k.clone().alias(n.as_str())))
            .collect::<Vec<_>>(),
    );
    // Binning needs the whole column's range, so keys are made before the join; the join
    // is collected once and every column grouped from it.
    let joined = t
        .table
        .collect(keyed.join(label_frame.lazy(), [col("id")], [col("id")], JoinArgs::new(JoinType::Inner)))?
        .lazy();
    let mut out = Vec::new();
    for ((c, _), name) in keys.iter().zip(&names) {
        let per_value = joined
            .clone()
            .group_by([col(name.as_str()), col(LABEL)])
            .agg([len().cast(DataType::UInt64).alias("__n")])
            .group_by([col(name.as_str())])
            .agg([col("__n").max().alias("__best"), col("__n").sum().alias("__all")]);
        let df = per_value.collect()?;
        let sum = |n: &str| -> Result<f64> { Ok(df.column(n)?.cast(&DataType::Float64)?.f64()?.sum().unwrap_or(0.0)) };
        let accuracy = sum("__best")? / sum("__all")?.max(1.0);
        if accuracy >= LEAKAGE_ACCURACY {
            out.push(
                Finding::new(
                    Check::LeakageSuspect,
                    Severity::Warning,
                    labelled as u64,
                    format!(
                        "this column alone gives the label of {:.1}% of the labelled rows (the largest class alone: {:.1}%)",
                        accuracy * 100.0,
                        baseline * 100.0
                    ),
                )
                .column(c)
                .examples(ids.iter().filter(|id| labels.contains_key(*id)).cloned())
                .suggest("check the column is not derived from the label (or recorded after it); drop it if so"),
            );
        }
    }
    Ok(out)
}
