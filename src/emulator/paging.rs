//! Paging: page sizes, the opaque `syncState` continuation tokens and absolute
//! `nextLink`s. Tokens are hex text like the service's, and carry the listing's
//! high-water mark so later pages read the same snapshot (see `store::schema`).

use super::api_error::ApiError;

/// The service's default page size for messages (verified); used for every list.
pub const DEFAULT_PAGE_SIZE: i64 = 10;
/// The documented maximum page size; larger requests are clamped.
pub const MAX_PAGE_SIZE: i64 = 200;

/// `maxPageSize` from the query: default when absent, clamped above, 400 when <= 0.
pub fn page_size(raw: Option<&str>) -> Result<i64, ApiError> {
    let Some(raw) = raw else {
        return Ok(DEFAULT_PAGE_SIZE);
    };
    let n: i64 = raw.trim().parse().map_err(|_| {
        ApiError::bad_request(format!("Value for maxPageSize ({raw}) is not valid."))
    })?;
    if n <= 0 {
        return Err(ApiError::bad_request(format!(
            "Value for maxPageSize ({raw}) must be greater than 0."
        )));
    }
    Ok(n.min(MAX_PAGE_SIZE))
}

/// `skip` from the query (participants, read receipts): default 0, >= 0.
pub fn skip(raw: Option<&str>) -> Result<i64, ApiError> {
    let Some(raw) = raw else { return Ok(0) };
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| ApiError::bad_request(format!("Value for skip ({raw}) is not valid.")))
}

/// Where the next page of messages starts: history rows with a version below
/// `before`, as of the thread's version `high_water`, and not below `low` (the
/// `startTime`: versions are close to the epoch milliseconds of their change).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageCursor {
    pub high_water: i64,
    pub before: i64,
    pub low: i64,
}

/// Where the next page of threads starts: keyset (activity, id) below the last item,
/// as of `high_water`, activity >= `start`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadCursor {
    pub high_water: i64,
    pub before_activity: i64,
    pub before_id: String,
    pub start: i64,
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<String> {
    if !s.len().is_multiple_of(2) || s.len() > 2048 {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

fn invalid_token() -> ApiError {
    ApiError::bad_request("The continuation token (syncState) is not valid.")
}

impl MessageCursor {
    pub fn encode(&self) -> String {
        hex(&format!(
            "m2.{}.{}.{}",
            self.high_water, self.before, self.low
        ))
    }

    pub fn decode(token: &str) -> Result<Self, ApiError> {
        let text = unhex(token).ok_or_else(invalid_token)?;
        let parts: Vec<&str> = text.split('.').collect();
        let [tag, hw, before, low] = parts.as_slice() else {
            return Err(invalid_token());
        };
        let num = |s: &str| {
            s.parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(invalid_token)
        };
        // m1 tokens counted sequence ids: refused rather than misread.
        if *tag != "m2" {
            return Err(invalid_token());
        }
        Ok(Self {
            high_water: num(hw)?,
            before: num(before)?,
            low: num(low)?,
        })
    }
}

impl ThreadCursor {
    pub fn encode(&self) -> String {
        hex(&format!(
            "t1.{}.{}.{}.{}",
            self.high_water, self.before_activity, self.start, self.before_id
        ))
    }

    pub fn decode(token: &str) -> Result<Self, ApiError> {
        let text = unhex(token).ok_or_else(invalid_token)?;
        let mut parts = text.splitn(5, '.');
        let (Some("t1"), Some(hw), Some(act), Some(start), Some(id)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(invalid_token());
        };
        let num = |s: &str| {
            s.parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(invalid_token)
        };
        Ok(Self {
            high_water: num(hw)?,
            before_activity: num(act)?,
            start: num(start)?,
            before_id: id.to_owned(),
        })
    }
}

/// An absolute URL: `base` (`https://host:port`) + `path` + the query `pairs`.
pub fn next_link(base: &str, path: &str, pairs: &[(&str, String)]) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
        .finish();
    format!("{base}{path}?{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_sizes() {
        assert_eq!(page_size(None), Ok(10));
        assert_eq!(page_size(Some("3")), Ok(3));
        assert_eq!(page_size(Some("5000")), Ok(200));
        assert!(page_size(Some("0")).is_err());
        assert!(page_size(Some("-1")).is_err());
        assert!(page_size(Some("ten")).is_err());
        assert_eq!(skip(Some("2")), Ok(2));
        assert!(skip(Some("-2")).is_err());
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let m = MessageCursor {
            high_water: 40,
            before: 31,
            low: 7,
        };
        assert_eq!(MessageCursor::decode(&m.encode()), Ok(m));
        let t = ThreadCursor {
            high_water: 9,
            before_activity: 8,
            before_id: "19:a.b@thread.v2".into(),
            start: 0,
        };
        assert_eq!(ThreadCursor::decode(&t.encode()), Ok(t.clone()));
        assert!(MessageCursor::decode(&t.encode()).is_err());
        // A token of the earlier layout (sequence ids) is refused, not misread.
        assert!(MessageCursor::decode(&hex("m1.40.31.7")).is_err());
        assert!(MessageCursor::decode("zz").is_err());
        assert!(MessageCursor::decode("abc").is_err());
        assert!(ThreadCursor::decode("").is_err());
    }

    #[test]
    fn next_link_is_absolute_and_encoded() {
        let l = next_link(
            "https://h:1",
            "/chat/threads/19:a@thread.v2/messages",
            &[
                ("syncState", "6d".into()),
                ("api-version", "2024-03-07".into()),
            ],
        );
        assert_eq!(
            l,
            "https://h:1/chat/threads/19:a@thread.v2/messages?syncState=6d&api-version=2024-03-07"
        );
    }
}
