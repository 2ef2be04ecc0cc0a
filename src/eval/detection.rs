//! How well boxes found match the boxes labelled: average precision as COCO computes it
//! (pycocotools' matching and 101-point interpolation: mAP@0.5 and mAP@[.5:.95]), AP per
//! class, a confusion matrix with a background row and column whose every cell lists the
//! boxes behind it, and the kinds of error TIDE names.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::labels::store::Rect;

/// A labelled box.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Truth {
    pub image: String,
    pub class: String,
    pub rect: Rect,
}

/// A box a detector found, with its score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Found {
    pub image: String,
    pub class: String,
    pub rect: Rect,
    pub score: f64,
}

/// Detections kept per image and class, as COCO's `maxDets`.
pub const MAX_PER_IMAGE: usize = 100;

pub fn iou(a: &Rect, b: &Rect) -> f64 {
    let w = ((a.x + a.w).min(b.x + b.w) - a.x.max(b.x)).max(0.0);
    let h = ((a.y + a.h).min(b.y + b.h) - a.y.max(b.y)).max(0.0);
    let inter = w * h;
    let union = a.w * a.h + b.w * b.h - inter;
    if union <= 0.0 { 0.0 } else { inter / union }
}

/// AP of one class at one IoU threshold over `images` (in this order, as COCO's sorted image
/// ids): `None` when the class has no labelled box.
pub fn average_precision(
    truths: &[Truth],
    found: &[Found],
    class: &str,
    threshold: f64,
    images: &[String],
) -> Option<f64> {
    let mut scored: Vec<(f64, bool)> = Vec::new();
    let mut total = 0;
    let truths_of = by_image(truths.iter().filter(|t| t.class == class), |t| &t.image);
    let found_of = by_image(found.iter().filter(|d| d.class == class), |d| &d.image);
    for image in images {
        let gts: Vec<&Truth> = truths_of.get(image.as_str()).map_or(Vec::new(), |v| v.clone());
        total += gts.len();
        let mut dts: Vec<&Found> = found_of.get(image.as_str()).map_or(Vec::new(), |v| v.clone());
        // Highest score first, ties in their given order (a stable sort, as numpy's mergesort).
        dts.sort_by(|a, b| b.score.total_cmp(&a.score));
        dts.truncate(MAX_PER_IMAGE);
        let mut taken = vec![false; gts.len()];
        for d in dts {
            let mut best = threshold.min(1.0 - 1e-10);
            let mut m = None;
            for (g, gt) in gts.iter().enumerate() {
                if taken[g] {
                    continue;
                }
                let o = iou(&d.rect, &gt.rect);
                if o < best {
                    continue;
                }
                best = o;
                m = Some(g);
            }
            if let Some(g) = m {
                taken[g] = true;
            }
            scored.push((d.score, m.is_some()));
        }
    }
    if total == 0 {
        return None;
    }
    // Across images, highest score first; a stable sort keeps image order among ties.
    let mut order: Vec<usize> = (0..scored.len()).collect();
    order.sort_by(|&a, &b| scored[b].0.total_cmp(&scored[a].0));
    let (mut tp, mut fp) = (0.0, 0.0);
    let mut recall = Vec::with_capacity(order.len());
    let mut precision = Vec::with_capacity(order.len());
    for i in order {
        if scored[i].1 {
            tp += 1.0;
        } else {
            fp += 1.0;
        }
        recall.push(tp / total as f64);
        precision.push(tp / (tp + fp));
    }
    for i in (1..precision.len()).rev() {
        if precision[i] > precision[i - 1] {
            precision[i - 1] = precision[i];
        }
    }
    let points = linspace(0.0, 1.0, 101);
    let sum: f64 = points
        .into_iter()
        .map(|r| {
            let at = recall.partition_point(|&x| x < r);
            precision.get(at).copied().unwrap_or(0.0)
        })
        .sum();
    Some(sum / 101.0)
}

