//! The CPU baselines. Every model gives class probabilities (softmaxed scores where it has
//! none) and serializes with its run.
//!
//! They are our own rather than linfa's or smartcore's: TF-IDF features are sparse with tens
//! of thousands of columns, which both libraries only take as dense matrices; smartcore's
//! trees, forest, kNN and SVC and linfa's trees give no class probabilities; and linfa's SVM
//! is a kernel SMO solver, far slower than the linear dual coordinate descent a linear SVM
//! needs. Each model here is small and tested against a known answer.

pub(crate) mod boosting;
pub mod device;
mod forest;
mod kd_tree;
pub(crate) mod knn;
mod knn_tiles;
mod lbfgs;
mod linear_svm;
mod logistic;
mod majority;
mod naive_bayes;
mod nearest;
mod probabilities;
#[cfg(feature = "torch")]
mod torch;
pub mod torch_settings;
mod tree;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::Matrix;
use crate::progress::Progress;
pub use device::Device;
pub use probabilities::Probabilities;
pub use torch_settings::TorchSettings;

/// The models `--model` names, in the order lists show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    Majority,
    Logistic,
    LinearSvm,
    Knn,
    NaiveBayes,
    DecisionTree,
    RandomForest,
    /// Histogram gradient-boosted trees (softmax loss).
    GradientBoosting,
    /// Softmax regression trained by libtorch.
    Linear,
    Mlp,
    Cnn,
}

impl ModelKind {
    pub const ALL: [ModelKind; 11] = [
        ModelKind::Majority,
        ModelKind::Logistic,
        ModelKind::LinearSvm,
        ModelKind::Knn,
        ModelKind::NaiveBayes,
        ModelKind::DecisionTree,
        ModelKind::RandomForest,
        ModelKind::GradientBoosting,
        ModelKind::Linear,
        ModelKind::Mlp,
        ModelKind::Cnn,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Majority => "majority",
            ModelKind::Logistic => "logistic",
            ModelKind::LinearSvm => "linear_svm",
            ModelKind::Knn => "knn",
            ModelKind::NaiveBayes => "naive_bayes",
            ModelKind::DecisionTree => "decision_tree",
            ModelKind::RandomForest => "random_forest",
            ModelKind::GradientBoosting => "gradient_boosting",
            ModelKind::Linear => "linear",
            ModelKind::Mlp => "mlp",
            ModelKind::Cnn => "cnn",
        }
    }

    /// Whether the model takes table gaps as NaN and categories as codes (the table
    /// featurizer's native encoding) rather than imputed and one-hot.
    pub fn takes_gaps(self) -> bool {
        self == ModelKind::GradientBoosting
    }

    /// Whether the model is one of libtorch's (the `torch` feature).
    pub fn needs_torch(self) -> bool {
        matches!(self, ModelKind::Linear | ModelKind::Mlp | ModelKind::Cnn)
    }

    /// Whether this build can fit the model; if not, says how to get a build that can.
    pub fn available(self) -> Result<()> {
        if self.needs_torch() && !cfg!(feature = "torch") {
            return Err(Error::user(format!(
                "{} is a GPU model and this kindling was built without them; build with `cargo build --release --features torch` against libtorch (docs/commands.md, \"GPU models\", says how)",
                self.name()
            )));
        }
        Ok(())
    }

    pub fn parse(name: &str) -> Result<ModelKind> {
        ModelKind::ALL.into_iter().find(|k| k.name() == name).ok_or_else(|| {
            let names: Vec<&str> = ModelKind::ALL.iter().map(|k| k.name()).collect();
            Error::user(format!("unknown model '{name}'; choose one of {}", names.join(", ")))
        })
    }
}

/// A fitted model over the classes that had training samples; probabilities come back over
/// every class of the project (zero for classes it never saw).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    kind: ModelKind,
    /// Project class index of each class the model knows.
    seen: Vec<usize>,
    n_classes: usize,
    inner: Inner,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
enum Inner {
    Majority(majority::Majority),
    Logistic(logistic::Logistic),
    LinearSvm(linear_svm::LinearSvm),
    Knn(knn::Knn),
    GaussianNb(naive_bayes::Gaussian),
    MultinomialNb(naive_bayes::Multinomial),
    Tree(tree::Tree),
    Forest(forest::Forest),
    Boosting(boosting::Boosting),
    #[cfg(feature = "torch")]
    Torch(torch::TorchModel),
}

/// How to fit: the seed; for the libtorch models the device, `[torch]` settings and, for
/// augmentation on the fly, fresh versions of the training rows for each epoch; the
/// features' standardization.
#[derive(Clone, Default)]
pub struct Fit<'a> {
    pub seed: u64,
    pub device: Device,
    pub torch: TorchSettings,
    pub per_epoch: Option<&'a PerEpoch<'a>>,
    /// What the featurizer divided each column by (`Featurizer::column_scales`): Gaussian
    /// naive Bayes smooths as if fitted on the unscaled columns, as scikit-learn's
    /// `GaussianNB` is used.
    pub scales: Option<&'a [f64]>,
    /// The columns holding category codes (`Featurizer::categorical_mask`), which gradient
    /// boosting splits on as sets.
    pub categorical: Option<&'a [bool]>,
}

