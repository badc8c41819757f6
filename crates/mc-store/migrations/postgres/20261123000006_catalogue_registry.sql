-- The catalogue: a specification is a draft until published (published_at, Unix seconds).
-- Specifications stored before drafts existed were all listed, so they stay published.
-- change_counters go up whenever the catalogue or the trusted-issuer list changes, so
-- that every process can tell when its in-memory copy is stale.

ALTER TABLE specs ADD COLUMN published_at BIGINT;
UPDATE specs SET published_at = CAST(EXTRACT(EPOCH FROM now()) AS BIGINT);

CREATE TABLE change_counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO change_counters (name, value) VALUES ('catalogue', 1), ('trust', 1);

-- The network's registry: an institution's accreditation and quality-assurance facts.
CREATE TABLE accreditations (
    institution_id TEXT PRIMARY KEY REFERENCES institutions (id),
    qa_body        TEXT NOT NULL,
    status         TEXT NOT NULL,
    valid_from     TEXT NOT NULL,
    valid_until    TEXT,
    register_id    TEXT,
    updated_by     TEXT NOT NULL,
    updated_at     BIGINT NOT NULL
);

-- The trusted-issuer list: institutions of this network (their DIDs come from their keys) and
-- issuers imported from partner networks (with the DIDs their list gave). An issuer that left
-- keeps its row with trusted_until set: credentials issued before then are still trusted.
CREATE TABLE trusted_issuers (
    id                TEXT PRIMARY KEY,
    institution_id    TEXT UNIQUE REFERENCES institutions (id),
    name              TEXT NOT NULL,
    country           TEXT NOT NULL,
    network           TEXT NOT NULL,
    dids              TEXT NOT NULL,
    seal_certificates TEXT NOT NULL,
    trusted_from      BIGINT NOT NULL,
    trusted_until     BIGINT,
    updated_at        BIGINT NOT NULL
);
