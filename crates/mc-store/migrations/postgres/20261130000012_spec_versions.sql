-- Specifications are versioned: every stored edit makes a new version, each version's document
-- is kept, and a credential names the version it was issued from (NULL for the credentials
-- issued before versions were recorded: which one they came from is not known).

ALTER TABLE specs ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

CREATE TABLE spec_versions (
    spec_id  TEXT NOT NULL REFERENCES specs (id),
    version  BIGINT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (spec_id, version)
);

INSERT INTO spec_versions (spec_id, version, document) SELECT id, 1, document FROM specs;

ALTER TABLE credentials ADD COLUMN spec_version BIGINT;
