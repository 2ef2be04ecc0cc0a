//! The `kindling` command: parses arguments and calls the library.

mod cli;
mod tui;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "kindling",
    version,
    about = "A terminal workbench for machine learning from scratch",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    open: OpenArgs,
}

#[derive(Args)]
struct OpenArgs {
    /// The project to open in the workbench (default: the current folder, if it is one)
    dir: Option<PathBuf>,
    /// How to draw images: detected from the terminal by default
    #[arg(long, value_enum, default_value = "auto")]
    graphics: tui::Graphics,
    /// The terminal's background, for readable colours (default: [ui] theme in the user
    /// config, else COLORFGBG, else dark)
    #[arg(long, value_enum)]
    theme: Option<tui::Background>,
}

#[derive(Subcommand)]
enum Command {
    /// Open the workbench on a project (the same as `kindling DIR`)
    Open(OpenArgs),
    /// Create a project (kindling.toml, labels.db) from a table or a folder of samples
    Init(InitArgs),
    /// Show what a project holds: samples, classes, labels, split, dataset version
    Info {
        dir: PathBuf,
        /// Print one JSON object
        #[arg(long)]
        json: bool,
    },
    /// List a window of samples with their labels (for tables, only that window is read)
    Samples {
        dir: PathBuf,
        /// First sample to show (0-based)
        #[arg(long, default_value_t = 0)]
        offset: usize,
        /// How many samples to show
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Only samples without a label
        #[arg(long, conflicts_with_all = ["labelled", "class"])]
        unlabelled: bool,
        /// Only labelled samples
        #[arg(long, conflicts_with = "class")]
        labelled: bool,
        /// Only samples labelled with this class
        #[arg(long, value_name = "CLASS")]
        class: Option<String>,
        /// Only samples of this fixed split: train, valid or test
        #[arg(long, value_name = "SPLIT")]
        split: Option<String>,
        /// Only rows the expression keeps, as the Browse filter: `height > 3 and colour == "red"`
        #[arg(long, value_name = "EXPR")]
        filter: Option<String>,
        /// Print one JSON object
        #[arg(long)]
        json: bool,
    },
    /// List the classes (key, colour, labels), or add, rename, merge, remove or re-key one
    #[command(args_conflicts_with_subcommands = true)]
    Classes {
        #[command(subcommand)]
        command: Option<ClassesCommand>,
        /// The project whose classes to list
        dir: Option<PathBuf>,
        /// Print a JSON array of {name, key, colour, labels}
        #[arg(long)]
        json: bool,
    },
    /// Set, clear, export, import and count labels
    Labels {
        #[command(subcommand)]
        command: LabelsCommand,
    },
    /// How consistent your labels are: self-agreement on echoes (samples asked again blind), gold
    /// accuracy, the classes you answer differently the second time, a drop in agreement, your pace
    Qa {
        dir: PathBuf,
        /// Print one JSON object
        #[arg(long)]
        json: bool,
        /// Write every answer to a re-ask instead (CSV: id, the label or known answer, the answer,
        /// origin echo|gold, time_ms), to -o or stdout
        #[arg(long, conflicts_with = "json")]
        answers: bool,
        /// The file --answers writes
        #[arg(short, long, requires = "answers")]
        output: Option<PathBuf>,
    },
    /// Refit the live model on the current labels once and print its cross-validated score
    Live {
        dir: PathBuf,
        /// Print the refit as one JSON object
        #[arg(long)]
        json: bool,
    },
    /// The next samples to label, with the live model's suggestion (refitted first if labels changed)
    Queue {
        dir: PathBuf,
        /// auto (the least sure of every cluster of the samples still to label), least_confident, margin,
        /// entropy, diverse (uncertain, near-duplicates later), random, unlabelled, served (imported served
        /// inputs, least sure first), held_out (the valid and test samples, at random), review (echoes answered
        /// differently, gold answered wrong, suspected label errors: most evidence first)
        #[arg(long, default_value = "auto")]
        order: String,
        /// How many samples
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Print a JSON array of {id, class, probability, runner_up}
        #[arg(long)]
        json: bool,
    },
    /// Compute the vectors of every sample with a featurizer or an encoder and cache them (reused by
    /// similar, the live model and the diverse order)
    Embed {
        dir: PathBuf,
        #[command(flatten)]
        vectors: VectorsArgs,
        /// Also write the vectors to this CSV file (id, v0, v1, …)
        #[arg(short, long)]
        out: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// The samples most like one sample (cosine of their vectors), with their labels
    Similar {
        dir: PathBuf,
        /// The sample to compare with; several for a search each (the data looked at once for
        /// all), `-` for the ids on standard input, one a line
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
        /// How many neighbours
        #[arg(short, default_value_t = 10)]
        k: usize,
        #[command(flatten)]
        vectors: VectorsArgs,
        /// Print a JSON array of {id, similarity, label}; for several ids, an array of {id,
        /// neighbours}
        #[arg(long)]
        json: bool,
    },
    /// Group the samples by their vectors (k-means): each cluster's size, label make-up and
    /// most central samples
    Clusters {
        dir: PathBuf,
        /// How many clusters (default: as many as classes)
        #[arg(short)]
        k: Option<usize>,
        #[command(flatten)]
        vectors: VectorsArgs,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Print a JSON array of {size, labels, central}
        #[arg(long)]
        json: bool,
    },
    /// The 2-D map of the samples' vectors: id,x,y,label as CSV, --json, or a --png picture
    /// coloured by label
    Map {
        dir: PathBuf,
        /// tsne or umap (neighbours stay neighbours), pca (fast at any size), or auto: tsne
        /// up to 50,000 samples, umap above
        #[arg(long, default_value = "auto")]
        method: String,
        #[command(flatten)]
        vectors: VectorsArgs,
        /// Draw the map to this PNG file
        #[arg(long, value_name = "FILE")]
        png: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Grade the data: C accessible, B faithful, A appropriate for the task
    Report {
        dir: PathBuf,
        /// Print one JSON object: {"band": ..., "findings": [...]}
        #[arg(long)]
        json: bool,
        /// Also write the report as Markdown to this file
        #[arg(long)]
        md: Option<PathBuf>,
    },
    /// Preview augmented versions of one sample as files (png, txt, wav or csv), or turn
    /// augmentations on and off in kindling.toml
    Augment(AugmentArgs),
    /// Train a baseline on the labelled samples and record it as a run in runs/<id>/
    Train(TrainArgs),
    /// List the runs of a project
    Runs {
        dir: PathBuf,
        /// The leaderboard of this sweep instead
        #[arg(long, value_name = "ID")]
        sweep: Option<String>,
        /// Print one JSON array
        #[arg(long)]
        json: bool,
    },
    /// Train every CPU baseline × featurizer with K-fold cross-validation, as runs, and
    /// print the leaderboard
    Sweep {
        dir: PathBuf,
        /// all, or model names (comma-separated)
        #[arg(long, value_delimiter = ',', default_value = "all")]
        models: Vec<String>,
        /// auto (the kind's default), all, or featurizer names (comma-separated)
        #[arg(long, value_delimiter = ',', default_value = "auto")]
        features: Vec<String>,
        #[arg(long, default_value_t = 5)]
        folds: usize,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Start no run after this long: 90s, 10m, 1h
        #[arg(long)]
        budget: Option<String>,
        /// A pre-trained encoder for the `encoder` features (a known name or a snapshot folder);
        /// given alone, every model is swept on its vectors
        #[arg(long, value_name = "NAME|DIR")]
        encoder: Option<String>,
        /// Print the sweep as one JSON object
        #[arg(long)]
        json: bool,
    },
    /// Print a run's metrics and confusion matrix
    Show {
        dir: PathBuf,
        /// A run id, a unique prefix of one, or `latest`
        #[arg(default_value = "latest")]
        run: String,
        /// List suspected label errors instead (confident learning; needs a run with --folds)
        #[arg(long)]
        label_issues: bool,
        /// Print JSON
        #[arg(long)]
        json: bool,
        /// Also write the confusion matrix as a PNG picture to FILE
        #[arg(long, value_name = "FILE", conflicts_with = "label_issues")]
        png: Option<PathBuf>,
        /// Write the run's report to FILE.html (self-contained) or FILE.md
        #[arg(long, value_name = "FILE", conflicts_with_all = ["label_issues", "json", "png"])]
        report: Option<PathBuf>,
    },
    /// Apply a finished run to new data of the same kind; writes id, predicted, prob_<class>
    Predict {
        dir: PathBuf,
        /// A run id, a unique prefix of one, or `latest`
        #[arg(long, default_value = "latest")]
        run: String,
        /// A table file, a folder of images / texts / clips, or one such file
        input: PathBuf,
        /// Where to write (.csv or .parquet); CSV on stdout without it
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Write every feature's drift against the training data here (JSON)
        #[arg(long, value_name = "FILE.json")]
        drift_report: Option<PathBuf>,
    },
    /// Score a detector's boxes against a detection project's: mAP@0.5, mAP@[.5:.95], AP per
    /// class, a confusion matrix with background, and TIDE's kinds of error
    Evaluate {
        dir: PathBuf,
        /// A JSON list of found boxes: image (or image_id), class (or category_id), bbox
        /// [x, y, w, h] in pixels, score — COCO's results format
        found: PathBuf,
        /// The confusion matrix and the errors count boxes scored at least this
        #[arg(long, default_value_t = 0.25)]
        min_score: f64,
        #[arg(long)]
        json: bool,
    },
    /// Serve a finished run over HTTP: POST /predict, GET /info, /metrics, /health
    Serve {
        dir: PathBuf,
        /// A run id, a unique prefix of one, or `latest`
        #[arg(long, default_value = "latest")]
        run: String,
        /// Where to listen; 0.0.0.0 opens it to the network
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// 0 picks a free port (printed on standard error)
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Threads answering requests
        #[arg(long, default_value_t = 2)]
        workers: usize,
        /// Require `Authorization: Bearer TOKEN` on every route but /health (or set KINDLING_TOKEN)
        #[arg(long)]
        token: Option<String>,
        /// Bytes a request body may hold
        #[arg(long, default_value_t = 16 << 20)]
        max_body: usize,
        /// Seconds a prediction may take before the request is refused
        #[arg(long, default_value_t = 30.0)]
        timeout: f64,
        /// Append every answered input and its prediction to DIR/served/ (see `kindling served`)
        #[arg(long)]
        log: bool,
        /// Items (rows, texts, images, clips) one request may hold
        #[arg(long, default_value_t = kindling::serve::MAX_BATCH)]
        max_batch: usize,
    },
    /// What `serve --log` answered: a summary, or `--import` to label those inputs
    Served {
        dir: PathBuf,
        /// Add the logged inputs to the project as unlabelled samples (the Label pane's
        /// `served` order asks about the least sure first)
        #[arg(long)]
        import: bool,
        #[arg(long)]
        json: bool,
    },
    /// The pre-trained encoders Kindling knows by name: what they take, their size, licence, and
    /// whether they are on disk (a known one is fetched on first use)
    Encoders {
        #[arg(long)]
        json: bool,
    },
    /// Print a shell completion script: `kindling completions bash > /etc/bash_completion.d/kindling`
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `kindling man | man -l -`
    Man,
    /// Generate the demo projects (images, table, texts, audio) and open the image one
    Demo {
        /// Where to put them
        #[arg(default_value = "kindling-demo")]
        dir: PathBuf,
        /// Print what was generated instead of opening the workbench
        #[arg(long)]
        no_open: bool,
        #[arg(long, value_enum, default_value = "auto")]
        graphics: tui::Graphics,
    },
}

/// What makes the vectors of `embed`, `similar`, `clusters` and `map`.
#[derive(Args)]
struct VectorsArgs {
    /// auto (the kind's default) or a featurizer name
    #[arg(long, default_value = "auto")]
    features: String,
    /// Embed with a pre-trained encoder: a known name (`kindling encoders`), a Hugging Face snapshot folder, or a TorchScript file (torch feature)
    #[arg(long, value_name = "NAME|DIR|PATH.pt", conflicts_with = "features")]
    encoder: Option<PathBuf>,
}

impl VectorsArgs {
    fn by(&self) -> cli::embed::VectorsBy<'_> {
        cli::embed::VectorsBy { features: &self.features, encoder: self.encoder.as_deref() }
    }
}

#[derive(Args)]
struct TrainArgs {
    dir: PathBuf,
    /// The baseline to fit; `detector` in a detection project (boxes)
    #[arg(long, value_parser = model_choice())]
    model: ModelChoice,
    /// auto, or: table (tables), tfidf (texts), pixels / hog (images), logmel / mfcc (audio)
    #[arg(long, default_value = "auto")]
    features: String,
    /// Seed of the split, the folds and the models that draw at random
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Add stratified K-fold cross-validation; labelled samples get out-of-fold predictions
    #[arg(long)]
    folds: Option<usize>,
    /// Share of each class held out for testing when the source fixes no split
    #[arg(long, default_value_t = 0.2)]
    test_share: f64,
    /// Leave out the augmentations of kindling.toml's [augment]
    #[arg(long)]
    no_augment: bool,
    /// Featurize with a pre-trained encoder: a known name (`kindling encoders`), a Hugging Face snapshot folder, or a TorchScript file (torch feature)
    #[arg(long, value_name = "NAME|DIR|PATH.pt")]
    encoder: Option<PathBuf>,
    /// Where the GPU models (linear, mlp, cnn) train: auto (CUDA when there is a GPU), cpu, cuda
    #[arg(long, default_value = "auto", value_parser = device())]
    device: kindling::models::Device,
    /// Print one JSON object: {"run": ID, "metrics": {...}}
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct InitArgs {
    /// The project folder to create (it may already hold the data)
    dir: PathBuf,
    /// A table file (CSV, TSV, Parquet, NDJSON) or a folder of images, .txt or .wav files
    #[arg(long)]
    source: PathBuf,
    /// What the samples are; inferred from the source when left out
    #[arg(long, value_enum)]
    kind: Option<KindArg>,
    /// Table column holding existing labels (imported as label events)
    #[arg(long)]
    label_column: Option<String>,
    /// Table column holding the text of each sample (makes a text project)
    #[arg(long)]
    text_column: Option<String>,
    /// Table column holding unique sample ids (default: the row number)
    #[arg(long)]
    id_column: Option<String>,
    /// Table column with train / valid / test per row (a column named "split" is used by default)
    #[arg(long)]
    split_column: Option<String>,
    /// CSV file of `id,split` that fixes the split of every sample
    #[arg(long)]
    split_file: Option<PathBuf>,
    /// The classes, comma-separated, in key order (keys 1-9, 0, then letters)
    #[arg(long, value_delimiter = ',')]
    classes: Option<Vec<String>>,
    /// Class sub-folders hold the labels (folder sources)
    #[arg(long)]
    labels_from_folders: bool,
    /// Samples may have several classes at once (the Label pane's keys toggle, Enter commits)
    #[arg(long)]
    multi_label: bool,
    /// What is labelled: a class per sample (classify), or boxes around objects in images
    /// (detect; name the object classes with --classes)
    #[arg(long, value_enum, default_value = "classify")]
    task: TaskArg,
    /// Table columns to leave out of the features (one that gives the label away, an id);
    /// comma-separated or repeated. Kept as `[features] exclude` in kindling.toml
    #[arg(long, value_delimiter = ',')]
    exclude: Vec<String>,
    /// A pre-trained encoder for the features: a known name (`kindling encoders`) or a
    /// Hugging Face snapshot folder. Kept as `[features] encoder` in kindling.toml
    #[arg(long)]
    encoder: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum TaskArg {
    Classify,
    Detect,
}

#[derive(Clone, Copy, ValueEnum)]
enum KindArg {
    Table,
    Images,
    Text,
    Audio,
}

#[derive(Subcommand)]
enum LabelsCommand {
    /// Label one sample
    Set { dir: PathBuf, id: String, class: String },
    /// Remove one sample's label
    Clear { dir: PathBuf, id: String },
    /// Write the current labels (columns id,label) to a file or stdout; a detection project's
    /// boxes as YOLO txt (a folder), COCO JSON (a file) or Pascal VOC XML (a folder)
    Export {
        dir: PathBuf,
        /// File format; by default taken from -o's extension, else csv (yolo, coco or voc for
        /// boxes)
        #[arg(long, value_enum)]
        format: Option<FormatArg>,
        /// Output file, or folder for yolo and voc (default: stdout)
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Apply a CSV, JSONL or Parquet file with columns id,label: all rows or none. In a
    /// detection project, box files (YOLO folder, COCO JSON, VOC folder): each image they
    /// name gets exactly their boxes
    Import {
        dir: PathBuf,
        file: PathBuf,
        /// The box format (detection projects); by default told by the files
        #[arg(long, value_enum)]
        format: Option<FormatArg>,
    },
    /// Take back the latest label event or class change (a change as a whole), from any session
    Undo { dir: PathBuf },
    /// Set aside gold samples (known answers, asked blind at `[qa] gold` and scored): a CSV, JSONL or
    /// Parquet file with columns id,label, or N of the current labels
    Gold {
        dir: PathBuf,
        /// The file of known answers
        #[arg(required_unless_present = "from_labels", conflicts_with = "from_labels")]
        file: Option<PathBuf>,
        /// Take N of the current labels (at random) as gold
        #[arg(long, value_name = "N")]
        from_labels: Option<usize>,
    },
    /// Count labels per class and label events per origin
    Stats {
        dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
struct AugmentArgs {
    dir: PathBuf,
    /// The sample to augment (its id, as `kindling samples` lists it)
    #[arg(long, value_name = "ID", requires = "output")]
    preview: Option<String>,
    /// For the preview: these transforms (comma-separated) instead of those turned on
    #[arg(long, value_delimiter = ',', value_name = "NAMES", conflicts_with = "all")]
    transforms: Vec<String>,
    /// For the preview: every transform of the project's kind of data
    #[arg(long)]
    all: bool,
    /// Turn a transform on in kindling.toml (repeatable)
    #[arg(long, value_name = "NAME")]
    on: Vec<String>,
    /// Turn a transform off in kindling.toml, keeping its numbers (repeatable)
    #[arg(long, value_name = "NAME")]
    off: Vec<String>,
    /// Set a number in kindling.toml: NAME.PARAM=VALUE, e.g. rotate.degrees=15 or rotate.p=0.3
    #[arg(long, value_name = "NAME.PARAM=VALUE")]
    set: Vec<String>,
    /// How many versions; the project's `copies` when left out
    #[arg(long)]
    copies: Option<usize>,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// The folder to write the preview to
    #[arg(short, long, value_name = "OUTDIR")]
    output: Option<PathBuf>,
}

#[derive(Subcommand)]
enum ClassesCommand {
    /// Add a class (its key: the next free one unless given)
    Add {
        dir: PathBuf,
        name: String,
        #[arg(long)]
        key: Option<String>,
        /// A colour name (red, lightblue, …) or #rrggbb
        #[arg(long)]
        colour: Option<String>,
    },
    /// Rename a class; its labels follow (as label events, undone together)
    Rename { dir: PathBuf, old: String, new: String },
    /// Merge classes into the last one named; their labels move to it
    Merge {
        dir: PathBuf,
        /// FROM… INTO
        #[arg(num_args = 2.., required = true, value_name = "CLASS")]
        classes: Vec<String>,
    },
    /// Remove a class (refused while labels use it, unless --clear-labels)
    Remove {
        dir: PathBuf,
        name: String,
        /// Clear the labels of the class (as label events; `labels undo` brings them back)
        #[arg(long)]
        clear_labels: bool,
    },
    /// Give a class another key in the Label pane
    Key { dir: PathBuf, name: String, key: String },
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Csv,
    Parquet,
    Jsonl,
    Yolo,
    Coco,
    Voc,
}

fn main() {
    cli::install_panic_hook();
    let cli = Cli::parse();
    let Some(command) = cli.command else {
        let dir = match cli.open.dir {
            Some(dir) => dir,
            None if std::path::Path::new(kindling::project::config::CONFIG_FILE).is_file() => PathBuf::from("."),
            None => {
                let _ = <Cli as clap::CommandFactory>::command().print_help();
                std::process::exit(2);
            }
        };
        if let Err(e) = tui::run(&dir, cli.open.graphics, cli.open.theme) {
            cli::output::fail(&e);
        }
        return;
    };
    if let Some((dir, what)) = classify_only(&command)
        && let Ok(config) = kindling::project::config::Config::load(dir)
        && let Err(e) = config.require_classify(what)
    {
        cli::output::fail(&e);
    }
    let result = match command {
        Command::Open(open) => {
            let dir = open.dir.unwrap_or_else(|| PathBuf::from("."));
            tui::run(&dir, open.graphics, open.theme)
        }
        Command::Init(a) => cli::init::run(a.into_options()),
        Command::Info { dir, json } => cli::info::run(&dir, json),
        Command::Samples { dir, offset, limit, unlabelled, labelled, class, split, filter, json } => {
            let which = cli::samples::Which { unlabelled, labelled, class, split, filter };
            cli::samples::run(&dir, &which, offset, limit, json)
        }
        Command::Classes { command: None, dir, json } => cli::classes::list(dir.as_deref(), json),
        Command::Classes { command: Some(command), .. } => {
            use kindling::workflow::classes::ClassChange;
            let (dir, change) = match command {
                ClassesCommand::Add { dir, name, key, colour } => (dir, ClassChange::Add { name, key, colour }),
                ClassesCommand::Rename { dir, old, new } => (dir, ClassChange::Rename { from: old, to: new }),
                ClassesCommand::Merge { dir, mut classes } => {
                    let into = classes.pop().unwrap_or_default();
                    (dir, ClassChange::Merge { from: classes, into })
                }
                ClassesCommand::Remove { dir, name, clear_labels } => (dir, ClassChange::Remove { name, clear_labels }),
                ClassesCommand::Key { dir, name, key } => (dir, ClassChange::Key { name, key }),
            };
            cli::classes::change(&dir, change)
        }
        Command::Labels { command } => match command {
            LabelsCommand::Set { dir, id, class } => cli::labels::set(&dir, &id, Some(&class)),
            LabelsCommand::Clear { dir, id } => cli::labels::set(&dir, &id, None),
            LabelsCommand::Export { dir, format, output } => {
                cli::labels::export(&dir, format.map(FormatArg::into_format), output.as_deref())
            }
            LabelsCommand::Import { dir, file, format } => {
                cli::labels::import(&dir, &file, format.map(FormatArg::into_format))
            }
            LabelsCommand::Stats { dir, json } => cli::labels::stats(&dir, json),
            LabelsCommand::Gold { dir, file, from_labels } => cli::qa::gold(&dir, file.as_deref(), from_labels),
            LabelsCommand::Undo { dir } => cli::classes::undo(&dir),
        },
        Command::Live { dir, json } => cli::live::refit(&dir, json),
        Command::Queue { dir, order, limit, json } => cli::live::queue(&dir, &order, limit, json),
        Command::Qa { dir, json, answers: false, .. } => cli::qa::report(&dir, json),
        Command::Qa { dir, answers: true, output, .. } => cli::qa::answers(&dir, output.as_deref()),
        Command::Encoders { json } => cli::encoders::list(json),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut command, "kindling", &mut out);
            cli::output::print_bytes(&out);
            Ok(())
        }
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
                .render(&mut out)
                .map_err(|e| kindling::Error::internal(e.to_string()))
                .map(|()| cli::output::print_bytes(&out))
        }
        Command::Embed { dir, vectors, out, json } => cli::embed::embed(&dir, &vectors.by(), out.as_deref(), json),
        Command::Similar { dir, ids, k, vectors, json } => cli::embed::similar(&dir, &ids, k, &vectors.by(), json),
        Command::Clusters { dir, k, vectors, seed, json } => cli::embed::clusters(&dir, k, &vectors.by(), seed, json),
        Command::Map { dir, method, vectors, png, json } => {
            cli::embed::map(&dir, &method, &vectors.by(), png.as_deref(), json)
        }
        Command::Report { dir, json, md } => cli::report::run(&dir, json, md.as_deref()),
        Command::Train(a) if a.model == ModelChoice::Detector => {
            let options = kindling::runs::detector::DetectorOptions {
                encoder: a.encoder.as_ref().map(|e| e.to_string_lossy().into_owned()),
                seed: a.seed,
                test_share: a.test_share,
                augment: !a.no_augment,
            };
            cli::detector::train(&a.dir, &options, a.json)
        }
        Command::Train(a) => cli::runs::train(&a.dir, &a.options(), a.json),
        Command::Augment(a) => {
            let edit = cli::augment::Edit { on: a.on, off: a.off, set: a.set };
            let choice = cli::augment::Choice { transforms: a.transforms, all: a.all };
            cli::augment::run(&a.dir, &edit, a.preview.as_deref(), &choice, a.copies, a.seed, a.output.as_deref())
        }
        Command::Runs { dir, sweep: Some(id), json } => cli::sweep::leaderboard(&dir, &id, json),
        Command::Runs { dir, sweep: None, json } => cli::runs::list(&dir, json),
        Command::Sweep { dir, models, features, folds, seed, budget, encoder, json } => {
            let budget = budget.as_deref().map(cli::sweep::parse_budget).transpose();
            budget.and_then(|budget| {
                let options = kindling::runs::sweep::SweepOptions { models, features, folds, seed, budget, encoder };
                cli::sweep::run(&dir, &options, json)
            })
        }
        Command::Show { dir, run, report: Some(path), .. } => cli::runs::report(&dir, &run, &path),
        Command::Show { dir, run, label_issues: false, json, png, .. } => {
            cli::runs::show(&dir, &run, json, png.as_deref())
        }
        Command::Show { dir, run, label_issues: true, json, .. } => cli::runs::label_issues(&dir, &run, json),
        Command::Predict { dir, run, input, output, drift_report } => {
            cli::runs::predict(&dir, &run, &input, output.as_deref(), drift_report.as_deref())
        }
        Command::Demo { dir, no_open, graphics } => cli::demo::run(&dir, no_open, graphics),
        Command::Evaluate { dir, found, min_score, json } => cli::evaluate::run(&dir, &found, min_score, json),
        Command::Served { dir, import, json } => cli::serve::served(&dir, import, json),
        Command::Serve { dir, run, host, port, workers, token, max_body, timeout, log, max_batch } => {
            let timeout = std::time::Duration::from_secs_f64(timeout.clamp(0.001, 86_400.0));
            let token = token.or_else(|| std::env::var("KINDLING_TOKEN").ok()).filter(|t| !t.is_empty());
            let limit = max_body;
            let options = cli::serve::ServeOptions { run, host, port, workers, token, limit, timeout, log, max_batch };
            cli::serve::run(&dir, options)
        }
    };
    if let Err(e) = result {
        cli::output::fail(&e);
    }
}

/// The project and name of a command that works on a class per sample, which a detection
/// project (boxes) refuses with its reason rather than misbehave.
fn classify_only(command: &Command) -> Option<(&std::path::Path, &'static str)> {
    Some(match command {
        Command::Labels { command } => match command {
            LabelsCommand::Set { dir, .. } => (dir, "`kindling labels set`"),
            LabelsCommand::Clear { dir, .. } => (dir, "`kindling labels clear`"),
            LabelsCommand::Stats { dir, .. } => (dir, "`kindling labels stats`"),
            LabelsCommand::Gold { dir, .. } => (dir, "`kindling labels gold`"),
            _ => return None,
        },
        Command::Classes {
            command:
                Some(
                    ClassesCommand::Rename { dir, .. }
                    | ClassesCommand::Merge { dir, .. }
                    | ClassesCommand::Remove { dir, .. },
                ),
            ..
        } => (dir, "changing classes (their boxes would keep the old names)"),
        Command::Live { dir, .. } => (dir, "`kindling live`"),
        Command::Queue { dir, .. } => (dir, "`kindling queue`"),
        Command::Qa { dir, .. } => (dir, "`kindling qa`"),
        Command::Train(a) if a.model != ModelChoice::Detector => {
            (&a.dir, "`kindling train` with a classifier (train `--model detector` for boxes)")
        }
        Command::Sweep { dir, .. } => (dir, "`kindling sweep`"),
        Command::Show { dir, label_issues: true, .. } => (dir, "`kindling show --label-issues`"),
        _ => return None,
    })
}

/// `--device`: auto, cpu or cuda.
fn device() -> impl clap::builder::TypedValueParser<Value = kindling::models::Device> {
    use clap::builder::TypedValueParser;
    let names = kindling::models::Device::ALL.map(|d| d.name());
    clap::builder::PossibleValuesParser::new(names)
        .try_map(|name| kindling::models::Device::parse(&name).map_err(|e| e.message().to_string()))
}

/// What `kindling train --model` fits: a classifier, or a detector of boxes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum ModelChoice {
    Classifier(kindling::models::ModelKind),
    Detector,
}

/// `--model`: the names `ModelKind` knows and `detector`, listed in help and errors.
fn model_choice() -> impl clap::builder::TypedValueParser<Value = ModelChoice> {
    use clap::builder::TypedValueParser;
    let mut names: Vec<&'static str> = kindling::models::ModelKind::ALL.map(|k| k.name()).to_vec();
    names.push(kindling::runs::detector::MODEL_NAME);
    clap::builder::PossibleValuesParser::new(names).try_map(|name| {
        if name == kindling::runs::detector::MODEL_NAME {
            return Ok(ModelChoice::Detector);
        }
        kindling::models::ModelKind::parse(&name).map(ModelChoice::Classifier).map_err(|e| e.message().to_string())
    })
}

impl TrainArgs {
    fn options(&self) -> kindling::runs::train::TrainOptions {
        kindling::runs::train::TrainOptions {
            model: match self.model {
                ModelChoice::Classifier(kind) => kind,
                ModelChoice::Detector => kindling::models::ModelKind::Logistic,
            },
            features: self.features.clone(),
            seed: self.seed,
            folds: self.folds,
            test_share: self.test_share,
            augment: !self.no_augment,
            device: self.device,
            encoder: self.encoder.clone(),
            sweep: None,
        }
    }
}

impl InitArgs {
    fn into_options(self) -> kindling::project::init::InitOptions {
        use kindling::data::SourceKind;
        kindling::project::init::InitOptions {
            dir: self.dir,
            source: self.source,
            kind: self.kind.map(|k| match k {
                KindArg::Table => SourceKind::Table,
                KindArg::Images => SourceKind::Images,
                KindArg::Text => SourceKind::Text,
                KindArg::Audio => SourceKind::Audio,
            }),
            label_column: self.label_column,
            text_column: self.text_column,
            id_column: self.id_column,
            split_column: self.split_column,
            split_file: self.split_file,
            classes: self.classes,
            labels_from_folders: self.labels_from_folders,
            multi_label: self.multi_label,
            task: match self.task {
                TaskArg::Classify => kindling::project::config::TaskKind::Classify,
                TaskArg::Detect => kindling::project::config::TaskKind::Detect,
            },
            exclude: self.exclude,
            encoder: self.encoder,
        }
    }
}

impl FormatArg {
    fn into_format(self) -> cli::labels::Format {
        use cli::labels::Format;
        use kindling::labels::box_files::BoxFormat;
        use kindling::labels::files::LabelFormat;
        match self {
            FormatArg::Csv => Format::Labels(LabelFormat::Csv),
            FormatArg::Parquet => Format::Labels(LabelFormat::Parquet),
            FormatArg::Jsonl => Format::Labels(LabelFormat::Jsonl),
            FormatArg::Yolo => Format::Boxes(BoxFormat::Yolo),
            FormatArg::Coco => Format::Boxes(BoxFormat::Coco),
            FormatArg::Voc => Format::Boxes(BoxFormat::Voc),
        }
    }
}
