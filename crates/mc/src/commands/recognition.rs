//! Recognition: `agreement` (store, sign, end, list, show) and `recognize` (explained proposals
//! for credentials, each verified first).

use std::{io::Write, path::PathBuf};

use anyhow::Context;
use mc_app::{Format, Operator, parse_document};
use mc_core::recognition::AgreementDocument;
use mc_vc::verify::Verification;
use serde_json::Value;

use crate::{
    cli::{AgreementCommand, PathwayCommand},
    input::read_input,
    output,
};

/// The most bytes an agreement file or a credential file may have.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// `agreement …`.
pub(super) async fn agreement(
    app: &Operator<'_>,
    command: &AgreementCommand,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    match command {
        AgreementCommand::Add { file, by } => {
            let text = read_input(file, MAX_FILE_BYTES)?;
            let format = Format::from_extension(file).unwrap_or_else(|| Format::sniff(&text));
            let document: AgreementDocument =
                parse_document(&text, format).with_context(|| format!("{file} was not read; nothing was stored"))?;
            let stored =
                app.add_agreement(&document, by, app.now()).await.with_context(|| format!("{file} was not stored"))?;
            let parties: Vec<&str> = stored.agreement.parties.iter().map(|party| party.as_str()).collect();
            writeln!(
                out,
                "stored agreement {} version {}; it is in force once {} have signed it",
                stored.agreement.id,
                stored.version,
                parties.join(", ")
            )?;
        }
        AgreementCommand::Sign { id, institution, by } => {
            let stored =
                app.sign_agreement(id, institution, by, app.now()).await.context("the agreement was not signed")?;
            let waiting: Vec<&str> = stored
                .signatures
                .iter()
                .filter(|(_, signed)| signed.is_none())
                .map(|(party, _)| party.as_str())
                .collect();
            match waiting.is_empty() {
                true => {
                    writeln!(out, "{institution} signed agreement {id} version {}; it is in force", stored.version)?
                }
                false => writeln!(
                    out,
                    "{institution} signed agreement {id} version {}; still to sign: {}",
                    stored.version,
                    waiting.join(", ")
                )?,
            }
        }
        AgreementCommand::End { id, institution, by } => {
            app.end_agreement(id, institution, by, app.now()).await.context("the agreement was not ended")?;
            writeln!(out, "{institution} ended agreement {id}; decisions already made stand")?;
        }
        AgreementCommand::List(json) => {
            let agreements = app.agreements().await?;
            match json.json {
                true => output::json(out, &agreements.iter().map(mc_app::agreement_json).collect::<Vec<_>>())?,
                false => {
                    for stored in &agreements {
                        writeln!(
                            out,
                            "{}  version {}  {}  {}",
                            stored.agreement.id,
                            stored.version,
                            stored.state(),
                            stored.agreement.title.iter().next().map(|(_, title)| title).unwrap_or_default()
                        )?;
                    }
                }
            }
        }
        AgreementCommand::Show { id, at_version, json } => {
            let stored = app.agreement(id, *at_version).await?;
            match json.json {
                true => output::json(out, &mc_app::agreement_json(&stored))?,
                false => output::json(out, &stored.document)?,
            }
        }
    }
    Ok(())
}

