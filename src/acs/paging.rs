//! List options and paging: the query parameters of list calls, and a stream of
//! items that follows `nextLink` page after page.

use std::future::Future;

use futures::{Stream, StreamExt as _, TryStreamExt as _, stream};
use time::OffsetDateTime;
use time::macros::format_description;

use super::error::{Error, Result};
use crate::wire::Page;

/// Options of time-filtered lists (threads, messages).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListOptions {
    /// Items per page; the service's default applies when `None` (10 for messages).
    pub max_page_size: Option<u32>,
    /// Only items created or modified at or after this time (a poller's cursor).
    pub start_time: Option<OffsetDateTime>,
}

/// Options of offset-paged lists (participants, read receipts).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SkipOptions {
    pub max_page_size: Option<u32>,
    /// Items to skip from the start.
    pub skip: Option<u32>,
}

impl ListOptions {
    pub(crate) fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if let Some(n) = self.max_page_size {
            q.push(("maxPageSize", n.to_string()));
        }
        if let Some(t) = self.start_time {
            q.push(("startTime", format_start_time(t)));
        }
        q
    }
}

impl SkipOptions {
    pub(crate) fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if let Some(n) = self.max_page_size {
            q.push(("maxPageSize", n.to_string()));
        }
        if let Some(n) = self.skip {
            q.push(("skip", n.to_string()));
        }
        q
    }
}

/// UTC with milliseconds (`2024-01-01T00:00:00.000Z`), as the SDKs send it: whole
/// seconds would lose the sub-second part of a poller's cursor. A cursor from the wire
/// past the last UTC date keeps its own clock fields: an earlier start, which only
/// lists again what the caller has.
fn format_start_time(t: OffsetDateTime) -> String {
    let t = crate::wire::timestamp::in_offset(t, time::UtcOffset::UTC);
    t.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    ))
    .unwrap_or_else(|_| crate::wire::timestamp::format_whole_seconds(t))
}

/// Every item of every page: `fetch(None)` gets the first page, `fetch(Some(link))`
/// the next. Stops after the last page or the first error, and on a `nextLink` that
/// repeats the one just fetched (a service loop would never end otherwise).
pub(crate) fn items<T, F, Fut>(fetch: F) -> impl Stream<Item = Result<T>> + Send + 'static
where
    T: Send + 'static,
    F: FnMut(Option<String>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    enum Next {
        First,
        Link(String),
        Loop,
        Done,
    }
    stream::try_unfold((Next::First, fetch), |(next, mut fetch)| async move {
        let link = match next {
            Next::Done => return Ok(None),
            Next::Loop => {
                return Err(Error::invalid_response(
                    "the service returned the same nextLink twice",
                ));
            }
            Next::First => None,
            Next::Link(l) => Some(l),
        };
        let page = fetch(link.clone()).await?;
        let next = match page.next_link.filter(|l| !l.trim().is_empty()) {
            Some(l) if Some(&l) == link.as_ref() => Next::Loop,
            Some(l) => Next::Link(l),
            None => Next::Done,
        };
        Ok(Some((page.value, (next, fetch))))
    })
    .map_ok(|values| stream::iter(values.into_iter().map(Ok)))
    .try_flatten()
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn query_parameters() {
        let o = ListOptions {
            max_page_size: Some(5),
            start_time: Some(datetime!(2024-01-01 00:00:00.123456 UTC)),
        };
        assert_eq!(
            o.query(),
            vec![
                ("maxPageSize", "5".to_owned()),
                ("startTime", "2024-01-01T00:00:00.123Z".to_owned())
            ]
        );
        let o = ListOptions {
            max_page_size: None,
            start_time: Some(datetime!(2024-01-01 02:00:00 +02:00)),
        };
        assert_eq!(
            o.query(),
            vec![("startTime", "2024-01-01T00:00:00.000Z".to_owned())]
        );
        assert!(ListOptions::default().query().is_empty());
        let s = SkipOptions {
            max_page_size: Some(1),
            skip: Some(2),
        };
        assert_eq!(
            s.query(),
            vec![("maxPageSize", "1".to_owned()), ("skip", "2".to_owned())]
        );
    }

    fn page(values: &[u32], next: Option<&str>) -> Page<u32> {
        Page {
            value: values.to_vec(),
            next_link: next.map(str::to_owned),
        }
    }

    #[tokio::test]
    async fn follows_links_to_the_end() {
        let s = items(|link: Option<String>| async move {
            Ok(match link.as_deref() {
                None => page(&[1, 2], Some("p2")),
                Some("p2") => page(&[], Some("p3")),
                Some("p3") => page(&[3], Some("")),
                Some(other) => return Err(Error::invalid_response(other.to_owned())),
            })
        });
        let all: Vec<u32> = s.try_collect().await.expect("all pages");
        assert_eq!(all, vec![1, 2, 3]);
    }

    #[tokio::test]
    async fn stops_on_error_and_on_repeated_link() {
        let s = items(|link: Option<String>| async move {
            match link {
                None => Ok(page(&[1], Some("same"))),
                Some(_) => Ok(page(&[2], Some("same"))),
            }
        });
        let got: Vec<Result<u32>> = s.collect().await;
        assert_eq!(got.len(), 3);
        assert!(got[0].is_ok() && got[1].is_ok());
        assert!(
            got[2]
                .as_ref()
                .expect_err("loop")
                .message()
                .contains("same nextLink")
        );
    }
}
