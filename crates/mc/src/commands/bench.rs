//! `microcred bench`: throughput of the credential engine on this machine, measured in the
//! same run as the raw Ed25519 operations it builds on.

use std::{hint::black_box, time::Instant};

use mc_app::Clock;
use mc_core::Timestamp;
use mc_vc::{
    badge::{Award, open_badge},
    did::NoResolver,
    multikey::{KeyType, PublicKey, SecretKey},
    proof::{self, ProofOptions, Suite},
    verify::{Verdict, VerifyParams, verify_document},
};
use serde_json::{Map, Value};

use crate::{cli::BenchCommand, random::random_seed};

pub(crate) async fn run(command: &BenchCommand, database_url: Option<&str>, clock: Clock) -> anyhow::Result<()> {
    match command {
        BenchCommand::Credentials { count, memory_check } => credentials(*count, *memory_check),
        BenchCommand::Issue { count, suite } => issue(*count, (*suite).into(), database_url, clock).await,
        BenchCommand::Catalogue { specs, queries } => catalogue(*specs, *queries, database_url, clock).await,
        BenchCommand::Recognition { credentials, agreements } => recognition(*credentials, *agreements),
        BenchCommand::Supplement { count } => supplement(*count, clock).await,
        BenchCommand::Serve { seconds, connections } => serve(*seconds, *connections, clock).await,
    }
}

/// The supplement PDFs made per second should be at least this.
const SUPPLEMENT_TARGET: f64 = 50.0;

/// Renders `count` supplement PDFs of credentials issued to learners named in several scripts,
/// in English and Spanish, as a learner's download does (the credential read, its link, the
/// document laid out and written), one after the other; then the rendering alone on every core.
async fn supplement(count: u32, clock: Clock) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("microcred-bench-{}", std::process::id()));
    let (app, credentials) = demo_credentials(&dir, clock).await?;
    let languages = ["en", "es"];

    let progress = crate::progress::Progress::new(u64::from(count), "rendering");
    let started = Instant::now();
    let mut bytes = 0;
    let mut last = Vec::new();
    for idx in 0..count as usize {
        let credential = &credentials[idx % credentials.len()];
        let link = app.supplement_link(credential, clock.now()).await?;
        let supplement = mc_web::Supplement::load(&app, credential, languages[idx % 2], link).await?;
        last = supplement.pdf()?;
        bytes += last.len();
        progress.advance();
    }
    let elapsed = started.elapsed();
    progress.finish();
    mc_vc::pdf::attached_credential(&last)?;

    let mut loaded = Vec::new();
    for credential in &credentials {
        for lang in languages {
            let link = app.supplement_link(credential, clock.now()).await?;
            loaded.push(mc_web::Supplement::load(&app, credential, lang, link).await?);
        }
    }
    let cores = std::thread::available_parallelism().map_or(1, |cores| cores.get());
    let render = |idx: u32| {
        black_box(loaded[idx as usize % loaded.len()].pdf().expect("a supplement renders"));
    };
    let per_thread = (count / 4).max(1);
    let one_core = throughput(1, per_thread, &render);
    let all_cores = throughput(cores, per_thread, &render);
    app.close().await;
    std::fs::remove_dir_all(&dir).ok();

    let rate = f64::from(count) / elapsed.as_secs_f64();
    println!(
        "rendered {count} supplement PDFs (A4, PDF/A-3b, {} KB on average; {} credentials, English and Spanish) in {:.1} s",
        bytes / count.max(1) as usize / 1024,
        credentials.len(),
        elapsed.as_secs_f64(),
    );
    println!("  {rate:.0} PDFs/s one after the other, each read from the store, laid out and written");
    println!("  rendering alone: {one_core:.0} PDFs/s on 1 core, {all_cores:.0} PDFs/s on {cores} cores");
    println!(
        "  {:.1}× the target of {SUPPLEMENT_TARGET:.0} PDFs/s; peak memory {} MiB",
        rate / SUPPLEMENT_TARGET,
        mib(peak_kib())
    );
    Ok(())
}

/// A fresh SQLite database in `dir` with the demo, and a credential of its first
/// specification issued to each of five learners named in several scripts.
async fn demo_credentials(
    dir: &std::path::Path,
    clock: Clock,
) -> anyhow::Result<(mc_app::App, Vec<mc_app::IssuedCredential>)> {
    std::fs::create_dir_all(dir)?;
    let url = format!("sqlite://{}?mode=rwc", dir.join("microcred.db").display());
    let app = mc_app::App::open(&url).await?.with_vault(mc_app::KeyVault::new(&random_seed()?));
    let operator = app.operator();
    operator.load_demo(clock.now()).await?;
    let names = ["José Martínez Núñez", "Ζωή Παπαδοπούλου", "Анна Иванова", "Łukasz Wójcik", "Aino Virtanen"];
    let rows: Vec<(usize, mc_app::CohortRow)> = names
        .iter()
        .enumerate()
        .map(|(idx, name)| {
            let row = mc_app::CohortRow {
                name: Some((*name).to_owned()),
                email: Some(format!("learner{idx}@bench.example")),
                grade: Some("9".into()),
                ..Default::default()
            };
            (idx + 2, row)
        })
        .collect();
    let request = mc_app::IssueRequest {
        spec: "01936a3e-0000-7000-8000-000000000001",
        learner: mc_app::LearnerRef::IdOrEmail(""),
        suite: Suite::EddsaRdfc2022,
        format: mc_core::CredentialFormat::OpenBadges,
        cohort_key: Some("bench"),
        idempotency_key: None,
        grade: None,
        now: clock.now(),
    };
    operator.issue_cohort(&request, &rows, &mut |_| {}).await?;
    let credentials = operator.credentials(None, None, None).await?;
    anyhow::ensure!(!credentials.is_empty(), "no credentials were issued");
    Ok((app, credentials))
}

/// The verify endpoint must answer at least this share of the verifications per second that
/// the same verification reaches in-process on every core.
const SERVE_SHARE_TARGET: f64 = 0.40;
/// And 99% of its answers within this many milliseconds.
const SERVE_P99_TARGET_MS: f64 = 50.0;

