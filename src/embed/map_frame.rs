//! The part of a map that a picture or the Map pane shows at first. UMAP puts small groups
//! that link to nothing else far from the rest: framed from the smallest to the largest
//! coordinate, 1,982 manual pages filled a quarter of the picture's width, and 100,000
//! passages of them a sixth. Each axis is framed on where most points lie instead, and the
//! few beyond are pinned to the frame's edge, so that every point is still drawn.

/// The share of points on each side of an axis that may fall outside the frame.
const TAIL: f64 = 0.01;
/// Room left beyond those percentiles, as a share of the span between them.
const MARGIN: f64 = 0.1;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    pub x: (f64, f64),
    pub y: (f64, f64),
}

impl Frame {
    /// The frame of these coordinates: each axis from its 1st to its 99th percentile and a
    /// tenth beyond, within the points' full range; a point's own value when all are one.
    pub fn of(points: impl Iterator<Item = (f64, f64)> + Clone) -> Frame {
        Frame { x: axis(points.clone().map(|p| p.0).collect()), y: axis(points.map(|p| p.1).collect()) }
    }

    /// Where `(x, y)` falls in the frame, each coordinate from 0 to 1, pinned to the edge
    /// when beyond it.
    pub fn place(&self, x: f64, y: f64) -> (f64, f64) {
        let at = |v: f64, (lo, hi): (f64, f64)| if hi > lo { ((v - lo) / (hi - lo)).clamp(0.0, 1.0) } else { 0.5 };
        (at(x, self.x), at(y, self.y))
    }

    /// `(x, y)` moved onto the frame's edge when beyond it.
    pub fn pin(&self, x: f64, y: f64) -> (f64, f64) {
        (x.clamp(self.x.0, self.x.1), y.clamp(self.y.0, self.y.1))
    }

    /// Whether `(x, y)` lies beyond the frame (and is drawn pinned to its edge).
    pub fn is_beyond(&self, x: f64, y: f64) -> bool {
        x < self.x.0 || x > self.x.1 || y < self.y.0 || y > self.y.1
    }
}

fn axis(mut values: Vec<f64>) -> (f64, f64) {
    values.retain(|v| v.is_finite());
    if values.is_empty() {
        return (0.0, 1.0);
    }
    let n = values.len();
    let (lo, hi) = (quantile(&mut values, TAIL), quantile(&mut values, 1.0 - TAIL));
    let (min, max) = values.iter().fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    let room = (hi - lo) * MARGIN;
    if n < 3 || hi <= lo {
        return (min, max);
    }
    ((lo - room).max(min), (hi + room).min(max))
}

/// The value with a share `q` of the others below it (by rank, no interpolation).
fn quantile(values: &mut [f64], q: f64) -> f64 {
    let rank = ((values.len() - 1) as f64 * q).round() as usize;
    *values.select_nth_unstable_by(rank, f64::total_cmp).1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_far_points_are_pinned_and_the_rest_fill_the_frame() {
        // 1,000 points on [0, 1]², and five far off to the right.
        let mut points: Vec<(f64, f64)> =
            (0..1000).map(|i| ((i % 100) as f64 / 99.0, (i / 100) as f64 / 9.0)).collect();
        points.extend((0..5).map(|i| (50.0 + i as f64, 0.5)));
        let frame = Frame::of(points.iter().copied());
        assert!(frame.x.0 <= 0.0 && frame.x.1 > 1.0 && frame.x.1 < 1.2, "{frame:?}");
        assert_eq!(frame.y, (0.0, 1.0), "within the full range");
        let (x, _) = frame.place(0.5, 0.5);
        assert!((0.4..0.5).contains(&x), "the bulk spreads over the frame: {x}");
        assert_eq!(frame.place(52.0, 0.5), (1.0, 0.5), "pinned to the edge");
        assert_eq!(frame.pin(52.0, 0.5), (frame.x.1, 0.5));
        assert!(frame.is_beyond(52.0, 0.5) && !frame.is_beyond(0.9, 0.9));
    }

    #[test]
    fn spread_out_points_keep_their_whole_range_and_one_point_sits_in_the_middle() {
        let points: Vec<(f64, f64)> = (0..50).map(|i| (i as f64, -(i as f64))).collect();
        let frame = Frame::of(points.iter().copied());
        assert_eq!((frame.x, frame.y), ((0.0, 49.0), (-49.0, 0.0)));
        let one = Frame::of([(3.0, 4.0)].into_iter());
        assert_eq!(one.place(3.0, 4.0), (0.5, 0.5));
        assert_eq!(Frame::of([(f64::NAN, 1.0), (2.0, 1.0)].into_iter()).x, (2.0, 2.0));
    }
}
