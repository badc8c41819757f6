-- European Digital Credentials. A credential is issued as an Open Badges 3.0 credential
-- ('ob3'), a JAdES-sealed European Digital Credential ('edc'), or both of one award ('both'):
-- `document` is the Open Badges credential, or the sealed EDC when that is all there is;
-- `edc_document` is the sealed EDC beside an Open Badges credential.
-- An institution seals with one seal key at a time: its certificate chain (PEM, the sealing
-- certificate first) and its PKCS#8 secret, sealed under the key-encryption key like the
-- issuer keys; a test seal is one microcred made, self-signed, never a real one.

ALTER TABLE credentials ADD COLUMN format TEXT NOT NULL DEFAULT 'ob3';
ALTER TABLE credentials ADD COLUMN edc_document TEXT;

CREATE TABLE seal_keys (
    institution_id TEXT PRIMARY KEY REFERENCES institutions (id),
    certificates   TEXT NOT NULL,
    sealed_secret  BLOB NOT NULL,
    test_seal      INTEGER NOT NULL CHECK (test_seal IN (0, 1)),
    created_at     TEXT NOT NULL
);

-- A cohort job issues its credentials in one format.
ALTER TABLE cohort_jobs ADD COLUMN format TEXT NOT NULL DEFAULT 'ob3';
