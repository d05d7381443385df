//! Slash commands typed in the compose box: parsing (with double-quoted arguments) and
//! Tab completion of command names and profile names.

use thiserror::Error;

/// A parsed slash command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlashCommand {
    /// `/new TOPIC [user…] [--sticky]`
    New {
        topic: String,
        members: Vec<String>,
        sticky: bool,
    },
    /// `/topic TEXT…`
    Topic(String),
    /// `/invite USER…`
    Invite(Vec<String>),
    /// `/remove USER`
    Remove(String),
    Leave,
    Members,
    Help,
    Quit,
    /// `/search TEXT…`
    Search(String),
}

/// Why a line starting with `/` is not a valid command.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CommandError {
    #[error("unknown command /{0} (try /help)")]
    Unknown(String),
    #[error("usage: {0}")]
    Usage(&'static str),
    #[error("unterminated quote")]
    Unterminated,
}

/// Every command with its usage line; the help overlay and completion use this table.
pub const COMMANDS: &[(&str, &str)] = &[
    (
        "new",
        "/new TOPIC [user…] [--sticky]   create a thread (quote a topic with spaces)",
    ),
    ("topic", "/topic TEXT                     change the topic"),
    ("invite", "/invite USER…                   add members"),
    ("remove", "/remove USER                    remove a member"),
    ("leave", "/leave                          leave the thread"),
    (
        "members",
        "/members                        toggle the participant pane",
    ),
    (
        "search",
        "/search TEXT                    search this thread",
    ),
    ("help", "/help                           this help"),
    ("quit", "/quit                           quit"),
];

fn usage(name: &str) -> &'static str {
    COMMANDS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or("/help", |(_, u)| u)
}

/// Splits on whitespace, keeping double-quoted runs together (quotes removed).
pub fn tokenize(s: &str) -> Result<Vec<String>, CommandError> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_token = false;
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                in_token = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_token {
                    out.push(std::mem::take(&mut cur));
                    in_token = false;
                }
            }
            c => {
                cur.push(c);
                in_token = true;
            }
        }
    }
    if quoted {
        return Err(CommandError::Unterminated);
    }
    if in_token {
        out.push(cur);
    }
    Ok(out)
}

/// Parses a compose line that starts with `/`; `None` if it is not a command at all.
/// (`//text` sends `/text` as a message: see [`unescape_message`].)
pub fn parse(line: &str) -> Option<Result<SlashCommand, CommandError>> {
    let body = line.strip_prefix('/')?;
    if body.starts_with('/') {
        return None;
    }
    let (name, rest) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
    let name = name.to_ascii_lowercase();
    Some(parse_named(&name, rest.trim()))
}

/// A line starting with `//` is a message that begins with `/`.
pub fn unescape_message(line: &str) -> &str {
    if line.starts_with("//") {
        &line[1..]
    } else {
        line
    }
}

fn parse_named(name: &str, rest: &str) -> Result<SlashCommand, CommandError> {
    let no_args = |cmd: SlashCommand| {
        if rest.is_empty() {
            Ok(cmd)
        } else {
            Err(CommandError::Usage(usage(name)))
        }
    };
    match name {
        "new" => {
            let mut args = tokenize(rest)?;
            let sticky = args.iter().any(|a| a == "--sticky");
            args.retain(|a| a != "--sticky");
            let mut it = args.into_iter();
            let topic = it
                .next()
                .filter(|t| !t.trim().is_empty())
                .ok_or(CommandError::Usage(usage(name)))?;
            Ok(SlashCommand::New {
                topic,
                members: it.collect(),
                sticky,
            })
        }
        "topic" if !rest.is_empty() => Ok(SlashCommand::Topic(rest.to_owned())),
        "invite" => {
            let members = tokenize(rest)?;
            if members.is_empty() {
                Err(CommandError::Usage(usage(name)))
            } else {
                Ok(SlashCommand::Invite(members))
            }
        }
        "remove" => match tokenize(rest)?.as_slice() {
            [one] => Ok(SlashCommand::Remove(one.clone())),
            _ => Err(CommandError::Usage(usage(name))),
        },
        "search" if !rest.is_empty() => Ok(SlashCommand::Search(rest.to_owned())),
        "topic" | "search" => Err(CommandError::Usage(usage(name))),
        "leave" => no_args(SlashCommand::Leave),
        "members" => no_args(SlashCommand::Members),
        "help" => Ok(SlashCommand::Help),
        "quit" | "q" | "exit" => no_args(SlashCommand::Quit),
        other => Err(CommandError::Unknown(other.to_owned())),
    }
}

/// Result of a Tab press on the compose line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completion {
    /// Replace the whole line with this.
    Replace(String),
    /// Several candidates and nothing more to add: show them.
    Candidates(Vec<String>),
    None,
}

