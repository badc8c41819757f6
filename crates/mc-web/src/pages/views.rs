//! What the templates show, worked out from domain values: texts already in the visitor's
//! language, dates and numbers already formatted.

use mc_app::{App, AppError, InstitutionAccess, IssuedCredential, Publication};
use mc_core::{CredentialState, LanguageTag, Spec, Timestamp};
use mc_vc::verify::{CheckId, CheckStatus, Verdict, Verification};

use super::i18n::{self, Lang};

/// The language tag of a page language, for picking texts out of multilingual values.
pub(crate) fn tag(lang: Lang) -> LanguageTag {
    LanguageTag::parse(lang.code()).expect("en and es are language tags")
}

/// A specification in a list.
pub(crate) struct SpecRow {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) eqf: String,
    pub(crate) workload: String,
    /// Listed in the catalogue.
    pub(crate) published: bool,
}

impl SpecRow {
    pub(crate) fn new(spec: &Spec, published: bool, lang: Lang) -> SpecRow {
        SpecRow {
            id: spec.id().to_string(),
            title: spec.title().best(&tag(lang)).to_owned(),
            eqf: spec.eqf_level().map(|level| level.to_string()).unwrap_or_else(|| "–".into()),
            workload: workload(spec.workload().ects(), spec.workload().hours(), lang),
            published,
        }
    }
}

/// A workload as people read it: `5 ECTS · 125 hours`.
pub(crate) fn workload(ects: Option<f64>, hours: Option<u32>, lang: Lang) -> String {
    let t = lang.texts();
    match (ects, hours) {
        (Some(ects), Some(hours)) => format!("{ects} ECTS · {hours} {}", t.hours),
        (Some(ects), None) => format!("{ects} ECTS"),
        (None, Some(hours)) => format!("{hours} {}", t.hours),
        (None, None) => String::new(),
    }
}

/// The specifications of the member's institution, with whether each is published.
pub(crate) async fn spec_rows(member: &InstitutionAccess<'_>, lang: Lang) -> Result<Vec<SpecRow>, AppError> {
    let specs = member.specs().await?;
    Ok(specs.iter().map(|(spec, publication)| SpecRow::new(spec, *publication != Publication::Draft, lang)).collect())
}

/// One issued credential, as people read it.
#[derive(Clone)]
pub(crate) struct CredentialView {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) learner: String,
    pub(crate) issuer: String,
    pub(crate) issued: String,
    pub(crate) state: &'static str,
    pub(crate) state_class: &'static str,
    /// Since when it is in its state, when it was revoked or suspended: "since 1 December 2026".
    pub(crate) since: String,
    /// Why it was revoked, as the issuer said (shown to the issuer's staff only).
    pub(crate) reason: String,
    pub(crate) outcomes: Vec<String>,
    pub(crate) ects: String,
    pub(crate) hours: String,
    pub(crate) eqf: String,
    /// The formats it was issued in, in words.
    pub(crate) format: &'static str,
    /// Whether an Open Badges credential was issued.
    pub(crate) open_badge: bool,
    /// Whether a European Digital Credential was issued.
    pub(crate) edc: bool,
}

impl CredentialView {
    /// What `credential` says, read from the signed credential itself: a specification edited
    /// since does not change what an earlier credential shows.
    pub(crate) async fn load(app: &App, credential: &IssuedCredential, lang: Lang) -> Result<CredentialView, AppError> {
        let signed = credential.content(lang.code());
        let learner = app.credential_parts(credential).await?.learner;
        Ok(CredentialView {
            id: credential.id().to_owned(),
            title: signed.title,
            description: signed.description,
            learner: learner.map(|learner| learner.name().to_owned()).unwrap_or_default(),
            issuer: signed.issuer,
            issued: day(credential.issued_at(), lang),
            state: i18n::state(lang, credential.state()),
            state_class: state_class(credential.state()),
            since: match (credential.state(), credential.state_changed_at()) {
                (CredentialState::Active, _) | (_, None) => String::new(),
                (_, Some(at)) => format!("{} {}", lang.texts().since, day(at, lang)),
            },
            reason: credential.revocation_reason().unwrap_or_default().to_owned(),
            outcomes: signed.outcomes,
            ects: signed.ects.map(|ects| ects.to_string()).unwrap_or_default(),
            hours: signed.hours.map(|hours| hours.to_string()).unwrap_or_default(),
            eqf: signed.eqf_level.unwrap_or_default(),
            format: i18n::credential_format(lang, credential.format()),
            open_badge: credential.open_badge().is_some(),
            edc: credential.sealed_edc().is_some(),
        })
    }
}

