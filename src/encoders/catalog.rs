//! The encoders Kindling knows by name: where their snapshots live on the Hugging Face Hub,
//! and where they are kept once fetched (the user cache folder, or `KINDLING_CACHE_DIR`).
//! A known encoder is fetched on first use, file by file, resumable, each file checked
//! against its SHA-256 (the catalog's, else the one the Hub states for the file). The Hub's
//! address can be set as `huggingface_hub` reads it, from `HF_ENDPOINT` (a mirror).

use std::io::Write;
use std::path::{Path, PathBuf};

use super::Input;
use crate::error::{Error, Result};
use crate::progress::Progress;

pub struct Known {
    pub name: &'static str,
    /// The Hub repository.
    pub repo: &'static str,
    pub input: Input,
    pub dimensions: usize,
    /// What the files weigh together, in megabytes.
    pub megabytes: u32,
    pub licence: &'static str,
    pub files: &'static [&'static str],
    /// SHA-256 of `model.safetensors` where known here; else the Hub's own is checked.
    pub weights_sha256: Option<&'static str>,
}

const SENTENCE_FILES: &[&str] = &[
    "config.json",
    "tokenizer.json",
    "modules.json",
    "sentence_bert_config.json",
    "1_Pooling/config.json",
    "model.safetensors",
];
const TIMM_FILES: &[&str] = &["config.json", "model.safetensors"];

pub const KNOWN: &[Known] = &[
    Known {
        name: "all-MiniLM-L6-v2",
        repo: "sentence-transformers/all-MiniLM-L6-v2",
        input: Input::Texts,
        dimensions: 384,
        megabytes: 91,
        licence: "Apache-2.0",
        files: SENTENCE_FILES,
        weights_sha256: Some("53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"),
    },
    Known {
        name: "bge-small-en-v1.5",
        repo: "BAAI/bge-small-en-v1.5",
        input: Input::Texts,
        dimensions: 384,
        megabytes: 134,
        licence: "MIT",
        files: SENTENCE_FILES,
        weights_sha256: None,
    },
    Known {
        name: "e5-small-v2",
        repo: "intfloat/e5-small-v2",
        input: Input::Texts,
        dimensions: 384,
        megabytes: 134,
        licence: "MIT",
        files: SENTENCE_FILES,
        weights_sha256: None,
    },
    Known {
        name: "gte-small",
        repo: "thenlper/gte-small",
        input: Input::Texts,
        dimensions: 384,
        megabytes: 67,
        licence: "MIT",
        files: SENTENCE_FILES,
        weights_sha256: None,
    },
    Known {
        name: "tf_efficientnet_lite0",
        repo: "timm/tf_efficientnet_lite0.in1k",
        input: Input::Images,
        dimensions: 1280,
        megabytes: 19,
        licence: "Apache-2.0",
        files: TIMM_FILES,
        weights_sha256: None,
    },
];

pub fn find(name: &str) -> Option<&'static Known> {
    KNOWN.iter().find(|k| k.name.eq_ignore_ascii_case(name))
}

