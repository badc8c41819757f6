//! Credential offers to learners' wallets: the offer with its hashed secrets, the single
//! exchange of its pre-authorized code for an access token, what it delivered, and the nonces
//! key proofs must carry. Times are Unix seconds.

use std::ops::DerefMut;

use sqlx::{AnyConnection, Row, any::AnyRow};

use crate::{Db, StoreError};

/// A stored credential offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletOfferRecord {
    /// The offer's id.
    pub id: String,
    /// The credential it offers.
    pub credential_id: String,
    /// SHA-256 of the pre-authorized code.
    pub code_hash: String,
    /// SHA-256 of the transaction code.
    pub tx_code_hash: String,
    /// How many wrong transaction codes were given.
    pub failures: u32,
    /// When it was made.
    pub created_at: i64,
    /// Until when its code can be exchanged.
    pub expires_at: i64,
    /// When its code was exchanged for a token, if it was.
    pub redeemed_at: Option<i64>,
    /// SHA-256 of the access token, once exchanged.
    pub token_hash: Option<String>,
    /// Until when the access token is good.
    pub token_expires_at: Option<i64>,
    /// The thumbprint of the key the access token is bound to, when it is (DPoP).
    pub token_jkt: Option<String>,
}

/// A statement over every column of an offer, in [`offer_from_row`]'s names.
macro_rules! offers {
    ($head:literal, $tail:literal) => {
        concat!(
            $head,
            "id, credential_id, code_hash, tx_code_hash, failures, created_at, expires_at, redeemed_at, token_hash, \
             token_expires_at, token_jkt",
            $tail
        )
    };
}

fn offer_from_row(row: &AnyRow) -> Result<WalletOfferRecord, StoreError> {
    Ok(WalletOfferRecord {
        id: row.try_get("id")?,
        credential_id: row.try_get("credential_id")?,
        code_hash: row.try_get("code_hash")?,
        tx_code_hash: row.try_get("tx_code_hash")?,
        failures: row.try_get::<i64, _>("failures")?.clamp(0, i64::from(u32::MAX)) as u32,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        redeemed_at: row.try_get("redeemed_at")?,
        token_hash: row.try_get("token_hash")?,
        token_expires_at: row.try_get("token_expires_at")?,
        token_jkt: row.try_get("token_jkt")?,
    })
}

