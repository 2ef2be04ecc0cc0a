//! `kindling serve`: an HTTP server (axum, on tokio) over a finished run, thin over
//! `kindling::serve`. Loopback unless `--host` says otherwise; with a token every route but
//! `/health` wants `Authorization: Bearer TOKEN`. Bad requests get a 4xx and one JSON error
//! naming the field; a body over the limit or a prediction past the timeout is refused, never
//! a crash. `POST /reload` or SIGHUP switches to the newest finished run: a request holds the
//! run it started with, so none in flight is dropped.

use std::net::SocketAddr;
use std::path::Path;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kindling::project::Project;
use kindling::runs;
use kindling::serve::metrics::Metrics;
use kindling::serve::{BadRequest, Served};
use kindling::served::Logger;
use kindling::{Error, Result};
use serde_json::json;

pub struct ServeOptions {
    pub run: String,
    pub host: String,
    pub port: u16,
    pub workers: usize,
    pub token: Option<String>,
    /// Bytes a request body may hold.
    pub limit: usize,
    /// Append every answered input to the project's `served/`.
    pub log: bool,
    /// Items one request may hold.
    pub max_batch: usize,
    pub timeout: Duration,
}

struct App {
    root: PathBuf,
    log: Option<Arc<Logger>>,
    max_batch: usize,
    served: RwLock<Arc<Served>>,
    metrics: Metrics,
    token: Option<String>,
    limit: usize,
    timeout: Duration,
}

pub fn run(dir: &Path, options: ServeOptions) -> Result<()> {
    let project = Project::open(dir)?;
    let id = runs::resolve(project.root(), &options.run)?;
    let log = if options.log { Some(Arc::new(Logger::start(project.root())?)) } else { None };
    let served = Served::open(&runs::dir(project.root(), &id))?.with_log(log.clone()).with_max_batch(options.max_batch);
    let addr: SocketAddr = format!("{}:{}", options.host, options.port).parse().map_err(|_| {
        Error::user(format!("--host {} --port {}: not an address to listen on", options.host, options.port))
    })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(options.workers.max(1))
        // Predictions run on the blocking pool: as many at once as there are workers (twice, so
        // that one waiting on memory does not idle a core), not one thread per request in
        // flight, each with its own allocator arena.
        .max_blocking_threads(2 * options.workers.max(1))
        .enable_all()
        .build()
        .map_err(|e| Error::internal(format!("cannot start the server's runtime: {e}")))?;
    let app = Arc::new(App {
        root: project.root().to_path_buf(),
        log,
        max_batch: options.max_batch,
        served: RwLock::new(Arc::new(served)),
        metrics: Metrics::default(),
        token: options.token,
        limit: options.limit,
        timeout: options.timeout,
    });
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| Error::user(format!("cannot listen on {addr}: {e}")))?;
        let bound = listener.local_addr().map_err(|e| Error::internal(e.to_string()))?;
        eprintln!("serving run {} on http://{bound} (Ctrl-C stops, SIGHUP reloads)", app.current().run());
        if app.log.is_some() {
            let folder = app.root.join(kindling::served::SERVED_DIR);
            eprintln!("logging every answered input to {} (`kindling served` imports them)", folder.display());
        }
        reload_on_hangup(Arc::clone(&app));
        let router = Router::new()
            .route("/health", get(|| async { "ok\n" }))
            .route("/info", get(info))
            .route("/metrics", get(metrics))
            .route("/predict", post(predict))
            .route("/reload", post(reload))
            .route("/drift", get(drift))
            .fallback(|| async {
                error(
                    StatusCode::NOT_FOUND,
                    "",
                    "no such route; try /predict, /info, /drift, /metrics, /health, /reload",
                )
            })
            .with_state(app);
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| Error::internal(format!("the server stopped: {e}")))
    })
}

impl App {
    /// The run answering now; a request keeps it to the end even if a reload comes.
    fn current(&self) -> Arc<Served> {
        Arc::clone(&self.served.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Loads the newest finished run and swaps it in; returns (previous, now).
    fn reload(&self) -> Result<(String, String)> {
        let id = runs::resolve(&self.root, "latest")?;
        let previous = self.current();
        if previous.run() == id {
            return Ok((id.clone(), id));
        }
        let next = Served::open(&runs::dir(&self.root, &id))?.with_log(self.log.clone());
        let next = Arc::new(next.with_max_batch(self.max_batch));
        *self.served.write().unwrap_or_else(|e| e.into_inner()) = next;
        Ok((previous.run().to_string(), id))
    }
}

#[cfg(unix)]
fn reload_on_hangup(app: Arc<App>) {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut hangups) = signal(SignalKind::hangup()) else { return };
    tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            let worker = Arc::clone(&app);
            match tokio::task::spawn_blocking(move || worker.reload()).await {
                Ok(Ok((from, to))) if from == to => eprintln!("SIGHUP: run {to} is still the newest finished run"),
                Ok(Ok((from, to))) => eprintln!("SIGHUP: serving run {to} (was {from})"),
                Ok(Err(e)) => eprintln!("SIGHUP: still serving the same run; {}", e.message()),
                Err(_) => eprintln!("SIGHUP: the reload failed; still serving the same run"),
            }
        }
    });
}

#[cfg(not(unix))]
fn reload_on_hangup(_: Arc<App>) {}

