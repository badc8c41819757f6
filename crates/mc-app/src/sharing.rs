//! Share links: a learner shows one of their credentials, or a selection of several, to anyone
//! who has the link, until it expires (or for good, when they choose so) or they withdraw it. A
//! revoked credential is not newly shared.

use mc_core::{CredentialState, Timestamp, ValueError};
use mc_store::ShareLinkRecord;

use crate::{App, AppError, IssuedCredential, LearnerAccess, MAX_SHARE_DAYS, ShareLink, access::new_secret};

/// The most credentials one link shows.
pub const MAX_SHARED: usize = 20;
/// The expiry stored for a link that does not expire: the last second of the year 9999.
pub(crate) const NEVER: i64 = 253_402_300_799;

impl LearnerAccess<'_> {
    /// Makes a link that shows one of the learner's credentials publicly for `days` days.
    pub async fn share(&self, credential_id: &str, days: u32, now: Timestamp) -> Result<ShareLink, AppError> {
        self.share_selection(&[credential_id], Some(days), now).await
    }

    /// Makes a link that shows a selection of the learner's credentials (1 to [`MAX_SHARED`],
    /// in this order, each once) publicly for `days` days, or until withdrawn when `None`. A
    /// revoked credential is refused.
    pub async fn share_selection(
        &self,
        credential_ids: &[&str],
        days: Option<u32>,
        now: Timestamp,
    ) -> Result<ShareLink, AppError> {
        let invalid = |what, message: String| AppError::invalid_argument(what, ValueError::new(message));
        let mut chosen: Vec<&str> = Vec::new();
        for id in credential_ids {
            if !chosen.contains(id) {
                chosen.push(id);
            }
        }
        if chosen.is_empty() || chosen.len() > MAX_SHARED {
            return Err(invalid("credentials", format!("choose 1 to {MAX_SHARED} credentials to share")));
        }
        let expires_at = match days {
            Some(days) if days == 0 || days > MAX_SHARE_DAYS => {
                return Err(invalid("days", format!("a link lasts 1 to {MAX_SHARE_DAYS} days, not {days}")));
            }
            Some(days) => now.unix_seconds() + i64::from(days) * 86_400,
            None => NEVER,
        };
        let mut credentials = Vec::with_capacity(chosen.len());
        for id in chosen {
            let credential = self.credential(id).await?;
            if credential.state() == CredentialState::Revoked {
                return Err(AppError::Conflict(format!(
                    "credential {} was revoked: it cannot be newly shared",
                    credential.id()
                )));
            }
            credentials.push(credential.id().to_owned());
        }
        let link = ShareLinkRecord {
            id: new_secret("")?,
            credentials,
            created_at: now.to_rfc3339(),
            expires_at,
            withdrawn_at: None,
        };
        let mut tx = self.app().store().begin().await?;
        tx.db().insert_share_link(&link).await?;
        tx.commit().await?;
        ShareLink::from_record(link)
    }

    /// The share links that show one of the learner's credentials, oldest first.
    pub async fn share_links(&self, credential_id: &str) -> Result<Vec<ShareLink>, AppError> {
        let credential = self.credential(credential_id).await?;
        let records = self.app().store().db().await?.share_links_of(credential.id()).await?;
        records.into_iter().map(ShareLink::from_record).collect()
    }

    /// Every share link the learner made, oldest first.
    pub async fn all_share_links(&self) -> Result<Vec<ShareLink>, AppError> {
        let learner = self.learner().id().to_string();
        let records = self.app().store().db().await?.share_links_of_learner(&learner).await?;
        records.into_iter().map(ShareLink::from_record).collect()
    }

    /// Withdraws one of the learner's share links: from now on it shows nothing.
    pub async fn withdraw_share_link(&self, link_id: &str, now: Timestamp) -> Result<ShareLink, AppError> {
        let not_found = || AppError::NotFound { what: "share link", id: link_id.to_owned() };
        let link = self.all_share_links().await?.into_iter().find(|link| link.id == link_id).ok_or_else(not_found)?;
        if !self.app().store().db().await?.withdraw_share_link(&link.id, &now.to_rfc3339()).await? {
            return Err(AppError::Conflict("this link was withdrawn already".into()));
        }
        Ok(ShareLink { withdrawn_at: Some(now), ..link })
    }
}

impl App {
    /// The credentials a share link shows, in order, while it lasts: open to anyone who has
    /// the link. An unknown, expired or withdrawn link is not found.
    pub async fn shared(&self, link_id: &str, now: Timestamp) -> Result<Vec<IssuedCredential>, AppError> {
        let gone = || AppError::NotFound { what: "shared credential", id: link_id.to_owned() };
        let record = self.store().db().await?.share_link(link_id).await?.ok_or_else(gone)?;
        let link = ShareLink::from_record(record)?;
        if !link.live(now) {
            return Err(gone());
        }
        let mut credentials = Vec::with_capacity(link.credentials.len());
        for id in &link.credentials {
            credentials.push(self.credential(id).await?);
        }
        Ok(credentials)
    }

    /// The address of a link that shows one credential and does not expire, made the first
    /// time it is asked for (a supplement's QR code opens it): its learner can withdraw it, and
    /// a withdrawn one is not made again by itself. A revoked credential gets none.
    pub async fn supplement_link(
        &self,
        credential: &IssuedCredential,
        now: Timestamp,
    ) -> Result<Option<String>, AppError> {
        let links = self.store().db().await?.share_links_of(credential.id()).await?;
        let own = links.into_iter().find(|link| link.credentials.len() == 1 && link.expires_at == NEVER);
        let id = match own {
            Some(link) if link.withdrawn_at.is_some() => return Ok(None),
            Some(link) => link.id,
            None if credential.state() == CredentialState::Revoked => return Ok(None),
            None => {
                let link = ShareLinkRecord {
                    id: new_secret("")?,
                    credentials: vec![credential.id().to_owned()],
                    created_at: now.to_rfc3339(),
                    expires_at: NEVER,
                    withdrawn_at: None,
                };
                let mut tx = self.store().begin().await?;
                tx.db().insert_share_link(&link).await?;
                tx.commit().await?;
                link.id
            }
        };
        Ok(Some(format!("{}/c/{id}", self.public_url())))
    }

    /// The one credential a share link shows, while it lasts; a link to several is refused.
    pub async fn shared_credential(&self, link_id: &str, now: Timestamp) -> Result<IssuedCredential, AppError> {
        let mut credentials = self.shared(link_id, now).await?;
        match credentials.len() {
            1 => Ok(credentials.remove(0)),
            many => Err(AppError::invalid_argument(
                "link",
                ValueError::new(format!("this link shares {many} credentials: open it to see each verified")),
            )),
        }
    }
}
