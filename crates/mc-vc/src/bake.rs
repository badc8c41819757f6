//! Baked badges: an Open Badges credential carried inside its badge image, as Open Badges 3.0
//! says (§ Baking). A PNG carries it in an `iTXt` chunk with the keyword `openbadgecredential`,
//! uncompressed; an SVG in an `openbadges:credential` element (namespace
//! `https://purl.imsglobal.org/ob/v3p0`) right inside the root, the credential's JSON in CDATA
//! or a compact JWS in its `verify` attribute. [`extract`] reads either back, and
//! [`credential_text`] lets the verifiers take an image wherever they take a credential.
//!
//! Also here: a generated badge picture for a specification, as SVG and as PNG, for
//! specifications without an image of their own.

use std::borrow::Cow;

/// The PNG signature.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
/// The keyword of the chunk that carries a credential.
const KEYWORD: &[u8] = b"openbadgecredential";
/// The Open Badges 3.0 namespace of the SVG element that carries a credential.
pub const NAMESPACE: &str = "https://purl.imsglobal.org/ob/v3p0";
/// The largest image read or baked.
pub const MAX_IMAGE_BYTES: usize = 8 * 1024 * 1024;

/// Why an image could not be baked or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BakeError {
    /// Neither a PNG nor an SVG.
    #[error("the image is neither a PNG nor an SVG")]
    NotAnImage,
    /// An image or a document whose structure is broken.
    #[error("the {kind} is broken: {why}")]
    Broken {
        /// `PNG image`, `SVG image`, `HTML supplement` or `PDF`.
        kind: &'static str,
        /// What is wrong.
        why: String,
    },
    /// A well-formed image that carries no credential.
    #[error("the {0} carries no Open Badges credential (it was not baked)")]
    NoCredential(&'static str),
    /// A well-formed document (a supplement) that carries no credential inside it.
    #[error("the {0} carries no credential inside it")]
    NotCarried(&'static str),
    /// Bytes that are neither text, a badge image nor a supplement.
    #[error("the file is neither a credential, a badge image (PNG or SVG) nor a supplement (HTML or PDF)")]
    Unreadable,
    /// Larger than [`MAX_IMAGE_BYTES`].
    #[error("the image is larger than {MAX_IMAGE_BYTES} bytes")]
    TooLarge,
}

/// What an image is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    /// A PNG.
    Png,
    /// An SVG.
    Svg,
}

impl ImageKind {
    /// What `bytes` are, when an image: a PNG by its signature, an SVG by an `<svg` root
    /// element (after an XML declaration, comments or a doctype).
    pub fn of(bytes: &[u8]) -> Option<ImageKind> {
        if bytes.starts_with(PNG) {
            return Some(ImageKind::Png);
        }
        let head = &bytes[..bytes.len().min(4096)];
        // A character cut at the end of the head is left out.
        let text = match std::str::from_utf8(head) {
            Ok(text) => text,
            Err(err) if err.error_len().is_none() => std::str::from_utf8(&head[..err.valid_up_to()]).ok()?,
            Err(_) => return None,
        };
        let text = text.trim_start_matches('\u{feff}').trim_start();
        let looks_like_svg = (text.starts_with("<?xml")
            || text.starts_with("<!--")
            || text.starts_with("<!DOCTYPE svg")
            || text.starts_with("<svg"))
            && text.contains("<svg");
        looks_like_svg.then_some(ImageKind::Svg)
    }

    /// Its media type.
    pub fn media_type(self) -> &'static str {
        match self {
            ImageKind::Png => "image/png",
            ImageKind::Svg => "image/svg+xml",
        }
    }
}

/// The text a verifier reads from `bytes`: the credential baked into a PNG or SVG, the one a
/// credential supplement (HTML or PDF) carries, or the bytes themselves as UTF-8 otherwise.
pub fn credential_text(bytes: &[u8]) -> Result<Cow<'_, str>, BakeError> {
    if crate::pdf::is_pdf(bytes) {
        return crate::pdf::attached_credential(bytes).map(Cow::Owned);
    }
    match ImageKind::of(bytes) {
        Some(_) => extract(bytes).map(Cow::Owned),
        None => match std::str::from_utf8(bytes) {
            Ok(text) if looks_like_html(text) => supplement_credential(text).map(Cow::Owned),
            Ok(text) => Ok(Cow::Borrowed(text)),
            Err(_) => Err(BakeError::Unreadable),
        },
    }
}

