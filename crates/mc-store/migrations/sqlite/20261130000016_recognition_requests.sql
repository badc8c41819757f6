-- Recognition requests: a learner asks an institution to recognise a credential (one of their
-- own, or one from elsewhere, kept as given); the institution's decision answers it, once.

CREATE TABLE recognition_requests (
    id                TEXT PRIMARY KEY,
    learner_id        TEXT NOT NULL REFERENCES learners (id),
    institution_id    TEXT NOT NULL REFERENCES institutions (id),
    credential        TEXT NOT NULL,
    credential_digest TEXT NOT NULL,
    title             TEXT NOT NULL,
    issued_id         TEXT REFERENCES credentials (id),
    note              TEXT,
    requested_at      TEXT NOT NULL,
    decision_id       TEXT UNIQUE REFERENCES recognition_decisions (id)
);

CREATE INDEX recognition_requests_institution ON recognition_requests (institution_id, requested_at);
CREATE INDEX recognition_requests_learner ON recognition_requests (learner_id, requested_at);
CREATE UNIQUE INDEX recognition_requests_credential_digest
    ON recognition_requests (learner_id, institution_id, credential_digest);
