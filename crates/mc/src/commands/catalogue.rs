//! The `catalogue` command: searching the published specifications, with facets.

use std::io::Write;

use mc_app::Operator;
use mc_catalogue::{Facet, Query};

use crate::{cli::CatalogueArgs, output};

/// `catalogue`.
pub(super) async fn search(app: &Operator<'_>, args: &CatalogueArgs, out: &mut impl Write) -> anyhow::Result<()> {
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
        (Facet::Recognised, &args.recognised),
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
