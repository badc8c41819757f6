//! The catalogue of published micro-credential specifications: a full-text index with
//! stemming in every language the specifications are written in, filters and facet counts,
//! held in memory and built from the specifications the store holds.
//!
//! Pure: no I/O, no clock. The caller builds a [`Catalogue`] from [`Entry`]s once, then keeps
//! it in step with the published specifications one at a time ([`Catalogue::upsert`],
//! [`Catalogue::remove`]): whatever the changes, it answers exactly as a catalogue built anew
//! from the same entries would. Searches never touch the database, so both backends find
//! exactly the same things in the same order.

pub mod generate;
mod text;

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    sync::Arc,
};

use mc_core::{LangMap, Spec, SpecId, quality::Label};
use serde::Serialize;

/// An institution, as the catalogue shows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct InstitutionFacts {
    /// The institution's handle.
    pub id: String,
    /// Its name in its first language.
    pub name: String,
    /// ISO 3166-1 alpha-2 code.
    pub country: String,
}

/// One published specification to index, with its awarding institutions.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The specification.
    pub spec: Spec,
    /// The awarding bodies, in the specification's order.
    pub institutions: Vec<InstitutionFacts>,
    /// The quality labels, one per framework.
    pub labels: Vec<Label>,
    /// When it was published, Unix seconds.
    pub published_at: i64,
    /// The institutions that recognise its credentials under an agreement in force.
    pub recognised_by: Vec<InstitutionFacts>,
}

/// What a search shows of one specification.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// The specification's id.
    #[serde(serialize_with = "display")]
    pub id: SpecId,
    /// The title in every language.
    #[serde(serialize_with = "lang_map")]
    pub title: LangMap,
    /// The language shown when the reader's is missing.
    pub default_language: String,
    /// The awarding bodies, each kept once by the catalogue however many specifications it
    /// awards.
    pub institutions: Vec<Arc<InstitutionFacts>>,
    /// EQF level.
    pub eqf_level: Option<u8>,
    /// ECTS credits.
    pub ects: Option<f64>,
    /// Hours of study.
    pub hours: Option<u32>,
    /// ISCED-F code.
    pub isced_f: Option<String>,
    /// `online`, `onsite` or `blended`.
    pub participation: &'static str,
    /// Languages of instruction.
    pub languages: Vec<String>,
    /// The quality labels.
    pub labels: Vec<Label>,
    /// When it was published, Unix seconds.
    pub published_at: i64,
}

/// The facets a catalogue can be filtered and counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Facet {
    /// EQF level, `1`–`8`, or `none`.
    Eqf,
    /// ECTS range: `0-3`, `3-6`, `6-10`, `10+` (lower bound included), or `none`.
    Ects,
    /// ISCED-F broad field (two digits).
    Isced,
    /// Language of instruction.
    Language,
    /// Form of participation.
    Participation,
    /// Awarding institution.
    Institution,
    /// Country of an awarding institution.
    Country,
    /// ESCO (or other) skill of a learning outcome.
    Skill,
    /// An institution that recognises its credentials under an agreement in force (ECCOE's
    /// catalogue of modules approved for recognition).
    Recognised,
}

impl Facet {
    /// Every facet, in display order.
    pub const ALL: [Facet; FACETS] = [
        Facet::Eqf,
        Facet::Ects,
        Facet::Isced,
        Facet::Language,
        Facet::Participation,
        Facet::Institution,
        Facet::Country,
        Facet::Skill,
        Facet::Recognised,
    ];