/// Where fetched encoders and their cached vectors live.
pub fn cache_root() -> PathBuf {
    if cfg!(test) {
        return std::env::temp_dir().join(format!("kindling-test-cache-{}", std::process::id()));
    }
    if let Some(dir) = std::env::var_os("KINDLING_CACHE_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    directories::ProjectDirs::from("", "", "kindling")
        .map(|d| d.cache_dir().to_path_buf())
        .unwrap_or_else(|| std::env::temp_dir().join("kindling-cache"))
}

impl Known {
    pub fn dir(&self) -> PathBuf {
        cache_root().join("encoders").join(self.name)
    }

    pub fn url(&self, file: &str) -> String {
        format!("{}/{}/resolve/main/{file}", endpoint(), self.repo)
    }

    /// The repository's page on the Hub.
    pub fn page(&self) -> String {
        format!("{}/{}", endpoint(), self.repo)
    }

    /// Whether every file of the snapshot is on disk.
    pub fn on_disk(&self) -> bool {
        let dir = self.dir();
        self.files.iter().all(|f| dir.join(f).is_file())
    }
}

/// The Hub's address: `HF_ENDPOINT` where set, as for `huggingface_hub`.
pub fn endpoint() -> String {
    std::env::var("HF_ENDPOINT")
        .ok()
        .map(|e| e.trim().trim_end_matches('/').to_string())
        .filter(|e| !e.is_empty())
        .unwrap_or_else(|| "https://huggingface.co".to_string())
}

/// The snapshot folder `spec` names: a folder as it is, or a known encoder's (fetched now
/// when it is not on disk and `fetch` allows).
pub fn locate(spec: &str, fetch: bool, progress: &dyn Progress) -> Result<PathBuf> {
    let path = Path::new(spec);
    if path.is_dir() {
        return Ok(path.to_path_buf());
    }
    let Some(known) = find(spec) else {
        let names: Vec<&str> = KNOWN.iter().map(|k| k.name).collect();
        return Err(Error::user(format!(
            "--encoder {spec}: neither a snapshot folder nor a known encoder ({}; `kindling encoders` lists them)",
            names.join(", ")
        )));
    };
    if known.on_disk() {
        return Ok(known.dir());
    }
    let offline = std::env::var_os("KINDLING_OFFLINE").is_some_and(|v| !v.is_empty() && v != "0");
    if !fetch || offline {
        let why = if offline {
            "it is not on disk, and KINDLING_OFFLINE forbids fetching it"
        } else {
            "it is not on disk yet"
        };
        return Err(missing(known, why));
    }
    download(known, progress)?;
    Ok(known.dir())
}

/// What to do when a known encoder cannot be fetched: the URLs tried and where to put them.
fn missing(known: &Known, why: &str) -> Error {
    let dir = known.dir();
    let files: Vec<String> =
        known.files.iter().map(|f| format!("  {} → {}", known.url(f), dir.join(f).display())).collect();
    Error::user(format!(
        "encoder {}: {why}. Download these files into {} (or pass --encoder FOLDER with a snapshot):\n{}",
        known.name,
        dir.display(),
        files.join("\n")
    ))
}

/// Fetches every missing file of `known`, each into `NAME.part` first and renamed once its
/// checksum holds; a cut-short `.part` is resumed.
fn download(known: &Known, progress: &dyn Progress) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::internal(format!("cannot start the download: {e}")))?;
    let client = reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(15))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Error::internal(format!("cannot start the download: {e}")))?;
    for file in known.files {
        let target = known.dir().join(file);
        if target.is_file() {
            continue;
        }
        let expected = if *file == "model.safetensors" { known.weights_sha256 } else { None };
        runtime
            .block_on(fetch_file(&client, &known.url(file), &target, expected, progress))
            .map_err(|why| missing(known, &format!("fetching {file} failed ({why})")))?;
    }
    Ok(())
}

async fn fetch_file(
    client: &reqwest::Client,
    url: &str,
    target: &Path,
    expected: Option<&str>,
    progress: &dyn Progress,
) -> std::result::Result<(), String> {
    let part = target.with_extension(format!(
        "{}part",
        target.extension().map(|e| format!("{}.", e.to_string_lossy())).unwrap_or_default()
    ));
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let have = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
    let (mut response, stated) = follow(client, url, have).await?;
    let whole = response.status() == reqwest::StatusCode::RANGE_NOT_SATISFIABLE;
    let resumed = whole || response.status() == reqwest::StatusCode::PARTIAL_CONTENT;
    let mut out = std::fs::OpenOptions::new()
        .create(true)
        .append(resumed)
        .write(true)
        .truncate(!resumed)
        .open(&part)
        .map_err(|e| format!("{}: {e}", part.display()))?;
    let start = if resumed { have } else { 0 };
    let total = if whole { Some(have / 1024) } else { response.content_length().map(|n| (n + start) / 1024) };
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    progress.stage(&format!("downloading {name} (KiB)"), total);
    let mut done = start;
    while !whole
        && let Some(chunk) = response.chunk().await.map_err(|e| {
            format!("cut short after {done} bytes ({}); run the command again to resume", with_causes(&e))
        })?
    {
        out.write_all(&chunk).map_err(|e| format!("{}: {e}", part.display()))?;
        done += chunk.len() as u64;
        progress.advance(done / 1024);
    }
    progress.finish();
    out.sync_all().map_err(|e| format!("{}: {e}", part.display()))?;
    drop(out);
    if let Some(want) = expected.map(str::to_string).or(stated) {
        let got = sha256_of(&part)?;
        if got != want {
            std::fs::remove_file(&part).ok();
            return Err(format!("{} has SHA-256 {got}, not {want}; fetch it again", part.display()));
        }
    }
    std::fs::rename(&part, target).map_err(|e| format!("{}: {e}", target.display()))
}

