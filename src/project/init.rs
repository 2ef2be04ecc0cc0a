//! `kindling init`: turn a data source into a project. Everything is checked before
//! anything is written, so a failed init leaves no half-made project behind.

use std::path::{Path, PathBuf};

use super::Project;
use super::config::{CONFIG_FILE, ClassConfig, Config, ProjectSection, TaskKind, TaskSection};
use super::keys;
use crate::data::folder::{self, Unreadable};
use crate::data::table::TableFormat;
use crate::data::{self, Source, split};
use crate::data::{SourceConfig, SourceKind};
use crate::encoders::Input;
use crate::error::{Error, Result};
use crate::labels::store::{LABELS_FILE, LabelStore, Origin};
use crate::progress::Progress;

#[derive(Debug, Clone, Default)]
pub struct InitOptions {
    pub dir: PathBuf,
    pub source: PathBuf,
    pub kind: Option<SourceKind>,
    pub label_column: Option<String>,
    pub text_column: Option<String>,
    pub id_column: Option<String>,
    pub split_column: Option<String>,
    pub split_file: Option<PathBuf>,
    pub classes: Option<Vec<String>>,
    pub labels_from_folders: bool,
    pub multi_label: bool,
    /// What the project labels (`--task`): a class per sample, or boxes.
    pub task: TaskKind,
    /// Table columns left out of the features (`[features] exclude`).
    pub exclude: Vec<String>,
    /// A pre-trained encoder for the features (`[features] encoder`): a known name or a
    /// snapshot folder.
    pub encoder: Option<String>,
}

#[derive(Debug)]
pub struct InitReport {
    pub samples: usize,
    pub unreadable: Vec<Unreadable>,
    pub imported_labels: usize,
    pub notes: Vec<String>,
}

/// Name of the copy of a split file kept inside the project.
const SPLIT_FILE: &str = "split.csv";