/// `items` grouped by their image, each group in the order given (one pass, so that a
/// per-image loop does not scan every box for every image).
fn by_image<'a, T>(items: impl Iterator<Item = T>, image: impl Fn(&T) -> &'a String) -> HashMap<&'a str, Vec<T>> {
    let mut groups: HashMap<&str, Vec<T>> = HashMap::new();
    for item in items {
        groups.entry(image(&item).as_str()).or_default().push(item);
    }
    groups
}

/// COCO's IoU thresholds, 0.50 to 0.95 by 0.05.
pub fn coco_thresholds() -> Vec<f64> {
    linspace(0.5, 0.95, 10)
}

/// `n` numbers from `start` to `stop` as numpy's `linspace` makes them (pycocotools' recall
/// points and IoU thresholds), to the last bit: a threshold an ulp off changes a match.
fn linspace(start: f64, stop: f64, n: usize) -> Vec<f64> {
    let step = (stop - start) / (n - 1) as f64;
    let mut v: Vec<f64> = (0..n).map(|k| k as f64 * step + start).collect();
    v[n - 1] = stop;
    v
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassAp {
    pub class: String,
    pub boxes: usize,
    pub ap50: Option<f64>,
    pub ap: Option<f64>,
}

/// A cell of the confusion matrix: the labelled and the found box behind one count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pair {
    pub image: String,
    pub truth: Option<Rect>,
    pub found: Option<Rect>,
    pub score: Option<f64>,
}

/// Rows: the labelled class, then `background` (a box found where nothing is labelled);
/// columns: the class found, then `missed` (a labelled box nothing found).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BoxConfusion {
    pub classes: Vec<String>,
    /// The cells that hold anything, by row then column.
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    pub row: usize,
    pub col: usize,
    pub pairs: Vec<Pair>,
}

impl BoxConfusion {
    pub fn count(&self, row: usize, col: usize) -> usize {
        self.cell(row, col).map_or(0, |c| c.pairs.len())
    }

    pub fn cell(&self, row: usize, col: usize) -> Option<&Cell> {
        self.cells.iter().find(|c| c.row == row && c.col == col)
    }
}

/// The kinds of error TIDE names, counted over the boxes found (and the labelled boxes
/// nothing found), at IoU 0.5 for a match and 0.1 for "near".
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Errors<T = usize> {
    /// Over 0.5 with a box of another class.
    pub class: T,
    /// The right class, between 0.1 and 0.5.
    pub location: T,
    /// Another class, between 0.1 and 0.5.
    pub both: T,
    /// The right class over 0.5, but the box was found already by a higher score.
    pub duplicate: T,
    /// Under 0.1 with every labelled box.
    pub background: T,
    /// Labelled boxes no found box of their class matched.
    pub missed: T,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub images: usize,
    pub boxes: usize,
    pub found: usize,
    pub map50: Option<f64>,
    pub map: Option<f64>,
    pub per_class: Vec<ClassAp>,
    pub confusion: BoxConfusion,
    /// Over every found box.
    pub errors: Errors,
    /// mAP@0.5 each kind of error costs (TIDE's dAP).
    pub costs: Errors<f64>,
}