/// The opening of the element a credential supplement carries its credential in.
pub const SUPPLEMENT_SCRIPT: &str = "<script type=\"application/vc+ld+json\" id=\"credential\">";

fn looks_like_html(text: &str) -> bool {
    let start = text.trim_start().get(..15).unwrap_or_default().to_ascii_lowercase();
    start.starts_with("<!doctype html") || start.starts_with("<html")
}

/// The credential a supplement (HTML) carries, as microcred writes it: the JSON in a
/// `<script type="application/vc+ld+json" id="credential">` element, `</` written `<\/`.
pub fn supplement_credential(html: &str) -> Result<String, BakeError> {
    let broken = |why: &str| BakeError::Broken { kind: "HTML supplement", why: why.into() };
    let start = html.find(SUPPLEMENT_SCRIPT).ok_or(BakeError::NotCarried("HTML supplement"))? + SUPPLEMENT_SCRIPT.len();
    let end = html[start..].find("</script>").ok_or_else(|| broken("its credential element never closes"))? + start;
    if html[end..].contains(SUPPLEMENT_SCRIPT) {
        return Err(broken("it carries two credentials"));
    }
    Ok(html[start..end].trim().replace("<\\/", "</"))
}

/// `json` written into a supplement's credential element: nothing in it can close the element.
pub fn supplement_script(json: &str) -> String {
    format!("{SUPPLEMENT_SCRIPT}{}</script>", json.replace("</", "<\\/"))
}

/// The credential baked into a PNG or an SVG.
pub fn extract(bytes: &[u8]) -> Result<String, BakeError> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(BakeError::TooLarge);
    }
    match ImageKind::of(bytes) {
        Some(ImageKind::Png) => extract_png(bytes),
        Some(ImageKind::Svg) => {
            let text = std::str::from_utf8(bytes).map_err(|_| broken_svg("it is not UTF-8 text"))?;
            extract_svg(text)
        }
        None => Err(BakeError::NotAnImage),
    }
}

/// Bakes `credential` (JSON or a compact JWS) into a PNG or an SVG, replacing any credential
/// baked before.
pub fn bake(image: &[u8], credential: &str) -> Result<Vec<u8>, BakeError> {
    if image.len() > MAX_IMAGE_BYTES {
        return Err(BakeError::TooLarge);
    }
    match ImageKind::of(image) {
        Some(ImageKind::Png) => bake_png(image, credential),
        Some(ImageKind::Svg) => {
            let text = std::str::from_utf8(image).map_err(|_| broken_svg("it is not UTF-8 text"))?;
            bake_svg(text, credential).map(String::into_bytes)
        }
        None => Err(BakeError::NotAnImage),
    }
}