pub fn init(opts: &InitOptions, progress: &dyn Progress) -> Result<(Project, InitReport)> {
    let dir = &opts.dir;
    if dir.join(CONFIG_FILE).exists() {
        return Err(Error::file(dir, "is already a Kindling project; open it, or choose another folder"));
    }
    if dir.join(LABELS_FILE).exists() {
        return Err(Error::file(&dir.join(LABELS_FILE), "already exists; move it away before creating a project here"));
    }
    let source_path = std::fs::canonicalize(&opts.source)
        .map_err(|_| Error::file(&opts.source, "does not exist; check the --source path"))?;
    let mut notes = Vec::new();
    let kind = match opts.kind {
        Some(k) => k,
        None => infer_kind(&source_path, opts.text_column.is_some())?,
    };
    // A table whose column `text` is not named by another flag is texts, as a column `text`
    // is found with `--kind text`: a table model reading the passages as categories learns
    // nothing.
    let kind = if opts.kind.is_none() && kind == SourceKind::Table && has_free_text_column(&source_path, opts)? {
        notes
            .push("column \"text\" holds each sample's text: a text project (--kind table reads it as a table)".into());
        SourceKind::Text
    } else {
        kind
    };
    let mut source_config = SourceConfig {
        id_column: opts.id_column.clone(),
        label_column: opts.label_column.clone(),
        text_column: opts.text_column.clone(),
        split_column: opts.split_column.clone(),
        labels_from_folders: opts.labels_from_folders,
        ..SourceConfig::new(kind, source_path.clone())
    };
    check_flags(opts, &source_path, &mut source_config, &mut notes)?;
    if opts.task == TaskKind::Detect {
        check_detect(opts, kind)?;
    }

    if kind != SourceKind::Table && source_path.is_dir() {
        let (entries, _) = folder::list(&source_path, kind)?;
        let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
        if data::looks_split_by_folders(&ids) {
            source_config.split_from_folders = true;
            notes.push("top folders train/valid/test fix the split of every file".into());
        }
    }
    // Open the source where it is; what the scan learns is saved once the project exists.
    let source = Source::open(Path::new(""), &source_config, None)?;
    source.scan(progress)?;
    let samples = source.count()?;
    let unreadable = source.unreadable()?;
    if samples == 0 {
        return Err(empty_source_error(&source_path, kind, unreadable.len()));
    }
    if let Source::Table(t) = &source {
        t.table.validate_text()?;
        t.check_ids_unique()?;
        t.split_values()?;
        t.require_columns(&opts.exclude, |gone| format!("--exclude {gone}"))?;
    } else if !opts.exclude.is_empty() {
        return Err(Error::user("--exclude names table columns; this source is a folder"));
    }
    let encoder = check_encoder(opts.encoder.as_deref(), kind, &mut notes)?;
    let given = source.given_labels()?;
    let classes = choose_classes(opts, &given, &source)?;
    if let Some(file) = &opts.split_file {
        let ids = source.ids()?;
        split::read_split_file(file, |id| ids.contains(id))?;
    }

    std::fs::create_dir_all(dir).map_err(|e| Error::file(dir, format!("cannot create the project folder ({e})")))?;
    let dir = std::fs::canonicalize(dir).map_err(|e| Error::file(dir, e))?;
    if let Some(file) = &opts.split_file {
        std::fs::copy(file, dir.join(SPLIT_FILE)).map_err(|e| Error::file(file, format!("cannot copy it ({e})")))?;
        source_config.split_file = Some(PathBuf::from(SPLIT_FILE));
    }
    if let Ok(rel) = source_path.strip_prefix(&dir) {
        source_config.path = if rel.as_os_str().is_empty() { PathBuf::from(".") } else { rel.to_path_buf() };
    }
    let name = dir.file_name().map_or("project".into(), |n| n.to_string_lossy().into_owned());
    let config = Config {
        project: ProjectSection { name, multi_label: opts.multi_label },
        task: TaskSection { kind: opts.task },
        source: source_config,
        classes: classes
            .iter()
            .zip(keys::keys_for(&classes))
            .enumerate()
            .map(|(i, (c, key))| ClassConfig { name: c.clone(), key, colour: keys::default_colour(i) })
            .collect(),
        keys: Default::default(),
        label: Default::default(),
        features: crate::features::Settings { exclude: opts.exclude.clone(), encoder, ..Default::default() },
        augment: Default::default(),
        torch: Default::default(),
        live: Default::default(),
        qa: Default::default(),
        detector: Default::default(),
    };
    config.validate()?;
    let mut store = LabelStore::create(&dir.join(LABELS_FILE))?;
    let imported = store.set_many(given.iter().map(|(id, l)| (id.as_str(), Some(l.as_str()))), Origin::Import)?;
    config.save(&dir)?;
    let project = Project::open(&dir)?;
    source.save_cache(&project.cache_dir());
    Ok((project, InitReport { samples, unreadable, imported_labels: imported, notes }))
}

/// A detection project boxes objects of the classes `--classes` names in a folder of images.
fn check_detect(opts: &InitOptions, kind: SourceKind) -> Result<()> {
    if kind != SourceKind::Images {
        return Err(Error::user(format!("--task detect boxes objects in images; this source holds {}", kind.name())));
    }
    if opts.labels_from_folders || opts.multi_label {
        return Err(Error::user(
            "--task detect gives each box a class: leave out --labels-from-folders and --multi-label",
        ));
    }
    if opts.classes.is_none() {
        return Err(Error::user("--task detect needs the classes of the objects to box: --classes car,person,bicycle"));
    }
    Ok(())
}

