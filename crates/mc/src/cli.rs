//! The command line, as clap parses it.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand};

/// microcred: describe, check, publish, issue and verify micro-credentials.
#[derive(Debug, Parser)]
#[command(name = "microcred", version, propagate_version = true)]
pub(crate) struct Cli {
    /// Directory for microcred's data: the embedded SQLite database and published files.
    #[arg(
        long,
        global = true,
        env = "MICROCRED_DATA",
        default_value = "./microcred-data",
        value_name = "DIR",
        hide_env_values = true
    )]
    pub(crate) data: PathBuf,

    /// Database URL: postgres://USER@HOST/DATABASE for PostgreSQL, or sqlite://PATH. By
    /// default, SQLite in the data directory.
    #[arg(long, global = true, env = "MICROCRED_DATABASE_URL", value_name = "URL", hide_env_values = true)]
    pub(crate) database_url: Option<String>,

    /// The URL this microcred is reached at from outside: status lists, sign-in links and share
    /// links point under it. `serve` defaults to the address it listens on; the other commands
    /// to http://127.0.0.1:8080.
    #[arg(long, global = true, env = "MICROCRED_PUBLIC_URL", value_name = "URL")]
    pub(crate) public_url: Option<String>,

    /// Run as if the time were this (RFC 3339) and stood still: for tests, which then need not
    /// wait for time to pass.
    #[arg(long, global = true, env = "MICROCRED_FIXED_TIME", value_name = "TIME", hide = true)]
    pub(crate) fixed_time: Option<String>,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create the data directory and the database, or bring its schema up to date.
    Init,
    /// Load the demo data set (institutions, with test seals named on the trusted-issuer list, specifications, learners, signed recognition agreements); running it again adds nothing.
    Demo,
    /// Manage institutions.
    #[command(subcommand)]
    Institution(InstitutionCommand),
    /// Manage micro-credential specifications.
    #[command(subcommand)]
    Spec(SpecCommand),
    /// Manage learners.
    #[command(subcommand)]
    Learner(LearnerCommand),
    /// Run the HTTP server.
    Serve(ServeArgs),
    /// Issue a credential to a learner.
    Issue(IssueArgs),
    /// Read issued credentials.
    #[command(subcommand)]
    Credential(CredentialCommand),
    /// Manage an institution's issuing keys and DID document.
    #[command(subcommand)]
    Issuer(IssuerCommand),
    /// Revoke a credential for good.
    Revoke {
        /// The credential's id.
        id: String,
        /// Why it is revoked (kept with the credential, not published).
        #[arg(long)]
        reason: String,
    },
    /// Suspend a credential until it is unsuspended.
    Suspend {
        /// The credential's id.
        id: String,
    },
    /// Lift a credential's suspension.
    Unsuspend {
        /// The credential's id.
        id: String,
    },
    /// Publish status list credentials.
    #[command(subcommand)]
    Status(StatusCommand),
    /// Search the catalogue of published specifications.
    Catalogue(CatalogueArgs),
    /// The network's registry of institutions' accreditation (for its administrator).
    #[command(subcommand)]
    Registry(RegistryCommand),
    /// The network's trusted-issuer list, which `verify` and the server use (for its
    /// administrator).
    #[command(subcommand)]
    Trust(TrustCommand),
    /// Read and check the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The skills registrars pick for learning outcomes (ESCO's classification).
    #[command(subcommand)]
    Skills(SkillsCommand),
    /// Recognition agreements between institutions: store, sign, end, read.
    #[command(subcommand)]
    Agreement(AgreementCommand),
    /// The printable supplement of an issued credential, with a QR code to its verification page
    /// and the signed credential inside (which `verify` takes).
    Supplement(SupplementArgs),
    /// Stacking pathways: how far a learner's credentials go towards a larger credential.
    #[command(subcommand)]
    Pathway(PathwayCommand),
    /// Propose what an institution recognises of credentials (each verified first) under the
    /// agreements in force, with the reasons.
    Recognize {
        /// Credential files (JSON: Open Badges 3.0, or a sealed European Digital Credential).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// The recognising (home) institution.
        #[arg(long)]
        institution: String,
        /// Accept the proposal for the credential (one FILE): the only one, or that of
        /// AGREEMENT/RULE; the signed recognition decision credential is printed (or written
        /// with -o).
        #[arg(long, value_name = "AGREEMENT/RULE", num_args = 0..=1, default_missing_value = "", requires = "by")]
        accept: Option<String>,
        /// Reject the recognition of the credential (one FILE), saying why.
        #[arg(long, value_name = "REASON", conflicts_with = "accept", requires = "by")]
        reject: Option<String>,
        /// Who decides (the recognition officer).
        #[arg(long)]
        by: Option<String>,
        /// Write the decision credential to FILE.
        #[arg(short = 'o', long = "output", value_name = "FILE", requires = "accept")]
        output: Option<PathBuf>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Manage an institution's API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage an institution's staff accounts (they sign in to the pages).
    #[command(subcommand)]
    Staff(StaffCommand),
    /// Generate signing keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Sign a credential with a Data Integrity proof.
    Sign(SignArgs),
    /// Verify credentials: exit 0 when all are valid, 1 when any is invalid, 2 when any could
    /// not be checked or read.
    Verify(VerifyArgs),
    /// Measure how fast microcred works on this machine.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("to").required(true).args(["learner", "cohort"])))]
pub(crate) struct IssueArgs {
    /// The specification's id.
    #[arg(long)]
    pub(crate) spec: String,
    /// The learner's id or email address.
    #[arg(long)]
    pub(crate) learner: Option<String>,
    /// The learner's name: with an email address in --learner, registers the learner when no
    /// learner has that address yet.
    #[arg(long, requires = "learner", conflicts_with = "cohort")]
    pub(crate) name: Option<String>,
    /// A cohort file: CSV with the columns name, email, did, grade, completion_date (name and
    /// email required), or a JSON array of objects with those keys.
    #[arg(long, value_name = "FILE", conflicts_with = "output")]
    pub(crate) cohort: Option<PathBuf>,
    /// What makes this cohort run unique (by default the cohort file's name): running it again
    /// issues nothing twice.
    #[arg(long, requires = "cohort")]
    pub(crate) cohort_key: Option<String>,
    /// Also write each credential of the cohort to DIR/<id>.json.
    #[arg(long, value_name = "DIR", requires = "cohort")]
    pub(crate) out: Option<PathBuf>,
    /// The cryptosuite of the proof.
    #[arg(long, value_enum, default_value_t = SuiteArg::EddsaRdfc2022)]
    pub(crate) suite: SuiteArg,
    /// What to issue: an Open Badges 3.0 credential, a European Digital Credential sealed with
    /// the institution's seal (see `issuer seal-import`, `issuer test-seal`), or both, naming
    /// each other. With `both`, -o FILE writes the badge to FILE and the EDC beside it
    /// (FILE.edc.json), and --out DIR writes <id>.json and <id>.edc.json.
    #[arg(long, value_enum, default_value_t = FormatArg::Ob3)]
    pub(crate) format: FormatArg,
    /// The grade achieved.
    #[arg(long)]
    pub(crate) grade: Option<String>,
    /// A key that makes the request idempotent: repeated with the same key it returns the same
    /// credential; with the same key and another specification or learner it is refused.
    #[arg(long, conflicts_with = "cohort")]
    pub(crate) idempotency_key: Option<String>,
    /// Write the credential to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum CredentialCommand {
    /// List issued credentials.
    List {
        /// Only this learner's (id or email).
        #[arg(long)]
        learner: Option<String>,
        /// Only this specification's.
        #[arg(long)]
        spec: Option<String>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Print one issued credential (the signed JSON).
    Show {
        /// The credential's id.
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum AuditCommand {
    /// Check the hash chain: exit 1 and name the first entry when one was edited, deleted or moved.
    Verify,
    /// Print every entry.
    List(JsonFlag),
}

#[derive(Debug, Subcommand)]
pub(crate) enum TokenCommand {
    /// Make a token; its secret is printed once, on standard output, and never stored.
    Create {
        /// The institution the token acts for.
        #[arg(long, required_unless_present = "network_admin", requires = "role")]
        institution: Option<String>,
        /// What it may do there: admin, issuer, recognition-officer or viewer.
        #[arg(long, requires = "institution")]
        role: Option<String>,
        /// A token of the network's administrator instead, who keeps the registry and the
        /// trusted-issuer list.
        #[arg(long, conflicts_with_all = ["institution", "role"])]
        network_admin: bool,
        /// What the token is for.
        #[arg(long, default_value = "API token")]
        label: String,
    },
    /// List an institution's tokens, or the network administrator's (ids and labels; secrets
    /// are not kept).
    List {
        /// The institution.
        #[arg(long, required_unless_present = "network_admin")]
        institution: Option<String>,
        /// The network administrator's tokens instead.
        #[arg(long, conflicts_with = "institution")]
        network_admin: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token: it is refused from then on.
    Revoke {
        /// The token's id.
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum StaffCommand {
    /// Add a staff member; the password (at least 10 characters) is read from standard input.
    Add {
        /// The institution they work for.
        #[arg(long, required_unless_present = "network_admin", requires = "role")]
        institution: Option<String>,
        /// Their email address, which they sign in with.
        #[arg(long)]
        email: String,
        /// Their name.
        #[arg(long)]
        name: String,
        /// What they may do there: admin, issuer, recognition-officer or viewer.
        #[arg(long, requires = "institution")]
        role: Option<String>,
        /// The network's administrator instead, who keeps the registry and the trusted-issuer
        /// list.
        #[arg(long, conflicts_with_all = ["institution", "role"])]
        network_admin: bool,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum StatusCommand {
    /// Rebuild, sign and write every status list credential to the data directory's status/.
    Publish,
}

#[derive(Debug, Subcommand)]
pub(crate) enum IssuerCommand {
    /// Retire the institution's current key and make a new one; old credentials still verify.
    RotateKey {
        /// The institution's id.
        institution: String,
    },
    /// Print the institution's DID document (for did:web institutions), with every key it has had.
    DidDocument {
        /// The institution's id.
        institution: String,
    },
    /// Import the institution's electronic seal for European Digital Credentials: its private
    /// key and certificate chain, as PEM files or as a PKCS#12 file whose password is read from
    /// standard input (kept sealed like the issuer keys). The certificate must carry the
    /// institution's legal identifier as its organisation identifier.
    SealImport {
        /// The institution's id.
        institution: String,
        /// The private key: PEM, PKCS#8 (`PRIVATE KEY`), SEC1 (`EC PRIVATE KEY`, P-256) or PKCS#1
        /// (`RSA PRIVATE KEY`, 2048 bits or more), unencrypted.
        #[arg(long, value_name = "FILE", requires = "certificate", required_unless_present = "pkcs12")]
        key: Option<PathBuf>,
        /// The certificate chain, PEM, the seal's certificate first.
        #[arg(long, value_name = "FILE", requires = "key")]
        certificate: Option<PathBuf>,
        /// A PKCS#12 file (.p12, .pfx) holding the key and its chain; its password is the first
        /// line of standard input.
        #[arg(long, value_name = "FILE", conflicts_with_all = ["key", "certificate"])]
        pkcs12: Option<PathBuf>,
    },
    /// Make a self-signed test seal for the institution (P-256, two years), marked "TEST SEAL":
    /// for trying European Digital Credentials, never for real ones.
    TestSeal {
        /// The institution's id.
        institution: String,
    },
    /// Show what the institution seals with.
    Seal {
        /// The institution's id.
        institution: String,
        #[command(flatten)]
        json: JsonFlag,
    },
}

#[derive(Debug, Args)]
pub(crate) struct SupplementArgs {
    /// The credential's id.
    pub(crate) id: String,
    /// The document's language: `en` or `es`.
    #[arg(long, default_value = "en", value_parser = ["en", "es"])]
    pub(crate) lang: String,
    /// `pdf` (PDF/A-3, A4, the signed credential attached) or `html` (a web page that prints
    /// on A4, the signed credential inside).
    #[arg(long, default_value = "pdf", value_parser = ["pdf", "html"])]
    pub(crate) format: String,
    /// Where to write it (standard output when not given).
    #[arg(short, long)]
    pub(crate) output: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum PathwayCommand {
    /// Check one learner's credentials (each verified first) against a pathway (TOML or JSON):
    /// which count, which do not and why, the ECTS counted and the skills missing.
    Check {
        /// The pathway document.
        pathway: String,
        /// The learner's credential files.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Store a pathway (TOML or JSON); learners see how far they are along it.
    Add {
        /// The pathway document; `-` reads standard input.
        file: String,
        /// Who stores it (kept with it).
        #[arg(long, default_value = "operator")]
        by: String,
    },
    /// List the stored pathways.
    List {
        #[command(flatten)]
        json: JsonFlag,
    },
    /// How far a registered learner is along a stored pathway, with the published
    /// micro-credentials that would take them further.
    Progress {
        /// The pathway's handle.
        pathway: String,
        /// The learner's email address.
        #[arg(long)]
        learner: String,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Issue a learner's stacked credential for a pathway they completed, naming its parts.
    Issue {
        /// The pathway's handle.
        pathway: String,
        /// The learner's email address.
        #[arg(long)]
        learner: String,
        /// Which document to write: the Open Badges credential (`ob3`), or the sealed European
        /// Digital Credential (`edc`), made when the institution has a seal.
        #[arg(long, default_value = "ob3", value_parser = ["ob3", "edc"])]
        format: String,
        /// Where to write it (standard output when not given).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum AgreementCommand {
    /// Store an agreement (TOML or JSON) as the next version of its id; every party signs it
    /// before it is in force.
    Add {
        /// The agreement document; `-` reads standard input.
        file: String,
        /// Who stores it (kept with the version).
        #[arg(long, default_value = "operator")]
        by: String,
    },
    /// Sign the latest version of an agreement for one of its parties.
    Sign {
        /// The agreement's id.
        id: String,
        /// The party signing.
        #[arg(long)]
        institution: String,
        /// Who signs, for the party (its admin).
        #[arg(long)]
        by: String,
    },
    /// End an agreement for one of its parties: it grants nothing from now on; decisions
    /// already made stand.
    End {
        /// The agreement's id.
        id: String,
        /// The party ending it.
        #[arg(long)]
        institution: String,
        /// Who ends it, for the party.
        #[arg(long)]
        by: String,
    },
    /// List agreements (their latest versions).
    List(JsonFlag),
    /// Show an agreement.
    Show {
        /// The agreement's id.
        id: String,
        /// A version other than the latest.
        #[arg(long, value_name = "N")]
        at_version: Option<u32>,
        #[command(flatten)]
        json: JsonFlag,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum KeyCommand {
    /// Print a new key pair as JSON (Multikey form, with its did:key).
    Generate {
        /// The key type.
        #[arg(long = "type", value_enum, default_value_t = KeyTypeArg::Ed25519)]
        key_type: KeyTypeArg,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum KeyTypeArg {
    /// Ed25519, for eddsa-rdfc-2022 and eddsa-jcs-2022.
    Ed25519,
    /// NIST P-256, for ecdsa-rdfc-2019 and ecdsa-jcs-2019.
    P256,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum FormatArg {
    /// An Open Badges 3.0 credential, signed with Data Integrity.
    Ob3,
    /// A European Digital Credential (ELM v3), sealed with JAdES.
    Edc,
    /// Both, naming each other.
    Both,
}

impl From<FormatArg> for mc_core::CredentialFormat {
    fn from(format: FormatArg) -> mc_core::CredentialFormat {
        match format {
            FormatArg::Ob3 => mc_core::CredentialFormat::OpenBadges,
            FormatArg::Edc => mc_core::CredentialFormat::Edc,
            FormatArg::Both => mc_core::CredentialFormat::Both,
        }
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum SuiteArg {
    /// RDF canonicalization (RDFC-1.0) with Ed25519; what Open Badges 3.0 conformance requires.
    #[value(name = "eddsa-rdfc-2022")]
    EddsaRdfc2022,
    /// JSON canonicalization (RFC 8785) with Ed25519.
    #[value(name = "eddsa-jcs-2022")]
    EddsaJcs2022,
    /// RDF canonicalization with ECDSA on P-256.
    #[value(name = "ecdsa-rdfc-2019")]
    EcdsaRdfc2019,
    /// JSON canonicalization with ECDSA on P-256.
    #[value(name = "ecdsa-jcs-2019")]
    EcdsaJcs2019,
}

impl From<SuiteArg> for mc_vc::proof::Suite {
    fn from(suite: SuiteArg) -> mc_vc::proof::Suite {
        match suite {
            SuiteArg::EddsaRdfc2022 => mc_vc::proof::Suite::EddsaRdfc2022,
            SuiteArg::EddsaJcs2022 => mc_vc::proof::Suite::EddsaJcs2022,
            SuiteArg::EcdsaRdfc2019 => mc_vc::proof::Suite::EcdsaRdfc2019,
            SuiteArg::EcdsaJcs2019 => mc_vc::proof::Suite::EcdsaJcs2019,
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// The key file (as `key generate` prints it).
    #[arg(long, value_name = "KEYFILE")]
    pub(crate) key: PathBuf,
    /// The cryptosuite.
    #[arg(long, value_enum, default_value_t = SuiteArg::EddsaRdfc2022)]
    pub(crate) suite: SuiteArg,
    /// The verification method URL; by default the key's did:key.
    #[arg(long, value_name = "URL")]
    pub(crate) verification_method: Option<String>,
    /// The proof's creation time (RFC 3339); by default now.
    #[arg(long, value_name = "RFC3339")]
    pub(crate) created: Option<String>,
    /// For a presentation: the challenge the verifier gave, signed with it.
    #[arg(long)]
    pub(crate) challenge: Option<String>,
    /// For a presentation: the domain the verifier named, signed with it.
    #[arg(long)]
    pub(crate) domain: Option<String>,
    /// The credential, or presentation (signed by its holder, for authentication), to sign;
    /// `-` or nothing reads standard input.
    #[arg(default_value = "-")]
    pub(crate) file: String,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// Credential files or directories of them (.json, .jwt, .jws); `-` reads standard input.
    #[arg(default_value = "-")]
    pub(crate) inputs: Vec<PathBuf>,
    /// Print one JSON result per credential (JSON Lines when there are several).
    #[arg(long)]
    pub(crate) json: bool,
    /// Check validity at this time (RFC 3339) instead of now.
    #[arg(long, value_name = "RFC3339")]
    pub(crate) now: Option<String>,
    /// A trusted-issuer list ({"issuers": [{"id": "did:web:…", "name": "…"}]}, or the export of
    /// `microcred trust export`) instead of this network's own list.
    #[arg(long, value_name = "FILE")]
    pub(crate) trust: Option<PathBuf>,
    /// Resolve no keys over the network: did:web and https keys are then left undecided.
    #[arg(long)]
    pub(crate) offline: bool,
    /// A status list credential to check status against (repeatable); this microcred's own
    /// published lists are always used.
    #[arg(long = "status-list", value_name = "FILE")]
    pub(crate) status_lists: Vec<PathBuf>,
    /// A certificate (PEM or DER) that the seals of European Digital Credentials must chain to
    /// (repeatable). A seal that is intact but chains to none of them is not trusted.
    #[arg(long = "seal-anchor", value_name = "FILE")]
    pub(crate) seal_anchors: Vec<PathBuf>,
    /// For presentations: the challenge the holder must have signed.
    #[arg(long)]
    pub(crate) challenge: Option<String>,
    /// For presentations: the domain the holder must have signed.
    #[arg(long)]
    pub(crate) domain: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum BenchCommand {
    /// Sign and verify an Open Badges 3.0 credential of about 2 KB with each suite.
    Credentials {
        /// How many operations each measurement makes.
        #[arg(long, default_value_t = 2_000)]
        count: u32,
        /// Also verify this many credentials and report the memory used (0: skip).
        #[arg(long, default_value_t = 0)]
        memory_check: u32,
    },
    /// Build a catalogue of generated specifications in a fresh SQLite data directory (or the
    /// database given with --database-url) and report the index build time, the latency of a
    /// mixed set of searches with filters, and how soon a change made by another process is
    /// found.
    Catalogue {
        /// How many specifications.
        #[arg(long, default_value_t = 100_000)]
        specs: usize,
        /// How many searches.
        #[arg(long, default_value_t = 1_000)]
        queries: usize,
    },
    /// Evaluate generated credentials (five per learner) against generated recognition
    /// agreements (bilateral and network ones, three rules each) and report credentials per
    /// second and peak memory.
    Recognition {
        /// How many credentials.
        #[arg(long, default_value_t = 1_000_000)]
        credentials: u32,
        /// How many agreements.
        #[arg(long, default_value_t = 1_000)]
        agreements: u32,
    },
    /// Render supplement PDFs of credentials issued in a fresh SQLite data directory, as a
    /// learner's download does, and report PDFs per second and peak memory.
    Supplement {
        /// How many PDFs.
        #[arg(long, default_value_t = 1_000)]
        count: u32,
    },
    /// Serve a fresh SQLite data directory with the demo on a local port and load its verify
    /// endpoint from this process with a credential it issued; report verifications per second
    /// against the same verification in-process on every core, latency and errors.
    Serve {
        /// How long to load the endpoint, in seconds.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// How many connections send requests at once, each one after the other.
        #[arg(long, default_value_t = 16)]
        connections: usize,
    },
    /// Issue a cohort of generated learners into a fresh SQLite data directory (or the
    /// database given with --database-url) and report credentials per second and peak memory.
    Issue {
        /// How many credentials to issue.
        #[arg(long, default_value_t = 10_000)]
        count: u32,
        /// The cryptosuite.
        #[arg(long, value_enum, default_value_t = SuiteArg::EddsaRdfc2022)]
        suite: SuiteArg,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum InstitutionCommand {
    /// Register an institution, from flags or from a JSON or TOML file.
    Add(InstitutionAddArgs),
    /// List institutions.
    List(JsonFlag),
    /// Show one institution.
    Show {
        /// The institution's id.
        id: String,
        #[command(flatten)]
        json: JsonFlag,
    },
}

#[derive(Debug, Args)]
pub(crate) struct InstitutionAddArgs {
    /// A JSON or TOML institution document (see docs/spec-format.md); `-` reads standard input.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["id", "name", "name_lang", "country", "legal_id", "website", "did"])]
    pub(crate) file: Option<String>,
    /// The institution's handle: lowercase letters, digits and '-', such as `uca`.
    #[arg(long, required_unless_present = "file")]
    pub(crate) id: Option<String>,
    /// The institution's legal name.
    #[arg(long, required_unless_present = "file")]
    pub(crate) name: Option<String>,
    /// The language of --name.
    #[arg(long, default_value = "en", value_name = "TAG")]
    pub(crate) name_lang: String,
    /// ISO 3166-1 alpha-2 country code, such as ES.
    #[arg(long, required_unless_present = "file")]
    pub(crate) country: Option<String>,
    /// National register number, VAT number or Erasmus code.
    #[arg(long, required_unless_present = "file", value_name = "ID")]
    pub(crate) legal_id: Option<String>,
    /// The institution's website.
    #[arg(long, value_name = "URL")]
    pub(crate) website: Option<String>,
    /// The DID the institution issues as, such as did:web:uni.example.
    #[arg(long)]
    pub(crate) did: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum SpecCommand {
    /// Add a specification from a JSON or TOML file (`-` reads standard input), as a draft.
    Add {
        /// The file.
        file: String,
        /// Publish it in the catalogue too (refused while the quality check finds errors).
        #[arg(long)]
        publish: bool,
    },
    /// Set a specification's badge image: a PNG or an SVG (without scripts or outside content),
    /// at most 512 KiB. Without one, a picture is made from its title and institution.
    Image {
        /// The specification's id.
        id: String,
        /// The image file.
        file: PathBuf,
    },
    /// Replace a stored specification with a new version of its document (which names its id).
    Edit {
        /// The file; `-` reads standard input.
        file: String,
    },
    /// Check a specification against the Council Recommendation, the CMF, ECCOE and the
    /// output profiles; exits with 1 when the check finds errors.
    Check {
        /// A JSON or TOML document (`-` reads standard input), or a stored specification's id.
        spec: String,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Publish a specification in the catalogue (refused while the quality check finds errors).
    Publish {
        /// The specification's id.
        id: String,
    },
    /// Take a specification out of the catalogue; its credentials stay valid.
    Withdraw {
        /// The specification's id.
        id: String,
    },
    /// Export specifications (all, or those named) as microcred JSON or ELM JSON-LD.
    Export {
        /// The specifications' ids; none exports every one.
        ids: Vec<String>,
        /// The format.
        #[arg(long, value_enum, default_value_t = SpecFormat::Json)]
        format: SpecFormat,
    },
    /// Import specifications from microcred JSON (an array of documents) or ELM JSON-LD
    /// (learning achievement specifications or learning opportunities); each refused entry is
    /// reported and the rest are imported as drafts.
    Import {
        /// The file; `-` reads standard input.
        file: String,
        /// The format.
        #[arg(long, value_enum, default_value_t = SpecFormat::Json)]
        format: SpecFormat,
        /// The awarding body of ELM entries, which do not name one.
        #[arg(long, value_name = "INSTITUTION")]
        awarding_body: Option<String>,
        /// Publish each imported specification that the quality check finds no errors in.
        #[arg(long)]
        publish: bool,
    },
    /// List specifications.
    List(JsonFlag),
    /// Show one specification; with --json, the document `spec add` reads back unchanged.
    Show {
        /// The specification's id.
        id: String,
        /// Show this version of it (each edit makes a new one; a credential names the one it
        /// was issued from) instead of the current one.
        #[arg(long, value_name = "N")]
        at_version: Option<u32>,
        #[command(flatten)]
        json: JsonFlag,
    },
}

/// A format for specifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum SpecFormat {
    /// microcred's own document format (docs/spec-format.md).
    Json,
    /// European Learning Model JSON-LD: learning achievement specifications.
    Elm,
}

#[derive(Debug, Args)]
pub(crate) struct CatalogueArgs {
    /// Words to find in titles, descriptions and learning outcomes, in any language.
    #[arg(default_value = "")]
    pub(crate) query: String,
    /// EQF level (repeatable: levels are alternatives).
    #[arg(long)]
    pub(crate) eqf: Vec<String>,
    /// The fewest ECTS credits.
    #[arg(long)]
    pub(crate) ects_min: Option<f64>,
    /// The most ECTS credits.
    #[arg(long)]
    pub(crate) ects_max: Option<f64>,
    /// ISCED-F field code (its broad field is matched).
    #[arg(long)]
    pub(crate) isced: Vec<String>,
    /// Language of instruction.
    #[arg(long)]
    pub(crate) language: Vec<String>,
    /// Form of participation: online, onsite or blended.
    #[arg(long)]
    pub(crate) participation: Vec<String>,
    /// Awarding institution.
    #[arg(long)]
    pub(crate) institution: Vec<String>,
    /// Country of an awarding institution.
    #[arg(long)]
    pub(crate) country: Vec<String>,
    /// Skill URI of a learning outcome.
    #[arg(long)]
    pub(crate) skill: Vec<String>,
    /// An institution that recognises the specification under a recognition agreement in force.
    #[arg(long)]
    pub(crate) recognised: Vec<String>,
    /// How many results to show.
    #[arg(long, default_value_t = 20)]
    pub(crate) limit: usize,
    #[command(flatten)]
    pub(crate) json: JsonFlag,
}

#[derive(Debug, Subcommand)]
pub(crate) enum RegistryCommand {
    /// Record an institution's accreditation and quality-assurance facts.
    Set {
        /// The institution's id.
        institution: String,
        /// The quality-assurance or accreditation body.
        #[arg(long)]
        qa_body: String,
        /// accredited, provisional, expired or withdrawn.
        #[arg(long)]
        status: String,
        /// Since when (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        valid_from: String,
        /// Until when (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        valid_until: Option<String>,
        /// The institution's id in its national register.
        #[arg(long)]
        register_id: Option<String>,
    },
    /// List every institution's accreditation facts.
    List(JsonFlag),
}

#[derive(Debug, Subcommand)]
pub(crate) enum SkillsCommand {
    /// Import ESCO's skills file of one language (the CSV of ESCO's download, such as
    /// skills_es.csv), so that the specification form finds skills by their names in it.
    Import {
        /// The file; `-` reads standard input.
        file: String,
        /// The language of its names, such as es.
        #[arg(long)]
        language: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum TrustCommand {
    /// Put an institution of this network on the trusted-issuer list (or back on it).
    Add {
        /// The institution's id.
        institution: String,
        /// The SHA-256 fingerprint (hex) of one of its electronic seal certificates
        /// (repeatable).
        #[arg(long = "seal-certificate", value_name = "SHA256")]
        seal_certificates: Vec<String>,
    },
    /// Take an issuer off the list: what it issues from now on fails the trust check.
    Remove {
        /// The entry's id (an institution's id, or NETWORK:ID for an imported one).
        id: String,
    },
    /// Show the list.
    List(JsonFlag),
    /// Print the list as JSON for other verifiers (`verify --trust FILE` reads it).
    Export,
    /// Import a partner network's exported list; refused entries are reported, the rest kept.
    Import {
        /// The file; `-` reads standard input.
        file: String,
        /// A short name for the partner network, such as eu-net.
        #[arg(long)]
        network: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum LearnerCommand {
    /// Register a learner.
    Add {
        /// Full name.
        #[arg(long)]
        name: String,
        /// Email address, unique among learners.
        #[arg(long)]
        email: String,
        /// The DID the learner holds credentials as.
        #[arg(long)]
        did: Option<String>,
    },
    /// List learners.
    List(JsonFlag),
}

#[derive(Debug, Args)]
pub(crate) struct JsonFlag {
    /// Print JSON instead of text.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The address to listen on; port 0 picks a free port. Without --public-url, links point
    /// at this address (with the port bound).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub(crate) addr: SocketAddr,
    /// Load the demo data set, demo staff accounts and a few credentials before serving, and
    /// print where to start (nothing is added twice).
    #[arg(long)]
    pub(crate) demo: bool,
    /// Seconds a cohort job stays with this server without news before another server
    /// sharing the database resumes it.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub(crate) job_lease: u64,
    /// Days the answer to a request with an Idempotency-Key is remembered (a retry within them
    /// gets the same answer); older ones are forgotten at start and then hourly.
    #[arg(long, value_name = "DAYS", default_value_t = mc_app::IDEMPOTENCY_DAYS, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub(crate) idempotency_days: u32,
    /// A proxy (an address, or a network such as 10.0.0.0/8) that forwards requests to this
    /// server; repeat for each. Its `X-Forwarded-For` says which client a request comes from,
    /// for slowing down failed sign-ins per client. Without one, the address that connects is
    /// the client's (behind an unnamed proxy, every client would share the proxy's).
    #[arg(long, value_name = "ADDRESS[/PREFIX]", value_parser = mc_web::Network::parse)]
    pub(crate) trusted_proxy: Vec<mc_web::Network>,
    /// A certificate (PEM or DER) that the seals of European Digital Credentials must chain to,
    /// to be trusted by the verify endpoint and page (repeatable).
    #[arg(long = "seal-anchor", value_name = "FILE")]
    pub(crate) seal_anchors: Vec<std::path::PathBuf>,
    /// The mail server learners' mails go through: `smtp://host:25` (no TLS),
    /// `smtp://user:password@host:587?tls=required` (STARTTLS) or `smtps://user:password@host:465`
    /// (TLS). Without one, no mail is sent and sign-in links are written to the log.
    #[arg(long, value_name = "URL", env = "MICROCRED_SMTP_URL", hide_env_values = true, requires = "smtp_from")]
    pub(crate) smtp_url: Option<String>,
    /// The sender of learners' mails, such as `microcred <noreply@university.example>`.
    #[arg(long, value_name = "ADDRESS", env = "MICROCRED_SMTP_FROM")]
    pub(crate) smtp_from: Option<String>,
    /// The first wait before a mail the mail server refused is tried again; each further
    /// attempt waits twice as long, up to an hour.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0, hide = true)]
    pub(crate) mail_retry: f64,
}
