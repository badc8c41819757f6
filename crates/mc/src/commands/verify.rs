//! `microcred key`, `sign` and `verify`: keys and credentials as files. `verify` also uses this
//! microcred's DID documents, status lists and trusted-issuer list when it has a database.

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::ExitCode,
    sync::{
        Mutex,
        atomic::{AtomicUsize, Ordering},
    },
};

use anyhow::{Context, bail};
use mc_app::{App, AppError, Clock, LocalMaterial, TokenSigner, Verifier, adapters::HttpsKeyResolver};
use mc_core::Timestamp;
use mc_vc::{
    multikey::{self, KeyType, SecretKey},
    proof::{self, ProofOptions, Suite},
    verify::{CheckStatus, Expected, PresentationVerification, TrustedIssuers, Verdict, Verification, is_presentation},
};
use serde::Serialize;
use serde_json::Value;

use crate::{
    cli::{Cli, KeyCommand, KeyTypeArg, SignArgs, VerifyArgs},
    config::{self, Create},
    input::read_input,
    random::random_seed,
};

/// The largest badge image read.
const MAX_IMAGE_BYTES: u64 = mc_vc::bake::MAX_IMAGE_BYTES as u64;
/// The largest key or credential file read.
const MAX_FILE_BYTES: u64 = mc_vc::verify::MAX_CREDENTIAL_BYTES as u64;

pub(super) fn key(command: &KeyCommand) -> anyhow::Result<()> {
    let KeyCommand::Generate { key_type } = command;
    let key_type = match key_type {
        KeyTypeArg::Ed25519 => KeyType::Ed25519,
        KeyTypeArg::P256 => KeyType::P256,
    };
    let key = loop {
        // A P-256 seed is out of range with negligible probability; draw again if so.
        if let Ok(key) = SecretKey::from_seed(key_type, random_seed()?) {
            break key;
        }
    };
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &multikey::key_file(&key))?;
    writeln!(out)?;
    Ok(())
}

pub(super) fn sign(args: &SignArgs, clock: Clock) -> anyhow::Result<()> {
    let key_text = read_input(&args.key.display().to_string(), MAX_FILE_BYTES)?;
    let key = multikey::secret_key_from_file(&key_text)
        .with_context(|| format!("{} is not a usable key file", args.key.display()))?;
    let text = read_input(&args.file, MAX_FILE_BYTES)?;
    let Value::Object(document) = serde_json::from_str(&text).with_context(|| format!("{} is not JSON", args.file))?
    else {
        bail!("{} is not a JSON object", args.file);
    };
    let suite = Suite::from(args.suite);
    let created = match &args.created {
        Some(raw) => Timestamp::parse(raw).map_err(|err| anyhow::anyhow!("--created: {err}"))?.to_rfc3339(),
        None => clock.now().to_rfc3339(),
    };
    let public = key.public_key().to_multibase();
    let verification_method = args.verification_method.clone().unwrap_or_else(|| format!("did:key:{public}#{public}"));
    let controller = verification_method.split_once('#').map_or(verification_method.as_str(), |(base, _)| base);
    let presentation = is_presentation(&text);
    let (signer, what) = match presentation {
        true => ("holder", "presentation's holder"),
        false => ("issuer", "credential's issuer"),
    };
    let named = match document.get(signer) {
        Some(Value::String(id)) => Some(id.as_str()),
        Some(Value::Object(named)) => named.get("id").and_then(Value::as_str),
        _ => None,
    };
    if named.is_some_and(|named| named != controller) {
        eprintln!(
            "warning: the {what} {} is not {controller}, which controls the key; verifiers will refuse it",
            named.unwrap_or_default()
        );
    }
    if !presentation && (args.challenge.is_some() || args.domain.is_some()) {
        bail!("--challenge and --domain are for presentations, which a holder signs for a verifier");
    }
    let purpose = if presentation { "authentication" } else { "assertionMethod" };
    let options = ProofOptions { verification_method, created, proof_purpose: purpose.into() };
    let signed = match presentation {
        true => proof::create_presentation_proof(
            &document,
            suite,
            &key,
            &options,
            args.challenge.as_deref(),
            args.domain.as_deref(),
        )
        .map(|proof| proof::attach_proof(document.clone(), proof)),
        false => proof::sign(&document, suite, &key, &options),
    }
    .with_context(|| format!("{} was not signed", args.file))?;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &signed)?;
    writeln!(out)?;
    Ok(())
}

