-- A status list is signed as the issuer of the credentials in it: for an institution known by
-- the did:key of its key, that is the key the list was made under, so each list records it.
-- Lists made before have none; the key that was current when they were made is theirs.

ALTER TABLE status_lists ADD COLUMN key_id TEXT;