/// The encoder `--encoder` names (a folder made absolute), checked against the kind of
/// data; without one, a text or image project hears that an encoder would help.
fn check_encoder(spec: Option<&str>, kind: SourceKind, notes: &mut Vec<String>) -> Result<Option<String>> {
    let texts_or_images = matches!(kind, SourceKind::Text | SourceKind::Images);
    let Some(spec) = spec else {
        if texts_or_images {
            let fits = if kind == SourceKind::Text { "all-MiniLM-L6-v2" } else { "tf_efficientnet_lite0" };
            notes.push(format!(
                "a pre-trained encoder would help with few labels: `kindling encoders` lists them; set \
                 [features] encoder = \"{fits}\" in kindling.toml (or init with --encoder)"
            ));
        }
        return Ok(None);
    };
    if !texts_or_images {
        return Err(Error::user(format!("--encoder takes image or text data; this source holds {}", kind.name())));
    }
    let path = Path::new(spec);
    if path.is_dir() {
        let input = crate::encoders::input_of(path)?;
        let fits = matches!((input, kind), (Input::Texts, SourceKind::Text) | (Input::Images, SourceKind::Images));
        if !fits {
            return Err(Error::file(
                path,
                format!("holds an encoder of {}; this source holds {}", input.name(), kind.name()),
            ));
        }
        let absolute = std::fs::canonicalize(path).map_err(|e| Error::file(path, e))?;
        return Ok(Some(absolute.to_string_lossy().into_owned()));
    }
    match crate::encoders::catalog::find(spec) {
        Some(k) if (k.input == Input::Texts) == (kind == SourceKind::Text) => Ok(Some(k.name.to_string())),
        Some(k) => Err(Error::user(format!(
            "encoder {} encodes {}; this source holds {}",
            k.name,
            k.input.name(),
            kind.name()
        ))),
        None => Err(Error::user(format!(
            "--encoder {spec}: neither a snapshot folder nor a known encoder (`kindling encoders` lists them)"
        ))),
    }
}

fn check_flags(opts: &InitOptions, source: &Path, config: &mut SourceConfig, notes: &mut Vec<String>) -> Result<()> {
    let is_table_file = source.is_file();
    let table_only = [
        (&opts.label_column, "--label-column"),
        (&opts.id_column, "--id-column"),
        (&opts.split_column, "--split-column"),
        (&opts.text_column, "--text-column"),
    ];
    if !is_table_file {
        if let Some((_, flag)) = table_only.iter().find(|(v, _)| v.is_some()) {
            return Err(Error::file(source, format!("is a folder; {flag} applies to table files")));
        }
    } else if opts.labels_from_folders {
        return Err(Error::file(
            source,
            "is a file; --labels-from-folders applies to folders of images, texts or audio",
        ));
    }
    match (config.kind, is_table_file) {
        (SourceKind::Images | SourceKind::Audio, true) => {
            return Err(Error::file(source, format!("is a file; {} sources are folders", config.kind.name())));
        }
        (SourceKind::Table, false) => {
            return Err(Error::file(source, "is a folder; a table source is one CSV, TSV, Parquet or NDJSON file"));
        }
        (SourceKind::Text, true) if config.text_column.is_none() => {
            config.text_column = Some(guess_text_column(source)?);
        }
        _ => {}
    }
    if is_table_file && config.split_column.is_none() {
        let table = crate::data::table::Table::open(source)?;
        if table.column_names()?.iter().any(|c| c == "split") {
            // Used only when its values really are splits: the user did not ask for it.
            let values = table.strings(table.scan()?, "split")?;
            let parsed = split::parse_values(values.iter().map(|v| v.as_deref()), |row| table.place(row));
            match parsed {
                Ok(_) => {
                    config.split_column = Some("split".into());
                    notes.push("column \"split\" fixes the split of every row".into());
                }
                Err(e) => notes.push(format!("column \"split\" is not used as the split ({e})")),
            }
        }
    }
    Ok(())
}

fn has_free_text_column(source: &Path, opts: &InitOptions) -> Result<bool> {
    let named = [&opts.label_column, &opts.id_column, &opts.split_column];
    let table = crate::data::table::Table::open(source)?;
    Ok(table.column_names()?.iter().any(|c| c == "text") && !named.iter().any(|n| n.as_deref() == Some("text")))
}

