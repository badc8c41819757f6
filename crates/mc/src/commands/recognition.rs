//! Recognition: `agreement` (store, sign, end, list, show) and `recognize` (explained proposals
//! for credentials, each verified first).

use std::{io::Write, path::PathBuf};

use anyhow::Context;
use mc_app::{Format, Operator, StoredAgreement, parse_document};
use mc_core::recognition::{AgreementDocument, CredentialOutcome, Grant};
use mc_vc::verify::Verification;
use serde_json::{Value, json};

use crate::{cli::AgreementCommand, input::read_input, output};

/// The most bytes an agreement file or a credential file may have.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// `agreement …`.
pub(super) async fn agreement(
    app: &Operator<'_>,
    command: &AgreementCommand,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    match command {
        AgreementCommand::Add { file, by } => {
            let text = read_input(file, MAX_FILE_BYTES)?;
            let format = Format::from_extension(file).unwrap_or_else(|| Format::sniff(&text));
            let document: AgreementDocument =
                parse_document(&text, format).with_context(|| format!("{file} was not read; nothing was stored"))?;
            let stored =
                app.add_agreement(&document, by, app.now()).await.with_context(|| format!("{file} was not stored"))?;
            let parties: Vec<&str> = stored.agreement.parties.iter().map(|party| party.as_str()).collect();
            writeln!(
                out,
                "stored agreement {} version {}; it is in force once {} have signed it",
                stored.agreement.id,
                stored.version,
                parties.join(", ")
            )?;
        }
        AgreementCommand::Sign { id, institution, by } => {
            let stored =
                app.sign_agreement(id, institution, by, app.now()).await.context("the agreement was not signed")?;
            let waiting: Vec<&str> = stored
                .signatures
                .iter()
                .filter(|(_, signed)| signed.is_none())
                .map(|(party, _)| party.as_str())
                .collect();
            match waiting.is_empty() {
                true => {
                    writeln!(out, "{institution} signed agreement {id} version {}; it is in force", stored.version)?
                }
                false => writeln!(
                    out,
                    "{institution} signed agreement {id} version {}; still to sign: {}",
                    stored.version,
                    waiting.join(", ")
                )?,
            }
        }
        AgreementCommand::End { id, institution, by } => {
            app.end_agreement(id, institution, by, app.now()).await.context("the agreement was not ended")?;
            writeln!(out, "{institution} ended agreement {id}; decisions already made stand")?;
        }
        AgreementCommand::List(json) => {
            let agreements = app.agreements().await?;
            match json.json {
                true => output::json(out, &agreements.iter().map(agreement_json).collect::<Vec<_>>())?,
                false => {
                    for stored in &agreements {
                        writeln!(
                            out,
                            "{}  version {}  {}  {}",
                            stored.agreement.id,
                            stored.version,
                            state(stored),
                            stored.agreement.title.iter().next().map(|(_, title)| title).unwrap_or_default()
                        )?;
                    }
                }
            }
        }
        AgreementCommand::Show { id, version, json } => {
            let stored = app.agreement(id, *version).await?;
            match json.json {
                true => output::json(out, &agreement_json(&stored))?,
                false => output::json(out, &stored.document)?,
            }
        }
    }
    Ok(())
}

fn state(stored: &StoredAgreement) -> &'static str {
    match (&stored.ended, stored.signed_by_all()) {
        (Some(_), _) => "ended",
        (None, true) => "signed by every party",
        (None, false) => "awaiting signatures",
    }
}

fn agreement_json(stored: &StoredAgreement) -> Value {
    json!({
        "id": stored.agreement.id,
        "version": stored.version,
        "state": state(stored),
        "signatures": stored.signatures.iter().map(|(party, at)| json!({"institution": party.as_str(), "signed_at": at.map(|at| at.to_rfc3339())})).collect::<Vec<_>>(),
        "ended": stored.ended.as_ref().map(|(party, at)| json!({"institution": party.as_str(), "at": at.to_rfc3339()})),
        "document": stored.document,
    })
}

fn grant_words(grant: &Grant, ects: f64) -> String {
    match grant {
        Grant::Course { code, name, .. } => {
            format!("the course {code} {} ({ects} ECTS)", name.iter().next().map(|(_, name)| name).unwrap_or_default())
        }
        Grant::Elective { .. } => format!("{ects} elective ECTS"),
    }
}

