//! The SD-JWT VC of a micro-credential: what its signed Open Badges credential says (every
//! Annex I element of the Council Recommendation), as the claims of an SD-JWT bound to the
//! holder's key, with the learner's personal data (name, email address, grade) selectively
//! disclosable, and its status in a Token Status List.

use mc_core::Timestamp;
use serde_json::{Map, Value, json};

use crate::{
    badge::BadgeContent,
    multikey::PublicKey,
    sd_jwt::{self, SALT_BYTES},
};

/// Where a microcred publishes the type metadata of its micro-credentials, under its public
/// URL; the address is the credentials' `vct`.
pub const VCT_PATH: &str = "/vct/micro-credential";

/// The claims a holder may disclose or keep back: the learner's personal data.
pub const DISCLOSABLE: &[&str] = &["learner_name", "learner_email", "grade"];

/// How many digests every micro-credential's SD-JWT VC carries, decoys included, and so how
/// many salts issuing takes.
pub const SALTS: usize = 5;

/// The claims a micro-credential's SD-JWT VC always carries (Annex I's mandatory elements but
/// the learner, who is disclosable).
const REQUIRED: &[&str] = &[
    "title",
    "learning_outcomes",
    "awarding_bodies",
    "institution",
    "awarded_on",
    "assessment",
    "participation",
    "quality_assurance",
];

/// The achievement's properties in an Open Badges credential and the claim each becomes.
const ACHIEVEMENT_CLAIMS: &[(&str, &str)] = &[
    ("id", "specification"),
    ("version", "specification_version"),
    ("name", "title"),
    ("description", "description"),
    ("creditsAvailable", "ects"),
    ("fieldOfStudy", "field_of_study"),
    ("awardingBody", "awarding_bodies"),
    ("inLanguage", "language"),
    ("language", "languages"),
    ("qfEheaCycle", "qf_ehea_cycle"),
    ("mode", "participation"),
    ("entryRequirement", "prerequisites"),
    ("identityVerification", "identity_verification"),
    ("gradingScheme", "grading_scheme"),
    ("stackability", "stackability"),
    ("stackableTowards", "stackable_towards"),
    ("furtherInformation", "further_information"),
    ("homepage", "homepage"),
];

/// One micro-credential to issue into a wallet.
#[derive(Debug, Clone, Copy)]
pub struct WalletCopy<'a> {
    /// The signed Open Badges credential it repeats.
    pub badge: &'a Map<String, Value>,
    /// The learner's name.
    pub learner_name: &'a str,
    /// The learner's email address.
    pub learner_email: &'a str,
    /// The credential type: this microcred's public URL and [`VCT_PATH`].
    pub vct: &'a str,
    /// When it is issued (`iat`).
    pub now: Timestamp,
    /// The holder's public key (a JWK), which key-binding JWTs must be signed with.
    pub holder: &'a PublicKey,
    /// Its place in a Token Status List: the index, and the list's address.
    pub status: Option<(u64, &'a str)>,
}

