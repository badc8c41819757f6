-- A share link shows one credential or a selection of several, in order, until it expires or
-- the learner withdraws it. `share_links.credential_id` stays the first of them.

ALTER TABLE share_links ADD COLUMN withdrawn_at TEXT;

CREATE TABLE share_link_credentials (
    link_id       TEXT NOT NULL REFERENCES share_links (id),
    position      INTEGER NOT NULL,
    credential_id TEXT NOT NULL REFERENCES credentials (id),
    PRIMARY KEY (link_id, position)
);

CREATE INDEX share_link_credentials_credential_id ON share_link_credentials (credential_id);

INSERT INTO share_link_credentials (link_id, position, credential_id)
    SELECT id, 0, credential_id FROM share_links;
