-- Which specification each catalogue change was about, by the catalogue counter's value it
-- moved to: a process whose index is at version v applies the changes after v one
-- specification at a time instead of building its index anew. A change that is about no one
-- specification (an agreement stored, signed or ended) moves the counter without a row here,
-- and the gap tells a process to build its index anew. Only the latest changes are kept.

CREATE TABLE catalogue_changes (
    version INTEGER PRIMARY KEY,
    spec_id TEXT NOT NULL
);
