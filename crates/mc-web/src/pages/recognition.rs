//! The recognition officer's page: the recognition requests learners made of the institution,
//! each with its credential's verification and what the agreements in force propose, to
//! accept, accept for fewer ECTS, or reject with a reason.

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use mc_app::{App, Decision, Role};
use mc_core::recognition::Grant;
use serde::Deserialize;

use super::{Chrome, PageError, Visitor, i18n, learner::RequestView, render};

/// A proposal the officer may accept.
struct ProposalView {
    /// `agreement/rule`.
    value: String,
    words: String,
}

/// A request waiting for a decision, with what the officer needs to decide it.
struct PendingView {
    request: RequestView,
    verdict: &'static str,
    verdict_class: &'static str,
    /// Why it cannot be recognised, and whether in English (the evaluation's words).
    refused: (String, bool),
    proposals: Vec<ProposalView>,
    tried: Vec<TriedView>,
}

/// A rule tried, in words: which, whether it matched, and each condition with whether it held.
struct TriedView {
    rule: String,
    matched: bool,
    checks: Vec<(bool, &'static str, String)>,
}

#[derive(Template)]
#[template(path = "recognition_requests.html")]
struct RequestsPage {
    chrome: Chrome,
    institution: String,
    officer: bool,
    pending: Vec<PendingView>,
    answered: Vec<RequestView>,
}

/// `GET /issuer/recognition`: the requests made of the member's institution.
pub(crate) async fn requests(State(app): State<App>, visitor: Visitor) -> Result<Response, PageError> {
    let member = visitor.member(&app)?;
    let fail = |err| visitor.fail(err);
    let lang = visitor.lang;
    let institution = member.institution().await.map_err(fail)?;
    let now = app.now();
    let mut pending = Vec::new();
    let mut answered = Vec::new();
    for request in member.recognition_requests().await.map_err(fail)? {
        let view = RequestView::new(&app, &request, lang).await;
        if request.answer.is_some() {
            answered.push(view);
            continue;
        }
        let texts = std::slice::from_ref(&request.credential);
        let (verification, outcome) =
            app.recognize(member.institution_id().as_str(), texts, now).await.map_err(fail)?.remove(0);
        let mut titles = std::collections::HashMap::new();
        let used = outcome.proposals.iter().map(|p| (&p.agreement, p.version));
        for (agreement, version) in used.chain(outcome.tried.iter().map(|t| (&t.agreement, t.version))) {
            if !titles.contains_key(agreement) {
                let title = match app.agreement(agreement, Some(version)).await {
                    Ok(stored) => stored.agreement.title.best(&super::views::tag(lang)).to_owned(),
                    Err(_) => agreement.to_string(),
                };
                titles.insert(agreement.clone(), title);
            }
        }
        let proposals = outcome
            .proposals
            .iter()
            .map(|proposal| {
                let grant = match &proposal.grant {
                    Grant::Elective { .. } => Grant::Elective { ects: proposal.ects },
                    course => course.clone(),
                };
                ProposalView {
                    value: format!("{}/{}", proposal.agreement, proposal.rule),
                    words: format!(
                        "{} · {}",
                        i18n::grant(lang, &grant),
                        titles.get(&proposal.agreement).map(String::as_str).unwrap_or_default(),
                    ),
                }
            })
            .collect();
        let tried = outcome
            .tried
            .iter()
            .map(|tried| {
                let checks = tried
                    .checks
                    .iter()
                    .map(|check| (check.held, i18n::condition(lang, check.kind), check.said.clone()))
                    .collect();
                let title = titles.get(&tried.agreement).map(String::as_str).unwrap_or_default();
                TriedView { rule: format!("{title} · {}", tried.rule), matched: tried.matched, checks }
            })
            .collect();
        let (verdict, _) = i18n::verdict(lang, verification.verdict);
        let verdict_class = match verification.verdict {
            mc_vc::verify::Verdict::Valid => "good",
            mc_vc::verify::Verdict::Invalid => "bad",
            mc_vc::verify::Verdict::Indeterminate => "warn",
        };
        // A credential that does not verify is refused for the cause its verification names, in
        // the page's language; other refusals are the evaluation's own (English) words.
        let refused = match (verification.verdict, outcome.refused) {
            (_, None) => (String::new(), false),
            (mc_vc::verify::Verdict::Valid, Some(why)) => (why, true),
            (_, Some(_)) => {
                let issuer = mc_vc::verify::describe(&request.credential, lang.code())
                    .and_then(|described| described.issuer)
                    .unwrap_or_default();
                (i18n::cause(lang, &verification, &issuer), false)
            }
        };
        pending.push(PendingView { request: view, verdict, verdict_class, refused, proposals, tried });
    }
    Ok(render(&RequestsPage {
        chrome: visitor.chrome(visitor.t().recognition_requests),
        institution: institution.name().best(&super::views::tag(lang)).to_owned(),
        officer: member.role().includes(Role::RecognitionOfficer),
        pending,
        answered,
    }))
}

#[derive(Deserialize)]
pub(crate) struct DecisionForm {
    csrf: String,
    /// `accept`, `amend` or `reject`.
    action: String,
    /// `agreement/rule`.
    #[serde(default)]
    proposal: String,
    #[serde(default)]
    ects: String,
    #[serde(default)]
    reason: String,
}

/// `POST /issuer/recognition/{id}`: decides a request, as a recognition officer.
pub(crate) async fn decide(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, PageError> {
    let member = visitor.member(&app)?;
    visitor.check_form(&form.csrf)?;
    let rule = form.proposal.split_once('/');
    let decision = match form.action.as_str() {
        "accept" => Decision::Accept { rule },
        "amend" => {
            let Ok(ects) = form.ects.trim().replace(',', ".").parse::<f64>() else {
                return Err(visitor.error(StatusCode::UNPROCESSABLE_ENTITY, visitor.t().ects_unreadable));
            };
            Decision::Amend { rule, ects, reason: &form.reason }
        }
        "reject" => Decision::Reject { reason: &form.reason },
        _ => return Err(visitor.refuse(StatusCode::NOT_FOUND, "no such action")),
    };
    member.answer_recognition_request(&id, decision, app.now()).await.map_err(|err| visitor.fail(err))?;
    Ok(Redirect::to(&format!("/issuer/recognition#request-{id}")).into_response())
}