/// Checks an image a specification may carry as its badge: a well-formed PNG (its chunks and
/// their CRCs, `IHDR` first), or an SVG with no active or outside content (scripts, event
/// handlers, `javascript:` addresses, foreign objects, images or styles fetched from elsewhere).
pub fn check_image(bytes: &[u8]) -> Result<ImageKind, BakeError> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(BakeError::TooLarge);
    }
    match ImageKind::of(bytes) {
        Some(ImageKind::Png) => {
            let chunks = chunks(bytes)?;
            match chunks.first() {
                Some(chunk) if &chunk.kind == b"IHDR" && chunk.data.len() == 13 => Ok(ImageKind::Png),
                _ => Err(broken_png("it does not start with its IHDR header")),
            }
        }
        Some(ImageKind::Svg) => {
            let text = std::str::from_utf8(bytes).map_err(|_| broken_svg("it is not UTF-8 text"))?;
            root_tag(text)?;
            // Whitespace of any kind as one space, and no character references, which could
            // spell what the checks look for.
            let lower: String = text.to_lowercase().chars().map(|c| if c.is_whitespace() { ' ' } else { c }).collect();
            if lower.contains("&#") {
                return Err(broken_svg("it has character references (&#…;), which a badge image may not use"));
            }
            let handler = lower.match_indices(" on").any(|(at, _)| {
                let name: String = lower[at + 3..].chars().take_while(|c| c.is_ascii_alphabetic()).collect();
                !name.is_empty() && lower[at + 3 + name.len()..].trim_start().starts_with('=')
            });
            let active = ["<script", "javascript:", "<foreignobject", "<iframe", "<embed", "<object", "@import"]
                .iter()
                .find(|needle| lower.contains(*needle));
            let compact: String = lower.chars().filter(|c| !matches!(c, ' ' | '"' | '\'')).collect();
            let outside = ["href=http", "href=//", "url(http", "url(//"].iter().any(|needle| compact.contains(needle));
            match (active, handler, outside) {
                (Some(found), _, _) => {
                    Err(broken_svg(format!("it has active content ({found}), which a badge may not have")))
                }
                (None, true, _) => Err(broken_svg("it has event handlers (on…=), which a badge may not have")),
                (None, false, true) => Err(broken_svg("it fetches from elsewhere, which a badge may not do")),
                (None, false, false) => Ok(ImageKind::Svg),
            }
        }
        None => Err(BakeError::NotAnImage),
    }
}

fn broken_png(why: impl Into<String>) -> BakeError {
    BakeError::Broken { kind: "PNG image", why: why.into() }
}

fn broken_svg(why: impl Into<String>) -> BakeError {
    BakeError::Broken { kind: "SVG image", why: why.into() }
}

/// One chunk of a PNG: its type, its data, and where it starts and ends in the file.
struct Chunk<'a> {
    kind: [u8; 4],
    data: &'a [u8],
    start: usize,
    end: usize,
}

/// The chunks of a PNG, each with its CRC checked, up to and including `IEND`.
fn chunks(png: &[u8]) -> Result<Vec<Chunk<'_>>, BakeError> {
    let mut chunks = Vec::new();
    let mut at = PNG.len();
    loop {
        let head = png.get(at..at + 8).ok_or_else(|| broken_png("it ends before its IEND chunk"))?;
        let length = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let kind = [head[4], head[5], head[6], head[7]];
        let data_end = (at + 8).checked_add(length).ok_or_else(|| broken_png("a chunk is too long"))?;
        let end = data_end + 4;
        let data = png.get(at + 8..data_end).ok_or_else(|| broken_png("a chunk runs past the end of the file"))?;
        let crc = png.get(data_end..end).ok_or_else(|| broken_png("a chunk has no CRC"))?;
        let expected = u32::from_be_bytes([crc[0], crc[1], crc[2], crc[3]]);
        if crc32(&[&kind, data]) != expected {
            let name = String::from_utf8_lossy(&kind).into_owned();
            return Err(broken_png(format!("its {name} chunk does not match its CRC: it was changed or cut")));
        }
        chunks.push(Chunk { kind, data, start: at, end });
        if &kind == b"IEND" {
            return Ok(chunks);
        }
        if chunks.len() > 100_000 {
            return Err(broken_png("it has too many chunks"));
        }
        at = end;
    }
}

/// The text of an `iTXt` chunk whose keyword is `openbadgecredential`, when it is one.
fn credential_chunk(data: &[u8]) -> Option<Result<String, BakeError>> {
    let rest = data.strip_prefix(KEYWORD)?.strip_prefix(&[0])?;
    // Compression flag and method, then the language tag and the translated keyword.
    let (&flag, rest) = rest.split_first()?;
    let (_, rest) = rest.split_first()?;
    if flag != 0 {
        return Some(Err(broken_png("its credential chunk is compressed, which Open Badges does not allow")));
    }
    let mut parts = rest.splitn(3, |byte| *byte == 0);
    let (_language, _translated, text) = (parts.next()?, parts.next()?, parts.next()?);
    Some(String::from_utf8(text.to_vec()).map_err(|_| broken_png("its credential chunk is not UTF-8 text")))
}

