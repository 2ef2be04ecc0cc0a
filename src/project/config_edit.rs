//! Rewriting the class list of kindling.toml in place: the user's comments, layout and
//! other sections stay as they were; a class keeps its table (and the comments above it)
//! through a rename or a new key.

use std::path::Path;

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

use super::config::{CONFIG_FILE, ClassConfig};
use crate::error::{Error, Result, ResultExt, toml_error};

/// Writes `classes` as the project's class list. `renamed` maps an old name to its new one,
/// so that the renamed class keeps its table.
pub fn write_classes(project_dir: &Path, classes: &[ClassConfig], renamed: &[(String, String)]) -> Result<()> {
    let path = project_dir.join(CONFIG_FILE);
    let text = std::fs::read_to_string(&path).context(path.display())?;
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        let line = e.span().map(|s| text[..s.start.min(text.len())].lines().count().max(1)).unwrap_or(1);
        Error::file(&path, format!("line {line}: {}; fix the file by hand", e.message().trim_end_matches('.')))
    })?;
    set_classes(&mut doc, classes, renamed);
    let new = doc.to_string();
    // What is written must read back as the same classes (a safety net for odd layouts).
    let read: super::config::Config = toml::from_str(&new).map_err(|e| toml_error(&new, &e).context(path.display()))?;
    if read.classes != classes {
        return Err(Error::internal(format!("{}: the class list could not be rewritten in place", path.display())));
    }
    crate::atomic::write_whole(&path, new.as_bytes())
}

fn set_classes(doc: &mut DocumentMut, classes: &[ClassConfig], renamed: &[(String, String)]) {
    // Tables are drawn in the order of their positions: spread them out, so that the class
    // tables fit in order where the first of them was.
    let mut last = 0;
    for (_, item) in doc.as_table_mut().iter_mut() {
        let tables: Vec<&mut Table> = match item {
            Item::Table(t) => vec![t],
            Item::ArrayOfTables(a) => a.iter_mut().collect(),
            _ => Vec::new(),
        };
        for t in tables {
            let at = t.position().map(|p| p * GAP);
            t.set_position(at);
            last = last.max(at.unwrap_or(0));
        }
    }
    let mut old: Vec<Table> = match doc.remove("classes") {
        Some(Item::ArrayOfTables(a)) => a.into_iter().collect(),
        // An inline `classes = [{ … }]` is turned into tables.
        Some(Item::Value(toml_edit::Value::Array(a))) => {
            a.iter().filter_map(|v| v.as_inline_table()).map(|t| t.clone().into_table()).collect()
        }
        _ => Vec::new(),
    };
    let name_of = |t: &Table| {
        let name = t.get("name").and_then(|n| n.as_str()).unwrap_or_default().to_string();
        renamed.iter().find(|(from, _)| *from == name).map(|(_, to)| to.clone()).unwrap_or(name)
    };
    let first = old.iter().filter_map(Table::position).min().unwrap_or(last + GAP);
    let mut tables = ArrayOfTables::new();
    for (i, class) in classes.iter().enumerate() {
        let mut table = match old.iter().position(|t| name_of(t) == class.name) {
            Some(i) => old.remove(i),
            None => Table::new(),
        };
        set(&mut table, "name", &class.name);
        set(&mut table, "key", &class.key);
        set(&mut table, "colour", &class.colour);
        table.set_position(Some(first + i as isize));
        tables.push(table);
    }
    doc.insert("classes", Item::ArrayOfTables(tables));
}

/// Room between two tables of the file for the class tables.
const GAP: isize = 100_000;

/// Sets `key` unless it already holds `text` (so its formatting and comment stay).
fn set(table: &mut Table, key: &str, text: &str) {
    if table.get(key).and_then(|v| v.as_str()) != Some(text) {
        let decor = table.get(key).and_then(|v| v.as_value()).map(|v| v.decor().clone());
        let mut new = value(text);
        if let (Some(decor), Some(v)) = (decor, new.as_value_mut()) {
            *v.decor_mut() = decor;
        }
        table.insert(key, new);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"# Kindling project. My notes: pets, from the shelter's photos.

[project]
name = "pets"

[source]
kind = "images"
path = "images"   # the shelter's export

# cats first: most of the photos
[[classes]]
name = "cat"
key = "1"
colour = "red"

[[classes]]
name = "dog"
key = "2"   # d is taken by my terminal
colour = "green"

[label]
seed = 3
"#;

    fn class(name: &str, key: &str, colour: &str) -> ClassConfig {
        ClassConfig { name: name.into(), key: key.into(), colour: colour.into() }
    }

    fn rewrite(classes: &[ClassConfig], renamed: &[(&str, &str)]) -> String {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CONFIG_FILE), FILE).unwrap();
        let renamed: Vec<(String, String)> = renamed.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        write_classes(dir.path(), classes, &renamed).unwrap();
        std::fs::read_to_string(dir.path().join(CONFIG_FILE)).unwrap()
    }

    #[test]
    fn a_rename_keeps_every_comment_and_the_other_sections() {
        let text = rewrite(&[class("feline", "1", "red"), class("dog", "2", "green")], &[("cat", "feline")]);
        assert_eq!(text, FILE.replace("name = \"cat\"", "name = \"feline\""));
    }

    #[test]
    fn an_added_class_goes_last_and_a_new_key_keeps_its_comment() {
        let text = rewrite(&[class("cat", "1", "red"), class("dog", "g", "green"), class("bird", "3", "blue")], &[]);
        assert!(text.contains("key = \"g\"   # d is taken by my terminal"), "{text}");
        assert!(text.contains("# cats first: most of the photos\n[[classes]]\nname = \"cat\""), "{text}");
        let bird = text.find("name = \"bird\"").unwrap();
        assert!(bird > text.find("name = \"dog\"").unwrap() && bird < text.find("[label]").unwrap(), "{text}");
        assert!(text.contains("path = \"images\"   # the shelter's export") && text.contains("seed = 3"));
    }

    #[test]
    fn a_removed_class_loses_its_table_and_an_undo_brings_the_order_back() {
        let text = rewrite(&[class("dog", "2", "green")], &[]);
        assert!(!text.contains("\"cat\"") && text.contains("# d is taken"), "{text}");
        let text = rewrite(&[class("dog", "2", "green"), class("cat", "1", "red")], &[]);
        assert!(text.find("\"dog\"").unwrap() < text.find("\"cat\"").unwrap(), "the order given: {text}");
    }

    #[test]
    fn a_broken_file_is_named_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CONFIG_FILE), "[project]\nname = \n").unwrap();
        let e = write_classes(dir.path(), &[], &[]).unwrap_err();
        assert!(e.message().contains("kindling.toml: line 2"), "{}", e.message());
    }
}
