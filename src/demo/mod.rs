//! `kindling demo`: small but real projects, generated deterministically from a fixed
//! seed, with nothing downloaded. One per kind of data; `shapes` (images) is the main one.

mod shapes;
mod table;
mod texts;
mod tones;

use std::path::{Path, PathBuf};

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::data::SourceKind;
use crate::error::{Error, Result, ResultExt};
use crate::labels::store::Origin;
use crate::progress::Progress;
use crate::project::init::{InitOptions, init};

pub struct Demo {
    /// False when the folder already held the demo (it is never overwritten).
    pub created: bool,
    /// The projects, main one first.
    pub projects: Vec<PathBuf>,
}

const PROJECTS: [&str; 4] = ["shapes", "fruit", "tickets", "tones"];
const SEED: u64 = 0x6b696e646c696e67;

pub fn generate(dir: &Path, progress: &dyn Progress) -> Result<Demo> {
    let projects: Vec<PathBuf> = PROJECTS.iter().map(|p| dir.join(p)).collect();
    if projects.iter().all(|p| p.join(crate::project::config::CONFIG_FILE).is_file()) {
        return Ok(Demo { created: false, projects });
    }
    let occupied = std::fs::read_dir(dir).map(|mut d| d.next().is_some()).unwrap_or(false);
    if occupied {
        return Err(Error::file(
            dir,
            "exists and is not a complete Kindling demo; give another folder, e.g. `kindling demo /tmp/kindling-demo`",
        ));
    }
    progress.stage("generating the demo", Some(PROJECTS.len() as u64));
    let rng = |n: u64| ChaCha8Rng::seed_from_u64(SEED + n);

    let images = projects[0].join("images");
    shapes::write(&images, &mut rng(1))?;
    make(&projects[0], &images, SourceKind::Images, None, Some(shapes::CLASSES), 0.4, &mut rng(11), progress)?;
    progress.advance(1);

    let fruit = projects[1].join("fruit.csv");
    table::write(&fruit, &mut rng(2))?;
    make(&projects[1], &fruit, SourceKind::Table, Some("label"), None, 0.0, &mut rng(12), progress)?;
    progress.advance(2);

    let tickets = projects[2].join("tickets.csv");
    texts::write(&tickets, &mut rng(3))?;
    make(&projects[2], &tickets, SourceKind::Text, Some("label"), None, 0.0, &mut rng(13), progress)?;
    progress.advance(3);

    let clips = projects[3].join("clips");
    tones::write(&clips, &mut rng(4))?;
    make(&projects[3], &clips, SourceKind::Audio, None, Some(tones::CLASSES), 0.5, &mut rng(14), progress)?;
    progress.advance(4);
    progress.finish();
    Ok(Demo { created: true, projects })
}

/// Creates a project over generated data. File names start with their class
/// (`circle_0001.png`); a `share` of those files gets its label imported, as if someone
/// had begun labelling.
#[allow(clippy::too_many_arguments)]
fn make(
    dir: &Path,
    source: &Path,
    kind: SourceKind,
    label_column: Option<&str>,
    classes: Option<&[&str]>,
    share: f64,
    rng: &mut ChaCha8Rng,
    progress: &dyn Progress,
) -> Result<()> {
    let opts = InitOptions {
        dir: dir.to_path_buf(),
        source: source.to_path_buf(),
        kind: Some(kind),
        label_column: label_column.map(str::to_string),
        text_column: (kind == SourceKind::Text).then(|| "text".to_string()),
        id_column: (kind != SourceKind::Images && kind != SourceKind::Audio).then(|| "id".to_string()),
        classes: classes.map(|c| c.iter().map(|s| s.to_string()).collect()),
        ..InitOptions::default()
    };
    let (project, _) = init(&opts, progress).context(dir.display())?;
    if share > 0.0 {
        let ids = project.source()?.ids_in_order()?;
        let labels: Vec<(String, String)> = ids
            .into_iter()
            .filter(|_| rng.random_bool(share))
            .filter_map(|id| {
                let class = id.split('_').next()?.to_string();
                Some((id, class))
            })
            .collect();
        project.labels()?.set_many(labels.iter().map(|(i, l)| (i.as_str(), Some(l.as_str()))), Origin::Import)?;
    }
    Ok(())
}

/// Creates a folder for generated files.
fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).context(dir.display())
}
