//! Issuing and what follows it: `issue` (one learner or a cohort), reading issued credentials
//! (`credential`), the issuer's keys and DID document (`issuer`), `revoke`, `suspend` and
//! `unsuspend`, and publishing the status lists (`status publish`) to the data directory.

use std::{io::Write, path::Path};

use anyhow::Context;
use mc_app::{Added, CohortEvent, IssueRequest, LearnerRef, Operator, StateChange, parse_cohort};

use crate::{
    cli::{CredentialCommand, IssueArgs, IssuerCommand},
    config,
    input::read_input,
    output, progress,
};

/// `revoke`, `suspend` and `unsuspend`.
pub(super) async fn change_state(
    app: &Operator<'_>,
    data: &Path,
    id: &str,
    change: StateChange<'_>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let (refused, done) = match change {
        StateChange::Revoke(_) => ("nothing was revoked", format!("revoked credential {id}")),
        StateChange::Suspend => ("nothing was suspended", format!("suspended credential {id}")),
        StateChange::Unsuspend => ("nothing was unsuspended", format!("lifted the suspension of credential {id}")),
    };
    let change = app.change_state(id, change, app.now()).await.context(refused)?;
    publish_lists(app, data, &change.lists).await?;
    writeln!(out, "{done}")?;
    Ok(())
}

/// `status publish`.
pub(super) async fn publish_status(app: &Operator<'_>, data: &Path, out: &mut impl Write) -> anyhow::Result<()> {
    let ids = app.status_list_ids().await?;
    publish_lists(app, data, &ids).await?;
    writeln!(out, "published {} status lists to {}", ids.len(), config::status_dir(data).display())?;
    Ok(())
}

/// Rebuilds, signs and writes the status list credentials `ids` to the data directory, each
/// replaced in one step so a reader never sees half a file.
async fn publish_lists(app: &Operator<'_>, data: &Path, ids: &[String]) -> anyhow::Result<()> {
    let dir = config::status_dir(data);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for id in ids {
        let credential = app
            .status_list_credential(id, app.now())
            .await
            .with_context(|| format!("status list {id} was not published"))?;
        let path = dir.join(format!("{id}.json"));
        let partial = dir.join(format!(".{id}.json.partial"));
        std::fs::write(&partial, serde_json::to_string_pretty(&credential)?)
            .with_context(|| format!("cannot write {}", partial.display()))?;
        std::fs::rename(&partial, &path).with_context(|| format!("cannot replace {}", path.display()))?;
    }
    Ok(())
}

/// `issue`.
pub(super) async fn issue(
    app: &Operator<'_>,
    data: &Path,
    args: &IssueArgs,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    if let Some(cohort) = &args.cohort {
        return issue_cohort(app, data, args, cohort, out).await;
    }
    let learner = args.learner.as_deref().expect("clap requires --learner or --cohort");
    let request = IssueRequest {
        spec: &args.spec,
        learner: match &args.name {
            Some(name) => LearnerRef::Named { email: learner, name },
            None => LearnerRef::IdOrEmail(learner),
        },
        suite: args.suite.into(),
        format: args.format.into(),
        cohort_key: None,
        idempotency_key: args.idempotency_key.as_deref(),
        grade: args.grade.as_deref(),
        now: app.now(),
    };
    let (issued, added) = app.issue(&request).await.context("nothing was issued")?;
    match added {
        Added::Unchanged => {
            eprintln!("note: {learner} was already issued this credential ({}); it was not issued again", issued.id());
        }
        Added::New => {
            let lists = app.status_lists_of(&issued).await?;
            publish_lists(app, data, &lists).await?;
        }
    }
    match &args.output {
        Some(path) => {
            let mut written = vec![path.clone()];
            write_json(path, issued.document())?;
            if let (Some(sealed), Some(_)) = (issued.sealed_edc(), issued.open_badge()) {
                written.push(edc_path(path));
                write_json(&written[1], sealed)?;
            }
            let files: Vec<String> = written.iter().map(|path| path.display().to_string()).collect();
            writeln!(out, "issued credential {} to {}", issued.id(), files.join(" and "))?;
        }
        None => output::json(out, &issued_json(&issued))?,
    }
    Ok(())
}

/// What a credential was issued as: its document, or, issued in both formats, both of them
/// (`open_badge`, `european_digital_credential`).
fn issued_json(issued: &mc_app::IssuedCredential) -> serde_json::Value {
    match (issued.open_badge(), issued.sealed_edc()) {
        (Some(badge), Some(sealed)) => serde_json::json!({"open_badge": badge, "european_digital_credential": sealed}),
        _ => serde_json::Value::Object(issued.document().clone()),
    }
}

/// Where the EDC of a credential issued in both formats goes, beside `path`: `x.json` →
/// `x.edc.json`.
fn edc_path(path: &Path) -> std::path::PathBuf {
    let stem = path.file_stem().map(|stem| stem.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!("{stem}.edc.json"))
}

fn write_json(path: &Path, document: &serde_json::Map<String, serde_json::Value>) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(document)?;
    std::fs::write(path, format!("{text}\n")).with_context(|| format!("cannot write {}", path.display()))
}

