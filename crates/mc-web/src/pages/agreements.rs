//! Recognition agreements as people read them: the list, and each agreement rendered as a
//! document in the reader's language (parties, period, scope, every rule in words, signatures).

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use mc_app::{App, StoredAgreement};
use mc_core::recognition::{Grant, QaNeeded, Rule, Selector};

use super::{Chrome, PageError, Visitor, i18n::Lang, render, views::tag};

#[derive(Template)]
#[template(path = "agreements.html")]
struct ListPage {
    chrome: Chrome,
    /// Id, title, parties and state of each agreement.
    agreements: Vec<(String, String, String, String)>,
}

#[derive(Template)]
#[template(path = "agreement.html")]
struct AgreementPage {
    chrome: Chrome,
    title: String,
    version: u32,
    state: String,
    parties: Vec<String>,
    period: String,
    scope: String,
    rules: Vec<String>,
    signatures: Vec<String>,
    id: String,
    /// The signed-in admin's institution, a party, may sign this version.
    can_sign: bool,
    /// The signed-in admin's institution, a party, may end the agreement.
    can_end: bool,
    /// The signed-in admin's institution, in words.
    party: String,
}

/// The agreement's state, in words.
fn state(stored: &StoredAgreement, lang: Lang) -> String {
    let es = lang.code() == "es";
    match (&stored.ended, stored.signed_by_all(), es) {
        (Some((_, at)), _, false) => format!("Ended on {}", super::views::day(*at, lang)),
        (Some((_, at)), _, true) => format!("Terminado el {}", super::views::day(*at, lang)),
        (None, true, false) => "In force: signed by every party".into(),
        (None, true, true) => "En vigor: firmado por todas las partes".into(),
        (None, false, false) => "Awaiting signatures".into(),
        (None, false, true) => "Pendiente de firmas".into(),
    }
}

/// An institution's name in `lang`, or its id when it is not registered.
async fn name(app: &App, id: &str, lang: Lang) -> String {
    match app.institution(id).await {
        Ok(institution) => institution.name().best(&tag(lang)).to_owned(),
        Err(_) => id.to_owned(),
    }
}

/// A specification's title in `lang` (its id when it is not published here).
async fn spec_title(app: &App, id: &mc_core::SpecId, lang: Lang) -> String {
    match app.catalogue_spec(&id.to_string()).await {
        Ok(entry) => format!("“{}”", entry.spec.title().best(&tag(lang))),
        Err(_) => id.to_string(),
    }
}

/// One rule in words: who recognises what, as what. `specs` are the titles of the
/// specifications a rule names.
fn rule_words(rule: &Rule, recogniser: &str, specs: &[String], lang: Lang) -> String {
    let es = lang.code() == "es";
    let selected = match &rule.selector {
        Selector::Specs(_) => match es {
            false => format!("credentials of {}", specs.join(", ")),
            true => format!("las credenciales de {}", specs.join(", ")),
        },
        Selector::Conditions(conditions) => {
            let mut parts = Vec::new();
            if let Some(ects) = conditions.min_ects {
                parts.push(if es { format!("al menos {ects} ECTS") } else { format!("at least {ects} ECTS") });
            }
            if let Some(level) = conditions.min_eqf {
                parts.push(if es {
                    format!("nivel MEC {level} o superior")
                } else {
                    format!("EQF level {level} or above")
                });
            }
            if !conditions.fields.is_empty() {
                let lang = if es { "es" } else { "en" };
                let fields: Vec<String> = conditions
                    .fields
                    .iter()
                    .map(|code| mc_core::isced_f_name_in(code.as_str(), lang).unwrap_or(code.as_str()).to_owned())
                    .collect();
                parts.push(if es {
                    format!("en {}", fields.join(" o "))
                } else {
                    format!("in {}", fields.join(" or "))
                });
            }
            if !conditions.skills.is_empty() {
                let share = (conditions.min_skill_overlap * 100.0).round();
                let count = conditions.skills.len();
                parts.push(if es {
                    format!("con el {share}% de {count} competencias ESCO nombradas")
                } else {
                    format!("with {share}% of {count} named ESCO skills")
                });
            }
            if !conditions.assessment.is_empty() {
                let kinds: Vec<&str> =
                    conditions.assessment.iter().map(|kind| super::i18n::assessment_kind(lang, *kind)).collect();
                parts.push(if es {
                    format!("evaluación {}", kinds.join(" o "))
                } else {
                    format!("{} assessment", kinds.join(" or "))
                });
            }
            match (conditions.quality_assurance, es) {
                (Some(QaNeeded::External), false) => parts.push("externally quality assured".into()),
                (Some(QaNeeded::External), true) => parts.push("con garantía de calidad externa".into()),
                (Some(QaNeeded::Internal), false) => parts.push("quality assured".into()),
                (Some(QaNeeded::Internal), true) => parts.push("con garantía de calidad".into()),
                (None, _) => {}
            }
            if !conditions.identity_verification.is_empty() {
                let kinds: Vec<&str> = conditions
                    .identity_verification
                    .iter()
                    .map(|kind| super::i18n::identity_verification(lang, *kind))
                    .collect();
                parts.push(if es {
                    format!("verificación de identidad {}", kinds.join(" o "))
                } else {
                    format!("identity verification {}", kinds.join(" or "))
                });
            }
            if let Some(grade) = conditions.min_grade {
                parts.push(if es {
                    format!("calificación de al menos {grade}")
                } else {
                    format!("a grade of at least {grade}")
                });
            }
            if let Some(years) = conditions.within_years {
                parts.push(if es {
                    format!("obtenidas hace menos de {years} años")
                } else {
                    format!("earned within {years} years")
                });
            }
            match es {
                false => format!("credentials of the other parties with {}", parts.join(", ")),
                true => format!("las credenciales de las demás partes con {}", parts.join(", ")),
            }
        }
    };
    let each = match (&rule.grant, es) {
        (Grant::Course { .. }, _) => "",
        (Grant::Elective { .. }, false) => " each",
        (Grant::Elective { .. }, true) => " cada una",
    };
    let granted = format!("{}{each}", super::i18n::grant(lang, &rule.grant));
    let cap = match (rule.cap_ects, es) {
        (Some(cap), false) => format!(", at most {cap} ECTS in all"),
        (Some(cap), true) => format!(", como máximo {cap} ECTS en total"),
        (None, _) => String::new(),
    };
    match es {
        false => format!("{recogniser} recognises {selected} as {granted}{cap}."),
        true => format!("{recogniser} reconoce {selected} como {granted}{cap}."),
    }
}

