//! From a JSON-LD document to its RDFC-1.0 canonical N-Quads, with the pinned contexts only.
//!
//! Expansion is strict: a term that the contexts do not define, or a value that is not a valid
//! IRI where one is needed, is an error rather than silently dropped (Data Integrity
//! §"Securing Data Losslessly"). Each distinct top-level `@context` is processed once and the
//! result reused: expanding a document whose `@context` is C is the same as expanding the
//! document without it, starting from the processed C.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, OnceLock},
    task::{Context as TaskContext, Poll, Waker},
};

use json_ld::{
    Expand, IriBuf, Process, RdfQuads, RemoteDocument,
    expansion::{Action, Options as ExpansionOptions, Policy},
    syntax::{TryFromJson, Value as JsonValue},
};
use oxrdf::{BlankNode, Literal, NamedNode, Quad, Subject, Term};
use rdf_canon::CanonicalizationOptions;
use serde_json::{Map, Value};
use sha2::Sha256;

use crate::contexts;

/// The most blank nodes a document may hold. RDFC-1.0 can take exponential time on crafted
/// inputs with many indistinguishable blank nodes ("dataset poisoning"); credentials need few.
const MAX_BLANK_NODES: usize = 512;
/// The most calls of RDFC-1.0's "hash N-degree quads" step before canonicalization gives up,
/// the other defence against dataset poisoning.
const MAX_HNDQ_CALLS: usize = 4_000;
/// The most processed contexts kept in memory.
const MAX_CACHED_CONTEXTS: usize = 64;

/// Why a document could not be turned into RDF.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkedDataError {
    /// The document has no `@context`.
    #[error("the document has no @context")]
    MissingContext,
    /// A context is neither pinned nor inline.
    #[error("the context {0:?} is not one microcred knows; contexts are never fetched from the network")]
    UnknownContext(String),
    /// A term is not defined by the contexts, so it would not be signed.
    #[error("{0:?} is not defined by the document's @context, so it would not be covered by a proof")]
    UndefinedTerm(String),
    /// A value that must be an IRI is not one.
    #[error("{0:?} is not an absolute IRI, so it would not be covered by a proof")]
    InvalidIri(String),
    /// A value holds a percent-encoded sequence that does not decode to UTF-8 (`%8e`).
    #[error("{0:?} holds a percent-encoded sequence that is not UTF-8, so it is not a valid IRI")]
    NotUtf8(String),
    /// Any other JSON-LD error.
    #[error("the document is not valid JSON-LD: {0}")]
    Invalid(String),
    /// Too many blank nodes to canonicalize safely.
    #[error(
        "the document is too complex to canonicalize safely (more than {MAX_BLANK_NODES} unnamed nodes, or too many alike)"
    )]
    TooComplex,
    /// Processing waited for a context to load, which the pinned contexts, all in memory, never
    /// make it do.
    #[error("a context load did not complete synchronously; only the pinned contexts, held in memory, can be loaded")]
    ContextLoadPending,
}

mod canon;
mod expand;

struct Processor {
    loader: HashMap<IriBuf, RemoteDocument>,
    /// Processed top-level contexts, found by comparing the `@context` values themselves: few
    /// are kept, and comparing costs less than writing a key.
    contexts: Mutex<Vec<(Value, Arc<json_ld::Context>)>>,
    fast: Mutex<expand::Contexts>,
}

fn processor() -> &'static Processor {
    static PROCESSOR: OnceLock<Processor> = OnceLock::new();
    PROCESSOR.get_or_init(|| {
        let loader = contexts::all()
            .iter()
            .map(|(url, text)| {
                let iri = IriBuf::new((*url).to_owned()).expect("pinned context URLs are IRIs");
                let (document, _) =
                    <JsonValue as json_ld::syntax::Parse>::parse_str(text).expect("pinned contexts are JSON");
                (iri.clone(), RemoteDocument::new(Some(iri), None, document))
            })
            .collect();
        Processor { loader, contexts: Mutex::new(Vec::new()), fast: Mutex::new(expand::Contexts::default()) }
    })
}

/// Runs a future that never waits: every document it loads is already in memory, so it is
/// ready at its first poll. One that is not is an error, never polled again: nothing would wake
/// it, and polling it in a loop would spin.
fn run_ready<T>(future: impl Future<Output = T>) -> Result<T, LinkedDataError> {
    let mut future = std::pin::pin!(future);
    let mut cx = TaskContext::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(value) => Ok(value),
        Poll::Pending => Err(LinkedDataError::ContextLoadPending),
    }
}

