//! A small HTTP load generator for bench/serve.sh, loopback only:
//! `cargo run --release --example load -- ADDR BODY.json [--clients 16] [--requests 20000]`
//! posts BODY to http://ADDR/predict from CLIENTS keep-alive connections until REQUESTS
//! have been answered, and prints one JSON line: requests, errors, seconds, requests per
//! second, and latency percentiles in milliseconds. Standard library only (one thread a
//! client, HTTP/1.1 with Content-Length), so the figures are the server's, not a client's.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let (Some(addr), Some(body)) = (args.first(), args.get(1)) else {
        eprintln!("usage: load ADDR BODY.json [--clients 16] [--requests 20000] [--path /predict]");
        std::process::exit(2);
    };
    if !addr.starts_with("127.") && !addr.starts_with("localhost") && !addr.starts_with("[::1]") {
        eprintln!("load: {addr} is not loopback; this tool only loads a server on this machine");
        std::process::exit(2);
    }
    let path = args.iter().position(|a| a == "--path").and_then(|i| args.get(i + 1)).cloned();
    let path = path.unwrap_or_else(|| "/predict".into());
    let body = std::fs::read(body).unwrap_or_else(|e| {
        eprintln!("load: cannot read {body}: {e}");
        std::process::exit(2);
    });
    let (clients, requests) = (flag("--clients", 16).max(1), flag("--requests", 20_000));
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let mut request = head.into_bytes();
    request.extend_from_slice(&body);
    let request = Arc::new(request);
    let left = Arc::new(AtomicUsize::new(requests));
    let started = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let (request, left, addr) = (Arc::clone(&request), Arc::clone(&left), addr.clone());
            std::thread::spawn(move || client(&addr, &request, &left))
        })
        .collect();
    let mut latencies = Vec::with_capacity(requests);
    let mut errors = 0;
    for w in workers {
        let (l, e) = w.join().unwrap_or_default();
        latencies.extend(l);
        errors += e;
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| latencies.get(((latencies.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(f64::NAN);
    println!(
        "{{\"requests\": {}, \"errors\": {errors}, \"seconds\": {seconds:.3}, \"rps\": {:.1}, \"p50_ms\": {:.3}, \"p90_ms\": {:.3}, \"p99_ms\": {:.3}, \"max_ms\": {:.3}}}",
        latencies.len() + errors,
        latencies.len() as f64 / seconds,
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0)
    );
}

/// Sends until no requests are left: the latencies (ms) of 200 answers and the count of
/// anything else (another status, a dropped connection).
fn client(addr: &str, request: &[u8], left: &AtomicUsize) -> (Vec<f64>, usize) {
    let (mut latencies, mut errors) = (Vec::new(), 0);
    let mut stream: Option<BufReader<TcpStream>> = None;
    while left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1)).is_ok() {
        let sent = Instant::now();
        if stream.is_none() {
            stream = TcpStream::connect(addr).ok().map(|s| {
                let _ = s.set_nodelay(true);
                BufReader::new(s)
            });
        }
        match stream.as_mut().map(|s| exchange(s, request)) {
            Some(Ok(200)) => latencies.push(sent.elapsed().as_secs_f64() * 1000.0),
            Some(Ok(_)) => errors += 1,
            _ => {
                errors += 1;
                stream = None;
            }
        }
    }
    (latencies, errors)
}

/// One request and its whole answer on a kept-alive connection: the status.
fn exchange(stream: &mut BufReader<TcpStream>, request: &[u8]) -> std::io::Result<u16> {
    stream.get_mut().write_all(request)?;
    let mut line = String::new();
    stream.read_line(&mut line)?;
    let status = line.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut length = 0;
    loop {
        line.clear();
        if stream.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body)?;
    Ok(status)
}
