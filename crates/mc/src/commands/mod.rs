//! Runs the subcommands: opens the database for those that need it and hands each to the
//! module of its group. A command module reads its input, calls one use case and prints the
//! result; it imports only the leaf modules beside `main.rs`, never another command module.

mod access;
mod audit;
mod bench;
mod catalogue;
mod institution;
mod issuing;
mod learner;
mod recognition;
mod registry;
mod serve;
mod spec;
mod verify;

use std::{io::Write, process::ExitCode};

use mc_app::{App, StateChange};

use crate::{
    cli::{Cli, Command, SkillsCommand, StatusCommand},
    clock,
    config::{self, Create},
    output,
};

pub(crate) async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let clock = clock::from_option(cli.fixed_time.as_deref())?;
    // These work on files alone and need no database.
    match &cli.command {
        Command::Key(command) => return verify::key(command).map(|()| ExitCode::SUCCESS),
        Command::Sign(args) => return verify::sign(args, clock).map(|()| ExitCode::SUCCESS),
        Command::Verify(args) => return verify::verify(args, verify::local_material(&cli, clock).await?, clock),
        Command::Bench(command) => {
            return bench::run(command, cli.database_url.as_deref(), clock).await.map(|()| ExitCode::SUCCESS);
        }
        _ => {}
    }
    let create = match cli.command {
        Command::Init | Command::Demo | Command::Serve(_) => Create::Yes,
        _ => Create::No,
    };
    let url = config::database_url(&cli.data, cli.database_url.as_deref(), create)?;
    let public_url = config::public_url(cli.public_url.as_deref())?;
    let mut app = App::open(&url).await?.with_public_url(&public_url).with_clock(clock);
    if let Some(vault) = config::load_vault(&cli.data, create)? {
        app = app.with_vault(vault);
    }
    let res = run_command(&app, &cli).await;
    app.close().await;
    res.map(|()| ExitCode::SUCCESS)
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
            let summary = app.load_demo(app.now()).await?;
            app.load_demo_seals(app.now()).await?;
            app.load_demo_agreements(app.now()).await?;
            writeln!(out, "{}", output::demo_summary(&summary))?;
        }
        Command::Institution(command) => institution::run(app, command, &mut out).await?,
        Command::Spec(command) => spec::run(app, command, &mut out).await?,
        Command::Learner(command) => learner::run(app, command, &mut out).await?,
        Command::Serve(args) => {
            drop(out);
            serve::run(App::clone(app), args, cli.public_url.as_deref()).await?;
        }
        Command::Issue(args) => issuing::issue(app, &cli.data, args, &mut out).await?,
        Command::Revoke { id, reason } => {
            issuing::change_state(app, &cli.data, id, StateChange::Revoke(reason), &mut out).await?
        }
        Command::Suspend { id } => issuing::change_state(app, &cli.data, id, StateChange::Suspend, &mut out).await?,
        Command::Unsuspend { id } => {
            issuing::change_state(app, &cli.data, id, StateChange::Unsuspend, &mut out).await?
        }
        Command::Token(command) => access::token(app, command, &mut out).await?,
        Command::Catalogue(args) => catalogue::search(app, args, &mut out).await?,
        Command::Registry(command) => registry::registry(app, command, &mut out).await?,
        Command::Trust(command) => registry::trust(app, command, &mut out).await?,
        Command::Staff(command) => access::staff(app, command, &mut out).await?,
        Command::Audit(command) => audit::run(app, command, &mut out).await?,
        Command::Skills(SkillsCommand::Import { file, language }) => {
            spec::import_skills(app, file, language, &mut out).await?
        }
        Command::Agreement(command) => recognition::agreement(app, command, &mut out).await?,
        Command::Pathway(command) => recognition::pathway(app, command, &mut out).await?,
        Command::Supplement(args) => {
            let pdf = args.format == "pdf";
            if pdf && args.output.is_none() && std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                anyhow::bail!(
                    "a PDF is not shown on a terminal: write it to a file with -o FILE (or ask for --format html)"
                );
            }
            let credential = app.credential(&args.id).await?;
            let link = app.supplement_link(&credential, app.now()).await?;
            let supplement = mc_web::Supplement::load(app, &credential, &args.lang, link).await?;
            let bytes = if pdf { supplement.pdf()? } else { supplement.html()?.into_bytes() };
            match &args.output {
                Some(path) => {
                    anyhow::Context::with_context(std::fs::write(path, &bytes), || {
                        format!("cannot write {}", path.display())
                    })?;
                    writeln!(out, "wrote the supplement of credential {} to {}", args.id, path.display())?;
                }
                None => out.write_all(&bytes)?,
            }
        }
        Command::Recognize { files, institution, accept, reject, by, output, json } => {
            let decision = match (accept, reject) {
                (Some(rule), _) if !rule.is_empty() && !rule.contains('/') => anyhow::bail!(
                    "--accept names a rule as AGREEMENT/RULE, such as alliance-data-2026/roccalba-statistics"
                ),
                (Some(rule), _) => Some(mc_app::Decision::Accept { rule: rule.split_once('/') }),
                (None, Some(reason)) => Some(mc_app::Decision::Reject { reason }),
                (None, None) => None,
            };
            match decision {
                Some(decision) => {
                    let by = by.as_deref().expect("clap requires --by with a decision");
                    recognition::decide(app, files, institution, decision, by, output.as_deref(), &mut out).await?
                }
                None => recognition::recognize(app, files, institution, json.json, &mut out).await?,
            }
        }
        Command::Status(StatusCommand::Publish) => issuing::publish_status(app, &cli.data, &mut out).await?,
        Command::Credential(command) => issuing::credential(app, command, &mut out).await?,
        Command::Issuer(command) => issuing::issuer(app, command, &mut out).await?,
        Command::Key(_) | Command::Sign(_) | Command::Verify(_) | Command::Bench(_) => {
            unreachable!("handled before the database is opened")
        }
    }
    Ok(())
}
