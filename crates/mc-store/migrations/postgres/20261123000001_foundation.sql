-- Institutions, learners and micro-credential specifications.
-- Specifications are stored as their canonical JSON document, with the fields that are
-- filtered or sorted on copied into columns.

CREATE TABLE institutions (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    country          TEXT NOT NULL,
    legal_identifier TEXT NOT NULL UNIQUE,
    website          TEXT,
    did              TEXT UNIQUE,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE learners (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    email      TEXT NOT NULL UNIQUE,
    did        TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE specs (
    id            TEXT PRIMARY KEY,
    issuer_id     TEXT NOT NULL REFERENCES institutions (id),
    title         TEXT NOT NULL,
    eqf_level     BIGINT,
    ects          DOUBLE PRECISION,
    hours         BIGINT,
    isced_f       TEXT,
    participation TEXT NOT NULL,
    document      TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX specs_issuer_id ON specs (issuer_id);

CREATE TABLE spec_awarding_bodies (
    spec_id        TEXT NOT NULL REFERENCES specs (id) ON DELETE CASCADE,
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    position       BIGINT NOT NULL,
    PRIMARY KEY (spec_id, institution_id)
);

CREATE INDEX spec_awarding_bodies_institution_id ON spec_awarding_bodies (institution_id);
