//! Fetching a known encoder, against a stand-in for the Hugging Face Hub on loopback
//! (`HF_ENDPOINT`, as `huggingface_hub` reads it): the snapshot is a tiny one the test writes,
//! the large file is sent through a redirect that states its SHA-256, as the Hub does, and
//! its first answer is cut short. Nothing leaves the machine.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use tempfile::TempDir;

use super::*;

/// What the stand-in Hub serves and what it was asked.
struct Hub {
    addr: String,
    /// (path, first byte asked for) of every request, in order.
    asked: Arc<Mutex<Vec<(String, u64)>>>,
}

/// Serves `files` (path → bytes) under `/{repo}/resolve/main/`; `model.safetensors` through
/// a redirect to `/cdn/…` whose first answer stops half-way.
fn hub(repo: &str, files: HashMap<String, Vec<u8>>, sha256: &str) -> Hub {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let asked = Arc::new(Mutex::new(Vec::new()));
    let (log, repo, sha256) = (asked.clone(), repo.to_string(), sha256.to_string());
    std::thread::spawn(move || {
        let mut cut = false;
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let (path, from) = request(&stream);
            log.lock().unwrap().push((path.clone(), from));
            let prefix = format!("/{repo}/resolve/main/");
            let reply = match path.strip_prefix(&prefix) {
                Some("model.safetensors") => format!(
                    "HTTP/1.1 302 Found\r\nLocation: /cdn/model.safetensors\r\nX-Linked-Etag: \"{sha256}\"\r\n\
                     Content-Length: 0\r\nConnection: close\r\n\r\n"
                )
                .into_bytes(),
                Some(file) => whole(files.get(file)),
                None if path == "/cdn/model.safetensors" => {
                    let bytes = &files["model.safetensors"];
                    let first = !cut;
                    cut = true;
                    part(bytes, from, first)
                }
                None => whole(None),
            };
            let _ = stream.write_all(&reply);
        }
    });
    Hub { addr, asked }
}

/// The path and the first byte of a `Range: bytes=N-` (0 without one).
fn request(stream: &TcpStream) -> (String, u64) {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut from = 0;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("range")
        {
            from = value.trim().trim_start_matches("bytes=").trim_end_matches('-').parse().unwrap_or(0);
        }
    }
    (path, from)
}

fn whole(bytes: Option<&Vec<u8>>) -> Vec<u8> {
    match bytes {
        Some(b) => {
            let mut out =
                format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", b.len()).into_bytes();
            out.extend_from_slice(b);
            out
        }
        None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
    }
}

/// From byte `from` on (206 when asked for a range); `cut`: the length promised, half sent.
fn part(bytes: &[u8], from: u64, cut: bool) -> Vec<u8> {
    let from = from as usize;
    let mut out = if from > 0 {
        format!(
            "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {from}-{}/{}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            bytes.len() - 1,
            bytes.len(),
            bytes.len() - from
        )
    } else {
        format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", bytes.len())
    }
    .into_bytes();
    let end = if cut { from + (bytes.len() - from) / 2 } else { bytes.len() };
    out.extend_from_slice(&bytes[from..end]);
    out
}

fn sha256(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes).as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// The tiny snapshot's files by their path in the snapshot.
fn snapshot_files(dir: &Path) -> HashMap<String, Vec<u8>> {
    kindling::encoders::tiny::write_sentence_bert(dir, 3, 16).unwrap();
    let names = ["config.json", "tokenizer.json", "modules.json", "sentence_bert_config.json", "1_Pooling/config.json"];
    let mut files: HashMap<String, Vec<u8>> =
        names.iter().map(|n| (n.to_string(), std::fs::read(dir.join(n)).unwrap())).collect();
    files.insert("model.safetensors".into(), std::fs::read(dir.join("model.safetensors")).unwrap());
    files
}

/// `kindling args` fetching from `hub` into `cache`.
fn online(hub: &Hub, cache: &Path, args: &[&str]) -> Run {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kindling"))
        .args(args)
        .env("KINDLING_CACHE_DIR", cache)
        .env_remove("KINDLING_OFFLINE")
        .env("HF_ENDPOINT", &hub.addr)
        .output()
        .unwrap();
    Run::of(out)
}

fn text_project(dir: &Path) -> std::path::PathBuf {
    std::fs::write(dir.join("t.csv"), "id,text\na,the cat sat\nb,a cafe\nc,the dog on the mat\n").unwrap();
    let proj = dir.join("proj");
    ok(&["init", p(&proj), "--source", p(&dir.join("t.csv")), "--text-column", "text", "--classes", "a,b"]);
    proj
}

