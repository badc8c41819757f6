//! A fast path from a JSON-LD credential to RDF quads: the JSON-LD 1.1 expansion and toRdf
//! algorithms for the features credentials use, with every scoped context processed once (by
//! the json-ld crate) and reused. Anything else (value objects, lists, language maps, nested
//! `@context`, reverse properties, blank nodes the document names…) returns
//! [`Expand::Unsupported`] and the caller uses the library's full implementation; tests check
//! that both give the same canonical form.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use json_ld::{Container, IriBuf, Process, Term, Type, syntax::Keyword};
use oxrdf::{BlankNode, GraphName, Literal, NamedNode, Quad, Subject, Term as RdfTerm};
use serde_json::{Map, Value};

use super::LinkedDataError;

const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const XSD_BOOLEAN: &str = "http://www.w3.org/2001/XMLSchema#boolean";
const XSD_INTEGER: &str = "http://www.w3.org/2001/XMLSchema#integer";
const XSD_DOUBLE: &str = "http://www.w3.org/2001/XMLSchema#double";
const XSD_STRING: &str = "http://www.w3.org/2001/XMLSchema#string";

/// The most contexts kept; past it the fast path steps aside.
const MAX_CONTEXTS: usize = 4_096;

/// Why the fast path did not produce quads.
#[derive(Debug)]
pub(super) enum Expand {
    /// The document uses a feature the fast path does not implement.
    Unsupported,
    /// The document is wrong, and the library would say so too.
    Invalid(LinkedDataError),
}

impl From<LinkedDataError> for Expand {
    fn from(err: LinkedDataError) -> Expand {
        Expand::Invalid(err)
    }
}

type Result<T> = std::result::Result<T, Expand>;

/// A processed context, and the one to go back to when entering a new node (set when a
/// type-scoped context, which does not propagate, was applied).
struct Entry {
    context: Arc<json_ld::Context>,
    previous: Option<usize>,
    /// The terms the context makes aliases of keywords (`id` for `@id`), looked for at every
    /// key of every node; `None` when there are too many to look through one by one (a
    /// document's own context can define any number).
    aliases: Option<Vec<(String, Keyword)>>,
}

/// The most keyword aliases looked through one by one.
const MAX_LISTED_ALIASES: usize = 16;

impl Entry {
    fn new(context: Arc<json_ld::Context>, previous: Option<usize>) -> Arc<Entry> {
        let aliases: Vec<(String, Keyword)> = context
            .definitions()
            .iter()
            .filter_map(|binding| match binding {
                json_ld::context::BindingRef::Normal(key, definition) => match &definition.value {
                    Some(Term::Keyword(keyword)) => Some((key.as_str().to_owned(), *keyword)),
                    _ => None,
                },
                json_ld::context::BindingRef::Type(_) => None,
            })
            .take(MAX_LISTED_ALIASES + 1)
            .collect();
        let aliases = (aliases.len() <= MAX_LISTED_ALIASES).then_some(aliases);
        Arc::new(Entry { context, previous, aliases })
    }

    /// The keyword `key` is an alias of in this context, if any. The `@type` definition is
    /// only ever found under `@type`, a keyword, which is never asked here.
    fn alias(&self, key: &str) -> Option<Keyword> {
        match &self.aliases {
            Some(aliases) => aliases.iter().find(|(alias, _)| alias == key).map(|(_, keyword)| *keyword),
            None => match &self.context.get_normal(key)?.value {
                Some(Term::Keyword(keyword)) => Some(*keyword),
                _ => None,
            },
        }
    }
}

/// Which kind of scoped context was applied.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Scope {
    Type,
    Property,
}

/// Every context met so far: roots (from top-level `@context`s) and those derived from them by
/// scoped contexts. Entries are never removed, so their ids stay valid.
#[derive(Default)]
pub(super) struct Contexts {
    entries: Vec<Arc<Entry>>,
    roots: HashMap<usize, usize>,
    /// Derived contexts by what they were derived onto, how, and from which context's term.
    derived: HashMap<(usize, Scope, usize), HashMap<String, usize>>,
}

