//! Whom the client trusts over TLS: one rustls configuration, built once from the
//! [`HttpConfig`], used by the REST transport and the push WebSocket alike, so the two
//! can never disagree about a certificate.

use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;

use super::config::HttpConfig;
use super::error::{Error, Result};

/// The client's TLS settings: only the extra CAs when `trust_only_extra_ca` (the
/// loopback case: no public CA vouches for a loopback name), else the platform's
/// verifier with the extra CAs added. ALPN offers HTTP/1.1 only: the transport speaks
/// nothing else, and a WebSocket upgrade needs it.
pub(crate) fn client_config(http: &HttpConfig) -> Result<rustls::ClientConfig> {
    let certs = extra_roots(&http.extra_ca_pem)?;
    if http.trust_only_extra_ca && certs.is_empty() {
        return Err(Error::config(
            "trust_only_extra_ca is set but no extra CA certificate was given",
        ));
    }
    // Explicit, not the process default: the configuration must not depend on which
    // provider some other part of the process installed first.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls_error = |e: rustls::Error| Error::config(format!("could not set up TLS: {e}"));
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(tls_error)?;
    let mut config = if http.trust_only_extra_ca {
        let mut roots = rustls::RootCertStore::empty();
        for cert in certs {
            roots.add(cert).map_err(tls_error)?;
        }
        builder.with_root_certificates(roots).with_no_client_auth()
    } else {
        let verifier = if certs.is_empty() {
            rustls_platform_verifier::Verifier::new(provider)
        } else {
            rustls_platform_verifier::Verifier::new_with_extra_roots(certs, provider)
        }
        .map_err(tls_error)?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth()
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// The certificates of the extra CA bundles; a bundle that is not PEM, or holds no
/// certificate, is a configuration error (it would silently trust nothing).
fn extra_roots(pems: &[Vec<u8>]) -> Result<Vec<CertificateDer<'static>>> {
    let mut certs = Vec::new();
    for (i, pem) in pems.iter().enumerate() {
        let number = i.saturating_add(1);
        let before = certs.len();
        for cert in CertificateDer::pem_slice_iter(pem) {
            certs.push(cert.map_err(|e| {
                Error::config(format!(
                    "extra CA certificate #{number} is not valid PEM: {e}"
                ))
            })?);
        }
        if certs.len() == before {
            return Err(Error::config(format!(
                "extra CA certificate #{number} holds no certificate"
            )));
        }
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acs::ErrorKind;

    fn kind(http: HttpConfig) -> Option<ErrorKind> {
        client_config(&http).err().map(|e| e.kind())
    }

    #[test]
    fn bad_extra_certificates_are_config_errors() {
        for pem in [
            &b"-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n"[..],
            b"not a certificate",
            b"",
        ] {
            for only in [false, true] {
                let http = HttpConfig {
                    extra_ca_pem: vec![pem.to_vec()],
                    trust_only_extra_ca: only,
                    ..HttpConfig::default()
                };
                assert_eq!(kind(http), Some(ErrorKind::Config), "{pem:?} only={only}");
            }
        }
        let nothing_to_trust = HttpConfig {
            trust_only_extra_ca: true,
            ..HttpConfig::default()
        };
        assert_eq!(kind(nothing_to_trust), Some(ErrorKind::Config));
    }
}
