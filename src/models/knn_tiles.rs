//! The exact search of dense rows too wide for a k-d tree: every query against every
//! training row. The squared distance of query q and training row t is ‖q‖² + (‖t‖² − 2 q·t);
//! the bracket comes for six queries and sixteen training rows at a time from one small
//! product held in registers, so no matrix of products is written out, and only the few
//! that beat a query's k-th best so far go further.
//!
//! The training rows against themselves (the baseline predicting its own training rows, a
//! map's neighbours) are searched a pair of blocks at a time with each product offered both
//! ways: half the products of searching every row against every row.
//!
//! The products are made with AVX-512 where the processor has it (twelve queries a tile, a
//! register of sixteen rows each), else AVX2 and FMA (six queries, two registers each), else
//! portable code the compiler vectorizes as it can.

use std::sync::Mutex;

use rayon::prelude::*;

use super::nearest::Nearest;

/// Training rows a tile: two registers of eight f32.
const TILE_ROWS: usize = 16;
/// The most queries a kernel searches together against a tile.
const MOST_GROUP: usize = 12;
/// Tiles searched by a group of queries before the next group: 32 tiles of 32 dimensions
/// are 64 KB, which stay in the core's cache while every group of a block goes through.
const TILES_AT_ONCE: usize = 32;
/// Groups of queries a task when the queries are not the training rows.
const QUERY_BLOCK_GROUPS: usize = 16;
/// The training rows against themselves are cut into about this many blocks, so that each
/// round of the schedule has enough pairs of blocks for the cores.
const SELF_BLOCKS: usize = 32;
/// A block of training rows against themselves is a multiple of this many tiles, so that
/// it holds whole groups of queries (48 rows: 4 groups of 12, 8 of 6).
const SELF_BLOCK_TILES: usize = 3;

/// The instructions the products are made with, the best the processor has.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Isa {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Isa {
    /// The best of `available`.
    fn detect() -> Isa {
        Isa::available().pop().unwrap_or(Isa::Portable)
    }

    /// Every instruction set this processor can run the search with, best last.
    fn available() -> Vec<Isa> {
        let mut isas = vec![Isa::Portable];
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                isas.push(Isa::Avx2);
            }
            if std::arch::is_x86_feature_detected!("avx512f") {
                isas.push(Isa::Avx512);
            }
        }
        isas
    }

    /// Queries searched together against a tile: as many as the registers hold sums for.
    fn group(self) -> usize {
        match self {
            Isa::Portable => Portable::GROUP,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => Avx2::GROUP,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => Avx512::GROUP,
        }
    }
}

/// Dense rows laid out for the search, `wide` = their columns + 1.
pub struct Tiles {
    wide: usize,
    rows: usize,
    /// Tile after tile, each dimension after dimension, each its 16 rows' values: −2t, and
    /// ‖t‖² as the last dimension; rows past the end are 0 with ‖t‖² = ∞, so never offered.
    data: Vec<f32>,
}

/// Queries laid out for the search by the kernel of `isa`: in groups of its size (the last
/// may be short), each group dimension-major (`group[k * r + i]`: query i's dimension k, a
/// 1 past the columns), so that the kernel steps one pointer; and each query's ‖q‖².
pub struct Queries {
    isa: Isa,
    wide: usize,
    values: Vec<f32>,
    norms: Vec<f32>,
}

impl Tiles {
    /// The `d`-column row-major `rows` with their squared norms.
    pub fn new(rows: &[f32], d: usize, sq_norms: &[f64]) -> Tiles {
        let n = sq_norms.len();
        let wide = d + 1;
        let tiles = n.div_ceil(TILE_ROWS);
        let mut data = vec![0.0f32; tiles * wide * TILE_ROWS];
        for (tile, chunk) in data.chunks_mut(wide * TILE_ROWS).enumerate() {
            for lane in 0..TILE_ROWS {
                let row = tile * TILE_ROWS + lane;
                if row >= n {
                    chunk[d * TILE_ROWS + lane] = f32::INFINITY;
                    continue;
                }
                for (k, v) in rows[row * d..(row + 1) * d].iter().enumerate() {
                    chunk[k * TILE_ROWS + lane] = -2.0 * v;
                }
                chunk[d * TILE_ROWS + lane] = sq_norms[row] as f32;
            }
        }
        Tiles { wide, rows: n, data }
    }

