//! Badge images: a specification's own image (a PNG or an SVG, size- and type-checked, set by
//! its institution), or a picture generated from its title and institution; issued Open Badges
//! credentials name it, and a learner downloads it with their credential baked in.

use base64::Engine as _;
use mc_core::{SpecId, Timestamp};
use mc_store::SpecImageRecord;
use mc_vc::bake::{self, ImageKind};

use crate::{App, AppError, IssuedCredential, IssuerAccess, Operator};

/// The largest image a specification may carry.
pub const MAX_SPEC_IMAGE_BYTES: usize = 512 * 1024;

/// A badge image and its media type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadgeImage {
    /// What it is.
    pub kind: ImageKind,
    /// The image.
    pub bytes: Vec<u8>,
}

impl App {
    /// Where a specification's badge image is published (the achievement's `image` of the Open
    /// Badges credentials issued from it).
    pub fn badge_url(&self, spec: SpecId) -> String {
        format!("{}/catalogue/{spec}/badge", self.public_url())
    }

    /// [`App::badge_url`] of a specification named by its id as given.
    pub fn badge_url_of(&self, raw_id: &str) -> Result<String, AppError> {
        let id = SpecId::parse(raw_id).map_err(|err| AppError::invalid_argument("specification id", err))?;
        Ok(self.badge_url(id))
    }

    /// A specification's badge image: its own, or, when it has none (or `kind` asks for the
    /// other kind), one generated from its title and first awarding body.
    pub async fn badge_image(&self, raw_id: &str, kind: Option<ImageKind>) -> Result<BadgeImage, AppError> {
        let spec = self.spec(raw_id).await?;
        if let Some(own) = self.store().db().await?.spec_image(spec.id()).await? {
            let damaged = |detail: String| mc_store::StoreError::Corrupt {
                what: "specification image",
                id: raw_id.into(),
                detail,
            };
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(own.content.as_bytes())
                .map_err(|err| damaged(err.to_string()))?;
            let own_kind = ImageKind::of(&bytes).ok_or_else(|| damaged("it is not an image".into()))?;
            if kind.is_none_or(|kind| kind == own_kind) {
                return Ok(BadgeImage { kind: own_kind, bytes });
            }
        }
        let bytes = match kind.unwrap_or(ImageKind::Svg) {
            ImageKind::Png => bake::badge_png(),
            ImageKind::Svg => {
                let institution = match spec.awarding_bodies().first() {
                    Some(body) => {
                        self.institution(body.as_str()).await?.name().best(spec.default_language()).to_owned()
                    }
                    None => String::new(),
                };
                bake::badge_svg(spec.title().best(spec.default_language()), &institution).into_bytes()
            }
        };
        Ok(BadgeImage { kind: kind.unwrap_or(ImageKind::Svg), bytes })
    }

    /// The badge image of a published specification, for anyone (what its credentials' `image`
    /// names); another is not found.
    pub async fn published_badge_image(&self, raw_id: &str) -> Result<BadgeImage, AppError> {
        let not_found = || AppError::NotFound { what: "published specification", id: raw_id.to_owned() };
        let spec = self.spec(raw_id).await.map_err(|_| not_found())?;
        match self.publication(&spec).await? {
            crate::Publication::Draft => Err(not_found()),
            crate::Publication::Published(_) => self.badge_image(raw_id, None).await,
        }
    }

    /// The badge image of an issued Open Badges credential, as `kind`, with the credential baked
    /// in. A credential issued as a European Digital Credential only has no badge to bake.
    pub async fn baked_badge(&self, credential: &IssuedCredential, kind: ImageKind) -> Result<BadgeImage, AppError> {
        let Some(badge) = credential.open_badge() else {
            return Err(AppError::NotFound { what: "Open Badges credential", id: credential.id().to_owned() });
        };
        let image = self.badge_image(&credential.spec_id().to_string(), Some(kind)).await?;
        let text = serde_json::to_string(badge).expect("a JSON map serializes");
        let bytes = bake::bake(&image.bytes, &text)
            .map_err(|err| AppError::Conflict(format!("the badge image cannot carry the credential: {err}")))?;
        Ok(BadgeImage { kind, bytes })
    }

    /// Sets a specification's own badge image, after checking it.
    async fn set_badge_image(&self, spec: SpecId, bytes: &[u8], now: Timestamp) -> Result<ImageKind, AppError> {
        let refuse = |why: String| AppError::invalid_argument("image", mc_core::ValueError::new(why));
        if bytes.len() > MAX_SPEC_IMAGE_BYTES {
            return Err(refuse(format!("is larger than {} KiB", MAX_SPEC_IMAGE_BYTES / 1024)));
        }
        let kind = bake::check_image(bytes).map_err(|err| refuse(err.to_string()))?;
        if bake::extract(bytes).is_ok() {
            return Err(refuse("carries a credential already: give the image alone".into()));
        }
        let record = SpecImageRecord {
            media_type: kind.media_type().to_owned(),
            content: base64::engine::general_purpose::STANDARD.encode(bytes),
            updated_at: now.to_rfc3339(),
        };
        let mut tx = self.store().begin().await?;
        tx.db().set_spec_image(spec, &record).await?;
        let details = serde_json::json!({"media_type": record.media_type, "bytes": bytes.len()});
        tx.audit(&record.updated_at, "spec.image", &spec.to_string(), &details.to_string()).await?;
        tx.commit().await?;
        Ok(kind)
    }
}

impl IssuerAccess<'_> {
    /// Sets the badge image of one of the institution's specifications: a PNG or an SVG of at
    /// most [`MAX_SPEC_IMAGE_BYTES`], an SVG without scripts or outside content.
    pub async fn set_spec_image(&self, raw_id: &str, bytes: &[u8], now: Timestamp) -> Result<ImageKind, AppError> {
        let spec = self.own_spec(raw_id).await?;
        self.app().set_badge_image(spec.id(), bytes, now).await
    }
}

impl Operator<'_> {
    /// Sets any specification's badge image (see [`IssuerAccess::set_spec_image`]).
    pub async fn set_spec_image(&self, raw_id: &str, bytes: &[u8], now: Timestamp) -> Result<ImageKind, AppError> {
        let spec = self.spec(raw_id).await?;
        self.set_badge_image(spec.id(), bytes, now).await
    }
}
