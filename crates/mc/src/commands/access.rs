//! Who may reach the data: the `token` commands (API tokens) and the `staff` commands (staff
//! accounts that sign in to the pages).

use std::io::Write;

use anyhow::Context;
use mc_app::Operator;

use crate::{
    cli::{StaffCommand, TokenCommand},
    output,
};

/// `token …`.
pub(super) async fn token(app: &Operator<'_>, command: &TokenCommand, out: &mut impl Write) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create { institution, role, network_admin: _, label } => {
            let token = match (institution, role) {
                (Some(institution), Some(role)) => {
                    let role = mc_app::Role::parse(role)?;
                    app.acting_for(institution).await?.create_token(role, label, app.now()).await?
                }
                _ => app.create_network_token(label, app.now()).await?,
            };
            eprintln!(
                "created API token {} ({}) for {}; its secret is shown this once:",
                token.token.id,
                token.token.role_name(),
                token.token.institution().map_or("the network", |institution| institution.as_str())
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
                            serde_json::json!({"id": token.id, "institution": token.institution().map(|i| i.as_str()),
                                "role": token.role_name(), "label": token.label,
                                "created_at": token.created_at.to_rfc3339(),
                                "revoked_at": token.revoked_at.map(|at| at.to_rfc3339())})
                        })
                        .collect();
                    writeln!(out, "{}", serde_json::to_string_pretty(&tokens)?)?;
                }
                false => output::token_table(out, &tokens)?,
            }
        }
        TokenCommand::Revoke { id } => {
            let token = app.revoke_token(id, app.now()).await?;
            let owner = token.institution().map_or("the network", |institution| institution.as_str());
            writeln!(out, "revoked API token {} of {owner}", token.id)?;
        }
    }
    Ok(())
}

/// `staff …`.
pub(super) async fn staff(app: &Operator<'_>, command: &StaffCommand, out: &mut impl Write) -> anyhow::Result<()> {
    let StaffCommand::Add { institution, email, name, role, network_admin: _ } = command;
    let mut password = String::new();
    std::io::stdin().read_line(&mut password).context("cannot read the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']);
    let member = match (institution, role) {
        (Some(institution), Some(role)) => Some((institution.as_str(), mc_app::Role::parse(role)?)),
        _ => None,
    };
    let staff = app.add_staff(member, email, name, password, app.now()).await?;
    let place = staff.holder.institution().map_or("the network", |institution| institution.as_str());
    writeln!(out, "added staff member {} ({}, {}) to {place}", staff.email, staff.id, staff.holder.role_name())?;
    Ok(())
}