fn extract_png(png: &[u8]) -> Result<String, BakeError> {
    let mut found = None;
    for chunk in chunks(png)? {
        if &chunk.kind == b"iTXt"
            && let Some(text) = credential_chunk(chunk.data)
        {
            if found.is_some() {
                return Err(broken_png("it carries two credentials"));
            }
            found = Some(text?);
        }
    }
    found.ok_or(BakeError::NoCredential("PNG image"))
}

fn bake_png(png: &[u8], credential: &str) -> Result<Vec<u8>, BakeError> {
    let chunks = chunks(png)?;
    let mut data = Vec::with_capacity(KEYWORD.len() + 5 + credential.len());
    data.extend_from_slice(KEYWORD);
    data.extend_from_slice(&[0, 0, 0, 0, 0]);
    data.extend_from_slice(credential.as_bytes());
    let mut baked = Vec::with_capacity(png.len() + data.len() + 12);
    baked.extend_from_slice(PNG);
    for chunk in &chunks {
        let earlier = &chunk.kind == b"iTXt" && credential_chunk(chunk.data).is_some();
        if &chunk.kind == b"IEND" {
            write_chunk(&mut baked, b"iTXt", &data);
        }
        if !earlier {
            baked.extend_from_slice(&png[chunk.start..chunk.end]);
        }
    }
    Ok(baked)
}

fn write_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(&[kind, data]).to_be_bytes());
}

/// CRC-32 (ISO-HDLC, as PNG uses it) of the concatenation of `parts`.
fn crc32(parts: &[&[u8]]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut table = [0u32; 256];
        let mut n = 0;
        while n < 256 {
            let mut c = n as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 == 1 { 0xedb8_8320 ^ (c >> 1) } else { c >> 1 };
                k += 1;
            }
            table[n] = c;
            n += 1;
        }
        table
    };
    let mut crc = 0xffff_ffffu32;
    for part in parts {
        for byte in *part {
            crc = TABLE[((crc ^ u32::from(*byte)) & 0xff) as usize] ^ (crc >> 8);
        }
    }
    crc ^ 0xffff_ffff
}

/// The root `<svg …>` start tag: where it starts and where it ends (after its `>`).
fn root_tag(svg: &str) -> Result<(usize, usize), BakeError> {
    let start = svg.find("<svg").ok_or_else(|| broken_svg("it has no <svg> root element"))?;
    let end =
        svg[start..].find('>').map(|at| start + at + 1).ok_or_else(|| broken_svg("its <svg> tag never closes"))?;
    Ok((start, end))
}

/// The prefix the SVG binds to the Open Badges namespace, when it does.
fn prefix(tag: &str) -> Option<&str> {
    let at = tag.find(&format!("\"{NAMESPACE}\"")).or_else(|| tag.find(&format!("'{NAMESPACE}'")))?;
    let before = tag[..at].trim_end().strip_suffix('=')?.trim_end();
    let name = before.rsplit(char::is_whitespace).next()?;
    name.strip_prefix("xmlns:")
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"").replace("&apos;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

fn extract_svg(svg: &str) -> Result<String, BakeError> {
    let (start, end) = root_tag(svg)?;
    let Some(prefix) = prefix(&svg[start..end]) else { return Err(BakeError::NoCredential("SVG image")) };
    let open = format!("<{prefix}:credential");
    let Some(at) = svg.find(&open) else { return Err(BakeError::NoCredential("SVG image")) };
    if svg[at + open.len()..].contains(&open) {
        return Err(broken_svg("it carries two credentials"));
    }
    let tag_end =
        svg[at..].find('>').map(|found| at + found).ok_or_else(|| broken_svg("its credential tag never closes"))?;
    let tag = &svg[at..tag_end];
    if let Some(verify) = tag.find("verify=") {
        let quoted = &tag[verify + "verify=".len()..];
        let quote = quoted
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'')
            .ok_or_else(|| broken_svg("its verify attribute is not quoted"))?;
        let value = quoted[1..].split(quote).next().unwrap_or_default();
        return Ok(unescape(value));
    }
    if tag.ends_with('/') {
        return Err(broken_svg("its credential element is empty"));
    }
    let close = format!("</{prefix}:credential>");
    let content_end = svg[tag_end..]
        .find(&close)
        .map(|found| tag_end + found)
        .ok_or_else(|| broken_svg("its credential element never closes"))?;
    let mut content = &svg[tag_end + 1..content_end];
    let mut text = String::new();
    // CDATA sections, in turn, or escaped text.
    loop {
        let trimmed = content.trim_start();
        if let Some(rest) = trimmed.strip_prefix("<![CDATA[") {
            let stop = rest.find("]]>").ok_or_else(|| broken_svg("a CDATA section never closes"))?;
            text.push_str(&rest[..stop]);
            content = &rest[stop + 3..];
        } else if trimmed.is_empty() {
            break;
        } else {
            let stop = trimmed.find("<![CDATA[").unwrap_or(trimmed.len());
            text.push_str(&unescape(&trimmed[..stop]));
            content = &trimmed[stop..];
        }
    }
    match text.trim() {
        "" => Err(broken_svg("its credential element is empty")),
        text => Ok(text.to_owned()),
    }
}

