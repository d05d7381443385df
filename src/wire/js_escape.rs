//! JavaScript's `escape()` and `unescape()`: the signaling client passes the nested
//! JSON strings of thread events through `unescape()` before parsing them
//! (`TrouterUtils.ts`), so the service writes them `escape()`d (a `%` in a topic
//! must survive the round trip). Both work over UTF-16 code units, as JavaScript
//! does; malformed escapes stay as they are.

/// What `escape()` leaves alone.
fn kept(u: u16) -> bool {
    u8::try_from(u).is_ok_and(|b| b.is_ascii_alphanumeric() || b"@*_+-./".contains(&b))
}

/// `escape(s)`, over UTF-16 code units as JavaScript does.
pub fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for u in s.encode_utf16() {
        if kept(u) {
            out.push(char::from(u as u8));
        } else if u < 0x100 {
            out.push_str(&format!("%{u:02X}"));
        } else {
            out.push_str(&format!("%u{u:04X}"));
        }
    }
    out
}

/// `unescape(s)`: `%XX` and `%uXXXX` become UTF-16 code units; unpaired surrogates
/// become U+FFFD.
pub fn js_unescape(s: &str) -> String {
    let units: Vec<u16> = s.encode_utf16().collect();
    let mut out = Vec::with_capacity(units.len());
    let hex = |u: &[u16]| -> Option<u16> {
        let text = String::from_utf16(u).ok()?;
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u16::from_str_radix(&text, 16).ok()
    };
    let mut i = 0;
    while i < units.len() {
        let percent = units[i] == u16::from(b'%');
        let long = percent && units.get(i + 1) == Some(&u16::from(b'u'));
        let decoded = if long {
            units.get(i + 2..i + 6).and_then(hex).map(|u| (u, 6))
        } else if percent {
            units.get(i + 1..i + 3).and_then(hex).map(|u| (u, 3))
        } else {
            None
        };
        match decoded {
            Some((u, len)) => {
                out.push(u);
                i += len;
            }
            None => {
                out.push(units[i]);
                i += 1;
            }
        }
    }
    String::from_utf16_lossy(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_matches_javascript() {
        // Values from `escape()` in a JavaScript engine.
        assert_eq!(js_escape("a b"), "a%20b");
        assert_eq!(js_escape("{\"t\":\"50%\"}"), "%7B%22t%22%3A%2250%25%22%7D");
        assert_eq!(js_escape("é"), "%E9");
        assert_eq!(js_escape("€"), "%u20AC");
        assert_eq!(js_escape("😀"), "%uD83D%uDE00");
        assert_eq!(js_escape("A-z_0.9*@+/"), "A-z_0.9*@+/");
    }

    #[test]
    fn unescape_matches_javascript() {
        // Values from `unescape()` in a JavaScript engine.
        assert_eq!(js_unescape("a%20b"), "a b");
        assert_eq!(
            js_unescape("%7B%22t%22%3A%2250%25%22%7D"),
            "{\"t\":\"50%\"}"
        );
        assert_eq!(js_unescape("%E9"), "é");
        assert_eq!(js_unescape("%u20AC"), "€");
        assert_eq!(js_unescape("%uD83D%uDE00"), "😀");
        assert_eq!(js_unescape("plain é"), "plain é");
        for kept in ["%", "%4", "%zz", "%u12", "%u12G4", "100%"] {
            assert_eq!(js_unescape(kept), kept);
        }
        assert_eq!(js_unescape("%uD83D"), "\u{FFFD}");
    }

    #[test]
    fn round_trips() {
        for s in [
            "",
            "50% off",
            "{\"topic\":\"é €😀\"}",
            "%u20AC literally",
            "\u{FFFF}",
        ] {
            assert_eq!(js_unescape(&js_escape(s)), s);
        }
    }
}