impl<C: DerefMut<Target = AnyConnection> + Send> Db<C> {
    /// Stores a new offer. Fails with [`StoreError::Conflict`] when its id or code is taken and
    /// with [`StoreError::MissingReference`] when the credential is not stored.
    pub async fn insert_wallet_offer(&mut self, offer: &WalletOfferRecord) -> Result<(), StoreError> {
        sqlx::query(offers!("INSERT INTO wallet_offers (", ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"))
            .bind(&offer.id)
            .bind(&offer.credential_id)
            .bind(&offer.code_hash)
            .bind(&offer.tx_code_hash)
            .bind(i64::from(offer.failures))
            .bind(offer.created_at)
            .bind(offer.expires_at)
            .bind(offer.redeemed_at)
            .bind(&offer.token_hash)
            .bind(offer.token_expires_at)
            .bind(&offer.token_jkt)
            .execute(&mut *self.conn)
            .await
            .map_err(|err| StoreError::from_write("a wallet offer", &["code_hash", "id"], err))?;
        Ok(())
    }

    /// The offer whose pre-authorized code hashes to `code_hash`, used or not.
    pub async fn wallet_offer_by_code(&mut self, code_hash: &str) -> Result<Option<WalletOfferRecord>, StoreError> {
        let row = sqlx::query(offers!("SELECT ", " FROM wallet_offers WHERE code_hash = $1"))
            .bind(code_hash)
            .fetch_optional(&mut *self.conn)
            .await?;
        row.as_ref().map(offer_from_row).transpose()
    }

    /// The offer whose access token hashes to `token_hash`, while the token is good at `now`.
    pub async fn wallet_offer_by_token(
        &mut self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<WalletOfferRecord>, StoreError> {
        let row =
            sqlx::query(offers!("SELECT ", " FROM wallet_offers WHERE token_hash = $1 AND token_expires_at > $2"))
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&mut *self.conn)
                .await?;
        row.as_ref().map(offer_from_row).transpose()
    }

    /// How many offers of `credential_id` can still be taken at `now` (not exchanged, not
    /// expired, not voided by wrong transaction codes).
    pub async fn live_wallet_offers(
        &mut self,
        credential_id: &str,
        now: i64,
        max_failures: u32,
    ) -> Result<u64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) FROM wallet_offers WHERE credential_id = $1 AND redeemed_at IS NULL AND expires_at > $2 \
             AND failures < $3",
        )
        .bind(credential_id)
        .bind(now)
        .bind(i64::from(max_failures))
        .fetch_one(&mut *self.conn)
        .await?;
        Ok(row.try_get::<i64, _>(0)?.max(0) as u64)
    }

    /// Forgets the offers never taken that expired before `before`; how many.
    pub async fn forget_wallet_offers_before(&mut self, before: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM wallet_offers WHERE redeemed_at IS NULL AND expires_at < $1")
            .bind(before)
            .execute(&mut *self.conn)
            .await?;
        Ok(done.rows_affected())
    }

    /// Counts a wrong transaction code against an offer.
    pub async fn fail_wallet_offer(&mut self, id: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE wallet_offers SET failures = failures + 1 WHERE id = $1")
            .bind(id)
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    /// Exchanges an offer's code for the access token hashing to `token_hash`, good until
    /// `token_expires_at` and bound to the key `jkt` names when given: only once, before the
    /// offer expires, and while fewer than `max_failures` wrong transaction codes were given.
    /// Whether it was exchanged now.
    pub async fn redeem_wallet_offer(
        &mut self,
        id: &str,
        token_hash: &str,
        token_expires_at: i64,
        jkt: Option<&str>,
        now: i64,
        max_failures: u32,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE wallet_offers SET redeemed_at = $1, token_hash = $2, token_expires_at = $3, token_jkt = $6 \
             WHERE id = $4 AND redeemed_at IS NULL AND expires_at > $1 AND failures < $5",
        )
        .bind(now)
        .bind(token_hash)
        .bind(token_expires_at)
        .bind(id)
        .bind(i64::from(max_failures))
        .bind(jkt)
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records that an offer delivered a credential of `configuration`; `false` when it had
    /// already delivered one.
    pub async fn deliver_wallet_offer(&mut self, id: &str, configuration: &str, at: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO wallet_deliveries (offer_id, configuration, delivered_at) VALUES ($1, $2, $3) \
             ON CONFLICT (offer_id, configuration) DO NOTHING",
        )
        .bind(id)
        .bind(configuration)
        .bind(at)
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Stores a nonce (its hash) good until `expires_at`, and forgets those expired at `now`.
    pub async fn insert_wallet_nonce(&mut self, hash: &str, expires_at: i64, now: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM wallet_nonces WHERE expires_at <= $1").bind(now).execute(&mut *self.conn).await?;
        sqlx::query("INSERT INTO wallet_nonces (nonce_hash, expires_at) VALUES ($1, $2)")
            .bind(hash)
            .bind(expires_at)
            .execute(&mut *self.conn)
            .await
            .map_err(|err| StoreError::from_write("a wallet nonce", &["nonce_hash"], err))?;
        Ok(())
    }

    /// Uses up the nonce hashing to `hash`: whether it was there and good at `now`.
    pub async fn use_wallet_nonce(&mut self, hash: &str, now: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM wallet_nonces WHERE nonce_hash = $1 AND expires_at > $2")
            .bind(hash)
            .bind(now)
            .execute(&mut *self.conn)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
