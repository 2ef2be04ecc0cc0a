//! `kindling encoders`: the pre-trained encoders known by name, and which are on disk.

use kindling::Result;
use kindling::encoders::catalog::{KNOWN, cache_root};

use super::output::{print, print_json};

pub fn list(json: bool) -> Result<()> {
    if json {
        let rows: Vec<serde_json::Value> = KNOWN
            .iter()
            .map(|k| {
                serde_json::json!({
                    "name": k.name, "takes": k.input.name(), "dimensions": k.dimensions,
                    "download_mb": k.megabytes, "licence": k.licence, "source": k.page(),
                    "on_disk": k.on_disk(), "folder": k.dir(),
                })
            })
            .collect();
        print_json(&rows);
        return Ok(());
    }
    let mut out = format!("{:<22} {:<7} {:>5} {:>8}  {:<11} on disk\n", "name", "takes", "dims", "download", "licence");
    for k in KNOWN {
        let disk = if k.on_disk() { "yes" } else { "no (fetched on first use)" };
        out.push_str(&format!(
            "{:<22} {:<7} {:>5} {:>5} MB  {:<11} {disk}\n",
            k.name,
            k.input.name(),
            k.dimensions,
            k.megabytes,
            k.licence
        ));
    }
    out.push_str(&format!(
        "\nkept in {}; use one with --encoder NAME (embed, train, similar, clusters, map), \
         `[features] encoder = \"NAME\"` in kindling.toml, or --encoder FOLDER for a snapshot of your own\n",
        cache_root().join("encoders").display()
    ));
    print(&out);
    Ok(())
}
