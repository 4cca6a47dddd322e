//! Middleware that looks at a request on its way in and at its answer on its way out,
//! synchronously and without boxing.
//!
//! axum's `from_fn` clones the stack beneath it and boxes it and a future for every
//! request; five such layers took about a third of the events service's time serving the
//! public agenda (docs/operations.md). A middleware here is two plain functions and a
//! value carried from the first to the second; what must wait on something (verifying a
//! token, reading an error body) is written as a service of its own that waits only then.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use http::{Request, Response};
use tower::{Layer, Service};

/// A middleware of two synchronous steps.
pub trait Around: Clone + Send + Sync + 'static {
    /// What the request's step hands to the answer's.
    type Carry: Send + 'static;

    /// Looks at (and may change) the request before the inner service sees it.
    fn before<B>(&self, request: &mut Request<B>) -> Self::Carry;

    /// Looks at (and may change) the answer before the caller sees it.
    fn after<B>(carry: Self::Carry, response: &mut Response<B>);
}

/// The layer of an [`Around`].
#[derive(Clone)]
pub struct AroundLayer<A>(pub A);

impl<S, A: Around> Layer<S> for AroundLayer<A> {
    type Service = AroundService<S, A>;

    fn layer(&self, inner: S) -> Self::Service {
        AroundService {
            inner,
            around: self.0.clone(),
        }
    }
}

/// `inner` with an [`Around`] on both sides of it.
#[derive(Clone)]
pub struct AroundService<S, A> {
    inner: S,
    around: A,
}

impl<S, A, RequestBody, ResponseBody> Service<Request<RequestBody>> for AroundService<S, A>
where
    S: Service<Request<RequestBody>, Response = Response<ResponseBody>>,
    A: Around,
{
    type Response = Response<ResponseBody>;
    type Error = S::Error;
    type Future = AroundFuture<S::Future, A>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<RequestBody>) -> Self::Future {
        let carry = self.around.before(&mut request);
        AroundFuture {
            inner: self.inner.call(request),
            carry: Some(carry),
            around: PhantomData,
        }
    }
}

pin_project_lite::pin_project! {
    /// The inner service's answer, passed through [`Around::after`].
    pub struct AroundFuture<F, A: Around> {
        #[pin]
        inner: F,
        carry: Option<A::Carry>,
        around: PhantomData<fn() -> A>,
    }
}

impl<F, A, B, E> Future for AroundFuture<F, A>
where
    F: Future<Output = Result<Response<B>, E>>,
    A: Around,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = ready!(this.inner.poll(cx))?;
        if let Some(carry) = this.carry.take() {
            A::after(carry, &mut response);
        }
        Poll::Ready(Ok(response))
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use http::HeaderValue;
    use tower::ServiceExt;

    use super::*;

    /// Counts requests on the way in and names the count in the answer.
    #[derive(Clone, Default)]
    struct Counting(Arc<AtomicUsize>);

    impl Around for Counting {
        type Carry = usize;

        fn before<B>(&self, request: &mut Request<B>) -> usize {
            request
                .headers_mut()
                .insert("x-seen", HeaderValue::from_static("yes"));
            self.0.fetch_add(1, Ordering::Relaxed) + 1
        }

        fn after<B>(carry: usize, response: &mut Response<B>) {
            response
                .headers_mut()
                .insert("x-count", HeaderValue::from(carry));
        }
    }

    #[tokio::test]
    async fn the_request_is_seen_before_the_inner_service_and_the_answer_after_it() {
        let inner = tower::service_fn(|request: Request<()>| async move {
            let seen = request.headers().get("x-seen").cloned();
            Ok::<_, Infallible>(Response::new(seen))
        });
        let service = AroundLayer(Counting::default()).layer(inner);
        for expected in ["1", "2"] {
            let response = service
                .clone()
                .oneshot(Request::new(()))
                .await
                .expect("infallible");
            assert_eq!(response.headers()["x-count"], expected);
            assert_eq!(
                response.body().as_ref().map(HeaderValue::as_bytes),
                Some(&b"yes"[..]),
                "the inner service saw the changed request"
            );
        }
    }
}
