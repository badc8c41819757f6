-- The network's administrator holds API tokens too: tokens of no institution, whose role is
-- `network-admin`.

ALTER TABLE api_tokens ALTER COLUMN institution_id DROP NOT NULL;

ALTER TABLE api_tokens
    ADD CONSTRAINT api_tokens_network_admin CHECK ((institution_id IS NULL) = (role = 'network-admin'));