fn bake_svg(svg: &str, credential: &str) -> Result<String, BakeError> {
    // Take out a credential baked before.
    let mut svg = svg.to_owned();
    let (start, end) = root_tag(&svg)?;
    if let Some(prefix) = prefix(&svg[start..end]).map(str::to_owned) {
        let open = format!("<{prefix}:credential");
        if let Some(at) = svg.find(&open) {
            let close = format!("</{prefix}:credential>");
            let stop = match svg[at..].find(&close) {
                Some(found) => at + found + close.len(),
                None => svg[at..]
                    .find("/>")
                    .map(|found| at + found + 2)
                    .ok_or_else(|| broken_svg("its credential element never closes"))?,
            };
            svg.replace_range(at..stop, "");
        }
    }
    let (start, end) = root_tag(&svg)?;
    let prefix = match prefix(&svg[start..end]) {
        Some(prefix) => prefix.to_owned(),
        None => {
            let insert = if svg[..end].ends_with("/>") { end - 2 } else { end - 1 };
            svg.insert_str(insert, &format!(" xmlns:openbadges=\"{NAMESPACE}\""));
            "openbadges".to_owned()
        }
    };
    let (_, end) = root_tag(&svg)?;
    if svg[..end].ends_with("/>") {
        return Err(broken_svg("its <svg> element is empty"));
    }
    let element = match credential.trim_start().starts_with('{') {
        true => format!(
            "<{prefix}:credential><![CDATA[{}]]></{prefix}:credential>",
            credential.replace("]]>", "]]]]><![CDATA[>")
        ),
        false => format!(
            "<{prefix}:credential verify=\"{}\"/>",
            credential.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;")
        ),
    };
    svg.insert_str(end, &element);
    Ok(svg)
}

/// A badge picture for a micro-credential without an image of its own, as SVG: a round seal
/// with its title and institution.
pub fn badge_svg(title: &str, institution: &str) -> String {
    let escape =
        |text: &str| text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    // The title on up to three lines of about 22 characters.
    let mut lines: Vec<String> = Vec::new();
    for word in title.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + word.chars().count() < 22 => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    if lines.len() > 3 {
        lines.truncate(3);
        lines[2].push('…');
    }
    let first = 240 - (lines.len() as i32 - 1) * 14;
    let text: String = lines
        .iter()
        .enumerate()
        .map(|(idx, line)| {
            format!(
                "<text x=\"256\" y=\"{}\" font-family=\"sans-serif\" font-size=\"26\" font-weight=\"bold\" fill=\"#1f4e79\" text-anchor=\"middle\">{}</text>",
                first + idx as i32 * 32,
                escape(line)
            )
        })
        .collect();
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"512\" height=\"512\" viewBox=\"0 0 512 512\">\
         <circle cx=\"256\" cy=\"256\" r=\"248\" fill=\"#1f4e79\"/><circle cx=\"256\" cy=\"256\" r=\"222\" fill=\"#fff\"/>\
         <circle cx=\"256\" cy=\"256\" r=\"206\" fill=\"none\" stroke=\"#c9a227\" stroke-width=\"6\"/>{text}\
         <text x=\"256\" y=\"380\" font-family=\"sans-serif\" font-size=\"18\" fill=\"#333\" text-anchor=\"middle\">{}</text>\
         <text x=\"256\" y=\"140\" font-family=\"sans-serif\" font-size=\"16\" letter-spacing=\"3\" fill=\"#c9a227\" text-anchor=\"middle\">MICRO-CREDENTIAL</text></svg>",
        escape(institution)
    )
}

