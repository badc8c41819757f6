//! Verifiable Presentations: a holder shows credentials, and proves with their key that they
//! are the one showing them. Each credential is verified as on its own; then the presentation's
//! proof (purpose `authentication`, by a key of the holder, with the verifier's challenge and
//! domain when it gave them) and the holder's binding to the credentials (a credential whose
//! subject is named by an id must name the holder).
//!
//! An unsigned presentation is a bundle: its credentials may be valid, but who shows them is not
//! proven, so its verdict is at best `indeterminate`.

use serde::Serialize;
use serde_json::{Map, Value};

use super::{CheckStatus, MAX_CREDENTIAL_BYTES, MAX_PROOFS, Verdict, Verification, VerifyParams, proofs::resolve};
use crate::{
    did::ResolveError,
    proof::{self, ProofError},
};

/// The most credentials one presentation may show.
pub const MAX_PRESENTED: usize = 50;

/// What the verifier asked the holder to sign, when it asked.
#[derive(Debug, Clone, Copy, Default)]
pub struct Expected<'a> {
    /// The challenge (nonce) the verifier gave.
    pub challenge: Option<&'a str>,
    /// The domain the presentation is for.
    pub domain: Option<&'a str>,
}

/// One check of a presentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PresentationCheck {
    /// `format`, `proof`, `challenge` or `holder`.
    pub id: &'static str,
    /// What it found.
    pub status: CheckStatus,
    /// In plain words.
    pub message: String,
}

/// The result of verifying a presentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PresentationVerification {
    /// The overall answer: every credential and every check.
    pub verdict: Verdict,
    /// The holder, when named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder: Option<String>,
    /// The presentation's own checks.
    pub checks: Vec<PresentationCheck>,
    /// Each credential's verification, in order.
    pub credentials: Vec<Verification>,
}

/// Whether `text` is a JSON presentation (its `type` names `VerifiablePresentation`).
pub fn is_presentation(text: &str) -> bool {
    let trimmed = text.trim_start();
    // Parsed only when it could be one: a credential is not read twice.
    trimmed.starts_with('{')
        && trimmed.contains("VerifiablePresentation")
        && crate::strict_json::from_str(trimmed).ok().is_some_and(|value: Value| match &value["type"] {
            Value::String(kind) => kind == "VerifiablePresentation",
            Value::Array(kinds) => kinds.iter().any(|kind| kind == "VerifiablePresentation"),
            _ => false,
        })
}

/// Verifies a presentation given as JSON text.
pub fn verify_presentation(text: &str, params: &VerifyParams<'_>, expected: Expected<'_>) -> PresentationVerification {
    let mut checks = Vec::new();
    let fail = |checks: &mut Vec<PresentationCheck>, message: String| {
        checks.push(PresentationCheck { id: "format", status: CheckStatus::Failed, message });
    };
    if text.len() > MAX_CREDENTIAL_BYTES * 4 {
        fail(&mut checks, format!("the presentation is larger than {} bytes", MAX_CREDENTIAL_BYTES * 4));
        return finish(None, checks, Vec::new());
    }
    let document: Map<String, Value> = match crate::strict_json::from_str(text) {
        Ok(Value::Object(document)) => document,
        Ok(_) => {
            fail(&mut checks, "a presentation is a JSON object".into());
            return finish(None, checks, Vec::new());
        }
        Err(err) => {
            fail(&mut checks, format!("not JSON: {err}"));
            return finish(None, checks, Vec::new());
        }
    };
    let holder = match document.get("holder") {
        Some(Value::String(holder)) => Some(holder.clone()),
        Some(Value::Object(holder)) => holder.get("id").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    };
    let presented: Vec<&Value> = match document.get("verifiableCredential") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(item @ (Value::Object(_) | Value::String(_))) => vec![item],
        _ => Vec::new(),
    };
    if presented.is_empty() || presented.len() > MAX_PRESENTED {
        fail(&mut checks, format!("a presentation shows 1 to {MAX_PRESENTED} credentials (verifiableCredential)"));
        return finish(holder, checks, Vec::new());
    }
    checks.push(PresentationCheck {
        id: "format",
        status: CheckStatus::Passed,
        message: format!("a presentation of {} credential(s)", presented.len()),
    });
    let credentials: Vec<Verification> = presented
        .iter()
        .map(|item| match item {
            Value::String(jwt) => super::verify_text(jwt, params),
            other => super::verify_text(&other.to_string(), params),
        })
        .collect();

    check_proof(&document, holder.as_deref(), params, expected, &mut checks);
    check_binding(&presented, holder.as_deref(), &mut checks);
    finish(holder, checks, credentials)
}

