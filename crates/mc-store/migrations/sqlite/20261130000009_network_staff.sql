-- The network's administrator signs in to the pages too: a staff account of no institution,
-- whose role is `network-admin`. SQLite cannot drop a NOT NULL constraint, so the table is
-- made anew.

CREATE TABLE staff_new (
    id             TEXT PRIMARY KEY,
    institution_id TEXT REFERENCES institutions (id),
    email          TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    CHECK ((institution_id IS NULL) = (role = 'network-admin'))
);

INSERT INTO staff_new (id, institution_id, email, name, role, password_hash, created_at)
SELECT id, institution_id, email, name, role, password_hash, created_at FROM staff;

DROP TABLE staff;

ALTER TABLE staff_new RENAME TO staff;
