//! The `learner` commands: registering learners and listing them.

use std::io::Write;

use anyhow::Context;
use mc_app::Operator;
use mc_core::wire::LearnerDocument;

use crate::{cli::LearnerCommand, output};

/// `learner …`.
pub(super) async fn run(app: &Operator<'_>, command: &LearnerCommand, out: &mut impl Write) -> anyhow::Result<()> {
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
