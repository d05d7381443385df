//! The documented local default: where the built-in emulator listens and the
//! development access key it accepts, both fixed (as Azurite does for Storage) so
//! `acs-chat --as alice` needs no configuration at all.
//!
//! These values are public on purpose. They protect nothing; they only let every
//! tool on one machine find the same local emulator.

/// The loopback port of the local emulator (https).
pub const DEFAULT_PORT: u16 = 47443;

/// The loopback host of the local emulator.
pub const DEFAULT_HOST: &str = "127.0.0.1";

/// The development access key (base64), accepted by a default `acs-chat serve`.
pub const DEV_ACCESS_KEY: &str =
    "YWNzLWNoYXQgbG9jYWwgZW11bGF0b3IgZGV2ZWxvcG1lbnQga2V5IC0gbm90IGEgc2VjcmV0";

/// The immutable resource id of the emulated ACS resource, as it appears in user ids
/// (`8:acs:<resource id>_<user>`) and in token claims.
pub const RESOURCE_ID: &str = "5e1f0c8a-7d2b-4c1e-9a3f-ac5c4a7e0001";

/// The local default endpoint URL.
pub fn default_endpoint() -> String {
    format!("https://{DEFAULT_HOST}:{DEFAULT_PORT}/")
}

/// The local default connection string.
pub fn default_connection_string() -> String {
    format!("endpoint={};accesskey={DEV_ACCESS_KEY}", default_endpoint())
}

/// Loopback hosts: 127.0.0.0/8, ::1 and localhost. One rule for the client choosing
/// its trust, the emulator's webhooks (http to loopback only) and its CORS policy.
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}
