//! Printable PDF documents: an A4 sheet of a title, label–value facts, a QR code and headed
//! sections (paragraphs, lists, facts), laid out in one column with line and page breaks, and
//! written as PDF/A-3b with one file attached — the signed credential, for a micro-credential
//! supplement. Text is set in DejaVu Sans (embedded, subset), which covers the Latin, Greek and
//! Cyrillic scripts; a character the fonts lack is printed as U+FFFD, since PDF/A forbids
//! missing glyphs.
//!
//! Pure: no I/O, no clock; the caller gives every date.

mod layout;

use krilla::Document;
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::metadata::{DateTime, Metadata};

/// A document to print.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// The document's language, as a BCP 47 tag (`en`, `es`).
    pub language: String,
    /// A small line above the title, saying what kind of document this is.
    pub kicker: String,
    /// The title.
    pub title: String,
    /// Who the document is by (its metadata's author).
    pub author: String,
    /// Label–value lines under the title, beside the QR code.
    pub facts: Vec<(String, String)>,
    /// A QR code in the top right corner, with a caption and the address it encodes.
    pub code: Option<Code>,
    /// The body, in order.
    pub sections: Vec<Section>,
    /// A closing note in small print after the last section.
    pub footer: String,
    /// The file attached to the document.
    pub attachment: Attachment,
    /// When the document was made.
    pub date: Date,
}

/// A QR code: its modules row by row, dark ones `true`.
#[derive(Debug, Clone)]
pub struct Code {
    /// The modules, `width × width` of them.
    pub modules: Vec<bool>,
    /// The number of modules in a row.
    pub width: usize,
    /// The words under the code.
    pub caption: String,
    /// The address the code encodes, printed under the caption and linked.
    pub url: String,
}

/// A part of the body.
#[derive(Debug, Clone)]
pub struct Section {
    /// Its heading.
    pub heading: Option<String>,
    /// Its content.
    pub body: Body,
}

/// The content of a section.
#[derive(Debug, Clone)]
pub enum Body {
    /// Running text; a line break in it starts a new line.
    Paragraph(String),
    /// A bulleted list.
    List(Vec<String>),
    /// Label–value lines.
    Facts(Vec<(String, String)>),
}

/// A file carried inside the document (an associated file of PDF/A-3).
#[derive(Debug, Clone)]
pub struct Attachment {
    /// Its file name.
    pub name: String,
    /// Its media type (`application/json`).
    pub media_type: String,
    /// What it is, in words.
    pub description: String,
    /// Its content, stored uncompressed so that it can be read with any tool.
    pub data: Vec<u8>,
}

/// A moment in UTC, to the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date {
    /// The year.
    pub year: u16,
    /// The month, 1 to 12.
    pub month: u8,
    /// The day of the month, 1 to 31.
    pub day: u8,
    /// The hour, 0 to 23.
    pub hour: u8,
    /// The minute, 0 to 59.
    pub minute: u8,
    /// The second, 0 to 59.
    pub second: u8,
}

impl Date {
    fn to_pdf(self) -> DateTime {
        DateTime::new(self.year)
            .month(self.month)
            .day(self.day)
            .hour(self.hour)
            .minute(self.minute)
            .second(self.second)
            .utc_offset_hour(0)
            .utc_offset_minute(0)
    }
}

/// Why a sheet could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    /// The QR code's modules are not `width × width`.
    #[error("the QR code has {modules} modules, which is not a square of {width} by {width}")]
    Code {
        /// The number of modules given.
        modules: usize,
        /// The width given.
        width: usize,
    },
    /// The attachment has no usable media type.
    #[error("the attachment's media type {0:?} is not a type/subtype")]
    MediaType(String),
    /// The PDF writer refused the document.
    #[error("the PDF could not be written: {0}")]
    Write(String),
}

