//! Runs each subcommand: reads its input, calls one use case, prints the result.

mod bench;
mod catalogue;
mod registry;
mod serve;
mod spec;
mod verify;

use std::{io::Write, process::ExitCode};

use anyhow::Context;
use mc_app::{Added, App, CohortEvent, IssueRequest, LearnerRef, Operator, StateChange, parse_cohort};
use mc_core::wire::{InstitutionDocument, LearnerDocument};

use crate::{
    cli::{
        AuditCommand, Cli, Command, CredentialCommand, InstitutionAddArgs, InstitutionCommand, IssueArgs,
        IssuerCommand, LearnerCommand, StaffCommand, StatusCommand, TokenCommand,
    },
    clock,
    config::{self, Create},
    input::{read_document, read_input},
    output, progress,
};

pub(crate) async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // These work on files alone and need no database.
    match &cli.command {
        Command::Key(command) => return verify::key(command).map(|()| ExitCode::SUCCESS),
        Command::Sign(args) => return verify::sign(args).map(|()| ExitCode::SUCCESS),
        Command::Verify(args) => return verify::verify(args, local_material(&cli).await),
        Command::Bench(command) => {
            return bench::run(command, cli.database_url.as_deref()).await.map(|()| ExitCode::SUCCESS);
        }
        _ => {}
    }
    let create = match cli.command {
        Command::Init | Command::Demo | Command::Serve(_) => Create::Yes,
        _ => Create::No,
    };
    let url = config::database_url(&cli.data, cli.database_url.as_deref(), create)?;
    let mut app = App::open(&url).await?.with_public_url(&cli.public_url);
    if let Some(vault) = config::load_vault(&cli.data, create)? {
        app = app.with_vault(vault);
    }
    let res = run_command(&app, &cli).await;
    app.close().await;
    res.map(|()| ExitCode::SUCCESS)
}

/// The DID documents of this microcred's institutions, when there is a database to read them
/// from, and its published status lists: verification uses them without a network.
async fn local_material(cli: &Cli) -> mc_app::LocalMaterial {
    let published = config::published_status_lists(&cli.data);
    let Ok(url) = config::database_url(&cli.data, cli.database_url.as_deref(), Create::No) else {
        return mc_app::LocalMaterial { status_lists: published, ..Default::default() };
    };
    let Ok(app) = App::open(&url).await else {
        return mc_app::LocalMaterial { status_lists: published, ..Default::default() };
    };
    let mut app = app.with_public_url(&cli.public_url);
    if let Ok(Some(vault)) = config::load_vault(&cli.data, Create::No) {
        app = app.with_vault(vault);
    }
    let did_documents = app.did_documents().await.unwrap_or_default();
    let trusted = app.trust_anchors().await.unwrap_or_default();
    // The database says what is revoked now; published files may predate a change made by a
    // server. Files are used for the lists the database cannot sign.
    let mut status_lists = Vec::new();
    for id in app.status_list_ids().await.unwrap_or_default() {
        if let Ok(list) = app.status_list_credential(&id, clock::now()).await {
            status_lists.push(list);
        }
    }
    let list_id = |list: &serde_json::Map<String, serde_json::Value>| {
        list.get("id").and_then(|id| id.as_str()).map(str::to_owned)
    };
    let fresh: std::collections::HashSet<String> = status_lists.iter().filter_map(list_id).collect();
    status_lists.extend(published.into_iter().filter(|list| list_id(list).is_none_or(|id| !fresh.contains(&id))));
    app.close().await;
    mc_app::LocalMaterial { did_documents, status_lists, trusted, ..Default::default() }
}

