//! The Barnes–Hut quadtree of a t-SNE map: each node the centre of mass and count of the
//! points in its square, so that a far group of points repels as one.

/// Points a leaf holds at most (and every point at the deepest level, duplicates included).
const LEAF: usize = 8;
const MAX_DEPTH: usize = 40;

struct Node {
    /// Half the side of the node's square.
    half: f64,
    mass: (f64, f64),
    count: usize,
    /// Children (the first `children` of `child`), or for a leaf none and the range of
    /// `order` holding its points.
    child: [u32; 4],
    children: u8,
    points: (u32, u32),
}

pub struct QuadTree<'a> {
    nodes: Vec<Node>,
    order: Vec<u32>,
    y: &'a [(f64, f64)],
}

impl<'a> QuadTree<'a> {
    pub fn new(y: &'a [(f64, f64)]) -> QuadTree<'a> {
        let (lo_x, hi_x) = y.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
        let (lo_y, hi_y) = y.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
        let half = ((hi_x - lo_x).max(hi_y - lo_y) / 2.0).max(1e-9) * (1.0 + 1e-9);
        let centre = ((lo_x + hi_x) / 2.0, (lo_y + hi_y) / 2.0);
        let mut tree = QuadTree { nodes: Vec::new(), order: (0..y.len() as u32).collect(), y };
        tree.build(0, y.len(), centre, half, 0);
        tree
    }

    /// Builds the node over `order[from..to]`; returns its index.
    fn build(&mut self, from: usize, to: usize, centre: (f64, f64), half: f64, depth: usize) -> u32 {
        let at = self.nodes.len() as u32;
        let (mut sx, mut sy) = (0.0, 0.0);
        for &i in &self.order[from..to] {
            sx += self.y[i as usize].0;
            sy += self.y[i as usize].1;
        }
        let count = to - from;
        let mass = (sx / count.max(1) as f64, sy / count.max(1) as f64);
        let points = (from as u32, to as u32);
        self.nodes.push(Node { half, mass, count, child: [0; 4], children: 0, points });
        if count <= LEAF || depth >= MAX_DEPTH {
            return at;
        }
        // Partition into the four quadrants: left/right, then bottom/top within each.
        let y = self.y;
        let slice = &mut self.order[from..to];
        let split = |s: &mut [u32], test: &dyn Fn(u32) -> bool| {
            let mut k = 0;
            for i in 0..s.len() {
                if test(s[i]) {
                    s.swap(i, k);
                    k += 1;
                }
            }
            k
        };
        let left = split(slice, &|i| y[i as usize].0 < centre.0);
        let lower_left = split(&mut slice[..left], &|i| y[i as usize].1 < centre.1);
        let lower_right = split(&mut slice[left..], &|i| y[i as usize].1 < centre.1);
        let q = half / 2.0;
        let parts = [
            (from, from + lower_left, (centre.0 - q, centre.1 - q)),
            (from + lower_left, from + left, (centre.0 - q, centre.1 + q)),
            (from + left, from + left + lower_right, (centre.0 + q, centre.1 - q)),
            (from + left + lower_right, to, (centre.0 + q, centre.1 + q)),
        ];
        for (a, b, c) in parts {
            if b > a {
                let built = self.build(a, b, c, q, depth + 1);
                let node = &mut self.nodes[at as usize];
                node.child[node.children as usize] = built;
                node.children += 1;
            }
        }
        at
    }

    /// The unnormalized repulsion on point `i` — Σ_j q_ij² (y_i − y_j) — and Σ_j q_ij, with
    /// q_ij = 1 / (1 + ‖y_i − y_j‖²); a node whose side over its distance is below `theta`
    /// counts as all its points at its centre of mass.
    pub fn repulsion(&self, i: usize, theta: f64) -> ((f64, f64), f64) {
        let yi = self.y[i];
        let (mut force, mut z) = ((0.0, 0.0), 0.0);
        let mut stack = Vec::with_capacity(64);
        stack.push(0u32);
        while let Some(n) = stack.pop() {
            let node = &self.nodes[n as usize];
            let (dx, dy) = (yi.0 - node.mass.0, yi.1 - node.mass.1);
            let d2 = dx * dx + dy * dy;
            if node.children == 0 {
                for &j in &self.order[node.points.0 as usize..node.points.1 as usize] {
                    if j as usize == i {
                        continue;
                    }
                    let yj = self.y[j as usize];
                    let (dx, dy) = (yi.0 - yj.0, yi.1 - yj.1);
                    let q = 1.0 / (1.0 + dx * dx + dy * dy);
                    z += q;
                    force.0 += q * q * dx;
                    force.1 += q * q * dy;
                }
            } else if (2.0 * node.half) * (2.0 * node.half) < theta * theta * d2 {
                let q = 1.0 / (1.0 + d2);
                let m = node.count as f64;
                z += m * q;
                force.0 += m * q * q * dx;
                force.1 += m * q * q * dy;
            } else {
                stack.extend_from_slice(&node.child[..node.children as usize]);
            }
        }
        (force, z)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact sums, pair by pair.
    fn exact(y: &[(f64, f64)], i: usize) -> ((f64, f64), f64) {
        let (mut f, mut z) = ((0.0, 0.0), 0.0);
        for (_, yj) in y.iter().enumerate().filter(|(j, _)| *j != i) {
            let (dx, dy) = (y[i].0 - yj.0, y[i].1 - yj.1);
            let q = 1.0 / (1.0 + dx * dx + dy * dy);
            z += q;
            f.0 += q * q * dx;
            f.1 += q * q * dy;
        }
        (f, z)
    }

    fn points(n: usize) -> Vec<(f64, f64)> {
        (0..n).map(|i| ((i as f64 * 0.618_034).fract() * 20.0, (i as f64 * 0.414_214).fract() * 20.0)).collect()
    }

    #[test]
    fn theta_zero_is_exact_and_theta_half_is_close() {
        let y = points(500);
        let tree = QuadTree::new(&y);
        for i in [0, 17, 499] {
            let ((fx, fy), z) = tree.repulsion(i, 0.0);
            let ((ex, ey), ez) = exact(&y, i);
            assert!((z - ez).abs() < 1e-9 * ez && (fx - ex).abs() < 1e-9 && (fy - ey).abs() < 1e-9);
            let ((ax, ay), az) = tree.repulsion(i, 0.5);
            assert!((az - ez).abs() < 0.02 * ez, "{az} vs {ez}");
            let size = (ex * ex + ey * ey).sqrt();
            assert!(((ax - ex).powi(2) + (ay - ey).powi(2)).sqrt() < 0.05 * size + 1e-6);
        }
    }

    #[test]
    fn duplicates_do_not_recurse_forever() {
        let y = vec![(1.0, 1.0); 100];
        let tree = QuadTree::new(&y);
        let (_, z) = tree.repulsion(3, 0.5);
        assert!((z - 99.0).abs() < 1e-9);
    }
}
