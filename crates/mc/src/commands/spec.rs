//! The `spec` commands: a specification's life from its document to the catalogue (add, check,
//! edit, publish, withdraw), import and export, and reading the stored ones.

use std::io::Write;

use anyhow::{Context, bail};
use mc_app::{Added, Operator, SpecFormat as Format};
use mc_core::{
    quality::{QualityReport, Severity},
    wire::SpecDocument,
};

use crate::{
    cli::{SpecCommand, SpecFormat},
    input::{MAX_INPUT_BYTES, read_document, read_input},
    output,
};

/// `spec …`.
pub(super) async fn run(app: &Operator<'_>, command: &SpecCommand, out: &mut impl Write) -> anyhow::Result<()> {
    match command {
        SpecCommand::Add { file, publish: and_publish } => {
            let document = read_document::<SpecDocument>(file)?;
            let (spec, added) = app.add_spec(&document).await.with_context(|| format!("{file} was not added"))?;
            match added {
                Added::New => writeln!(out, "added specification {}: {}", spec.id(), spec.default_title())?,
                Added::Unchanged => writeln!(out, "specification {} is already stored, unchanged", spec.id())?,
            }
            if *and_publish {
                publish(app, &spec.id().to_string(), out).await?;
            }
        }
        SpecCommand::Edit { file } => edit(app, file, out).await?,
        SpecCommand::Image { id, file } => {
            let bytes = crate::input::read_bytes(&file.display().to_string(), mc_app::MAX_SPEC_IMAGE_BYTES as u64)?;
            let kind = app
                .set_spec_image(id, &bytes, app.now())
                .await
                .with_context(|| format!("the image of specification {id} was not set"))?;
            writeln!(out, "set the badge image of specification {id} ({})", kind.media_type())?;
        }
        SpecCommand::Check { spec, json } => check(app, spec, json.json, out).await?,
        SpecCommand::Publish { id } => publish(app, id, out).await?,
        SpecCommand::Withdraw { id } => {
            app.withdraw_spec(id).await.with_context(|| format!("specification {id} was not withdrawn"))?;
            writeln!(out, "withdrew specification {id} from the catalogue")?;
        }
        SpecCommand::Export { ids, format } => export(app, ids, *format, out).await?,
        SpecCommand::Import { file, format, awarding_body, publish } => {
            import(app, file, *format, awarding_body.as_deref(), *publish, out).await?
        }
        SpecCommand::List(flag) => {
            let specs = app.specs().await?;
            match flag.json {
                true => output::json(out, &specs.iter().map(SpecDocument::from).collect::<Vec<_>>())?,
                false => output::spec_table(out, &specs)?,
            }
        }
        SpecCommand::Show { id, at_version, json } => {
            let spec = match at_version {
                Some(version) => app.spec_version(id, *version).await?,
                None => app.spec(id).await?,
            };
            match json.json {
                true => output::json(out, &SpecDocument::from(&spec))?,
                false => output::spec_details(out, &spec)?,
            }
        }
    }
    Ok(())
}

fn format(format: SpecFormat) -> Format {
    match format {
        SpecFormat::Json => Format::Json,
        SpecFormat::Elm => Format::Elm,
    }
}

/// `spec check`: the report, and an error (exit 1) when it has errors.
async fn check(app: &Operator<'_>, spec: &str, json: bool, out: &mut impl Write) -> anyhow::Result<()> {
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
async fn publish(app: &Operator<'_>, id: &str, out: &mut impl Write) -> anyhow::Result<()> {
    let report =
        app.publish_spec(id, app.now()).await.with_context(|| format!("specification {id} was not published"))?;
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
async fn edit(app: &Operator<'_>, file: &str, out: &mut impl Write) -> anyhow::Result<()> {
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
async fn export(
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
async fn import(
    app: &Operator<'_>,
    file: &str,
    spec_format: SpecFormat,
    awarding_body: Option<&str>,
    publish: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let text = read_input(file, MAX_INPUT_BYTES)?;
    let report = app
        .import_specs(&text, format(spec_format), awarding_body, publish, app.now())
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

/// `microcred skills import FILE --language LANG`: ESCO's skills of one language, for the
/// specification form's picker.
pub(super) async fn import_skills(
    app: &Operator<'_>,
    file: &str,
    language: &str,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    // ESCO's file of one language is some ten megabytes.
    let text = read_input(file, 64 * 1024 * 1024)?;
    let count =
        app.import_skills(&text, language).await.with_context(|| format!("nothing was imported from {file}"))?;
    writeln!(out, "imported {count} skills with their names in {language}")?;
    Ok(())
}
