-- Skills a registrar can pick for a learning outcome: ESCO's classification as the operator
-- imports it (`microcred skills import`), one preferred label per skill and language.

CREATE TABLE skills (
    uri      TEXT NOT NULL,
    language TEXT NOT NULL,
    label    TEXT NOT NULL,
    PRIMARY KEY (uri, language)
);
CREATE INDEX skills_by_language ON skills (language);
