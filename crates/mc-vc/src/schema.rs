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
}

fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        let document: Value = serde_json::from_str(OB3_SCHEMA).expect("the embedded schema is JSON");
        compiler.add_resource(OB3_SCHEMA_URL, document).expect("the embedded schema is added once");
        let ob3 = compiler.compile(OB3_SCHEMA_URL, &mut schemas).expect("the embedded schema compiles");
        Compiled { schemas, ob3 }
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
    // revocation and a suspension entry). Each entry is checked in turn.
    let statuses = match instance.remove("credentialStatus") {
        Some(Value::Array(entries)) if !entries.is_empty() => entries,
        Some(one) => vec![one],
        None => Vec::new(),
    };
    let mut instances = Vec::new();
    match statuses.is_empty() {
        true => instances.push(Value::Object(instance)),
        false => {
            for status in statuses {
                let mut with_status = instance.clone();
                with_status.insert("credentialStatus".into(), status);
                instances.push(Value::Object(with_status));
            }
        }
    }
    for instance in &instances {
        if let Err(err) = compiled.schemas.validate(instance, compiled.ob3) {
            let mut causes = Vec::new();
            collect_leaves(&err, &mut causes);
            causes.truncate(3);
            return Err(format!("does not match the Open Badges 3.0 schema: {}", causes.join("; ")));
        }
    }
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
