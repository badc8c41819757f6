//! Mail to learners: a credential issued to them (with the way to their learner space) and
//! their sign-in links, in the credential's language (English or Spanish). Mails are queued in
//! the transaction of what they tell of, once each, and sent by [`App::send_due_mails`] over
//! SMTP, tried again with growing waits while the mail server refuses them: sending never holds
//! up issuing, and a failing mail server loses none. Without a mail server configured, nothing
//! is queued, and sign-in links are written to the log instead.

use std::time::Duration;

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor, message::Mailbox, message::header::ContentType,
};
use mc_core::Timestamp;
use mc_store::{MailCounts, MailRecord};

use crate::{App, AppError};

/// How mails leave.
#[derive(Clone, Default)]
pub enum Mailer {
    /// No mail server: nothing is queued; the server writes sign-in links to its log.
    #[default]
    Log,
    /// Over SMTP.
    Smtp(std::sync::Arc<Smtp>),
}

/// A mail server and the sender.
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Log => f.write_str("Mailer::Log"),
            Mailer::Smtp(smtp) => write!(f, "Mailer::Smtp(from {})", smtp.from),
        }
    }
}

impl Mailer {
    /// Mail over SMTP. `url` names the server, port, TLS and credentials as lettre reads them:
    /// `smtp://host:25` (no TLS), `smtp://user:password@host:587?tls=required` (STARTTLS),
    /// `smtps://user:password@host:465` (TLS); `from` is the sender (`microcred
    /// <noreply@university.example>`).
    pub fn smtp(url: &str, from: &str) -> Result<Mailer, AppError> {
        let invalid = |what, message: String| AppError::invalid_argument(what, mc_core::ValueError::new(message));
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|err| invalid("SMTP URL", format!("{url:?} is not an SMTP server address: {err}")))?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        let from = from.parse().map_err(|err| invalid("sender", format!("{from:?} is not a mail address: {err}")))?;
        Ok(Mailer::Smtp(std::sync::Arc::new(Smtp { transport, from })))
    }

    /// Whether mails are sent (a mail server is configured).
    pub fn sends(&self) -> bool {
        matches!(self, Mailer::Smtp(_))
    }
}

/// How long a claimed mail is the sender's.
const LEASE_SECONDS: i64 = 120;
/// The longest wait between two attempts.
const MAX_WAIT: Duration = Duration::from_secs(3600);
/// How many mails are sent at once, each over its own connection.
const IN_FLIGHT: usize = 16;

/// A mail to queue.
pub(crate) struct Outgoing {
    pub(crate) key: String,
    pub(crate) recipient: String,
    pub(crate) subject: String,
    pub(crate) body: String,
}

impl Outgoing {
    /// The mail that tells a learner a credential was issued to them, with an offer to their
    /// wallet when it can go into one.
    pub(crate) fn issued(
        credential: &str,
        learner: &mc_core::Learner,
        title: &str,
        institution: &str,
        spanish: bool,
        public_url: &str,
        offer: Option<&crate::WalletOffer>,
    ) -> Outgoing {
        let day = |offer: &crate::WalletOffer| offer.expires_at.to_rfc3339().get(..10).unwrap_or_default().to_owned();
        let (subject, body) = match spanish {
            true => (
                format!("Su microcredencial: {title}"),
                format!(
                    "Hola, {}:\n\n{institution} le ha otorgado la microcredencial «{title}».\n\nEstá en su espacio \
                     personal, donde puede descargarla, compartirla y pedir que otras instituciones la reconozcan: \
                     {public_url}/learner/sign-in\n(escriba esta dirección de correo para recibir un enlace de acceso).\n\n\
                     {}Cualquiera puede comprobarla en {public_url}/verify\n",
                    learner.name(),
                    offer.map_or_else(String::new, |offer| format!(
                        "Para guardarla en su cartera digital (por ejemplo, la Cartera Europea de Identidad Digital), \
                         abra este enlace en el teléfono que tiene la cartera antes del {} (UTC); la cartera le pedirá \
                         el código {}. El enlace sirve una sola vez; en su espacio personal puede pedir otro.\n{}\n\n",
                        day(offer),
                        offer.tx_code,
                        offer.offer_uri
                    )),
                ),
            ),
            false => (
                format!("Your micro-credential: {title}"),
                format!(
                    "Hello {},\n\n{institution} has awarded you the micro-credential \"{title}\".\n\nIt is in your \
                     learner space, where you can download it, share it and ask other institutions to recognise it: \
                     {public_url}/learner/sign-in\n(enter this email address to get a sign-in link).\n\n{}Anyone can \
                     check it at {public_url}/verify\n",
                    learner.name(),
                    offer.map_or_else(String::new, |offer| format!(
                        "To keep it in your digital wallet (such as the EU Digital Identity Wallet), open this link on \
                         the phone that has the wallet before {} (UTC); the wallet will ask for the code {}. The link \
                         works once; your learner space gives you another.\n{}\n\n",
                        day(offer),
                        offer.tx_code,
                        offer.offer_uri
                    )),
                ),
            ),
        };
        Outgoing { key: format!("issued:{credential}"), recipient: learner.email().to_string(), subject, body }
    }

