//! The `audit` commands: checking the hash chain of the audit log and printing its entries.

use std::io::Write;

use mc_app::Operator;

use crate::{cli::AuditCommand, output};

/// `audit …`.
pub(super) async fn run(app: &Operator<'_>, command: &AuditCommand, out: &mut impl Write) -> anyhow::Result<()> {
    match command {
        AuditCommand::Verify => match app.verify_audit().await? {
            Ok(entries) => writeln!(out, "the audit log is intact: {entries} entries, each chained to the one before")?,
            Err(broken) => anyhow::bail!("the audit log has been tampered with: {broken}"),
        },
        AuditCommand::List(flag) => {
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
                    output::json(out, &entries)?;
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
    }
    Ok(())
}
