//! Which endpoint and profile: flags > environment > config file > local default.

use std::path::PathBuf;

use super::{ConfigError, ConfigFile, profile_name, validate_profile_name};

/// What the command line (flags, merged with the environment by the caller) says of
/// where to connect. Plain data: the config layer does not know who parsed it.
#[derive(Debug, Clone, Default)]
pub struct ConnectionFlags {
    pub connection_string: Option<String>,
    pub endpoint: Option<String>,
    pub token: Option<String>,
    pub ca_cert: Option<PathBuf>,
    /// `--as`.
    pub profile: Option<String>,
}

/// Where to connect, after applying precedence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The built-in local emulator, auto-started when needed.
    LocalDefault,
    /// An ACS resource by connection string: profiles are minted through Identity.
    ConnectionString(String),
    /// One identity: endpoint + user access token.
    EndpointToken { endpoint: String, token: String },
}

/// The resolved connection: target, extra CA and profile name.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub target: Target,
    pub ca_cert: Option<PathBuf>,
    pub profile: String,
}

/// Applies flags > environment > config file > local default. `args` already holds
/// flags merged with the environment; `COMMUNICATION_SERVICES_CONNECTION_STRING`,
/// the name the official samples use, is read here as the last environment fallback.
pub fn resolve(args: &ConnectionFlags, file: &ConfigFile) -> Result<Resolved, ConfigError> {
    let env_cs = || {
        std::env::var("COMMUNICATION_SERVICES_CONNECTION_STRING")
            .ok()
            .filter(|s| !s.trim().is_empty())
    };
    let target = match (&args.connection_string, &args.endpoint, &args.token) {
        (Some(_), Some(_), _) => {
            return Err(ConfigError::Invalid(
                "give either --connection-string or --endpoint with --token, not both".into(),
            ));
        }
        (Some(cs), None, _) => Target::ConnectionString(cs.clone()),
        (None, Some(endpoint), Some(token)) => Target::EndpointToken {
            endpoint: endpoint.clone(),
            token: token.clone(),
        },
        (None, Some(_), None) => {
            return Err(ConfigError::Invalid(
                "--endpoint needs --token (or ACS_TOKEN)".into(),
            ));
        }
        (None, None, Some(_)) => {
            return Err(ConfigError::Invalid(
                "--token needs --endpoint (or ACS_ENDPOINT)".into(),
            ));
        }
        (None, None, None) => match env_cs() {
            Some(cs) => Target::ConnectionString(cs),
            None => match (&file.connection_string, &file.endpoint, &file.token) {
                (Some(_), Some(_), _) => {
                    return Err(ConfigError::Invalid(
                        "config file: set either connection_string or endpoint + token, not both"
                            .into(),
                    ));
                }
                (Some(cs), None, _) => Target::ConnectionString(cs.clone()),
                (None, Some(e), Some(t)) => Target::EndpointToken {
                    endpoint: e.clone(),
                    token: t.clone(),
                },
                (None, Some(_), None) | (None, None, Some(_)) => {
                    return Err(ConfigError::Invalid(
                        "config file: endpoint and token go together".into(),
                    ));
                }
                (None, None, None) => Target::LocalDefault,
            },
        },
    };
    let profile = args
        .profile
        .clone()
        .or_else(|| file.default_profile.clone())
        .unwrap_or_else(|| default_profile(&target, std::env::var("USER").ok()));
    let profile = profile_name(&profile).map_err(ConfigError::Invalid)?;
    Ok(Resolved {
        target,
        ca_cert: args.ca_cert.clone().or_else(|| file.ca_cert.clone()),
        profile,
    })
}

/// The profile when none is named. On the local emulator or with a connection string
/// it is the seed's Alice. With endpoint + token the identity is whoever the token
/// belongs to, so the name (shown as the sender's display name) is the login name
/// rather than a stranger's.
fn default_profile(target: &Target, login: Option<String>) -> String {
    match target {
        Target::EndpointToken { .. } => login
            .map(|l| l.to_lowercase())
            .filter(|l| validate_profile_name(l).is_ok())
            .unwrap_or_else(|| "me".to_owned()),
        Target::LocalDefault | Target::ConnectionString(_) => "alice".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_flags_then_file_then_default() {
        let file =
            ConfigFile::parse("connection_string = \"endpoint=https://file/;accesskey=a2V5\"")
                .expect("valid");
        let none = ConnectionFlags::default();
        // The environment could hold COMMUNICATION_SERVICES_CONNECTION_STRING; only assert
        // on the file when it does not.
        if std::env::var_os("COMMUNICATION_SERVICES_CONNECTION_STRING").is_none() {
            let r = resolve(&none, &file).expect("file");
            assert_eq!(
                r.target,
                Target::ConnectionString("endpoint=https://file/;accesskey=a2V5".into())
            );
            let r = resolve(&none, &ConfigFile::default()).expect("default");
            assert_eq!(r.target, Target::LocalDefault);
            assert_eq!(r.profile, "alice");
        }
        let flags = ConnectionFlags {
            endpoint: Some("https://flag/".into()),
            token: Some("t".into()),
            profile: Some("bob".into()),
            ..ConnectionFlags::default()
        };
        let r = resolve(&flags, &file).expect("flags win");
        assert_eq!(
            r.target,
            Target::EndpointToken {
                endpoint: "https://flag/".into(),
                token: "t".into()
            }
        );
        assert_eq!(r.profile, "bob");
    }

    #[test]
    fn profile_names_are_lower_cased_and_keep_their_display_name() {
        let flags = ConnectionFlags {
            profile: Some("Carol".into()),
            ..ConnectionFlags::default()
        };
        let r = resolve(&flags, &ConfigFile::default()).expect("valid");
        assert_eq!(r.profile, "carol");
        let c = ConfigFile::parse("[profiles.Carol]\ndisplay_name = \"Caz\"").expect("valid");
        assert_eq!(c.display_name(&r.profile), "Caz");
        assert_eq!(ConfigFile::default().display_name(&r.profile), "Carol");
    }

    #[test]
    fn endpoint_and_token_without_a_profile_take_the_login_name() {
        let token = Target::EndpointToken {
            endpoint: "https://x/".into(),
            token: "t".into(),
        };
        assert_eq!(default_profile(&token, Some("Dana".into())), "dana");
        assert_eq!(default_profile(&token, Some("not a name".into())), "me");
        assert_eq!(default_profile(&token, None), "me");
        assert_eq!(
            default_profile(&Target::LocalDefault, Some("dana".into())),
            "alice"
        );
    }

    #[test]
    fn half_given_pairs_are_errors() {
        let args = ConnectionFlags {
            endpoint: Some("https://x/".into()),
            ..ConnectionFlags::default()
        };
        assert!(resolve(&args, &ConfigFile::default()).is_err());
        let args = ConnectionFlags {
            profile: Some("../evil".into()),
            ..ConnectionFlags::default()
        };
        assert!(resolve(&args, &ConfigFile::default()).is_err());
    }
}