async fn run_command(app: &App, cli: &Cli) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let operator = app.operator();
    let app = &operator;
    match &cli.command {
        Command::Init => {
            writeln!(out, "microcred is ready: {}", config::describe(&cli.data, cli.database_url.as_deref()))?;
        }
        Command::Demo => {
            let summary = app.load_demo(clock::now()).await?;
            writeln!(out, "{}", output::demo_summary(&summary))?;
        }
        Command::Institution(command) => institution(app, command, &mut out).await?,
        Command::Spec(command) => spec::run(app, command, &mut out).await?,
        Command::Learner(command) => learner(app, command, &mut out).await?,
        Command::Serve(args) => {
            drop(out);
            serve::run(App::clone(app), args).await?;
        }
        Command::Issue(args) => issue(app, cli, args, &mut out).await?,
        Command::Revoke { id, reason } => {
            let change =
                app.change_state(id, StateChange::Revoke(reason), clock::now()).await.context("nothing was revoked")?;
            publish_lists(app, cli, &change.lists).await?;
            writeln!(out, "revoked credential {id}")?;
        }
        Command::Suspend { id } => {
            let change =
                app.change_state(id, StateChange::Suspend, clock::now()).await.context("nothing was suspended")?;
            publish_lists(app, cli, &change.lists).await?;
            writeln!(out, "suspended credential {id}")?;
        }
        Command::Unsuspend { id } => {
            let change =
                app.change_state(id, StateChange::Unsuspend, clock::now()).await.context("nothing was unsuspended")?;
            publish_lists(app, cli, &change.lists).await?;
            writeln!(out, "lifted the suspension of credential {id}")?;
        }
        Command::Token(command) => token(app, command, &mut out).await?,
        Command::Catalogue(args) => catalogue::search(app, args, &mut out).await?,
        Command::Registry(command) => registry::registry(app, command, &mut out).await?,
        Command::Trust(command) => registry::trust(app, command, &mut out).await?,
        Command::Staff(StaffCommand::Add { institution, email, name, role }) => {
            let mut password = String::new();
            std::io::stdin().read_line(&mut password).context("cannot read the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']);
            let role = mc_app::Role::parse(role)?;
            let staff = app.add_staff(institution, email, name, role, password, clock::now()).await?;
            writeln!(
                out,
                "added staff member {} ({}, {}) to {}",
                staff.email, staff.id, staff.role, staff.institution_id
            )?;
        }
        Command::Audit(AuditCommand::Verify) => match app.verify_audit().await? {
            Ok(entries) => writeln!(out, "the audit log is intact: {entries} entries, each chained to the one before")?,
            Err(broken) => anyhow::bail!("the audit log has been tampered with: {broken}"),
        },
        Command::Audit(AuditCommand::List(flag)) => {
            let entries = app.audit_entries().await?;
            match flag.json {
                true => {
                    let entries: Vec<serde_json::Value> = entries
                        .iter()
                        .map(|entry| {
                            serde_json::json!({"seq": entry.seq, "at": entry.at, "action": entry.action, "subject": entry.subject,
                                "details": serde_json::from_str::<serde_json::Value>(&entry.details).unwrap_or_default(), "hash": entry.hash})
                        })
                        .collect();
                    output::json(&mut out, &entries)?;
                }
                false => {
                    for entry in entries {
                        writeln!(
                            out,
                            "{:>6}  {}  {:<20} {}  {}",
                            entry.seq, entry.at, entry.action, entry.subject, entry.details
                        )?;
                    }
                }
            }
        }
        Command::Status(StatusCommand::Publish) => {
            let ids = app.status_list_ids().await?;
            publish_lists(app, cli, &ids).await?;
            writeln!(out, "published {} status lists to {}", ids.len(), config::status_dir(&cli.data).display())?;
        }
        Command::Credential(command) => credential(app, command, &mut out).await?,
        Command::Issuer(command) => issuer(app, command, &mut out).await?,
        Command::Key(_) | Command::Sign(_) | Command::Verify(_) | Command::Bench(_) => {
            unreachable!("handled before the database is opened")
        }
    }
    Ok(())
}

async fn institution(app: &Operator<'_>, command: &InstitutionCommand, out: &mut impl Write) -> anyhow::Result<()> {
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

async fn learner(app: &Operator<'_>, command: &LearnerCommand, out: &mut impl Write) -> anyhow::Result<()> {
    match command {
        LearnerCommand::Add { name, email, did } => {
            let document =
                LearnerDocument { id: None, name: Some(name.clone()), email: Some(email.clone()), did: did.clone() };
            let learner = app.add_learner(&document).await.context("the learner was not added")?;
            writeln!(out, "added learner {} <{}>", learner.id(), learner.email())?;
        }
        LearnerCommand::List(flag) => {
            let learners = app.learners().await?;
            match flag.json {
                true => output::json(out, &learners.iter().map(LearnerDocument::from).collect::<Vec<_>>())?,
                false => output::learner_table(out, &learners)?,
            }
        }
    }
    Ok(())
}

async fn token(app: &Operator<'_>, command: &TokenCommand, out: &mut impl Write) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create { institution, role, network_admin: _, label } => {
            let token = match (institution, role) {
                (Some(institution), Some(role)) => {
                    let role = mc_app::Role::parse(role)?;
                    app.acting_for(institution).await?.create_token(role, label, clock::now()).await?
                }
                _ => app.create_network_token(label, clock::now()).await?,
            };
            eprintln!(
                "created API token {} ({}) for {}; its secret is shown this once:",
                token.record.id,
                token.record.role,
                token.record.institution_id.as_deref().unwrap_or("the network")
            );
            writeln!(out, "{}", token.secret)?;
        }
        TokenCommand::List { institution, network_admin: _, json } => {
            let tokens = match institution {
                Some(institution) => app.acting_for(institution).await?.tokens().await?,
                None => app.network_tokens().await?,
            };
            match json {
                true => {
                    let tokens: Vec<serde_json::Value> = tokens
                        .iter()
                        .map(|token| {
                            serde_json::json!({"id": token.id, "institution": token.institution_id, "role": token.role,
                                "label": token.label, "created_at": token.created_at, "revoked_at": token.revoked_at})
                        })
                        .collect();
                    writeln!(out, "{}", serde_json::to_string_pretty(&tokens)?)?;
                }
                false => output::token_table(out, &tokens)?,
            }
        }
        TokenCommand::Revoke { id } => {
            let token = app.revoke_token(id, clock::now()).await?;
            let owner = token.institution_id.as_deref().unwrap_or("the network");
            writeln!(out, "revoked API token {} of {owner}", token.id)?;
        }
    }
    Ok(())
}

