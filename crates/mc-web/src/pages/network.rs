//! The network administrator's page: each institution's accreditation, the trusted-issuer list
//! (take an issuer off, put an institution back), and a partner network's list to import.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use mc_app::{AccreditationDocument, AccreditationStatus, App, AppError};
use mc_core::{LanguageTag, Timestamp};
use serde::Deserialize;

use super::{Chrome, PageError, Visitor, i18n, render, views::day};
use crate::pages::issuer::CsrfForm;

/// An institution's row in the registry, with its facts when recorded.
struct RegistryRow {
    id: String,
    name: String,
    status: Option<&'static str>,
    status_code: &'static str,
    qa_body: String,
    valid_from: String,
    valid_until: String,
    /// The accreditation's period, in words.
    period: String,
    register_id: String,
}

/// An issuer of the trusted-issuer list.
struct TrustRow {
    id: String,
    name: String,
    country: String,
    partner: Option<String>,
    left: Option<String>,
}

#[derive(Template)]
#[template(path = "network.html")]
struct NetworkPage {
    chrome: Chrome,
    registry: Vec<RegistryRow>,
    issuers: Vec<TrustRow>,
    statuses: Vec<(&'static str, &'static str)>,
    problems: Vec<String>,
    import_report: Option<String>,
}

async fn page(
    app: &App,
    visitor: &Visitor,
    problems: Vec<String>,
    import_report: Option<String>,
) -> Result<Response, PageError> {
    visitor.network(app)?;
    let fail = |err| visitor.fail(err);
    let tag = LanguageTag::parse(visitor.lang.code()).expect("en and es are language tags");
    let accreditations = app.accreditations().await.map_err(fail)?;
    let registry = app
        .institutions()
        .await
        .map_err(fail)?
        .iter()
        .map(|institution| {
            let facts = accreditations.iter().find(|facts| &facts.institution == institution.id());
            RegistryRow {
                id: institution.id().to_string(),
                name: institution.name().best(&tag).to_owned(),
                status: facts.map(|facts| i18n::accreditation_status(visitor.lang, facts.status)),
                status_code: facts.map(|facts| facts.status.as_str()).unwrap_or_default(),
                qa_body: facts.map(|facts| facts.qa_body.clone()).unwrap_or_default(),
                valid_from: facts.map(|facts| facts.valid_from.clone()).unwrap_or_default(),
                valid_until: facts.and_then(|facts| facts.valid_until.clone()).unwrap_or_default(),
                period: facts
                    .map(|facts| {
                        let until = facts.valid_until.as_deref().map(|until| i18n::date(visitor.lang, until));
                        i18n::period(visitor.lang, &i18n::date(visitor.lang, &facts.valid_from), until.as_deref())
                    })
                    .unwrap_or_default(),
                register_id: facts.and_then(|facts| facts.register_id.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let list = app.trust_list_document().await.map_err(fail)?;
    let issuers = list
        .issuers
        .iter()
        .map(|entry| TrustRow {
            partner: entry.id.split_once(':').map(|(network, _)| network.to_owned()),
            id: entry.id.clone(),
            name: entry.name.clone().unwrap_or_else(|| entry.id.clone()),
            country: entry
                .country
                .as_deref()
                .map(|code| mc_core::country_name_in(code, visitor.lang.code()).unwrap_or(code).to_owned())
                .unwrap_or_default(),
            left: entry
                .trusted_until
                .as_deref()
                .and_then(|raw| Timestamp::parse(raw).ok())
                .map(|at| day(at, visitor.lang)),
        })
        .collect();
    let statuses = AccreditationStatus::ALL
        .into_iter()
        .map(|status| (status.as_str(), i18n::accreditation_status(visitor.lang, status)))
        .collect();
    let status = if problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = NetworkPage {
        chrome: visitor.chrome(visitor.t().network_title),
        registry,
        issuers,
        statuses,
        problems,
        import_report,
    };
    Ok((status, render(&page)).into_response())
}

/// `GET /network`.
pub(crate) async fn dashboard(State(app): State<App>, visitor: Visitor) -> Result<Response, PageError> {
    page(&app, &visitor, Vec::new(), None).await
}

#[derive(Deserialize)]
pub(crate) struct AccreditationForm {
    csrf: String,
    qa_body: String,
    status: String,
    valid_from: String,
    #[serde(default)]
    valid_until: String,
    #[serde(default)]
    register_id: String,
}

/// `POST /network/registry/{institution}`: records an institution's accreditation; wrong facts
/// are shown on the page, and nothing changes.
pub(crate) async fn set_accreditation(
    State(app): State<App>,
    visitor: Visitor,
    Path(institution): Path<String>,
    axum::Form(form): axum::Form<AccreditationForm>,
) -> Result<Response, PageError> {
    visitor.check_form(&form.csrf)?;
    let network = visitor.network(&app)?;
    let optional = |raw: String| Some(raw.trim().to_owned()).filter(|raw| !raw.is_empty());
    let document = AccreditationDocument {
        institution: institution.clone(),
        qa_body: form.qa_body,
        status: form.status,
        valid_from: form.valid_from.trim().to_owned(),
        valid_until: optional(form.valid_until),
        register_id: optional(form.register_id),
    };
    match network.set_accreditation(&document, app.now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/network#registry-{institution}")).into_response()),
        Err(AppError::Rejected(invalid)) => {
            let problems = invalid.problems().iter().map(|problem| format!("{institution}: {problem}")).collect();
            page(&app, &visitor, problems, None).await
        }
        Err(err) => Err(visitor.fail(err)),
    }
}

/// `POST /network/trust/{id}/remove|add`: takes an issuer off the list, or puts an institution
/// of this network back on it.
pub(crate) async fn change_trust(
    State(app): State<App>,
    visitor: Visitor,
    Path((id, action)): Path<(String, String)>,
    axum::Form(form): axum::Form<CsrfForm>,
) -> Result<Response, PageError> {
    visitor.check_form(&form.csrf)?;
    let network = visitor.network(&app)?;
    let done = match action.as_str() {
        "remove" => network.untrust(&id, app.now()).await.map(|_| ()),
        "add" => network.trust_institution(&id, &[], app.now()).await.map(|_| ()),
        _ => return Err(visitor.refuse(StatusCode::NOT_FOUND, "no such action")),
    };
    match done {
        Ok(()) => Ok(Redirect::to("/network#trust").into_response()),
        Err(err @ AppError::Conflict(_)) => page(&app, &visitor, vec![err.to_string()], None).await,
        Err(err) => Err(visitor.fail(err)),
    }
}

#[derive(Deserialize)]
pub(crate) struct ImportForm {
    csrf: String,
    network: String,
    document: String,
}

/// `POST /network/import`: imports a partner network's list and says what was taken.
pub(crate) async fn import(
    State(app): State<App>,
    visitor: Visitor,
    axum::Form(form): axum::Form<ImportForm>,
) -> Result<Response, PageError> {
    visitor.check_form(&form.csrf)?;
    let network = visitor.network(&app)?;
    let t = visitor.t();
    match network.import_trust_list(&form.document, form.network.trim(), app.now()).await {
        Ok(report) => {
            let mut summary = format!("{} {}, {} {}", report.imported, t.imported, report.rejected.len(), t.refused);
            for (index, reason) in &report.rejected {
                summary.push_str(&format!("; [{index}] {reason}"));
            }
            if !report.left.is_empty() {
                summary.push_str(&format!("; {}: {}", t.left_the_list, report.left.join(", ")));
            }
            page(&app, &visitor, Vec::new(), Some(summary)).await
        }
        Err(err @ (AppError::Parse { .. } | AppError::InvalidArgument { .. })) => {
            page(&app, &visitor, vec![err.to_string()], None).await
        }
        Err(err) => Err(visitor.fail(err)),
    }
}
