-- Recognition agreements. Every stored edit of an agreement is its next version, kept whole;
-- a party's admin signs one version, and an agreement is in force when every party signed
-- its latest version. A party may end an agreement; decisions already made stand.

CREATE TABLE agreements (
    id         TEXT NOT NULL,
    version    INTEGER NOT NULL,
    document   TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE TABLE agreement_parties (
    agreement_id   TEXT NOT NULL,
    version        INTEGER NOT NULL,
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    signed_by      TEXT,
    signed_at      TEXT,
    PRIMARY KEY (agreement_id, version, institution_id),
    FOREIGN KEY (agreement_id, version) REFERENCES agreements (id, version)
);

CREATE TABLE agreement_endings (
    agreement_id   TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    ended_by       TEXT NOT NULL,
    ended_at       TEXT NOT NULL
);
