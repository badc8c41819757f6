-- When a credential's state last changed (revoked, suspended, or the suspension lifted), so
-- that its pages can say when; empty for credentials never changed, and for those changed
-- before it was recorded.

ALTER TABLE credentials ADD COLUMN state_changed_at TEXT;
