//! Growing one tree on the gradients and hessians of its rows: a histogram per feature and
//! leaf (the smaller child's counted, the larger's the parent's minus it), the best split of
//! each leaf over every feature — for a number both ways for the gaps, for a category its
//! codes ordered by gradient over hessian — and leaves split best first.

use rayon::prelude::*;

use super::bins::{Binned, Binning};
use super::tree::{Node, Tree};
use super::{MAX_LEAVES, MIN_HESSIAN, MIN_LEAF, RATE};

/// Rows × features below which a histogram is counted on one thread, and bins below which
/// a leaf's best split is looked for on one.
const PARALLEL_WORK: usize = 1 << 18;
const PARALLEL_BINS: usize = 1 << 14;
/// Added to a category's hessian when ordering categories, so that rare ones do not sort
/// to the ends on the strength of a few rows.
const CATEGORY_SMOOTHING: f64 = 10.0;

/// Gradient, hessian and count of the rows in one bin.
#[derive(Clone, Copy, Default)]
pub struct Bin {
    g: f64,
    h: f64,
    n: u32,
}

type Histograms = Vec<Vec<Bin>>;

/// Bytes of one leaf's histograms.
pub fn histogram_bytes(binned: &Binned) -> usize {
    binned.features.iter().map(|f| f.values() + 1).sum::<usize>() * std::mem::size_of::<Bin>()
}

/// Histogram sets no leaf holds any more, kept for the next ones: allocating a fresh set
/// for every leaf made the kernel zero gigabytes of pages.
#[derive(Default)]
pub struct Pool {
    spare: Vec<Histograms>,
}

impl Pool {
    fn take(&mut self, binned: &Binned) -> Histograms {
        match self.spare.pop() {
            Some(mut set) => {
                set.iter_mut().for_each(|h| h.fill(Bin::default()));
                set
            }
            None => binned.features.iter().map(|f| vec![Bin::default(); f.values() + 1]).collect(),
        }
    }

    fn give(&mut self, set: Histograms) {
        if !set.is_empty() {
            self.spare.push(set);
        }
    }
}

/// How a split sends rows left, by their bin.
#[derive(Debug, Clone, PartialEq)]
enum Rule {
    /// Value bins up to `bin`; the gaps' bin when `gaps_left`.
    UpTo { bin: usize, gaps_left: bool },
    /// The bins marked (category codes, and last the gaps' bin).
    Among(Vec<bool>),
}

impl Rule {
    fn goes_left(&self, bin: usize, gaps: usize) -> bool {
        match self {
            Rule::UpTo { bin: up_to, gaps_left } => {
                if bin == gaps {
                    *gaps_left
                } else {
                    bin <= *up_to
                }
            }
            Rule::Among(set) => set[bin],
        }
    }
}

struct Split {
    gain: f64,
    feature: usize,
    rule: Rule,
}

/// Gradient, hessian and count of one side of a split.
#[derive(Clone, Copy, Default)]
struct Side {
    g: f64,
    h: f64,
    n: usize,
}

impl Side {
    fn add(&mut self, b: &Bin) {
        (self.g, self.h, self.n) = (self.g + b.g, self.h + b.h, self.n + b.n as usize);
    }

    fn score(self) -> f64 {
        self.g * self.g / self.h
    }
}

/// A leaf being grown: its rows, its histograms, and its best split if it has one.
struct Leaf {
    rows: Vec<u32>,
    histograms: Histograms,
    total: Side,
    best: Option<Split>,
}

/// A grown tree, and the training rows of each of its leaves with the leaf's value (so the
/// scores of the training rows move without walking the tree).
pub struct Grown {
    pub tree: Tree,
    pub leaves: Vec<(Vec<u32>, f64)>,
}

fn histograms(binned: &Binned, rows: &[u32], g: &[f64], h: &[f64], pool: &mut Pool) -> Histograms {
    let mut set = pool.take(binned);
    // The leaf's gradients in its row order, gathered once and read in sequence per feature.
    let ordered: Vec<(f64, f64)> = rows.iter().map(|&i| (g[i as usize], h[i as usize])).collect();
    let fill = |(hist, column): (&mut Vec<Bin>, &Vec<u8>)| {
        for (&i, &(gi, hi)) in rows.iter().zip(&ordered) {
            let b = &mut hist[column[i as usize] as usize];
            b.g += gi;
            b.h += hi;
            b.n += 1;
        }
    };
    // Threads pay off only for enough work: small leaves cost more to schedule than to count.
    if rows.len() * binned.columns.len() >= PARALLEL_WORK {
        set.par_iter_mut().zip(&binned.columns).for_each(fill);
    } else {
        set.iter_mut().zip(&binned.columns).for_each(fill);
    }
    set
}

