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

/// Loopback hosts: 127.0.0.0/8, ::1 (also IPv4-mapped, `::ffff:127.x.y.z`), and
/// `localhost` and its subdomains (any case, trailing dot or not), which RFC 6761
/// reserves for loopback and browsers resolve there. One rule for the client's
/// plain-http guard and its choice of trust, the emulator's webhooks (http to loopback
/// only) and its CORS policy.
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => std::net::IpAddr::V6(ip).to_canonical().is_loopback(),
        Some(url::Host::Domain(d)) => {
            let d = d.strip_suffix('.').unwrap_or(d).to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for (u, want) in [
            ("https://127.0.0.1:1/", true),
            ("http://127.9.9.9/", true),
            ("https://[::1]/", true),
            ("http://[::ffff:127.0.0.1]:5/", true),
            ("http://[::ffff:7f00:2]/", true),
            ("https://LOCALHOST/", true),
            ("http://LocalHost./", true),
            ("http://app.localhost:5173/", true),
            ("http://a.b.LOCALHOST./", true),
            ("https://example.com/", false),
            ("http://10.0.0.1/", false),
            ("http://[::2]/", false),
            ("http://[::ffff:10.0.0.1]/", false),
            ("http://localhost.example.com/", false),
            ("http://notlocalhost/", false),
            ("http://0.0.0.0/", false),
        ] {
            assert_eq!(is_loopback(&url::Url::parse(u).expect("url")), want, "{u}");
        }
    }
}
