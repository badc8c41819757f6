//! Laying a [`Sheet`] out on A4 pages: lines broken to fit their column (a word longer than a
//! line is broken between characters), a new page when the next line would not fit, headings
//! kept with what follows them, page numbers "n / total" once the number of pages is known.

use std::sync::LazyLock;

use krilla::Document;
use krilla::action::LinkAction;
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::text::{Font, TextDirection};
use skrifa::MetadataProvider;
use skrifa::charmap::Charmap;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;

use crate::{Body, Code, Sheet};

/// A4, in points.
const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
/// The margin on every side (16 mm).
const MARGIN: f32 = 45.35;
/// The width of the column of text.
const CONTENT: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// Where text stops at the bottom of a page; the page number sits below.
const BOTTOM: f32 = PAGE_HEIGHT - MARGIN - 14.0;
/// The side of the QR code, and the width of the corner it stands in with its caption.
const CODE_SIDE: f32 = 104.0;
const CODE_COLUMN: f32 = 132.0;
/// The width of the labels of facts under the title and in the body.
const HEADER_LABEL: f32 = 96.0;
const BODY_LABEL: f32 = 132.0;
/// How far list items are indented past their bullet.
const INDENT: f32 = 12.0;

/// Colours, as red, green and blue.
type Rgb = [u8; 3];
const BLUE: Rgb = [0x1f, 0x4e, 0x79];
const INK: Rgb = [0x1b, 0x1b, 0x1b];
const GREY: Rgb = [0x55, 0x55, 0x55];
const LINE_GREY: Rgb = [0xbb, 0xbb, 0xbb];

/// A font, with what line breaking needs to measure text set in it.
struct Face {
    font: Font,
    charmap: Charmap<'static>,
    advances: GlyphMetrics<'static>,
    units_per_em: f32,
}

impl Face {
    fn new(data: &'static [u8]) -> Face {
        let font = Font::new(data.into(), 0).expect("the embedded font reads");
        let face = skrifa::FontRef::new(data).expect("the embedded font reads");
        let units_per_em = f32::from(face.metrics(Size::unscaled(), LocationRef::default()).units_per_em);
        Face {
            font,
            charmap: face.charmap(),
            advances: face.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em,
        }
    }

    /// The width of `text` set at `size` points (kerning aside).
    fn width(&self, text: &str, size: f32) -> f32 {
        let units: f32 = text
            .chars()
            .map(|c| self.charmap.map(c).and_then(|glyph| self.advances.advance_width(glyph)).unwrap_or(0.0))
            .sum();
        units * size / self.units_per_em
    }

    fn has(&self, c: char) -> bool {
        self.charmap.map(c).is_some()
    }
}

static REGULAR: LazyLock<Face> = LazyLock::new(|| Face::new(include_bytes!("../fonts/DejaVuSans.ttf")));
static BOLD: LazyLock<Face> = LazyLock::new(|| Face::new(include_bytes!("../fonts/DejaVuSans-Bold.ttf")));

/// How a run of text looks.
#[derive(Clone, Copy)]
struct Style {
    bold: bool,
    size: f32,
    color: Rgb,
}

impl Style {
    const fn new(bold: bool, size: f32, color: Rgb) -> Style {
        Style { bold, size, color }
    }

    fn face(self) -> &'static Face {
        if self.bold { &BOLD } else { &REGULAR }
    }

    /// The distance from one line's top to the next one's.
    fn leading(self) -> f32 {
        self.size * 1.4
    }

    /// The distance from a line's top to its baseline.
    fn ascent(self) -> f32 {
        self.size * 1.05
    }
}

const KICKER: Style = Style::new(false, 8.5, GREY);
const TITLE: Style = Style::new(true, 18.0, BLUE);
const LABEL: Style = Style::new(true, 9.5, INK);
const TEXT: Style = Style::new(false, 10.0, INK);
const HEADING: Style = Style::new(true, 12.0, BLUE);
const SMALL: Style = Style::new(false, 8.0, GREY);

/// One thing drawn on a page.
enum Op {
    Text { x: f32, y: f32, style: Style, text: String },
    Rects { rects: Vec<Rect>, color: Rgb },
    Link { rect: Rect, url: String },
}

/// The pages laid out so far, and where the next line goes.
struct Flow {
    pages: Vec<Vec<Op>>,
    y: f32,
    /// On the first page, lines above this are narrowed to leave room for the QR code.
    narrow_until: f32,
}

impl Flow {
    fn new() -> Flow {
        Flow { pages: vec![Vec::new()], y: MARGIN, narrow_until: 0.0 }
    }

    fn push(&mut self, op: Op) {
        self.pages.last_mut().expect("there is always a page").push(op);
    }

    /// Starts a new page unless `height` more fits on this one.
    fn room(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > MARGIN {
            self.pages.push(Vec::new());
            self.y = MARGIN;
        }
    }

