//! The one JSON error envelope of the API, `{"error": {"code", "message", "details"}}`, and
//! the mapping from use-case errors to HTTP statuses.

use axum::{
    Json,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use mc_app::AppError;
use serde::Serialize;

/// An error answer. 4xx answers say what is wrong; 5xx answers are opaque and logged once here.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    details: Vec<Detail>,
}

/// One problem with a field of the request.
#[derive(Debug, Serialize)]
struct Detail {
    field: String,
    message: String,
}

#[derive(Serialize)]
struct Envelope<'a> {
    error: Body<'a>,
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    message: &'a str,
    details: &'a [Detail],
}

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// What went wrong, in words.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// A 404 answer.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::NOT_FOUND, code: "not_found", message: message.into(), details: Vec::new() }
    }
}

impl ApiError {
    /// A 401 answer: no API token, or one that is not valid.
    pub fn unauthenticated(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthenticated",
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// A 422 answer about one field of the request.
    pub fn invalid(field: &str, message: &str) -> ApiError {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid",
            message: format!("{field}: {message}"),
            details: vec![Detail { field: field.to_owned(), message: message.to_owned() }],
        }
    }

    /// A 422 answer: an idempotency key used before for another request.
    pub fn idempotency_mismatch(key: &str) -> ApiError {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "idempotency_mismatch",
            message: format!(
                "the Idempotency-Key {key:?} was used for another request; use a new key for a new request"
            ),
            details: Vec::new(),
        }
    }

    /// A 503 answer: the server has too much to do now; it says when to try again
    /// (`Retry-After`).
    pub fn busy(message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::SERVICE_UNAVAILABLE, code: "busy", message: message.into(), details: Vec::new() }
    }

    /// A 500 answer; the cause is logged here, once, and not shown.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %cause, "request failed");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: "internal error; it has been logged".into(),
            details: Vec::new(),
        }
    }
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> ApiError {
        let (status, code) = match &err {
            AppError::Parse { .. } => (StatusCode::BAD_REQUEST, "malformed"),
            AppError::Rejected(_) | AppError::InvalidArgument { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            AppError::NotFound { .. } => (StatusCode::NOT_FOUND, "not_found"),
            AppError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            AppError::Unauthenticated(_) => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            AppError::TooManyAttempts { .. } => (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"),
            AppError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            AppError::Store(store) if store.is_transient() => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            AppError::Store(_) | AppError::Keys(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        };
        if status.is_server_error() {
            tracing::error!(error = %err, "request failed");
            let message = match status {
                StatusCode::SERVICE_UNAVAILABLE => "a service this request needs is unavailable; try again later",
                _ => "internal error; it has been logged",
            };
            return ApiError { status, code, message: message.into(), details: Vec::new() };
        }
        let details = err
            .problems()
            .iter()
            .map(|problem| Detail { field: problem.field.clone(), message: problem.message.clone() })
            .collect();
        ApiError { status, code, message: err.to_string(), details }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Envelope { error: Body { code: self.code, message: &self.message, details: &self.details } };
        let mut response = (self.status, Json(body)).into_response();
        match self.status {
            StatusCode::UNAUTHORIZED => {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
            }
            StatusCode::SERVICE_UNAVAILABLE => retry_soon(&mut response),
            _ => {}
        }
        response
    }
}

/// Tells the client of a 503 answer to try again in a second.
pub(crate) fn retry_soon(response: &mut Response) {
    response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
}

/// Gives the JSON envelope to error answers made below the handlers (an oversized body, a
/// wrong method), which come as a bare status or plain text.
pub(crate) async fn envelop_bare_errors(response: Response) -> Response {
    let status = response.status();
    // A bare answer has no body, or a plain-text one; JSON errors and error pages are left be.
    let is_bare = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_none_or(|value| value.as_bytes().starts_with(b"text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || !is_bare {
        return response;
    }
    let (code, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            ("too_large", format!("the request body is larger than {} bytes", crate::MAX_BODY_BYTES))
        }
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "this method is not allowed here".to_owned()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ("unsupported_media_type", "this content type is not accepted here".to_owned())
        }
        _ => ("bad_request", status.canonical_reason().unwrap_or("the request was refused").to_owned()),
    };
    ApiError { status, code, message, details: Vec::new() }.into_response()
}
