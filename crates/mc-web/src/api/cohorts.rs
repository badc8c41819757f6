//! Cohort jobs: many learners at once, queued and issued in the background.

use axum::{
    Json,
    body::Bytes,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode, header},
    response::Response,
};
use mc_app::{App, CohortJob, CohortRow, CohortSubmission};
use serde::Deserialize;

use super::{
    auth::{Caller, idempotent},
    credentials::{format, json_body, suite},
};
use crate::ApiError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CohortBody {
    spec: String,
    #[serde(default)]
    cohort_key: Option<String>,
    #[serde(default)]
    suite: Option<String>,
    #[serde(default)]
    format: Option<String>,
    learners: Vec<CohortRow>,
}

/// The query of a CSV submission, which has no room for them in its body.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct CsvQuery {
    spec: Option<String>,
    cohort_key: Option<String>,
    suite: Option<String>,
    format: Option<String>,
}

/// `POST /api/v1/cohorts`: a JSON cohort, or a CSV file with `?spec=`; answered with the
/// queued job (202).
pub(crate) async fn submit_cohort(
    State(app): State<App>,
    caller: Caller,
    Query(query): Query<CsvQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let is_csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/csv"));
    let route = format!(
        "POST /api/v1/cohorts csv={is_csv} {:?} {:?} {:?} {:?}",
        query.spec, query.cohort_key, query.suite, query.format
    );
    let issuer = caller.issuer(&app)?;
    idempotent(&issuer, &headers, &route, &body, async |key| {
        let (body, rows) = match is_csv {
            true => {
                let spec = query.spec.clone().ok_or_else(|| ApiError::invalid("spec", "a CSV cohort needs ?spec="))?;
                let text = std::str::from_utf8(&body).map_err(|_| ApiError::invalid("body", "is not UTF-8 text"))?;
                let rows = mc_app::parse_cohort(text, false)?;
                let body = CohortBody {
                    spec,
                    cohort_key: query.cohort_key.clone(),
                    suite: query.suite.clone(),
                    format: query.format.clone(),
                    learners: Vec::new(),
                };
                (body, rows)
            }
            false => {
                let body: CohortBody = json_body(&body)?;
                let rows = body.learners.iter().cloned().enumerate().map(|(idx, row)| (idx + 1, row)).collect();
                (body, rows)
            }
        };
        // Without a cohort key, the idempotency key names the run: two requests with the same
        // key that race past the remembered answer still issue nothing twice.
        let derived = key.map(|key| format!("idempotency:{key}"));
        let submission = CohortSubmission {
            spec: &body.spec,
            cohort_key: body.cohort_key.as_deref().or(derived.as_deref()),
            suite: suite(body.suite.as_deref())?,
            format: format(body.format.as_deref())?,
            rows,
        };
        let job = issuer.submit_cohort(submission, app.now()).await?;
        Ok((StatusCode::ACCEPTED, serde_json::to_value(job).expect("a job serializes")))
    })
    .await
}

/// `GET /api/v1/cohorts/{id}`: a job's progress.
pub(crate) async fn find_cohort(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<CohortJob>, ApiError> {
    Ok(Json(caller.member(&app)?.cohort_job(&id).await?))
}
