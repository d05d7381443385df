//! Timestamps as the service writes them: RFC 3339 UTC with whole seconds and a `Z`
//! (`2023-10-19T10:46:27Z`). Parsing accepts any RFC 3339 form, including the
//! 7-digit fractions and `+00:00` offsets that Identity and the spec examples use.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Formats as whole-second UTC with `Z`, the live service's chat format.
pub fn format_whole_seconds(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
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
}
