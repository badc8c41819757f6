//! How results are printed: aligned tables and details for people, JSON for programs.

use std::io::{self, Write};

use mc_app::{DemoSummary, IssuedCredential};
use mc_core::{Institution, LangMap, Learner, Spec};

/// Prints `value` as pretty JSON and a newline.
pub(crate) fn json(out: &mut impl Write, value: &impl serde::Serialize) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

/// Prints rows under a header, each column as wide as its widest cell.
fn table(out: &mut impl Write, header: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|cell| cell.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let padded: Vec<String> = cells.zip(&widths).map(|(cell, width)| format!("{cell:<width$}")).collect();
        padded.join("  ").trim_end().to_owned()
    };
    writeln!(out, "{}", line(&mut header.iter().copied()))?;
    for row in rows {
        writeln!(out, "{}", line(&mut row.iter().map(String::as_str)))?;
    }
    Ok(())
}

/// Every language of a text, one `(tag) text` per language.
fn all_languages(map: &LangMap) -> String {
    let texts: Vec<String> = map.iter().map(|(tag, text)| format!("({tag}) {text}")).collect();
    texts.join("\n                      ")
}

fn field(out: &mut impl Write, name: &str, value: impl std::fmt::Display) -> io::Result<()> {
    writeln!(out, "  {name:<20}{value}")
}

pub(crate) fn demo_summary(summary: &DemoSummary) -> String {
    format!(
        "demo data: added {} institutions, {} specifications and {} learners; {} records were already present",
        summary.institutions_added, summary.specs_added, summary.learners_added, summary.already_present
    )
}

pub(crate) fn institution_table(out: &mut impl Write, institutions: &[Institution]) -> io::Result<()> {
    let rows: Vec<Vec<String>> = institutions
        .iter()
        .map(|institution| {
            let name = institution.name().iter().next().map(|(_, text)| text).unwrap_or_default();
            vec![institution.id().to_string(), institution.country().to_string(), name.to_owned()]
        })
        .collect();
    table(out, &["ID", "COUNTRY", "NAME"], &rows)
}

pub(crate) fn institution_details(out: &mut impl Write, institution: &Institution) -> io::Result<()> {
    writeln!(out, "{}", institution.id())?;
    field(out, "name", all_languages(institution.name()))?;
    field(out, "country", format!("{} ({})", institution.country(), institution.country().name()))?;
    field(out, "legal identifier", institution.legal_identifier())?;
    if let Some(website) = institution.website() {
        field(out, "website", website)?;
    }
    if let Some(did) = institution.did() {
        field(out, "DID", did)?;
    }
    Ok(())
}

pub(crate) fn learner_table(out: &mut impl Write, learners: &[Learner]) -> io::Result<()> {
    let rows: Vec<Vec<String>> = learners
        .iter()
        .map(|learner| vec![learner.id().to_string(), learner.email().to_string(), learner.name().to_owned()])
        .collect();
    table(out, &["ID", "EMAIL", "NAME"], &rows)
}

fn workload(spec: &Spec) -> String {
    let workload = spec.workload();
    match (workload.ects(), workload.hours()) {
        (Some(ects), Some(hours)) => format!("{ects} ECTS, {hours} hours"),
        (Some(ects), None) => format!("{ects} ECTS"),
        (None, Some(hours)) => format!("{hours} hours"),
        (None, None) => String::new(),
    }
}

pub(crate) fn spec_table(out: &mut impl Write, specs: &[Spec]) -> io::Result<()> {
    let rows: Vec<Vec<String>> = specs
        .iter()
        .map(|spec| {
            vec![
                spec.id().to_string(),
                spec.issuer().to_string(),
                spec.eqf_level().map(|level| level.to_string()).unwrap_or_else(|| "-".into()),
                spec.workload().ects().map(|ects| ects.to_string()).unwrap_or_else(|| "-".into()),
                spec.default_title().to_owned(),
            ]
        })
        .collect();
    table(out, &["ID", "ISSUER", "EQF", "ECTS", "TITLE"], &rows)
}