/// The style of a credential state: green, amber or red.
pub(crate) fn state_class(state: CredentialState) -> &'static str {
    match state {
        CredentialState::Revoked => "bad",
        CredentialState::Suspended => "warn",
        CredentialState::Active => "good",
    }
}

/// The day of a time as people write it in `lang`: "1 December 2026", "1 de diciembre de 2026".
pub(crate) fn day(time: Timestamp, lang: Lang) -> String {
    i18n::date(lang, time.to_rfc3339().get(..10).unwrap_or_default())
}

/// A verification result, as people read it.
pub(crate) struct ResultView {
    pub(crate) verdict_class: &'static str,
    pub(crate) headline: &'static str,
    /// The verdict in one sentence that names its cause.
    pub(crate) summary: String,
    /// What the credential says it is.
    pub(crate) about: Option<AboutView>,
    /// Whether it was issued to the email address the reader gave: its style and words.
    pub(crate) owner: Option<(&'static str, String)>,
    pub(crate) checks: Vec<CheckView>,
    /// Who sealed a sealed credential.
    pub(crate) seal: Option<mc_vc::verify::SealSummary>,
}

/// What a verified credential says it is, in words.
pub(crate) struct AboutView {
    pub(crate) title: String,
    pub(crate) issuer: String,
    pub(crate) learner: String,
    pub(crate) awarded: String,
    pub(crate) format: &'static str,
}

/// One check of a verification, with its mark.
pub(crate) struct CheckView {
    pub(crate) id: &'static str,
    pub(crate) class: &'static str,
    pub(crate) mark: &'static str,
    pub(crate) name: &'static str,
    pub(crate) explanation: &'static str,
    pub(crate) message: String,
}

impl ResultView {
    /// The result of verifying the credential in `text`, saying whether it was issued to
    /// `email` when one is given.
    pub(crate) fn new(verification: &Verification, lang: Lang, text: &str, email: &str) -> ResultView {
        let t = lang.texts();
        let (headline, _) = i18n::verdict(lang, verification.verdict);
        let about = mc_vc::verify::describe(text, lang.code()).map(|described| AboutView {
            title: described.title.unwrap_or_default(),
            issuer: described.issuer.or_else(|| verification.issuer.clone()).unwrap_or_default(),
            learner: described.learner.unwrap_or_else(|| t.not_named.to_owned()),
            awarded: described.awarded.map(|day| i18n::date(lang, &day)).unwrap_or_default(),
            format: match described.kind {
                mc_vc::verify::CredentialKind::OpenBadge => t.kind_open_badge,
                mc_vc::verify::CredentialKind::EuropeanDigitalCredential => t.kind_edc,
                mc_vc::verify::CredentialKind::SdJwtVc => t.kind_sd_jwt,
                mc_vc::verify::CredentialKind::Other => t.kind_other,
            },
        });
        let issuer = about.as_ref().map(|about| about.issuer.as_str()).filter(|issuer| !issuer.is_empty());
        let summary = i18n::cause(lang, verification, issuer.or(verification.issuer.as_deref()).unwrap_or("?"));
        let verdict_class = match verification.verdict {
            Verdict::Valid => "good",
            Verdict::Invalid => "bad",
            Verdict::Indeterminate => "unknown",
        };
        let checks = verification
            .checks
            .iter()
            .map(|check| {
                let (class, mark) = match check.status {
                    CheckStatus::Passed => ("good", "✓"),
                    CheckStatus::Failed => ("bad", "✗"),
                    CheckStatus::Skipped => ("unknown", "–"),
                    CheckStatus::Warning => ("warn", "!"),
                };
                let not_reached = check.message == mc_vc::verify::NOT_REACHED;
                CheckView {
                    id: check_id(check.id),
                    class,
                    mark,
                    name: i18n::check_name(lang, check.id),
                    explanation: match not_reached {
                        true => t.not_reached,
                        false => i18n::explain(lang, check.id, check.status),
                    },
                    message: check.message.clone(),
                }
            })
            .collect();
        ResultView {
            verdict_class,
            headline,
            summary,
            about,
            owner: (!email.is_empty()).then(|| match mc_vc::verify::issued_to_email(text, email) {
                Some(true) => ("good", format!("✓ {} {email}", t.owner_yes)),
                Some(false) => ("bad", format!("✗ {} {email}", t.owner_no)),
                None => ("unknown", t.owner_unknown.to_owned()),
            }),
            checks,
            seal: verification.seal.clone(),
        }
    }
}

fn check_id(id: CheckId) -> &'static str {
    match id {
        CheckId::Format => "format",
        CheckId::Schema => "schema",
        CheckId::Proof => "proof",
        CheckId::Issuer => "issuer",
        CheckId::Holder => "holder",
        CheckId::Validity => "validity",
        CheckId::Status => "status",
        CheckId::Trust => "trust",
    }
}