/// Verifies one of the demo's credentials in-process on every core, as the server does (its
/// keys, status lists and trusted-issuer list at hand), then serves the demo on a local port
/// and loads `POST /api/v1/credentials/verify` with the same credential from `connections`
/// connections of this process for `seconds`.
async fn serve(seconds: u64, connections: usize, clock: Clock) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("microcred-bench-serve-{}", std::process::id()));
    let (app, credentials) = demo_credentials(&dir, clock).await?;
    let text = serde_json::to_string(credentials[0].document())?;
    let now = clock.now();
    let material = app.verification_material(&text, now).await?;
    let trusted = material.trusted.clone();
    let verify = || mc_app::Verifier::new(material.clone(), None, trusted.as_deref(), now).verify(&text);
    let verdict = verify().verdict;
    anyhow::ensure!(verdict == Verdict::Valid, "the demo's credential verifies as {verdict:?} in-process");
    let cores = std::thread::available_parallelism().map_or(1, |cores| cores.get());
    let in_process = throughput(cores, 500, &|_| {
        black_box(verify());
    });

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(mc_web::serve(app.clone(), listener, mc_web::Worker::default(), async {
        stopped.await.ok();
    }));
    let until = Instant::now() + std::time::Duration::from_secs(seconds);
    let body: std::sync::Arc<str> = text.into();
    let started = Instant::now();
    let loads: Vec<_> =
        (0..connections).map(|_| tokio::spawn(load(addr, std::sync::Arc::clone(&body), until))).collect();
    let mut latencies = Vec::new();
    let mut errors = Vec::new();
    for load in loads {
        let (answered, failed) = load.await??;
        latencies.extend(answered);
        errors.extend(failed);
    }
    let elapsed = started.elapsed();
    stop.send(()).ok();
    server.await??;
    app.close().await;
    std::fs::remove_dir_all(&dir).ok();

    anyhow::ensure!(!latencies.is_empty(), "the endpoint answered nothing");
    latencies.sort();
    let ms = |p: f64| millis(percentile(&latencies, p));
    let rate = latencies.len() as f64 / elapsed.as_secs_f64();
    let share = rate / in_process;
    println!(
        "verify endpoint, {connections} connections from this process for {seconds} s: {rate:.0} verifications/s, \
         p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {} errors",
        ms(0.50),
        ms(0.99),
        ms(1.0),
        errors.len(),
    );
    println!("  the same verification in-process on {cores} cores: {in_process:.0}/s");
    println!(
        "  the endpoint reaches {:.0}% of it (target at least {:.0}%); p99 {:.2} ms (target under {SERVE_P99_TARGET_MS:.0} ms)",
        share * 100.0,
        SERVE_SHARE_TARGET * 100.0,
        ms(0.99),
    );
    if let Some(first) = errors.first() {
        anyhow::bail!("{} requests failed; the first: {first}", errors.len());
    }
    Ok(())
}

/// Sends the credential to the verify endpoint over one kept-alive HTTP/1.1 connection, one
/// request after the other, until `until`; returns each answer's latency and what went wrong
/// with the answers that were not a `valid` verdict.
async fn load(
    addr: std::net::SocketAddr,
    body: std::sync::Arc<str>,
    until: Instant,
) -> anyhow::Result<(Vec<std::time::Duration>, Vec<String>)> {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (read, mut write) = stream.into_split();
    let mut read = tokio::io::BufReader::new(read);
    let request = format!(
        "POST /api/v1/credentials/verify HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let (mut latencies, mut errors) = (Vec::new(), Vec::new());
    let mut line = String::new();
    while Instant::now() < until {
        let started = Instant::now();
        write.write_all(request.as_bytes()).await?;
        line.clear();
        read.read_line(&mut line).await?;
        let status = line.split(' ').nth(1).unwrap_or_default().to_owned();
        let mut length = None;
        loop {
            line.clear();
            anyhow::ensure!(read.read_line(&mut line).await? > 0, "the server closed the connection");
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = Some(value.trim().parse::<usize>()?);
            }
        }
        let mut answer = vec![0; length.ok_or_else(|| anyhow::anyhow!("an answer without Content-Length"))?];
        read.read_exact(&mut answer).await?;
        latencies.push(started.elapsed());
        let verdict =
            serde_json::from_slice::<Value>(&answer).ok().and_then(|json| json["verdict"].as_str().map(str::to_owned));
        if status != "200" || verdict.as_deref() != Some("valid") {
            errors.push(format!("{status}: {}", String::from_utf8_lossy(&answer)));
        }
    }
    Ok((latencies, errors))
}