    /// The facet's name in queries and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Facet::Eqf => "eqf",
            Facet::Ects => "ects",
            Facet::Isced => "isced",
            Facet::Language => "language",
            Facet::Participation => "participation",
            Facet::Institution => "institution",
            Facet::Country => "country",
            Facet::Skill => "skill",
            Facet::Recognised => "recognised",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// How many facets there are.
const FACETS: usize = 9;

/// The value of a specification without an EQF level or ECTS credits in those facets.
pub const NONE: &str = "none";

/// The ECTS ranges of the `ects` facet: label, lower bound (included), upper bound (excluded).
const ECTS_RANGES: [(&str, f64, f64); 4] =
    [("0-3", 0.0, 3.0), ("3-6", 3.0, 6.0), ("6-10", 6.0, 10.0), ("10+", 10.0, f64::INFINITY)];

/// A search: words, and filters that combine (values of one facet are alternatives, facets
/// all apply).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    /// Words to find in titles, descriptions and learning outcomes, in any language; every word
    /// must be found.
    pub text: String,
    /// Filters by facet value, such as `eqf` → `["6", "7"]` or `isced` → `["06"]`.
    pub filters: BTreeMap<Facet, Vec<String>>,
    /// The fewest ECTS credits.
    pub ects_min: Option<f64>,
    /// The most ECTS credits.
    pub ects_max: Option<f64>,
    /// How many results to skip.
    pub offset: usize,
    /// How many results to return.
    pub limit: usize,
    /// The order of the results.
    pub sort: Sort,
    /// The reader's language, when known: [`Sort::Title`] orders the titles they read.
    pub language: Option<mc_core::LanguageTag>,
}

/// The order of a search's results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// Best match first (by title without search words).
    #[default]
    Relevance,
    /// By title, A to Z.
    Title,
    /// The latest published first.
    Newest,
    /// The fewest ECTS credits first; those without last.
    Ects,
}

impl Sort {
    /// Every order, in display order.
    pub const ALL: [Sort; 4] = [Sort::Relevance, Sort::Title, Sort::Newest, Sort::Ects];

    /// Its name in queries.
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Title => "title",
            Sort::Newest => "newest",
            Sort::Ects => "ects",
        }
    }

    /// The order named `name` in a query.
    pub fn parse(name: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|sort| sort.as_str() == name)
    }
}

/// The count of one facet value among the results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    /// The value to filter by.
    pub value: String,
    /// How people read it (a field's or country's name).
    pub label: String,
    /// How many results have it.
    pub count: usize,
}

/// What a search found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResult {
    /// How many specifications match.
    pub total: usize,
    /// The page asked for, best first.
    pub hits: Vec<Hit>,
    /// For each facet, the counts of its values among the specifications that match every
    /// other filter (so choosing a value shows how many results it leads to).
    pub facets: BTreeMap<Facet, Vec<FacetCount>>,
}

/// One result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// The relevance score (0 without words).
    pub score: f32,
    /// The specification.
    #[serde(flatten)]
    pub summary: Summary,
}

/// Field weights: a word in a title counts three times as much as one in a description.
const TITLE_WEIGHT: f32 = 3.0;
const OUTCOME_WEIGHT: f32 = 1.5;
const DESCRIPTION_WEIGHT: f32 = 1.0;
/// BM25 parameters.
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// The distinct values of one facet, interned.
#[derive(Debug, Default)]
struct Values {
    ids: HashMap<String, u32>,
    values: Vec<(String, String)>,
}

impl Values {
    fn intern(&mut self, value: &str, label: impl FnOnce() -> String) -> u32 {
        if let Some(&id) = self.ids.get(value) {
            return id;
        }
        let id = self.values.len() as u32;
        self.values.push((value.to_owned(), label()));
        self.ids.insert(value.to_owned(), id);
        id
    }
}

/// What a search reads of every document, kept small so that a scan of the whole catalogue
/// stays in the caches; what it shows is in `summaries`.
#[derive(Debug)]
struct Doc {
    /// Weighted length, for BM25.
    length: f32,
    /// Whether it is still in the catalogue: a document removed or replaced stays in the
    /// postings, unseen, until the index is compacted.
    live: bool,
    ects: Option<f64>,
    /// The document's place in title order, the tie-break of equal scores.
    title_rank: u32,
    /// Where its facet values start in `facet_values`.
    facet_start: u32,
    /// Where the values of each facet end, from `facet_start`.
    facet_ends: [u16; FACETS],
}

