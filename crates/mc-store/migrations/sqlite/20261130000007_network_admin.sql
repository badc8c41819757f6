-- The network's administrator holds API tokens too: tokens of no institution, whose role is
-- `network-admin`. SQLite cannot drop a NOT NULL constraint, so the table is made anew.

CREATE TABLE api_tokens_new (
    id             TEXT PRIMARY KEY,
    institution_id TEXT REFERENCES institutions (id),
    role           TEXT NOT NULL,
    label          TEXT NOT NULL,
    secret_hash    TEXT NOT NULL UNIQUE,
    created_at     TEXT NOT NULL,
    revoked_at     TEXT,
    CHECK ((institution_id IS NULL) = (role = 'network-admin'))
);

INSERT INTO api_tokens_new (id, institution_id, role, label, secret_hash, created_at, revoked_at)
SELECT id, institution_id, role, label, secret_hash, created_at, revoked_at FROM api_tokens;

DROP TABLE api_tokens;

ALTER TABLE api_tokens_new RENAME TO api_tokens;

CREATE INDEX api_tokens_institution_id ON api_tokens (institution_id);
