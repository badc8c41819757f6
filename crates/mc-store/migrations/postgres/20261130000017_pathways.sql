-- Stacking pathways (a larger credential a learner's micro-credentials add up to), each kept as
-- its document; and the stacked credentials issued for them, once per pathway and learner: the
-- Open Badges credential, and the sealed European Digital Credential when the institution seals.

CREATE TABLE pathways (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    document       TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL
);

CREATE TABLE stacked_credentials (
    id           TEXT PRIMARY KEY,
    pathway_id   TEXT NOT NULL REFERENCES pathways (id),
    learner_id   TEXT NOT NULL REFERENCES learners (id),
    document     TEXT NOT NULL,
    edc_document TEXT,
    issued_at    TEXT NOT NULL
);

CREATE UNIQUE INDEX stacked_credentials_learner_id ON stacked_credentials (pathway_id, learner_id);