/// Scores `found` against `truths` over `images` for `classes`; the confusion matrix counts
/// boxes found with at least `min_score`, the errors and their costs every box found.
pub fn evaluate(
    truths: &[Truth],
    found: &[Found],
    classes: &[String],
    images: &[String],
    min_score: f64,
) -> Evaluation {
    let thresholds = coco_thresholds();
    let per_class: Vec<ClassAp> = classes
        .iter()
        .map(|c| {
            let aps: Vec<Option<f64>> =
                thresholds.iter().map(|&t| average_precision(truths, found, c, t, images)).collect();
            let ap = aps.iter().copied().collect::<Option<Vec<f64>>>().map(|v| v.iter().sum::<f64>() / v.len() as f64);
            ClassAp { class: c.clone(), boxes: truths.iter().filter(|t| &t.class == c).count(), ap50: aps[0], ap }
        })
        .collect();
    let mean = |f: fn(&ClassAp) -> Option<f64>| {
        let v: Vec<f64> = per_class.iter().filter_map(f).collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    let kept: Vec<&Found> = found.iter().filter(|f| f.score >= min_score).collect();
    Evaluation {
        images: images.len(),
        boxes: truths.len(),
        found: found.len(),
        map50: mean(|c| c.ap50),
        map: mean(|c| c.ap),
        confusion: confusion(truths, &kept, classes, images),
        errors: {
            let all: Vec<&Found> = found.iter().collect();
            let (verdict, missed) = verdicts(truths, &all, images);
            errors(&verdict, missed.len())
        },
        costs: costs(truths, found, classes, images),
        per_class,
    }
}

/// Each image's found boxes matched to its labelled boxes whatever their class, the
/// highest IoU (at least 0.5) first.
fn confusion(truths: &[Truth], found: &[&Found], classes: &[String], images: &[String]) -> BoxConfusion {
    let index = |c: &str| classes.iter().position(|x| x == c);
    let (background, missed) = (classes.len(), classes.len());
    let mut cells: BTreeMap<(usize, usize), Vec<Pair>> = BTreeMap::new();
    let truths_of = by_image(truths.iter(), |t| &t.image);
    let found_of = by_image(found.iter(), |d| &d.image);
    for image in images {
        let gts: Vec<&Truth> = truths_of.get(image.as_str()).map_or(Vec::new(), |v| v.clone());
        let dts: Vec<&&Found> = found_of.get(image.as_str()).map_or(Vec::new(), |v| v.clone());
        let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
        for (g, gt) in gts.iter().enumerate() {
            for (d, dt) in dts.iter().enumerate() {
                let o = iou(&gt.rect, &dt.rect);
                if o >= 0.5 {
                    pairs.push((o, g, d));
                }
            }
        }
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
        let (mut g_used, mut d_used) = (vec![false; gts.len()], vec![false; dts.len()]);
        for (_, g, d) in pairs {
            if g_used[g] || d_used[d] {
                continue;
            }
            g_used[g] = true;
            d_used[d] = true;
            let (Some(row), Some(col)) = (index(&gts[g].class), index(&dts[d].class)) else { continue };
            let pair = Pair {
                image: image.clone(),
                truth: Some(gts[g].rect),
                found: Some(dts[d].rect),
                score: Some(dts[d].score),
            };
            cells.entry((row, col)).or_default().push(pair);
        }
        for (_, gt) in gts.iter().enumerate().filter(|(g, _)| !g_used[*g]) {
            if let Some(row) = index(&gt.class) {
                let pair = Pair { image: image.clone(), truth: Some(gt.rect), found: None, score: None };
                cells.entry((row, missed)).or_default().push(pair);
            }
        }
        for (_, dt) in dts.iter().enumerate().filter(|(d, _)| !d_used[*d]) {
            if let Some(col) = index(&dt.class) {
                let pair = Pair { image: image.clone(), truth: None, found: Some(dt.rect), score: Some(dt.score) };
                cells.entry((background, col)).or_default().push(pair);
            }
        }
    }
    let cells = cells.into_iter().map(|((row, col), pairs)| Cell { row, col, pairs }).collect();
    BoxConfusion { classes: classes.to_vec(), cells }
}

/// What TIDE calls a found box: right, or which error, and the labelled box it is about.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Verdict {
    Right,
    Class(usize),
    Location(usize),
    Both,
    Duplicate,
    Background,
}

