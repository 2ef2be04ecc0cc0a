//! Checks of a folder of images, texts or clips: files that do not decode, exact copies
//! (content hash), near copies (a perceptual hash of images; texts equal once case,
//! punctuation and spacing are ignored), and what the files are like (sizes, channels,
//! sample rates, durations, lengths).

use std::collections::HashMap;

use rayon::prelude::*;

use super::{Check, Finding, Groups, Scanned, Severity};
use crate::data::FolderSource;
use crate::data::SourceKind;
use crate::error::Result;
use crate::progress::{Counter, Progress};

/// Images whose 64-bit difference hashes differ in at most this many bits may be near
/// copies…
const NEAR_BITS: u32 = 4;
/// …and are, when their 16 × 16 grey thumbnails also differ by at most this share of the
/// grey range on average. The hash alone called 1,626 of scikit-learn's 1,797 digit scans
/// near copies: at 8 × 8 pixels, dark, in 16 grey levels, distinct digits hash alike.
const NEAR_PIXELS: f64 = 0.02;
/// The side of the thumbnail compared.
const THUMB: u32 = 16;
/// Pairwise comparison of hashes is done up to this many images (beyond, equal hashes only).
const PAIRWISE_LIMIT: usize = 20_000;

/// What one file is like, for the profile and the near-duplicate search.
enum Facts {
    Image { width: u32, height: u32, channels: u8, hash: u64, thumb: Vec<u8> },
    Text { chars: usize, normalized: String },
    Audio { rate: u32, seconds: f64 },
    Unknown,
}

pub fn scan(f: &FolderSource, progress: &dyn Progress) -> Result<Scanned> {
    let scan = f.scan(progress)?;
    let mut findings = Vec::new();
    if !scan.unreadable.is_empty() {
        findings.push(
            Finding::new(
                Check::Unreadable,
                Severity::Error,
                scan.unreadable.len() as u64,
                format!("{} files cannot be read: {}", scan.unreadable.len(), scan.unreadable[0].reason),
            )
            .examples(scan.unreadable.iter().map(|u| u.id.clone()))
            .suggest("re-export or remove them; until then they are skipped"),
        );
    }
    let ids: Vec<String> = scan.files.iter().map(|c| c.entry.id.clone()).collect();
    let mut by_hash: HashMap<&str, Vec<String>> = HashMap::new();
    let mut order = Vec::new();
    for c in &scan.files {
        let members = by_hash.entry(c.hash.as_str()).or_insert_with(|| {
            order.push(c.hash.as_str());
            Vec::new()
        });
        members.push(c.entry.id.clone());
    }
    let exact: Groups = order.into_iter().filter_map(|h| by_hash.remove(h)).filter(|g| g.len() > 1).collect();
    if !exact.is_empty() {
        findings.push(Finding::copies(Check::Duplicates, &exact, "files that are byte-for-byte copies of another"));
    }

    let counter = Counter::start(progress, "looking at every file", ids.len());
    let facts: Vec<Facts> = scan
        .files
        .par_iter()
        .map(|c| {
            let facts = facts_of(&c.entry.path, f.kind);
            counter.tick();
            facts
        })
        .collect();
    counter.finish();
    let copies_of: HashMap<&String, usize> =
        exact.iter().enumerate().flat_map(|(g, ids)| ids.iter().map(move |id| (id, g))).collect();
    let (near, widest) = near_groups(&ids, &facts, &copies_of);
    if !near.is_empty() {
        let what = match f.kind {
            SourceKind::Images => format!(
                "images look the same without being the same file (perceptual hash, and their pixels \
                 differ by {:.1}% on average at most)",
                widest * 100.0
            ),
            _ => "texts are the same once case, punctuation and spacing are ignored".to_string(),
        };
        findings.push(Finding::copies(Check::NearDuplicates, &near, &what));
    }
    let empty: Vec<String> = ids
        .iter()
        .zip(&facts)
        .filter(|(_, f)| matches!(f, Facts::Text { chars: 0, .. }))
        .map(|(id, _)| id.clone())
        .collect();
    if !empty.is_empty() {
        findings.push(
            Finding::new(
                Check::MissingValues,
                Severity::Warning,
                empty.len() as u64,
                format!("{} texts are empty", empty.len()),
            )
            .examples(empty)
            .suggest("remove the empty files or give them their text"),
        );
    }
    let mut profile = vec![
        ("source".to_string(), f.root.display().to_string()),
        ("files".to_string(), format!("{} usable, {} unreadable", ids.len(), scan.unreadable.len())),
    ];
    if f.kind == SourceKind::Text {
        profile.push(("encoding".to_string(), "UTF-8 (files that are not are listed as unreadable)".to_string()));
    }
    profile.extend(describe(&facts));
    Ok(Scanned { findings, profile, ids, exact, near, leakage: Vec::new() })
}

