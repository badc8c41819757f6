-- Credential offers to learners' wallets (OpenID4VCI, pre-authorized code flow). Secrets are
-- kept only as SHA-256 hashes: the pre-authorized code, the transaction code the learner types,
-- and the access token the code is exchanged for, once. Times are Unix seconds.
CREATE TABLE wallet_offers (
    id               TEXT PRIMARY KEY,
    credential_id    TEXT NOT NULL REFERENCES credentials (id),
    code_hash        TEXT NOT NULL UNIQUE,
    tx_code_hash     TEXT NOT NULL,
    failures         INTEGER NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    redeemed_at      BIGINT,
    token_hash       TEXT UNIQUE,
    token_expires_at BIGINT,
    -- The thumbprint of the key a DPoP-bound access token is bound to (RFC 9449), if it is.
    token_jkt        TEXT
);
CREATE INDEX wallet_offers_credential ON wallet_offers (credential_id);

-- What each offer delivered: one credential per configuration, at most.
CREATE TABLE wallet_deliveries (
    offer_id      TEXT NOT NULL REFERENCES wallet_offers (id),
    configuration TEXT NOT NULL,
    delivered_at  BIGINT NOT NULL,
    PRIMARY KEY (offer_id, configuration)
);

-- Nonces handed out by the nonce endpoint, each good for one key proof until it expires.
CREATE TABLE wallet_nonces (
    nonce_hash TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
CREATE INDEX wallet_nonces_expiry ON wallet_nonces (expires_at);