async fn reload(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if let Some(no) = refused(&app, &headers) {
        return no;
    }
    let worker = Arc::clone(&app);
    match tokio::task::spawn_blocking(move || worker.reload()).await {
        Ok(Ok((from, to))) => axum::Json(json!({ "run": to, "previous": from })).into_response(),
        Ok(Err(e)) => error(StatusCode::CONFLICT, "", e.message()),
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "", "the reload failed; the same run is served"),
    }
}

fn error(status: StatusCode, field: &str, message: &str) -> Response {
    let body = if field.is_empty() { json!({ "error": message }) } else { json!({ "error": message, "field": field }) };
    (status, axum::Json(body)).into_response()
}

/// `None` when the request may go on; else the 401 to answer.
fn refused(app: &App, headers: &HeaderMap) -> Option<Response> {
    let token = app.token.as_ref()?;
    let given = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    match given.and_then(|v| v.strip_prefix("Bearer ")) {
        Some(t) if t == token => None,
        _ => Some(error(StatusCode::UNAUTHORIZED, "Authorization", "this server wants Authorization: Bearer TOKEN")),
    }
}

async fn info(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if let Some(no) = refused(&app, &headers) {
        return no;
    }
    axum::Json(app.current().info()).into_response()
}

/// `GET /drift`: the last inputs answered against the run's training profile.
async fn drift(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if let Some(no) = refused(&app, &headers) {
        return no;
    }
    let served = app.current();
    match tokio::task::spawn_blocking(move || served.drift()).await {
        Ok(Some(report)) => {
            axum::Json(json!({ "window": kindling::serve::DRIFT_WINDOW, "report": report })).into_response()
        }
        Ok(None) => error(StatusCode::NOT_FOUND, "", "this run has no training profile (trained before drift checks)"),
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "", "the drift check failed; the server goes on"),
    }
}

async fn metrics(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if let Some(no) = refused(&app, &headers) {
        return no;
    }
    let served = app.current();
    let text = app.metrics.render(served.classes(), served.drift().as_ref());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

async fn predict(State(app): State<Arc<App>>, request: Request) -> Response {
    let started = Instant::now();
    let response = answer(&app, request).await;
    app.metrics.observe(started.elapsed().as_secs_f64(), !response.status().is_success());
    response
}

async fn answer(app: &Arc<App>, request: Request) -> Response {
    if let Some(no) = refused(app, request.headers()) {
        return no;
    }
    let Ok(body) = axum::body::to_bytes(request.into_body(), app.limit).await else {
        let message = format!("the body is over {} bytes (--max-body)", app.limit);
        return error(StatusCode::PAYLOAD_TOO_LARGE, "", &message);
    };
    let served = app.current();
    let worker = Arc::clone(&served);
    let job = tokio::task::spawn_blocking(move || worker.predict(&body));
    match tokio::time::timeout(app.timeout, job).await {
        Ok(Ok(Ok(answer))) => {
            app.metrics.predicted(served.classes(), &answer.predicted);
            axum::Json(answer.body).into_response()
        }
        Ok(Ok(Err(BadRequest { field, error: why }))) => error(StatusCode::BAD_REQUEST, &field, &why),
        Ok(Err(_)) => error(StatusCode::INTERNAL_SERVER_ERROR, "", "the prediction failed; the server goes on"),
        Err(_) => error(StatusCode::SERVICE_UNAVAILABLE, "", "the prediction took longer than --timeout"),
    }
}

/// `kindling served DIR [--import]`.
pub fn served(dir: &Path, import: bool, json_out: bool) -> Result<()> {
    use kindling::served;
    let project = Project::open(dir)?;
    if import {
        let done = served::import(&project)?;
        if json_out {
            super::output::print_json(&done);
        } else {
            let n = super::output::count(done.added as u64, "served input");
            let mut line = format!("added {n} to {} as unlabelled samples", done.to.display());
            if done.missing_files > 0 {
                line += &format!(" ({} whose file is gone from served/files/ left out)", done.missing_files);
            }
            eprintln!("{line}");
            if done.added > 0 {
                eprintln!("label them least sure first: the Label pane's order `served` (o cycles to it)");
            }
        }
        return Ok(());
    }
    let s = served::summary(&project)?;
    if json_out {
        super::output::print_json(&s);
        return Ok(());
    }
    if s.entries == 0 {
        super::output::print("nothing served yet; `kindling serve DIR --log` keeps what it answers\n");
        return Ok(());
    }
    let mut text = format!(
        "{} served inputs, {} imported; {} to {}; mean confidence {:.3}\n",
        s.entries,
        s.imported,
        s.first.as_deref().unwrap_or("-"),
        s.last.as_deref().unwrap_or("-"),
        s.mean_confidence.unwrap_or(f64::NAN)
    );
    let counts = |m: &std::collections::BTreeMap<String, usize>| {
        m.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ")
    };
    text += &format!("predicted: {}\nby run: {}\n", counts(&s.predicted), counts(&s.runs));
    if s.unreadable > 0 {
        text += &format!("{} log lines unreadable (cut short?), left out\n", s.unreadable);
    }
    if s.entries > s.imported {
        text += &format!("`kindling served {} --import` adds them for labelling\n", dir.display());
    }
    super::output::print(&text);
    Ok(())
}