/// The DID documents of this microcred's institutions, its trusted-issuer list and its status
/// lists, when there is a database to read them from, and the status lists published in the
/// data directory: verification uses them without a network. With no database (no
/// `--database-url` and no SQLite file), the published files are all there is; a database that
/// is there but cannot be read is an error, never a verification without its list.
pub(super) async fn local_material(cli: &Cli, clock: Clock) -> anyhow::Result<LocalMaterial> {
    let published = config::published_status_lists(&cli.data);
    if cli.database_url.is_none() && !config::sqlite_database_exists(&cli.data)? {
        return Ok(LocalMaterial { status_lists: published, ..Default::default() });
    }
    let url = config::database_url(&cli.data, cli.database_url.as_deref(), Create::No)?;
    let database = config::describe(&cli.data, cli.database_url.as_deref());
    let app = App::open(&url).await.with_context(|| {
        format!("cannot open the {database} to read the trusted-issuer list, DID documents and status lists")
    })?;
    let public_url = config::public_url(cli.public_url.as_deref())?;
    let mut app = app.with_public_url(&public_url).with_clock(clock);
    if let Ok(Some(vault)) = config::load_vault(&cli.data, Create::No) {
        app = app.with_vault(vault);
    }
    let material = database_material(&app, &database, published).await;
    app.close().await;
    material
}

/// What the database holds for verification, with the published lists it has no newer
/// version of.
async fn database_material(
    app: &App,
    database: &str,
    published: Vec<serde_json::Map<String, serde_json::Value>>,
) -> anyhow::Result<LocalMaterial> {
    let did_documents =
        app.did_documents().await.with_context(|| format!("cannot read the DID documents from the {database}"))?;
    let trusted = app
        .trust_anchors()
        .await
        .with_context(|| format!("cannot read the trusted-issuer list from the {database}"))?;
    let unreadable_lists = || format!("cannot read the status lists from the {database}");
    // The database says what is revoked now; published files may predate a change made by a
    // server. Files are used for the lists the database cannot sign (no key-encryption key).
    let mut status_lists = Vec::new();
    let mut status_tokens = Vec::new();
    for id in app.status_list_ids().await.with_context(unreadable_lists)? {
        match app.status_list_credential(&id, app.now()).await {
            Ok(list) => status_lists.push(list),
            Err(AppError::Keys(_) | AppError::NotFound { .. }) => {}
            Err(err) => return Err(err).with_context(unreadable_lists),
        }
        // The Token Status Lists of a revocation list, for SD-JWT VCs, signed each way.
        for signer in [TokenSigner::Did, TokenSigner::Seal] {
            match app.status_list_token(&id, signer, app.now()).await {
                Ok(token) => status_tokens.push((app.status_token_url(&id, signer), token)),
                Err(AppError::Keys(_) | AppError::NotFound { .. }) => {}
                Err(err) => return Err(err).with_context(unreadable_lists),
            }
        }
    }
    let list_id = |list: &serde_json::Map<String, serde_json::Value>| {
        list.get("id").and_then(|id| id.as_str()).map(str::to_owned)
    };
    let fresh: std::collections::HashSet<String> = status_lists.iter().filter_map(list_id).collect();
    status_lists.extend(published.into_iter().filter(|list| list_id(list).is_none_or(|id| !fresh.contains(&id))));
    Ok(LocalMaterial { did_documents, status_lists, status_tokens, trusted, ..Default::default() })
}

/// One result, with where it came from.
#[derive(Serialize)]
struct SourcedResult<'a> {
    source: &'a str,
    #[serde(flatten)]
    verification: &'a Outcome,
}

/// What verifying one file found: a credential's verification, or a presentation's.
#[derive(Serialize)]
#[serde(untagged)]
enum Outcome {
    Credential(Verification),
    Presentation(PresentationVerification),
}

impl Outcome {
    fn verdict(&self) -> Verdict {
        match self {
            Outcome::Credential(verification) => verification.verdict,
            Outcome::Presentation(verification) => verification.verdict,
        }
    }
}