/// Rebuilds, signs and writes the status list credentials `ids` to the data directory, each
/// replaced in one step so a reader never sees half a file.
async fn publish_lists(app: &Operator<'_>, cli: &Cli, ids: &[String]) -> anyhow::Result<()> {
    let dir = config::status_dir(&cli.data);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for id in ids {
        let credential = app
            .status_list_credential(id, clock::now())
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

async fn issue(app: &Operator<'_>, cli: &Cli, args: &IssueArgs, out: &mut impl Write) -> anyhow::Result<()> {
    if let Some(cohort) = &args.cohort {
        return issue_cohort(app, cli, args, cohort, out).await;
    }
    let learner = args.learner.as_deref().expect("clap requires --learner or --cohort");
    let request = IssueRequest {
        spec: &args.spec,
        learner: match &args.name {
            Some(name) => LearnerRef::Named { email: learner, name },
            None => LearnerRef::IdOrEmail(learner),
        },
        suite: args.suite.into(),
        cohort_key: None,
        idempotency_key: args.idempotency_key.as_deref(),
        grade: args.grade.as_deref(),
        now: clock::now(),
    };
    let (issued, added) = app.issue(&request).await.context("nothing was issued")?;
    match added {
        Added::Unchanged => {
            eprintln!("note: {learner} was already issued this credential ({}); it was not issued again", issued.id());
        }
        Added::New => {
            let lists = app.status_lists_of(&issued).await?;
            publish_lists(app, cli, &lists).await?;
        }
    }
    let text = serde_json::to_string_pretty(issued.document())?;
    match &args.output {
        Some(path) => {
            std::fs::write(path, format!("{text}\n")).with_context(|| format!("cannot write {}", path.display()))?;
            writeln!(out, "issued credential {} to {}", issued.id(), path.display())?;
        }
        None => writeln!(out, "{text}")?,
    }
    Ok(())
}

async fn issue_cohort(
    app: &Operator<'_>,
    cli: &Cli,
    args: &IssueArgs,
    file: &std::path::Path,
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
        cohort_key: Some(&cohort_key),
        idempotency_key: None,
        grade: None,
        now: clock::now(),
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
            let written = serde_json::to_string_pretty(issued.document())
                .map_err(std::io::Error::other)
                .and_then(|text| std::fs::write(&path, text));
            if let Err(err) = written {
                write_error.get_or_insert(format!("cannot write {}: {err}", path.display()));
            }
        }
        progress.advance();
    };
    let summary = app.issue_cohort(&request, &rows, &mut on_row).await;
    progress.finish();
    let summary = summary.context("the cohort run stopped; run it again to carry on where it stopped")?;
    let lists: Vec<String> = summary.lists.iter().cloned().collect();
    publish_lists(app, cli, &lists).await?;
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

async fn credential(app: &Operator<'_>, command: &CredentialCommand, out: &mut impl Write) -> anyhow::Result<()> {
    match command {
        CredentialCommand::List { learner, spec, json } => {
            let credentials = app.credentials(None, learner.as_deref(), spec.as_deref()).await?;
            match json.json {
                true => output::json(out, &credentials.iter().map(|issued| issued.document()).collect::<Vec<_>>())?,
                false => output::credential_table(out, &credentials)?,
            }
        }
        CredentialCommand::Show { id } => output::json(out, app.credential(id).await?.document())?,
    }
    Ok(())
}

async fn issuer(app: &Operator<'_>, command: &IssuerCommand, out: &mut impl Write) -> anyhow::Result<()> {
    match command {
        IssuerCommand::RotateKey { institution } => {
            let key = app.rotate_issuer_key(institution, clock::now()).await.context("no key was rotated")?;
            writeln!(out, "{institution} now signs with {} ({})", key.id, key.public_key)?;
        }
        IssuerCommand::DidDocument { institution } => output::json(out, &app.did_document(institution).await?)?,
    }
    Ok(())
}