/// Epoch → the training rows augmented afresh (the same rows, in the same order).
pub type PerEpoch<'a> = dyn Fn(usize) -> Result<Matrix> + Sync + 'a;

/// Whether a model takes augmentation on the fly (a fresh version of each training image
/// per epoch) rather than copies made before training.
pub fn augments_per_epoch(kind: ModelKind) -> bool {
    kind == ModelKind::Cnn
}

impl Model {
    /// Fits `kind` on rows `x` with classes `y` (indices into `n_classes` project classes).
    pub fn fit(
        kind: ModelKind,
        x: &Matrix,
        y: &[usize],
        n_classes: usize,
        fit: &Fit,
        progress: &dyn Progress,
    ) -> Result<Model> {
        let seed = fit.seed;
        kind.available()?;
        if x.rows() == 0 || x.rows() != y.len() {
            return Err(Error::user("no labelled training samples; label some samples first"));
        }
        let mut seen: Vec<usize> = y.to_vec();
        seen.sort_unstable();
        seen.dedup();
        if seen.len() < 2 && kind != ModelKind::Majority {
            return Err(Error::user("the training samples have only one class; label samples of at least two classes"));
        }
        let local: Vec<usize> = y.iter().map(|c| seen.binary_search(c).expect("seen holds every class")).collect();
        let k = seen.len();
        let inner = match kind {
            ModelKind::Majority => Inner::Majority(majority::Majority::fit(&local, k)),
            ModelKind::Logistic => Inner::Logistic(logistic::Logistic::fit(x, &local, k, progress)),
            ModelKind::LinearSvm => Inner::LinearSvm(linear_svm::LinearSvm::fit(x, &local, k, seed, progress)),
            ModelKind::Knn => Inner::Knn(knn::Knn::fit(x, &local, k)),
            ModelKind::NaiveBayes if x.is_sparse() && x.is_non_negative() => {
                Inner::MultinomialNb(naive_bayes::Multinomial::fit(x, &local, k))
            }
            ModelKind::NaiveBayes => Inner::GaussianNb(naive_bayes::Gaussian::fit(x, &local, k, fit.scales)),
            ModelKind::DecisionTree => Inner::Tree(tree::Tree::fit(x, &local, k, &tree::Params::full(seed))),
            ModelKind::RandomForest => Inner::Forest(forest::Forest::fit(x, &local, k, seed, progress)),
            ModelKind::GradientBoosting => {
                Inner::Boosting(boosting::Boosting::fit(x, &local, k, fit.categorical.unwrap_or(&[]), seed, progress)?)
            }
            #[cfg(feature = "torch")]
            ModelKind::Linear | ModelKind::Mlp | ModelKind::Cnn => {
                Inner::Torch(torch::TorchModel::fit(kind, x, &local, k, fit, progress)?)
            }
            #[cfg(not(feature = "torch"))]
            ModelKind::Linear | ModelKind::Mlp | ModelKind::Cnn => unreachable!("available() refused it"),
        };
        Ok(Model { kind, seen, n_classes, inner })
    }

    pub fn kind(&self) -> ModelKind {
        self.kind
    }

    /// A short description of what was fitted (e.g. which naive Bayes).
    pub fn describe(&self) -> &'static str {
        match self.inner {
            Inner::GaussianNb(_) => "Gaussian naive Bayes",
            Inner::MultinomialNb(_) => "multinomial naive Bayes",
            _ => self.kind.name(),
        }
    }

    /// Where a libtorch model was trained; `None` for the CPU baselines.
    pub fn device(&self) -> Option<String> {
        match &self.inner {
            #[cfg(feature = "torch")]
            Inner::Torch(m) => Some(m.device.clone()),
            _ => None,
        }
    }

    /// Class probabilities of every row of `x`, over all project classes.
    pub fn predict_proba(&self, x: &Matrix) -> Result<Probabilities> {
        let local = match &self.inner {
            Inner::Majority(m) => m.predict_proba(x),
            Inner::Logistic(m) => m.predict_proba(x),
            Inner::LinearSvm(m) => m.predict_proba(x),
            Inner::Knn(m) => m.predict_proba(x),
            Inner::GaussianNb(m) => m.predict_proba(x),
            Inner::MultinomialNb(m) => m.predict_proba(x),
            Inner::Tree(m) => m.predict_proba(x),
            Inner::Forest(m) => m.predict_proba(x),
            Inner::Boosting(m) => m.predict_proba(x),
            #[cfg(feature = "torch")]
            Inner::Torch(m) => m.predict_proba(x)?,
        };
        Ok(local.widen(&self.seen, self.n_classes))
    }

    /// `predict_proba` of `x` whose rows `fitted[i]` are the model's training row `i` (the
    /// rows it was fitted on, in order): kNN then compares the training rows once a pair.
    pub fn predict_proba_fitted(&self, x: &Matrix, fitted: &[usize]) -> Result<Probabilities> {
        match &self.inner {
            Inner::Knn(m) => Ok(m.predict_proba_fitted(x, fitted).widen(&self.seen, self.n_classes)),
            _ => self.predict_proba(x),
        }
    }
}

#[cfg(test)]
pub(crate) mod test_data;