/// Stores `count` generated specifications, published, then reports how long the catalogue
/// index takes to build, the latency of `queries` mixed searches with filters, and the latency
/// of the first search after each of a few publications, edits and withdrawals made through
/// another `App` (another process's pool and index), which must find the change.
async fn catalogue(count: usize, queries: usize, database_url: Option<&str>, clock: Clock) -> anyhow::Result<()> {
    use mc_catalogue::{Facet, Query, generate};

    let dir = std::env::temp_dir().join(format!("microcred-bench-catalogue-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = match database_url {
        Some(url) => url.to_owned(),
        None => format!("sqlite://{}?mode=rwc", dir.join("microcred.db").display()),
    };
    let app = mc_app::App::open(&url).await?;
    let operator = app.operator();
    let now = clock.now();
    for (n, institution) in generate::institutions().iter().enumerate() {
        let document = mc_core::wire::InstitutionDocument {
            id: Some(institution.id.clone()),
            name: Some([("en".to_owned(), institution.name.clone())].into()),
            country: Some(institution.country.clone()),
            legal_identifier: Some(format!("BENCH-{n:04}")),
            ..Default::default()
        };
        operator.add_institution(&document).await?;
    }
    let institutions = generate::institutions();
    let mut rng = generate::Rng::new(2026);
    let started = Instant::now();
    let progress = crate::progress::Progress::new(count as u64, "storing specifications");
    let mut stored = 0;
    while stored < count {
        let batch: Vec<mc_core::Spec> = (stored..count.min(stored + 5_000))
            .map(|n| {
                let institution = rng.pick(&institutions).id.clone();
                generate::spec(&generate::document(&mut rng, n, &institution))
            })
            .collect();
        operator.store_published(&batch, now).await?;
        batch.iter().for_each(|_| progress.advance());
        stored += batch.len();
    }
    progress.finish();
    let storing = started.elapsed();

    let resident_before = resident_kib();
    let started = Instant::now();
    let catalogue = app.catalogue().await?;
    let build = started.elapsed();
    let resident_after = resident_kib();

    let words = [
        "data",
        "analysis",
        "sustainable",
        "sostenible",
        "gestión",
        "management",
        "energy",
        "energía",
        "teaching",
        "docentes",
        "planning",
        "planificar",
        "risks",
        "riesgos",
        "digital",
        "public health",
        "salud",
        "climate",
        "learners",
        "estrategias sostenibles",
        "managing projects",
        "marketing",
        "análisis de datos",
        "nurses",
    ];
    let values = |facet: Facet| -> Vec<String> {
        catalogue.search(&Query { limit: 0, ..Query::default() }).facets[&facet]
            .iter()
            .map(|count| count.value.clone())
            .collect()
    };
    // A facet no generated specification fills has no value to filter by.
    let facet_values: Vec<(Facet, Vec<String>)> = Facet::ALL
        .into_iter()
        .filter(|facet| *facet != Facet::Ects)
        .map(|facet| (facet, values(facet)))
        .filter(|(_, values)| !values.is_empty())
        .collect();
    let key_count = catalogue.key_count();
    drop(catalogue);
    let mut rng = generate::Rng::new(7);
    let mixed: Vec<Query> = (0..queries)
        .map(|_| {
            let mut query = Query { limit: 20, ..Query::default() };
            if rng.below(5) > 0 {
                query.text = (*rng.pick(&words)).to_owned();
            }
            for _ in 0..rng.below(4) {
                let (facet, values) = rng.pick(&facet_values);
                query.filters.entry(*facet).or_default().push(rng.pick(values).clone());
            }
            if rng.below(4) == 0 {
                query.ects_min = Some([2.0, 4.0][rng.below(2)]);
                query.ects_max = Some([6.0, 10.0][rng.below(2)]);
            }
            query.offset = [0, 0, 0, 20, 100][rng.below(5)];
            query
        })
        .collect();
    let mut latencies = Vec::with_capacity(queries);
    let mut found = 0;
    for query in &mixed {
        let started = Instant::now();
        let result = app.search_catalogue(query).await?;
        latencies.push(started.elapsed());
        found += result.total;
    }
    latencies.sort();
    let ms = |p: f64| millis(percentile(&latencies, p));

    // Another process publishes, edits and withdraws; this one's next search finds each change.
    let other = mc_app::App::open(&url).await?;
    let mut seen = Vec::new();
    for n in 0..CATALOGUE_CHANGES {
        let institution = &rng.pick(&institutions).id;
        let (word, id, found) = match n % 3 {
            0 => {
                let spec = generate::spec(&generate::document(&mut rng, count + n, institution));
                other.operator().store_published(std::slice::from_ref(&spec), now).await?;
                ((count + n).to_string(), spec.id(), true)
            }
            1 => {
                let mut document = generate::document(&mut rng, n * 997 % count, institution);
                let word = format!("edited{n}");
                for title in document.title.iter_mut().flat_map(|title| title.values_mut()) {
                    title.push_str(&format!(" {word}"));
                }
                let (spec, _) = other.operator().update_spec(&document).await?;
                (word, spec.id(), true)
            }
            _ => {
                let document = generate::document(&mut rng, n * 991 % count, institution);
                let id = generate::spec(&document).id();
                other.operator().withdraw_spec(&id.to_string()).await?;
                ((n * 991 % count).to_string(), id, false)
            }
        };
        let started = Instant::now();
        let result = app.search_catalogue(&Query { text: word.clone(), limit: 10, ..Query::default() }).await?;
        seen.push(started.elapsed());
        let listed = result.hits.iter().any(|hit| hit.summary.id == id);
        anyhow::ensure!(listed == found, "the search for {word:?} after a change by another process missed it");
    }
    other.close().await;
    seen.sort();
    app.close().await;
    if database_url.is_none() {
        std::fs::remove_dir_all(&dir).ok();
    }
    println!("catalogue of {count} specifications on {}", mc_app::redact(&url));
    println!("  stored and published in {:.1} s", storing.as_secs_f64());
    println!(
        "  index built in {:.2} s (reading, checking and analysing every specification): {} index keys",
        build.as_secs_f64(),
        key_count
    );
    println!(
        "  {queries} mixed searches (words in English and Spanish, 0-3 facet filters, ECTS ranges, pages): \
         p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {:.0} results per search on average",
        ms(0.50),
        ms(0.99),
        ms(1.0),
        found as f64 / queries.max(1) as f64
    );
    println!(
        "  {CATALOGUE_CHANGES} publications, edits and withdrawals by another process, each found by the next \
         search here: p50 {:.2} ms, max {:.2} ms ({:.0}× under the target of {CHANGE_TARGET_MS} ms)",
        millis(percentile(&seen, 0.50)),
        millis(percentile(&seen, 1.0)),
        CHANGE_TARGET_MS / millis(percentile(&seen, 1.0)),
    );
    println!(
        "  resident memory {} MiB before the index was built, {} MiB with it; peak memory {} MiB",
        mib(resident_before),
        mib(resident_after),
        mib(peak_kib())
    );
    Ok(())
}

/// How many catalogue changes `bench catalogue` makes from another process.
const CATALOGUE_CHANGES: usize = 30;
/// A change must be found by the next search within this many milliseconds.
const CHANGE_TARGET_MS: f64 = 100.0;

/// Issues a generated cohort of `count` learners and reports the rate and the peak memory.
async fn issue(count: u32, suite: Suite, database_url: Option<&str>, clock: Clock) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("microcred-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = match database_url {
        Some(url) => url.to_owned(),
        None => format!("sqlite://{}?mode=rwc", dir.join("microcred.db").display()),
    };
    // What the signature alone allows: proofs created on every core for a credential of the
    // same specification (issued in a database of its own), measured before the run and after
    // it, so that a machine that speeds up or slows down meanwhile weighs on both sides.
    let (reference, credentials) = demo_credentials(&dir.join("reference"), clock).await?;
    reference.close().await;
    let mut unsigned = credentials[0].document().clone();
    unsigned.remove("proof");
    let key = SecretKey::from_seed(KeyType::Ed25519, random_seed()?)?;
    let options = ProofOptions {
        verification_method: format!("did:key:{0}#{0}", key.public_key().to_multibase()),
        created: clock.now().to_rfc3339(),
        proof_purpose: "assertionMethod".into(),
    };
    let sign = |_| {
        black_box(proof::create_proof(&unsigned, suite, &key, &options).expect("the credential signs"));
    };
    sign(0);
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let per_core = PROOFS_PER_CORE.min(count.max(100));
    let signing_before = throughput(cores, per_core, &sign);

    let app = mc_app::App::open(&url).await?.with_vault(mc_app::KeyVault::new(&random_seed()?));
    let operator = app.operator();
    operator.load_demo(clock.now()).await?;
    let rows: Vec<(usize, mc_app::CohortRow)> = (0..count as usize)
        .map(|idx| {
            let row = mc_app::CohortRow {
                name: Some(format!("Learner {idx}")),
                email: Some(format!("learner{idx}@bench.example")),
                grade: Some("pass".into()),
                ..Default::default()
            };
            (idx + 2, row)
        })
        .collect();
    let cohort_key = format!("bench-{}", clock.now());
    let request = mc_app::IssueRequest {
        spec: "01936a3e-0000-7000-8000-000000000001",
        learner: mc_app::LearnerRef::IdOrEmail(""),
        suite,
        format: mc_core::CredentialFormat::OpenBadges,
        cohort_key: Some(&cohort_key),
        idempotency_key: None,
        grade: None,
        now: clock.now(),
    };
    let progress = crate::progress::Progress::new(u64::from(count), "issuing");
    let started = Instant::now();
    let summary = operator.issue_cohort(&request, &rows, &mut |_| progress.advance()).await?;
    let elapsed = started.elapsed();
    progress.finish();
    app.close().await;
    // The reference's database, and the run's unless it was given.
    std::fs::remove_dir_all(&dir).ok();
    anyhow::ensure!(
        summary.issued == count as usize,
        "issued {} of {count}: {:?}",
        summary.issued,
        summary.rejected.first()
    );
    let rate = f64::from(count) / elapsed.as_secs_f64();
    println!(
        "issued {count} credentials ({}) into {} in {:.1} s: {rate:.0} credentials/s; peak memory {} MiB",
        suite.name(),
        mc_app::redact(&url),
        elapsed.as_secs_f64(),
        mib(peak_kib()),
    );
    let signing_after = throughput(cores, per_core, &sign);
    let signing = (signing_before + signing_after) / 2.0;
    let target = match url.starts_with("postgres") {
        true => ISSUE_TARGET_POSTGRES,
        false => ISSUE_TARGET_SQLITE,
    };
    println!(
        "creating the proof alone: {signing:.0} credentials/s on {cores} cores ({signing_before:.0} before the run, \
         {signing_after:.0} after); issuing runs at {:.0}% of it (target at least {:.0}%)",
        rate / signing * 100.0,
        target * 100.0
    );
    Ok(())
}