impl Contexts {
    /// The id of a root context, keyed by the address of its shared processed form.
    pub(super) fn root(&mut self, context: &Arc<json_ld::Context>) -> Option<usize> {
        let key = Arc::as_ptr(context) as usize;
        if let Some(&id) = self.roots.get(&key) {
            return Some(id);
        }
        if self.entries.len() >= MAX_CONTEXTS {
            return None;
        }
        self.entries.push(Entry::new(Arc::clone(context), None));
        let id = self.entries.len() - 1;
        self.roots.insert(key, id);
        Some(id)
    }
}

/// Turns one document into quads.
pub(super) struct Expander<'a> {
    contexts: &'a Mutex<Contexts>,
    loader: &'a HashMap<IriBuf, json_ld::RemoteDocument>,
    /// Processed contexts by id, copied out of the shared table as they are needed.
    local: Vec<Option<Arc<Entry>>>,
    blank_nodes: usize,
    /// Whether the quads are kept; without them, expanding only checks the document.
    keep: bool,
    pub(super) quads: Vec<Quad>,
}

impl<'a> Expander<'a> {
    /// An expander that keeps the quads when `keep` says so.
    pub(super) fn new(
        contexts: &'a Mutex<Contexts>,
        loader: &'a HashMap<IriBuf, json_ld::RemoteDocument>,
        keep: bool,
    ) -> Expander<'a> {
        Expander { contexts, loader, local: Vec::new(), blank_nodes: 0, keep, quads: Vec::new() }
    }

    fn context(&mut self, id: usize) -> Arc<json_ld::Context> {
        Arc::clone(&self.entry(id).context)
    }

    fn entry(&mut self, id: usize) -> &Arc<Entry> {
        if !matches!(self.local.get(id), Some(Some(_))) {
            let entry = Arc::clone(&self.contexts.lock().expect("the context table is never poisoned").entries[id]);
            if self.local.len() <= id {
                self.local.resize(id + 1, None);
            }
            self.local[id] = Some(entry);
        }
        self.local[id].as_ref().expect("just copied")
    }

    /// The context that results from applying the scoped context of `term` (found in the
    /// context `from`) to the context `onto`.
    fn scoped(&mut self, onto: usize, from: usize, term: &str, scope: Scope) -> Result<usize> {
        let key = (onto, scope, from);
        let derived = |contexts: &Contexts| contexts.derived.get(&key).and_then(|terms| terms.get(term)).copied();
        if let Some(id) = derived(&self.contexts.lock().expect("the context table is never poisoned")) {
            return Ok(id);
        }
        let source = self.context(from);
        let Some(local) = source.get_normal(term).and_then(|definition| definition.context.as_deref()) else {
            return Ok(onto);
        };
        let onto_entry = Arc::clone(self.entry(onto));
        let (active, previous) = (&onto_entry.context, onto_entry.previous);
        let options = json_ld::context_processing::Options {
            propagate: scope == Scope::Property,
            override_protected: scope == Scope::Property,
            ..json_ld::context_processing::Options::default()
        };
        let processed = super::run_ready(local.process_full(&mut (), active, self.loader, None, options, ()))?
            .map_err(|err| LinkedDataError::Invalid(format!("the scoped context of {term:?}: {err}")))?
            .into_processed();
        let previous = processed.previous_context().map(|_| previous.unwrap_or(onto));
        let mut contexts = self.contexts.lock().expect("the context table is never poisoned");
        if let Some(id) = derived(&contexts) {
            return Ok(id);
        }
        if contexts.entries.len() >= MAX_CONTEXTS {
            return Err(Expand::Unsupported);
        }
        contexts.entries.push(Entry::new(Arc::new(processed), previous));
        let id = contexts.entries.len() - 1;
        contexts.derived.entry(key).or_default().insert(term.to_owned(), id);
        Ok(id)
    }

    /// A new blank node. Its label (the count, in hexadecimal) is never one the document
    /// wrote: a document that names blank nodes is left to the library.
    fn blank(&mut self) -> BlankNode {
        self.blank_nodes += 1;
        BlankNode::new_from_unique_id(self.blank_nodes as u128)
    }

    /// Expands the top-level node of a document but its `left_out` entries (which must name
    /// its `@context`).
    pub(super) fn document(&mut self, root: usize, document: &Map<String, Value>, left_out: &[&str]) -> Result<()> {
        self.node(root, document, &GraphName::DefaultGraph, false, left_out).map(drop)
    }

    /// Expands a node object in context `ctx` into quads of `graph`; returns its subject.
    /// `entering` says the node is nested, so a non-propagated context is left behind.
    /// The node's `left_out` entries are not part of it.
    fn node(
        &mut self,
        ctx: usize,
        node: &Map<String, Value>,
        graph: &GraphName,
        entering: bool,
        left_out: &[&str],
    ) -> Result<Subject> {
        let entries = || node.iter().filter(|(key, _)| !left_out.contains(&key.as_str()));
        let mut ctx = ctx;
        if entering {
            let only_id = entries().count() == 1
                && entries().all(|(key, _)| matches!(self.keyword_of(ctx, key), Some(Keyword::Id)));
            if let Some(previous) = self.entry(ctx).previous
                && !only_id
            {
                ctx = previous;
            }
        }
        // Classify the keys with the context before any type-scoped context is applied.
        let mut id_value = None;
        let mut types: Vec<&str> = Vec::new();
        let mut properties: Vec<(&str, &Value)> = Vec::with_capacity(node.len());
        for (key, value) in entries() {
            match self.keyword_of(ctx, key) {
                Some(Keyword::Id) => id_value = Some(value),
                Some(Keyword::Type) => match value {
                    Value::String(ty) => types.push(ty),
                    Value::Array(many) => {
                        for ty in many {
                            types.push(ty.as_str().ok_or(Expand::Unsupported)?);
                        }
                    }
                    _ => return Err(Expand::Unsupported),
                },
                Some(_) => return Err(Expand::Unsupported),
                None => properties.push((key, value)),
            }
        }
        types.sort_unstable();
        // Type-scoped contexts, applied in the types' lexicographic order (Expansion step 11).
        let type_scoped = ctx;
        for ty in &types {
            ctx = self.scoped(ctx, type_scoped, ty, Scope::Type)?;
        }
        let subject: Subject = match id_value {
            None => self.blank().into(),
            Some(Value::String(id)) => match self.expand_iri(ctx, id, false)? {
                RdfTerm::NamedNode(node) => node.into(),
                RdfTerm::BlankNode(node) => node.into(),
                _ => return Err(Expand::Unsupported),
            },
            Some(_) => return Err(Expand::Unsupported),
        };
        let type_context = self.context(type_scoped);
        for ty in &types {
            let iri = expand_iri_in(&type_context, ty, true)?;
            let object = match iri {
                RdfTerm::NamedNode(node) => RdfTerm::NamedNode(node),
                RdfTerm::BlankNode(node) => RdfTerm::BlankNode(node),
                _ => return Err(Expand::Unsupported),
            };
            if self.keep {
                self.quads.push(Quad::new(subject.clone(), NamedNode::new_unchecked(RDF_TYPE), object, graph.clone()));
            }
        }
        for (key, value) in properties {
            self.property(ctx, &subject, key, value, graph)?;
        }
        Ok(subject)
    }

    /// The keyword `key` is or is an alias of, in context `ctx`.
    fn keyword_of(&mut self, ctx: usize, key: &str) -> Option<Keyword> {
        // Every keyword starts with `@`; most keys are terms, and need not be tried.
        if key.starts_with('@')
            && let Ok(keyword) = Keyword::try_from(key)
        {
            return Some(keyword);
        }
        self.entry(ctx).alias(key)
    }

    fn property(&mut self, ctx: usize, subject: &Subject, key: &str, value: &Value, graph: &GraphName) -> Result<()> {
        let context = self.context(ctx);
        let definition = context.get_normal(key);
        let expanded;
        let predicate = match definition.and_then(|definition| definition.value.as_ref()) {
            Some(Term::Id(json_ld::Id::Valid(json_ld::ValidId::Iri(iri)))) => iri.as_str(),
            Some(Term::Null) => return Ok(()),
            Some(_) => return Err(Expand::Unsupported),
            None => match expand_iri_in(&context, key, true) {
                Ok(RdfTerm::NamedNode(node)) => {
                    expanded = node;
                    expanded.as_str()
                }
                Ok(_) => return Err(Expand::Unsupported),
                Err(Expand::Invalid(LinkedDataError::InvalidIri(_))) => {
                    return Err(LinkedDataError::UndefinedTerm(key.to_owned()).into());
                }
                Err(err) => return Err(err),
            },
        };
        if let Some(definition) = definition {
            let plain = definition.reverse_property
                || definition.nest.is_some()
                || definition.index.is_some()
                || definition.direction.is_some()
                || definition.language.is_some();
            if plain {
                return Err(Expand::Unsupported);
            }
        }
        if context.default_language().is_some() || context.default_base_direction().is_some() {
            return Err(Expand::Unsupported);
        }
        let container = definition.map_or(Container::None, |definition| definition.container);
        let graph_container = match container {
            Container::None | Container::Set => false,
            Container::Graph | Container::GraphSet => true,
            _ => return Err(Expand::Unsupported),
        };
        // A property-scoped context applies to the values (Expansion steps 3 and 8).
        let value_ctx = match definition.is_some_and(|definition| definition.context.is_some()) {
            true => self.scoped(ctx, ctx, key, Scope::Property)?,
            false => ctx,
        };
        // The value's type mapping, from the context the values are expanded in.
        let value_context;
        let typ = match value_ctx == ctx {
            true => definition,
            false => {
                value_context = self.context(value_ctx);
                value_context.get_normal(key)
            }
        }
        .and_then(|definition| definition.typ.as_ref());
        let values: &[Value] = match value {
            Value::Array(many) => many,
            one => std::slice::from_ref(one),
        };
        for value in values {
            let object: RdfTerm = match value {
                Value::Null => continue,
                Value::Array(_) => return Err(Expand::Unsupported),
                Value::Object(inner) => {
                    if inner.keys().any(|key| matches!(self.keyword_of(value_ctx, key), Some(keyword) if !matches!(keyword, Keyword::Id | Keyword::Type))) {
                        return Err(Expand::Unsupported);
                    }
                    match graph_container {
                        true => {
                            let name = self.blank();
                            self.node(value_ctx, inner, &GraphName::BlankNode(name.clone()), true, &[])?;
                            name.into()
                        }
                        false => self.node(value_ctx, inner, graph, true, &[])?.into(),
                    }
                }
                scalar if graph_container => {
                    let _ = scalar;
                    return Err(Expand::Unsupported);
                }
                scalar => self.scalar(value_ctx, typ, scalar)?,
            };
            if self.keep {
                self.quads.push(Quad::new(subject.clone(), NamedNode::new_unchecked(predicate), object, graph.clone()));
            }
        }
        Ok(())
    }

    /// A string, number or boolean value of a term whose type mapping is `typ` (Value
    /// Expansion, then Object to RDF).
    fn scalar(&mut self, ctx: usize, typ: Option<&Type<IriBuf>>, value: &Value) -> Result<RdfTerm> {
        match (value, typ) {
            (Value::String(iri), Some(Type::Id)) => self.expand_iri(ctx, iri, false),
            (Value::String(iri), Some(Type::Vocab)) => self.expand_iri(ctx, iri, true),
            (Value::String(text), Some(Type::Iri(datatype))) => Ok(self.literal(|| text.clone(), datatype.as_str())),
            (Value::String(text), None | Some(Type::None)) => Ok(self.literal(|| text.clone(), XSD_STRING)),
            (Value::Bool(flag), typ) => {
                let datatype = datatype_or(typ, XSD_BOOLEAN)?;
                Ok(self.literal(|| flag.to_string(), datatype))
            }
            (Value::Number(number), typ) => {
                let datatype = datatype_or(typ, "")?;
                let float = number.as_f64().ok_or(Expand::Unsupported)?;
                let integral = number.is_i64() || number.is_u64() || (float.fract() == 0.0 && float.abs() < 1e21);
                if integral && datatype != XSD_DOUBLE {
                    let lexical = || match (number.as_i64(), number.as_u64()) {
                        (Some(int), _) => int.to_string(),
                        (None, Some(int)) => int.to_string(),
                        _ => format!("{float:.0}"),
                    };
                    Ok(self.literal(lexical, if datatype.is_empty() { XSD_INTEGER } else { datatype }))
                } else {
                    let datatype = if datatype.is_empty() { XSD_DOUBLE } else { datatype };
                    Ok(self.literal(|| canonical_double(float), datatype))
                }
            }
            _ => Err(Expand::Unsupported),
        }
    }

    /// The literal `lexical` of `datatype`; when only checking, an empty string stands for
    /// it, and nothing is written.
    fn literal(&self, lexical: impl FnOnce() -> String, datatype: &str) -> RdfTerm {
        match self.keep {
            true => Literal::new_typed_literal(lexical(), NamedNode::new_unchecked(datatype)).into(),
            false => Literal::new_simple_literal(String::new()).into(),
        }
    }

    fn expand_iri(&mut self, ctx: usize, value: &str, vocab: bool) -> Result<RdfTerm> {
        let context = self.context(ctx);
        expand_iri_in(&context, value, vocab)
    }
}

