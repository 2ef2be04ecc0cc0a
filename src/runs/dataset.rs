//! What a run trains on: every sample of the project in source order, its current label
//! (as a class index), the split the source fixes, and the inputs for the featurizer.

use std::collections::HashMap;

use crate::data::Source;
use crate::data::SourceKind;
use crate::data::split::Split;
use crate::data::table::column_texts;
use crate::error::{Error, Result};
use crate::features::Inputs;
use crate::project::Project;

pub struct Dataset {
    pub ids: Vec<String>,
    /// The class of each sample's current label; `None` when unlabelled.
    pub given: Vec<Option<usize>>,
    /// The split the source fixes (split column, split file or split folders).
    pub fixed_split: Vec<Option<Split>>,
    pub inputs: Inputs,
    /// Current labels that name no class of the project (left out of training).
    pub unknown_labels: usize,
    /// How many label events the store held when the labels were read.
    pub label_events: u64,
    pub fingerprint: String,
}

impl Dataset {
    pub fn load(project: &Project) -> Result<Dataset> {
        if project.config.project.multi_label {
            return Err(Error::user(
                "training a multi-label project is not supported yet; baselines need one class per sample",
            ));
        }
        let source = project.source()?;
        let store = project.labels()?;
        let classes = project.config.class_names();
        let class_of: HashMap<&str, usize> = classes.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
        // The labels are read while the samples are: on a table of tens of thousands of
        // rows each is a good part of a short run.
        let (labels, samples) = std::thread::scope(|s| {
            let class_of = &class_of;
            let labels = s.spawn(move || -> Result<(u64, HashMap<String, Option<usize>>)> {
                let mut current = HashMap::new();
                store.each_current(|id, label| {
                    current.insert(id.to_string(), class_of.get(label).copied());
                })?;
                Ok((store.event_count()?, current))
            });
            let samples = read_samples(&source, &project.config.features.exclude);
            (labels.join().unwrap_or_else(|e| std::panic::resume_unwind(e)), samples)
        });
        let (label_events, current) = labels?;
        let (ids, inputs, mut fixed_split) = samples?;
        if let Some(map) = source.split_map()? {
            for (id, split) in ids.iter().zip(fixed_split.iter_mut()) {
                if let Some(s) = map.get(id) {
                    *split = Some(*s);
                }
            }
        }
        let mut unknown_labels = 0;
        let given = ids
            .iter()
            .map(|id| {
                let class = *current.get(id)?;
                unknown_labels += class.is_none() as usize;
                class
            })
            .collect();
        Ok(Dataset {
            fingerprint: project.data_fingerprint(&source)?,
            ids,
            given,
            fixed_split,
            inputs,
            unknown_labels,
            label_events,
        })
    }

    /// Keeps only the samples at `picks`, in that order.
    pub fn keep(&mut self, picks: &[usize]) -> Result<()> {
        self.inputs = self.inputs.select(picks)?;
        self.ids = picks.iter().map(|&i| self.ids[i].clone()).collect();
        self.given = picks.iter().map(|&i| self.given[i]).collect();
        self.fixed_split = picks.iter().map(|&i| self.fixed_split[i]).collect();
        Ok(())
    }

    pub fn labelled(&self) -> Vec<usize> {
        (0..self.ids.len()).filter(|&i| self.given[i].is_some()).collect()
    }
}

/// Every sample's id, its inputs and the split its table's split column fixes.
type Samples = (Vec<String>, Inputs, Vec<Option<Split>>);

fn read_samples(source: &Source, exclude: &[String]) -> Result<Samples> {
    Ok(match source {
        Source::Table(t) => {
            let (df, ids) = t.read_with_ids()?;
            let inputs = match (&t.kind, &t.text_column) {
                (SourceKind::Text, Some(text)) => Inputs::Texts(column_texts(df.column(text)?)?),
                _ => {
                    t.require_columns(exclude, |_| "kindling.toml: [features] exclude".to_string())?;
                    let names: Vec<String> = df.get_column_names().into_iter().map(|c| c.to_string()).collect();
                    let reserved = t.reserved_columns();
                    let keep: Vec<String> =
                        names.into_iter().filter(|c| !reserved.contains(c) && !exclude.contains(c)).collect();
                    Inputs::Table(df.select(keep)?)
                }
            };
            let split = t.split_values_in(&df)?.unwrap_or_else(|| vec![None; ids.len()]);
            (ids, inputs, split)
        }
        Source::Folder(f) => {
            let ids = source.ids_in_order()?;
            let paths: Vec<_> = ids.iter().map(|id| f.root.join(id)).collect();
            let inputs = Inputs::from_files(f.kind, paths)?;
            let n = ids.len();
            (ids, inputs, vec![None; n])
        }
    })
}
