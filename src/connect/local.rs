//! The local default: find the built-in emulator on its documented port, or start
//! `acs-chat serve` detached in the background and wait until it is healthy.
//!
//! The background emulator keeps its database, certificate and log in the platform
//! data dir, exits by itself after two idle hours, and is stopped on demand with
//! `acs-chat serve --stop`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::local;
use crate::paths::Dirs;

/// How long a background emulator stays up with no requests.
pub const IDLE_EXIT: Duration = Duration::from_secs(2 * 60 * 60);

/// A reachable local emulator.
#[derive(Debug, Clone)]
pub struct LocalEmulator {
    pub endpoint: url::Url,
    pub cert_path: PathBuf,
    pub cert_pem: Vec<u8>,
    /// True when this call started it.
    pub started: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    #[error("cannot start the local emulator ({exe}): {source}")]
    Spawn { exe: String, source: std::io::Error },
    #[error(
        "the local emulator did not become ready within {secs} s; its log ({log}) ends with:\n{tail}"
    )]
    NotReady {
        secs: u64,
        log: String,
        tail: String,
    },
    #[error("port {port} answers, but not as the acs-chat emulator: {detail}")]
    Foreign { port: u16, detail: String },
    #[error("{0}")]
    Io(String),
}

/// Where the local emulator keeps its files.
pub struct EmulatorFiles {
    pub data_dir: PathBuf,
    pub cert: PathBuf,
    pub log: PathBuf,
}

impl EmulatorFiles {
    pub fn new(dirs: &Dirs) -> Self {
        let data_dir = dirs.emulator_data();
        Self {
            cert: data_dir.join("cert.pem"),
            log: data_dir.join("emulator.log"),
            data_dir,
        }
    }
}

enum Probe {
    Healthy(Vec<u8>),
    NotListening,
    Foreign(String),
}

/// Returns the running local emulator, starting it in the background if nothing
/// listens on its port.
pub async fn ensure_running(dirs: &Dirs, timeout: Duration) -> Result<LocalEmulator, LocalError> {
    let files = EmulatorFiles::new(dirs);
    let endpoint =
        url::Url::parse(&local::default_endpoint()).map_err(|e| LocalError::Io(e.to_string()))?;
    match probe(&files.cert).await {
        Probe::Healthy(cert_pem) => {
            return Ok(LocalEmulator {
                endpoint,
                cert_path: files.cert,
                cert_pem,
                started: false,
            });
        }
        Probe::Foreign(detail) => {
            return Err(LocalError::Foreign {
                port: local::DEFAULT_PORT,
                detail,
            });
        }
        Probe::NotListening => {}
    }
    spawn_detached(&files)?;
    let deadline = Instant::now() + timeout;
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        match probe(&files.cert).await {
            Probe::Healthy(cert_pem) => {
                return Ok(LocalEmulator {
                    endpoint,
                    cert_path: files.cert,
                    cert_pem,
                    started: true,
                });
            }
            // The certificate may be rewritten by the emulator that wins a start race;
            // keep probing until the deadline before calling the port foreign.
            Probe::Foreign(detail) if Instant::now() >= deadline => {
                return Err(LocalError::Foreign {
                    port: local::DEFAULT_PORT,
                    detail,
                });
            }
            _ => {}
        }
        if Instant::now() >= deadline {
            return Err(LocalError::NotReady {
                secs: timeout.as_secs(),
                log: files.log.display().to_string(),
                tail: log_tail(&files.log),
            });
        }
    }
}

/// Asks `GET /emulator/health` over https, trusting only the emulator's own certificate.
async fn probe(cert_path: &Path) -> Probe {
    let Ok(cert_pem) = std::fs::read(cert_path) else {
        // No certificate yet: either nothing ever ran here, or it is being created.
        return match tokio::net::TcpStream::connect((local::DEFAULT_HOST, local::DEFAULT_PORT))
            .await
        {
            Ok(_) => Probe::Foreign("no certificate in the emulator's data dir".into()),
            Err(_) => Probe::NotListening,
        };
    };
    let client = match health_client(&cert_pem) {
        Ok(c) => c,
        Err(e) => return Probe::Foreign(e),
    };
    let url = format!("{}emulator/health", local::default_endpoint());
    match client.get(url).send().await {
        Ok(resp) if resp.status().is_success() => match resp.json::<serde_json::Value>().await {
            Ok(v) if v.get("name").and_then(|n| n.as_str()) == Some("acs-chat-emulator") => {
                Probe::Healthy(cert_pem)
            }
            Ok(_) | Err(_) => Probe::Foreign("unexpected health response".into()),
        },
        Ok(resp) => Probe::Foreign(format!("health check answered {}", resp.status())),
        Err(e) if e.is_connect() => Probe::NotListening,
        Err(e) => Probe::Foreign(e.to_string()),
    }
}

fn health_client(cert_pem: &[u8]) -> Result<reqwest::Client, String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cert = reqwest::Certificate::from_pem(cert_pem)
        .map_err(|e| format!("emulator certificate: {e}"))?;
    reqwest::Client::builder()
        .tls_certs_only([cert])
        .timeout(Duration::from_millis(800))
        .build()
        .map_err(|e| e.to_string())
}

