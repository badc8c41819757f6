-- Co-awarding consent: a specification that names another institution as an awarding body
-- stays a draft until that institution's admin accepts; `declined` keeps it a draft.

CREATE TABLE spec_consents (
    spec_id        TEXT NOT NULL REFERENCES specs (id),
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    state          TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'declined')),
    requested_at   BIGINT NOT NULL,
    decided_at     BIGINT,
    decided_by     TEXT,
    PRIMARY KEY (spec_id, institution_id)
);

CREATE INDEX spec_consents_institution_id ON spec_consents (institution_id);