/// Each found box's verdict (by index into `found`), and the labelled boxes (indices into
/// `truths`) no found box of their class matched: each image's boxes in score order, a box
/// over 0.5 with an unmatched labelled box of its class being right.
fn verdicts(truths: &[Truth], found: &[&Found], images: &[String]) -> (Vec<Verdict>, Vec<usize>) {
    let mut verdict = vec![Verdict::Background; found.len()];
    let mut missed = Vec::new();
    let truths_of = by_image(0..truths.len(), |&g| &truths[g].image);
    let found_of = by_image(0..found.len(), |&d| &found[d].image);
    for image in images {
        let gts: Vec<usize> = truths_of.get(image.as_str()).map_or(Vec::new(), |v| v.clone());
        let mut dts: Vec<usize> = found_of.get(image.as_str()).map_or(Vec::new(), |v| v.clone());
        dts.sort_by(|&a, &b| found[b].score.total_cmp(&found[a].score));
        let mut matched = vec![false; gts.len()];
        for d in dts {
            let f = found[d];
            let best = |same: bool| {
                gts.iter()
                    .enumerate()
                    .filter(|(_, g)| (truths[**g].class == f.class) == same)
                    .map(|(i, g)| (iou(&truths[*g].rect, &f.rect), i))
                    .max_by(|a, b| a.0.total_cmp(&b.0))
            };
            let (same, other) = (best(true), best(false));
            verdict[d] = match (same, other) {
                (Some((o, i)), _) if o >= 0.5 && matched[i] => Verdict::Duplicate,
                (Some((o, i)), _) if o >= 0.5 => {
                    matched[i] = true;
                    Verdict::Right
                }
                (_, Some((o, i))) if o >= 0.5 => Verdict::Class(gts[i]),
                (Some((o, i)), _) if o >= 0.1 => Verdict::Location(gts[i]),
                (_, Some((o, _))) if o >= 0.1 => Verdict::Both,
                _ => Verdict::Background,
            };
        }
        missed.extend(gts.iter().zip(&matched).filter(|(_, m)| !**m).map(|(g, _)| *g));
    }
    (verdict, missed)
}

fn errors(verdicts: &[Verdict], missed: usize) -> Errors {
    let mut e = Errors { missed, ..Errors::default() };
    for v in verdicts {
        match v {
            Verdict::Right => {}
            Verdict::Class(_) => e.class += 1,
            Verdict::Location(_) => e.location += 1,
            Verdict::Both => e.both += 1,
            Verdict::Duplicate => e.duplicate += 1,
            Verdict::Background => e.background += 1,
        }
    }
    e
}

/// How much mAP@0.5 each kind of error costs, as TIDE measures it: the mAP with every error
/// of that kind fixed, less the mAP as it is. A class error takes its labelled box's class,
/// a location error its box (each fixed box found already is dropped instead), both,
/// duplicate and background errors are dropped, and missed boxes are taken out of the
/// labelled ones.
fn costs(truths: &[Truth], found: &[Found], classes: &[String], images: &[String]) -> Errors<f64> {
    let all: Vec<&Found> = found.iter().collect();
    let (verdict, missed) = verdicts(truths, &all, images);
    let map50 = |truths: &[Truth], found: &[Found]| {
        let aps: Vec<f64> = classes.iter().filter_map(|c| average_precision(truths, found, c, 0.5, images)).collect();
        if aps.is_empty() { 0.0 } else { aps.iter().sum::<f64>() / aps.len() as f64 }
    };
    let base = map50(truths, found);
    let fixed = |kind: fn(&Verdict) -> bool| {
        let mut taken = std::collections::HashSet::new();
        let mut out = Vec::new();
        for (f, v) in found.iter().zip(&verdict) {
            if !kind(v) {
                out.push(f.clone());
                continue;
            }
            match v {
                Verdict::Class(g) | Verdict::Location(g) if taken.insert(*g) => {
                    let t = &truths[*g];
                    let rect = if matches!(v, Verdict::Location(_)) { t.rect } else { f.rect };
                    out.push(Found { class: t.class.clone(), rect, ..f.clone() });
                }
                _ => {}
            }
        }
        map50(truths, &out) - base
    };
    let kept: Vec<Truth> =
        truths.iter().enumerate().filter(|(g, _)| !missed.contains(g)).map(|(_, t)| t.clone()).collect();
    Errors {
        class: fixed(|v| matches!(v, Verdict::Class(_))),
        location: fixed(|v| matches!(v, Verdict::Location(_))),
        both: fixed(|v| matches!(v, Verdict::Both)),
        duplicate: fixed(|v| matches!(v, Verdict::Duplicate)),
        background: fixed(|v| matches!(v, Verdict::Background)),
        missed: map50(&kept, found) - base,
    }
}

#[cfg(test)]
mod tests;
