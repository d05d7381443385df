//! RFC 1123 dates (`Thu, 26 May 2022 07:59:25 GMT`): the `x-ms-date` of HMAC-signed
//! Identity requests (made by the client, checked by the emulator) and the HTTP-date
//! form of `Retry-After`.

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

const FORMAT: &[BorrowedFormatItem<'static>] = format_description!(
    "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
);

/// Formats in GMT, as `x-ms-date` and `Date` headers require.
pub fn format(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    // Cannot fail for years 0..=9999; fall back to the epoch rather than panic.
    t.format(FORMAT)
        .unwrap_or_else(|_| "Thu, 01 Jan 1970 00:00:00 GMT".to_owned())
}

/// Parses the IMF-fixdate form of an HTTP date.
pub fn parse(s: &str) -> Option<OffsetDateTime> {
    PrimitiveDateTime::parse(s.trim(), FORMAT)
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_the_recorded_form() {
        let t = parse("Thu, 26 May 2022 07:59:25 GMT").expect("valid");
        assert_eq!(t.unix_timestamp(), 1653551965);
        assert_eq!(format(t), "Thu, 26 May 2022 07:59:25 GMT");
        assert_eq!(
            format(OffsetDateTime::UNIX_EPOCH),
            "Thu, 01 Jan 1970 00:00:00 GMT"
        );
        assert!(parse("26 May 2022").is_none());
    }
}