impl WalletCopy<'_> {
    /// The claims, before the disclosable ones are hidden.
    pub fn claims(&self) -> Map<String, Value> {
        let badge = self.badge;
        let subject = badge.get("credentialSubject").unwrap_or(&Value::Null);
        let achievement = subject["achievement"].as_object().cloned().unwrap_or_default();
        let issuer = badge.get("issuer").unwrap_or(&Value::Null);
        let content = BadgeContent::read(badge);
        let seconds = |key: &str| {
            badge.get(key).and_then(Value::as_str).and_then(|raw| Timestamp::parse(raw).ok()).map(|t| t.unix_seconds())
        };

        let mut claims = Map::new();
        claims
            .insert("iss".into(), issuer.get("id").or(Some(issuer)).and_then(Value::as_str).unwrap_or_default().into());
        claims.insert("iat".into(), self.now.unix_seconds().into());
        if let Some(nbf) = seconds("validFrom") {
            claims.insert("nbf".into(), nbf.into());
        }
        if let Some(exp) = seconds("validUntil") {
            claims.insert("exp".into(), exp.into());
        }
        claims.insert("vct".into(), self.vct.into());
        claims.insert("cnf".into(), json!({"jwk": self.holder.to_jwk()}));
        if let Some((index, uri)) = self.status {
            claims.insert("status".into(), json!({"status_list": {"idx": index, "uri": uri}}));
        }
        if let Some(id) = badge.get("id") {
            claims.insert("credential_id".into(), id.clone());
        }
        for (property, claim) in ACHIEVEMENT_CLAIMS {
            if let Some(value) = achievement.get(*property) {
                claims.insert((*claim).into(), value.clone());
            }
        }
        claims.insert("learning_outcomes".into(), content.outcomes.into_iter().map(Value::String).collect());
        if let Some(hours) = content.hours {
            claims.insert("hours".into(), hours.into());
        }
        if let Some(level) = content.eqf_level {
            claims.insert("eqf_level".into(), level.into());
        }
        claims.insert(
            "institution".into(),
            json!({
                "name": issuer["name"],
                "country": issuer["address"]["addressCountryCode"],
                "identifier": issuer["otherIdentifier"][0]["identifier"],
            }),
        );
        let mut assessment =
            json!({"kind": achievement.get("assessmentKind"), "methods": achievement.get("assessmentMethod")});
        if let Some(description) = achievement.get("assessmentDescription") {
            assessment["description"] = description.clone();
        }
        claims.insert("assessment".into(), assessment);
        let mut quality = json!({"kinds": achievement.get("qualityAssurance")});
        if let Some(body) = achievement.get("qualityAssuranceBody") {
            quality["body"] = body.clone();
        }
        claims.insert("quality_assurance".into(), quality);
        if let Some(awarded) = badge.get("awardedDate") {
            claims.insert("awarded_on".into(), awarded.clone());
        }
        claims.insert("learner_name".into(), self.learner_name.into());
        claims.insert("learner_email".into(), self.learner_email.into());
        if let Some(grade) = content.grade {
            claims.insert("grade".into(), grade.into());
        }
        claims
    }

    /// The SD-JWT VC, signed by `sign` with the key `signed_by` names: the issuer's DID key,
    /// or its seal's certificate, whose URI is then the issuer (`iss`). Each of
    /// [`DISCLOSABLE`] it has is salted with one of `salts`, and the rest of `salts` make decoy
    /// digests: every credential carries [`SALTS`] digests, whether it has a grade or not.
    pub fn issue<E>(
        &self,
        signed_by: &crate::SignedBy<'_>,
        salts: &[[u8; SALT_BYTES]; SALTS],
        sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, E>,
    ) -> Result<String, E> {
        let mut claims = self.claims();
        if let Some(issuer) = signed_by.issuer() {
            claims.insert("iss".into(), issuer.into());
        }
        let real = DISCLOSABLE.iter().filter(|name| claims.contains_key(**name)).count();
        let header = signed_by.header("dc+sd-jwt");
        sd_jwt::issue_padded(&header, claims, DISCLOSABLE, &salts[..real], &salts[real..], sign)
    }
}

/// Checks the claims of an SD-JWT VC as disclosed: those of a micro-credential (`vct` ends with
/// [`VCT_PATH`]) must carry every required element. `Ok(None)` for a type this microcred does
/// not know.
pub(crate) fn check_claims(claims: &Map<String, Value>) -> Result<Option<&'static str>, String> {
    let vct = claims.get("vct").and_then(Value::as_str).unwrap_or_default();
    if !vct.ends_with(VCT_PATH) {
        return Ok(None);
    }
    let missing: Vec<&str> = REQUIRED.iter().copied().filter(|name| !claims.contains_key(*name)).collect();
    if !claims.contains_key("ects") && !claims.contains_key("hours") {
        return Err("the micro-credential states no workload (ects or hours)".into());
    }
    match missing.as_slice() {
        [] => Ok(Some("micro-credential")),
        missing => Err(format!("the micro-credential lacks {}", missing.join(", "))),
    }
}
