//! A router that remembers each method and path it serves, so that a test can hold the OpenAPI
//! document against the routes themselves: a route added here and not described there fails.

use axum::{
    Router,
    handler::Handler,
    routing::{MethodRouter, delete, get, post, put},
};

/// A router being built, with the `(method, path)` of every route added so far.
pub(crate) struct Routes<S> {
    router: Router<S>,
    served: Vec<(&'static str, String)>,
}

impl<S: Clone + Send + Sync + 'static> Routes<S> {
    pub(crate) fn new() -> Routes<S> {
        Routes { router: Router::new(), served: Vec::new() }
    }

    fn add(mut self, method: &'static str, path: &'static str, route: MethodRouter<S>) -> Routes<S> {
        self.router = self.router.route(path, route);
        self.served.push((method, path.to_owned()));
        self
    }

    pub(crate) fn get<H: Handler<T, S>, T: 'static>(self, path: &'static str, handler: H) -> Routes<S> {
        self.add("get", path, get(handler))
    }

    pub(crate) fn post<H: Handler<T, S>, T: 'static>(self, path: &'static str, handler: H) -> Routes<S> {
        self.add("post", path, post(handler))
    }

    pub(crate) fn put<H: Handler<T, S>, T: 'static>(self, path: &'static str, handler: H) -> Routes<S> {
        self.add("put", path, put(handler))
    }

    pub(crate) fn delete<H: Handler<T, S>, T: 'static>(self, path: &'static str, handler: H) -> Routes<S> {
        self.add("delete", path, delete(handler))
    }

    /// Serves `routes` under `prefix`.
    pub(crate) fn nest(mut self, prefix: &'static str, routes: Routes<S>) -> Routes<S> {
        self.router = self.router.nest(prefix, routes.router);
        self.served.extend(routes.served.into_iter().map(|(method, path)| (method, format!("{prefix}{path}"))));
        self
    }

    /// The router and what it serves.
    pub(crate) fn into_parts(self) -> (Router<S>, Vec<(&'static str, String)>) {
        (self.router, self.served)
    }
}
