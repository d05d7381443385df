//! The emulator's self-signed certificate (SANs 127.0.0.1, ::1, localhost), made on
//! first start and kept in the data directory so clients can trust it once; in
//! memory for `--in-memory`.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Certificate and key in PEM, and where the certificate is (if on disk).
pub struct CertPair {
    pub cert_pem: String,
    pub key_pem: String,
    pub cert_path: Option<PathBuf>,
}

/// Making or reading the certificate failed.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot generate the certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} is not a PEM certificate/key; delete cert.pem and key.pem to make new ones")]
    Invalid(PathBuf),
}

fn generate() -> Result<(String, String), TlsError> {
    let names = vec![
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
        "localhost".to_owned(),
    ];
    let ck = rcgen::generate_simple_self_signed(names)?;
    Ok((ck.cert.pem(), ck.signing_key.serialize_pem()))
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> TlsError + '_ {
    move |source| TlsError::Io {
        path: path.to_owned(),
        source,
    }
}

fn write_private(path: &Path, text: &str) -> Result<(), TlsError> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(io(path))?;
    f.write_all(text.as_bytes()).map_err(io(path))
}

/// Reads `cert.pem`/`key.pem` from `dir`, creating them if absent; `None` = in memory.
pub fn load_or_create(dir: Option<&Path>) -> Result<CertPair, TlsError> {
    let Some(dir) = dir else {
        let (cert_pem, key_pem) = generate()?;
        return Ok(CertPair {
            cert_pem,
            key_pem,
            cert_path: None,
        });
    };
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    if cert_path.exists() && key_path.exists() {
        let cert_pem = std::fs::read_to_string(&cert_path).map_err(io(&cert_path))?;
        let key_pem = std::fs::read_to_string(&key_path).map_err(io(&key_path))?;
        if !cert_pem.contains("BEGIN CERTIFICATE") {
            return Err(TlsError::Invalid(cert_path));
        }
        if !key_pem.contains("PRIVATE KEY") {
            return Err(TlsError::Invalid(key_path));
        }
        return Ok(CertPair {
            cert_pem,
            key_pem,
            cert_path: Some(cert_path),
        });
    }
    let (cert_pem, key_pem) = generate()?;
    write_private(&key_path, &key_pem)?;
    std::fs::write(&cert_path, &cert_pem).map_err(io(&cert_path))?;
    Ok(CertPair {
        cert_pem,
        key_pem,
        cert_path: Some(cert_path),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_then_reused_with_private_key_mode() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = load_or_create(Some(dir.path())).expect("create");
        let b = load_or_create(Some(dir.path())).expect("reuse");
        assert_eq!(a.cert_pem, b.cert_pem);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join("key.pem"))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(dir.path().join("cert.pem"), "garbage").expect("write");
        assert!(matches!(
            load_or_create(Some(dir.path())),
            Err(TlsError::Invalid(_))
        ));
    }
}
