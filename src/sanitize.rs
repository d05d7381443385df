//! Text from the network is data, never terminal input. Every string that came from the
//! service (message text, topics, display names, error texts) passes through here before
//! it is shown, by the interactive client and the scripting subcommands' tables alike,
//! so no escape sequence or control character can reach the terminal, and no BIDI
//! override can reorder what the user sees.
//!
//! Neutralized: ANSI/VT escape sequences (CSI, OSC, DCS, SOS, PM, APC, two-byte ESC
//! sequences) and their 8-bit C1 forms, every other C0/C1 control and DEL, the BIDI
//! embedding/override/isolate controls and marks, and the byte-order mark. Tabs become
//! spaces; newlines (and U+2028/2029) are kept only in message bodies, marked `⏎` in
//! table cells. `html` messages are turned into
//! text (tags stripped, basic entities decoded) and then sanitized like any other text.

const TAB_SPACES: &str = "    ";

/// Sanitizes a message body: keeps newlines (CR LF and lone CR become LF).
pub fn message_text(s: &str) -> String {
    clean(s, '\n')
}

/// Sanitizes a one-line field (topic, display name, error): newlines become spaces.
pub fn one_line(s: &str) -> String {
    clean(s, ' ').trim().to_owned()
}

/// Sanitizes a table cell of the scripting subcommands: one line, each line break
/// shown as `⏎` so multi-line text stays recognisable.
pub fn table_cell(s: &str) -> String {
    clean(s, '⏎')
}

/// Turns an `html` message body into sanitized plain text.
pub fn html_message(s: &str) -> String {
    message_text(&html_to_text(s))
}

/// Whether `c` is a BIDI control (embedding, override, isolate, mark) or a BOM.
fn is_bidi_or_bom(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{FEFF}')
}

/// Skips the rest of an escape sequence whose introducer was already consumed.
/// `kind` is the final char of the introducer (`[` for CSI, `]` for OSC, ...).
fn skip_sequence(kind: char, it: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match kind {
        // CSI: parameter/intermediate bytes, then one final byte 0x40..=0x7E.
        '[' => {
            for c in it.by_ref() {
                if ('\u{40}'..='\u{7E}').contains(&c) {
                    break;
                }
                if !('\u{20}'..='\u{3F}').contains(&c) {
                    break; // malformed: drop what we saw and stop
                }
            }
        }
        // String sequences: until BEL, ST (ESC \) or the 8-bit ST.
        ']' | 'P' | 'X' | '^' | '_' => {
            while let Some(c) = it.next() {
                if c == '\u{07}' || c == '\u{9C}' {
                    break;
                }
                if c == '\u{1B}' {
                    if it.peek() == Some(&'\\') {
                        it.next();
                    }
                    break;
                }
            }
        }
        _ => {}
    }
}

/// Neutralizes `s`; each line break becomes `newline`.
fn clean(s: &str, newline: char) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\u{1B}' => match it.next() {
                Some(k @ ('[' | ']' | 'P' | 'X' | '^' | '_')) => skip_sequence(k, &mut it),
                // Two-byte sequences (ESC c, ESC 7, ESC ( B's first half...): drop both.
                Some('(' | ')' | '*' | '+' | '#' | '%') => {
                    it.next();
                }
                _ => {}
            },
            '\u{9B}' => skip_sequence('[', &mut it),
            '\u{9D}' => skip_sequence(']', &mut it),
            '\u{90}' => skip_sequence('P', &mut it),
            '\u{98}' => skip_sequence('X', &mut it),
            '\u{9E}' => skip_sequence('^', &mut it),
            '\u{9F}' => skip_sequence('_', &mut it),
            '\r' => {
                if it.peek() != Some(&'\n') {
                    out.push(newline);
                }
            }
            '\n' | '\u{2028}' | '\u{2029}' => out.push(newline),
            '\t' => out.push_str(TAB_SPACES),
            c if c.is_control() => {}
            c if is_bidi_or_bom(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Strips tags and decodes the basic entities; block-level tags become line breaks.
fn html_to_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(lt) = rest.find('<') {
        decode_entities_into(&rest[..lt], &mut out);
        let after = &rest[lt + 1..];
        let Some(gt) = after.find('>') else {
            // A lone `<` is text.
            decode_entities_into(&rest[lt..], &mut out);
            return out;
        };
        let tag = after[..gt]
            .trim()
            .trim_start_matches('/')
            .to_ascii_lowercase();
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if matches!(
            name.as_str(),
            "br" | "p" | "div" | "li" | "tr" | "h1" | "h2" | "h3" | "blockquote"
        ) && !out.is_empty()
            && !out.ends_with('\n')
        {
            out.push('\n');
        }
        rest = &after[gt + 1..];
    }
    decode_entities_into(rest, &mut out);
    let trimmed = out.trim_end_matches('\n').len();
    out.truncate(trimmed);
    out
}

