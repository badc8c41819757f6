//! RDFC-1.0 for the common case: when every blank node has a distinct first-degree hash
//! (RDFC-1.0 §4.4 steps 1–5), canonical labels follow from those hashes alone. Datasets where
//! two blank nodes hash alike need the N-degree step and go to rdf-canon instead.

use std::{collections::HashMap, fmt::Write as _};

use oxrdf::{GraphName, Quad, Subject, Term};
use sha2::{Digest, Sha256};

/// How a blank node is written while hashing or in the result.
enum Labels<'a> {
    /// First-degree hashing of `node`: it is `_:a`, every other blank node `_:z`.
    Hashing(&'a str),
    /// The canonical labels.
    Issued(&'a HashMap<&'a str, String>),
}

fn blank(label: &str, labels: &Labels<'_>, out: &mut String) {
    match labels {
        Labels::Hashing(node) if *node == label => out.push_str("_:a"),
        Labels::Hashing(_) => out.push_str("_:z"),
        Labels::Issued(issued) => {
            out.push_str("_:");
            out.push_str(&issued[label]);
        }
    }
}

/// One N-Quads line, blank nodes written as `labels` says.
fn line(quad: &Quad, labels: &Labels<'_>) -> String {
    let mut out = String::with_capacity(128);
    match &quad.subject {
        Subject::BlankNode(node) => blank(node.as_str(), labels, &mut out),
        other => write!(out, "{other}").expect("writing to a string"),
    }
    write!(out, " {} ", quad.predicate).expect("writing to a string");
    match &quad.object {
        Term::BlankNode(node) => blank(node.as_str(), labels, &mut out),
        other => write!(out, "{other}").expect("writing to a string"),
    }
    match &quad.graph_name {
        GraphName::DefaultGraph => {}
        GraphName::BlankNode(node) => {
            out.push(' ');
            blank(node.as_str(), labels, &mut out);
        }
        other => write!(out, " {other}").expect("writing to a string"),
    }
    out.push_str(" .\n");
    out
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
    let mut mentions: HashMap<&str, Vec<usize>> = HashMap::new();
    for (idx, quad) in quads.iter().enumerate() {
        for node in blank_nodes(quad) {
            let list = mentions.entry(node).or_default();
            if list.last() != Some(&idx) {
                list.push(idx);
            }
        }
    }
    let mut hashes: Vec<(String, &str)> = mentions
        .iter()
        .map(|(node, indexes)| {
            let mut lines: Vec<String> = indexes.iter().map(|&idx| line(&quads[idx], &Labels::Hashing(node))).collect();
            lines.sort_unstable();
            lines.dedup();
            let mut hasher = Sha256::new();
            for line in &lines {
                hasher.update(line.as_bytes());
            }
            let hash: String = hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect();
            (hash, *node)
        })
        .collect();
    hashes.sort_unstable();
    if hashes.windows(2).any(|pair| pair[0].0 == pair[1].0) {
        return None;
    }
    let issued: HashMap<&str, String> =
        hashes.iter().enumerate().map(|(idx, (_, node))| (*node, format!("c14n{idx}"))).collect();
    let mut lines: Vec<String> = quads.iter().map(|quad| line(quad, &Labels::Issued(&issued))).collect();
    lines.sort_unstable();
    lines.dedup();
    Some(lines.concat())
}