#[test]
fn a_known_encoder_is_fetched_through_the_hubs_redirect_resumed_after_a_cut_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let files = snapshot_files(&dir.path().join("tiny"));
    let weights = files["model.safetensors"].clone();
    let hub = hub("thenlper/gte-small", files, &sha256(&weights));
    let proj = text_project(dir.path());
    let cache = dir.path().join("cache");
    let snapshot = cache.join("encoders/gte-small");

    let first = online(&hub, &cache, &["embed", p(&proj), "--encoder", "gte-small"]);
    assert_eq!(first.code, 2, "the first answer is cut short: {}", first.stderr);
    assert!(first.stderr.contains("model.safetensors") && first.stderr.contains("cut short"), "{}", first.stderr);
    assert!(first.stderr.contains("again to resume"), "{}", first.stderr);
    assert!(!snapshot.join("model.safetensors").exists(), "nothing half written under the file's name");
    let kept = std::fs::metadata(snapshot.join("model.safetensors.part")).unwrap().len();
    assert_eq!(kept, weights.len() as u64 / 2, "what came is kept to resume from");
    assert!(snapshot.join("1_Pooling/config.json").is_file(), "the small files before it are in place");

    let fetched = dir.path().join("fetched.csv");
    let second = online(&hub, &cache, &["embed", p(&proj), "--encoder", "gte-small", "-o", p(&fetched)]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert_eq!(std::fs::read(snapshot.join("model.safetensors")).unwrap(), weights);
    assert!(!snapshot.join("model.safetensors.part").exists());
    let asked = hub.asked.lock().unwrap().clone();
    assert!(asked.contains(&("/cdn/model.safetensors".to_string(), kept)), "resumed from byte {kept}: {asked:?}");
    let small = asked.iter().filter(|(path, _)| path.ends_with("/config.json")).count();
    assert_eq!(small, 2, "the files already fetched are not fetched again: {asked:?}");
    // The fetched snapshot is the encoder: the same vectors as the folder it came from.
    let folder = dir.path().join("folder.csv");
    ok(&["embed", p(&proj), "--encoder", p(&dir.path().join("tiny")), "-o", p(&folder)]);
    let vectors = std::fs::read_to_string(&fetched).unwrap();
    assert_eq!(vectors.lines().count(), 4, "{vectors}");
    assert_eq!(vectors, std::fs::read_to_string(&folder).unwrap());
    let listed = online(&hub, &cache, &["encoders", "--json"]);
    let listed: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    let gte = listed.as_array().unwrap().iter().find(|e| e["name"] == "gte-small").unwrap();
    assert_eq!(gte["on_disk"], true, "{gte}");
    assert_eq!(gte["source"], format!("{}/thenlper/gte-small", hub.addr));
}

/// Fetches known encoder `name` from a stand-in Hub serving the tiny snapshot as `repo`, its
/// redirect stating checksum `stated` (of the tiny weights when `None`): the first command is
/// cut short, the second's run is returned, with the snapshot folder, the Hub, the tiny
/// weights' checksum and the folder it all lies in.
fn fetch_twice(repo: &str, name: &str, stated: Option<&str>) -> (Run, std::path::PathBuf, Hub, String, TempDir) {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().to_path_buf();
    let files = snapshot_files(&dir.join("tiny"));
    let weights = sha256(&files["model.safetensors"]);
    let hub = hub(repo, files, stated.unwrap_or(&weights));
    let proj = text_project(&dir);
    let cache = dir.join("cache");
    let args = ["embed", p(&proj), "--encoder", name];
    assert_eq!(online(&hub, &cache, &args).code, 2, "cut short first");
    (online(&hub, &cache, &args), cache.join("encoders").join(name), hub, weights, temp)
}

#[test]
fn weights_that_do_not_match_their_checksum_are_refused_and_not_kept() {
    // The Hub states the tiny weights' checksum, but the catalog knows all-MiniLM-L6-v2's own.
    let (r, snapshot, hub, weights, _dir) =
        fetch_twice("sentence-transformers/all-MiniLM-L6-v2", "all-MiniLM-L6-v2", None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("SHA-256") && r.stderr.contains(&weights), "{}", r.stderr);
    assert!(r.stderr.contains(&hub.addr), "names the URL it tried: {}", r.stderr);
    assert!(!snapshot.join("model.safetensors").exists() && !snapshot.join("model.safetensors.part").exists());
}

#[test]
fn weights_that_do_not_match_the_checksum_the_hubs_redirect_states_are_refused() {
    let stated = sha256(b"other weights");
    let (r, snapshot, _, _, _dir) = fetch_twice("thenlper/gte-small", "gte-small", Some(&stated));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("not {stated}")), "{}", r.stderr);
    assert!(!snapshot.join("model.safetensors").exists());
}