fn decode_entities_into(s: &str, out: &mut String) {
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| decode_entity(&after[..e]));
        match (end, decoded) {
            (Some(e), Some(c)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            _ => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

fn decode_entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            // Decoded controls are removed by the sanitizing pass that follows.
            char::from_u32(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_escape_sequences_of_every_kind() {
        let cases = [
            ("a\u{1b}[31mred\u{1b}[0m", "ared"),
            ("x\u{1b}]0;title\u{07}y", "xy"),
            (
                "x\u{1b}]8;;http://e\u{1b}\\link\u{1b}]8;;\u{1b}\\y",
                "xlinky",
            ),
            ("x\u{1b}Pq#0;2;0;0;0\u{1b}\\y", "xy"),
            ("x\u{9b}2Jy", "xy"),
            ("x\u{9d}0;t\u{9c}y", "xy"),
            ("x\u{1b}cy", "xy"),
            ("x\u{1b}(By", "xy"),
            ("bell\u{07} del\u{7f} nul\u{0} c1\u{85}", "bell del nul c1"),
            ("\u{1b}[", ""),
        ];
        for (input, want) in cases {
            assert_eq!(message_text(input), want, "input {input:?}");
        }
    }

    #[test]
    fn removes_bidi_controls_and_bom() {
        assert_eq!(
            one_line("abc\u{202E}fed\u{202C}\u{2066}x\u{2069}\u{200F}\u{FEFF}"),
            "abcfedx"
        );
    }

    #[test]
    fn newlines_and_tabs() {
        assert_eq!(message_text("a\r\nb\rc\td"), "a\nb\nc    d");
        assert_eq!(one_line(" a\nb\r\nc "), "a b c");
    }

    #[test]
    fn table_cells_are_one_line_with_marked_breaks() {
        assert_eq!(
            table_cell("a\r\nb\u{2028}c\u{2029}d\u{061C}e\u{FEFF}f\u{1b}[2Jg"),
            "a⏎b⏎c⏎defg"
        );
    }

    #[test]
    fn keeps_unicode_text() {
        assert_eq!(message_text("héllo 世界 👋🏽"), "héllo 世界 👋🏽");
    }

    #[test]
    fn html_becomes_text() {
        assert_eq!(
            html_message("<p>Hi <b>Bob</b> &amp; &lt;all&gt;</p><p>2nd&nbsp;line<br/>3rd</p>"),
            "Hi Bob & <all>\n2nd line\n3rd"
        );
        assert_eq!(
            html_message("a < b &unknown; &#65;&#x42;"),
            "a < b &unknown; AB"
        );
        // Entities cannot smuggle controls back in.
        assert_eq!(html_message("x&#27;[31my&#x9b;z"), "xy");
    }

    proptest::proptest! {
        #[test]
        fn no_control_or_bidi_survives(input in proptest::collection::vec(proptest::char::any(), 0..200)) {
            let input: String = input.into_iter().collect();
            for out in [message_text(&input), one_line(&input), html_message(&input), table_cell(&input)] {
                for c in out.chars() {
                    proptest::prop_assert!(c == '\n' || !c.is_control(), "{:?} in {:?}", c, out);
                    proptest::prop_assert!(!is_bidi_or_bom(c));
                }
            }
            proptest::prop_assert!(!one_line(&input).contains('\n'));
        }

        #[test]
        fn plain_text_is_untouched(input in "[a-zA-Z0-9 .,!?\u{e9}\u{4e16}\u{1f44b}]{0,80}") {
            proptest::prop_assert_eq!(message_text(&input), input);
        }
    }
}