/// A badge picture for a micro-credential without an image of its own, as PNG (256 × 256): a
/// round seal in the colours of [`badge_svg`], without text (a PNG is drawn, not typeset).
pub fn badge_png() -> Vec<u8> {
    const SIZE: usize = 256;
    let mut raw = Vec::with_capacity(SIZE * (SIZE * 4 + 1));
    for y in 0..SIZE {
        raw.push(0); // no filter
        for x in 0..SIZE {
            let (dx, dy) = (x as f64 + 0.5 - 128.0, y as f64 + 0.5 - 128.0);
            let r = (dx * dx + dy * dy).sqrt();
            let pixel: [u8; 4] = match r {
                r if r > 124.0 => [0, 0, 0, 0],
                r if r > 111.0 => [0x1f, 0x4e, 0x79, 0xff],
                r if r > 106.0 => [0xff, 0xff, 0xff, 0xff],
                r if r > 103.0 => [0xc9, 0xa2, 0x27, 0xff],
                r if r < 40.0 => [0x1f, 0x4e, 0x79, 0xff],
                _ => [0xff, 0xff, 0xff, 0xff],
            };
            raw.extend_from_slice(&pixel);
        }
    }
    let mut png = PNG.to_vec();
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&(SIZE as u32).to_be_bytes());
    header.extend_from_slice(&(SIZE as u32).to_be_bytes());
    header.extend_from_slice(&[8, 6, 0, 0, 0]); // 8 bits, RGBA, deflate, no filter, no interlace
    write_chunk(&mut png, b"IHDR", &header);
    write_chunk(&mut png, b"IDAT", &zlib_stored(&raw));
    write_chunk(&mut png, b"IEND", &[]);
    png
}

