-- The network's administrator signs in to the pages too: a staff account of no institution,
-- whose role is `network-admin`.

ALTER TABLE staff ALTER COLUMN institution_id DROP NOT NULL;

ALTER TABLE staff
    ADD CONSTRAINT staff_network_admin CHECK ((institution_id IS NULL) = (role = 'network-admin'));
