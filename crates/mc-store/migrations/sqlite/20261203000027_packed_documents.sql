-- A cohort's credentials differ from one another in a few hundred bytes (ids, learner, dates,
-- status entries, proof), yet each document, about 6 KB, took two pages. A credential stored
-- with others in one statement may now be kept packed: its document compressed with LZ4 using
-- the document of the first credential of that statement, its base, as the dictionary (base64,
-- under 500 bytes). document_base names the base, whose own document is kept as written.
-- Documents are never changed, and a base cannot go while a credential is packed on it.
ALTER TABLE credentials ADD COLUMN document_base TEXT REFERENCES credentials (id);