/// Checks that every context named by URL in `context` is pinned.
fn check_pinned(context: &Value) -> Result<(), LinkedDataError> {
    match context {
        Value::String(url) if contexts::pinned(url).is_none() => Err(LinkedDataError::UnknownContext(url.clone())),
        Value::Array(items) => items.iter().try_for_each(check_pinned),
        Value::Object(definition) => match definition.get("@import") {
            Some(Value::String(url)) if contexts::pinned(url).is_none() => {
                Err(LinkedDataError::UnknownContext(url.clone()))
            }
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

impl Processor {
    /// The processed form of a top-level `@context`, from the cache when it was seen before.
    fn active_context(&self, context: &Value) -> Result<Arc<json_ld::Context>, LinkedDataError> {
        let cached = |contexts: &[(Value, Arc<json_ld::Context>)]| {
            contexts.iter().find(|(seen, _)| seen == context).map(|(_, active)| Arc::clone(active))
        };
        if let Some(active) = cached(&self.contexts.lock().expect("the context cache is never poisoned")) {
            return Ok(active);
        }
        check_pinned(context)?;
        let local = json_ld::syntax::context::Context::try_from_json(JsonValue::from_serde_json(context.clone()))
            .map_err(|err| LinkedDataError::Invalid(format!("@context: {err}")))?;
        let processed = run_ready(local.process_full(
            &mut (),
            &json_ld::Context::new(None),
            &self.loader,
            None,
            json_ld::context_processing::Options::default(),
            (),
        ))?
        .map_err(|err| match err {
            json_ld::context_processing::Error::ContextLoadingFailed(url) => {
                LinkedDataError::UnknownContext(url.to_string())
            }
            err => LinkedDataError::Invalid(format!("@context: {err}")),
        })?;
        let active = Arc::new(processed.into_processed());
        let mut cache = self.contexts.lock().expect("the context cache is never poisoned");
        if let Some(active) = cached(&cache) {
            return Ok(active);
        }
        if cache.len() >= MAX_CACHED_CONTEXTS {
            cache.clear();
        }
        cache.push((context.clone(), Arc::clone(&active)));
        Ok(active)
    }
}

/// The RDFC-1.0 canonical N-Quads of `document` (which must carry its `@context`), one quad per
/// line, each ending with a newline.
pub fn canonical_nquads(document: &Map<String, Value>) -> Result<String, LinkedDataError> {
    canonical_nquads_without(document, &[])
}

/// [`canonical_nquads`] of `document` without its top-level `left_out` entries (a secured
/// document without its `proof`), read where it is rather than copied.
pub fn canonical_nquads_without(document: &Map<String, Value>, left_out: &[&str]) -> Result<String, LinkedDataError> {
    // Anything the fast path does not handle, or refuses, is left to the library, whose word is
    // final.
    match fast(document, left_out, true) {
        Some(Ok(canonical)) => Ok(canonical.expect("asked to canonicalize")),
        _ => library_canonical_nquads(&without(document, left_out)),
    }
}

/// Checks that every term of `document` without its `left_out` entries is defined by its
/// contexts and every IRI is valid, as [`canonical_nquads_without`] does, without making the
/// quads or the canonical form (nor counting blank nodes, which only canonicalization fears):
/// for a document whose proofs sign it as JSON.
pub fn check_terms(document: &Map<String, Value>, left_out: &[&str]) -> Result<(), LinkedDataError> {
    match fast(document, left_out, false) {
        Some(Ok(_)) => Ok(()),
        _ => library_canonical_nquads(&without(document, left_out)).map(drop),
    }
}

/// A copy of `document` without its `left_out` entries.
fn without(document: &Map<String, Value>, left_out: &[&str]) -> Map<String, Value> {
    document.iter().filter(|(key, _)| !left_out.contains(&key.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// [`canonical_nquads`] through the fast path only: `None` when the document uses something
/// it does not implement (for tests that compare it with the library).
#[doc(hidden)]
pub fn fast_canonical_nquads(document: &Map<String, Value>) -> Option<Result<String, LinkedDataError>> {
    fast(document, &[], true).map(|done| done.map(|canonical| canonical.expect("asked to canonicalize")))
}

/// The fast path: `None` when the document uses something it does not implement; the canonical
/// N-Quads when `canonicalize_them`, otherwise only the checks.
fn fast(
    document: &Map<String, Value>,
    left_out: &[&str],
    canonicalize_them: bool,
) -> Option<Result<Option<String>, LinkedDataError>> {
    let processor = processor();
    let context = match document.get("@context") {
        Some(context) => context,
        None => return Some(Err(LinkedDataError::MissingContext)),
    };
    let active = match processor.active_context(context) {
        Ok(active) => active,
        Err(err) => return Some(Err(err)),
    };
    let root = processor.fast.lock().expect("the context table is never poisoned").root(&active)?;
    let mut skipped = Vec::with_capacity(left_out.len() + 1);
    skipped.push("@context");
    skipped.extend_from_slice(left_out);
    let mut expander = expand::Expander::new(&processor.fast, &processor.loader, canonicalize_them);
    match expander.document(root, document, &skipped) {
        // Without canonicalization there is nothing for many blank nodes to slow down.
        Ok(()) if !canonicalize_them => Some(Ok(None)),
        Ok(()) => Some(
            match canon::canonicalize(&expander.quads) {
                Some(canonical) => check_size(&expander.quads).map(|()| canonical),
                None => canonicalize(expander.quads),
            }
            .map(Some),
        ),
        Err(expand::Expand::Unsupported) => None,
        Err(expand::Expand::Invalid(err)) => Some(Err(err)),
    }
}

/// [`canonical_nquads`] through the json-ld crate's full implementation only: the fallback
/// for what the fast path does not handle (public for tests that compare the two). The library
/// is not trusted not to panic on hostile input (it did, on an IRI whose percent-encoding is not
/// UTF-8): a panic is an error of the document. This relies on the workspace building with
/// `panic = "unwind"`, the default.
#[doc(hidden)]
pub fn library_canonical_nquads(document: &Map<String, Value>) -> Result<String, LinkedDataError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| library_unguarded(document))).unwrap_or_else(|_| {
        Err(match non_utf8_percent_encoding(&Value::Object(document.clone())) {
            Some(value) => LinkedDataError::NotUtf8(value),
            None => LinkedDataError::Invalid("the JSON-LD processor could not read it".into()),
        })
    })
}

/// The first key or string of `value` with a percent-encoded sequence that does not decode to
/// UTF-8 (`%8e`): not a valid IRI.
fn non_utf8_percent_encoding(value: &Value) -> Option<String> {
    let bad = |text: &str| {
        let bytes = text.as_bytes();
        let mut decoded = Vec::with_capacity(bytes.len());
        let mut at = 0;
        while at < bytes.len() {
            let hex =
                bytes.get(at + 1..at + 3).and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
            match (bytes[at], hex) {
                (b'%', Some(byte)) => {
                    decoded.push(byte);
                    at += 3;
                }
                (byte, _) => {
                    decoded.push(byte);
                    at += 1;
                }
            }
        }
        std::str::from_utf8(&decoded).is_err()
    };
    match value {
        Value::String(text) if bad(text) => Some(text.clone()),
        Value::Array(items) => items.iter().find_map(non_utf8_percent_encoding),
        Value::Object(map) => map.iter().find_map(|(key, value)| match bad(key) {
            true => Some(key.clone()),
            false => non_utf8_percent_encoding(value),
        }),
        _ => None,
    }
}

fn library_unguarded(document: &Map<String, Value>) -> Result<String, LinkedDataError> {
    let processor = processor();
    let context = document.get("@context").ok_or(LinkedDataError::MissingContext)?;
    let active = processor.active_context(context)?;
    let mut body = document.clone();
    body.remove("@context");
    let body = JsonValue::from_serde_json(Value::Object(body));
    let options = ExpansionOptions {
        policy: Policy { invalid: Action::Reject, vocab: Action::Keep, allow_undefined: false },
        ..ExpansionOptions::default()
    };
    let expansion = run_ready(body.expand_full(&mut (), (*active).clone(), None, &processor.loader, options, ()))?;
    let mut expanded = expansion.map_err(|err| match err {
        json_ld::expansion::Error::KeyExpansionFailed(key) => LinkedDataError::UndefinedTerm(key),
        err => LinkedDataError::Invalid(err.to_string()),
    })?;
    if let Some(invalid) = expanded.traverse().find_map(|fragment| match fragment.as_id() {
        Some(json_ld::Id::Invalid(id)) => Some(id),
        _ => None,
    }) {
        return Err(LinkedDataError::InvalidIri(invalid));
    }
    // Name every unnamed node, so that its triples can be produced.
    let mut generator = json_ld::rdf_types::generator::Blank::new();
    expanded.relabel_and_canonicalize_with(&mut (), &mut generator);
    let quads = expanded
        .rdf_quads_full(&mut (), &mut generator, None, false)
        .map(to_oxrdf)
        .collect::<Result<Vec<Quad>, LinkedDataError>>()?;
    canonicalize(quads)
}

/// Refuses datasets with more blank nodes than a credential needs.
fn check_size(quads: &[Quad]) -> Result<(), LinkedDataError> {
    let blank_nodes: std::collections::HashSet<&str> = quads.iter().flat_map(canon::blank_nodes).collect();
    match blank_nodes.len() > MAX_BLANK_NODES {
        true => Err(LinkedDataError::TooComplex),
        false => Ok(()),
    }
}

/// RDFC-1.0 of `quads` by rdf-canon, refusing datasets that could make it take too long.
fn canonicalize(quads: Vec<Quad>) -> Result<String, LinkedDataError> {
    check_size(&quads)?;
    let options = CanonicalizationOptions { hndq_call_limit: Some(MAX_HNDQ_CALLS) };
    rdf_canon::canonicalize_quads_with::<Sha256>(&quads, &options).map_err(|_| LinkedDataError::TooComplex)
}

type JsonLdQuad<'a> = json_ld::rdf::QuadRef<'a, IriBuf, json_ld::BlankIdBuf, json_ld::rdf_types::Literal>;

fn named_node(iri: &IriBuf) -> Result<NamedNode, LinkedDataError> {
    NamedNode::new(iri.as_str()).map_err(|_| LinkedDataError::InvalidIri(iri.as_str().to_owned()))
}

fn blank_node(id: &json_ld::BlankIdBuf) -> BlankNode {
    BlankNode::new_unchecked(id.suffix())
}

fn to_oxrdf(quad: JsonLdQuad<'_>) -> Result<Quad, LinkedDataError> {
    use json_ld::rdf_types::{Id, LiteralType, Object};
    let id_term = |id: &json_ld::ValidId<IriBuf, json_ld::BlankIdBuf>| -> Result<Subject, LinkedDataError> {
        match id {
            Id::Iri(iri) => named_node(iri).map(Subject::from),
            Id::Blank(blank) => Ok(blank_node(blank).into()),
        }
    };
    let subject = id_term(&quad.0)?;
    let predicate = match &*quad.1 {
        Id::Iri(iri) => named_node(iri)?,
        Id::Blank(blank) => return Err(LinkedDataError::InvalidIri(blank.to_string())),
    };
    let object: Term = match quad.2 {
        Object::Id(Id::Iri(iri)) => named_node(&iri)?.into(),
        Object::Id(Id::Blank(blank)) => blank_node(&blank).into(),
        Object::Literal(literal) => match literal.type_ {
            LiteralType::Any(datatype) => Literal::new_typed_literal(literal.value, named_node(&datatype)?).into(),
            LiteralType::LangString(tag) => {
                Literal::new_language_tagged_literal_unchecked(literal.value, tag.as_str().to_owned()).into()
            }
        },
    };
    let graph = match quad.3 {
        None => oxrdf::GraphName::DefaultGraph,
        Some(Id::Iri(iri)) => named_node(iri)?.into(),
        Some(Id::Blank(blank)) => blank_node(blank).into(),
    };
    Ok(Quad::new(subject, predicate, object, graph))
}

#[cfg(test)]
mod tests {
    use std::{
        pin::Pin,
        task::{Context, Poll},
    };

    use super::{LinkedDataError, run_ready};

    /// A future that is pending at its first poll and ready at the next.
    struct PendingOnce {
        polled: bool,
    }

    impl Future for PendingOnce {
        type Output = u8;

        fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<u8> {
            match std::mem::replace(&mut self.polled, true) {
                true => Poll::Ready(7),
                false => Poll::Pending,
            }
        }
    }

    #[test]
    fn a_future_that_waits_is_an_error_rather_than_a_spin() {
        assert_eq!(run_ready(PendingOnce { polled: false }), Err(LinkedDataError::ContextLoadPending));
        assert_eq!(run_ready(async { 7 }), Ok(7));
    }
}
