//! The JSON schema check: an Open Badges 3.0 credential must match 1EdTech's
//! AchievementCredential schema (draft 2019-09), embedded here as published at its canonical
//! URL (1EdTech publishes a laxer "JSON-LD adaptation" too; the strict one is used).

use std::sync::OnceLock;

use serde_json::{Map, Value};

/// The schema's canonical URL.
const OB3_SCHEMA_URL: &str =
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json";
const OB3_SCHEMA: &str = include_str!("../schemas/ob_v3p0_achievementcredential_schema.json");

struct Compiled {
    schemas: boon::Schemas,
    ob3: boon::SchemaIndex,
    /// The schema's `CredentialStatus`, which its `credentialStatus` property refers to.
    status: boon::SchemaIndex,
}

fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        let document: Value = serde_json::from_str(OB3_SCHEMA).expect("the embedded schema is JSON");
        compiler.add_resource(OB3_SCHEMA_URL, document).expect("the embedded schema is added once");
        let ob3 = compiler.compile(OB3_SCHEMA_URL, &mut schemas).expect("the embedded schema compiles");
        let status = compiler
            .compile(&format!("{OB3_SCHEMA_URL}#/$defs/CredentialStatus"), &mut schemas)
            .expect("the embedded schema defines CredentialStatus");
        Compiled { schemas, ob3, status }
    })
}

/// Checks `document` against the schema of its kind. `Ok(Some(name))` names the schema it
/// matches, `Ok(None)` says no schema applies, `Err` says what does not match.
pub(crate) fn check(document: &Map<String, Value>) -> Result<Option<&'static str>, String> {
    let types: Vec<&str> = match document.get("type") {
        Some(Value::String(one)) => vec![one],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.iter().any(|ty| matches!(*ty, "OpenBadgeCredential" | "AchievementCredential")) {
        return Ok(None);
    }
    let compiled = compiled();
    // The schema wants `proof` as an array; VCDM 2.0 also allows a single proof object.
    let mut instance = document.clone();
    if let Some(proof @ Value::Object(_)) = instance.get_mut("proof") {
        *proof = Value::Array(vec![proof.take()]);
    }
    // The schema allows one credentialStatus; VCDM 2.0 allows several (microcred writes a
    // revocation and a suspension entry). The schema ties the property to nothing else, so the
    // credential is checked without it, once, and each entry against the schema's
    // CredentialStatus.
    let (statuses, listed) = match instance.remove("credentialStatus") {
        Some(Value::Array(entries)) if !entries.is_empty() => (entries, true),
        Some(one) => (vec![one], false),
        None => (Vec::new(), false),
    };
    let fails = |err: boon::ValidationError<'_, '_>, at: &str| {
        let mut causes = Vec::new();
        collect_leaves(&err, at, &mut causes);
        causes.truncate(3);
        format!("does not match the Open Badges 3.0 schema: {}", causes.join("; "))
    };
    compiled.schemas.validate(&Value::Object(instance), compiled.ob3).map_err(|err| fails(err, ""))?;
    for (idx, status) in statuses.iter().enumerate() {
        let at = if listed { format!("/credentialStatus/{idx}") } else { "/credentialStatus".to_owned() };
        compiled.schemas.validate(status, compiled.status).map_err(|err| fails(err, &at))?;
    }
    Ok(Some("Open Badges 3.0 AchievementCredential"))
}

/// The most specific reasons of a validation error, as `at /path: reason`.
/// `at` is where the instance validated is in the credential.
fn collect_leaves(err: &boon::ValidationError<'_, '_>, at: &str, out: &mut Vec<String>) {
    if err.causes.is_empty() {
        let location = format!("{at}{}", err.instance_location);
        let location = if location.is_empty() { "/".to_owned() } else { location };
        out.push(format!("at {location}: {}", err.kind));
    }
    for cause in &err.causes {
        collect_leaves(cause, at, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn simple() -> Map<String, Value> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/vectors/ob3/1edtech-validator-test-resources/simple.json"
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn status(purpose: &str) -> Value {
        serde_json::json!({
            "id": format!("https://example.edu/status/1#{purpose}"),
            "type": "BitstringStatusListEntry",
            "statusPurpose": purpose,
            "statusListIndex": "7",
            "statusListCredential": "https://example.edu/status/1",
        })
    }

    #[test]
    fn every_status_entry_is_checked_and_named_where_it_is() {
        let mut document = simple();
        assert_eq!(check(&document), Ok(Some("Open Badges 3.0 AchievementCredential")));
        document.insert("credentialStatus".into(), Value::Array(vec![status("revocation"), status("suspension")]));
        assert_eq!(check(&document), Ok(Some("Open Badges 3.0 AchievementCredential")), "two entries");
        document.insert("credentialStatus".into(), status("revocation"));
        assert_eq!(check(&document), Ok(Some("Open Badges 3.0 AchievementCredential")), "one, not in a list");

        let mut untyped = status("suspension");
        untyped.as_object_mut().unwrap().remove("type");
        document.insert("credentialStatus".into(), Value::Array(vec![status("revocation"), untyped.clone()]));
        let err = check(&document).unwrap_err();
        assert!(err.starts_with("does not match the Open Badges 3.0 schema: at /credentialStatus/1"), "{err}");
        document.insert("credentialStatus".into(), untyped);
        let err = check(&document).unwrap_err();
        assert!(err.starts_with("does not match the Open Badges 3.0 schema: at /credentialStatus:"), "{err}");
        document.insert("credentialStatus".into(), Value::Array(vec![]));
        assert!(check(&document).is_err(), "an empty list is not a status entry");
        // The rest of the credential is still checked.
        document.insert("credentialStatus".into(), status("revocation"));
        document.insert("validFrom".into(), Value::from(7));
        let err = check(&document).unwrap_err();
        assert!(err.contains("at /validFrom"), "{err}");
    }
}