pub(crate) fn spec_details(out: &mut impl Write, spec: &Spec) -> io::Result<()> {
    writeln!(out, "{}", spec.default_title())?;
    field(out, "id", spec.id())?;
    let bodies: Vec<&str> = spec.awarding_bodies().iter().map(|id| id.as_str()).collect();
    field(out, "awarding bodies", bodies.join(", "))?;
    let languages: Vec<&str> = spec.languages().iter().map(|tag| tag.as_str()).collect();
    field(out, "languages", format!("{} (default {})", languages.join(", "), spec.default_language()))?;
    field(out, "title", all_languages(spec.title()))?;
    if let Some(description) = spec.description() {
        field(out, "description", all_languages(description))?;
    }
    for (idx, outcome) in spec.learning_outcomes().iter().enumerate() {
        let name = if idx == 0 { "learning outcomes" } else { "" };
        let skill = outcome.skill().map(|skill| format!(" [{skill}]")).unwrap_or_default();
        field(out, name, format!("{}. {}{skill}", idx + 1, outcome.text().best(spec.default_language())))?;
    }
    field(out, "workload", workload(spec))?;
    if let Some(level) = spec.eqf_level() {
        let cycle = spec.qf_ehea_cycle().map(|cycle| format!(" ({cycle} cycle)")).unwrap_or_default();
        field(out, "EQF level", format!("{level}{cycle}"))?;
    }
    if let Some(code) = spec.isced_f() {
        field(out, "ISCED-F", format!("{code} {}", code.name()))?;
    }
    let assessment = spec.assessment();
    let methods: Vec<&str> = assessment.methods().iter().map(|method| method.as_str()).collect();
    field(out, "assessment", format!("{}: {}", assessment.kind(), methods.join(", ")))?;
    field(out, "participation", spec.participation())?;
    let qa = spec.quality_assurance();
    let kinds: Vec<&str> = [(qa.internal(), "internal"), (qa.external(), "external")]
        .into_iter()
        .filter_map(|(on, kind)| on.then_some(kind))
        .collect();
    let body = qa.body().map(|body| format!(" ({body})")).unwrap_or_default();
    field(out, "quality assurance", format!("{}{body}", kinds.join(", ")))?;
    if let Some(verification) = spec.identity_verification() {
        field(out, "identity check", verification)?;
    }
    if let Some(stackability) = spec.stackability() {
        field(out, "stackability", stackability.option())?;
    }
    if let Some(homepage) = spec.homepage() {
        field(out, "homepage", homepage)?;
    }
    Ok(())
}

pub(crate) fn credential_table(out: &mut impl Write, credentials: &[IssuedCredential]) -> io::Result<()> {
    let rows: Vec<Vec<String>> = credentials
        .iter()
        .map(|issued| {
            vec![
                issued.id().to_owned(),
                issued.issued_at().to_rfc3339(),
                issued.state().as_str().to_owned(),
                issued.format().as_str().to_owned(),
                issued.institution_id().to_string(),
                issued.content("en").title,
            ]
        })
        .collect();
    table(out, &["ID", "ISSUED", "STATE", "FORMAT", "ISSUER", "NAME"], &rows)
}

pub(crate) fn token_table(out: &mut impl Write, tokens: &[mc_app::ApiToken]) -> io::Result<()> {
    let rows: Vec<Vec<String>> = tokens
        .iter()
        .map(|token| {
            let state = token.revoked_at.map_or_else(|| "active".to_owned(), |at| format!("revoked {at}"));
            vec![token.id.clone(), token.role_name().to_owned(), state, token.label.clone()]
        })
        .collect();
    table(out, &["ID", "ROLE", "STATE", "LABEL"], &rows)
}

