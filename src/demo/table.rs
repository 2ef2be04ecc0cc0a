//! A fruit table: numeric and categorical measurements, some values missing, labels on
//! about 60% of the rows, and a split column.

use std::path::Path;

use rand::{Rng, RngExt};

use crate::error::{Error, Result, ResultExt};

const ROWS: usize = 600;

struct Fruit {
    name: &'static str,
    weight_g: (f64, f64),
    length_cm: (f64, f64),
    sweetness: (f64, f64),
    colours: &'static [&'static str],
}

const FRUITS: [Fruit; 4] = [
    Fruit {
        name: "apple",
        weight_g: (180.0, 30.0),
        length_cm: (7.5, 0.8),
        sweetness: (6.0, 1.5),
        colours: &["red", "green", "yellow"],
    },
    Fruit {
        name: "banana",
        weight_g: (120.0, 20.0),
        length_cm: (19.0, 2.5),
        sweetness: (7.5, 1.0),
        colours: &["yellow", "green", "brown"],
    },
    Fruit {
        name: "orange",
        weight_g: (200.0, 35.0),
        length_cm: (8.0, 0.9),
        sweetness: (6.5, 1.2),
        colours: &["orange"],
    },
    Fruit {
        name: "pear",
        weight_g: (170.0, 30.0),
        length_cm: (10.0, 1.2),
        sweetness: (5.5, 1.5),
        colours: &["green", "yellow", "brown"],
    },
];

const ORIGINS: [&str; 5] = ["Spain", "Italy", "Ecuador", "Chile", "New Zealand"];

pub fn write(path: &Path, rng: &mut impl Rng) -> Result<()> {
    super::create_dir(path.parent().unwrap_or(Path::new(".")))?;
    let mut w = csv::Writer::from_path(path).map_err(|e| Error::file(path, e))?;
    let header = ["id", "weight_g", "length_cm", "sweetness", "colour", "origin", "label", "split"];
    w.write_record(header).map_err(|e| Error::file(path, e))?;
    for i in 0..ROWS {
        let fruit = &FRUITS[rng.random_range(0..FRUITS.len())];
        let weight = normal(rng, fruit.weight_g);
        let length = normal(rng, fruit.length_cm);
        let sweetness = normal(rng, fruit.sweetness).round().clamp(1.0, 10.0);
        let colour = fruit.colours[rng.random_range(0..fruit.colours.len())];
        let origin = ORIGINS[rng.random_range(0..ORIGINS.len())];
        let missing = |rng: &mut dyn FnMut() -> bool, value: String| if rng() { String::new() } else { value };
        let mut gap = || rng.random_bool(0.06);
        let record = [
            format!("f{:04}", i + 1),
            missing(&mut gap, format!("{weight:.1}")),
            missing(&mut gap, format!("{length:.2}")),
            missing(&mut gap, format!("{sweetness}")),
            missing(&mut gap, colour.to_string()),
            origin.to_string(),
            if rng.random_bool(0.6) { fruit.name.to_string() } else { String::new() },
            if rng.random_bool(0.8) { "train" } else { "test" }.to_string(),
        ];
        w.write_record(&record).map_err(|e| Error::file(path, e))?;
    }
    w.flush().context(path.display())
}

/// A normal draw by the Box–Muller transform (mean, standard deviation).
fn normal(rng: &mut impl Rng, (mean, sd): (f64, f64)) -> f64 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random();
    mean + sd * (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}
