//! What a credential says it is, read for the person checking it: its title, issuer, learner,
//! award date and format, from an Open Badges 3.0 credential, a European Digital Credential
//! (sealed or not) or another Verifiable Credential, as JSON or as a JWT. A reading, not a
//! check: whether any of it holds is the verification's to say.

use serde_json::{Map, Value};

/// The kinds of credentials a description names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    /// An Open Badges 3.0 credential.
    OpenBadge,
    /// A European Digital Credential.
    EuropeanDigitalCredential,
    /// An SD-JWT VC, as wallets hold them.
    SdJwtVc,
    /// Another Verifiable Credential.
    Other,
}

/// What a credential says it is; `None` where it does not say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description {
    /// What was achieved.
    pub title: Option<String>,
    /// Who issued it, by name (or by id when it gives no name).
    pub issuer: Option<String>,
    /// The learner's name.
    pub learner: Option<String>,
    /// The day it was awarded, `YYYY-MM-DD`.
    pub awarded: Option<String>,
    /// Its format.
    pub kind: CredentialKind,
}

/// Whether the credential in `text` was issued to the holder of `email`, as far as it says:
/// an Open Badges identity object of type `emailAddress`, hashed (`sha256$…` of the address
/// and the salt) or not, or a European Digital Credential's contact address. `None` when the
/// credential names its learner in no way an email address can be checked against.
pub fn issued_to_email(text: &str, email: &str) -> Option<bool> {
    let email = email.trim().to_lowercase();
    if let Some(claims) = sd_jwt_claims(text) {
        return claims.get("learner_email").and_then(Value::as_str).map(|claimed| claimed.eq_ignore_ascii_case(&email));
    }
    let credential = read(text.trim())?;
    let subject = credential.get("credentialSubject")?;
    let mut checkable = false;
    for identity in subject["identifier"].as_array().into_iter().flatten() {
        if identity["identityType"] != "emailAddress" {
            continue;
        }
        let Some(claimed) = identity["identityHash"].as_str() else { continue };
        checkable = true;
        let matches = match identity["hashed"].as_bool().unwrap_or(false) {
            false => claimed.trim().eq_ignore_ascii_case(&email),
            true => {
                let salt = identity["salt"].as_str().unwrap_or_default();
                match claimed.split_once('$') {
                    Some((algorithm, hash)) if algorithm.eq_ignore_ascii_case("sha256") => {
                        let digest = <sha2::Sha256 as sha2::Digest>::digest(format!("{email}{salt}"));
                        crate::badge::hex_lower(&digest).eq_ignore_ascii_case(hash)
                    }
                    _ => false,
                }
            }
        };
        if matches {
            return Some(true);
        }
    }
    if let Some(mailbox) = subject["contactPoint"]["emailAddress"]["id"].as_str() {
        checkable = true;
        if mailbox.strip_prefix("mailto:").is_some_and(|address| address.eq_ignore_ascii_case(&email)) {
            return Some(true);
        }
    }
    checkable.then_some(false)
}

/// Reads what the credential in `text` says it is, texts in `lang` where it has several
/// languages; `None` when `text` is no credential that can be read.
pub fn describe(text: &str, lang: &str) -> Option<Description> {
    if let Some(claims) = sd_jwt_claims(text) {
        let text = |value: Option<&Value>| value.and_then(|value| words(value, lang));
        return Some(Description {
            title: text(claims.get("title")),
            issuer: text(claims.get("institution").and_then(|institution| institution.get("name")))
                .or_else(|| text(claims.get("iss"))),
            learner: text(claims.get("learner_name")),
            awarded: text(claims.get("awarded_on")).and_then(|date| date.get(..10).map(str::to_owned)),
            kind: CredentialKind::SdJwtVc,
        });
    }
    let credential = read(text.trim())?;
    let types: Vec<&str> = match credential.get("type") {
        Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(kind)) => vec![kind.as_str()],
        _ => Vec::new(),
    };
    let kind = if types.iter().any(|kind| matches!(*kind, "OpenBadgeCredential" | "AchievementCredential")) {
        CredentialKind::OpenBadge
    } else if types.contains(&"EuropeanDigitalCredential") {
        CredentialKind::EuropeanDigitalCredential
    } else {
        CredentialKind::Other
    };
    let subject = credential.get("credentialSubject").unwrap_or(&Value::Null);
    let words = |value: &Value| words(value, lang);
    let title = match kind {
        CredentialKind::EuropeanDigitalCredential => words(&subject["hasClaim"][0]["title"])
            .or_else(|| words(&credential.get("displayParameter").unwrap_or(&Value::Null)["title"])),
        _ => words(&subject["achievement"]["name"]),
    }
    .or_else(|| credential.get("name").and_then(words));
    let issuer = credential.get("issuer").and_then(|issuer| match issuer {
        Value::String(id) => Some(id.clone()),
        issuer => words(&issuer["name"]).or_else(|| words(&issuer["legalName"])).or_else(|| words(&issuer["id"])),
    });
    let learner = words(&subject["name"]).or_else(|| words(&subject["fullName"])).or_else(|| {
        let given = words(&subject["givenName"])?;
        Some(match words(&subject["familyName"]) {
            Some(family) => format!("{given} {family}"),
            None => given,
        })
    });
    let awarded = ["awardedDate", "validFrom", "issuanceDate", "issued"]
        .iter()
        .find_map(|key| credential.get(*key).and_then(Value::as_str))
        .and_then(|date| date.get(..10))
        .map(str::to_owned);
    Some(Description { title, issuer, learner, awarded, kind })
}