async fn issue_cohort(
    app: &Operator<'_>,
    data: &Path,
    args: &IssueArgs,
    file: &Path,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let name = file.display().to_string();
    let text = read_input(&name, 512 * 1024 * 1024)?;
    let json = file.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("json"));
    let rows = parse_cohort(&text, json).with_context(|| format!("{name} was not read; nothing was issued"))?;
    let cohort_key = match &args.cohort_key {
        Some(key) => key.clone(),
        None => file.file_stem().map(|stem| stem.to_string_lossy().into_owned()).unwrap_or_default(),
    };
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let request = IssueRequest {
        spec: &args.spec,
        learner: LearnerRef::IdOrEmail(""),
        suite: args.suite.into(),
        format: args.format.into(),
        cohort_key: Some(&cohort_key),
        idempotency_key: None,
        grade: None,
        now: app.now(),
    };
    let progress = progress::Progress::new(rows.len() as u64, &cohort_key);
    let mut write_error = None;
    let mut on_row = |event: CohortEvent<'_>| {
        let issued = match event {
            CohortEvent::Issued(issued) | CohortEvent::Skipped(issued) => issued,
            CohortEvent::Rejected { line, message } => {
                progress.println(&format!("{name}:{line}: rejected: {message}"));
                progress.advance();
                return;
            }
        };
        if let Some(dir) = &args.out {
            let path = dir.join(format!("{}.json", issued.id()));
            let mut written = write_json(&path, issued.document());
            if let (Some(sealed), Some(_), Ok(())) = (issued.sealed_edc(), issued.open_badge(), &written) {
                written = write_json(&edc_path(&path), sealed);
            }
            if let Err(err) = written {
                write_error.get_or_insert(format!("{err:#}"));
            }
        }
        progress.advance();
    };
    let summary = app.issue_cohort(&request, &rows, &mut on_row).await;
    progress.finish();
    let summary = summary.context("the cohort run stopped; run it again to carry on where it stopped")?;
    let lists: Vec<String> = summary.lists.iter().cloned().collect();
    publish_lists(app, data, &lists).await?;
    writeln!(
        out,
        "cohort {cohort_key}: issued {}, skipped {} (already issued), rejected {}",
        summary.issued,
        summary.skipped,
        summary.rejected.len()
    )?;
    if let Some(err) = write_error {
        anyhow::bail!("{err}");
    }
    if !summary.rejected.is_empty() {
        anyhow::bail!(
            "{} rows of {name} were rejected (see above); fix them and run the cohort again",
            summary.rejected.len()
        );
    }
    Ok(())
}

/// `credential …`.
pub(super) async fn credential(
    app: &Operator<'_>,
    command: &CredentialCommand,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    match command {
        CredentialCommand::List { learner, spec, json } => {
            let credentials = app.credentials(None, learner.as_deref(), spec.as_deref()).await?;
            match json.json {
                true => output::json(out, &credentials.iter().map(issued_json).collect::<Vec<_>>())?,
                false => output::credential_table(out, &credentials)?,
            }
        }
        CredentialCommand::Show { id } => output::json(out, &issued_json(&app.credential(id).await?))?,
    }
    Ok(())
}

/// `issuer …`.
pub(super) async fn issuer(app: &Operator<'_>, command: &IssuerCommand, out: &mut impl Write) -> anyhow::Result<()> {
    match command {
        IssuerCommand::RotateKey { institution } => {
            let key = app.rotate_issuer_key(institution, app.now()).await.context("no key was rotated")?;
            writeln!(out, "{institution} now signs with {} ({})", key.id, key.public_key)?;
        }
        IssuerCommand::DidDocument { institution } => output::json(out, &app.did_document(institution).await?)?,
        IssuerCommand::SealImport { institution, key, certificate, pkcs12 } => {
            let seal = match (key, certificate, pkcs12) {
                (_, _, Some(pkcs12)) => {
                    let mut password = zeroize::Zeroizing::new(String::new());
                    std::io::stdin().read_line(&mut password).context("cannot read the password")?;
                    crate::input::read_seal_pkcs12(pkcs12, password.trim_end_matches(['\r', '\n']))
                }
                (Some(key), Some(certificate), None) => crate::input::read_seal_pem(key, certificate),
                _ => unreachable!("clap requires --key and --certificate, or --pkcs12"),
            };
            let seal = seal.context("no seal was imported")?;
            let info = app.import_seal_key(institution, seal, app.now()).await.context("no seal was imported")?;
            writeln!(out, "{institution} now seals with {} (SHA-256 {})", info.name, info.fingerprint)?;
        }
        IssuerCommand::TestSeal { institution } => {
            let info = app.make_test_seal(institution, app.now()).await.context("no test seal was made")?;
            writeln!(
                out,
                "{institution} now seals with the test seal {} (SHA-256 {}), valid until {}; no verifier trusts it \
                 unless told to",
                info.name, info.fingerprint, info.not_after
            )?;
        }
        IssuerCommand::Seal { institution, json } => match app.seal_info(institution).await? {
            None => anyhow::bail!(
                "{institution} has no seal: import one with `microcred issuer seal-import`, or make a test seal with \
                 `microcred issuer test-seal`"
            ),
            Some(info) => match json.json {
                true => output::json(
                    out,
                    &serde_json::json!({
                        "institution": info.institution.as_str(),
                        "certificate": info.name,
                        "organization_identifier": info.organization_identifier,
                        "issuer": info.issuer,
                        "not_before": info.not_before.to_rfc3339(),
                        "not_after": info.not_after.to_rfc3339(),
                        "test_seal": info.test_seal,
                        "sha256": info.fingerprint,
                        "algorithm": info.algorithm,
                    }),
                )?,
                false => {
                    let kind = if info.test_seal { " (a test seal, never a real one)" } else { "" };
                    writeln!(out, "{}{kind}", info.name)?;
                    writeln!(
                        out,
                        "  organisation identifier  {}",
                        info.organization_identifier.as_deref().unwrap_or("-")
                    )?;
                    writeln!(out, "  issued by                {}", info.issuer)?;
                    writeln!(out, "  valid                    {} to {}", info.not_before, info.not_after)?;
                    writeln!(out, "  seals with               {}", info.algorithm)?;
                    writeln!(out, "  SHA-256                  {}", info.fingerprint)?;
                }
            },
        },
    }
    Ok(())
}
