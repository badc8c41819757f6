//! RDFC-1.0 for the common case: when every blank node has a distinct first-degree hash
//! (RDFC-1.0 §4.4 steps 1–5), canonical labels follow from those hashes alone. Datasets where
//! two blank nodes hash alike need the N-degree step and go to rdf-canon instead.

use std::fmt::Write as _;

use oxrdf::{GraphName, Literal, Quad, Subject, Term};
use sha2::{Digest, Sha256};

/// How a blank node is written while hashing or in the result.
enum Labels<'a> {
    /// First-degree hashing of `node`: it is `_:a`, every other blank node `_:z`.
    Hashing(&'a str),
    /// The canonical labels, by blank node, sorted by blank node.
    Issued(&'a [(&'a str, String)]),
}

fn blank(label: &str, labels: &Labels<'_>, out: &mut String) {
    match labels {
        Labels::Hashing(node) if *node == label => out.push_str("_:a"),
        Labels::Hashing(_) => out.push_str("_:z"),
        Labels::Issued(issued) => {
            let at = issued.binary_search_by_key(&label, |(node, _)| node).expect("every blank node has a label");
            out.push_str("_:");
            out.push_str(&issued[at].1);
        }
    }
}

/// One N-Quads line, blank nodes written as `labels` says.
fn line(quad: &Quad, labels: &Labels<'_>) -> String {
    let mut out = String::with_capacity(128);
    match &quad.subject {
        Subject::BlankNode(node) => blank(node.as_str(), labels, &mut out),
        Subject::NamedNode(node) => iri(node.as_str(), &mut out),
    }
    out.push(' ');
    iri(quad.predicate.as_str(), &mut out);
    out.push(' ');
    match &quad.object {
        Term::BlankNode(node) => blank(node.as_str(), labels, &mut out),
        Term::NamedNode(node) => iri(node.as_str(), &mut out),
        Term::Literal(literal) => literal_of(literal, &mut out),
    }
    match &quad.graph_name {
        GraphName::DefaultGraph => {}
        GraphName::BlankNode(node) => {
            out.push(' ');
            blank(node.as_str(), labels, &mut out);
        }
        GraphName::NamedNode(node) => {
            out.push(' ');
            iri(node.as_str(), &mut out);
        }
    }
    out.push_str(" .\n");
    out
}

fn iri(iri: &str, out: &mut String) {
    out.push('<');
    out.push_str(iri);
    out.push('>');
}

/// A literal as oxrdf writes it: the quoted string, then its language or its datatype
/// (none for `xsd:string`).
fn literal_of(literal: &Literal, out: &mut String) {
    let value = literal.value();
    out.push('"');
    match value.bytes().any(|byte| byte < 0x20 || matches!(byte, b'"' | b'\\' | 0x7f)) {
        false => out.push_str(value),
        true => {
            for c in value.chars() {
                match c {
                    '\u{08}' => out.push_str("\\b"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\u{0C}' => out.push_str("\\f"),
                    '\r' => out.push_str("\\r"),
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\0'..='\u{1F}' | '\u{7F}' => write!(out, "\\u{:04X}", u32::from(c)).expect("writing to a string"),
                    _ => out.push(c),
                }
            }
        }
    }
    out.push('"');
    match literal.language() {
        Some(language) => {
            out.push('@');
            out.push_str(language);
        }
        None if literal.datatype() == oxrdf::vocab::xsd::STRING => {}
        None => {
            out.push_str("^^");
            iri(literal.datatype().as_str(), out);
        }
    }
}

/// The blank nodes a quad mentions.
pub(super) fn blank_nodes(quad: &Quad) -> impl Iterator<Item = &str> {
    let subject = match &quad.subject {
        Subject::BlankNode(node) => Some(node.as_str()),
        _ => None,
    };
    let object = match &quad.object {
        Term::BlankNode(node) => Some(node.as_str()),
        _ => None,
    };
    let graph = match &quad.graph_name {
        GraphName::BlankNode(node) => Some(node.as_str()),
        _ => None,
    };
    [subject, object, graph].into_iter().flatten()
}

/// The canonical N-Quads of `quads` (a set: repeats are ignored), or `None` when two blank
/// nodes share a first-degree hash.
pub(super) fn canonicalize(quads: &[Quad]) -> Option<String> {
    // Which quads mention each blank node, grouped by sorting rather than hashing.
    let mut mentions: Vec<(&str, usize)> =
        quads.iter().enumerate().flat_map(|(idx, quad)| blank_nodes(quad).map(move |node| (node, idx))).collect();
    mentions.sort_unstable();
    mentions.dedup();
    // Hashes are compared as bytes: their order is that of the hex strings RDFC-1.0 sorts.
    let mut hashes: Vec<([u8; 32], &str)> = mentions
        .chunk_by(|one, other| one.0 == other.0)
        .map(|mentioned| {
            let node = mentioned[0].0;
            let mut lines: Vec<String> =
                mentioned.iter().map(|&(_, idx)| line(&quads[idx], &Labels::Hashing(node))).collect();
            lines.sort_unstable();
            lines.dedup();
            let mut hasher = Sha256::new();
            for line in &lines {
                hasher.update(line.as_bytes());
            }
            (hasher.finalize().into(), node)
        })
        .collect();
    hashes.sort_unstable();
    if hashes.windows(2).any(|pair| pair[0].0 == pair[1].0) {
        return None;
    }
    let mut issued: Vec<(&str, String)> =
        hashes.iter().enumerate().map(|(idx, (_, node))| (*node, format!("c14n{idx}"))).collect();
    issued.sort_unstable();
    let mut lines: Vec<String> = quads.iter().map(|quad| line(quad, &Labels::Issued(&issued))).collect();
    lines.sort_unstable();
    lines.dedup();
    Some(lines.concat())
}

#[cfg(test)]
mod tests {
    use oxrdf::{BlankNode, Literal, NamedNode, Quad};

    use super::*;

    /// Lines are written as oxrdf writes N-Quads, escapes included.
    #[test]
    fn lines_are_written_as_oxrdf_writes_them() {
        let subject = NamedNode::new_unchecked("https://example.edu/credentials/1");
        let predicate = NamedNode::new_unchecked("https://schema.org/name");
        let graph = NamedNode::new_unchecked("https://example.edu/graph");
        let mut every_control: String = ('\0'..='\u{1F}').collect();
        every_control.push_str("\u{7F} \"quoted\" back\\slash ñ 漢字 😀");
        let objects: Vec<Term> = vec![
            NamedNode::new_unchecked("https://example.edu/achievements/1").into(),
            Literal::new_simple_literal("Plain words").into(),
            Literal::new_simple_literal(every_control.clone()).into(),
            Literal::new_language_tagged_literal_unchecked(every_control, "es").into(),
            Literal::new_typed_literal("2026-12-02T00:00:00Z", oxrdf::vocab::xsd::DATE_TIME).into(),
            Literal::new_typed_literal(
                "{\"a\":1}",
                NamedNode::new_unchecked("http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"),
            )
            .into(),
        ];
        for object in objects {
            for graph in [GraphName::DefaultGraph, graph.clone().into()] {
                let quad = Quad::new(subject.clone(), predicate.clone(), object.clone(), graph);
                assert_eq!(line(&quad, &Labels::Hashing("unused")), format!("{quad} .\n"), "{quad}");
            }
        }
        let blank = BlankNode::new_unchecked("b1");
        let quad = Quad::new(blank.clone(), predicate, blank, GraphName::DefaultGraph);
        assert_eq!(line(&quad, &Labels::Hashing("b1")), format!("_:a <https://schema.org/name> _:a .\n"));
    }
}
