//! Paging: every organization across `$top`/`$skip` pages, as a lazy stream.
//!
//! Altinn returns at most [`MAX_PAGE_SIZE`] organizations a call, and a server (or a proxy) may
//! cap `$top` lower without saying so. [`OrganizationPager`] asks for page after page, moving
//! `$skip` on by what it received, and stops at the first empty page or when the optional
//! overall [`limit`](OrganizationPager::limit) is reached. A page shorter than asked is not the
//! end: the next one is asked for. A page is fetched only when the consumer wants the next item,
//! so dropping the stream stops the requests.
//!
//! The pager holds a clone of the [`Client`], so its streams are `'static`, `Send` and `Unpin`
//! (boxed): spawn them on a task, return them from a function, and call `.next().await` on them
//! without pinning.
//!
//! An error is yielded as an item and ends the stream: a consumer sees every organization that
//! came before the failure, then the failure.

use altinn_contacts_api::{ContactsApi, Error, InvalidInput, MAX_PAGE_SIZE, OrganizationsQuery};
use altinn_contacts_model::{Organization, OrganizationList};
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};

use crate::Client;

/// The page size a pager asks for when neither the query nor
/// [`page_size`](OrganizationPager::page_size) sets one: the most Altinn returns.
pub const DEFAULT_PAGE_SIZE: u32 = MAX_PAGE_SIZE;

/// Pages through `GET organizations`; made by [`Client::organizations`].
///
/// The query's `$skip` is where the first page starts; its `$top`, when set, is the page size.
///
/// ```
/// # async fn demo(client: &altinn_contacts::Client) -> Result<(), altinn_contacts::Error> {
/// use altinn_contacts::OrganizationsQuery;
/// use futures::TryStreamExt;
/// let enks: Vec<_> = client
///     .organizations(OrganizationsQuery::new().organization_type("ENK".parse().unwrap()))
///     .limit(5000)
///     .stream()
///     .try_collect()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "a pager does nothing until .stream() or .pages() is consumed"]
pub struct OrganizationPager<A> {
    client: Client<A>,
    query: OrganizationsQuery,
    page_size: u32,
    limit: Option<u64>,
}

impl<A> OrganizationPager<A> {
    pub(crate) fn new(client: Client<A>, query: OrganizationsQuery) -> Self {
        let page_size = query.top.unwrap_or(DEFAULT_PAGE_SIZE);
        OrganizationPager {
            client,
            query,
            page_size,
            limit: None,
        }
    }
}

impl<A: ContactsApi + 'static> OrganizationPager<A> {
    /// Sets the page size (`$top` of each call), 1 to [`MAX_PAGE_SIZE`]; another value makes the
    /// stream yield an invalid-input error before any request.
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size;
        self
    }

    /// Stops after `limit` organizations in all (the last page asks only for what is left).
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// The pages, one [`OrganizationList`] each. Empty pages are not yielded.
    pub fn pages(self) -> BoxStream<'static, Result<OrganizationList, Error>> {
        let OrganizationPager {
            client,
            query,
            page_size,
            limit,
        } = self;
        let start = State {
            skip: query.skip.unwrap_or(0),
            remaining: limit,
        };
        stream::unfold(Some(start), move |state| {
            let query = query.clone();
            let client = client.clone();
            async move {
                let state = state?;
                if state.remaining == Some(0) {
                    return None;
                }
                if page_size == 0 || page_size > MAX_PAGE_SIZE {
                    let err = InvalidInput::new(
                        "page size ($top)",
                        &page_size.to_string(),
                        format!("it must be from 1 to {MAX_PAGE_SIZE}"),
                    );
                    return Some((Err(Error::InvalidInput(err)), None));
                }
                let top = match state.remaining {
                    // Ask only for what is left, so a limit below a page costs no extra data.
                    Some(left) => page_size.min(u32::try_from(left).unwrap_or(u32::MAX)),
                    None => page_size,
                };
                let mut page_query = query;
                page_query.top = Some(top);
                page_query.skip = (state.skip > 0).then_some(state.skip);
                let mut page = match client.api().organizations(&page_query).await {
                    Ok(page) => page,
                    Err(err) => return Some((Err(err), None)),
                };
                let received = page.embedded.organizations.len();
                tracing::debug!(skip = state.skip, top, received, "organizations page");
                if received == 0 {
                    return None;
                }
                let mut remaining = state.remaining;
                if let Some(left) = remaining {
                    let keep = usize::try_from(left).unwrap_or(usize::MAX).min(received);
                    page.embedded.organizations.truncate(keep);
                    remaining = Some(left - keep as u64);
                }
                // A short page is not the last one: a server may cap `$top` below what was asked.
                // Only an empty page (above) or the limit ends the stream.
                let next = (remaining != Some(0)).then(|| State {
                    skip: state.skip.saturating_add(received as u64),
                    remaining,
                });
                Some((Ok(page), next))
            }
        })
        .boxed()
    }

    /// Every organization, page after page.
    pub fn stream(self) -> BoxStream<'static, Result<Organization, Error>> {
        self.pages()
            .map_ok(|page| stream::iter(page.into_items().into_iter().map(Ok::<_, Error>)))
            .try_flatten()
            .boxed()
    }
}

/// Where the next page starts and how many organizations the limit still allows.
#[derive(Clone, Copy)]
struct State {
    skip: u64,
    remaining: Option<u64>,
}
