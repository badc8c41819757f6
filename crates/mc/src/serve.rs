//! `microcred serve`: binds, logs the address, serves until Ctrl-C or SIGTERM.

use anyhow::Context;
use mc_app::App;

use crate::{cli::ServeArgs, output};

pub(crate) async fn run(app: App, args: &ServeArgs) -> anyhow::Result<()> {
    if args.demo {
        let summary = app.load_demo().await?;
        tracing::info!("{}", output::demo_summary(&summary));
    }
    let listener =
        tokio::net::TcpListener::bind(args.addr).await.with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr().context("cannot read the bound address")?;
    tracing::info!("listening on http://{addr}");
    mc_web::serve(app, listener, shutdown_signal()).await.context("the server failed")?;
    tracing::info!("stopped");
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
