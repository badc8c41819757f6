//! `microcred serve`: binds, logs the address, serves until Ctrl-C or SIGTERM.

use anyhow::Context;
use mc_app::App;

use crate::{cli::ServeArgs, output};

pub(crate) async fn run(app: App, args: &ServeArgs) -> anyhow::Result<()> {
    let sign_ins = match args.demo {
        true => {
            let summary = app.operator().load_demo(app.now()).await?;
            tracing::info!("{}", output::demo_summary(&summary));
            app.operator().load_demo_accounts(app.now()).await?
        }
        false => Vec::new(),
    };
    let listener =
        tokio::net::TcpListener::bind(args.addr).await.with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr().context("cannot read the bound address")?;
    if args.demo {
        print_demo_guide(&format!("http://{addr}"), &sign_ins)?;
    }
    tracing::info!("listening on http://{addr}");
    let worker = mc_web::Worker { lease: std::time::Duration::from_secs(args.job_lease), ..mc_web::Worker::new() };
    mc_web::serve(app, listener, worker, shutdown_signal()).await.context("the server failed")?;
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
        guide.push_str(&format!("  {:<32} {}\n", sign_in.email, sign_in.institution));
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
