//! JavaScript's `escape()`: the signaling client passes the nested JSON strings of
//! thread events through `unescape()` before parsing them, so they are written
//! escaped (a `%` in a topic must survive the round trip).

/// What `escape()` leaves alone.
fn kept(u: u16) -> bool {
    u8::try_from(u).is_ok_and(|b| b.is_ascii_alphanumeric() || b"@*_+-./".contains(&b))
}

/// `escape(s)`, over UTF-16 code units as JavaScript does.
pub fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_javascript() {
        // Values from `escape()` in a JavaScript engine.
        assert_eq!(js_escape("a b"), "a%20b");
        assert_eq!(js_escape("{\"t\":\"50%\"}"), "%7B%22t%22%3A%2250%25%22%7D");
        assert_eq!(js_escape("é"), "%E9");
        assert_eq!(js_escape("€"), "%u20AC");
        assert_eq!(js_escape("😀"), "%uD83D%uDE00");
        assert_eq!(js_escape("A-z_0.9*@+/"), "A-z_0.9*@+/");
    }
}