/// `GET /agreements`: every recognition agreement.
pub(crate) async fn list(State(app): State<App>, visitor: Visitor) -> Result<Response, PageError> {
    let lang = visitor.lang;
    let stored = app.agreements().await.map_err(|err| visitor.fail(err))?;
    let mut agreements = Vec::new();
    for agreement in &stored {
        let mut parties = Vec::new();
        for party in &agreement.agreement.parties {
            parties.push(name(&app, party.as_str(), lang).await);
        }
        agreements.push((
            agreement.agreement.id.clone(),
            agreement.agreement.title.best(&tag(lang)).to_owned(),
            parties.join(", "),
            state(agreement, lang),
        ));
    }
    Ok(render(&ListPage { chrome: visitor.chrome(visitor.t().agreements_title), agreements }))
}

/// `GET /agreements/{id}`: an agreement as a readable document.
pub(crate) async fn show(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let lang = visitor.lang;
    let stored = app.agreement(&id, None).await.map_err(|err| visitor.fail(err))?;
    let agreement = &stored.agreement;
    let mut parties = Vec::new();
    for party in &agreement.parties {
        parties.push(name(&app, party.as_str(), lang).await);
    }
    let mut rules = Vec::new();
    for rule in &agreement.rules {
        let mut specs = Vec::new();
        if let Selector::Specs(ids) = &rule.selector {
            for id in ids {
                specs.push(spec_title(&app, id, lang).await);
            }
        }
        rules.push(rule_words(rule, &name(&app, rule.recognised_by.as_str(), lang).await, &specs, lang));
    }
    let mut signatures = Vec::new();
    for (party, signed) in &stored.signatures {
        let who = name(&app, party.as_str(), lang).await;
        signatures.push(match (signed, lang.code() == "es") {
            (Some(at), false) => format!("{who}: signed on {}", super::views::day(*at, lang)),
            (Some(at), true) => format!("{who}: firmado el {}", super::views::day(*at, lang)),
            (None, false) => format!("{who}: not signed yet"),
            (None, true) => format!("{who}: pendiente de firma"),
        });
    }
    let until = agreement.valid_until.map(|until| super::views::day(until, lang));
    let period = super::i18n::period(lang, &super::views::day(agreement.valid_from, lang), until.as_deref());
    let title = agreement.title.best(&tag(lang)).to_owned();
    // An admin of a party signs or ends it here.
    let party = visitor
        .signed_in_member(&app)
        .filter(|member| member.role() == mc_app::Role::Admin)
        .map(|member| member.institution_id().clone())
        .filter(|institution| agreement.parties.contains(institution));
    let (can_sign, can_end) = match &party {
        Some(party) if stored.ended.is_none() => {
            let unsigned = stored.signatures.iter().any(|(who, signed)| who == party && signed.is_none());
            (unsigned, true)
        }
        _ => (false, false),
    };
    let party = match party {
        Some(party) => name(&app, party.as_str(), lang).await,
        None => String::new(),
    };
    let page = AgreementPage {
        chrome: visitor.chrome(&title),
        title,
        version: stored.version,
        state: state(&stored, lang),
        parties,
        period,
        scope: agreement.scope.as_ref().map(|scope| scope.best(&tag(lang)).to_owned()).unwrap_or_default(),
        rules,
        signatures,
        id: agreement.id.clone(),
        can_sign,
        can_end,
        party,
    };
    Ok(render(&page))
}

/// `POST /agreements/{id}/sign` and `/agreements/{id}/end`: a party's admin signs the latest
/// version, or ends the agreement.
pub(crate) async fn sign_or_end(
    State(app): State<App>,
    visitor: Visitor,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let member = visitor.member(&app)?;
    let field = |name: &str| form.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str());
    visitor.check_form(field("csrf").unwrap_or_default())?;
    let version = field("version").and_then(|version| version.parse().ok());
    let now = app.now();
    let done = match action.as_str() {
        "sign" => member.sign_agreement(&id, version, now).await,
        "end" => member.end_agreement(&id, now).await,
        _ => return Err(visitor.refuse(StatusCode::NOT_FOUND, "no such action")),
    };
    done.map_err(|err| visitor.fail(err))?;
    Ok(Redirect::to(&format!("/agreements/{id}")).into_response())
}
