-- Who may do what, and the work the server does in the background.
-- Secrets (API tokens, session cookies, sign-in links) are stored as their SHA-256 only;
-- passwords as argon2 hashes. Expiry times are Unix seconds, so they compare as numbers.

CREATE TABLE api_tokens (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    role           TEXT NOT NULL,
    label          TEXT NOT NULL,
    secret_hash    TEXT NOT NULL UNIQUE,
    created_at     TEXT NOT NULL,
    revoked_at     TEXT
);

CREATE INDEX api_tokens_institution_id ON api_tokens (institution_id);

CREATE TABLE staff (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    email          TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    created_at     TEXT NOT NULL
);

-- Signed-in browsers: a staff member or a learner.
CREATE TABLE sessions (
    secret_hash TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    subject_id  TEXT NOT NULL,
    csrf        TEXT NOT NULL,
    expires_at  INTEGER NOT NULL
);

-- One-time sign-in links for learners.
CREATE TABLE sign_in_links (
    secret_hash TEXT PRIMARY KEY,
    learner_id  TEXT NOT NULL REFERENCES learners (id),
    expires_at  INTEGER NOT NULL,
    used        INTEGER NOT NULL DEFAULT 0
);

-- Links a learner made to show one credential publicly, until they expire.
CREATE TABLE share_links (
    id            TEXT PRIMARY KEY,
    credential_id TEXT NOT NULL REFERENCES credentials (id),
    created_at    TEXT NOT NULL,
    expires_at    INTEGER NOT NULL
);

CREATE INDEX share_links_credential_id ON share_links (credential_id);

-- Answers to API requests made with an Idempotency-Key, per institution.
CREATE TABLE idempotent_requests (
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    idem_key       TEXT NOT NULL,
    request_hash   TEXT NOT NULL,
    status         INTEGER NOT NULL,
    response       TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (institution_id, idem_key)
);

-- Cohort issuing jobs, taken by any server process that shares the database. A job is held
-- by one worker while its lease lasts; a job whose lease ran out is taken again and resumed
-- (its credentials are issued once per specification, learner and cohort key).
CREATE TABLE cohort_jobs (
    id              TEXT PRIMARY KEY,
    institution_id  TEXT NOT NULL REFERENCES institutions (id),
    spec_id         TEXT NOT NULL REFERENCES specs (id),
    cohort_key      TEXT NOT NULL,
    suite           TEXT NOT NULL,
    rows            TEXT NOT NULL,
    state           TEXT NOT NULL,
    total           INTEGER NOT NULL,
    processed       INTEGER NOT NULL DEFAULT 0,
    issued          INTEGER NOT NULL DEFAULT 0,
    skipped         INTEGER NOT NULL DEFAULT 0,
    rejected        TEXT NOT NULL,
    error           TEXT,
    worker          TEXT,
    lease_until     INTEGER,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE INDEX cohort_jobs_state ON cohort_jobs (state, created_at);
