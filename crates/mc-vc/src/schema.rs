//! The JSON schema check: an Open Badges 3.0 credential must match 1EdTech's
//! AchievementCredential schema (draft 2019-09), embedded here as published at its canonical
//! URL (1EdTech publishes a laxer "JSON-LD adaptation" too; the strict one is used).

use std::sync::OnceLock;

use serde_json::{Map, Value, json};

/// The schema's canonical URL.
const OB3_SCHEMA_URL: &str =
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json";
const OB3_SCHEMA: &str = include_str!("../schemas/ob_v3p0_achievementcredential_schema.json");

struct Compiled {
    schemas: boon::Schemas,
    ob3: boon::SchemaIndex,
}

/// The schema, with two properties widened to what VCDM 2.0 allows and the schema does not:
/// a single `proof` object besides a list of them, and a list of `credentialStatus` entries
/// (microcred writes a revocation and a suspension entry) besides a single one. Each form is
/// held to the schema's own definition, so a credential is checked as it is, never copied.
fn widened() -> Value {
    let mut schema: Value = serde_json::from_str(OB3_SCHEMA).expect("the embedded schema is JSON");
    let one_or_many = |definition: &str, at_least_one: bool| {
        let one = json!({"$ref": format!("#/$defs/{definition}")});
        let mut many = json!({"type": "array", "items": one});
        if at_least_one {
            many["minItems"] = json!(1);
        }
        json!({"if": {"type": "array"}, "then": many, "else": one})
    };
    let properties = &mut schema["properties"];
    properties["proof"] = one_or_many("Proof", false);
    properties["credentialStatus"] = one_or_many("CredentialStatus", true);
    schema
}

fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        compiler.add_resource(OB3_SCHEMA_URL, widened()).expect("the embedded schema is added once");
        let ob3 = compiler.compile(OB3_SCHEMA_URL, &mut schemas).expect("the embedded schema compiles");
        Compiled { schemas, ob3 }
    })
}

/// Checks `document` against the schema of its kind. `Ok(Some(name))` names the schema it
/// matches, `Ok(None)` says no schema applies, `Err` says what does not match. `as_value` is
/// the same document as a JSON value, when the caller has one: otherwise it is copied into one.
pub(crate) fn check(document: &Map<String, Value>, as_value: Option<&Value>) -> Result<Option<&'static str>, String> {
    let is_badge = |ty: &Value| matches!(ty.as_str(), Some("OpenBadgeCredential" | "AchievementCredential"));
    let badge = match document.get("type") {
        Some(Value::Array(many)) => many.iter().any(is_badge),
        Some(one) => is_badge(one),
        None => false,
    };
    if !badge {
        return Ok(None);
    }
    let compiled = compiled();
    let copy;
    let instance = match as_value {
        Some(value) => value,
        None => {
            copy = Value::Object(document.clone());
            &copy
        }
    };
    compiled.schemas.validate(instance, compiled.ob3).map_err(|err| {
        let mut causes = Vec::new();
        collect_leaves(&err, &mut causes);
        causes.truncate(3);
        format!("does not match the Open Badges 3.0 schema: {}", causes.join("; "))
    })?;
    Ok(Some("Open Badges 3.0 AchievementCredential"))
}

/// The most specific reasons of a validation error, as `at /path: reason`.
fn collect_leaves(err: &boon::ValidationError<'_, '_>, out: &mut Vec<String>) {
    if err.causes.is_empty() {
        let location = err.instance_location.to_string();
        let location = if location.is_empty() { "/".to_owned() } else { location };
        out.push(format!("at {location}: {}", err.kind));
    }
    for cause in &err.causes {
        collect_leaves(cause, out);
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

    /// The answer, the same whether the document comes as a value or is copied into one.
    fn check(document: &Map<String, Value>) -> Result<Option<&'static str>, String> {
        let copied = super::check(document, None);
        assert_eq!(super::check(document, Some(&Value::Object(document.clone()))), copied);
        copied
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
