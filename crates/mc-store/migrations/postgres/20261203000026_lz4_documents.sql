-- Credential documents are compressed with LZ4 rather than PostgreSQL's default pglz, where the
-- server has it: a cohort's documents (6 KB each) are compressed as they are inserted, and pglz
-- took a quarter of the time a credential costs to issue. Documents stored before stay as they
-- are, readable either way.
DO $$
BEGIN
    IF 'lz4' = ANY (SELECT unnest(enumvals) FROM pg_settings WHERE name = 'default_toast_compression') THEN
        ALTER TABLE credentials ALTER COLUMN document SET COMPRESSION lz4;
        ALTER TABLE credentials ALTER COLUMN edc_document SET COMPRESSION lz4;
    END IF;
END
$$;
