-- Recognition decisions: what a home institution decided of a credential, under which version
-- of which agreement and rule; an accepted one keeps the signed decision credential issued.

CREATE TABLE recognition_decisions (
    id                TEXT PRIMARY KEY,
    institution_id    TEXT NOT NULL REFERENCES institutions (id),
    credential_id     TEXT NOT NULL,
    credential_digest TEXT NOT NULL,
    accepted          INTEGER NOT NULL CHECK (accepted IN (0, 1)),
    agreement_id      TEXT,
    agreement_version INTEGER,
    rule_id           TEXT,
    granted           TEXT,
    ects              REAL,
    reason            TEXT,
    decided_by        TEXT NOT NULL,
    decided_at        TEXT NOT NULL,
    document          TEXT
);
