-- A specification's own badge image (PNG or SVG), base64; without one, a picture is generated
-- from its title and institution.

CREATE TABLE spec_images (
    spec_id    TEXT PRIMARY KEY REFERENCES specs (id),
    media_type TEXT NOT NULL CHECK (media_type IN ('image/png', 'image/svg+xml')),
    content    TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
