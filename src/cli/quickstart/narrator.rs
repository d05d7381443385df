//! The quickstart's narration: each step's REST calls (recorded as they happen), with
//! status and timing, and its outcome, as text for a live audience or JSON.

use super::*;

/// Collects the exchanges of the current step.
#[derive(Default)]
pub(super) struct Recorder(Mutex<Vec<HttpExchange>>);

impl HttpObserver for Recorder {
    fn exchange(&self, e: &HttpExchange) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(e.clone());
    }
}

impl Recorder {
    pub(super) fn take(&self) -> Vec<HttpExchange> {
        std::mem::take(
            &mut *self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
}

/// One request of a step, for the JSON summary.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CallSummary {
    method: String,
    url: String,
    status: Option<u16>,
    elapsed_ms: u128,
}

/// One step, for the JSON summary.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct StepSummary {
    step: usize,
    name: &'static str,
    elapsed_ms: u128,
    calls: Vec<CallSummary>,
    result: serde_json::Value,
}

/// Narrates (table output) or collects (JSON output) the steps.
pub(super) struct Narrator {
    pub(super) recorder: Arc<Recorder>,
    pub(super) verbose: bool,
    pub(super) pause: bool,
    pub(super) json: bool,
    pub(super) quiet: bool,
    pub(super) steps: Vec<StepSummary>,
}

impl Narrator {
    pub(super) fn say(&self, text: &str) {
        if !self.json && !self.quiet {
            write_stdout(&format!("{text}\n"));
        }
    }

    pub(super) async fn begin(&self, number: usize) {
        if self.pause {
            eprint!(
                "Press Enter for step {number}/{}: {}… ",
                STEPS.len(),
                STEPS[number - 1]
            );
            // EOF or an unreadable stdin just means "go on".
            let _ = tokio::task::spawn_blocking(|| std::io::stdin().read_line(&mut String::new()))
                .await;
        }
        self.say(&format!(
            "\nStep {number}/{}  {}",
            STEPS.len(),
            crate::config::capitalise(STEPS[number - 1])
        ));
        self.say(&format!("  seed: {}", SEED_CALLS[number - 1]));
    }

    /// Prints the step's calls and its outcome lines.
    pub(super) fn end(
        &mut self,
        number: usize,
        started: Instant,
        lines: &[String],
        result: serde_json::Value,
    ) {
        let calls = self.recorder.take();
        for e in &calls {
            let status = e.status.map_or_else(
                || "no response".to_owned(),
                |s| format!("{s} {}", reason(s)),
            );
            self.say(&format!(
                "  {} {}  →  {status}  ({} ms)",
                e.method,
                short_url(&e.url),
                e.elapsed.as_millis()
            ));
            if self.verbose && !self.json && !self.quiet {
                let text = format_exchange(e, time::OffsetDateTime::now_utc(), true);
                write_stdout(&indent(&text, "    "));
            }
        }
        for line in lines {
            self.say(&format!("  {line}"));
        }
        let elapsed = started.elapsed();
        self.say(&format!("  ok in {} ms", elapsed.as_millis()));
        self.steps.push(StepSummary {
            step: number,
            name: STEPS[number - 1],
            elapsed_ms: elapsed.as_millis(),
            calls: calls
                .iter()
                .map(|e| CallSummary {
                    method: e.method.clone(),
                    url: e.url.clone(),
                    status: e.status,
                    elapsed_ms: e.elapsed.as_millis(),
                })
                .collect(),
            result,
        });
    }

    /// On failure: the calls made so far (they explain the error), then the error.
    pub(super) fn fail(&self, number: usize, error: CliError) -> CliError {
        for e in self.recorder.take() {
            let status = e.status.map_or_else(
                || "no response".to_owned(),
                |s| format!("{s} {}", reason(s)),
            );
            self.say(&format!(
                "  {} {}  →  {status}  ({} ms)",
                e.method,
                short_url(&e.url),
                e.elapsed.as_millis()
            ));
            if self.verbose && !self.json && !self.quiet {
                write_stdout(&indent(
                    &format_exchange(&e, time::OffsetDateTime::now_utc(), true),
                    "    ",
                ));
            }
        }
        CliError::Step {
            number,
            name: STEPS[number - 1],
            source: Box::new(error),
        }
    }
}

/// The path and query of a URL, without scheme and host: shorter lines on stage.
fn short_url(url: &str) -> &str {
    url.find("://")
        .and_then(|i| url[i + 3..].find('/').map(|j| &url[i + 3 + j..]))
        .unwrap_or(url)
}

fn indent(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_owned()
            } else {
                format!("{prefix}{l}\n")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(super) fn short_url_keeps_path_and_query() {
        assert_eq!(
            short_url("https://127.0.0.1:47443/chat/threads?api-version=2024-03-07"),
            "/chat/threads?api-version=2024-03-07"
        );
        assert_eq!(short_url("not a url"), "not a url");
    }
}
