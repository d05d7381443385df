//! `message list --since`: an RFC 3339 time or an age, checked against the range of
//! times the service can be asked about.

use time::OffsetDateTime;

use crate::cli::exit::CliError;

/// `--since`: RFC 3339, or an age before `now` (`90s`, `10m`, `2h`, `1d`). Any time
/// the service can be asked about is accepted: one whose UTC date is outside the
/// years 0000-9999 (a huge age, or an RFC 3339 text with an extreme offset) is refused.
pub fn parse_since(s: &str, now: OffsetDateTime) -> Result<OffsetDateTime, CliError> {
    let out_of_range = || {
        CliError::Usage(format!(
            "--since {s:?} is out of range: the time must fall in the years 0000 to 9999 (UTC)"
        ))
    };
    let in_range = |t: OffsetDateTime| {
        t.checked_to_offset(time::UtcOffset::UTC)
            .is_some_and(|utc| utc.year() >= 0)
            .then_some(t)
            .ok_or_else(out_of_range)
    };
    if let Some(t) = crate::wire::timestamp::parse(s) {
        return in_range(t);
    }
    let bad = || {
        CliError::Usage(format!(
            "--since {s:?}: give an RFC 3339 time (2026-01-01T10:00:00Z) or an age like 90s, 10m, 2h, 1d"
        ))
    };
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (digits, unit) = s.split_at(split);
    if digits.is_empty() {
        return Err(bad());
    }
    let unit_secs: i64 = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    // Only digits are left, so a number that does not parse is one too big for i64.
    let age = digits
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(unit_secs))
        .map(time::Duration::seconds)
        .ok_or_else(out_of_range)?;
    in_range(now.checked_sub(age).ok_or_else(out_of_range)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_accepts_rfc3339_and_ages() {
        let now = OffsetDateTime::from_unix_timestamp(1_000_000).expect("time");
        assert_eq!(
            parse_since("10m", now).expect("age").unix_timestamp(),
            1_000_000 - 600
        );
        assert_eq!(
            parse_since("2h", now).expect("age").unix_timestamp(),
            1_000_000 - 7200
        );
        assert_eq!(
            parse_since("1970-01-02T00:00:00Z", now)
                .expect("rfc")
                .unix_timestamp(),
            86_400
        );
        for bad in ["", "10", "m", "10y", "-5m", "yesterday"] {
            assert_eq!(
                parse_since(bad, now)
                    .map_err(|e| e.exit_status().code())
                    .err(),
                Some(2),
                "{bad}"
            );
        }
    }

    /// Ages and times past what the service can be asked about are usage errors, as
    /// long as the arithmetic would overflow or the year cannot be written.
    #[test]
    fn since_refuses_what_is_out_of_range() {
        let now = OffsetDateTime::from_unix_timestamp(1_000_000).expect("time");
        for bad in [
            "999999999999999999d",
            "9223372036854775807s",
            "99999999999999999999999m",
            "106751991167300d",
            "2000000d",
            "9999-12-31T23:59:59-23:59",
            "0000-01-01T00:00:00+00:01",
        ] {
            let e = parse_since(bad, now).expect_err(bad);
            assert_eq!(e.exit_status().code(), 2, "{bad}");
            assert!(e.to_string().contains("out of range"), "{bad}: {e}");
        }
        let far = parse_since("700000d", now).expect("about 1,900 years back is fine");
        assert_eq!(far.year(), 53);
    }
}