/// `recognize FILE... --institution ID`.
pub(super) async fn recognize(
    app: &Operator<'_>,
    files: &[PathBuf],
    institution: &str,
    as_json: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut texts = Vec::new();
    for file in files {
        texts.push(read_input(&file.display().to_string(), MAX_FILE_BYTES)?);
    }
    let results = app.recognize(institution, &texts, app.now()).await.context("nothing was proposed")?;
    if as_json {
        let answers: Vec<Value> = files
            .iter()
            .zip(&results)
            .map(|(file, (verification, outcome))| outcome_json(file, verification, outcome))
            .collect();
        return Ok(output::json(out, &answers)?);
    }
    for (file, (verification, outcome)) in files.iter().zip(&results) {
        writeln!(out, "{} ({}): verification {}", file.display(), outcome.credential, verdict(verification))?;
        if let Some(refused) = &outcome.refused {
            writeln!(out, "  not considered: {refused}")?;
            continue;
        }
        for proposal in &outcome.proposals {
            writeln!(
                out,
                "  proposed: {} under agreement {} (version {}), rule {}",
                grant_words(&proposal.grant, proposal.ects),
                proposal.agreement,
                proposal.version,
                proposal.rule
            )?;
        }
        if outcome.proposals.is_empty() {
            writeln!(out, "  nothing is proposed")?;
        }
        for tried in &outcome.tried {
            let result = if tried.matched { "matches" } else { "does not match" };
            writeln!(out, "  rule {} of {} {result}:", tried.rule, tried.agreement)?;
            for check in &tried.checks {
                writeln!(out, "    {} {}", if check.held { "✓" } else { "✗" }, check.said)?;
            }
            if let Some(note) = &tried.note {
                writeln!(out, "    but: {note}")?;
            }
        }
    }
    Ok(())
}

fn verdict(verification: &Verification) -> &'static str {
    match verification.verdict {
        mc_vc::verify::Verdict::Valid => "valid",
        mc_vc::verify::Verdict::Invalid => "invalid",
        mc_vc::verify::Verdict::Indeterminate => "indeterminate",
    }
}

fn outcome_json(file: &std::path::Path, verification: &Verification, outcome: &CredentialOutcome) -> Value {
    json!({
        "file": file.display().to_string(),
        "credential": outcome.credential,
        "verification": verification,
        "refused": outcome.refused,
        "proposals": outcome.proposals.iter().map(|proposal| json!({
            "agreement": proposal.agreement,
            "version": proposal.version,
            "rule": proposal.rule,
            "ects": proposal.ects,
            "grant": grant_words(&proposal.grant, proposal.ects),
        })).collect::<Vec<_>>(),
        "rules_tried": outcome.tried.iter().map(|tried| json!({
            "agreement": tried.agreement,
            "version": tried.version,
            "rule": tried.rule,
            "matched": tried.matched,
            "checks": tried.checks.iter().map(|check| json!({"held": check.held, "said": check.said})).collect::<Vec<_>>(),
            "note": tried.note,
        })).collect::<Vec<_>>(),
    })
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
pub(super) fn bench(credentials: u32, agreements: u32, peak_kib: fn() -> Option<u64>) -> anyhow::Result<()> {
    use mc_core::{
        InstitutionId, SpecId, Timestamp,
        recognition::{
            AgreementInForce, ConditionsDocument, CourseDocument, CredentialFacts, GrantDocument, Recognizer,
            RuleDocument, Standing,
        },
    };
    let mut draw = Draw(0x9e37_79b9_7f4a_7c15);
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
    let started = std::time::Instant::now();
    let recognizer = Recognizer::new(&home, &in_force, now);
    let (mut proposals, mut refused, mut tried) = (0u64, 0u64, 0u64);
    let mut learner = Vec::with_capacity(5);
    for idx in 0..u64::from(credentials) {
        learner.push(CredentialFacts {
            id: format!("urn:uuid:{idx}"),
            title: String::new(),
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
        if learner.len() == 5 || idx + 1 == u64::from(credentials) {
            for outcome in recognizer.propose(&learner) {
                proposals += outcome.proposals.len() as u64;
                refused += u64::from(outcome.refused.is_some());
                tried += outcome.tried.len() as u64;
            }
            learner.clear();
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "recognition: {credentials} credentials (5 per learner) against {agreements} agreements among 200 institutions"
    );
    println!(
        "  {seconds:.2} s: {:.0} credentials/s; {tried} rules tried, {proposals} proposals, {refused} refused",
        f64::from(credentials) / seconds
    );
    println!("  peak memory {} MiB", peak_kib().map_or("?".to_owned(), |kib| (kib / 1024).to_string()));
    Ok(())
}