/// The gain of sending `left` to the left child of a leaf with `total`, if the split is
/// allowed (enough rows and hessian on both sides) and gains anything.
fn gain(total: Side, left: Side) -> Option<f64> {
    let right = Side { g: total.g - left.g, h: total.h - left.h, n: total.n - left.n };
    if left.n < MIN_LEAF || right.n < MIN_LEAF || left.h < MIN_HESSIAN || right.h < MIN_HESSIAN {
        return None;
    }
    Some(left.score() + right.score() - total.score()).filter(|g| *g > 1e-12)
}

/// A number's best threshold, with the gaps sent left and then right; where the leaf has no
/// gaps, they are sent where most rows go.
fn numeric_split(hist: &[Bin], total: Side) -> Option<(f64, Rule)> {
    let gaps = hist.len() - 1;
    let missing = hist[gaps];
    let mut best: Option<(f64, Rule)> = None;
    for gaps_left in [false, true] {
        if gaps_left && missing.n == 0 {
            break;
        }
        let mut left = Side::default();
        if gaps_left {
            left.add(&missing);
        }
        // With the gaps to the right, every value to the left is a split too.
        let last = if missing.n > 0 && !gaps_left { gaps } else { gaps - 1 };
        for (b, bin) in hist[..last].iter().enumerate() {
            left.add(bin);
            if let Some(g) = gain(total, left)
                && best.as_ref().is_none_or(|(b, _)| g > *b)
            {
                let gaps_left = if missing.n == 0 { left.n * 2 >= total.n } else { gaps_left };
                best = Some((g, Rule::UpTo { bin: b, gaps_left }));
            }
        }
    }
    best
}

/// A category's best split: its codes (and the gaps, as one more) in order of gradient over
/// hessian, split where the gain is largest.
fn categorical_split(hist: &[Bin], total: Side) -> Option<(f64, Rule)> {
    let mut order: Vec<usize> = (0..hist.len()).filter(|&b| hist[b].n > 0).collect();
    if order.len() < 2 {
        return None;
    }
    let key = |b: usize| hist[b].g / (hist[b].h + CATEGORY_SMOOTHING);
    order.sort_by(|&a, &b| key(a).total_cmp(&key(b)).then(a.cmp(&b)));
    let mut left = Side::default();
    let mut best: Option<(f64, usize, usize)> = None;
    for (taken, &b) in order[..order.len() - 1].iter().enumerate() {
        left.add(&hist[b]);
        if let Some(g) = gain(total, left)
            && best.is_none_or(|(b, _, _)| g > b)
        {
            best = Some((g, taken + 1, left.n));
        }
    }
    let (g, taken, left_n) = best?;
    let mut set = vec![false; hist.len()];
    order[..taken].iter().for_each(|&b| set[b] = true);
    let gaps = hist.len() - 1;
    if hist[gaps].n == 0 {
        set[gaps] = left_n * 2 >= total.n;
    }
    Some((g, Rule::Among(set)))
}

/// The best split of a leaf over every feature (ties to the lower feature).
fn best_split(leaf: &Leaf, binned: &Binned) -> Option<Split> {
    let of_feature = |(j, hist): (usize, &Vec<Bin>)| {
        let found = match binned.features[j] {
            Binning::Numeric(_) => numeric_split(hist, leaf.total),
            Binning::Categorical(_) => categorical_split(hist, leaf.total),
        };
        found.map(|(gain, rule)| Split { gain, feature: j, rule })
    };
    let better = |a: &Split, b: &Split| a.gain.total_cmp(&b.gain).then(b.feature.cmp(&a.feature));
    let bins: usize = leaf.histograms.iter().map(Vec::len).sum();
    if bins >= PARALLEL_BINS {
        leaf.histograms.par_iter().enumerate().filter_map(of_feature).max_by(better)
    } else {
        leaf.histograms.iter().enumerate().filter_map(of_feature).max_by(better)
    }
}

/// The saved node of a split.
fn node(split: &Split, binned: &Binned, left: usize, right: usize) -> Node {
    let (feature, left, right) = (split.feature as u32, left as u32, right as u32);
    let binning = &binned.features[split.feature];
    match (&split.rule, binning) {
        (Rule::UpTo { bin, gaps_left }, Binning::Numeric(thresholds)) => {
            // Every value left (the gaps right) has no threshold above it.
            let threshold = thresholds.get(*bin).copied().unwrap_or(f32::INFINITY);
            Node::Split { feature, threshold, gaps_left: *gaps_left, left, right }
        }
        (Rule::Among(set), _) => {
            let gaps = binning.values();
            let codes = (0..gaps).filter(|&b| set[b]).map(|b| b as u32).collect();
            Node::Among { feature, codes, gaps_left: set[gaps], left, right }
        }
        (Rule::UpTo { .. }, Binning::Categorical(_)) => unreachable!("categories split among codes"),
    }
}