fn facts_of(path: &std::path::Path, kind: SourceKind) -> Facts {
    match kind {
        SourceKind::Images => match image::open(path) {
            Ok(img) => Facts::Image {
                width: img.width(),
                height: img.height(),
                channels: img.color().channel_count(),
                hash: difference_hash(&img),
                thumb: thumbnail(&img),
            },
            Err(_) => Facts::Unknown,
        },
        SourceKind::Text => match std::fs::read(path) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                Facts::Text { chars: text.chars().count(), normalized: normalize(&text) }
            }
            Err(_) => Facts::Unknown,
        },
        SourceKind::Audio => match hound::WavReader::open(path) {
            Ok(r) => {
                let spec = r.spec();
                let frames = r.duration() as f64;
                Facts::Audio { rate: spec.sample_rate, seconds: frames / spec.sample_rate.max(1) as f64 }
            }
            Err(_) => Facts::Unknown,
        },
        SourceKind::Table => Facts::Unknown,
    }
}

/// Lower case, words of letters and digits only, single spaces.
pub fn normalize(text: &str) -> String {
    text.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// dHash: the image shrunk to 9 × 8 grey pixels; bit set where a pixel is brighter than its
/// right neighbour. Robust to scaling, small colour and compression changes.
fn difference_hash(img: &image::DynamicImage) -> u64 {
    let small = image::imageops::resize(&img.to_luma8(), 9, 8, image::imageops::FilterType::Triangle);
    let mut hash = 0u64;
    for y in 0..8 {
        for x in 0..8 {
            let bit = small.get_pixel(x, y)[0] > small.get_pixel(x + 1, y)[0];
            hash = (hash << 1) | bit as u64;
        }
    }
    hash
}

/// The image as `THUMB` × `THUMB` grey pixels.
fn thumbnail(img: &image::DynamicImage) -> Vec<u8> {
    image::imageops::resize(&img.to_luma8(), THUMB, THUMB, image::imageops::FilterType::Triangle).into_raw()
}

/// The mean absolute difference of two thumbnails, as a share of the grey range.
fn pixel_difference(a: &[u8], b: &[u8]) -> f64 {
    let sum: u64 = a.iter().zip(b).map(|(x, y)| x.abs_diff(*y) as u64).sum();
    sum as f64 / (a.len().max(1) as f64 * 255.0)
}

/// Groups of near copies that are not all byte-for-byte copies of each other, and the
/// largest difference of a member from its group's first (images; 0 for texts).
fn near_groups(ids: &[String], facts: &[Facts], copies_of: &HashMap<&String, usize>) -> (Groups, f64) {
    let n = ids.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let union = |parent: &mut Vec<usize>, a: usize, b: usize| {
        let (ra, rb) = (root(parent, a), root(parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    };
    // Texts: the same once normalized.
    let mut first_of: HashMap<&str, usize> = HashMap::new();
    for (i, f) in facts.iter().enumerate() {
        if let Facts::Text { normalized, chars } = f
            && *chars > 0
        {
            match first_of.get(normalized.as_str()) {
                Some(&j) => union(&mut parent, j, i),
                None => {
                    first_of.insert(normalized, i);
                }
            }
        }
    }
    // Images: each joins the first group whose first member it is near (never a chain of
    // near pairs, which had joined distinct digits through their neighbours).
    let images: Vec<(usize, u64, &[u8])> = facts
        .iter()
        .enumerate()
        .filter_map(|(i, f)| if let Facts::Image { hash, thumb, .. } = f { Some((i, *hash, &thumb[..])) } else { None })
        .collect();
    let pairwise = images.len() <= PAIRWISE_LIMIT;
    let mut leaders: Vec<(usize, u64, &[u8])> = Vec::new();
    let mut widest: f64 = 0.0;
    for &(i, hash, thumb) in &images {
        let near = leaders.iter().find_map(|&(l, h, t)| {
            let close = if pairwise { (h ^ hash).count_ones() <= NEAR_BITS } else { h == hash };
            let d = if close { pixel_difference(t, thumb) } else { f64::INFINITY };
            (d <= NEAR_PIXELS).then_some((l, d))
        });
        match near {
            Some((l, d)) => {
                union(&mut parent, l, i);
                widest = widest.max(d);
            }
            None => leaders.push((i, hash, thumb)),
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..n {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    let mut out: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
    out.retain(|g| {
        let first = copies_of.get(&ids[g[0]]);
        !(first.is_some() && g.iter().all(|i| copies_of.get(&ids[*i]) == first))
    });
    out.sort_unstable();
    (out.into_iter().map(|g| g.into_iter().map(|i| ids[i].clone()).collect()).collect(), widest)
}

/// Profile lines: image sizes and channels, text lengths, audio rates and durations.
fn describe(facts: &[Facts]) -> Vec<(String, String)> {
    let mut sizes: HashMap<(u32, u32), usize> = HashMap::new();
    let mut channels: HashMap<u8, usize> = HashMap::new();
    let mut rates: HashMap<u32, usize> = HashMap::new();
    let (mut lengths, mut seconds) = (Vec::new(), Vec::new());
    for f in facts {
        match f {
            Facts::Image { width, height, channels: c, .. } => {
                *sizes.entry((*width, *height)).or_default() += 1;
                *channels.entry(*c).or_default() += 1;
            }
            Facts::Text { chars, .. } => lengths.push(*chars as f64),
            Facts::Audio { rate, seconds: s } => {
                *rates.entry(*rate).or_default() += 1;
                seconds.push(*s);
            }
            Facts::Unknown => {}
        }
    }
    let mut out = Vec::new();
    let top = |m: HashMap<String, usize>| {
        let mut v: Vec<(String, usize)> = m.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let more = v.len().saturating_sub(5);
        let mut s = v.iter().take(5).map(|(k, n)| format!("{k} ×{n}")).collect::<Vec<_>>().join(", ");
        if more > 0 {
            s += &format!(" and {more} more");
        }
        s
    };
    if !sizes.is_empty() {
        out.push(("image sizes".into(), top(sizes.into_iter().map(|((w, h), n)| (format!("{w}×{h}"), n)).collect())));
        out.push(("channels".into(), top(channels.into_iter().map(|(c, n)| (c.to_string(), n)).collect())));
    }
    if !lengths.is_empty() {
        out.push(("text length (characters)".into(), spread(&mut lengths)));
    }
    if !rates.is_empty() {
        out.push(("sample rates (Hz)".into(), top(rates.into_iter().map(|(r, n)| (r.to_string(), n)).collect())));
        out.push(("durations (s)".into(), spread(&mut seconds)));
    }
    out
}

/// `min … median … max` of some values.
fn spread(values: &mut [f64]) -> String {
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    let fmt = |v: f64| if v.fract() == 0.0 { format!("{v}") } else { format!("{v:.2}") };
    format!("min {}, median {}, max {}", fmt(at(0.0)), fmt(at(0.5)), fmt(at(1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizing_ignores_case_punctuation_and_spacing() {
        assert_eq!(normalize("Hello,   World!\n"), normalize("hello world"));
        assert_ne!(normalize("hello world"), normalize("hello there world"));
    }

    #[test]
    fn a_rescaled_image_keeps_its_difference_hash() {
        let img =
            image::DynamicImage::ImageLuma8(image::GrayImage::from_fn(64, 48, |x, y| image::Luma([(x * 3 + y) as u8])));
        let small = img.resize_exact(32, 24, image::imageops::FilterType::Triangle);
        assert!((difference_hash(&img) ^ difference_hash(&small)).count_ones() <= NEAR_BITS);
        let other = image::DynamicImage::ImageLuma8(image::GrayImage::from_fn(64, 48, |x, _| {
            image::Luma([255 - (x * 3) as u8])
        }));
        assert!((difference_hash(&img) ^ difference_hash(&other)).count_ones() > NEAR_BITS);
    }

    fn image(hash: u64, level: u8, ink: &[usize]) -> Facts {
        let mut thumb = vec![level; (THUMB * THUMB) as usize];
        ink.iter().for_each(|&p| thumb[p] = 255);
        Facts::Image { width: 8, height: 8, channels: 1, hash, thumb }
    }

    #[test]
    fn near_copies_need_alike_pixels_as_well_as_a_near_hash() {
        let ids: Vec<String> = ["a", "b", "c", "d"].map(String::from).to_vec();
        // The same hash for all: small dark scans of distinct digits do hash alike.
        let stroke: Vec<usize> = (0..16).map(|r| r * 16 + 7).collect();
        let other: Vec<usize> = (0..16).map(|c| 7 * 16 + c).chain((0..16).map(|r| r * 16 + 2)).collect();
        let facts = vec![image(7, 0, &stroke), image(7, 3, &stroke), image(7, 0, &other), image(6, 0, &other)];
        let (groups, widest) = near_groups(&ids, &facts, &HashMap::new());
        assert_eq!(groups, vec![vec!["a".to_string(), "b".to_string()], vec!["c".to_string(), "d".to_string()]]);
        assert!(widest > 0.0 && widest <= NEAR_PIXELS, "{widest}");
    }

    #[test]
    fn near_copies_do_not_chain_through_their_neighbours() {
        // b is near a and c near b, but c is not near a: a's group takes b alone.
        let ids: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let facts = vec![image(1, 0, &[]), image(1, 4, &[]), image(1, 8, &[])];
        let (groups, _) = near_groups(&ids, &facts, &HashMap::new());
        assert_eq!(groups, vec![vec!["a".to_string(), "b".to_string()]]);
    }
}