/// `recognize FILE... --institution ID`.
pub(super) async fn recognize(
    app: &Operator<'_>,
    files: &[PathBuf],
    institution: &str,
    as_json: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut texts = Vec::new();
    for file in files {
        texts.push(read_input(&file.display().to_string(), MAX_FILE_BYTES)?);
    }
    let results = app.recognize(institution, &texts, app.now()).await.context("nothing was proposed")?;
    if as_json {
        let answers: Vec<Value> = files
            .iter()
            .zip(&results)
            .map(|(file, (verification, outcome))| {
                let mut answer = mc_app::recognition_json(verification, outcome);
                answer["file"] = file.display().to_string().into();
                answer
            })
            .collect();
        return Ok(output::json(out, &answers)?);
    }
    for (file, (verification, outcome)) in files.iter().zip(&results) {
        writeln!(out, "{} ({}): verification {}", file.display(), outcome.credential, verdict(verification))?;
        if let Some(refused) = &outcome.refused {
            writeln!(out, "  not considered: {refused}")?;
            continue;
        }
        for proposal in &outcome.proposals {
            writeln!(
                out,
                "  proposed: {} under agreement {} (version {}), rule {}",
                mc_app::grant_words(&proposal.grant, proposal.ects),
                proposal.agreement,
                proposal.version,
                proposal.rule
            )?;
        }
        if outcome.proposals.is_empty() {
            writeln!(out, "  nothing is proposed")?;
        }
        for tried in &outcome.tried {
            let result = if tried.matched { "matches" } else { "does not match" };
            writeln!(out, "  rule {} of {} {result}:", tried.rule, tried.agreement)?;
            for check in &tried.checks {
                writeln!(out, "    {} {}", if check.held { "✓" } else { "✗" }, check.said)?;
            }
            if let Some(note) = &tried.note {
                writeln!(out, "    but: {note}")?;
            }
        }
    }
    Ok(())
}

fn verdict(verification: &Verification) -> &'static str {
    match verification.verdict {
        mc_vc::verify::Verdict::Valid => "valid",
        mc_vc::verify::Verdict::Invalid => "invalid",
        mc_vc::verify::Verdict::Indeterminate => "indeterminate",
    }
}

/// `pathway check|add|list|progress|issue`.
pub(super) async fn pathway(app: &Operator<'_>, command: &PathwayCommand, out: &mut impl Write) -> anyhow::Result<()> {
    match command {
        PathwayCommand::Check { pathway, files, json } => {
            let text = read_input(pathway, MAX_FILE_BYTES)?;
            let document = read_pathway(pathway, &text)?;
            let pathway = document.parse().with_context(|| format!("{pathway} is not a valid pathway"))?;
            let mut texts = Vec::new();
            for file in files {
                texts.push(read_input(&file.display().to_string(), MAX_FILE_BYTES)?);
            }
            let (_, progress) = app.pathway_progress(&pathway, &texts, app.now()).await?;
            print_progress(&pathway, &progress, &[], json.json, out)
        }
        PathwayCommand::Add { file, by } => {
            let text = read_input(file, MAX_FILE_BYTES)?;
            let document = read_pathway(file, &text)?;
            let stored = app.add_pathway(&document, by, app.now()).await.context("nothing was stored")?;
            writeln!(out, "stored pathway {} of {}", stored.pathway.id, stored.pathway.institution)?;
            Ok(())
        }
        PathwayCommand::List { json } => {
            let pathways = app.pathways().await?;
            if json.json {
                let documents: Vec<_> = pathways.iter().map(|stored| &stored.document).collect();
                return Ok(output::json(out, &documents)?);
            }
            for stored in &pathways {
                let title = stored.pathway.title.iter().next().map(|(_, title)| title).unwrap_or_default();
                writeln!(
                    out,
                    "{}\t{}\t{title}\t{} ECTS",
                    stored.pathway.id, stored.pathway.institution, stored.pathway.min_ects
                )?;
            }
            Ok(())
        }
        PathwayCommand::Progress { pathway, learner, json } => {
            let learner = app.as_learner(learner).await?;
            let standing = learner
                .pathways("en")
                .await?
                .into_iter()
                .find(|standing| standing.pathway.pathway.id == *pathway)
                .ok_or_else(|| mc_app::AppError::NotFound { what: "pathway", id: pathway.clone() })?;
            print_progress(&standing.pathway.pathway, &standing.progress, &standing.suggestions, json.json, out)
        }
        PathwayCommand::Issue { pathway, learner, format, output } => {
            let stacked = app.issue_stacked(pathway, learner, app.now()).await.context("nothing was issued")?;
            let document = match (format.as_str(), &stacked.edc) {
                ("edc", Some(sealed)) => sealed,
                ("edc", None) => anyhow::bail!(
                    "stacked credential {} has no European Digital Credential: its institution has no seal, or a part \
                     was awarded by an institution not registered here",
                    stacked.id
                ),
                _ => &stacked.document,
            };
            let text = serde_json::to_string_pretty(document)?;
            match output {
                Some(path) => {
                    std::fs::write(path, format!("{text}\n"))
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    writeln!(out, "issued stacked credential {} in {}", stacked.id, path.display())?;
                }
                None => writeln!(out, "{text}")?,
            }
            Ok(())
        }
    }
}