/// Redirects the client may follow for one file (the Hub sends large files to a CDN).
const REDIRECTS: usize = 5;

/// The response for `url` from byte `from` on, following redirects by hand: the Hub states
/// a large file's SHA-256 as the linked ETag of its redirect, which the CDN's answer lacks.
async fn follow(
    client: &reqwest::Client,
    url: &str,
    from: u64,
) -> std::result::Result<(reqwest::Response, Option<String>), String> {
    let mut at = reqwest::Url::parse(url).map_err(|e| format!("{url}: {e}"))?;
    let mut stated = None;
    for _ in 0..=REDIRECTS {
        let mut request = client.get(at.clone());
        if from > 0 {
            request = request.header(reqwest::header::RANGE, format!("bytes={from}-"));
        }
        let response = request.send().await.map_err(|e| with_causes(&e))?;
        stated = linked_etag(&response).or(stated);
        let status = response.status();
        if status.is_redirection() {
            let location = response.headers().get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok());
            let location = location.ok_or_else(|| format!("{at} answered {status} with no Location"))?;
            at = at.join(location).map_err(|e| format!("{at} redirected to {location}: {e}"))?;
            continue;
        }
        // A whole `.part` left by a stop before its rename: nothing more to fetch.
        let whole = from > 0 && status == reqwest::StatusCode::RANGE_NOT_SATISFIABLE;
        if !status.is_success() && !whole {
            return Err(format!("{at} answered {status}"));
        }
        return Ok((response, stated));
    }
    Err(format!("{url}: more than {REDIRECTS} redirects"))
}

/// An error and what caused it: reqwest's own text ("error sending request for url …")
/// leaves out why (a name that did not resolve, a refused connection, a timeout).
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let said = c.to_string();
        if !text.contains(&said) {
            text.push_str(&format!(": {said}"));
        }
        cause = c.source();
    }
    text
}

/// The SHA-256 a Hub response states for a large file, as its linked ETag.
fn linked_etag(response: &reqwest::Response) -> Option<String> {
    let value = response.headers().get("x-linked-etag")?.to_str().ok()?;
    let value = value.trim_start_matches("W/").trim_matches('"').to_ascii_lowercase();
    (value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())).then_some(value)
}

fn sha256_of(path: &Path) -> std::result::Result<String, String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut context = ring::digest::Context::new(&ring::digest::SHA256);
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buffer).map_err(|e| format!("{}: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        context.update(&buffer[..n]);
    }
    Ok(context.finish().as_ref().iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_name_lists_the_known_ones_and_a_missing_one_says_where_to_put_which_file() {
        let e = locate("no-such-encoder", false, &crate::progress::Silent).unwrap_err();
        assert!(e.to_string().contains("all-MiniLM-L6-v2") && e.exit_code() == 2, "{e}");
        let known = find("ALL-minilm-l6-v2").unwrap();
        let e = missing(known, "it is not on disk yet").to_string();
        assert!(
            e.contains("https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/resolve/main/model.safetensors")
        );
        assert!(e.contains(&known.dir().join("1_Pooling/config.json").display().to_string()), "{e}");
    }

    #[test]
    fn a_fetch_error_says_its_causes_once_each() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "error sending request")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let e = Outer(std::io::Error::other("dns error: failed to lookup address"));
        assert_eq!(with_causes(&e), "error sending request: dns error: failed to lookup address");
        let plain = std::io::Error::other("refused");
        assert_eq!(with_causes(&plain), "refused");
    }

    #[test]
    fn the_checksum_is_sha256() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"abc").unwrap();
        assert_eq!(sha256_of(&p).unwrap(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
