//! `microcred serve`: binds, logs the address, serves until Ctrl-C or SIGTERM. Links point at
//! the address bound unless `--public-url` says otherwise.

use anyhow::Context;
use mc_app::App;

use crate::{
    cli::ServeArgs,
    config::{local_url, names_address},
    output,
};

/// Serves `app` on `args.addr`. Links (status lists, sign-in and share links) point at
/// `public_url` when given, else at the address bound.
pub(crate) async fn run(app: App, args: &ServeArgs, public_url: Option<&str>) -> anyhow::Result<()> {
    let seal_anchors = crate::input::read_seal_anchors(&args.seal_anchors)?;
    let listener =
        tokio::net::TcpListener::bind(args.addr).await.with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr().context("cannot read the bound address")?;
    let local = local_url(addr);
    let app = match public_url {
        None => {
            if addr.ip().is_unspecified() {
                tracing::warn!(
                    "listening on every interface ({addr}), so links point at {local}, which only this machine \
                     reaches: give --public-url (or MICROCRED_PUBLIC_URL) to say where others reach this server"
                );
            }
            app.with_public_url(&local)
        }
        Some(_) => {
            let url = app.public_url();
            match names_address(url, addr) {
                Some(true) => {}
                Some(false) => tracing::warn!(
                    "the public URL {url} is not the address this server listens on, http://{addr}: status lists, \
                     sign-in links and share links point at {url}, which must reach this server; leave \
                     --public-url (or MICROCRED_PUBLIC_URL) out to use the address served"
                ),
                None => tracing::info!("links point at {url}, which a proxy must forward to http://{addr}"),
            }
            app
        }
    };
    let app = match (&args.smtp_url, &args.smtp_from) {
        (Some(url), Some(from)) => {
            let mailer = mc_app::Mailer::smtp(url, from).context("cannot use the mail server")?;
            tracing::info!("learners' mails are sent from {from}");
            app.with_mailer(mailer)
        }
        _ => app,
    };
    let sign_ins = match args.demo {
        true => {
            let summary = app.operator().load_demo(app.now()).await?;
            tracing::info!("{}", output::demo_summary(&summary));
            app.operator().load_demo_accounts(app.now()).await?
        }
        false => Vec::new(),
    };
    if args.demo {
        print_demo_guide(&local, &sign_ins)?;
    }
    tracing::info!("listening on http://{addr}");
    let worker = mc_web::Worker {
        lease: std::time::Duration::from_secs(args.job_lease),
        idempotency_days: args.idempotency_days,
        mail_retry: std::time::Duration::from_secs_f64(args.mail_retry.clamp(0.01, 3600.0)),
        ..mc_web::Worker::new()
    };
    let options =
        mc_web::Options { trusted_proxies: args.trusted_proxy.clone(), seal_anchors, ..mc_web::Options::default() };
    mc_web::serve_with(app, listener, worker, options, shutdown_signal()).await.context("the server failed")?;
    tracing::info!("stopped");
    Ok(())
}

/// Tells a newcomer where to click and how to sign in, on standard error with the log.
fn print_demo_guide(base: &str, sign_ins: &[mc_app::DemoSignIn]) -> anyhow::Result<()> {
    let mut guide = format!(
        "\nmicrocred demo\n  home          {base}/\n  verify        {base}/verify\n  staff sign-in {base}/sign-in\n  learner space {base}/learner/sign-in\n  API           {base}/api/v1/openapi.json\n\nstaff accounts (password {:?}):\n",
        mc_app::DEMO_PASSWORD
    );
    for sign_in in sign_ins {
        guide.push_str(&format!("  {:<32} {}\n", sign_in.email, sign_in.account));
    }
    guide.push_str(&format!(
        "learner with credentials: {} (ask for a sign-in link; it is printed in this log)\n",
        mc_app::demo_learner_email()?
    ));
    eprintln!("{guide}");
    Ok(())
}

/// Completes on Ctrl-C or, on Unix, SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
