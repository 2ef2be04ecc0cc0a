//! Augmented versions of one sample, to look at: the Augment pane shows them and
//! `kindling augment --preview` writes them as files. Copy `c` of a sample draws from
//! (seed, a hash of its id, c), so a preview is the same every time for the same seed.

use image::RgbImage;

use crate::augment::settings::Plan;
use crate::augment::text::Synonyms;
use crate::augment::{audio, image as image_ops, rng_for, table, text};
use crate::data::Source;
use crate::data::SourceKind;
use crate::error::{Error, Result};
use crate::features::Inputs;
use crate::project::Project;
use crate::runs::dataset::Dataset;

/// The original (first) and its augmented versions.
#[derive(Debug, Clone, PartialEq)]
pub enum Versions {
    Images(Vec<RgbImage>),
    Texts(Vec<String>),
    Clips {
        rate: u32,
        clips: Vec<Vec<f32>>,
    },
    /// Column names, then one row of values per version.
    Rows {
        columns: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

impl Versions {
    pub fn len(&self) -> usize {
        match self {
            Versions::Images(v) => v.len(),
            Versions::Texts(v) => v.len(),
            Versions::Clips { clips, .. } => clips.len(),
            Versions::Rows { rows, .. } => rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A detection project's image and its augmented versions, each with its boxes drawn in
/// their classes' colours, carried through the transforms.
fn boxed_versions(
    project: &Project,
    id: &str,
    original: &RgbImage,
    plan: &Plan,
    copies: usize,
    seed: u64,
) -> Result<Versions> {
    let boxes: Vec<(String, crate::labels::store::Rect)> =
        project.labels()?.boxes(id)?.into_iter().map(|b| (b.class, b.rect)).collect();
    let colour = |class: &str| {
        let name = project.config.classes.iter().find(|c| c.name == class).map_or("yellow", |c| c.colour.as_str());
        crate::augment::boxes::colour_rgb(name)
    };
    let drawn = |img: &RgbImage, boxes: &[(String, crate::labels::store::Rect)]| {
        let outlined: Vec<_> = boxes.iter().map(|(c, r)| (*r, colour(c))).collect();
        let thickness = (img.width().max(img.height()) / 200).max(1);
        crate::augment::boxes::draw(img, &outlined, thickness)
    };
    let number = id_number(id);
    let mut all = vec![drawn(original, &boxes)];
    for c in 0..copies {
        let mut rng = rng_for(seed, number, c as u64);
        let carried =
            crate::augment::boxes::carry(original, &boxes, &plan.steps, &mut rng, crate::augment::boxes::VISIBLE_FLOOR);
        all.push(drawn(&carried.image, &carried.boxes));
    }
    Ok(Versions::Images(all))
}

/// A stable number for a sample id.
fn id_number(id: &str) -> u64 {
    let hash = blake3::hash(id.as_bytes());
    u64::from_le_bytes(hash.as_bytes()[..8].try_into().unwrap_or([0; 8]))
}

/// `copies` augmented versions of sample `id`, after the original, following `plan`.
pub fn versions(project: &Project, id: &str, plan: &Plan, copies: usize, seed: u64) -> Result<Versions> {
    let source = project.source()?;
    if !source.contains(id)? {
        return Err(Error::user(format!("no sample \"{id}\" in {}", source.location().display())));
    }
    let number = id_number(id);
    let rng = |c: usize| rng_for(seed, number, c as u64);
    let kind = project.config.source.kind;
    match (&source, kind) {
        (Source::Folder(f), SourceKind::Images) if project.config.is_detect() => {
            let original = crate::features::image::open(&f.root.join(id))?.to_rgb8();
            boxed_versions(project, id, &original, plan, copies, seed)
        }
        (Source::Folder(f), SourceKind::Images) => {
            let original = crate::features::image::open(&f.root.join(id))?.to_rgb8();
            let mut all = vec![original.clone()];
            all.extend((0..copies).map(|c| image_ops::augment(&original, &plan.steps, &mut rng(c))));
            Ok(Versions::Images(all))
        }
        (Source::Folder(f), SourceKind::Audio) => {
            let path = f.root.join(id);
            let (samples, rate) = crate::features::audio::read_mono(&path)?;
            let mut clips = vec![samples.clone()];
            clips.extend((0..copies).map(|c| audio::augment(&samples, &plan.steps, &mut rng(c))));
            Ok(Versions::Clips { rate, clips })
        }
        (_, SourceKind::Text) => {
            let (text, partners) = text_and_partners(project, &source, id, plan.has("cut_glue"))?;
            let own = plan.synonyms.as_ref().map(|f| project.root().join(f));
            let synonyms = Synonyms::load(own.as_deref())?;
            let mut all = vec![text.clone()];
            all.extend((0..copies).map(|c| {
                let mut r = rng(c);
                let partner = (!partners.is_empty())
                    .then(|| partners[crate::augment::random::index(&mut r, partners.len())].as_str());
                text::augment(&text, &plan.steps, &synonyms, partner, &mut r)
            }));
            Ok(Versions::Texts(all))
        }
        (_, SourceKind::Table) => table_versions(project, id, plan, copies, seed),
        _ => Err(Error::internal("a folder source of an unexpected kind")),
    }
}

/// The sample's text and, when cut-and-glue needs them, the other texts of its class. A
/// folder's text is read alone; everything is read only when partners are needed or the
/// texts sit in a table.
fn text_and_partners(project: &Project, source: &Source, id: &str, partners: bool) -> Result<(String, Vec<String>)> {
    if let (Source::Folder(f), false) = (source, partners) {
        let path = f.root.join(id);
        let bytes = std::fs::read(&path).map_err(|e| Error::file(&path, e))?;
        return Ok((String::from_utf8_lossy(&bytes).into_owned(), Vec::new()));
    }
    let data = Dataset::load(project)?;
    let Inputs::Texts(texts) = data.inputs else { return Err(Error::internal("a text project without texts")) };
    let at = position(&data.ids, id)?;
    let class = data.given[at];
    let others = (0..texts.len()).filter(|&i| i != at && class.is_some() && data.given[i] == class);
    let others = if partners { others.map(|i| texts[i].clone()).collect() } else { Vec::new() };
    Ok((texts[at].clone(), others))
}

fn position(ids: &[String], id: &str) -> Result<usize> {
    ids.iter().position(|i| i == id).ok_or_else(|| Error::user(format!("no sample \"{id}\"")))
}

/// Table rows are augmented encoded, as in training, and read back as values.
fn table_versions(project: &Project, id: &str, plan: &Plan, copies: usize, seed: u64) -> Result<Versions> {
    let data = Dataset::load(project)?;
    let Inputs::Table(df) = &data.inputs else { return Err(Error::internal("a table project without a table")) };
    let featurizer = crate::features::table::TableFeaturizer::fit(df)?;
    let x = featurizer.transform(df)?;
    let at = position(&data.ids, id)?;
    let row = |i: usize| -> Vec<f32> { x.row(i).iter().map(|(_, v)| v).collect() };
    let same: Vec<Vec<f32>> =
        (0..x.rows()).filter(|&i| data.given[i].is_some() && data.given[i] == data.given[at]).map(row).collect();
    let members: Vec<&Vec<f32>> = same.iter().collect();
    let numeric = featurizer.numeric_mask();
    let original = row(at);
    let mut encoded = vec![original.clone()];
    encoded.extend((0..copies).map(|c| {
        table::copy_of(&original, &members, &numeric, &plan.steps, &mut rng_for(seed, id_number(id), c as u64))
    }));
    let decoded: Vec<Vec<(String, String)>> = encoded.iter().map(|r| featurizer.decode(r)).collect();
    let columns = decoded.first().map(|d| d.iter().map(|(c, _)| c.clone()).collect()).unwrap_or_default();
    let rows = decoded.into_iter().map(|d| d.into_iter().map(|(_, v)| v).collect()).collect();
    Ok(Versions::Rows { columns, rows })
}
