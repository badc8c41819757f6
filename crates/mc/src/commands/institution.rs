//! The `institution` commands: registering institutions and reading them.

use std::io::Write;

use anyhow::Context;
use mc_app::{Added, Operator};
use mc_core::wire::InstitutionDocument;

use crate::{
    cli::{InstitutionAddArgs, InstitutionCommand},
    input::read_document,
    output,
};

/// `institution …`.
pub(super) async fn run(app: &Operator<'_>, command: &InstitutionCommand, out: &mut impl Write) -> anyhow::Result<()> {
    match command {
        InstitutionCommand::Add(args) => {
            let (document, source) = match &args.file {
                Some(path) => (read_document::<InstitutionDocument>(path)?, path.as_str()),
                None => (institution_from_flags(args), "the institution"),
            };
            let (institution, added) =
                app.add_institution(&document).await.with_context(|| format!("{source} was not added"))?;
            match added {
                Added::New => writeln!(out, "added institution {}", institution.id())?,
                Added::Unchanged => writeln!(out, "institution {} is already registered, unchanged", institution.id())?,
            }
        }
        InstitutionCommand::List(flag) => {
            let institutions = app.institutions().await?;
            match flag.json {
                true => output::json(out, &institutions.iter().map(InstitutionDocument::from).collect::<Vec<_>>())?,
                false => output::institution_table(out, &institutions)?,
            }
        }
        InstitutionCommand::Show { id, json } => {
            let institution = app.institution(id).await?;
            match json.json {
                true => output::json(out, &InstitutionDocument::from(&institution))?,
                false => output::institution_details(out, &institution)?,
            }
        }
    }
    Ok(())
}

fn institution_from_flags(args: &InstitutionAddArgs) -> InstitutionDocument {
    InstitutionDocument {
        id: args.id.clone(),
        name: args.name.clone().map(|name| [(args.name_lang.clone(), name)].into()),
        country: args.country.clone(),
        legal_identifier: args.legal_id.clone(),
        website: args.website.clone(),
        did: args.did.clone(),
    }
}
