//! The catalogue, the quality check and publication of specifications, and the network's
//! registry and trusted-issuer list.

use axum::{
    Json,
    body::Bytes,
    extract::{Path, Query, State},
};
use mc_app::{App, CatalogueSpec, TrustList};
use mc_catalogue::SearchResult;
use mc_core::{Timestamp, quality::QualityReport, wire::SpecDocument};
use serde::Serialize;
use serde_json::{Value, json};

use super::{auth::Caller, credentials::json_body};
use crate::{ApiError, search};

/// `GET /api/v1/catalogue`: searches the published specifications.
pub(crate) async fn search(
    State(app): State<App>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Json<SearchResult>, ApiError> {
    let query = search::parse(&pairs, &[]).map_err(|bad| ApiError::invalid(&bad.name, &bad.message))?;
    Ok(Json(app.search_catalogue(&query).await?))
}

/// A published specification with its institutions, their accreditation and its quality report.
#[derive(Serialize)]
pub(crate) struct CatalogueEntry {
    spec: SpecDocument,
    published_at: String,
    institutions: Vec<Value>,
    quality: QualityReport,
    /// Where its credentials are recognised, under the agreements in force.
    recognised: Vec<Value>,
}

impl From<CatalogueSpec> for CatalogueEntry {
    fn from(entry: CatalogueSpec) -> CatalogueEntry {
        let institutions = entry
            .institutions
            .iter()
            .map(|institution| {
                let accreditation = entry.accreditations.iter().find(|a| &a.institution == institution.id());
                json!({
                    "id": institution.id().as_str(),
                    "name": mc_core::wire::InstitutionDocument::from(institution).name,
                    "country": institution.country().code(),
                    "accreditation": accreditation.map(|a| json!({
                        "qa_body": a.qa_body, "status": a.status, "valid_from": a.valid_from,
                        "valid_until": a.valid_until, "register_id": a.register_id,
                    })),
                })
            })
            .collect();
        let recognised = entry
            .recognitions
            .iter()
            .map(|found| {
                json!({
                    "agreement": found.agreement, "version": found.version,
                    "recognised_by": found.recognised_by.as_str(), "rule": found.rule,
                    "grant": mc_app::grant_words(&found.grant, found.grant.ects()),
                    "min_grade": found.provided.min_grade, "within_years": found.provided.within_years,
                })
            })
            .collect();
        CatalogueEntry {
            spec: SpecDocument::from(&entry.spec),
            published_at: Timestamp::from_unix(entry.published_at, 0).to_rfc3339(),
            institutions,
            quality: entry.report,
            recognised,
        }
    }
}

/// `GET /api/v1/catalogue/{id}`: one published specification.
pub(crate) async fn catalogue_spec(
    State(app): State<App>,
    Path(id): Path<String>,
) -> Result<Json<CatalogueEntry>, ApiError> {
    Ok(Json(app.catalogue_spec(&id).await?.into()))
}

/// `POST /api/v1/specs/check`: the quality report of a specification document.
pub(crate) async fn check_spec(State(app): State<App>, body: Bytes) -> Result<Json<QualityReport>, ApiError> {
    let document: SpecDocument = json_body(&body)?;
    Ok(Json(app.check_spec(&document).await?))
}

/// `GET /api/v1/specs/{id}/quality`: the quality report of a stored specification.
pub(crate) async fn spec_quality(
    State(app): State<App>,
    caller: Option<Caller>,
    Path(id): Path<String>,
) -> Result<Json<QualityReport>, ApiError> {
    let (spec, _) = app.visible_spec(caller.as_ref().map(|Caller(principal)| principal), &id).await?;
    Ok(Json(app.check_spec(&SpecDocument::from(&spec)).await?))
}

#[derive(Serialize)]
pub(crate) struct SavedSpec {
    spec: SpecDocument,
    published: bool,
    quality: QualityReport,
}

/// `PUT /api/v1/specs/{id}`: replaces a specification of the caller's institution.
pub(crate) async fn update_spec(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<SavedSpec>, ApiError> {
    let mut document: SpecDocument = json_body(&body)?;
    match &document.id {
        Some(named) if *named != id => {
            return Err(ApiError::invalid("id", &format!("names {named}, but the address names {id}")));
        }
        _ => document.id = Some(id.clone()),
    }
    let issuer = caller.issuer(&app)?;
    let (spec, quality) = issuer.update_spec(&document, app.now()).await?;
    let (_, publication) = issuer.spec(&id).await?;
    Ok(Json(SavedSpec {
        spec: SpecDocument::from(&spec),
        published: publication != mc_app::Publication::Draft,
        quality,
    }))
}

/// `POST /api/v1/specs/{id}/publish`: publishes a specification of the caller's institution;
/// 422 with the quality check's errors when it has any.
pub(crate) async fn publish_spec(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let quality = caller.issuer(&app)?.publish_spec(&id, app.now()).await?;
    Ok(Json(json!({"id": id, "published": true, "quality": quality})))
}

/// `POST /api/v1/specs/{id}/withdraw`: takes a specification of the caller's institution out
/// of the catalogue.
pub(crate) async fn withdraw_spec(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.issuer(&app)?.withdraw_spec(&id).await?;
    Ok(Json(json!({"id": id, "published": false})))
}

/// `PUT /api/v1/specs/{id}/image`: sets the badge image of a specification of the caller's
/// institution (the body: a PNG or an SVG).
pub(crate) async fn set_spec_image(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let kind = caller.issuer(&app)?.set_spec_image(&id, &body, app.now()).await?;
    Ok(Json(json!({"id": id, "media_type": kind.media_type(), "url": app.badge_url_of(&id)?})))
}

/// `GET /api/v1/trusted-issuers`: the network's trusted-issuer list, for other verifiers.
pub(crate) async fn trusted_issuers(State(app): State<App>) -> Result<Json<TrustList>, ApiError> {
    Ok(Json(app.trust_list_document().await?))
}

/// `GET /api/v1/registry`: every institution's accreditation facts.
pub(crate) async fn registry(State(app): State<App>) -> Result<Json<Value>, ApiError> {
    let records = app.accreditations().await?;
    let institutions: Vec<Value> = records.iter().map(super::network::accreditation_json).collect();
    Ok(Json(json!({ "institutions": institutions })))
}