/// Verifies credentials.
pub(super) fn verify(args: &VerifyArgs, mut local: LocalMaterial, clock: Clock) -> anyhow::Result<ExitCode> {
    let now = match &args.now {
        Some(raw) => Timestamp::parse(raw).map_err(|err| anyhow::anyhow!("--now: {err}"))?,
        None => clock.now(),
    };
    let trusted = match &args.trust {
        Some(path) => {
            let text = read_input(&path.display().to_string(), 16 * 1024 * 1024)?;
            Some(TrustedIssuers::from_json(&text).map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))?)
        }
        None => local.trusted.as_deref().cloned(),
    };
    let anchors = crate::input::read_seal_anchors(&args.seal_anchors)?;
    let trusted = match anchors.is_empty() {
        true => trusted,
        false => Some(trusted.unwrap_or_default().with_seal_anchors(anchors)),
    };
    let sources = collect_sources(&args.inputs)?;
    for path in &args.status_lists {
        let text = read_input(&path.display().to_string(), MAX_FILE_BYTES)?;
        match serde_json::from_str(&text) {
            Ok(Value::Object(list)) => local.status_lists.push(list),
            _ => bail!("{} is not a status list credential (a JSON object)", path.display()),
        }
    }
    let online = HttpsKeyResolver::new();
    let verifier = Verifier::new(local, (!args.offline).then_some(&online), trusted.as_ref(), now);
    let expected = Expected { challenge: args.challenge.as_deref(), domain: args.domain.as_deref() };
    let results = verify_all(&sources, &verifier, expected);

    let mut out = std::io::stdout().lock();
    for (source, result) in sources.iter().zip(&results) {
        let source = source.display().to_string();
        match (args.json, results.len()) {
            (true, 1) => {
                serde_json::to_writer_pretty(&mut out, result)?;
                writeln!(out)?;
            }
            (true, _) => {
                serde_json::to_writer(&mut out, &SourcedResult { source: &source, verification: result })?;
                writeln!(out)?;
            }
            (false, _) => print_result(&mut out, &source, result)?,
        }
    }
    let code = match results.iter().map(Outcome::verdict).max_by_key(|verdict| match verdict {
        Verdict::Valid => 0,
        Verdict::Invalid => 1,
        Verdict::Indeterminate => 2,
    }) {
        Some(Verdict::Invalid) => ExitCode::from(1),
        Some(Verdict::Indeterminate) => ExitCode::from(2),
        _ => ExitCode::SUCCESS,
    };
    Ok(code)
}

/// The files to verify: every argument, with directories replaced by the credential files in
/// them (recursively, sorted).
fn collect_sources(inputs: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut sources = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut found = Vec::new();
            walk(input, &mut found).with_context(|| format!("cannot read the directory {}", input.display()))?;
            found.sort();
            if found.is_empty() {
                bail!("{} holds no .json, .jwt or .jws files", input.display());
            }
            sources.extend(found);
        } else {
            sources.push(input.clone());
        }
    }
    Ok(sources)
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, found)?;
        } else if path.extension().is_some_and(|ext| ext == "json" || ext == "jwt" || ext == "jws") {
            found.push(path);
        }
    }
    Ok(())
}

/// Verifies every source on all cores; results come back in the sources' order.
fn verify_all(sources: &[PathBuf], verifier: &Verifier<'_>, expected: Expected<'_>) -> Vec<Outcome> {
    let workers = std::thread::available_parallelism().map_or(1, usize::from).min(sources.len()).max(1);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new(sources.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let idx = next.fetch_add(1, Ordering::Relaxed);
                    let Some(source) = sources.get(idx) else { break };
                    // A badge image is verified as the credential baked into it.
                    let result = match crate::input::read_bytes(&source.display().to_string(), MAX_IMAGE_BYTES) {
                        Ok(bytes) => match mc_vc::bake::credential_text(&bytes) {
                            Ok(text) if is_presentation(&text) => {
                                Outcome::Presentation(verifier.verify_presentation(&text, expected))
                            }
                            Ok(text) => Outcome::Credential(verifier.verify(&text)),
                            Err(err) => {
                                Outcome::Credential(Verification::unreadable(format!("{}: {err}", source.display())))
                            }
                        },
                        Err(err) => Outcome::Credential(Verification::unreadable(format!("{err:#}"))),
                    };
                    results.lock().expect("no worker panics holding the lock")[idx] = Some(result);
                }
            });
        }
    });
    results
        .into_inner()
        .expect("no worker panicked")
        .into_iter()
        .map(|result| result.expect("every source was verified"))
        .collect()
}

fn print_result(out: &mut impl Write, source: &str, result: &Outcome) -> std::io::Result<()> {
    match result {
        Outcome::Credential(verification) => print_verification(out, source, verification),
        Outcome::Presentation(presentation) => {
            writeln!(out, "{source}: presentation {}", verdict_words(presentation.verdict))?;
            for check in &presentation.checks {
                writeln!(out, "  {} {:<9} {}", mark(check.status), check.id, check.message)?;
            }
            for (idx, credential) in presentation.credentials.iter().enumerate() {
                print_verification(out, &format!("  credential {}", idx + 1), credential)?;
            }
            Ok(())
        }
    }
}

fn verdict_words(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Valid => "valid",
        Verdict::Invalid => "INVALID",
        Verdict::Indeterminate => "could not be verified",
    }
}

fn mark(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Passed => "ok  ",
        CheckStatus::Failed => "FAIL",
        CheckStatus::Skipped => "--  ",
        CheckStatus::Warning => "warn",
    }
}

fn print_verification(out: &mut impl Write, source: &str, result: &Verification) -> std::io::Result<()> {
    writeln!(out, "{source}: {}", verdict_words(result.verdict))?;
    for check in &result.checks {
        let id = serde_json::to_value(check.id).ok().and_then(|id| id.as_str().map(str::to_owned)).unwrap_or_default();
        writeln!(out, "  {} {id:<9} {}", mark(check.status), check.message)?;
    }
    Ok(())
}