    /// The width of the column at the current line.
    fn width(&self) -> f32 {
        if self.pages.len() == 1 && self.y < self.narrow_until { CONTENT - CODE_COLUMN } else { CONTENT }
    }

    fn line(&mut self, x: f32, style: Style, text: String) {
        if !text.is_empty() {
            self.push(Op::Text { x: MARGIN + x, y: self.y + style.ascent(), style, text });
        }
    }

    /// `text` from `x` to the column's end, line after line.
    fn paragraph(&mut self, x: f32, style: Style, text: &str) {
        for line in lines(text, style, self.width() - x) {
            self.room(style.leading());
            self.line(x, style, line);
            self.y += style.leading();
        }
    }

    /// A label and its value side by side, the label in a column `label_width` wide.
    fn fact(&mut self, label_width: f32, label: &str, value: &str) {
        let labels = lines(label, LABEL, label_width - 8.0);
        let values = lines(value, TEXT, self.width() - label_width);
        let count = labels.len().max(values.len());
        let mut labels = labels.into_iter();
        let mut values = values.into_iter();
        for _ in 0..count {
            self.room(TEXT.leading());
            if let Some(label) = labels.next() {
                self.line(0.0, LABEL, label);
            }
            if let Some(value) = values.next() {
                self.line(label_width, TEXT, value);
            }
            self.y += TEXT.leading();
        }
        self.y += 2.0;
    }

    fn rule(&mut self, thickness: f32, color: Rgb) {
        let rect = Rect::from_xywh(MARGIN, self.y, CONTENT, thickness).expect("a rule has a size");
        self.push(Op::Rects { rects: vec![rect], color });
        self.y += thickness;
    }
}

/// Draws `sheet` into `document`, page by page.
pub(crate) fn draw(document: &mut Document, sheet: &Sheet) {
    let mut flow = Flow::new();
    if let Some(code) = &sheet.code {
        corner(&mut flow, code);
    }
    flow.paragraph(0.0, KICKER, &sheet.kicker.to_uppercase());
    flow.y += 2.0;
    flow.paragraph(0.0, TITLE, &sheet.title);
    flow.y += 4.0;
    for (label, value) in &sheet.facts {
        flow.fact(HEADER_LABEL, label, value);
    }
    flow.y = flow.y.max(flow.narrow_until) + 6.0;
    flow.rule(2.5, BLUE);
    flow.y += 10.0;
    for section in &sheet.sections {
        if let Some(heading) = &section.heading {
            // A heading is kept with the first line after it.
            flow.room(HEADING.leading() + TEXT.leading() + 6.0);
            flow.y += 6.0;
            flow.paragraph(0.0, HEADING, heading);
            flow.y += 2.0;
        }
        match &section.body {
            Body::Paragraph(text) => flow.paragraph(0.0, TEXT, text),
            Body::List(items) => {
                for item in items {
                    flow.room(TEXT.leading());
                    flow.line(2.0, TEXT, "•".to_owned());
                    flow.paragraph(INDENT, TEXT, item);
                    flow.y += 1.5;
                }
            }
            Body::Facts(facts) => {
                for (label, value) in facts {
                    flow.fact(BODY_LABEL, label, value);
                }
            }
        }
        flow.y += 4.0;
    }
    flow.y += 8.0;
    flow.room(SMALL.leading() * 2.0 + 6.0);
    flow.rule(0.5, LINE_GREY);
    flow.y += 5.0;
    flow.paragraph(0.0, SMALL, &sheet.footer);

    let total = flow.pages.len();
    for (number, ops) in flow.pages.iter_mut().enumerate() {
        let text = format!("{} / {total}", number + 1);
        let x = PAGE_WIDTH - MARGIN - SMALL.face().width(&text, SMALL.size);
        ops.push(Op::Text { x, y: PAGE_HEIGHT - MARGIN, style: SMALL, text });
    }
    for ops in flow.pages {
        paint(document, ops);
    }
}

