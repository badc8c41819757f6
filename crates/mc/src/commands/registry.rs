//! The network administrator's commands: the `registry` of institutions' accreditation and the
//! `trust`ed-issuer list.

use std::io::Write;

use anyhow::Context;
use mc_app::{AccreditationDocument, Operator};

use crate::{
    cli::{RegistryCommand, TrustCommand},
    input::{MAX_INPUT_BYTES, read_input},
    output,
};

/// `registry …`.
pub(super) async fn registry(
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
                .set_accreditation(&document, app.now())
                .await
                .with_context(|| format!("the accreditation of {institution} was not recorded"))?;
            writeln!(
                out,
                "recorded: {} is {} by {} since {}",
                record.institution,
                record.status.as_str(),
                record.qa_body,
                record.valid_from
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
pub(super) async fn trust(app: &Operator<'_>, command: &TrustCommand, out: &mut impl Write) -> anyhow::Result<()> {
    match command {
        TrustCommand::Add { institution, seal_certificates } => {
            let record = app
                .network()
                .trust_institution(institution, seal_certificates, app.now())
                .await
                .with_context(|| format!("{institution} was not added"))?;
            let name = record.name.as_deref().unwrap_or(&record.id);
            writeln!(out, "{} ({name}) is on the trusted-issuer list", record.id)?;
        }
        TrustCommand::Remove { id } => {
            app.network().untrust(id, app.now()).await.with_context(|| format!("{id} was not taken off the list"))?;
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
                .import_trust_list(&text, network, app.now())
                .await
                .with_context(|| format!("nothing was imported from {file}"))?;
            for (idx, reason) in &report.rejected {
                writeln!(out, "refused issuers[{idx}]: {reason}")?;
            }
            for id in &report.left {
                writeln!(out, "left the list: {id} (no longer on {network}'s list)")?;
            }
            writeln!(out, "{} issuers imported from {network}, {} refused", report.imported, report.rejected.len())?;
        }
    }
    Ok(())
}