    fn count(&self) -> usize {
        self.rows.div_ceil(TILE_ROWS)
    }

    fn tile(&self, t: usize) -> &[f32] {
        &self.data[t * self.wide * TILE_ROWS..(t + 1) * self.wide * TILE_ROWS]
    }
}

impl Queries {
    /// The `d`-column row-major `rows`.
    pub fn new(rows: &[f32], d: usize) -> Queries {
        Queries::for_isa(Isa::detect(), rows, d)
    }

    fn for_isa(isa: Isa, rows: &[f32], d: usize) -> Queries {
        let norms: Vec<f32> = rows.chunks(d.max(1)).map(|q| q.iter().map(|v| v * v).sum()).collect();
        let (n, wide, group) = (norms.len(), d + 1, isa.group());
        let mut values = vec![1.0f32; n * wide];
        for (g, block) in values.chunks_mut(group * wide).enumerate() {
            let r = block.len() / wide;
            for i in 0..r {
                let row = &rows[(g * group + i) * d..(g * group + i + 1) * d];
                for (k, &v) in row.iter().enumerate() {
                    block[k * r + i] = v;
                }
            }
        }
        Queries { isa, wide, values, norms }
    }

    fn len(&self) -> usize {
        self.norms.len()
    }

    /// Queries `start..end` alone; `start` begins a group, and `end` ends one or all.
    fn slice(&self, start: usize, end: usize) -> QuerySlice<'_> {
        debug_assert!(start.is_multiple_of(self.isa.group()));
        debug_assert!(end.is_multiple_of(self.isa.group()) || end == self.len());
        QuerySlice {
            isa: self.isa,
            wide: self.wide,
            values: &self.values[start * self.wide..end * self.wide],
            norms: &self.norms[start..end],
        }
    }
}

#[derive(Clone, Copy)]
struct QuerySlice<'a> {
    isa: Isa,
    wide: usize,
    values: &'a [f32],
    norms: &'a [f32],
}

/// Each query's `k` nearest training rows.
pub fn search(tiles: &Tiles, queries: &Queries, k: usize) -> Vec<Nearest> {
    let block = QUERY_BLOCK_GROUPS * queries.isa.group();
    let blocks: Vec<usize> = (0..queries.len()).step_by(block).collect();
    blocks
        .into_par_iter()
        .flat_map_iter(|start| {
            let end = (start + block).min(queries.len());
            let mut best: Vec<Nearest> = (start..end).map(|_| Nearest::new(k)).collect();
            let job = Job { tiles, queries: queries.slice(start, end), first: 0, rows: &mut best, columns: None };
            job.run(0..tiles.count());
            best
        })
        .collect()
}