fn spawn_detached(files: &EmulatorFiles) -> Result<(), LocalError> {
    let exe = std::env::current_exe()
        .map_err(|e| LocalError::Io(format!("cannot find the acs-chat binary: {e}")))?;
    // Private from the start: the emulator will keep its token-signing secret here.
    crate::paths::ensure_private_dir(&files.data_dir)
        .map_err(|e| LocalError::Io(format!("cannot create {}: {e}", files.data_dir.display())))?;
    // The emulator writes its own (capped) log with --log-file; stderr goes to the same
    // file only for what comes before logging starts or after it ends (a bad flag, a
    // start-up error, a panic), so the readiness error can show it.
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let log = options
        .open(&files.log)
        .map_err(|e| LocalError::Io(format!("cannot open {}: {e}", files.log.display())))?;
    let mut cmd = std::process::Command::new(&exe);
    cmd.arg("serve")
        .arg("--data-dir")
        .arg(&files.data_dir)
        .arg("--idle-timeout")
        .arg(IDLE_EXIT.as_secs().to_string())
        .arg("--log-file")
        .arg(&files.log)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log));
    #[cfg(unix)]
    {
        // Its own session, without a controlling terminal: neither a Ctrl-C in the
        // client's terminal nor closing that terminal (SIGHUP) may stop it.
        use std::os::unix::process::CommandExt as _;
        // SAFETY: setsid is async-signal-safe, which is all pre_exec requires.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    cmd.spawn().map(drop).map_err(|source| LocalError::Spawn {
        exe: exe.display().to_string(),
        source,
    })
}

/// How much of the end of the log [`log_tail`] reads.
const TAIL_BYTES: u64 = 16 * 1024;

/// The last lines of the emulator's log, reading only its end (a log may be
/// megabytes; its start may be cut mid-character by rotation).
fn log_tail(path: &Path) -> String {
    use std::io::{Read as _, Seek as _, SeekFrom};
    let Ok(mut file) = std::fs::File::open(path) else {
        return String::new();
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let from = len.saturating_sub(TAIL_BYTES);
    let mut end = Vec::new();
    if file.seek(SeekFrom::Start(from)).is_err() || file.read_to_end(&mut end).is_err() {
        return String::new();
    }
    let text = String::from_utf8_lossy(&end);
    let mut lines: Vec<&str> = text.lines().collect();
    if from > 0 && !lines.is_empty() {
        // The first line read is most likely a partial one.
        lines.remove(0);
    }
    lines[lines.len().saturating_sub(8)..].join("\n")
}

/// Asks the emulator on `host:port` to shut down (`POST /emulator/shutdown`, HMAC-signed
/// with `access_key` like an Identity call). Tries https trusting `cert_pem` first, then
/// plain http (an emulator started with `--http`). `Ok(false)`: nothing listens there.
pub async fn stop(
    host: std::net::IpAddr,
    port: u16,
    access_key: &str,
    cert_pem: Option<&[u8]>,
) -> Result<bool, LocalError> {
    use crate::wire::signing;
    use base64::Engine as _;
    let key = base64::engine::general_purpose::STANDARD
        .decode(access_key.trim())
        .map_err(|_| LocalError::Io("the access key is not base64".into()))?;
    let authority = match host {
        std::net::IpAddr::V4(ip) => format!("{ip}:{port}"),
        std::net::IpAddr::V6(ip) => format!("[{ip}]:{port}"),
    };
    let path = "/emulator/shutdown";
    // https with the emulator's certificate when there is one, then plain http (an
    // emulator started with --http); a TLS failure looks like a connect error too.
    let mut schemes = Vec::new();
    if let Some(pem) = cert_pem {
        schemes.push(("https", health_client(pem).map_err(LocalError::Io)?));
    }
    let plain = reqwest::Client::builder()
        .timeout(Duration::from_secs(3))
        .build()
        .map_err(|e| LocalError::Io(e.to_string()))?;
    schemes.push(("http", plain));
    let mut last_error = None;
    for (scheme, client) in schemes {
        let date = httpdate_now();
        let hash = signing::content_hash(b"");
        let to_sign = signing::string_to_sign("POST", path, &date, &authority, &hash);
        let result = client
            .post(format!("{scheme}://{authority}{path}"))
            .header("x-ms-date", date)
            .header("x-ms-content-sha256", hash)
            .header(
                "authorization",
                signing::authorization_header(&signing::signature(&key, &to_sign)),
            )
            .header("content-length", "0")
            .send()
            .await;
        match result {
            Ok(resp) if resp.status().as_u16() == 204 => return Ok(true),
            Ok(resp) => {
                return Err(LocalError::Foreign {
                    port,
                    detail: format!("shutdown answered {}", resp.status()),
                });
            }
            Err(e) if e.is_connect() => {}
            Err(e) => last_error = Some(e.to_string()),
        }
    }
    match last_error {
        Some(e) => Err(LocalError::Io(format!(
            "cannot reach the emulator on {authority}: {e}"
        ))),
        None => Ok(false),
    }
}

/// `x-ms-date`: RFC 1123 in GMT.
fn httpdate_now() -> String {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_tail_reads_only_the_end_of_a_big_log() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("emulator.log");
        // Bytes that are not text at the start: reading the whole file as text fails.
        let mut log = vec![0xff_u8; 1024 * 1024];
        for i in 0..20 {
            log.extend_from_slice(format!("\nline {i}").as_bytes());
        }
        std::fs::write(&path, &log).expect("write");
        let want: Vec<String> = (12..20).map(|i| format!("line {i}")).collect();
        assert_eq!(log_tail(&path), want.join("\n"));
        assert_eq!(log_tail(&dir.path().join("missing.log")), "");
    }
}