/// The datatype of a literal: the term's type mapping, or `default`.
fn datatype_or<'t>(typ: Option<&'t Type<IriBuf>>, default: &'t str) -> Result<&'t str> {
    match typ {
        None | Some(Type::None) => Ok(default),
        Some(Type::Iri(iri)) => Ok(iri.as_str()),
        Some(_) => Err(Expand::Unsupported),
    }
}

/// The canonical xsd:double form JSON-LD writes: `1.5E0`, `5.0E0`, `1.0E21`.
fn canonical_double(value: f64) -> String {
    let formatted = format!("{value:.15e}");
    let (mantissa, exponent) = formatted.split_once('e').expect("exponent notation");
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, "0"));
    let fraction = fraction.trim_end_matches('0');
    let fraction = if fraction.is_empty() { "0" } else { fraction };
    format!("{whole}.{fraction}E{exponent}")
}

/// IRI Expansion (JSON-LD 1.1 API §5.2) for values and keys. The base IRI is never set, so a
/// relative IRI is an error rather than silently dropped.
fn expand_iri_in(context: &json_ld::Context, value: &str, vocab: bool) -> Result<RdfTerm> {
    if value.starts_with('@') {
        return Err(Expand::Unsupported);
    }
    if vocab && let Some(definition) = context.get_normal(value) {
        return match &definition.value {
            Some(Term::Id(json_ld::Id::Valid(json_ld::ValidId::Iri(iri)))) => {
                Ok(NamedNode::new_unchecked(iri.as_str()).into())
            }
            _ => Err(Expand::Unsupported),
        };
    }
    if let Some((prefix, suffix)) = value.split_once(':') {
        // A blank node the document names could take the label of one it leaves unnamed
        // (`_:b1`), merging two nodes; the library keeps them apart.
        if prefix == "_" {
            return Err(Expand::Unsupported);
        }
        if !suffix.starts_with("//")
            && let Some(definition) = context.get_normal(prefix)
            && definition.prefix
            && let Some(Term::Id(json_ld::Id::Valid(json_ld::ValidId::Iri(iri)))) = &definition.value
        {
            let expanded = format!("{}{suffix}", iri.as_str());
            return NamedNode::new(expanded.as_str())
                .map(Into::into)
                .map_err(|_| LinkedDataError::InvalidIri(expanded).into());
        }
        if let Ok(node) = NamedNode::new(value) {
            return Ok(node.into());
        }
    }
    if vocab && let Some(vocabulary) = context.vocabulary() {
        return match vocabulary {
            Term::Id(json_ld::Id::Valid(json_ld::ValidId::Iri(iri))) => {
                let expanded = format!("{}{value}", iri.as_str());
                NamedNode::new(expanded.as_str())
                    .map(Into::into)
                    .map_err(|_| LinkedDataError::InvalidIri(expanded).into())
            }
            _ => Err(Expand::Unsupported),
        };
    }
    Err(LinkedDataError::InvalidIri(value.to_owned()).into())
}

#[cfg(test)]
mod tests {
    #[test]
    fn doubles_are_written_as_json_ld_does() {
        for (value, expected) in
            [(5.5, "5.5E0"), (1.0e21, "1.0E21"), (0.1, "1.0E-1"), (-2.25, "-2.25E0"), (123_456.789, "1.23456789E5")]
        {
            assert_eq!(super::canonical_double(value), expected, "{value}");
        }
    }
}