/// `sheet` as a PDF/A-3b file.
pub fn render(sheet: &Sheet) -> Result<Vec<u8>, PdfError> {
    if let Some(code) = &sheet.code
        && code.modules.len() != code.width * code.width
    {
        return Err(PdfError::Code { modules: code.modules.len(), width: code.width });
    }
    let media_type = MimeType::new(&sheet.attachment.media_type)
        .ok_or_else(|| PdfError::MediaType(sheet.attachment.media_type.clone()))?;
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A3_B)
        .finish()
        .map_err(|err| PdfError::Write(format!("{err:?}")))?;
    let settings = krilla::SerializeSettings { configuration, ..krilla::SerializeSettings::default() };
    let mut document = Document::new_with(settings);
    layout::draw(&mut document, sheet);
    let date = sheet.date.to_pdf();
    document.set_metadata(
        Metadata::new()
            .title(sheet.title.clone())
            .authors(vec![sheet.author.clone()])
            .language(sheet.language.clone())
            .creator("microcred".to_owned())
            .creation_date(date),
    );
    let attached = document.embed_file(EmbeddedFile {
        path: sheet.attachment.name.clone(),
        mime_type: Some(media_type),
        description: Some(sheet.attachment.description.clone()),
        association_kind: AssociationKind::Source,
        data: sheet.attachment.data.clone().into(),
        modification_date: Some(date),
        compress: Some(false),
        location: None,
    });
    if attached.is_none() {
        return Err(PdfError::Write("the attachment has the name of another".to_owned()));
    }
    document.finish().map_err(|err| PdfError::Write(format!("{err:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(outcomes: usize) -> Sheet {
        Sheet {
            language: "el".to_owned(),
            kicker: "Συμπλήρωμα μικροπιστοποιητικού".to_owned(),
            title: "Ανάλυση δεδομένων · Анализ данных · Análisis de datos".to_owned(),
            author: "Πανεπιστήμιο Αθηνών".to_owned(),
            facts: vec![("Learner".to_owned(), "Ζωή Παπαδοπούλου".to_owned())],
            code: Some(Code {
                modules: (0..21 * 21).map(|n| n % 3 == 0).collect(),
                width: 21,
                caption: "Scan to check it is genuine".to_owned(),
                url: "https://registrar.example.edu/c/0195f1f2-7a4e-7cc1-9d1e-4e0f8d8f7f00".to_owned(),
            }),
            sections: vec![
                Section {
                    heading: Some("Outcomes".to_owned()),
                    body: Body::List(vec!["Reads data. ".repeat(30); outcomes]),
                },
                Section { heading: None, body: Body::Facts(vec![("ECTS".to_owned(), "5".to_owned())]) },
            ],
            footer: "The signed credential is attached.".to_owned(),
            attachment: Attachment {
                name: "credential.json".to_owned(),
                media_type: "application/json".to_owned(),
                description: "The signed credential".to_owned(),
                data: br#"{"id":"urn:uuid:1"}"#.to_vec(),
            },
            date: Date { year: 2026, month: 12, day: 1, hour: 9, minute: 30, second: 0 },
        }
    }

    fn pages(pdf: &[u8]) -> usize {
        let text = String::from_utf8_lossy(pdf);
        text.matches("/Type/Page/").count() + text.matches("/Type/Page>").count()
    }

    #[test]
    fn a_sheet_is_a_pdf_a_3_with_its_attachment() {
        let pdf = render(&sheet(3)).unwrap();
        assert!(pdf.starts_with(b"%PDF-1.7"), "{:?}", &pdf[..8]);
        let text = String::from_utf8_lossy(&pdf);
        assert!(
            text.contains("<pdfaid:part>3</pdfaid:part>")
                && text.contains("<pdfaid:conformance>B</pdfaid:conformance>")
        );
        assert!(text.contains(r#"{"id":"urn:uuid:1"}"#), "the attachment is stored as it is");
        assert!(text.contains("/AFRelationship/Source"));
    }

    #[test]
    fn a_long_sheet_runs_over_pages() {
        let short = render(&sheet(1)).unwrap();
        let long = render(&sheet(40)).unwrap();
        assert!(pages(&long) > pages(&short), "{} pages, then {}", pages(&short), pages(&long));
    }

    #[test]
    fn a_code_that_is_not_square_is_refused() {
        let mut bad = sheet(1);
        bad.code.as_mut().unwrap().width = 20;
        assert_eq!(render(&bad), Err(PdfError::Code { modules: 441, width: 20 }));
    }
}