/// One tree, best leaf first, on the gradients `g` and hessians `h` of `rows`.
pub fn grow(binned: &Binned, rows: &[u32], g: &[f64], h: &[f64], pool: &mut Pool) -> Grown {
    let new_leaf = |rows: Vec<u32>, histograms: Histograms, pool: &mut Pool| {
        let (gs, hs) = rows.iter().fold((0.0, 0.0), |(a, b), &i| (a + g[i as usize], b + h[i as usize]));
        let total = Side { g: gs, h: hs, n: rows.len() };
        let mut leaf = Leaf { rows, histograms, total, best: None };
        leaf.best = best_split(&leaf, binned);
        // A leaf that cannot split never needs its histograms again.
        if leaf.best.is_none() {
            pool.give(std::mem::take(&mut leaf.histograms));
        }
        leaf
    };
    let root_h = histograms(binned, rows, g, h, pool);
    let root = new_leaf(rows.to_vec(), root_h, pool);
    // Nodes of the tree; `open[i]` is the leaf grown at node `slots[i]`.
    let mut nodes = vec![Node::Leaf(0.0)];
    let (mut open, mut slots) = (vec![root], vec![0usize]);
    let mut leaves = 1;
    while leaves < MAX_LEAVES {
        let gain_of = |i: usize| open[i].best.as_ref().map_or(f64::NEG_INFINITY, |s| s.gain);
        let Some(at) = (0..open.len())
            .filter(|&i| open[i].best.is_some())
            .max_by(|&a, &b| gain_of(a).total_cmp(&gain_of(b)).then(b.cmp(&a)))
        else {
            break;
        };
        let leaf = open.swap_remove(at);
        let slot = slots.swap_remove(at);
        let split = leaf.best.expect("chosen for its split");
        let column = &binned.columns[split.feature];
        let gaps = binned.features[split.feature].values();
        let (left, right): (Vec<u32>, Vec<u32>) =
            leaf.rows.iter().partition(|&&i| split.rule.goes_left(column[i as usize] as usize, gaps));
        // The smaller child's histograms are built; the larger's are the parent's minus them,
        // in the parent's own buffers.
        let left_is_small = left.len() <= right.len();
        let small_h = histograms(binned, if left_is_small { &left } else { &right }, g, h, pool);
        let mut large_h = leaf.histograms;
        large_h.par_iter_mut().zip(&small_h).for_each(|(p, s)| {
            for (p, s) in p.iter_mut().zip(s) {
                (p.g, p.h, p.n) = (p.g - s.g, p.h - s.h, p.n - s.n);
            }
        });
        let (left_h, right_h) = if left_is_small { (small_h, large_h) } else { (large_h, small_h) };
        let (l, r) = (nodes.len(), nodes.len() + 1);
        nodes.push(Node::Leaf(0.0));
        nodes.push(Node::Leaf(0.0));
        nodes[slot] = node(&split, binned, l, r);
        open.push(new_leaf(left, left_h, pool));
        slots.push(l);
        open.push(new_leaf(right, right_h, pool));
        slots.push(r);
        leaves += 1;
    }
    let mut grown = Vec::with_capacity(open.len());
    for (leaf, slot) in open.into_iter().zip(&slots) {
        let value = -RATE * leaf.total.g / leaf.total.h.max(MIN_HESSIAN);
        nodes[*slot] = Node::Leaf(value);
        pool.give(leaf.histograms);
        grown.push((leaf.rows, value));
    }
    Grown { tree: Tree { nodes }, leaves: grown }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bins(counts: &[(f64, u32)]) -> Vec<Bin> {
        counts.iter().map(|&(g, n)| Bin { g, h: n as f64 * 0.25, n }).collect()
    }

    #[test]
    fn gaps_go_to_the_side_they_resemble() {
        // Values bins 0..3 and the gaps' bin last: low values pull one way, high values and
        // the gaps the other.
        let hist = bins(&[(-30.0, 60), (-28.0, 60), (25.0, 60), (30.0, 60), (29.0, 60)]);
        let total = hist.iter().fold(Side::default(), |mut s, b| {
            s.add(b);
            s
        });
        let (_, rule) = numeric_split(&hist, total).unwrap();
        assert_eq!(rule, Rule::UpTo { bin: 1, gaps_left: false });
        // The gaps now resemble the low values.
        let hist = bins(&[(-30.0, 60), (-28.0, 60), (25.0, 60), (30.0, 60), (-29.0, 60)]);
        let total = hist.iter().fold(Side::default(), |mut s, b| {
            s.add(b);
            s
        });
        assert_eq!(numeric_split(&hist, total).unwrap().1, Rule::UpTo { bin: 1, gaps_left: true });
    }

    #[test]
    fn categories_split_by_their_gradients_not_their_codes() {
        // Codes 0 and 2 pull one way, 1 and 3 the other; no gaps.
        let hist = bins(&[(-20.0, 50), (20.0, 50), (-20.0, 50), (20.0, 50), (0.0, 0)]);
        let total = hist.iter().fold(Side::default(), |mut s, b| {
            s.add(b);
            s
        });
        let (_, rule) = categorical_split(&hist, total).unwrap();
        let Rule::Among(set) = rule else { panic!("a set of codes") };
        assert_eq!(&set[..4], &[true, false, true, false]);
    }
}