/// The claims an SD-JWT VC in `text` discloses (none of it checked).
fn sd_jwt_claims(text: &str) -> Option<Map<String, Value>> {
    let text = text.trim();
    crate::sd_jwt::looks_like_sd_jwt(text)
        .then(|| crate::sd_jwt::SdJwt::parse(text, &crate::sd_jwt::SD_JWT_VC).ok())
        .flatten()
        .map(|sd| sd.claims)
}

/// The credential in `text`: JSON (a sealed credential's signed payload when it is one), or
/// the credential a JWT carries.
fn read(text: &str) -> Option<Map<String, Value>> {
    if !text.starts_with('{') {
        return crate::jwt::Jws::parse(text).ok()?.credential().ok().cloned();
    }
    let value: Map<String, Value> = serde_json::from_str(text).ok()?;
    match crate::jades::looks_sealed(&value) {
        true => serde_json::from_str(value.get("payload")?.as_str()?).ok(),
        false => Some(value),
    }
}

/// A text value in `lang`: a string, a language map (`{"es": "…"}`) or a language value
/// (`{"@value": "…"}`), falling back to English and then to any language.
fn words(value: &Value, lang: &str) -> Option<String> {
    let text = match value {
        Value::String(text) => Some(text.as_str()),
        Value::Object(map) => map
            .get(lang)
            .or_else(|| map.get("en"))
            .or_else(|| map.get("@value"))
            .or_else(|| map.values().find(|value| value.is_string()))
            .and_then(Value::as_str),
        Value::Array(values) => return values.iter().find_map(|value| words(value, lang)),
        _ => None,
    }?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_badge_says_its_title_issuer_and_date() {
        let badge = r#"{"type":["VerifiableCredential","OpenBadgeCredential"],"issuer":{"id":"did:web:u.example","name":"University X"},
            "awardedDate":"2026-11-30T10:00:00Z","credentialSubject":{"achievement":{"name":"Data literacy"}}}"#;
        let described = describe(badge, "en").unwrap();
        assert_eq!(described.title.as_deref(), Some("Data literacy"));
        assert_eq!(described.issuer.as_deref(), Some("University X"));
        assert_eq!(described.learner, None);
        assert_eq!(described.awarded.as_deref(), Some("2026-11-30"));
        assert_eq!(described.kind, CredentialKind::OpenBadge);
    }

    #[test]
    fn a_sealed_edc_is_read_from_its_payload_in_the_readers_language() {
        let payload = r#"{"type":["VerifiableCredential","EuropeanDigitalCredential"],"issuer":{"legalName":{"es":"Universidad X","en":"University X"}},
            "validFrom":"2026-11-30T10:00:00Z","credentialSubject":{"fullName":{"es":"José Núñez"},"hasClaim":[{"title":{"es":"Turismo","en":"Tourism"}}]}}"#;
        let sealed = serde_json::json!({"payload": payload, "signatures": []}).to_string();
        let described = describe(&sealed, "es").unwrap();
        assert_eq!(described.title.as_deref(), Some("Turismo"));
        assert_eq!(described.issuer.as_deref(), Some("Universidad X"));
        assert_eq!(described.learner.as_deref(), Some("José Núñez"));
        assert_eq!(described.kind, CredentialKind::EuropeanDigitalCredential);
        assert_eq!(describe(&sealed, "fr").unwrap().title.as_deref(), Some("Tourism"));
    }

    #[test]
    fn an_email_is_checked_against_the_hashed_identity() {
        let salt = "pepper";
        let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(format!("ana@uni.example{salt}")));
        let badge = format!(
            r#"{{"credentialSubject":{{"identifier":[{{"identityType":"emailAddress","hashed":true,"identityHash":"sha256${hash}","salt":"{salt}"}}]}}}}"#
        );
        assert_eq!(issued_to_email(&badge, " Ana@Uni.example "), Some(true));
        assert_eq!(issued_to_email(&badge, "eve@uni.example"), Some(false));
        let plain = r#"{"credentialSubject":{"identifier":[{"identityType":"emailAddress","hashed":false,"identityHash":"ana@uni.example"}]}}"#;
        assert_eq!(issued_to_email(plain, "ana@uni.example"), Some(true));
        let edc = r#"{"credentialSubject":{"contactPoint":{"emailAddress":{"id":"mailto:ana@uni.example"}}}}"#;
        assert_eq!(issued_to_email(edc, "ANA@uni.example"), Some(true));
        assert_eq!(issued_to_email(edc, "eve@uni.example"), Some(false));
        assert_eq!(issued_to_email(r#"{"credentialSubject":{"id":"did:key:z6Mk"}}"#, "ana@uni.example"), None);
    }

    #[test]
    fn a_jwt_is_read_from_its_claims_and_nonsense_is_nothing() {
        let claims = r#"{"vc":{"type":["VerifiableCredential"],"name":"A course","issuer":"did:key:z6Mk"}}"#;
        let jwt = format!(
            "eyJhbGciOiJFZERTQSJ9.{}.c2ln",
            base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, claims)
        );
        let described = describe(&jwt, "en").unwrap();
        assert_eq!((described.title.as_deref(), described.issuer.as_deref()), (Some("A course"), Some("did:key:z6Mk")));
        assert_eq!(described.kind, CredentialKind::Other);
        assert_eq!(describe("not a credential", "en"), None);
        assert_eq!(describe("{", "en"), None);
    }
}