/// A quality report: the label per framework, then every finding with its fix.
pub(crate) fn quality_report(out: &mut impl Write, report: &mc_core::quality::QualityReport) -> io::Result<()> {
    use mc_core::quality::Severity;
    writeln!(out, "Frameworks:")?;
    for label in &report.labels {
        let verdict = if label.compliant { "compliant" } else { "NOT COMPLIANT" };
        writeln!(out, "  {:<9} {:<55} {verdict}", label.framework.as_str(), label.framework.name())?;
    }
    writeln!(
        out,
        "Findings: {} errors, {} warnings, {} infos",
        report.count(Severity::Error),
        report.count(Severity::Warning),
        report.count(Severity::Info)
    )?;
    for finding in &report.findings {
        writeln!(out, "  {:<7} {} ({})", finding.severity, finding.field, finding.rule)?;
        writeln!(out, "          {}", finding.message)?;
        writeln!(out, "          fix: {}", finding.fix)?;
    }
    Ok(())
}

/// A page of catalogue results, then the facet counts.
pub(crate) fn catalogue(out: &mut impl Write, result: &mc_catalogue::SearchResult) -> io::Result<()> {
    let rows: Vec<Vec<String>> = result
        .hits
        .iter()
        .map(|hit| {
            let summary = &hit.summary;
            let title = summary
                .title
                .iter()
                .find(|(tag, _)| tag.as_str() == summary.default_language)
                .or_else(|| summary.title.iter().next())
                .map_or_else(String::new, |(_, text)| text.to_owned());
            vec![
                summary.id.to_string(),
                summary.institutions.iter().map(|i| i.id.as_str()).collect::<Vec<_>>().join(","),
                summary.eqf_level.map_or_else(|| "-".to_owned(), |level| level.to_string()),
                summary.ects.map_or_else(|| "-".to_owned(), |ects| ects.to_string()),
                title,
            ]
        })
        .collect();
    writeln!(out, "{} specifications found", result.total)?;
    table(out, &["ID", "INSTITUTION", "EQF", "ECTS", "TITLE"], &rows)?;
    for (facet, counts) in &result.facets {
        let shown: Vec<String> =
            counts.iter().take(8).map(|count| format!("{} ({})", count.value, count.count)).collect();
        if !shown.is_empty() {
            writeln!(out, "{:<14}{}", facet.as_str(), shown.join(", "))?;
        }
    }
    Ok(())
}

/// An accreditation record as JSON.
pub(crate) fn accreditation_json(record: &mc_app::Accreditation) -> serde_json::Value {
    serde_json::json!({
        "institution": record.institution.as_str(),
        "qa_body": record.qa_body,
        "status": record.status,
        "valid_from": record.valid_from,
        "valid_until": record.valid_until,
        "register_id": record.register_id,
        "updated_by": record.updated_by,
    })
}

pub(crate) fn accreditation_table(out: &mut impl Write, records: &[mc_app::Accreditation]) -> io::Result<()> {
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|record| {
            vec![
                record.institution.to_string(),
                record.status.as_str().to_owned(),
                record.qa_body.clone(),
                record.valid_from.clone(),
                record.valid_until.clone().unwrap_or_else(|| "-".to_owned()),
                record.register_id.clone().unwrap_or_else(|| "-".to_owned()),
            ]
        })
        .collect();
    table(out, &["INSTITUTION", "STATUS", "QA BODY", "FROM", "UNTIL", "REGISTER ID"], &rows)
}

pub(crate) fn trust_table(out: &mut impl Write, list: &mc_app::TrustList) -> io::Result<()> {
    let rows: Vec<Vec<String>> = list
        .issuers
        .iter()
        .map(|entry| {
            vec![
                entry.id.clone(),
                entry.name.clone().unwrap_or_default(),
                entry.country.clone().unwrap_or_default(),
                entry.trusted_until.clone().map_or_else(|| "trusted".to_owned(), |until| format!("left {until}")),
                entry.dids.as_ref().map_or(1, Vec::len).to_string(),
            ]
        })
        .collect();
    table(out, &["ID", "NAME", "COUNTRY", "STATE", "DIDS"], &rows)
}