/// How many proofs each core creates for each measurement of `bench issue`'s reference (about a
/// second's worth), or as many as the cohort has credentials when it has fewer.
const PROOFS_PER_CORE: u32 = 8000;

/// Issuing a cohort should run at least at these shares of the rate at which the proofs alone
/// of a credential of the same specification are created on every core.
const ISSUE_TARGET_SQLITE: f64 = 0.50;
const ISSUE_TARGET_POSTGRES: f64 = 0.35;

/// The `p` quantile (0 to 1) of sorted durations, by nearest rank.
fn percentile(sorted: &[std::time::Duration], p: f64) -> std::time::Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).saturating_sub(1).min(sorted.len() - 1)]
}

fn millis(duration: std::time::Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// A size in KiB as whole MiB, `?` when it could not be read.
fn mib(kib: Option<u64>) -> String {
    kib.map_or("?".to_owned(), |kib| (kib / 1024).to_string())
}

/// The process's peak resident set size, from /proc (Linux only).
fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `op` `count` times on each of `threads` threads; returns operations per second.
fn throughput(threads: usize, count: u32, op: &(dyn Fn(u32) + Sync)) -> f64 {
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                for idx in 0..count {
                    op(idx);
                }
            });
        }
    });
    f64::from(count) * threads as f64 / started.elapsed().as_secs_f64()
}

