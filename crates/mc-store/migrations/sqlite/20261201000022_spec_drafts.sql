-- A specification document saved from the editor while it does not yet read as a
-- specification (a required element missing, a value out of range): kept, as the registrar
-- wrote it, until it is mended and saved as a specification, which removes it. Never published
-- or issued; its id is the specification's it will become, or is an edit of.

CREATE TABLE spec_drafts (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    document       TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX spec_drafts_by_institution ON spec_drafts (institution_id, updated_at);
