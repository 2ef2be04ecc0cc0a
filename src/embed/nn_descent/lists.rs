//! Every row's `k` best neighbours so far, in flat arrays (2,000,000 rows × 15 neighbours
//! as vectors of vectors cost a third more memory and a cache miss a row), and the
//! candidates NN-descent compares each round.

/// An empty slot: no row yet.
pub const NONE: u32 = u32::MAX;

pub struct Lists {
    pub k: usize,
    distance: Vec<f32>,
    row: Vec<u32>,
    /// Whether the neighbour came in since it was last taken as a candidate.
    fresh: Vec<bool>,
}

impl Lists {
    pub fn new(n: usize, k: usize) -> Lists {
        Lists { k, distance: vec![f32::INFINITY; n * k], row: vec![NONE; n * k], fresh: vec![false; n * k] }
    }

    pub fn len(&self) -> usize {
        self.row.len() / self.k.max(1)
    }

    /// Row `i`'s k-th best distance (infinite while it has fewer than k).
    pub fn worst(&self, i: usize) -> f32 {
        self.distance[(i + 1) * self.k - 1]
    }

    pub fn rows(&self, i: usize) -> &[u32] {
        &self.row[i * self.k..(i + 1) * self.k]
    }

    pub fn filled(&self, i: usize) -> usize {
        self.rows(i).iter().filter(|&&r| r != NONE).count()
    }

    /// Offers `j` at `distance` to row `i`'s list; true when it went in. Ties go to the
    /// lower row, so the lists do not depend on the order of the offers.
    pub fn offer(&mut self, i: usize, distance: f32, j: u32) -> bool {
        let base = i * self.k;
        let before = |d: f32, r: u32| d.total_cmp(&distance).then(r.cmp(&j)).is_lt();
        let last = base + self.k - 1;
        if before(self.distance[last], self.row[last]) || self.row[last] == j {
            return false;
        }
        if self.row[base..base + self.k].contains(&j) {
            return false;
        }
        let at = base + (0..self.k).take_while(|&s| before(self.distance[base + s], self.row[base + s])).count();
        for s in (at..last).rev() {
            self.distance[s + 1] = self.distance[s];
            self.row[s + 1] = self.row[s];
            self.fresh[s + 1] = self.fresh[s];
        }
        self.distance[at] = distance;
        self.row[at] = j;
        self.fresh[at] = true;
        true
    }

    /// Row `i`'s neighbours, nearest first: (squared distance, row).
    pub fn sorted(&self, i: usize) -> Vec<(f32, u32)> {
        let base = i * self.k;
        (base..base + self.k).filter(|&s| self.row[s] != NONE).map(|s| (self.distance[s], self.row[s])).collect()
    }

    /// The candidates of one round: for each row, up to `most` of its neighbours and of the
    /// rows that have it as a neighbour, new ones and old ones apart, chosen by `priority`
    /// (lowest first) where there are more; the new ones taken from a row's own list are
    /// marked old.
    pub fn candidates(&mut self, most: usize, priority: impl Fn(u32, u32) -> u64) -> (Candidates, Candidates) {
        let n = self.len();
        let (mut new, mut old) = (Candidates::new(n, most), Candidates::new(n, most));
        for i in 0..n {
            for s in i * self.k..(i + 1) * self.k {
                let j = self.row[s];
                if j == NONE {
                    continue;
                }
                let p = priority(i as u32, j);
                let into = if self.fresh[s] { &mut new } else { &mut old };
                into.offer(i, p, j);
                into.offer(j as usize, p, i as u32);
            }
        }
        for i in 0..n {
            for s in i * self.k..(i + 1) * self.k {
                if self.fresh[s] && new.of(i).contains(&self.row[s]) {
                    self.fresh[s] = false;
                }
            }
        }
        (new, old)
    }
}

/// Up to `most` rows a row, those of the lowest priorities kept.
pub struct Candidates {
    most: usize,
    count: Vec<u8>,
    priority: Vec<u64>,
    row: Vec<u32>,
}

impl Candidates {
    fn new(n: usize, most: usize) -> Candidates {
        assert!(most <= u8::MAX as usize, "at most 255 candidates a row");
        Candidates { most, count: vec![0; n], priority: vec![0; n * most], row: vec![NONE; n * most] }
    }

    fn offer(&mut self, i: usize, priority: u64, j: u32) {
        let (base, count) = (i * self.most, self.count[i] as usize);
        let rows = &self.row[base..base + count];
        if rows.contains(&j) {
            return;
        }
        if count < self.most {
            self.priority[base + count] = priority;
            self.row[base + count] = j;
            self.count[i] += 1;
            return;
        }
        let key = |s: usize| (self.priority[base + s], self.row[base + s]);
        let at = (1..count).fold(0, |top, s| if key(s) > key(top) { s } else { top });
        if (priority, j) < key(at) {
            self.priority[base + at] = priority;
            self.row[base + at] = j;
        }
    }

    pub fn of(&self, i: usize) -> &[u32] {
        &self.row[i * self.most..i * self.most + self.count[i] as usize]
    }
}