/// Each training row's `k` nearest training rows (itself among them), where `queries` are
/// the training rows of `tiles` in their order.
/// `rounds` hears (rounds done, of) before the first round and after each.
pub fn search_themselves(tiles: &Tiles, queries: &Queries, k: usize, rounds: &dyn Fn(usize, usize)) -> Vec<Nearest> {
    debug_assert_eq!(tiles.rows, queries.len());
    let block_tiles = tiles.count().div_ceil(SELF_BLOCKS).max(8).next_multiple_of(SELF_BLOCK_TILES);
    let block_rows = block_tiles * TILE_ROWS;
    let blocks: Vec<Mutex<Vec<Nearest>>> = (0..tiles.rows)
        .step_by(block_rows)
        .map(|start| Mutex::new((start..(start + block_rows).min(tiles.rows)).map(|_| Nearest::new(k)).collect()))
        .collect();
    let search_pair = |a: usize, b: usize| {
        let lock = |i: usize| blocks[i].lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let start = a * block_rows;
        let queries = queries.slice(start, (start + block_rows).min(tiles.rows));
        let wanted = b * block_tiles..((b + 1) * block_tiles).min(tiles.count());
        let mut rows = lock(a);
        if a == b {
            Job { tiles, queries, first: start as u32, rows: &mut rows, columns: None }.run(wanted);
        } else {
            let mut columns = lock(b);
            Job { tiles, queries, first: start as u32, rows: &mut rows, columns: Some(&mut columns) }.run(wanted);
        }
    };
    // Each round pairs every block with another (the circle method), so that the pairs of a
    // round touch distinct blocks and run side by side; a last round searches each block
    // against itself.
    let n = blocks.len();
    let m = n + n % 2;
    rounds(0, m);
    for round in 0..m.saturating_sub(1) {
        let pairs: Vec<(usize, usize)> = (0..m / 2)
            .map(|i| {
                let a = if i == 0 { m - 1 } else { (round + i) % (m - 1) };
                (a, (round + m - 1 - i) % (m - 1))
            })
            .filter(|&(a, b)| a < n && b < n)
            .collect();
        pairs.into_par_iter().for_each(|(a, b)| search_pair(a, b));
        rounds(round + 1, m);
    }
    (0..n).into_par_iter().for_each(|a| search_pair(a, a));
    rounds(m, m);
    blocks.into_iter().flat_map(|b| b.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner)).collect()
}

/// Queries against a range of tiles: each query is offered the training rows; with
/// `columns`, each training row of the range is also offered the queries.
struct Job<'a> {
    tiles: &'a Tiles,
    queries: QuerySlice<'a>,
    /// The training row of the first query, when the queries are training rows.
    first: u32,
    rows: &'a mut [Nearest],
    /// The best of the range's training rows, from its first.
    columns: Option<&'a mut [Nearest]>,
}