fn guess_text_column(source: &Path) -> Result<String> {
    let table = crate::data::table::Table::open(source)?;
    let names = table.column_names()?;
    if names.iter().any(|n| n == "text") {
        return Ok("text".into());
    }
    Err(Error::file(
        source,
        format!("which column holds the text? Name it with --text-column (columns: {})", names.join(", ")),
    ))
}

/// A file is a table (or texts, with a text column); a folder is whatever kind most of
/// its files are.
fn infer_kind(source: &Path, has_text_column: bool) -> Result<SourceKind> {
    if source.is_file() {
        if TableFormat::from_path(source).is_none() {
            return Err(Error::file(
                source,
                "is not a table Kindling reads (.csv, .tsv, .parquet, .ndjson, .jsonl); for images, text or audio give the folder",
            ));
        }
        return Ok(if has_text_column { SourceKind::Text } else { SourceKind::Table });
    }
    let mut counts = [(SourceKind::Images, 0usize), (SourceKind::Text, 0), (SourceKind::Audio, 0)];
    for entry in walkdir::WalkDir::new(source).follow_links(true).into_iter().flatten() {
        if entry.file_type().is_file() {
            for (kind, n) in counts.iter_mut() {
                *n += usize::from(folder::has_extension(entry.path(), *kind));
            }
        }
    }
    match counts.iter().max_by_key(|(_, n)| *n) {
        Some((kind, n)) if *n > 0 => Ok(*kind),
        _ => Err(Error::file(
            source,
            "holds no images (png, jpeg, webp, gif, bmp), .txt or .wav files; give a folder of samples or a table file",
        )),
    }
}

fn empty_source_error(source: &Path, kind: SourceKind, unreadable: usize) -> Error {
    let found = match kind {
        SourceKind::Table | SourceKind::Text if source.is_file() => "has no rows".to_string(),
        _ => format!("holds no usable {} files ({})", kind.name(), folder::extensions(kind).join(", ")),
    };
    let bad = if unreadable > 0 { format!("; {unreadable} file(s) failed to decode") } else { String::new() };
    Error::file(source, format!("{found}{bad}; a project needs at least one sample"))
}

/// Classes from `--classes`, else from the given labels; given labels must all be classes.
fn choose_classes(opts: &InitOptions, given: &[(String, String)], source: &Source) -> Result<Vec<String>> {
    let mut from_data: Vec<String> = given.iter().map(|(_, l)| l.clone()).collect();
    from_data.sort_by(|a, b| crate::natural::compare(a, b));
    from_data.dedup();
    keys::order_found(&mut from_data);
    let Some(listed) = &opts.classes else {
        if from_data.is_empty() {
            return Err(Error::user(format!(
                "{}: no classes found; name them with --classes a,b,c{}",
                source.location().display(),
                match source {
                    Source::Table(_) => " (or point --label-column at a column of labels)",
                    Source::Folder(_) => " (or use --labels-from-folders with one sub-folder per class)",
                }
            )));
        }
        return Ok(from_data);
    };
    let mut classes = Vec::new();
    for c in listed.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        if !classes.iter().any(|x: &String| x == c) {
            classes.push(c.to_string());
        }
    }
    if classes.is_empty() {
        return Err(Error::user("--classes is empty; list the classes like --classes cat,dog"));
    }
    let unknown: Vec<String> = given
        .iter()
        .filter(|(_, l)| !classes.contains(l))
        .map(|(id, l)| format!("sample \"{id}\" has \"{l}\""))
        .collect();
    if !unknown.is_empty() {
        return Err(Error::user(format!(
            "{}: labels that are not among --classes: {}; add them to --classes or leave --classes out",
            source.location().display(),
            crate::text::first_few(&unknown, 5)
        )));
    }
    Ok(classes)
}