/// How many times `op` costs `base`, on one core: the median of rounds that each time `count`
/// of one, then `count` of the other, so that a machine that speeds up or slows down during the
/// run weighs on both sides of each round alike.
fn paired_ratio(count: u32, op: &(dyn Fn(u32) + Sync), base: &(dyn Fn(u32) + Sync)) -> f64 {
    const ROUNDS: usize = 9;
    let per_round = (count / 4).max(100);
    let mut ratios: Vec<f64> = (0..ROUNDS)
        .map(|_| {
            let of_base = 1.0 / throughput(1, per_round, base);
            let of_op = 1.0 / throughput(1, per_round, op);
            of_op / of_base
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    ratios[ROUNDS / 2]
}

struct Bench {
    cores: usize,
    count: u32,
    rows: Vec<(String, f64, f64)>,
}

impl Bench {
    fn measure(&mut self, name: &str, op: &(dyn Fn(u32) + Sync)) -> f64 {
        op(0); // warm up: contexts processed, tables built
        let one = throughput(1, self.count, op);
        let all = throughput(self.cores, self.count, op);
        self.rows.push((name.to_owned(), one, all));
        one
    }
}

/// A compact specification, so that the benchmark credential is about 2 KB like a typical
/// badge; the demo specifications make richer ones, measured too.
const COMPACT_SPEC: &str = r#"{
    "awarding_bodies": ["valdeoliva"],
    "languages": ["en"],
    "title": {"en": "Data literacy"},
    "learning_outcomes": [
        {"text": {"en": "Analyse open data with spreadsheets"}, "skill": "http://data.europa.eu/esco/skill/1973c966-f236-40c9-b2d4-5d71a89019be"},
        {"text": {"en": "Present findings to decision makers"}}
    ],
    "workload": {"ects": 5, "hours": 125},
    "eqf_level": 6,
    "isced_f": "0542",
    "assessment": {"kind": "summative", "methods": ["project"]},
    "participation": "online",
    "quality_assurance": {"internal": true}
}"#;

/// A full verification should cost at most these multiples of a raw Ed25519 verify_strict.
const FULL_VERIFY_TARGET_RDFC: f64 = 3.0;
const FULL_VERIFY_TARGET_JCS: f64 = 2.5;

/// An issuer known as `did:web:bench.example`, whose DID document a verifier has at hand, with
/// a revocation and a suspension list it signed, both verified once and kept as a verifier that
/// has seen them keeps them.
struct WebIssuer {
    resolver: mc_vc::did::DocumentResolver<'static>,
    lists: KeptLists,
    entries: Vec<mc_vc::status::StatusEntry>,
    options: ProofOptions,
}

impl WebIssuer {
    const DID: &str = "did:web:bench.example";

    /// The issuer of `key`, its lists checked as at `now`.
    fn new(key: &SecretKey, now: Timestamp) -> anyhow::Result<WebIssuer> {
        use mc_vc::status::{Bitstring, MIN_LIST_SIZE, StatusEntry, StatusPurpose};
        let method = format!("{}#key-1", WebIssuer::DID);
        let document = serde_json::json!({
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": WebIssuer::DID,
            "verificationMethod": [{
                "id": method,
                "type": "Multikey",
                "controller": WebIssuer::DID,
                "publicKeyMultibase": key.public_key().to_multibase(),
            }],
            "assertionMethod": [method],
        });
        let resolver = mc_vc::did::DocumentResolver::new([document], &NoResolver);
        let options = ProofOptions {
            verification_method: method,
            created: "2025-06-01T00:00:00Z".into(),
            proof_purpose: "assertionMethod".into(),
        };
        let params =
            VerifyParams { now, resolver: &resolver, trusted_issuers: None, status: &mc_vc::status::NoStatusLists };
        let mut lists = KeptLists::default();
        let mut entries = Vec::new();
        for (purpose, index) in [(StatusPurpose::Revocation, 4_242), (StatusPurpose::Suspension, 90_001)] {
            let url = format!("https://bench.example/status/{}", purpose.as_str());
            let bits = Bitstring::new(MIN_LIST_SIZE);
            let list = mc_vc::status::status_list_credential(&url, WebIssuer::DID, purpose, &bits, &options.created);
            let signed = proof::sign(&list, Suite::EddsaRdfc2022, key, &options)?;
            let checked = mc_vc::verify::check_status_list(&signed, &url, &params)
                .map_err(|why| anyhow::anyhow!("the bench's {} list does not verify: {why}", purpose.as_str()))?;
            lists.0.insert(url.clone(), checked);
            entries.push(StatusEntry { list_url: url, index, purpose });
        }
        Ok(WebIssuer { resolver, lists, entries, options })
    }
}

/// Status lists verified before, as a verifier keeps them; nothing is fetched.
#[derive(Default)]
struct KeptLists(std::collections::HashMap<String, mc_vc::status::CheckedList>);

impl mc_vc::status::StatusResolver for KeptLists {
    fn status_list(&self, url: &str) -> Result<Map<String, Value>, mc_vc::did::ResolveError> {
        Err(mc_vc::did::ResolveError::Unavailable(format!("the status list {url} was not kept")))
    }

    fn checked_list(&self, url: &str) -> Option<mc_vc::status::CheckedList> {
        self.0.get(url).cloned()
    }
}

fn credentials(count: u32, memory_check: u32) -> anyhow::Result<()> {
    let (demo_spec, institution, learner) = mc_app::demo_award_parts()?;
    let compact: mc_core::wire::SpecDocument = serde_json::from_str(COMPACT_SPEC)?;
    let spec_id = mc_core::SpecId::parse("01936a3e-0000-7000-8000-00000000b000").expect("a valid id");
    let spec = compact.parse(spec_id)?;
    let key = SecretKey::from_seed(KeyType::Ed25519, random_seed()?)?;
    let public = key.public_key();
    let did = format!("did:key:{}", public.to_multibase());
    let issued = Timestamp::parse("2025-06-30T10:00:00Z").expect("a valid time");
    let base = Award {
        id: "",
        learner: &learner,
        issued,
        awarded: None,
        valid_until: None,
        salt: "bench",
        grade: None,
        issuer_id: &did,
        status: &[],
        spec_version: 1,
        counterpart: None,
        image: None,
    };
    let badge_of = |spec: &mc_core::Spec, id: &str| open_badge(spec, &[&institution], &Award { id, ..base });
    let badge_with_id = |id: &str| badge_of(&spec, id);
    let badge = badge_with_id("urn:uuid:01936a3e-0000-7000-8000-00000000b001");
    let rich_badge = badge_of(&demo_spec, "urn:uuid:01936a3e-0000-7000-8000-00000000b002");
    let options = ProofOptions {
        verification_method: format!("{did}#{}", public.to_multibase()),
        created: issued.to_rfc3339(),
        proof_purpose: "assertionMethod".into(),
    };
    let unsigned_bytes = serde_json::to_string(&badge)?.len();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let mut bench = Bench { cores, count, rows: Vec::new() };

    let PublicKey::Ed25519(verifying) = &public else { unreachable!("an Ed25519 key") };
    let SecretKey::Ed25519(signing) = &key else { unreachable!("an Ed25519 key") };
    let message = [7u8; 64];
    let signature = ed25519_dalek::Signer::sign(signing, &message);
    let raw_sign = bench.measure("raw Ed25519 sign (64 bytes)", &|_| {
        black_box(ed25519_dalek::Signer::sign(signing, black_box(&message)));
    });
    let raw_verify_op = |_| {
        black_box(verifying.verify_strict(black_box(&message), &signature)).expect("the signature holds");
    };
    let raw_verify = bench.measure("raw Ed25519 verify_strict", &raw_verify_op);

    let mut ratios = Vec::new();
    let mut signed_rdfc = Map::new();
    for suite in [Suite::EddsaRdfc2022, Suite::EddsaJcs2022] {
        let sign_rate = bench.measure(&format!("{} create proof", suite.name()), &|_| {
            black_box(proof::create_proof(&badge, suite, &key, &options).expect("the badge signs"));
        });
        let signed = proof::sign(&badge, suite, &key, &options)?;
        let proof = signed["proof"].as_object().expect("one proof").clone();
        let verify_rate = bench.measure(&format!("{} verify proof", suite.name()), &|_| {
            black_box(proof::verify(&signed, &proof, &public).expect("the proof holds"));
        });
        ratios.push((suite.name(), raw_sign / sign_rate, raw_verify / verify_rate));
        if suite == Suite::EddsaRdfc2022 {
            signed_rdfc = signed;
        }
    }
    let rich_bytes = serde_json::to_string(&rich_badge)?.len();
    bench.measure(&format!("eddsa-rdfc-2022 create proof, {} KB badge", rich_bytes / 1000), &|_| {
        black_box(proof::create_proof(&rich_badge, Suite::EddsaRdfc2022, &key, &options).expect("the badge signs"));
    });
    let params = VerifyParams {
        now: issued,
        resolver: &NoResolver,
        trusted_issuers: None,
        status: &mc_vc::status::NoStatusLists,
    };

    // Full verification as a verifier of this microcred's credentials does it: the issuer a
    // did:web whose document is at hand, both status lists verified once and kept, every check.
    let web = WebIssuer::new(&key, issued)?;
    let web_params = VerifyParams { resolver: &web.resolver, status: &web.lists, ..params };
    let mut full = Vec::new();
    let mut web_badge = Map::new();
    for suite in [Suite::EddsaRdfc2022, Suite::EddsaJcs2022] {
        let badge = open_badge(
            &spec,
            &[&institution],
            &Award {
                id: "urn:uuid:01936a3e-0000-7000-8000-00000000b004",
                issuer_id: WebIssuer::DID,
                status: &web.entries,
                ..base
            },
        );
        let signed = proof::sign(&badge, suite, &key, &web.options)?;
        if suite == Suite::EddsaRdfc2022 {
            web_badge = signed.clone();
        }
        let credential = Value::Object(signed.clone());
        let first = verify_document(&credential, &web_params);
        anyhow::ensure!(first.verdict == Verdict::Valid, "the did:web credential does not verify: {first:?}");
        let name = format!("full verification, {}, did:web, 2 lists", suite.name());
        let full_verify = |_| {
            let result = verify_document(&credential, &web_params);
            assert_eq!(result.verdict, Verdict::Valid, "{result:?}");
        };
        bench.measure(&name, &full_verify);
        full.push((suite, paired_ratio(bench.count, &full_verify, &raw_verify_op)));
    }

    // The European Digital Credential of the same award, sealed with JAdES by a test seal.
    let valid = (Timestamp::parse("2025-01-01T00:00:00Z")?, Timestamp::parse("2099-01-01T00:00:00Z")?);
    let seal_key =
        mc_vc::jades::SealKey::test_seal([9; 32], "Bench University", institution.legal_identifier(), None, valid)
            .map_err(|err| anyhow::anyhow!("the test seal: {err}"))?;
    let edc_award = Award { id: "urn:credential:01936a3e-0000-7000-8000-00000000b003", ..base };
    let edc = serde_json::to_string(&mc_vc::edc::european_digital_credential(&demo_spec, &[&institution], &edc_award))?;
    let seal_edc = || mc_vc::jades::seal(&edc, &seal_key, issued).expect("the credential seals");
    let sealed_text = serde_json::to_string(&seal_edc())?;
    let anchors = mc_vc::verify::TrustedIssuers::default().with_seal_anchors(vec![seal_key.certificate().clone()]);
    let sealed_params = VerifyParams { trusted_issuers: Some(&anchors), ..params };
    let p256_key = p256::ecdsa::SigningKey::from_bytes(&[9; 32].into())?;
    let p256_signature: p256::ecdsa::Signature = p256::ecdsa::signature::Signer::sign(&p256_key, &message);
    let raw_p256_verify = bench.measure("raw P-256 verify (ES256)", &|_| {
        p256::ecdsa::signature::Verifier::verify(p256_key.verifying_key(), black_box(&message), &p256_signature)
            .expect("the signature holds");
    });
    bench.measure("EDC JAdES seal (ES256)", &|_| {
        black_box(seal_edc());
    });
    let edc_verify = bench.measure("EDC JAdES full verification (ES256)", &|_| {
        let result = mc_vc::verify::verify_text(black_box(&sealed_text), &sealed_params);
        assert_eq!(result.verdict, Verdict::Valid, "{result:?}");
    });

    // The SD-JWT VC of the same did:web credential, as a wallet receives it (bound to a P-256
    // holder key) and presents it (name disclosed, key-binding JWT), with its Token Status List.
    let holder = p256::ecdsa::SigningKey::from_bytes(&[11; 32].into())?;
    let holder_public = PublicKey::P256(*holder.verifying_key());
    let token_url = "https://bench.example/status/revocation/token";
    let vct = format!("https://bench.example{}", mc_vc::sd_jwt_vc::VCT_PATH);
    let copy = mc_vc::sd_jwt_vc::WalletCopy {
        badge: &web_badge,
        learner_name: learner.name(),
        learner_email: learner.email().as_str(),
        vct: &vct,
        now: issued,
        holder: &holder_public,
        status: Some((4_242, token_url)),
    };
    let salts: [[u8; mc_vc::sd_jwt::SALT_BYTES]; mc_vc::sd_jwt_vc::SALTS] =
        std::array::from_fn(|index| [index as u8 + 1; 16]);
    let issue_sd_jwt = || {
        let signed_by = mc_vc::SignedBy::Did { kid: &web.options.verification_method };
        copy.issue(&signed_by, &salts, |input| Ok::<_, std::convert::Infallible>(key.sign(input)))
            .expect("signing in memory")
    };
    let sd_jwt_issue = bench.measure("SD-JWT VC issue (EdDSA)", &|_| {
        black_box(issue_sd_jwt());
    });
    // The holder shows the first disclosure (the name) with a key-binding JWT.
    let present = |issued_sd_jwt: &str| {
        let shown: Vec<&str> = issued_sd_jwt.split('~').take(2).collect();
        mc_vc::sd_jwt::bind(
            &format!("{}~", shown.join("~")),
            "ES256",
            "https://employer.example",
            "n-1",
            issued,
            |input| {
                let signature: p256::ecdsa::Signature = p256::ecdsa::signature::Signer::sign(&holder, input);
                Ok::<_, std::convert::Infallible>(signature.to_vec())
            },
        )
        .expect("signing in memory")
    };
    let presented = present(&issue_sd_jwt());
    let list = mc_vc::token_status::TokenStatusList::new(2, mc_vc::status::MIN_LIST_SIZE);
    let token = mc_vc::token_status::sign_token(
        &list.token_claims(token_url, WebIssuer::DID, issued, 300),
        &mc_vc::SignedBy::Did { kid: &web.options.verification_method },
        |input| Ok::<_, std::convert::Infallible>(key.sign(input)),
    )
    .expect("signing in memory");
    let mut tokens = mc_vc::status::StatusLists::default();
    tokens.insert_token(token_url, token);
    let sd_jwt_params = VerifyParams { resolver: &web.resolver, status: &tokens, ..params };
    let sd_jwt_verify_op = |_| {
        let result = mc_vc::verify::verify_text(black_box(&presented), &sd_jwt_params);
        assert_eq!(result.verdict, Verdict::Valid, "{result:?}");
    };
    sd_jwt_verify_op(0);
    bench.measure("SD-JWT VC full verification (key binding, status)", &sd_jwt_verify_op);
    let sd_jwt_ratio = paired_ratio(bench.count, &sd_jwt_verify_op, &raw_verify_op);

    // The same SD-JWT VC signed as HAIP asks: with a seal's key (ES256), its certificate in
    // x5c naming the issuer, its Token Status List signed the same way, trusted as a seal.
    let haip_issuer = "https://bench.example/";
    let haip_seal = mc_vc::jades::SealKey::test_seal(
        [10; 32],
        "Bench University",
        institution.legal_identifier(),
        Some(haip_issuer),
        valid,
    )
    .map_err(|err| anyhow::anyhow!("the test seal: {err}"))?;
    let haip_signer =
        mc_vc::SignedBy::Certificate { alg: haip_seal.algorithm(), x5c: haip_seal.x5c(), issuer: haip_issuer };
    let haip_token_url = "https://bench.example/status/revocation/token/x5c";
    let haip_copy = mc_vc::sd_jwt_vc::WalletCopy { status: Some((4_242, haip_token_url)), ..copy };
    let issue_haip = || {
        haip_copy
            .issue(&haip_signer, &salts, |input| Ok::<_, std::convert::Infallible>(haip_seal.sign_jws(input)))
            .expect("signing in memory")
    };
    let haip_issue = bench.measure("SD-JWT VC issue (ES256, x5c)", &|_| {
        black_box(issue_haip());
    });
    let haip_presented = present(&issue_haip());
    let haip_token = mc_vc::token_status::sign_token(
        &list.token_claims(haip_token_url, haip_issuer, issued, 300),
        &haip_signer,
        |input| Ok::<_, std::convert::Infallible>(haip_seal.sign_jws(input)),
    )
    .expect("signing in memory");
    let mut haip_tokens = mc_vc::status::StatusLists::default();
    haip_tokens.insert_token(haip_token_url, haip_token);
    let haip_anchors =
        mc_vc::verify::TrustedIssuers::default().with_seal_anchors(vec![haip_seal.certificate().clone()]);
    let haip_params = VerifyParams { trusted_issuers: Some(&haip_anchors), status: &haip_tokens, ..sd_jwt_params };
    let haip_verify = bench.measure("SD-JWT VC full verification (ES256, x5c)", &|_| {
        let result = mc_vc::verify::verify_text(black_box(&haip_presented), &haip_params);
        assert_eq!(result.verdict, Verdict::Valid, "{result:?}");
    });

    println!(
        "Open Badges 3.0 credential: {unsigned_bytes} bytes unsigned, {} bytes signed (eddsa-rdfc-2022); {count} operations per measurement",
        serde_json::to_string(&signed_rdfc)?.len()
    );
    println!("{:<50} {:>12} {:>14} {:>9}", "operation", "1 core /s", format!("{cores} cores /s"), "µs/op");
    for (name, one, all) in &bench.rows {
        println!("{name:<50} {one:>12.0} {all:>14.0} {:>9.1}", 1e6 / one);
    }
    println!();
    for (suite, sign_ratio, verify_ratio) in ratios {
        println!(
            "{suite}: creating a proof costs {sign_ratio:.1}× a raw Ed25519 sign, verifying one {verify_ratio:.1}× a raw verify"
        );
    }
    println!(
        "EDC sealed with JAdES ({} bytes): full verification costs {:.1}× a raw P-256 verify",
        sealed_text.len(),
        raw_p256_verify / edc_verify
    );
    for (suite, ratio) in full {
        let target = match suite {
            Suite::EddsaJcs2022 => FULL_VERIFY_TARGET_JCS,
            _ => FULL_VERIFY_TARGET_RDFC,
        };
        println!(
            "{}: a full verification (did:web issuer, both status lists, every check) costs {ratio:.1}× a raw \
             verify_strict, the median of rounds timing both in turn (target at most {target:.1}×)",
            suite.name()
        );
    }
    println!(
        "SD-JWT VC ({} bytes presented): issuing costs {:.1}× a raw Ed25519 sign; a full verification (issuer \
         signature, ES256 key binding, Token Status List signature and lookup, every check) costs {sd_jwt_ratio:.1}× \
         a raw verify_strict, the median of rounds timing both in turn",
        presented.len(),
        raw_sign / sd_jwt_issue
    );
    println!(
        "SD-JWT VC signed as HAIP asks (ES256, x5c; {} bytes presented): issuing runs at {:.0}/s, {:.1}× the EdDSA \
         one's cost; a full verification (certificate, issuer signature, key binding, Token Status List, trust) costs \
         {:.1}× a raw P-256 verify",
        haip_presented.len(),
        haip_issue,
        sd_jwt_issue / haip_issue,
        raw_p256_verify / haip_verify
    );
    if memory_check > 0 {
        memory(memory_check, &badge_with_id, &key, &options, &params)?;
    }
    Ok(())
}

/// Verifies `total` distinct credentials and reports the resident memory along the way.
fn memory(
    total: u32,
    badge_with_id: &dyn Fn(&str) -> Map<String, Value>,
    key: &SecretKey,
    options: &ProofOptions,
    params: &VerifyParams<'_>,
) -> anyhow::Result<()> {
    const DISTINCT: u32 = 500;
    let signed: Vec<Value> = (0..DISTINCT)
        .map(|idx| {
            proof::sign(
                &badge_with_id(&format!("urn:uuid:01936a3e-0000-7000-8000-{idx:012}")),
                Suite::EddsaRdfc2022,
                key,
                options,
            )
            .map(Value::Object)
        })
        .collect::<Result<_, _>>()?;
    let mut samples = Vec::new();
    let started = Instant::now();
    for idx in 0..total {
        let result = verify_document(&signed[(idx % DISTINCT) as usize], params);
        anyhow::ensure!(result.verdict == Verdict::Valid, "credential {idx} did not verify: {result:?}");
        if idx % (total / 10).max(1) == 0 || idx + 1 == total {
            samples.push((idx + 1, resident_kib()));
        }
    }
    let elapsed = started.elapsed();
    println!();
    println!("memory while verifying {total} credentials ({:.1} s, one core):", elapsed.as_secs_f64());
    for (done, kib) in &samples {
        println!("  after {done:>7}: {:>8} KiB resident", kib.map_or("?".to_owned(), |kib| kib.to_string()));
    }
    Ok(())
}

/// The process's resident set size, from /proc (Linux only).
fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A small deterministic generator for the bench's data (xorshift).
struct Draw(u64);

impl Draw {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

/// `bench recognition`: `credentials` generated credentials, five per learner, evaluated for
/// one home institution against `agreements` generated agreements among 200 institutions
/// (nine in ten bilateral, one in ten a network of ten), each with a rule by specification,
/// a course by conditions and electives with a cap.
fn recognition(credentials: u32, agreements: u32) -> anyhow::Result<()> {
    use mc_core::{
        InstitutionId, SpecId,
        recognition::{
            AgreementDocument, AgreementInForce, ConditionsDocument, CourseDocument, CredentialFacts, GrantDocument,
            Recognizer, RuleDocument, Standing,
        },
    };
    let institutions: Vec<String> = (0..200).map(|idx| format!("inst-{idx:03}")).collect();
    let spec = |idx: u64| format!("01936a3e-0000-7000-8000-{idx:012x}");
    let skill = |idx: u64| format!("http://data.europa.eu/esco/skill/{idx:08x}-0000-4000-8000-000000000000");
    let fields = ["0542", "0413", "0613", "0714", "0311"];
    let mut built = Vec::new();
    for idx in 0..u64::from(agreements) {
        let parties: Vec<String> = match idx % 10 {
            0 => (0..10)
                .map(|n| institutions[((idx + n * 19) % 199 + 1) as usize].clone())
                .chain([institutions[0].clone()])
                .collect(),
            _ => vec![institutions[0].clone(), institutions[(idx % 199 + 1) as usize].clone()],
        };
        let mut parties_sorted = parties.clone();
        parties_sorted.sort();
        parties_sorted.dedup();
        let rule = |id: &str| RuleDocument {
            id: Some(id.into()),
            recognised_by: Some(institutions[0].clone()),
            ..RuleDocument::default()
        };
        let document = AgreementDocument {
            id: Some(format!("agreement-{idx}")),
            title: Some([("en".to_owned(), format!("Agreement {idx}"))].into()),
            parties: Some(parties_sorted),
            valid_from: Some("2025-01-01".into()),
            valid_until: None,
            scope: None,
            rules: vec![
                RuleDocument {
                    specs: Some((0..5).map(|n| spec(idx * 5 + n)).collect()),
                    grants: Some(GrantDocument { elective_ects: Some(3.0), ..GrantDocument::default() }),
                    ..rule("by-spec")
                },
                RuleDocument {
                    conditions: Some(ConditionsDocument {
                        min_ects: Some(4.0),
                        min_eqf: Some(5),
                        fields: Some(vec![fields[(idx % 5) as usize].into()]),
                        skills: Some((0..4).map(|n| skill((idx + n) % 50)).collect()),
                        min_skill_overlap: Some(0.5),
                        ..ConditionsDocument::default()
                    }),
                    grants: Some(GrantDocument {
                        course: Some(CourseDocument {
                            code: Some(format!("C-{idx}")),
                            name: Some([("en".to_owned(), format!("Course {idx}"))].into()),
                            ects: Some(5.0),
                        }),
                        ..GrantDocument::default()
                    }),
                    ..rule("course")
                },
                RuleDocument {
                    conditions: Some(ConditionsDocument {
                        min_ects: Some(3.0),
                        within_years: Some(5),
                        ..ConditionsDocument::default()
                    }),
                    grants: Some(GrantDocument {
                        elective_ects: Some(2.0),
                        cap_ects: Some(6.0),
                        ..GrantDocument::default()
                    }),
                    ..rule("electives")
                },
            ],
        };
        built.push(document.parse().map_err(|err| anyhow::anyhow!("agreement {idx}: {err}"))?);
    }
    let in_force: Vec<AgreementInForce<'_>> = built
        .iter()
        .map(|agreement| AgreementInForce { agreement, version: 1, signed_by_all: true, ended_at: None })
        .collect();
    let home = InstitutionId::parse(&institutions[0])?;
    let now = Timestamp::parse("2026-06-01T00:00:00Z")?;
    let issuers: Vec<InstitutionId> =
        institutions.iter().map(|id| InstitutionId::parse(id)).collect::<Result<_, _>>()?;
    let recognizer = Recognizer::new(&home, &in_force, now);
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    // Each thread makes and evaluates its share of learners (five credentials each); the time
    // of the evaluations alone is summed apart from the making.
    let run = |thread: usize| {
        let mut draw = Draw(0x9e37_79b9_7f4a_7c15 ^ (thread as u64 + 1).wrapping_mul(0x2545_f491_4f6c_dd1d));
        let (mut proposals, mut refused, mut tried, mut evaluating) = (0u64, 0u64, 0u64, 0f64);
        let mut learner = Vec::with_capacity(5);
        let share = (u64::from(credentials) + threads as u64 - 1 - thread as u64) / threads as u64;
        for idx in 0..share {
            learner.push(CredentialFacts {
                id: format!("urn:uuid:{thread}-{idx}"),
                issuer: Some(issuers[(draw.next(199) + 1) as usize].clone()),
                issuer_name: String::new(),
                spec: SpecId::parse(&spec(draw.next(u64::from(agreements) * 5))).ok(),
                ects: Some((draw.next(8) + 1) as f64),
                eqf: Some((draw.next(5) + 4) as u8),
                field: Some(fields[draw.next(5) as usize].into()),
                skills: (0..3).map(|_| skill(draw.next(50))).collect(),
                assessment: None,
                qa_internal: true,
                qa_external: false,
                identity_verification: None,
                grade: None,
                earned: Timestamp::from_unix(now.unix_seconds() - (draw.next(8 * 365) * 86_400) as i64, 0),
                standing: if draw.next(50) == 0 { Standing::Refused("revoked".into()) } else { Standing::Valid },
            });
            if learner.len() == 5 || idx + 1 == share {
                let started = std::time::Instant::now();
                let outcomes = recognizer.propose(&learner);
                evaluating += started.elapsed().as_secs_f64();
                for outcome in outcomes {
                    proposals += outcome.proposals.len() as u64;
                    refused += u64::from(outcome.refused.is_some());
                    tried += outcome.tried.len() as u64;
                }
                learner.clear();
            }
        }
        (proposals, refused, tried, evaluating)
    };
    let started = std::time::Instant::now();
    let results: Vec<(u64, u64, u64, f64)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|thread| scope.spawn(move || run(thread))).collect();
        handles.into_iter().map(|handle| handle.join().expect("a bench thread finishes")).collect()
    });
    let seconds = started.elapsed().as_secs_f64();
    let (proposals, refused, tried, evaluating) =
        results.iter().fold((0, 0, 0, 0.0), |sum, one| (sum.0 + one.0, sum.1 + one.1, sum.2 + one.2, sum.3 + one.3));
    println!(
        "recognition: {credentials} credentials (5 per learner) against {agreements} agreements among 200 institutions, on {threads} threads"
    );
    println!(
        "  {seconds:.2} s in all, making the credentials included: {:.0} credentials/s (target: 1,000,000 in under 10 s)",
        f64::from(credentials) / seconds
    );
    println!(
        "  evaluation alone {evaluating:.2} s of thread time: {:.0} credentials/s per thread; {tried} rules tried, {proposals} proposals, {refused} refused",
        f64::from(credentials) / evaluating
    );
    println!("  peak memory {} MiB", mib(peak_kib()));
    Ok(())
}
