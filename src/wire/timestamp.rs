//! Timestamps as the service writes them: RFC 3339 UTC with whole seconds and a `Z`
//! (`2023-10-19T10:46:27Z`). Parsing accepts any RFC 3339 form, including the
//! 7-digit fractions and `+00:00` offsets that Identity and the spec examples use.

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// Formats as whole-second UTC with `Z`, the live service's chat format.
pub fn format_whole_seconds(t: OffsetDateTime) -> String {
    utc_text(t).unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}

/// Whole-second UTC RFC 3339, or `None` for an instant whose UTC date falls outside
/// the years 0000-9999 (`9999-12-31T23:59:59-01:00` is a valid RFC 3339 text).
fn utc_text(t: OffsetDateTime) -> Option<String> {
    let t = t.checked_to_offset(UtcOffset::UTC)?;
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339).ok()
}

/// `t` as a clock at offset `off` shows it. Timestamps come from the wire, and one
/// near either end of the range may have no date at `off` (`9999-12-31T23:59:59Z`
/// east of UTC): that one stays at its own offset, a few hours off rather than a panic.
pub fn in_offset(t: OffsetDateTime, off: UtcOffset) -> OffsetDateTime {
    t.checked_to_offset(off).unwrap_or(t)
}

/// Parses any RFC 3339 timestamp.
pub fn parse(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s.trim(), &Rfc3339).ok()
}

/// Serde adapter: `OffsetDateTime` as whole-second RFC 3339 out, any RFC 3339 in.
pub mod serde_rfc3339 {
    use super::*;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_whole_seconds(*t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        let s = String::deserialize(d)?;
        parse(&s).ok_or_else(|| D::Error::custom(format!("invalid RFC 3339 timestamp: {s:?}")))
    }

    /// The same for `Option<OffsetDateTime>` (absent or null = `None`).
    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(
            t: &Option<OffsetDateTime>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match t {
                Some(t) => s.serialize_str(&format_whole_seconds(*t)),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<OffsetDateTime>, D::Error> {
            match Option::<String>::deserialize(d)? {
                None => Ok(None),
                Some(s) => parse(&s)
                    .map(Some)
                    .ok_or_else(|| D::Error::custom(format!("invalid RFC 3339 timestamp: {s:?}"))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_precisions_and_offsets() {
        let a = parse("2023-10-19T10:46:27Z").expect("whole seconds");
        let b = parse("2020-06-06T05:55:41.6460000Z").expect("7-digit fraction");
        let c = parse("2022-05-27T07:59:25.9595888+00:00").expect("offset");
        assert_eq!(a.unix_timestamp(), 1697712387);
        assert_eq!(b.nanosecond(), 646_000_000);
        assert_eq!(c.unix_timestamp(), 1653638365);
        assert!(parse("yesterday").is_none());
    }

    #[test]
    fn formats_whole_seconds_utc() {
        let t = parse("2020-06-06T07:55:41.646+02:00").expect("valid");
        assert_eq!(format_whole_seconds(t), "2020-06-06T05:55:41Z");
    }

    /// RFC 3339 allows any year 0000-9999 with any offset, so the same instant in UTC
    /// or the viewer's offset can fall outside the representable years.
    #[test]
    fn instants_at_the_ends_of_the_range_convert_without_panic() {
        let plus = time::UtcOffset::from_hms(14, 0, 0).expect("offset");
        let minus = time::UtcOffset::from_hms(-14, 0, 0).expect("offset");
        for (text, utc) in [
            ("9999-12-31T23:59:59Z", Some("9999-12-31T23:59:59Z")),
            ("0000-01-01T00:00:00Z", Some("0000-01-01T00:00:00Z")),
            ("9999-12-31T23:59:59-23:59", None),
            ("0000-01-01T00:00:00+23:59", None),
        ] {
            let t = parse(text).expect(text);
            for off in [plus, minus, time::UtcOffset::UTC] {
                let local = in_offset(t, off);
                assert_eq!(local, t, "{text} is the same instant in {off}");
            }
            assert_eq!(utc_text(t).as_deref(), utc, "{text}");
        }
        let t = parse("2020-06-06T05:55:41Z").expect("valid");
        assert_eq!(
            in_offset(t, plus).offset(),
            plus,
            "converted when it can be"
        );
    }
}