fn read_pathway(path: &str, text: &str) -> anyhow::Result<mc_core::stacking::PathwayDocument> {
    let format = Format::from_extension(path).unwrap_or_else(|| Format::sniff(text));
    parse_document(text, format).with_context(|| format!("{path} was not read"))
}

fn print_progress(
    pathway: &mc_core::stacking::Pathway,
    progress: &mc_core::stacking::Progress,
    suggestions: &[mc_app::Suggestion],
    json: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let title = pathway.title.iter().next().map(|(_, title)| title).unwrap_or_default();
    if json {
        return Ok(output::json(
            out,
            &serde_json::json!({
                "pathway": pathway.id,
                "complete": progress.complete,
                "ects": progress.ects.0,
                "ects_needed": progress.ects.1,
                "counted": progress.counted.iter().map(|(id, ects)| serde_json::json!({"credential": id, "ects": ects})).collect::<Vec<_>>(),
                "not_counted": progress.not_counted.iter().map(|(id, why)| serde_json::json!({"credential": id, "why": why.to_string()})).collect::<Vec<_>>(),
                "missing_skills": progress.missing_skills,
                "suggestions": suggestions.iter().map(|found| serde_json::json!({"spec": found.spec.to_string(), "title": found.title, "ects": found.ects, "teaches_missing_skill": found.teaches_missing})).collect::<Vec<_>>(),
            }),
        )?);
    }
    let state = if progress.complete { "complete" } else { "not complete yet" };
    writeln!(out, "{title} ({}): {state}: {} of {} ECTS", pathway.id, progress.ects.0, progress.ects.1)?;
    for (id, ects) in &progress.counted {
        writeln!(out, "  counts: {id} ({ects} ECTS)")?;
    }
    for (id, why) in &progress.not_counted {
        writeln!(out, "  does not count: {id}: {why}")?;
    }
    for skill in &progress.missing_skills {
        writeln!(out, "  missing skill: {skill}")?;
    }
    for found in suggestions {
        let ects = found.ects.map(|ects| format!(" ({ects} ECTS)")).unwrap_or_default();
        writeln!(out, "  would count: {} {}{ects}", found.spec, found.title)?;
    }
    Ok(())
}

/// `recognize FILE --institution ID --accept|--reject … --by WHO [-o FILE]`.
pub(super) async fn decide(
    app: &Operator<'_>,
    files: &[PathBuf],
    institution: &str,
    decision: mc_app::Decision<'_>,
    by: &str,
    output: Option<&std::path::Path>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let [file] = files else { anyhow::bail!("a decision is about one credential: give one FILE") };
    let text = read_input(&file.display().to_string(), MAX_FILE_BYTES)?;
    let made =
        app.decide_recognition(institution, &text, decision, by, app.now()).await.context("nothing was decided")?;
    match (&made.credential, output) {
        (Some(credential), Some(path)) => {
            let text = serde_json::to_string_pretty(credential)?;
            std::fs::write(path, format!("{text}\n")).with_context(|| format!("cannot write {}", path.display()))?;
            writeln!(
                out,
                "accepted: {} (decision {}); the decision credential is in {}",
                made.granted.as_deref().unwrap_or_default(),
                made.id,
                path.display()
            )?;
        }
        (Some(credential), None) => output::json(out, credential)?,
        (None, _) => writeln!(out, "rejected (decision {}); the reason is kept with the decision", made.id)?,
    }
    Ok(())
}
