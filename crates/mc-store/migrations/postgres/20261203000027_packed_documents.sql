-- A cohort's credentials differ from one another in a few hundred bytes (ids, learner, dates,
-- status entries, proof), yet each document, 6 KB for a badge and 20 KB for a sealed EDC, took
-- pages of its own. A credential stored with others in one statement may now be kept packed:
-- its document compressed with LZ4 using the same column of the first credential of that
-- statement, its base, as the dictionary (base64, under 1 KB). document_base and
-- edc_document_base name the base of document and edc_document; the base keeps its own as
-- written. Documents are never changed, and a base cannot go while a credential is packed on it.
ALTER TABLE credentials ADD COLUMN document_base TEXT REFERENCES credentials (id);
ALTER TABLE credentials ADD COLUMN edc_document_base TEXT REFERENCES credentials (id);
