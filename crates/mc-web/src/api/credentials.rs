//! Credentials: verification (open to anyone), and issuing, reading and changing the state of
//! an institution's own credentials (with its API token).

use axum::{
    Json,
    body::Bytes,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use mc_app::{Added, App, IssueRequest, IssuedCredential, LearnerRef, StateChange};
use mc_vc::{proof::Suite, verify::Verification};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::auth::{Caller, idempotent};
use crate::{ApiError, ServerState, verifying::verify_text};

/// `POST /api/v1/credentials/verify`: the body is a credential; the answer is the verification
/// result, whatever the verdict.
pub(crate) async fn verify_credential(
    State(state): State<ServerState>,
    body: axum::body::Bytes,
) -> Result<Json<Verification>, ApiError> {
    // A baked badge image (PNG or SVG) is verified as the credential it carries.
    let text = mc_vc::bake::credential_text(&body)
        .map_err(|err| ApiError::invalid("credential", &err.to_string()))?
        .into_owned();
    Ok(Json(verify_text(&state, text).await?))
}

/// A credential as its institution sees it, without the signed document.
#[derive(Serialize)]
pub(crate) struct CredentialSummary<'a> {
    id: &'a str,
    institution: &'a str,
    spec: String,
    /// The version of the specification it was issued from (absent for credentials issued
    /// before versions were recorded).
    #[serde(skip_serializing_if = "Option::is_none")]
    spec_version: Option<u32>,
    /// `ob3`, `edc` or `both`.
    format: &'static str,
    learner: String,
    state: &'static str,
    issued_at: String,
    revocation_reason: Option<&'a str>,
}

impl<'a> From<&'a IssuedCredential> for CredentialSummary<'a> {
    fn from(credential: &'a IssuedCredential) -> CredentialSummary<'a> {
        CredentialSummary {
            id: credential.id(),
            institution: credential.institution_id().as_str(),
            spec: credential.spec_id().to_string(),
            spec_version: credential.spec_version(),
            format: credential.format().as_str(),
            learner: credential.learner_id().to_string(),
            state: credential.state().as_str(),
            issued_at: credential.issued_at().to_rfc3339(),
            revocation_reason: credential.revocation_reason(),
        }
    }
}

/// A credential with its issued document (the Open Badges credential, or the sealed EDC when
/// that is all that was issued), and the sealed EDC beside a badge (`edc_document`).
fn with_document(credential: &IssuedCredential) -> Value {
    let mut answer =
        serde_json::json!({"credential": CredentialSummary::from(credential), "document": credential.document()});
    if credential.format() == mc_core::CredentialFormat::Both {
        answer["edc_document"] = serde_json::to_value(credential.sealed_edc()).expect("a JSON map serializes");
    }
    answer
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IssueBody {
    spec: String,
    learner: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    suite: Option<String>,
    #[serde(default)]
    grade: Option<String>,
    #[serde(default)]
    format: Option<String>,
}

/// Reads a cryptosuite's name; the default is eddsa-rdfc-2022.
pub(crate) fn suite(name: Option<&str>) -> Result<Suite, ApiError> {
    match name {
        None => Ok(Suite::EddsaRdfc2022),
        Some(name @ ("eddsa-rdfc-2022" | "eddsa-jcs-2022")) => Ok(Suite::from_name(name).expect("a known suite")),
        Some(other) => Err(ApiError::invalid("suite", &format!("{other:?} is not eddsa-rdfc-2022 or eddsa-jcs-2022"))),
    }
}

/// Reads a credential format's name; the default is `ob3`.
pub(crate) fn format(name: Option<&str>) -> Result<mc_core::CredentialFormat, ApiError> {
    match name {
        None => Ok(mc_core::CredentialFormat::OpenBadges),
        Some(name) => mc_core::CredentialFormat::parse(name)
            .ok_or_else(|| ApiError::invalid("format", &format!("{name:?} is not ob3, edc or both"))),
    }
}

/// Reads a JSON request body into `T`, naming the field a problem is in.
pub(crate) fn json_body<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    let text = std::str::from_utf8(body).map_err(|_| ApiError::invalid("body", "is not UTF-8 text"))?;
    Ok(mc_app::parse_document(text, mc_app::Format::Json)?)
}