/// `data` in a zlib stream of stored (uncompressed) deflate blocks.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = data.chunks(65_535).collect();
    for (idx, block) in blocks.iter().enumerate() {
        out.push(u8::from(idx + 1 == blocks.len()));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for byte in data {
        a = (a + u32::from(*byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CREDENTIAL: &str = r#"{"@context":["https://www.w3.org/ns/credentials/v2"],"name":"Ñandú ]]> & <b>"}"#;

    #[test]
    fn a_png_bakes_and_gives_back_its_credential_once() {
        let png = badge_png();
        assert_eq!(extract(&png), Err(BakeError::NoCredential("PNG image")));
        let baked = bake(&png, CREDENTIAL).unwrap();
        assert_eq!(extract(&baked).unwrap(), CREDENTIAL);
        let again = bake(&baked, "eyJhbGciOiJFZERTQSJ9.e30.c2ln").unwrap();
        assert_eq!(extract(&again).unwrap(), "eyJhbGciOiJFZERTQSJ9.e30.c2ln", "baking again replaces");
        assert_eq!(credential_text(&again).unwrap(), "eyJhbGciOiJFZERTQSJ9.e30.c2ln");
    }

    #[test]
    fn a_broken_png_says_what_is_wrong() {
        let baked = bake(&badge_png(), CREDENTIAL).unwrap();
        let cut = &baked[..baked.len() - 20];
        assert!(matches!(extract(cut), Err(BakeError::Broken { kind: "PNG image", .. })), "{:?}", extract(cut));
        let mut changed = baked.clone();
        let at = changed.windows(KEYWORD.len()).position(|window| window == KEYWORD).unwrap();
        changed[at + KEYWORD.len() + 20] ^= 1;
        let said = extract(&changed).unwrap_err().to_string();
        assert!(said.contains("iTXt chunk does not match its CRC"), "{said}");
        assert_eq!(extract(b"GIF89a"), Err(BakeError::NotAnImage));
    }

    #[test]
    fn odd_whitespace_and_cut_characters_do_not_break_the_reading() {
        let svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\"\u{3000}xmlns:ob=\"{NAMESPACE}\"><ob:credential>{{}}</ob:credential></svg>"
        );
        let _ = extract(svg.as_bytes());
        let mut long = "<svg xmlns=\"http://www.w3.org/2000/svg\"><desc>".to_owned();
        while long.len() < 4095 {
            long.push('x');
        }
        long.push_str("ñ</desc></svg>");
        assert_eq!(ImageKind::of(long.as_bytes()), Some(ImageKind::Svg));
    }

    #[test]
    fn a_supplement_gives_back_its_credential() {
        let html = format!(
            "<!DOCTYPE html><html><body><p>x</p>{}</body></html>",
            supplement_script(CREDENTIAL.replace("<b>", "</script><b>").as_str())
        );
        assert_eq!(credential_text(html.as_bytes()).unwrap(), CREDENTIAL.replace("<b>", "</script><b>"));
        assert_eq!(credential_text(b"<!doctype html><html></html>"), Err(BakeError::NotCarried("HTML supplement")));
    }

    #[test]
    fn a_badge_image_is_checked() {
        assert_eq!(check_image(&badge_png()), Ok(ImageKind::Png));
        assert_eq!(check_image(badge_svg("Title", "University").as_bytes()), Ok(ImageKind::Svg));
        assert_eq!(check_image(b"GIF89a...."), Err(BakeError::NotAnImage));
        for (svg, said) in [
            ("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>", "active content (<script)"),
            ("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"></svg>", "event handlers"),
            ("<svg xmlns=\"http://www.w3.org/2000/svg\"><a href=\"javascript:alert(1)\">x</a></svg>", "javascript:"),
            (
                "<svg xmlns=\"http://www.w3.org/2000/svg\"><image href=\"https://tracker.example/p.png\"/></svg>",
                "fetches from elsewhere",
            ),
            ("<svg xmlns=\"http://www.w3.org/2000/svg\"\tonload=\"alert(1)\"></svg>", "event handlers"),
            (
                "<svg xmlns=\"http://www.w3.org/2000/svg\"><a href=\"&#106;avascript:x\">x</a></svg>",
                "character references",
            ),
            (
                "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect style=\"fill:url('https://t.example/x')\"/></svg>",
                "fetches from elsewhere",
            ),
        ] {
            let refused = check_image(svg.as_bytes()).unwrap_err().to_string();
            assert!(refused.contains(said), "{svg}: {refused}");
        }
        let png = badge_png();
        let cut = &png[..png.len() - 5];
        assert!(check_image(cut).is_err());
    }

    #[test]
    fn an_svg_bakes_json_in_cdata_and_a_jws_in_an_attribute() {
        let svg = badge_svg("Data <Literacy> & more for public decision-making", "Universidad de Valdeoliva");
        assert_eq!(extract(svg.as_bytes()), Err(BakeError::NoCredential("SVG image")));
        let baked = bake(svg.as_bytes(), CREDENTIAL).unwrap();
        let text = String::from_utf8(baked.clone()).unwrap();
        assert!(text.contains(&format!("xmlns:openbadges=\"{NAMESPACE}\"")), "{text}");
        assert_eq!(extract(&baked).unwrap(), CREDENTIAL);
        let jws = bake(&baked, "eyJhbGciOiJFZERTQSJ9.e30.c2ln").unwrap();
        assert_eq!(extract(&jws).unwrap(), "eyJhbGciOiJFZERTQSJ9.e30.c2ln");
        assert_eq!(String::from_utf8(jws).unwrap().matches(":credential").count(), 1, "one credential");
        // Another prefix for the namespace, and escaped text.
        let other = format!(
            "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:ob='{NAMESPACE}'><ob:credential>{{&quot;a&quot;:1}}</ob:credential></svg>"
        );
        assert_eq!(extract(other.as_bytes()).unwrap(), "{\"a\":1}");
        let broken = other.replace("</ob:credential>", "");
        assert!(matches!(extract(broken.as_bytes()), Err(BakeError::Broken { kind: "SVG image", .. })));
    }
}
