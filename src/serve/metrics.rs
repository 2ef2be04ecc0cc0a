//! The counters behind `GET /metrics`, in Prometheus' text format: requests and errors by
//! route, a latency histogram, and predictions per class.

use std::sync::Mutex;

use crate::drift::DriftReport;
use std::sync::atomic::{AtomicU64, Ordering};

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 10] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0];

#[derive(Default)]
pub struct Metrics {
    requests: AtomicU64,
    errors: AtomicU64,
    /// Requests at most each bucket's bound (not cumulative), and the sum of seconds.
    latency: Mutex<([u64; BUCKETS.len() + 1], f64)>,
    /// By class name: a reload may bring a run with other classes.
    per_class: Mutex<std::collections::BTreeMap<String, u64>>,
}

impl Metrics {
    /// One request answered in `seconds`, an error or not.
    pub fn observe(&self, seconds: f64, error: bool) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        if error {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        let bucket = BUCKETS.iter().position(|b| seconds <= *b).unwrap_or(BUCKETS.len());
        let mut latency = self.latency.lock().unwrap_or_else(|e| e.into_inner());
        latency.0[bucket] += 1;
        latency.1 += seconds;
    }

    pub fn predicted(&self, classes: &[String], predicted: &[usize]) {
        let mut counts = self.per_class.lock().unwrap_or_else(|e| e.into_inner());
        for &c in predicted {
            *counts.entry(classes[c].clone()).or_default() += 1;
        }
    }

    /// The Prometheus text of every counter (`classes`: those of the run served now, each
    /// listed even at zero), and the drift of the inputs in the window.
    pub fn render(&self, classes: &[String], drift: Option<&DriftReport>) -> String {
        let mut out = String::new();
        out += "# TYPE kindling_requests_total counter\n";
        out += &format!("kindling_requests_total {}\n", self.requests.load(Ordering::Relaxed));
        out += "# TYPE kindling_errors_total counter\n";
        out += &format!("kindling_errors_total {}\n", self.errors.load(Ordering::Relaxed));
        let (counts, sum) = *self.latency.lock().unwrap_or_else(|e| e.into_inner());
        out += "# TYPE kindling_request_seconds histogram\n";
        let mut cumulative = 0;
        for (bound, n) in BUCKETS.iter().zip(counts) {
            cumulative += n;
            out += &format!("kindling_request_seconds_bucket{{le=\"{bound}\"}} {cumulative}\n");
        }
        cumulative += counts[BUCKETS.len()];
        out += &format!("kindling_request_seconds_bucket{{le=\"+Inf\"}} {cumulative}\n");
        out += &format!("kindling_request_seconds_sum {sum}\nkindling_request_seconds_count {cumulative}\n");
        out += "# TYPE kindling_predictions_total counter\n";
        let mut per_class = self.per_class.lock().unwrap_or_else(|e| e.into_inner()).clone();
        for class in classes {
            per_class.entry(class.clone()).or_default();
        }
        for (class, n) in per_class {
            out += &format!("kindling_predictions_total{{class=\"{}\"}} {n}\n", escape(&class));
        }
        if let Some(d) = drift {
            out += "# TYPE kindling_drift_window_samples gauge\n";
            out += &format!("kindling_drift_window_samples {}\n", d.samples);
            out += "# TYPE kindling_drift_psi gauge\n";
            for f in d.features.iter().chain([&d.confidence]) {
                out += &format!("kindling_drift_psi{{feature=\"{}\"}} {:.6}\n", escape(&f.name), f.psi);
            }
            out += "# TYPE kindling_drift_flagged gauge\n";
            for f in d.features.iter().chain([&d.confidence]) {
                out += &format!("kindling_drift_flagged{{feature=\"{}\"}} {}\n", escape(&f.name), u8::from(f.drifted));
            }
        }
        out
    }
}

/// A Prometheus label value.
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_requests_latency_buckets_and_classes() {
        let m = Metrics::default();
        m.observe(0.0007, false);
        m.observe(0.3, true);
        let classes = ["cat".to_string(), "dog".to_string()];
        m.predicted(&classes, &[1, 1, 0]);
        let text = m.render(&classes, None);
        assert!(text.contains("kindling_requests_total 2\n") && text.contains("kindling_errors_total 1\n"), "{text}");
        assert!(text.contains("kindling_request_seconds_bucket{le=\"0.0005\"} 0\n"), "{text}");
        assert!(text.contains("kindling_request_seconds_bucket{le=\"0.001\"} 1\n"), "{text}");
        assert!(text.contains("kindling_request_seconds_bucket{le=\"+Inf\"} 2\n"), "{text}");
        assert!(text.contains("kindling_predictions_total{class=\"dog\"} 2\n"), "{text}");
    }
}
