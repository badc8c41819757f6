//! The commands of the catalogue side: a specification's quality check, publication, edit,
//! import and export; catalogue searches; and the network's registry and trusted-issuer list.

use std::io::Write;

use anyhow::{Context, bail};
use mc_app::{AccreditationDocument, Operator, SpecFormat as Format};
use mc_catalogue::{Facet, Query};
use mc_core::{
    quality::{QualityReport, Severity},
    wire::SpecDocument,
};

use crate::{
    cli::{CatalogueArgs, RegistryCommand, SpecFormat, TrustCommand},
    clock::now,
    input::{MAX_INPUT_BYTES, read_document, read_input},
    output,
};

fn format(format: SpecFormat) -> Format {
    match format {
        SpecFormat::Json => Format::Json,
        SpecFormat::Elm => Format::Elm,
    }
}

/// `spec check`: the report, and an error (exit 1) when it has errors.
pub(crate) async fn check(app: &Operator<'_>, spec: &str, json: bool, out: &mut impl Write) -> anyhow::Result<()> {
    let is_file = spec == "-" || std::path::Path::new(spec).is_file();
    let document = match is_file {
        true => {
            read_document::<SpecDocument>(spec).map_err(|err| anyhow::anyhow!("{spec} cannot be checked: {err:#}"))?
        }
        false => SpecDocument::from(
            &app.spec(spec).await.with_context(|| format!("{spec} is neither a file nor a stored specification"))?,
        ),
    };
    let report = app.check_spec(&document).await?;
    match json {
        true => output::json(out, &report)?,
        false => output::quality_report(out, &report)?,
    }
    match report.count(Severity::Error) {
        0 => Ok(()),
        errors => bail!("the quality check found {errors} error{}", if errors == 1 { "" } else { "s" }),
    }
}

/// `spec publish`.
pub(crate) async fn publish(app: &Operator<'_>, id: &str, out: &mut impl Write) -> anyhow::Result<()> {
    let report = app.publish_spec(id, now()).await.with_context(|| format!("specification {id} was not published"))?;
    writeln!(out, "published specification {id} in the catalogue")?;
    print_labels(out, &report)
}

fn print_labels(out: &mut impl Write, report: &QualityReport) -> anyhow::Result<()> {
    for label in &report.labels {
        let verdict = if label.compliant { "compliant" } else { "not compliant" };
        writeln!(out, "  {:<9} {verdict}", label.framework.as_str())?;
    }
    Ok(())
}

/// `spec edit`.
pub(crate) async fn edit(app: &Operator<'_>, file: &str, out: &mut impl Write) -> anyhow::Result<()> {
    let document = read_document::<SpecDocument>(file)?;
    let (spec, report) = app.update_spec(&document).await.with_context(|| format!("{file} was not saved"))?;
    writeln!(
        out,
        "saved specification {}: {} ({} errors, {} warnings)",
        spec.id(),
        spec.default_title(),
        report.count(Severity::Error),
        report.count(Severity::Warning)
    )?;
    Ok(())
}

/// `spec export`.
pub(crate) async fn export(
    app: &Operator<'_>,
    ids: &[String],
    spec_format: SpecFormat,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let exported = app.export_specs(ids, format(spec_format)).await?;
    output::json(out, &exported)?;
    Ok(())
}

/// `spec import`.
pub(crate) async fn import(
    app: &Operator<'_>,
    file: &str,
    spec_format: SpecFormat,
    awarding_body: Option<&str>,
    publish: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let text = read_input(file, MAX_INPUT_BYTES)?;
    let report = app
        .import_specs(&text, format(spec_format), awarding_body, publish, now())
        .await
        .with_context(|| format!("nothing was imported from {file}"))?;
    for spec in &report.imported {
        let state = if spec.published { "published" } else { "draft" };
        writeln!(out, "imported {} ({state}): {}", spec.id, spec.title)?;
    }
    for rejected in &report.rejected {
        writeln!(out, "refused entry {}: {}", rejected.entry, rejected.reason)?;
    }
    writeln!(out, "{} imported, {} refused", report.imported.len(), report.rejected.len())?;
    Ok(())
}

/// `catalogue`.
pub(crate) async fn search(app: &Operator<'_>, args: &CatalogueArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let mut query = Query {
        text: args.query.clone(),
        ects_min: args.ects_min,
        ects_max: args.ects_max,
        limit: args.limit,
        ..Query::default()
    };
    for (facet, values) in [
        (Facet::Eqf, &args.eqf),
        (Facet::Isced, &args.isced),
        (Facet::Language, &args.language),
        (Facet::Participation, &args.participation),
        (Facet::Institution, &args.institution),
        (Facet::Country, &args.country),
        (Facet::Skill, &args.skill),
    ] {
        if !values.is_empty() {
            query.filters.insert(facet, values.clone());
        }
    }
    let result = app.search_catalogue(&query).await?;
    match args.json.json {
        true => output::json(out, &result)?,
        false => output::catalogue(out, &result)?,
    }
    Ok(())
}

/// `registry …`.
pub(crate) async fn registry(
    app: &Operator<'_>,
    command: &RegistryCommand,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    match command {
        RegistryCommand::Set { institution, qa_body, status, valid_from, valid_until, register_id } => {
            let document = AccreditationDocument {
                institution: institution.clone(),
                qa_body: qa_body.clone(),
                status: status.clone(),
                valid_from: valid_from.clone(),
                valid_until: valid_until.clone(),
                register_id: register_id.clone(),
            };
            let record = app
                .network()
                .set_accreditation(&document, now())
                .await
                .with_context(|| format!("the accreditation of {institution} was not recorded"))?;
            writeln!(
                out,
                "recorded: {} is {} by {} since {}",
                record.institution_id, record.status, record.qa_body, record.valid_from
            )?;
        }
        RegistryCommand::List(flag) => {
            let records = app.accreditations().await?;
            match flag.json {
                true => output::json(out, &records.iter().map(output::accreditation_json).collect::<Vec<_>>())?,
                false => output::accreditation_table(out, &records)?,
            }
        }
    }
    Ok(())
}

/// `trust …`.
pub(crate) async fn trust(app: &Operator<'_>, command: &TrustCommand, out: &mut impl Write) -> anyhow::Result<()> {
    match command {
        TrustCommand::Add { institution, seal_certificates } => {
            let record = app
                .network()
                .trust_institution(institution, seal_certificates, now())
                .await
                .with_context(|| format!("{institution} was not added"))?;
            writeln!(out, "{} ({}) is on the trusted-issuer list", record.id, record.name)?;
        }
        TrustCommand::Remove { id } => {
            app.network().untrust(id, now()).await.with_context(|| format!("{id} was not taken off the list"))?;
            writeln!(out, "{id} left the trusted-issuer list: credentials it issues from now on fail the trust check")?;
        }
        TrustCommand::List(flag) => {
            let list = app.trust_list_document().await?;
            match flag.json {
                true => output::json(out, &list)?,
                false => output::trust_table(out, &list)?,
            }
        }
        TrustCommand::Export => output::json(out, &app.trust_list_document().await?)?,
        TrustCommand::Import { file, network } => {
            let text = read_input(file, MAX_INPUT_BYTES)?;
            let report = app
                .network()
                .import_trust_list(&text, network, now())
                .await
                .with_context(|| format!("nothing was imported from {file}"))?;
            for (idx, reason) in &report.rejected {
                writeln!(out, "refused issuers[{idx}]: {reason}")?;
            }
            writeln!(out, "{} issuers imported from {network}, {} refused", report.imported, report.rejected.len())?;
        }
    }
    Ok(())
}
