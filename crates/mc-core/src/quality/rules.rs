//! The rule language of the quality check and the embedded rule set (`rules.toml`): each rule
//! names its framework, severity and field, a test over the specification's facts, and the
//! message and fix shown when the test fails.

use std::{collections::BTreeMap, fmt, sync::LazyLock};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Finding;

/// The frameworks a specification is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Framework {
    /// Council Recommendation 2022/C 243/02, Annex I: the standard elements.
    #[serde(rename = "annex-i")]
    AnnexI,
    /// Council Recommendation 2022/C 243/02, Annex II: the principles, where data shows them.
    #[serde(rename = "annex-ii")]
    AnnexII,
    /// The Common Microcredential Framework of the European MOOC Consortium.
    #[serde(rename = "cmf")]
    Cmf,
    /// The ECCOE quality descriptors.
    #[serde(rename = "eccoe")]
    Eccoe,
    /// What the Open Badges 3.0 credential needs.
    #[serde(rename = "ob3")]
    OpenBadges,
    /// What the European Digital Credential profile of ELM needs.
    #[serde(rename = "edc")]
    Edc,
}

impl Framework {
    /// Every framework, in report order.
    pub const ALL: &'static [Framework] = &[
        Framework::AnnexI,
        Framework::AnnexII,
        Framework::Cmf,
        Framework::Eccoe,
        Framework::OpenBadges,
        Framework::Edc,
    ];

    /// The short id used in rule ids and in JSON, such as `cmf`.
    pub fn as_str(self) -> &'static str {
        match self {
            Framework::AnnexI => "annex-i",
            Framework::AnnexII => "annex-ii",
            Framework::Cmf => "cmf",
            Framework::Eccoe => "eccoe",
            Framework::OpenBadges => "ob3",
            Framework::Edc => "edc",
        }
    }

    /// The framework's name, in English.
    pub fn name(self) -> &'static str {
        match self {
            Framework::AnnexI => "Council Recommendation, Annex I (standard elements)",
            Framework::AnnexII => "Council Recommendation, Annex II (principles)",
            Framework::Cmf => "Common Microcredential Framework (EMC)",
            Framework::Eccoe => "ECCOE quality descriptors",
            Framework::OpenBadges => "Open Badges 3.0 profile",
            Framework::Edc => "European Digital Credential profile",
        }
    }
}

impl fmt::Display for Framework {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The specification may not be published.
    Error,
    /// The framework's label is "not compliant".
    Warning,
    /// Advice; the label is not affected.
    Info,
}

impl Severity {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The rule set: the rules, and the word lists the outcome-phrasing test reads.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleSet {
    pub(crate) rule: Vec<Rule>,
    phrasing: BTreeMap<String, Phrasing>,
}

/// One rule. When `when` holds (or is absent) and `test` fails, the rule yields a finding; a
/// top-level `each` test yields one finding per failing item, with `*` in `field` replaced by
/// the item's index.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Rule {
    pub(crate) id: String,
    pub(crate) framework: Framework,
    pub(crate) severity: Severity,
    pub(crate) field: String,
    #[serde(default)]
    when: Option<Test>,
    test: Test,
    message: String,
    message_es: String,
    fix: String,
    fix_es: String,
}

/// How learning outcomes are phrased in one language: an outcome starts with an action verb,
/// possibly after a lead-in ("be able to") or an adverb.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Phrasing {
    #[serde(default)]
    lead_ins: Vec<String>,
    #[serde(default)]
    skip_words: Vec<String>,
    #[serde(default)]
    verbs: Vec<String>,
    #[serde(default)]
    verb_endings: Vec<String>,
}

/// A test over the facts. Paths are dotted (`workload.ects`); inside `each` they are relative
/// to the item.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum Test {
    /// The value is there and not empty.
    Present(String),
    /// The value is absent or empty.
    Empty(String),
    /// The number is within `min..=max`; absent fails.
    Range { path: String, min: f64, max: f64 },
    /// The value is `true`.
    IsTrue(String),
    /// The text is one of the values; absent fails.
    OneOf { path: String, values: Vec<String> },
    /// `numerator / denominator` is within `min..=max`; absent fails.
    Ratio { numerator: String, denominator: String, min: f64, max: f64 },
    /// Every item of the list passes the test; an absent list passes.
    Each { path: String, test: Box<Test> },
    /// Every text of the language map starts as a learning outcome does: with an action verb.
    PhrasedAsOutcome(String),
    /// The language map has a text in every language of the specification.
    InEveryLanguage(String),
    /// At least one test passes.
    Any(Vec<Test>),
    /// Every test passes.
    All(Vec<Test>),
    /// The test fails.
    Not(Box<Test>),
}

/// The embedded rule set.
pub(crate) static RULES: LazyLock<RuleSet> =
    LazyLock::new(|| toml::from_str(include_str!("rules.toml")).expect("rules.toml is a valid rule set"));