/// Completes the last word of `line`: the command name while typing it, then (for
/// commands that take users) one of `names`.
pub fn complete(line: &str, names: &[String]) -> Completion {
    let Some(body) = line.strip_prefix('/') else {
        return Completion::None;
    };
    let (cands, word_start): (Vec<String>, usize) = match body.split_once(' ') {
        None => (
            COMMANDS
                .iter()
                .map(|(n, _)| format!("{n} "))
                .filter(|n| n.starts_with(body))
                .collect(),
            1,
        ),
        Some(("new" | "invite" | "remove", _)) => {
            let start = line.rfind(' ').map_or(line.len(), |i| i + 1);
            let word = &line[start..];
            let lower = word.to_lowercase();
            let cands = names
                .iter()
                .filter(|n| n.to_lowercase().starts_with(&lower))
                .map(|n| format!("{n} "))
                .collect();
            (cands, start)
        }
        Some(_) => return Completion::None,
    };
    let prefix = &line[..word_start];
    match cands.as_slice() {
        [] => Completion::None,
        [one] => Completion::Replace(format!("{prefix}{one}")),
        many => {
            let common = common_prefix(many);
            if common.len() > line.len() - word_start {
                Completion::Replace(format!("{prefix}{common}"))
            } else {
                Completion::Candidates(many.iter().map(|c| c.trim_end().to_owned()).collect())
            }
        }
    }
}

fn common_prefix(words: &[String]) -> String {
    let Some(first) = words.first() else {
        return String::new();
    };
    let mut len = first.len();
    for w in &words[1..] {
        len = first
            .char_indices()
            .zip(w.chars())
            .take_while(|((_, a), b)| a == b)
            .map(|((i, a), _)| i + a.len_utf8())
            .last()
            .unwrap_or(0)
            .min(len);
    }
    first[..len].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use SlashCommand as C;

    #[test]
    fn parses_table() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let cases: Vec<(&str, Result<SlashCommand, CommandError>)> = vec![
            (
                "/new Lunch",
                Ok(C::New {
                    topic: "Lunch".into(),
                    members: vec![],
                    sticky: false,
                }),
            ),
            (
                "/new \"Team lunch\" bob carol --sticky",
                Ok(C::New {
                    topic: "Team lunch".into(),
                    members: s(&["bob", "carol"]),
                    sticky: true,
                }),
            ),
            (
                "/new --sticky x",
                Ok(C::New {
                    topic: "x".into(),
                    members: vec![],
                    sticky: true,
                }),
            ),
            ("/new", Err(CommandError::Usage(usage("new")))),
            ("/new \"open", Err(CommandError::Unterminated)),
            ("/topic  New  topic ", Ok(C::Topic("New  topic".into()))),
            ("/topic", Err(CommandError::Usage(usage("topic")))),
            ("/invite bob carol", Ok(C::Invite(s(&["bob", "carol"])))),
            ("/invite", Err(CommandError::Usage(usage("invite")))),
            ("/remove bob", Ok(C::Remove("bob".into()))),
            ("/remove \"Bob Smith\"", Ok(C::Remove("Bob Smith".into()))),
            ("/remove a b", Err(CommandError::Usage(usage("remove")))),
            ("/leave", Ok(C::Leave)),
            ("/leave now", Err(CommandError::Usage(usage("leave")))),
            ("/members", Ok(C::Members)),
            ("/HELP", Ok(C::Help)),
            ("/quit", Ok(C::Quit)),
            ("/search needle x", Ok(C::Search("needle x".into()))),
            (
                "/frobnicate",
                Err(CommandError::Unknown("frobnicate".into())),
            ),
        ];
        for (line, want) in cases {
            assert_eq!(parse(line), Some(want), "line {line:?}");
        }
        assert_eq!(parse("hello"), None);
        assert_eq!(parse("//not a command"), None);
        assert_eq!(unescape_message("//x"), "/x");
    }

    #[test]
    fn completes_commands_and_names() {
        let names = vec!["alice".to_owned(), "bob".to_owned(), "bobby".to_owned()];
        assert_eq!(
            complete("/to", &names),
            Completion::Replace("/topic ".into())
        );
        assert_eq!(
            complete("/inv", &names),
            Completion::Replace("/invite ".into())
        );
        assert_eq!(
            complete("/invite a", &names),
            Completion::Replace("/invite alice ".into())
        );
        assert_eq!(
            complete("/invite alice b", &names),
            Completion::Replace("/invite alice bob".into())
        );
        assert_eq!(
            complete("/invite alice bob", &names),
            Completion::Candidates(vec!["bob".into(), "bobby".into()])
        );
        assert_eq!(complete("/topic b", &names), Completion::None);
        assert_eq!(complete("hello", &names), Completion::None);
        assert_eq!(complete("/zz", &names), Completion::None);
    }
}
