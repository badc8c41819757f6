-- Mails to learners (a credential issued, a sign-in link), queued in the transaction of what
-- they tell of and sent by any server process, retried until the mail server takes them. A
-- mail's key makes it once: the same credential is not told of twice.

CREATE TABLE mails (
    id              TEXT PRIMARY KEY,
    mail_key        TEXT NOT NULL UNIQUE,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until     BIGINT,
    sent_at         TEXT,
    last_error      TEXT
);

CREATE INDEX mails_due ON mails (next_attempt_at) WHERE sent_at IS NULL;