/// `POST /api/v1/credentials/issue`: issues one of the caller's institution's specifications to
/// a learner; 201 when issued now, 200 when the learner already had it.
pub(crate) async fn issue_credential(
    State(app): State<App>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let issuer = caller.issuer(&app)?;
    idempotent(&issuer, &headers, "POST /api/v1/credentials/issue", &body, async |key| {
        let request: IssueBody = json_body(&body)?;
        let request = IssueRequest {
            spec: &request.spec,
            learner: learner_ref(&request.learner, request.name.as_deref())?,
            suite: suite(request.suite.as_deref())?,
            format: format(request.format.as_deref())?,
            cohort_key: None,
            idempotency_key: key,
            grade: request.grade.as_deref(),
            now: app.now(),
        };
        let (credential, added) = issuer.issue(&request).await?;
        let status = match added {
            Added::New => StatusCode::CREATED,
            Added::Unchanged => StatusCode::OK,
        };
        Ok((status, with_document(&credential)))
    })
    .await
}

/// The learner of an issue: by id, or by email address with their name, registered with them
/// when new. An email address always needs the name, so that the answer is the same whether or
/// not the learner was registered before.
fn learner_ref<'a>(learner: &'a str, name: Option<&'a str>) -> Result<LearnerRef<'a>, ApiError> {
    match (learner.contains('@'), name) {
        (true, Some(name)) => Ok(LearnerRef::Named { email: learner, name }),
        (true, None) => Err(ApiError::invalid(
            "name",
            "a learner named by email address needs `name` too: they are registered with it when new",
        )),
        (false, None) => Ok(LearnerRef::IdOrEmail(learner)),
        (false, Some(_)) => Err(ApiError::invalid("name", "goes with a learner named by email address, not by id")),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    learner: Option<String>,
    spec: Option<String>,
}

/// `GET /api/v1/credentials?learner=&spec=`: the caller's institution's credentials.
pub(crate) async fn list_credentials(
    State(app): State<App>,
    caller: Caller,
    Query(query): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let credentials = caller.member(&app)?.credentials(query.learner.as_deref(), query.spec.as_deref()).await?;
    let summaries: Vec<CredentialSummary<'_>> = credentials.iter().map(CredentialSummary::from).collect();
    Ok(Json(serde_json::json!({ "credentials": summaries })))
}

/// `GET /api/v1/credentials/{id}`: one of the caller's institution's credentials.
pub(crate) async fn find_credential(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(with_document(&caller.member(&app)?.credential(&id).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StateBody {
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /api/v1/credentials/{id}/wallet-offer`: an offer of one of the institution's
/// credentials to its learner's wallet (OpenID4VCI), with the transaction code to give the
/// learner apart from it.
pub(crate) async fn wallet_offer(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let offer = caller.issuer(&app)?.offer_to_wallet(&id, app.now()).await?;
    let answer = serde_json::json!({
        "credential_offer": offer.offer,
        "credential_offer_uri": offer.offer_uri,
        "tx_code": offer.tx_code,
        "expires_at": offer.expires_at.to_rfc3339(),
    });
    Ok((StatusCode::CREATED, Json(answer)))
}

/// `POST /api/v1/credentials/{id}/revoke`, with a reason.
pub(crate) async fn revoke(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let request: StateBody = match body.is_empty() {
        true => StateBody { reason: None },
        false => json_body(&body)?,
    };
    let reason = request.reason.as_deref().ok_or_else(|| ApiError::invalid("reason", "a revocation needs a reason"))?;
    change_state(&app, &caller, &id, StateChange::Revoke(reason)).await
}

/// `POST /api/v1/credentials/{id}/suspend`.
pub(crate) async fn suspend(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    no_reason(&body)?;
    change_state(&app, &caller, &id, StateChange::Suspend).await
}

/// `POST /api/v1/credentials/{id}/unsuspend`.
pub(crate) async fn unsuspend(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    no_reason(&body)?;
    change_state(&app, &caller, &id, StateChange::Unsuspend).await
}

/// Reads the body of a suspension or its lifting: empty, or `{}` (a `reason` is accepted and
/// not kept, as before).
fn no_reason(body: &Bytes) -> Result<(), ApiError> {
    match body.is_empty() {
        true => Ok(()),
        false => json_body::<StateBody>(body).map(|_| ()),
    }
}

async fn change_state(app: &App, caller: &Caller, id: &str, change: StateChange<'_>) -> Result<Json<Value>, ApiError> {
    let changed = caller.issuer(app)?.change_state(id, change, app.now()).await?;
    Ok(Json(serde_json::to_value(CredentialSummary::from(&changed.credential)).expect("a summary serializes")))
}
