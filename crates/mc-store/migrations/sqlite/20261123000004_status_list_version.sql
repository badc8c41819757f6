-- A status list's version goes up whenever a credential in it changes state, so a signed list
-- can be cached until then.

ALTER TABLE status_lists ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
