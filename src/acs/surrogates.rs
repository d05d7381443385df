//! Lone UTF-16 surrogate escapes in JSON answers.
//!
//! The service is .NET: its strings may hold an unpaired surrogate (a message cut in
//! the middle of an emoji, or sent that way on purpose), which its JSON writer emits
//! as `\uD800`. serde_json refuses such an escape, so one message like that would make
//! a whole page of messages unreadable, for every member, on every poll. Each lone
//! surrogate escape becomes `\uFFFD` (the replacement character) before parsing;
//! paired surrogates and everything else are left alone.

use std::borrow::Cow;

/// `body` with every unpaired `\uD800`–`\uDFFF` escape replaced by `\uFFFD`.
pub(crate) fn repair(body: &[u8]) -> Cow<'_, [u8]> {
    if !body
        .windows(3)
        .any(|w| w[0] == b'\\' && w[1] == b'u' && matches!(w[2], b'd' | b'D'))
    {
        return Cow::Borrowed(body);
    }
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if body[i] != b'\\' {
            out.push(body[i]);
            i += 1;
            continue;
        }
        match (body.get(i + 1), unit(body, i)) {
            (Some(b'u'), Some(u)) if (0xD800..=0xDBFF).contains(&u) => {
                if unit(body, i + 6).is_some_and(|low| (0xDC00..=0xDFFF).contains(&low)) {
                    out.extend_from_slice(&body[i..i + 12]);
                    i += 12;
                } else {
                    out.extend_from_slice(b"\\uFFFD");
                    i += 6;
                }
            }
            (Some(b'u'), Some(u)) if (0xDC00..=0xDFFF).contains(&u) => {
                out.extend_from_slice(b"\\uFFFD");
                i += 6;
            }
            // Any other escape (including `\\`) is copied whole, so an escaped
            // backslash followed by `uD800` text is not mistaken for an escape.
            (Some(&next), _) => {
                out.push(b'\\');
                out.push(next);
                i += 2;
            }
            (None, _) => {
                out.push(b'\\');
                i += 1;
            }
        }
    }
    Cow::Owned(out)
}

/// The code unit of a `\uXXXX` escape starting at `at`, if there is one.
fn unit(body: &[u8], at: usize) -> Option<u32> {
    let esc = body.get(at..at + 6)?;
    if esc[0] != b'\\' || esc[1] != b'u' {
        return None;
    }
    u32::from_str_radix(std::str::from_utf8(&esc[2..]).ok()?, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> String {
        let fixed = repair(s.as_bytes());
        serde_json::from_slice::<String>(&fixed).expect("parses after repair")
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        assert_eq!(parse(r#""a\ud800b""#), "a\u{FFFD}b");
        assert_eq!(parse(r#""\uDFFF""#), "\u{FFFD}");
        assert_eq!(parse(r#""\ud800\ud800\udc00""#), "\u{FFFD}\u{10000}");
        assert_eq!(parse(r#""end\uD83D""#), "end\u{FFFD}");
    }

    #[test]
    fn pairs_escaped_backslashes_and_plain_text_are_untouched() {
        assert_eq!(parse(r#""\ud83d\ude00""#), "\u{1F600}");
        assert_eq!(parse(r#""\\ud800 is text""#), "\\ud800 is text");
        assert!(matches!(repair(br#"{"a":"plain \n"}"#), Cow::Borrowed(_)));
    }
}
