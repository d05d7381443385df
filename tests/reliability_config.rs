//! Bad configuration and flags: each is refused with exit code 2 and one clear line
//! on stderr naming the problem (clap's usage errors: a first line naming it), and
//! nothing the user had is overwritten.

mod cli_common;

use std::path::Path;

fn acs_chat(home: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(cli_common::bin());
    for var in [
        "ACS_CONNECTION_STRING",
        "COMMUNICATION_SERVICES_CONNECTION_STRING",
        "ACS_ENDPOINT",
        "ACS_TOKEN",
        "ACS_CA_CERT",
        "ACS_CHAT_CONFIG",
        "ACS_CHAT_HTTP_LOG",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("ACS_CHAT_HOME", home);
    cmd
}

/// Runs, expects failure with `code` (0 = any non-zero), and returns stderr's one line.
fn one_line_error(cmd: &mut assert_cmd::Command, code: i32) -> String {
    let out = cmd.output().expect("run");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    if code == 0 {
        assert!(!out.status.success(), "stderr: {err}");
    } else {
        assert_eq!(out.status.code(), Some(code), "stderr: {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "not one line: {err}");
    lines[0].to_owned()
}

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = walk(dir)
        .into_iter()
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read(&p).unwrap_or_default(),
            )
        })
        .collect();
    v.sort();
    v
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p))
        } else {
            out.push(p)
        }
    }
    out
}

#[test]
fn bad_config_files_and_flags_are_one_clear_line_and_overwrite_nothing() {
    let home = tempfile::tempdir().expect("tempdir");
    let cfg_dir = home.path().join("config");
    std::fs::create_dir_all(&cfg_dir).expect("mkdir");
    let bad_toml = cfg_dir.join("config.toml");
    std::fs::write(&bad_toml, "endpoint = \"https://x/\"\n[ui\nbell = true\n").expect("write");
    let before = snapshot(home.path());

    let e = one_line_error(acs_chat(home.path()).args(["thread", "list"]), 2);
    assert!(
        e.contains(&bad_toml.display().to_string()) && e.contains("line"),
        "{e}"
    );
    // The interactive client reads the same file and must refuse it too, with the
    // same usage exit code.
    let e = one_line_error(&mut acs_chat(home.path()), 2);
    assert!(e.contains(&bad_toml.display().to_string()), "{e}");

    let other = tempfile::tempdir().expect("tempdir");
    let unknown = other.path().join("unknown.toml");
    std::fs::write(&unknown, "colour = 1\n").expect("write");
    let e = one_line_error(
        acs_chat(home.path())
            .args(["--config"])
            .arg(&unknown)
            .args(["thread", "list"]),
        2,
    );
    assert!(
        e.contains("colour") && e.contains(&unknown.display().to_string()),
        "{e}"
    );
    let wrong_type = other.path().join("wrong_type.toml");
    std::fs::write(&wrong_type, "[ui]\nbell = \"loud\"\n").expect("write");
    let e = one_line_error(
        acs_chat(home.path())
            .args(["--config"])
            .arg(&wrong_type)
            .args(["thread", "list"]),
        2,
    );
    assert!(
        e.contains("loud") && e.contains("line 2") && e.contains(&wrong_type.display().to_string()),
        "{e}"
    );
    // `[keys]` is the interactive client's: it refuses a bad one before it needs a
    // terminal, naming the file and the entry.
    let bad_keys = other.path().join("bad_keys.toml");
    std::fs::write(&bad_keys, "[keys]\nsned = \"Ctrl-D\"\n").expect("write");
    let e = one_line_error(acs_chat(home.path()).args(["--config"]).arg(&bad_keys), 2);
    assert!(
        e.contains("keys.sned") && e.contains(&bad_keys.display().to_string()),
        "{e}"
    );
    let missing = other.path().join("missing.toml");
    let e = one_line_error(
        acs_chat(home.path())
            .args(["--config"])
            .arg(&missing)
            .args(["thread", "list"]),
        2,
    );
    assert!(e.contains(&missing.display().to_string()), "{e}");

    for (args, names) in [
        (vec!["--endpoint", "notaurl", "--token", "a.b.c"], "notaurl"),
        (
            vec!["--endpoint", "ftp://127.0.0.1/", "--token", "a.b.c"],
            "ftp",
        ),
        (vec!["--connection-string", "garbage"], "garbage"),
        (
            vec![
                "--connection-string",
                "endpoint=https://127.0.0.1/;accesskey=%%%",
            ],
            "accesskey",
        ),
        (vec!["--connection-string", "accesskey=a2V5"], "endpoint"),
        (
            vec!["--connection-string", "endpoint=not a url;accesskey=a2V5"],
            "endpoint",
        ),
    ] {
        let e = one_line_error(
            acs_chat(other.path()).args(&args).args(["thread", "list"]),
            2,
        );
        assert!(e.to_lowercase().contains(names), "{args:?}: {e}");
    }
    // clap usage errors: non-zero, and the first line names the problem.
    let out = acs_chat(other.path())
        .args(["serve", "--faults", "teapot=5"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.lines()
            .next()
            .is_some_and(|l| l.starts_with("error:") && l.contains("teapot")),
        "{err}"
    );

    // Unwritable places: a home under a regular file, a data dir that is a file.
    let file = other.path().join("a-file");
    std::fs::write(&file, "keep me").expect("write");
    let e = one_line_error(
        acs_chat(&file.join("sub")).args([
            "--connection-string",
            "endpoint=https://127.0.0.1:1/;accesskey=a2V5",
            "thread",
            "list",
        ]),
        2,
    );
    assert!(e.contains(&file.display().to_string()), "{e}");
    let out = acs_chat(other.path())
        .args(["serve", "--http", "--port", "0", "--data-dir"])
        .arg(&file)
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success()
            && err.contains(&file.display().to_string())
            && !err.contains("panicked"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        "keep me",
        "a file was overwritten"
    );

    assert_eq!(
        snapshot(home.path()),
        before,
        "a refused run changed the home directory"
    );
}

#[test]
fn the_fault_mode_is_documented_and_off_by_default() {
    let home = tempfile::tempdir().expect("tempdir");
    let out = acs_chat(home.path())
        .args(["serve", "--help"])
        .output()
        .expect("run");
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("--faults <SPEC>")
            && help.contains("TEST ONLY")
            && help.contains("Off by default"),
        "{help}"
    );
}