impl Job<'_> {
    fn run(mut self, range: std::ops::Range<usize>) {
        match self.queries.isa {
            Isa::Portable => self.run_with::<Portable>(range),
            // SAFETY: `Isa::detect` found the features these are compiled for.
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => unsafe { self.run_avx2(range) },
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => unsafe { self.run_avx512(range) },
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    fn run_avx512(&mut self, range: std::ops::Range<usize>) {
        self.run_with::<Avx512>(range);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn run_avx2(&mut self, range: std::ops::Range<usize>) {
        self.run_with::<Avx2>(range);
    }

    #[inline(always)]
    fn run_with<K: Kernel>(&mut self, range: std::ops::Range<usize>) {
        let base = range.start * TILE_ROWS;
        // The k-th best of each training row of the range (−∞ past the end: never offered).
        let mut column_worst: Vec<f32> = match &self.columns {
            Some(c) => {
                (0..range.len() * TILE_ROWS).map(|j| c.get(j).map_or(f32::NEG_INFINITY, Nearest::worst)).collect()
            }
            None => Vec::new(),
        };
        let n = self.queries.norms.len();
        debug_assert_eq!(K::GROUP, self.queries.isa.group());
        let values = self.queries.values;
        for t0 in range.clone().step_by(TILES_AT_ONCE) {
            let t1 = (t0 + TILES_AT_ONCE).min(range.end);
            for g in (0..n).step_by(K::GROUP) {
                let (t, w) = (t0..t1, &mut column_worst);
                // The group's size as a constant, so that its sums stay in registers.
                match (n - g).min(K::GROUP).min(MOST_GROUP) {
                    1 => self.group::<K, 1>(g, t, base, values, w),
                    2 => self.group::<K, 2>(g, t, base, values, w),
                    3 => self.group::<K, 3>(g, t, base, values, w),
                    4 => self.group::<K, 4>(g, t, base, values, w),
                    5 => self.group::<K, 5>(g, t, base, values, w),
                    6 => self.group::<K, 6>(g, t, base, values, w),
                    7 => self.group::<K, 7>(g, t, base, values, w),
                    8 => self.group::<K, 8>(g, t, base, values, w),
                    9 => self.group::<K, 9>(g, t, base, values, w),
                    10 => self.group::<K, 10>(g, t, base, values, w),
                    11 => self.group::<K, 11>(g, t, base, values, w),
                    _ => self.group::<K, MOST_GROUP>(g, t, base, values, w),
                }
            }
        }
    }

    /// Queries `g..g + R` against tiles `range`; `base` is the first training row of the job.
    #[inline(always)]
    fn group<K: Kernel, const R: usize>(
        &mut self,
        g: usize,
        range: std::ops::Range<usize>,
        base: usize,
        values: &[f32],
        column_worst: &mut [f32],
    ) {
        let wide = self.queries.wide;
        let q = &values[g * wide..(g + R) * wide];
        let norms = &self.queries.norms[g..g + R];
        let mut bound = [0.0f32; R];
        for r in 0..R {
            bound[r] = self.rows[g + r].worst() - norms[r];
        }
        for t in range {
            // SAFETY: `run` picks a kernel the processor has the features of.
            let partial = unsafe { K::tile::<R>(q, wide, self.tiles.tile(t)) };
            let first = t * TILE_ROWS;
            for r in 0..R {
                let values = &partial[r];
                // An or of comparisons (not a min, which has NaN to mind) vectorizes.
                if values.iter().fold(false, |h, &v| h | (v <= bound[r])) {
                    let best = &mut self.rows[g + r];
                    for (lane, &v) in values.iter().enumerate() {
                        if v <= bound[r] && first + lane < self.tiles.rows {
                            best.offer((norms[r] + v).max(0.0), (first + lane) as u32);
                            bound[r] = best.worst() - norms[r];
                        }
                    }
                }
                let Some(columns) = self.columns.as_deref_mut() else { continue };
                let at = first - base;
                let worst = &mut column_worst[at..at + TILE_ROWS];
                let hit = values.iter().zip(worst.iter()).fold(false, |h, (&v, &w)| h | (norms[r] + v <= w));
                if hit {
                    for lane in 0..TILE_ROWS {
                        let d = norms[r] + values[lane];
                        if d <= worst[lane] {
                            columns[at + lane].offer(d.max(0.0), self.first + (g + r) as u32);
                            worst[lane] = columns[at + lane].worst();
                        }
                    }
                }
            }
        }
    }
}

/// `‖t‖² − 2 q·t` of `R` widened queries (dimension-major: `q[k * R + r]`) and a tile's 16
/// training rows.
trait Kernel {
    /// Queries a tile is searched with at once.
    const GROUP: usize;
    /// # Safety
    /// The processor has the features the kernel is compiled for.
    unsafe fn tile<const R: usize>(q: &[f32], wide: usize, tile: &[f32]) -> [[f32; TILE_ROWS]; R];
}

struct Portable;

impl Kernel for Portable {
    const GROUP: usize = 6;
    #[inline(always)]
    unsafe fn tile<const R: usize>(q: &[f32], wide: usize, tile: &[f32]) -> [[f32; TILE_ROWS]; R] {
        let mut acc = [[0.0f32; TILE_ROWS]; R];
        for (k, column) in tile.chunks_exact(TILE_ROWS).enumerate().take(wide) {
            for r in 0..R {
                let v = q[k * R + r];
                for (a, &t) in acc[r].iter_mut().zip(column) {
                    *a += v * t;
                }
            }
        }
        acc
    }
}

#[cfg(target_arch = "x86_64")]
struct Avx2;

#[cfg(target_arch = "x86_64")]
impl Kernel for Avx2 {
    /// Twelve sums of eight and the tile's two registers of the sixteen ymm.
    const GROUP: usize = 6;
    /// Inlined into `run_avx2`, which has the features.
    #[inline(always)]
    unsafe fn tile<const R: usize>(q: &[f32], wide: usize, tile: &[f32]) -> [[f32; TILE_ROWS]; R] {
        use std::arch::x86_64::*;
        assert!(q.len() >= R * wide && tile.len() >= wide * TILE_ROWS);
        let mut out = [[0.0f32; TILE_ROWS]; R];
        // SAFETY: the loads stay inside `q` and `tile` (asserted above); the caller has made
        // sure of AVX2 and FMA.
        unsafe {
            let mut acc = [[_mm256_setzero_ps(); 2]; R];
            let (qp, tp) = (q.as_ptr(), tile.as_ptr());
            for k in 0..wide {
                let a0 = _mm256_loadu_ps(tp.add(k * TILE_ROWS));
                let a1 = _mm256_loadu_ps(tp.add(k * TILE_ROWS + 8));
                for (r, acc) in acc.iter_mut().enumerate() {
                    let b = _mm256_broadcast_ss(&*qp.add(k * R + r));
                    acc[0] = _mm256_fmadd_ps(b, a0, acc[0]);
                    acc[1] = _mm256_fmadd_ps(b, a1, acc[1]);
                }
            }
            for (o, a) in out.iter_mut().zip(&acc) {
                _mm256_storeu_ps(o.as_mut_ptr(), a[0]);
                _mm256_storeu_ps(o.as_mut_ptr().add(8), a[1]);
            }
        }
        out
    }
}

/// A tile's sixteen rows fill one 512-bit register, so a dimension takes one load of the
/// tile and a product a query (AVX2: two loads and two products); twelve queries' sums and
/// the tile fill 13 of the 32 zmm registers.
#[cfg(target_arch = "x86_64")]
struct Avx512;

#[cfg(target_arch = "x86_64")]
impl Kernel for Avx512 {
    const GROUP: usize = 12;

    /// Inlined into `run_avx512`, which has the feature.
    #[inline(always)]
    unsafe fn tile<const R: usize>(q: &[f32], wide: usize, tile: &[f32]) -> [[f32; TILE_ROWS]; R] {
        use std::arch::x86_64::*;
        assert!(q.len() >= R * wide && tile.len() >= wide * TILE_ROWS);
        let mut out = [[0.0f32; TILE_ROWS]; R];
        // SAFETY: the loads stay inside `q` and `tile` (asserted above); the caller has made
        // sure of AVX-512.
        unsafe {
            let mut acc = [_mm512_setzero_ps(); R];
            let (qp, tp) = (q.as_ptr(), tile.as_ptr());
            for k in 0..wide {
                let a = _mm512_loadu_ps(tp.add(k * TILE_ROWS));
                for (r, acc) in acc.iter_mut().enumerate() {
                    *acc = _mm512_fmadd_ps(_mm512_set1_ps(*qp.add(k * R + r)), a, *acc);
                }
            }
            for (o, a) in out.iter_mut().zip(&acc) {
                _mm512_storeu_ps(o.as_mut_ptr(), *a);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::knn::squared_distance;

    fn random_rows(n: usize, d: usize, seed: u64) -> Vec<f32> {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        (0..n * d).map(|_| rng.random_range(-3.0f32..3.0)).collect()
    }

    fn brute(train: &[f32], queries: &[f32], d: usize, k: usize) -> Vec<Vec<u32>> {
        queries
            .chunks(d)
            .map(|q| {
                let mut best = Nearest::new(k);
                for (r, t) in train.chunks(d).enumerate() {
                    best.offer(squared_distance(q, t) as f32, r as u32);
                }
                best.rows().collect()
            })
            .collect()
    }

    fn norms(rows: &[f32], d: usize) -> Vec<f64> {
        rows.chunks(d).map(|r| r.iter().map(|v| (v * v) as f64).sum()).collect()
    }

    fn agree(found: &[Nearest], expected: &[Vec<u32>]) -> usize {
        found.iter().zip(expected).filter(|(f, e)| f.rows().collect::<Vec<_>>() == **e).count()
    }

    #[test]
    fn finds_the_brute_force_neighbours_of_other_rows() {
        // Sizes that leave part-filled tiles, groups and blocks.
        let (d, k) = (23, 5);
        let train = random_rows(517, d, 1);
        let queries = random_rows(203, d, 2);
        let expected = brute(&train, &queries, d, k);
        for isa in Isa::available() {
            let found = search(&Tiles::new(&train, d, &norms(&train, d)), &Queries::for_isa(isa, &queries, d), k);
            assert_eq!(found.len(), 203);
            assert!(agree(&found, &expected) >= 201, "{isa:?}: rounding may swap near-ties only");
        }
    }

    #[test]
    fn the_rows_against_themselves_match_the_search_of_every_row() {
        // Enough rows for several blocks and an odd count of them (a round with a block idle).
        let (d, k) = (17, 4);
        let rows = random_rows(16 * 9 * 5 + 9, d, 3);
        let tiles = Tiles::new(&rows, d, &norms(&rows, d));
        let expected = brute(&rows, &rows, d, k);
        for isa in Isa::available() {
            let both_ways = search_themselves(&tiles, &Queries::for_isa(isa, &rows, d), k, &|_, _| {});
            assert_eq!(both_ways.len(), expected.len());
            assert!(agree(&both_ways, &expected) >= expected.len() - 2, "{isa:?}: rounding may swap near-ties only");
            assert!(
                both_ways.iter().enumerate().all(|(i, b)| b.rows().any(|r| r as usize == i)),
                "{isa:?}: each row is its own nearest"
            );
        }
    }

    #[test]
    fn every_kernel_makes_the_products() {
        let (d, r) = (9, 4);
        let rows = random_rows(16, d, 4);
        let tiles = Tiles::new(&rows, d, &norms(&rows, d));
        let plain = random_rows(r, d, 5);
        for isa in Isa::available() {
            // Four queries are one short group, dimension-major with a stride of four.
            let queries = Queries::for_isa(isa, &plain, d);
            let (q, w, tile) = (&queries.values[..], queries.wide, tiles.tile(0));
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            fn avx2(q: &[f32], wide: usize, tile: &[f32]) -> [[f32; TILE_ROWS]; 4] {
                // SAFETY: this function has the features.
                unsafe { Avx2::tile::<4>(q, wide, tile) }
            }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f")]
            fn avx512(q: &[f32], wide: usize, tile: &[f32]) -> [[f32; TILE_ROWS]; 4] {
                // SAFETY: this function has the feature.
                unsafe { Avx512::tile::<4>(q, wide, tile) }
            }
            // SAFETY: the portable kernel needs no feature; `available` detected the others'.
            let products = unsafe {
                match isa {
                    Isa::Portable => Portable::tile::<4>(q, w, tile),
                    #[cfg(target_arch = "x86_64")]
                    Isa::Avx2 => avx2(q, w, tile),
                    #[cfg(target_arch = "x86_64")]
                    Isa::Avx512 => avx512(q, w, tile),
                }
            };
            for (i, query) in plain.chunks(d).enumerate() {
                for lane in 0..TILE_ROWS {
                    let t = &rows[lane * d..(lane + 1) * d];
                    let dot: f64 = query.iter().zip(t).map(|(a, b)| (a * b) as f64).sum();
                    let exact = norms(t, d)[0] - 2.0 * dot;
                    let made = products[i][lane] as f64;
                    assert!((made - exact).abs() < 1e-3, "{isa:?}: {made} vs {exact}");
                }
            }
        }
    }
}
