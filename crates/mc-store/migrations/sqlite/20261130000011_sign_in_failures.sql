-- Failed sign-ins, counted per account (and per address), so that guessing slows down for
-- every process that shares the database. A success clears the count.

CREATE TABLE sign_in_failures (
    subject  TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_at  BIGINT NOT NULL
);
