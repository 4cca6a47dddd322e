//! Keyset pagination: `?limit=&cursor=` → `{ items, nextCursor }`. The cursor is the sort
//! key of the last item, opaque to clients (base64url of JSON), so pages stay stable while
//! rows are inserted.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::problem::ApiError;

/// Largest page a client may ask for.
pub const MAX_LIMIT: u32 = 100;
/// Page size when `limit` is absent.
pub const DEFAULT_LIMIT: u32 = 20;

/// The paging part of a list query.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1–100 (default 20).
    pub limit: Option<u32>,
    /// The `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

/// A validated page request with the decoded sort key to continue after.
#[derive(Debug, Clone)]
pub struct PageRequest<K> {
    pub limit: u32,
    pub after: Option<K>,
}

impl PageRequest<()> {
    /// Validates `limit` and decodes `cursor` into the sort key `K`.
    pub fn parse<K: DeserializeOwned>(
        limit: Option<u32>,
        cursor: Option<&str>,
    ) -> Result<PageRequest<K>, ApiError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::malformed_field(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let after = cursor
            .map(|c| {
                URL_SAFE_NO_PAD
                    .decode(c)
                    .ok()
                    .filter(|bytes| !bytes.windows(6).any(|w| w == b"\\u0000"))
                    .and_then(|bytes| serde_json::from_slice(&bytes).ok())
                    .ok_or_else(|| {
                        ApiError::malformed_field("cursor", "is not a cursor this API returned")
                    })
            })
            .transpose()?;
        Ok(PageRequest { limit, after })
    }
}

impl<K> PageRequest<K> {
    /// Rows to fetch: one more than the page, to know whether a next page exists.
    pub fn fetch_limit(&self) -> i64 {
        i64::from(self.limit) + 1
    }
}

/// One page of a list.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows, deriving the cursor from the last item kept.
    pub fn from_rows<K: Serialize>(mut rows: Vec<T>, limit: u32, key_of: impl Fn(&T) -> K) -> Self {
        let has_more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next_cursor = if has_more {
            rows.last().map(|last| encode_cursor(&key_of(last)))
        } else {
            None
        };
        Page {
            items: rows,
            next_cursor,
        }
    }

    /// Converts the items, keeping the cursor.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

fn encode_cursor<K: Serialize>(key: &K) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).expect("sort keys serialize"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_marks_the_last_page() {
        let page = Page::from_rows(vec![1, 2, 3], 2, |n| ("k".to_string(), *n));
        assert_eq!(page.items, vec![1, 2]);
        let request =
            PageRequest::parse::<(String, i32)>(Some(2), page.next_cursor.as_deref()).unwrap();
        assert_eq!(request.after, Some(("k".to_string(), 2)));
        assert_eq!(Page::from_rows(vec![1, 2], 2, |n| *n).next_cursor, None);
    }

    #[test]
    fn bad_limits_and_cursors_are_refused() {
        assert!(PageRequest::parse::<i32>(Some(0), None).is_err());
        assert!(PageRequest::parse::<i32>(Some(101), None).is_err());
        assert_eq!(
            PageRequest::parse::<i32>(None, Some("%%%"))
                .unwrap_err()
                .errors[0]
                .field,
            "cursor"
        );
    }
}