    /// The mail that carries a learner's sign-in link.
    pub(crate) fn sign_in(learner: &mc_core::Learner, link: &str, minutes: i64, spanish: bool) -> Outgoing {
        let (subject, body) = match spanish {
            true => (
                "Su enlace de acceso a microcred".to_owned(),
                format!(
                    "Hola, {}:\n\nPara entrar en su espacio personal, abra este enlace en los próximos {minutes} minutos:\n\n\
                     {link}\n\nSi no lo ha pedido usted, ignore este mensaje.\n",
                    learner.name()
                ),
            ),
            false => (
                "Your microcred sign-in link".to_owned(),
                format!(
                    "Hello {},\n\nTo open your learner space, follow this link within {minutes} minutes:\n\n{link}\n\n\
                     If you did not ask for it, ignore this message.\n",
                    learner.name()
                ),
            ),
        };
        // The key names the link by its hash: the secret is not kept beside the mail's text.
        let key = format!("sign-in:{}", crate::secret_hash(link));
        Outgoing { key, recipient: learner.email().to_string(), subject, body }
    }

    pub(crate) fn record(self, id: uuid::Uuid, now: Timestamp) -> MailRecord {
        MailRecord {
            id: id.to_string(),
            key: self.key,
            recipient: self.recipient,
            subject: self.subject,
            body: self.body,
            created_at: now.to_rfc3339(),
            attempts: 0,
        }
    }
}

impl App {
    /// The application sending mail with `mailer`.
    pub fn with_mailer(self, mailer: Mailer) -> App {
        App { mailer, ..self }
    }

    /// How mails leave.
    pub fn mailer(&self) -> &Mailer {
        &self.mailer
    }

    /// Sends the mails that are due until none is, [`IN_FLIGHT`] at a time: each is claimed
    /// under a lease (another process sending from the same database takes others), sent, and
    /// marked sent; one the mail server refuses is tried again after `retry` × 2^(attempts − 1),
    /// at most an hour, and the sending stops until the next call. Returns how many were sent.
    pub async fn send_due_mails(&self, retry: Duration) -> Result<usize, AppError> {
        let Mailer::Smtp(smtp) = &self.mailer else { return Ok(0) };
        let mut sent = 0;
        loop {
            let mut claimed = Vec::with_capacity(IN_FLIGHT);
            while claimed.len() < IN_FLIGHT {
                let now = self.now();
                let lease = now.unix_seconds() + LEASE_SECONDS;
                match self.store().db().await?.claim_mail(now.unix_seconds(), lease).await? {
                    Some(mail) => claimed.push(mail),
                    None => break,
                }
            }
            if claimed.is_empty() {
                return Ok(sent);
            }
            // A mail server answers the end of each mail after a round trip or more: mails are
            // sent side by side so that those waits overlap.
            let mut sending = tokio::task::JoinSet::new();
            for mail in claimed {
                let smtp = std::sync::Arc::clone(smtp);
                sending.spawn(async move {
                    let outcome = deliver(&smtp.transport, &smtp.from, &mail).await;
                    (mail, outcome)
                });
            }
            let mut refused = false;
            while let Some(done) = sending.join_next().await {
                let (mail, outcome) =
                    done.map_err(|err| AppError::Unavailable(format!("a mail was not sent: {err}")))?;
                match outcome {
                    Ok(()) => {
                        self.store().db().await?.mail_sent(&mail.id, &self.now().to_rfc3339()).await?;
                        tracing::info!(mail.id = %mail.id, "mail sent");
                        sent += 1;
                    }
                    Err(why) => {
                        let wait =
                            retry.saturating_mul(2u32.saturating_pow(mail.attempts.saturating_sub(1))).min(MAX_WAIT);
                        let retry_at = self.now().unix_seconds() + i64::try_from(wait.as_secs()).unwrap_or(3600).max(1);
                        tracing::warn!(mail.id = %mail.id, attempts = mail.attempts, error = %why, "mail not sent; will try again");
                        self.store().db().await?.mail_failed(&mail.id, &why, retry_at).await?;
                        refused = true;
                    }
                }
            }
            if refused {
                // The server refuses for now: wait before the next mails too.
                return Ok(sent);
            }
        }
    }

    /// How many mails wait and how many were sent.
    pub async fn mail_counts(&self) -> Result<MailCounts, AppError> {
        Ok(self.store().db().await?.mail_counts().await?)
    }
}

async fn deliver(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    mail: &MailRecord,
) -> Result<(), String> {
    let to: Mailbox =
        mail.recipient.parse().map_err(|err| format!("the recipient {:?} is not an address: {err}", mail.recipient))?;
    let message = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body.clone())
        .map_err(|err| format!("the mail cannot be written: {err}"))?;
    transport.send(message).await.map(|_| ()).map_err(|err| err.to_string())
}
