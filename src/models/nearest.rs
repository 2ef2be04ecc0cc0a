//! The k best candidates of a nearest-neighbour search: (squared distance, row) pairs, ties
//! to the lower row, so that every search order gives the same answer.

pub struct Nearest {
    k: usize,
    /// Kept in ascending order; at most `k`.
    best: Vec<(f32, u32)>,
}

impl Nearest {
    pub fn new(k: usize) -> Nearest {
        Nearest { k, best: Vec::with_capacity(k + 1) }
    }

    /// The k-th best distance so far (infinite until there are k).
    pub fn worst(&self) -> f32 {
        if self.best.len() < self.k { f32::INFINITY } else { self.best[self.k - 1].0 }
    }

    pub fn offer(&mut self, distance: f32, row: u32) {
        let before = |a: &(f32, u32)| a.0.total_cmp(&distance).then(a.1.cmp(&row)).is_lt();
        if self.k == 0 || (self.best.len() == self.k && before(&self.best[self.k - 1])) {
            return;
        }
        let at = self.best.partition_point(before);
        self.best.insert(at, (distance, row));
        self.best.truncate(self.k);
    }

    pub fn rows(&self) -> impl Iterator<Item = u32> + '_ {
        self.best.iter().map(|(_, r)| *r)
    }

    pub fn into_sorted(self) -> Vec<(f32, u32)> {
        self.best
    }
}