/// The presentation's proofs: each by a key of the holder, for authentication, with the
/// expected challenge and domain.
fn check_proof(
    document: &Map<String, Value>,
    holder: Option<&str>,
    params: &VerifyParams<'_>,
    expected: Expected<'_>,
    checks: &mut Vec<PresentationCheck>,
) {
    let mut add = |id, status, message: String| checks.push(PresentationCheck { id, status, message });
    let proofs: Vec<&Map<String, Value>> = match document.get("proof") {
        None => {
            add(
                "proof",
                CheckStatus::Skipped,
                "the presentation is not signed: who shows these credentials is not proven".into(),
            );
            if expected.challenge.is_some() || expected.domain.is_some() {
                add("challenge", CheckStatus::Failed, "the verifier asked for a signed answer to its challenge".into());
            }
            return;
        }
        Some(Value::Object(proof)) => vec![proof],
        Some(Value::Array(proofs))
            if (1..=MAX_PROOFS).contains(&proofs.len()) && proofs.iter().all(Value::is_object) =>
        {
            proofs.iter().filter_map(Value::as_object).collect()
        }
        Some(_) => {
            add("proof", CheckStatus::Failed, format!("the presentation's proof is not one to {MAX_PROOFS} objects"));
            return;
        }
    };
    let Some(holder) = holder else {
        add("proof", CheckStatus::Failed, "a signed presentation names its holder".into());
        return;
    };
    for proof in proofs {
        if proof.get("proofPurpose").and_then(Value::as_str) != Some("authentication") {
            add("proof", CheckStatus::Failed, "the presentation's proof purpose is not authentication".into());
            return;
        }
        for (name, wanted) in [("challenge", expected.challenge), ("domain", expected.domain)] {
            let said = proof.get(name).and_then(Value::as_str);
            if let Some(wanted) = wanted
                && said != Some(wanted)
            {
                let said = said.map_or_else(|| "none".to_owned(), |said| format!("{said:?}"));
                add(
                    "challenge",
                    CheckStatus::Failed,
                    format!("the proof's {name} is {said}, not the {wanted:?} asked for"),
                );
                return;
            }
        }
        let Some(url) = proof.get("verificationMethod").and_then(Value::as_str) else {
            add("proof", CheckStatus::Failed, "the presentation's proof has no verificationMethod".into());
            return;
        };
        let method = match resolve(url, params.resolver) {
            Ok(method) => method,
            Err(ResolveError::Invalid(why)) => {
                add("proof", CheckStatus::Failed, why);
                return;
            }
            Err(ResolveError::Unavailable(why)) => {
                add("proof", CheckStatus::Skipped, format!("the holder's key could not be resolved: {why}"));
                return;
            }
        };
        if method.controller != holder {
            add(
                "proof",
                CheckStatus::Failed,
                format!("the key {} is controlled by {}, not by the holder {holder}", method.id, method.controller),
            );
            return;
        }
        match proof::verify(document, proof, &method.public_key) {
            Ok(suite) => add("proof", CheckStatus::Passed, format!("signed by the holder {holder} ({})", suite.name())),
            Err(ProofError::UnknownSuite(name)) => {
                add("proof", CheckStatus::Skipped, format!("unknown proof type or cryptosuite {name:?}"));
                return;
            }
            Err(err) => {
                add("proof", CheckStatus::Failed, format!("the holder's signature does not hold: {err}"));
                return;
            }
        }
    }
    if expected.challenge.is_some() || expected.domain.is_some() {
        add("challenge", CheckStatus::Passed, "signed for the challenge and domain asked for".into());
    }
}

/// Every credential whose subject is named by an id names the holder.
fn check_binding(presented: &[&Value], holder: Option<&str>, checks: &mut Vec<PresentationCheck>) {
    let mut add = |status, message: String| checks.push(PresentationCheck { id: "holder", status, message });
    if presented.iter().any(|item| !item.is_object()) {
        add(CheckStatus::Skipped, "a credential is a JWT, whose subject this check does not read".into());
        return;
    }
    let subjects: Vec<Option<&str>> = presented
        .iter()
        .map(|item| {
            let subject = &item["credentialSubject"];
            let subject = if subject.is_array() { &subject[0] } else { subject };
            subject["id"].as_str()
        })
        .collect();
    let Some(holder) = holder else {
        add(CheckStatus::Skipped, "the presentation names no holder".into());
        return;
    };
    if let Some((idx, subject)) = subjects
        .iter()
        .enumerate()
        .find_map(|(idx, subject)| subject.filter(|subject| *subject != holder).map(|s| (idx, s)))
    {
        add(CheckStatus::Failed, format!("credential {} is about {subject}, not the holder {holder}", idx + 1));
        return;
    }
    match subjects.iter().filter(|subject| subject.is_none()).count() {
        0 => add(CheckStatus::Passed, format!("every credential is about the holder {holder}")),
        unnamed => add(
            CheckStatus::Warning,
            format!(
                "{unnamed} credential(s) name their subject without an id (by a hashed email address, say): their binding to the holder is not shown"
            ),
        ),
    }
}

fn finish(
    holder: Option<String>,
    checks: Vec<PresentationCheck>,
    credentials: Vec<Verification>,
) -> PresentationVerification {
    let failed = checks.iter().any(|check| check.status == CheckStatus::Failed)
        || credentials.iter().any(|credential| credential.verdict == Verdict::Invalid)
        || credentials.is_empty();
    let undecided = checks.iter().any(|check| check.status == CheckStatus::Skipped)
        || credentials.iter().any(|credential| credential.verdict == Verdict::Indeterminate);
    let verdict = match (failed, undecided) {
        (true, _) => Verdict::Invalid,
        (false, true) => Verdict::Indeterminate,
        (false, false) => Verdict::Valid,
    };
    PresentationVerification { verdict, holder, checks, credentials }
}
