-- Issuer keys (secret halves sealed with the key-encryption key), status lists, and issued
-- credentials with their status entries. A status entry is claimed before its credential is
-- stored (the index goes into the signed credential), in the same transaction.

CREATE TABLE issuer_keys (
    id              TEXT PRIMARY KEY,
    institution_id  TEXT NOT NULL REFERENCES institutions (id),
    key_type        TEXT NOT NULL,
    public_key      TEXT NOT NULL,
    sealed_secret   BLOB NOT NULL,
    created_at      TEXT NOT NULL,
    retired_at      TEXT
);

CREATE INDEX issuer_keys_institution_id ON issuer_keys (institution_id);
-- At most one current key per institution.
CREATE UNIQUE INDEX issuer_keys_current ON issuer_keys (institution_id) WHERE retired_at IS NULL;

CREATE TABLE status_lists (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    purpose        TEXT NOT NULL,
    size           INTEGER NOT NULL,
    used           INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL
);

CREATE INDEX status_lists_institution_purpose ON status_lists (institution_id, purpose);

CREATE TABLE credentials (
    id              TEXT PRIMARY KEY,
    institution_id  TEXT NOT NULL REFERENCES institutions (id),
    spec_id         TEXT NOT NULL REFERENCES specs (id),
    learner_id      TEXT NOT NULL REFERENCES learners (id),
    cohort_key      TEXT NOT NULL,
    idempotency_key TEXT,
    issued_at       TEXT NOT NULL,
    state           TEXT NOT NULL,
    revocation_reason TEXT,
    document        TEXT NOT NULL,
    UNIQUE (spec_id, learner_id, cohort_key)
);

CREATE UNIQUE INDEX credentials_idempotency_key ON credentials (institution_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX credentials_learner_id ON credentials (learner_id);

CREATE TABLE status_entries (
    list_id       TEXT NOT NULL REFERENCES status_lists (id),
    idx           INTEGER NOT NULL,
    credential_id TEXT NOT NULL,
    purpose       TEXT NOT NULL,
    PRIMARY KEY (list_id, idx)
);

CREATE INDEX status_entries_credential_id ON status_entries (credential_id);