/// The QR code in the top right corner, its caption and address under it, both linked.
fn corner(flow: &mut Flow, code: &Code) {
    let left = MARGIN + CONTENT - CODE_COLUMN;
    let module = CODE_SIDE / code.width as f32;
    let code_left = left + (CODE_COLUMN - CODE_SIDE) / 2.0;
    let mut rects = Vec::new();
    for (row, modules) in code.modules.chunks(code.width).enumerate() {
        // Each run of dark modules in a row as one rectangle.
        let mut column = 0;
        while column < modules.len() {
            if !modules[column] {
                column += 1;
                continue;
            }
            let start = column;
            while column < modules.len() && modules[column] {
                column += 1;
            }
            let (x, y) = (code_left + start as f32 * module, MARGIN + row as f32 * module);
            rects.extend(Rect::from_xywh(x, y, (column - start) as f32 * module, module));
        }
    }
    flow.push(Op::Rects { rects, color: INK });
    let square = Rect::from_xywh(code_left, MARGIN, CODE_SIDE, CODE_SIDE).expect("the code has a size");
    flow.push(Op::Link { rect: square, url: code.url.clone() });
    let mut y = MARGIN + CODE_SIDE + 6.0;
    let url_style = Style::new(false, 7.0, BLUE);
    let caption = lines(&code.caption, SMALL, CODE_COLUMN);
    let url_top = y + caption.len() as f32 * SMALL.leading();
    let address = lines(&code.url, url_style, CODE_COLUMN);
    let styled = caption.into_iter().map(|line| (line, SMALL)).chain(address.into_iter().map(|line| (line, url_style)));
    for (line, style) in styled {
        let x = left + (CODE_COLUMN - style.face().width(&line, style.size)) / 2.0;
        flow.push(Op::Text { x, y: y + style.ascent(), style, text: line });
        y += style.leading();
    }
    if let Some(rect) = Rect::from_ltrb(left, url_top, left + CODE_COLUMN, y) {
        flow.push(Op::Link { rect, url: code.url.clone() });
    }
    flow.narrow_until = y + 4.0;
}

/// Paints one page's operations.
fn paint(document: &mut Document, ops: Vec<Op>) {
    let mut page = document.start_page_with(PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).expect("A4 has a size"));
    let mut surface = page.surface();
    let mut links = Vec::new();
    for op in ops {
        match op {
            Op::Text { x, y, style, text } => {
                surface.set_fill(Some(fill(style.color)));
                let face = style.face();
                surface.draw_text(
                    Point::from_xy(x, y),
                    face.font.clone(),
                    style.size,
                    &text,
                    false,
                    TextDirection::Auto,
                );
            }
            Op::Rects { rects, color } => {
                let mut path = PathBuilder::new();
                for rect in rects {
                    path.push_rect(rect);
                }
                if let Some(path) = path.finish() {
                    surface.set_fill(Some(fill(color)));
                    surface.draw_path(&path);
                }
            }
            Op::Link { rect, url } => links.push((rect, url)),
        }
    }
    surface.finish();
    for (rect, url) in links {
        let target = Target::Action(LinkAction::new(url.clone()).into());
        page.add_annotation(Annotation::new_link(LinkAnnotation::new(rect, target), Some(url)));
    }
    page.finish();
}

fn fill([red, green, blue]: Rgb) -> Fill {
    Fill { paint: rgb::Color::new(red, green, blue).into(), opacity: NormalizedF32::ONE, rule: Default::default() }
}

/// `text` broken into lines at most `width` wide: at spaces, and between characters within a
/// word too long for a line; a line break in `text` always starts a new line. Characters the
/// font lacks become U+FFFD and control characters are dropped.
fn lines(text: &str, style: Style, width: f32) -> Vec<String> {
    let face = style.face();
    let fits = |line: &str| face.width(line, style.size) <= width;
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let word = printable(face, word);
            let joined = if line.is_empty() { word.clone() } else { format!("{line} {word}") };
            if fits(&joined) {
                line = joined;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // The word alone on a line, broken between characters while it is too long.
            for c in word.chars() {
                line.push(c);
                if !fits(&line) && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::take(&mut line));
                    line.push(c);
                }
            }
        }
        lines.push(line);
    }
    while lines.len() > 1 && lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines
}

fn printable(face: &Face, word: &str) -> String {
    word.chars()
        .filter(|c| !c.is_control())
        .map(|c| if face.has(c) { c } else { char::REPLACEMENT_CHARACTER })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_fit_their_width_and_keep_every_word() {
        let text = "Análisis de datos para la toma de decisiones en la gestión pública, con Python";
        let broken = lines(text, TEXT, 150.0);
        assert!(broken.len() > 2, "{broken:?}");
        assert!(broken.iter().all(|line| REGULAR.width(line, TEXT.size) <= 150.0), "{broken:?}");
        assert_eq!(broken.join(" "), text);
    }

    #[test]
    fn a_word_longer_than_a_line_is_broken_between_characters() {
        let address = "https://registrar.example.edu/c/0195f1f2-7a4e-7cc1-9d1e-4e0f8d8f7f00/1";
        let broken = lines(address, SMALL, 80.0);
        assert!(broken.len() > 1);
        assert_eq!(broken.concat(), address);
    }

    #[test]
    fn line_breaks_start_new_lines_and_missing_characters_show() {
        assert_eq!(lines("one\ntwo", TEXT, 400.0), ["one", "two"]);
        assert_eq!(lines("Ελληνικά Русский 中文", TEXT, 400.0), ["Ελληνικά Русский \u{fffd}\u{fffd}"]);
    }
}
