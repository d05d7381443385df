//! Secrets: the access key and user tokens never appear in stdout, stderr, error
//! messages, `--http-log` (text and JSON Lines) or the debug log; every file holding
//! one is 0600 (and a wider one is warned about on stderr); a refused connection
//! string does not echo its key.

mod cli_common;

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use cli_common::Emulator;

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p))
            } else {
                out.push(p)
            }
        }
    }
    out
}

/// Every token string in the client's state files.
fn tokens_in(home: &Path) -> Vec<String> {
    let mut tokens = Vec::new();
    for f in files_under(home) {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c))) {
            if word.split('.').count() == 3 && word.len() > 100 {
                tokens.push(word.to_owned());
            }
        }
    }
    tokens.sort();
    tokens.dedup();
    tokens
}

fn assert_no_secret(what: &str, text: &str, secrets: &[String]) {
    for s in secrets {
        assert!(
            !text.contains(s.as_str()),
            "{what} contains a secret ({}...)",
            &s[..12.min(s.len())]
        );
        // The signature part alone is as good as the token for nobody, but the
        // payload+signature would be: check the last segment too.
        if let Some(sig) = s.rsplit('.').next().filter(|sig| sig.len() > 20) {
            assert!(!text.contains(sig), "{what} contains a token signature");
        }
    }
}

#[test]
fn keys_and_tokens_never_leak_and_token_files_are_private() {
    let emu = Emulator::start();
    let key = emu
        .connection_string
        .split("accesskey=")
        .nth(1)
        .expect("key")
        .to_owned();
    let log_text = emu.dir.path().join("http.log");
    let log_jsonl = emu.dir.path().join("http.jsonl");
    let mut outputs = Vec::new();
    let run = |args: &[&str], extra: &[&str]| {
        let out = emu
            .cmd("alice")
            .env("ACS_CHAT_LOG", "trace")
            .args(extra)
            .args(args)
            .output()
            .expect("run");
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.status.success(),
        )
    };
    let text_log = ["--http-log", log_text.to_str().expect("path")];
    let (out, err, ok) = run(
        &["--output", "json", "thread", "create", "--topic", "secrets"],
        &text_log,
    );
    assert!(ok, "{err}");
    let thread = serde_json::from_str::<serde_json::Value>(&out).expect("json")["chatThread"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    outputs.push(("thread create", out, err));
    let jsonl = [
        "--http-log",
        log_jsonl.to_str().expect("path"),
        "--http-log-format",
        "jsonl",
    ];
    for args in [
        vec![
            "message",
            "send",
            "--thread",
            thread.as_str(),
            "--content",
            "hello",
        ],
        vec!["message", "list", "--thread", thread.as_str()],
        vec!["identity", "show"],
        vec!["thread", "show", "--thread", "19:nope@thread.v2"],
    ] {
        let (out, err, _) = run(&args, &jsonl);
        outputs.push(("command", out, err));
    }
    // A wrong key: the refusal must not quote it.
    let wrong = "d3JvbmcgYnV0IHZhbGlkIGJhc2U2NCBrZXkgZm9yIHRlc3Rpbmc=";
    let cs = emu.connection_string.replace(&key, wrong);
    let out = emu
        .cmd("mallory")
        .args(["--connection-string", &cs, "thread", "list"])
        .output()
        .expect("run");
    outputs.push((
        "wrong key",
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ));
    // A malformed connection string carrying a key.
    let bad = format!("endpoint=not a url;accesskey={key}");
    let out = emu
        .cmd("alice")
        .args(["--connection-string", &bad, "thread", "list"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    outputs.push((
        "bad connection string",
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ));

    let home = emu.home();
    let tokens = tokens_in(&home);
    assert!(
        !tokens.is_empty(),
        "no token found in the client's state; the test would prove nothing"
    );
    let mut secrets = tokens.clone();
    secrets.push(key.clone());
    secrets.push(wrong.to_owned());
    for (what, out, err) in &outputs {
        assert_no_secret(&format!("{what} stdout"), out, &secrets);
        assert_no_secret(&format!("{what} stderr"), err, &secrets);
    }
    for log in [&log_text, &log_jsonl] {
        let text = std::fs::read_to_string(log).expect("http log written");
        assert!(text.contains("/chat/threads"), "the log has the exchanges");
        assert_no_secret(&log.display().to_string(), &text, &secrets);
        assert_eq!(
            std::fs::metadata(log).expect("meta").permissions().mode() & 0o777,
            0o600,
            "{}",
            log.display()
        );
    }
    // Debug logs (ACS_CHAT_LOG=trace) and every other file except those that must
    // hold the token: those are 0600.
    for f in files_under(&home) {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let holds = secrets.iter().any(|s| text.contains(s.as_str()));
        if f.extension().is_some_and(|e| e == "log") || f.to_string_lossy().contains(".log") {
            assert_no_secret(&f.display().to_string(), &text, &secrets);
        }
        if holds {
            let mode = std::fs::metadata(&f).expect("meta").permissions().mode() & 0o777;
            assert_eq!(
                mode,
                0o600,
                "{} holds a token with mode {mode:o}",
                f.display()
            );
        }
    }

    // A token file made wider is warned about on stderr, naming it, and put back to 0600.
    let cache = files_under(&home)
        .into_iter()
        .find(|f| {
            std::fs::read_to_string(f).is_ok_and(|t| tokens.iter().any(|k| t.contains(k.as_str())))
        })
        .expect("cache file");
    std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let (_, err, _) = run(&["thread", "list"], &[]);
    assert!(
        err.contains("readable by others") && err.contains(&cache.display().to_string()),
        "no warning about {} being readable by others on stderr: {err}",
        cache.display()
    );
    let mode = std::fs::metadata(&cache)
        .expect("meta")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600, "the token file is made private");
}