/// The index.
#[derive(Debug, Default)]
pub struct Catalogue {
    docs: Vec<Doc>,
    summaries: Vec<Summary>,
    /// Each document's default title, lowercased and folded: the order of [`Sort::Title`].
    titles: Vec<Box<str>>,
    /// The live documents in title order (then by id).
    by_title: Vec<u32>,
    /// The facet value ids of every document, one after the other.
    facet_values: Vec<u32>,
    /// The live documents by specification id.
    by_id: HashMap<SpecId, u32>,
    keys: HashMap<String, u32>,
    /// Per key, the documents that have it with their weighted term frequency, by document.
    postings: Vec<Vec<(u32, f32)>>,
    /// The languages the catalogue's texts are in that have a stemmer.
    languages: Vec<&'static str>,
    values: [Values; FACETS],
    /// The weighted lengths of the live documents added up; exact, since each is a multiple
    /// of a half.
    total_length: f64,
    /// How many documents are no longer live.
    dead: usize,
    /// The awarding bodies the summaries name, each once.
    institutions: HashSet<Arc<InstitutionFacts>>,
}

/// The index keys of the words met so far, by the code of the language whose stemmer they
/// were stemmed with (`""` for none): a build stems each distinct word and writes its keys
/// once, not at every occurrence.
#[derive(Debug, Default)]
struct WordKeys(HashMap<&'static str, HashMap<Box<str>, WordKey>>);

/// A word's keys: as written, and its stem when its language has a stemmer.
type WordKey = (u32, Option<u32>);

/// The id of an index key, given one with an empty postings list when it is new.
fn intern_key(keys: &mut HashMap<String, u32>, postings: &mut Vec<Vec<(u32, f32)>>, key: String) -> u32 {
    let next = keys.len() as u32;
    let id = *keys.entry(key).or_insert(next);
    if id == next {
        postings.push(Vec::new());
    }
    id
}

/// Compaction waits until at least this many documents are dead.
const COMPACT_AFTER: usize = 256;

impl Catalogue {
    /// Builds the index of the entries.
    /// Builds the index of the entries; an entry whose specification came before replaces it.
    pub fn build(entries: impl IntoIterator<Item = Entry>) -> Catalogue {
        let mut catalogue = Catalogue::default();
        let mut word_keys = WordKeys::default();
        for entry in entries {
            if let Some(&doc) = catalogue.by_id.get(&entry.spec.id()) {
                catalogue.kill(doc);
            }
            catalogue.add(entry, &mut word_keys);
        }
        let mut order: Vec<u32> = catalogue.by_id.values().copied().collect();
        order.sort_unstable_by(|a, b| catalogue.title_order(*a, *b));
        catalogue.by_title = order;
        catalogue.rank_titles_from(0);
        catalogue.compact_if_worth_it();
        catalogue
    }

    /// Adds a published specification, or replaces the one with its id.
    pub fn upsert(&mut self, entry: Entry) {
        self.remove(entry.spec.id());
        let doc = self.add(entry, &mut WordKeys::default());
        let rank = self.by_title.partition_point(|other| self.title_order(*other, doc).is_lt());
        self.by_title.insert(rank, doc);
        self.rank_titles_from(rank);
    }

    /// Takes a specification out; `false` when it was not in the catalogue.
    pub fn remove(&mut self, id: SpecId) -> bool {
        let Some(&doc) = self.by_id.get(&id) else { return false };
        let rank = self.docs[doc as usize].title_rank as usize;
        debug_assert_eq!(self.by_title[rank], doc);
        self.by_title.remove(rank);
        self.rank_titles_from(rank);
        self.kill(doc);
        self.compact_if_worth_it();
        true
    }

    /// How many specifications are in the catalogue.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether the catalogue is empty.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Marks a document as no longer in the catalogue.
    fn kill(&mut self, doc: u32) {
        let dead = &mut self.docs[doc as usize];
        dead.live = false;
        self.total_length -= f64::from(dead.length);
        self.dead += 1;
        self.by_id.remove(&self.summaries[doc as usize].id);
    }

    /// The order of two documents by title, then by specification id.
    fn title_order(&self, a: u32, b: u32) -> std::cmp::Ordering {
        let (a, b) = (a as usize, b as usize);
        self.titles[a].cmp(&self.titles[b]).then_with(|| self.summaries[a].id.cmp(&self.summaries[b].id))
    }

    /// Writes each document's place in title order, from `rank` on.
    fn rank_titles_from(&mut self, rank: usize) {
        for (rank, doc) in self.by_title.iter().enumerate().skip(rank) {
            self.docs[*doc as usize].title_rank = rank as u32;
        }
    }

    /// The average weighted length of the live documents.
    fn average_length(&self) -> f32 {
        (self.total_length / self.len().max(1) as f64) as f32
    }

    /// Drops the dead documents once they are a quarter of the index, renumbering the live ones
    /// in the order they were added.
    fn compact_if_worth_it(&mut self) {
        if self.dead < COMPACT_AFTER || self.dead * 4 < self.docs.len() {
            return;
        }
        let mut renumbered: Vec<Option<u32>> = Vec::with_capacity(self.docs.len());
        let mut next = 0;
        for doc in &self.docs {
            renumbered.push(doc.live.then(|| {
                next += 1;
                next - 1
            }));
        }
        let mut facet_values = Vec::with_capacity(self.facet_values.len());
        let mut kept = 0;
        for (old, doc) in self.docs.iter_mut().enumerate() {
            if !doc.live {
                continue;
            }
            let start = doc.facet_start as usize;
            let end = start + usize::from(doc.facet_ends[FACETS - 1]);
            doc.facet_start = facet_values.len() as u32;
            facet_values.extend_from_slice(&self.facet_values[start..end]);
            self.summaries.swap(kept, old);
            self.titles.swap(kept, old);
            kept += 1;
        }
        self.docs.retain(|doc| doc.live);
        self.summaries.truncate(kept);
        self.titles.truncate(kept);
        self.facet_values = facet_values;
        for list in &mut self.postings {
            list.retain_mut(|(doc, _)| match renumbered[*doc as usize] {
                Some(new) => {
                    *doc = new;
                    true
                }
                None => false,
            });
        }
        for doc in self.by_id.values_mut().chain(&mut self.by_title) {
            *doc = renumbered[*doc as usize].expect("a live document was renumbered");
        }
        // An awarding body no live summary names any more (renamed, or its specifications
        // withdrawn) is let go.
        self.institutions.retain(|facts| Arc::strong_count(facts) > 1);
        self.dead = 0;
    }

    /// The catalogue's one copy of an awarding body.
    fn institution(&mut self, facts: InstitutionFacts) -> Arc<InstitutionFacts> {
        match self.institutions.get(&facts) {
            Some(kept) => Arc::clone(kept),
            None => {
                let kept = Arc::new(facts);
                self.institutions.insert(Arc::clone(&kept));
                kept
            }
        }
    }

    /// How many index keys (stems and words) it holds.
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    /// Adds a document, live, without its place in title order; returns its number.
    fn add(&mut self, entry: Entry, word_keys: &mut WordKeys) -> u32 {
        let Entry { spec, institutions, labels, published_at, recognised_by } = entry;
        let doc_id = self.docs.len() as u32;
        // Each key with its weight, once per occurrence; added up below.
        let mut frequencies: Vec<(u32, f32)> = Vec::new();
        let mut length = 0.0;
        let mut texts: Vec<(&LangMap, f32)> = vec![(spec.title(), TITLE_WEIGHT)];
        texts.extend(spec.description().map(|description| (description, DESCRIPTION_WEIGHT)));
        texts.extend(spec.learning_outcomes().iter().map(|outcome| (outcome.text(), OUTCOME_WEIGHT)));
        for (map, weight) in texts {
            for (tag, text) in map.iter() {
                let stemmer = text::stemmer(tag.as_str());
                if let Some((code, _)) = stemmer
                    && let Err(at) = self.languages.binary_search(&code)
                {
                    self.languages.insert(at, code);
                }
                let known = word_keys.0.entry(stemmer.map_or("", |(code, _)| code)).or_default();
                for word in text::words(text) {
                    length += weight;
                    let (word_key, stem_key) = match known.get(&*word) {
                        Some(keys) => *keys,
                        None => {
                            let keys = (
                                intern_key(&mut self.keys, &mut self.postings, text::word_key(&word)),
                                stemmer.map(|(code, stemmer)| {
                                    intern_key(&mut self.keys, &mut self.postings, text::stem_key(code, stemmer, &word))
                                }),
                            );
                            known.insert(word.into(), keys);
                            keys
                        }
                    };
                    frequencies.push((word_key, weight));
                    frequencies.extend(stem_key.map(|key| (key, weight)));
                }
            }
        }
        frequencies.sort_unstable_by_key(|(key, _)| *key);
        for run in frequencies.chunk_by(|a, b| a.0 == b.0) {
            let frequency = run.iter().map(|(_, weight)| weight).sum();
            self.postings[run[0].0 as usize].push((doc_id, frequency));
        }

        let mut facets: [Vec<u32>; FACETS] = Default::default();
        let mut put = |facet: Facet, value: &str, label: &dyn Fn() -> String| {
            let id = self.values[facet.index()].intern(value, label);
            if !facets[facet.index()].contains(&id) {
                facets[facet.index()].push(id);
            }
        };
        let eqf = spec.eqf_level().map(|level| level.get());
        let eqf_value = eqf.map_or_else(|| NONE.to_owned(), |level| level.to_string());
        put(Facet::Eqf, &eqf_value, &|| eqf_value.clone());
        let ects = spec.workload().ects();
        let range = ects.map_or(NONE, ects_range);
        put(Facet::Ects, range, &|| range.to_owned());
        if let Some(code) = spec.isced_f() {
            let broad = code.broad();
            put(Facet::Isced, broad.as_str(), &|| broad.name().to_owned());
        }
        for language in spec.languages() {
            put(Facet::Language, language.as_str(), &|| {
                mc_core::language_name(language.as_str()).unwrap_or(language.as_str()).to_owned()
            });
        }
        let participation = spec.participation().as_str();
        put(Facet::Participation, participation, &|| participation.to_owned());
        for institution in &institutions {
            put(Facet::Institution, &institution.id, &|| institution.name.clone());
            put(Facet::Country, &institution.country, &|| {
                mc_core::country_name(&institution.country).unwrap_or(&institution.country).to_owned()
            });
        }
        for outcome in spec.learning_outcomes() {
            if let Some(skill) = outcome.skill() {
                // Its name where the specification gives one; otherwise the outcome it is taught by.
                let name = outcome.skill_name().unwrap_or(outcome.text());
                put(Facet::Skill, skill.as_str(), &|| name.best(spec.default_language()).to_owned());
            }
        }
        for institution in &recognised_by {
            put(Facet::Recognised, &institution.id, &|| institution.name.clone());
        }

        let institutions = institutions.into_iter().map(|facts| self.institution(facts)).collect();
        let summary = Summary {
            id: spec.id(),
            title: spec.title().clone(),
            default_language: spec.default_language().as_str().to_owned(),
            institutions,
            eqf_level: eqf,
            ects,
            hours: spec.workload().hours(),
            isced_f: spec.isced_f().map(|code| code.as_str().to_owned()),
            participation,
            languages: spec.languages().iter().map(|tag| tag.as_str().to_owned()).collect(),
            labels,
            published_at,
        };
        let facet_start = self.facet_values.len() as u32;
        let mut facet_ends = [0; FACETS];
        for (end, values) in facet_ends.iter_mut().zip(&facets) {
            self.facet_values.extend(values);
            *end = (self.facet_values.len() as u32 - facet_start) as u16;
        }
        self.by_id.insert(summary.id, doc_id);
        self.summaries.push(summary);
        self.titles.push(text::fold(&spec.default_title().to_lowercase()).into_boxed_str());
        self.docs.push(Doc { length, live: true, ects, title_rank: 0, facet_start, facet_ends });
        self.total_length += f64::from(length);
        doc_id
    }

    /// Searches the catalogue.
    pub fn search(&self, query: &Query) -> SearchResult {
        let filters = self.resolve_filters(query);
        let mut facet_counts: [Vec<usize>; FACETS] =
            std::array::from_fn(|facet| vec![0; self.values[facet].values.len()]);
        let mut matches: Vec<(u32, f32)> = Vec::new();
        let candidates = self.candidates(&query.text);
        let mut consider = |doc_id: u32, score: f32| {
            let doc = &self.docs[doc_id as usize];
            // The facet whose filter the document fails, and whether it fails another's too.
            let mut failed: Option<Facet> = None;
            let mut others = false;
            for (facet, wanted) in &filters {
                if !wanted.passes(self, doc) {
                    others |= failed.is_some_and(|first| first != *facet);
                    failed = Some(*facet);
                }
            }
            match (failed, others) {
                (None, _) => {
                    matches.push((doc_id, score));
                    for facet in Facet::ALL {
                        for value in self.facet_of(doc, facet) {
                            facet_counts[facet.index()][*value as usize] += 1;
                        }
                    }
                }
                (Some(facet), false) => {
                    // Failing only one facet's filter, it counts for that facet's other values.
                    for value in self.facet_of(doc, facet) {
                        facet_counts[facet.index()][*value as usize] += 1;
                    }
                }
                _ => {}
            }
        };
        match candidates {
            None => (0..self.docs.len() as u32)
                .filter(|doc| self.docs[*doc as usize].live)
                .for_each(|doc| consider(doc, 0.0)),
            Some(scored) => scored.into_iter().for_each(|(doc, score)| consider(doc, score)),
        }
        let total = matches.len();
        let page_end = query.offset.saturating_add(query.limit).min(total);
        let title = |a: &(u32, f32), b: &(u32, f32)| {
            self.docs[a.0 as usize].title_rank.cmp(&self.docs[b.0 as usize].title_rank).then_with(|| a.0.cmp(&b.0))
        };
        let by_relevance = |a: &(u32, f32), b: &(u32, f32)| -> std::cmp::Ordering {
            match query.sort {
                Sort::Relevance => b.1.total_cmp(&a.1).then_with(|| title(a, b)),
                Sort::Title => title(a, b),
                Sort::Newest => {
                    let published = |doc: &(u32, f32)| self.summaries[doc.0 as usize].published_at;
                    published(b).cmp(&published(a)).then_with(|| title(a, b))
                }
                Sort::Ects => {
                    let ects = |doc: &(u32, f32)| self.docs[doc.0 as usize].ects.unwrap_or(f64::INFINITY);
                    ects(a).total_cmp(&ects(b)).then_with(|| title(a, b))
                }
            }
        };
        match (&query.language, query.sort) {
            (Some(language), Sort::Title) => {
                let read =
                    |doc: &(u32, f32)| text::fold(&self.summaries[doc.0 as usize].title.best(language).to_lowercase());
                matches.sort_by_cached_key(|doc| (read(doc), self.docs[doc.0 as usize].title_rank));
            }
            _ => {
                if page_end > 0 && page_end < total {
                    matches.select_nth_unstable_by(page_end - 1, by_relevance);
                    matches.truncate(page_end);
                }
                matches.sort_unstable_by(by_relevance);
            }
        }
        let hits = matches
            .into_iter()
            .skip(query.offset)
            .take(query.limit)
            .map(|(doc, score)| Hit { score, summary: self.summaries[doc as usize].clone() })
            .collect();
        let facets = Facet::ALL
            .into_iter()
            .map(|facet| {
                let values = &self.values[facet.index()].values;
                let mut counts: Vec<FacetCount> = facet_counts[facet.index()]
                    .iter()
                    .zip(values)
                    .filter(|(count, _)| **count > 0)
                    .map(|(&count, (value, label))| FacetCount { value: value.clone(), label: label.clone(), count })
                    .collect();
                counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
                (facet, counts)
            })
            .collect();
        SearchResult { total, hits, facets }
    }

    /// The documents that have every word of the text, with their BM25 scores; `None` when the
    /// text has no words (every document is a candidate).
    fn candidates(&self, text: &str) -> Option<Vec<(u32, f32)>> {
        let words: Vec<_> = text::words(text).collect();
        if words.is_empty() {
            return None;
        }
        let mut lists: Vec<Vec<(u32, f32)>> = words.iter().map(|word| self.postings_of(word)).collect();
        lists.sort_by_key(Vec::len);
        let count = self.len() as f32;
        let average_length = self.average_length().max(1.0);
        let mut scored: Vec<(u32, f32)> = Vec::new();
        for (position, list) in lists.iter().enumerate() {
            let found = list.len() as f32;
            let idf = ((count - found + 0.5) / (found + 0.5) + 1.0).ln();
            let term_score = |doc: u32, frequency: f32| {
                let length = self.docs[doc as usize].length / average_length;
                idf * frequency * (K1 + 1.0) / (frequency + K1 * (1.0 - B + B * length))
            };
            if position == 0 {
                scored = list.iter().map(|&(doc, frequency)| (doc, term_score(doc, frequency))).collect();
                continue;
            }
            let mut kept = Vec::with_capacity(scored.len().min(list.len()));
            let mut other = list.iter().peekable();
            for (doc, score) in scored {
                while other.next_if(|(candidate, _)| *candidate < doc).is_some() {}
                if let Some(&&(candidate, frequency)) = other.peek()
                    && candidate == doc
                {
                    kept.push((doc, score + term_score(doc, frequency)));
                }
            }
            scored = kept;
            if scored.is_empty() {
                break;
            }
        }
        Some(scored)
    }

    /// The live documents that have a word, in any language: the word as written, or its stem
    /// in any language of the catalogue. A document's frequency is that of its best match.
    fn postings_of(&self, word: &str) -> Vec<(u32, f32)> {
        let mut keys = vec![text::word_key(word)];
        keys.extend(
            self.languages
                .iter()
                .filter_map(|code| text::stemmer(code))
                .map(|(code, stemmer)| text::stem_key(code, stemmer, word)),
        );
        let lists: Vec<&Vec<(u32, f32)>> =
            keys.iter().filter_map(|key| self.keys.get(key)).map(|&id| &self.postings[id as usize]).collect();
        let mut found: Vec<(u32, f32)> = match lists.as_slice() {
            [] => Vec::new(),
            [one] => one.to_vec(),
            many => {
                let mut merged: Vec<(u32, f32)> = many.iter().flat_map(|list| list.iter().copied()).collect();
                merged.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
                merged.dedup_by_key(|(doc, _)| *doc);
                merged
            }
        };
        if self.dead > 0 {
            found.retain(|(doc, _)| self.docs[*doc as usize].live);
        }
        found
    }

    fn resolve_filters(&self, query: &Query) -> Vec<(Facet, Filter)> {
        let mut filters = Vec::new();
        for (&facet, wanted) in &query.filters {
            if wanted.is_empty() {
                continue;
            }
            let values = &self.values[facet.index()];
            let ids = wanted
                .iter()
                .filter_map(|value| match facet {
                    // A narrow or detailed ISCED-F code filters by its broad field's value too.
                    Facet::Isced => values.ids.get(value.get(..2).unwrap_or(value)),
                    _ => values.ids.get(value.as_str()),
                })
                .copied()
                .collect();
            filters.push((facet, Filter::Values(facet, ids)));
        }
        if query.ects_min.is_some() || query.ects_max.is_some() {
            filters.push((
                Facet::Ects,
                Filter::EctsRange(query.ects_min.unwrap_or(f64::NEG_INFINITY), query.ects_max.unwrap_or(f64::INFINITY)),
            ));
        }
        filters
    }

    /// The value ids a document has of a facet.
    fn facet_of(&self, doc: &Doc, facet: Facet) -> &[u32] {
        let start = match facet.index() {
            0 => 0,
            idx => doc.facet_ends[idx - 1] as usize,
        };
        let base = doc.facet_start as usize;
        &self.facet_values[base + start..base + doc.facet_ends[facet.index()] as usize]
    }

    /// The summary of one published specification.
    pub fn get(&self, id: SpecId) -> Option<&Summary> {
        self.by_id.get(&id).map(|&doc| &self.summaries[doc as usize])
    }
}

/// A filter, resolved against the catalogue's values.
#[derive(Debug)]
enum Filter {
    /// The document has one of these values of the facet.
    Values(Facet, Vec<u32>),
    /// The document's ECTS credits are within the range (both ends included).
    EctsRange(f64, f64),
}

impl Filter {
    fn passes(&self, catalogue: &Catalogue, doc: &Doc) -> bool {
        match self {
            Filter::Values(facet, ids) => catalogue.facet_of(doc, *facet).iter().any(|value| ids.contains(value)),
            Filter::EctsRange(min, max) => doc.ects.is_some_and(|ects| (*min..=*max).contains(&ects)),
        }
    }
}

fn display<S: serde::Serializer>(value: &impl std::fmt::Display, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

fn lang_map<S: serde::Serializer>(map: &LangMap, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_map(map.iter().map(|(tag, text)| (tag.as_str(), text)))
}

fn ects_range(ects: f64) -> &'static str {
    ECTS_RANGES.iter().find(|(_, low, high)| (*low..*high).contains(&ects)).map_or(NONE, |(label, ..)| label)
}

#[cfg(test)]
mod tests;