impl RuleSet {
    /// The findings of every rule on the facts.
    pub(crate) fn apply(&self, facts: &Value) -> Vec<Finding> {
        let mut findings = Vec::new();
        self.each_broken(facts, |rule, item| {
            findings.push(Finding {
                severity: rule.severity,
                framework: rule.framework,
                rule: rule.id.clone(),
                field: match item {
                    Some(idx) => rule.field.replace('*', &idx.to_string()),
                    None => rule.field.clone(),
                },
                message: rule.message.clone(),
                fix: rule.fix.clone(),
                message_es: Some(rule.message_es.clone()),
                fix_es: Some(rule.fix_es.clone()),
            });
        });
        findings
    }

    /// Calls `broken` with each rule the facts break: once, or for a rule of each item (a
    /// top-level `each` test) once per failing item with its index.
    pub(crate) fn each_broken(&self, facts: &Value, mut broken: impl FnMut(&Rule, Option<usize>)) {
        for rule in &self.rule {
            if let Some(when) = &rule.when
                && !self.passes(when, facts, facts)
            {
                continue;
            }
            match &rule.test {
                Test::Each { path, test } => {
                    let items = lookup(facts, path).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
                    for (idx, item) in items.iter().enumerate() {
                        if !self.passes(test, item, facts) {
                            broken(rule, Some(idx));
                        }
                    }
                }
                test if !self.passes(test, facts, facts) => broken(rule, None),
                _ => {}
            }
        }
    }

    fn passes(&self, test: &Test, here: &Value, root: &Value) -> bool {
        match test {
            Test::Present(path) => lookup(here, path).is_some_and(present),
            Test::Empty(path) => !lookup(here, path).is_some_and(present),
            Test::Range { path, min, max } => {
                lookup(here, path).and_then(Value::as_f64).is_some_and(|value| (*min..=*max).contains(&value))
            }
            Test::IsTrue(path) => lookup(here, path).and_then(Value::as_bool) == Some(true),
            Test::OneOf { path, values } => {
                lookup(here, path).and_then(Value::as_str).is_some_and(|value| values.iter().any(|v| v == value))
            }
            Test::Ratio { numerator, denominator, min, max } => {
                match (
                    lookup(here, numerator).and_then(Value::as_f64),
                    lookup(here, denominator).and_then(Value::as_f64),
                ) {
                    (Some(n), Some(d)) if d > 0.0 => (*min..=*max).contains(&(n / d)),
                    _ => false,
                }
            }
            Test::Each { path, test } => lookup(here, path)
                .and_then(Value::as_array)
                .is_none_or(|items| items.iter().all(|item| self.passes(test, item, root))),
            Test::PhrasedAsOutcome(path) => lookup(here, path).and_then(Value::as_object).is_none_or(|texts| {
                texts.iter().all(|(tag, text)| text.as_str().is_none_or(|text| self.phrased_as_outcome(tag, text)))
            }),
            Test::InEveryLanguage(path) => {
                let texts = lookup(here, path).and_then(Value::as_object);
                let languages =
                    lookup(root, "languages").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
                texts.is_some_and(|texts| {
                    languages.iter().filter_map(Value::as_str).all(|language| {
                        texts.keys().any(|tag| tag.eq_ignore_ascii_case(language) || primary(tag) == primary(language))
                    })
                })
            }
            Test::Any(tests) => tests.iter().any(|test| self.passes(test, here, root)),
            Test::All(tests) => tests.iter().all(|test| self.passes(test, here, root)),
            Test::Not(test) => !self.passes(test, here, root),
        }
    }

    /// Whether a statement starts with an action verb in its language; languages without word
    /// lists are not judged.
    fn phrased_as_outcome(&self, tag: &str, text: &str) -> bool {
        let Some(phrasing) = self.phrasing.get(&primary(tag).to_ascii_lowercase()) else {
            return true;
        };
        let mut rest = text.trim().to_lowercase();
        for lead_in in &phrasing.lead_ins {
            if let Some(after) = rest.strip_prefix(lead_in.as_str()) {
                rest = after.trim_start().to_owned();
                break;
            }
        }
        let mut words = rest.split_whitespace().map(|word| word.trim_matches(|c: char| !c.is_alphanumeric()));
        let Some(mut first) = words.next() else {
            return false;
        };
        while phrasing.skip_words.iter().any(|skip| skip == first) {
            match words.next() {
                Some(next) => first = next,
                None => return false,
            }
        }
        phrasing.verbs.iter().any(|verb| verb == first)
            || phrasing
                .verb_endings
                .iter()
                .any(|ending| first.len() > ending.len() + 2 && first.ends_with(ending.as_str()))
    }
}

/// The value at a dotted path.
fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |value, key| value.get(key))
}

/// Whether a value counts as given: not null and not an empty text, list or map.
fn present(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(text) => !text.trim().is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::Object(map) => !map.is_empty(),
        Value::Bool(_) | Value::Number(_) => true,
    }
}

/// The primary language subtag: `es` of `es-419`.
fn primary(tag: &str) -> &str {
    tag.split('-').next().unwrap_or(tag)
}
