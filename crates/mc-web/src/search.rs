//! The catalogue's query parameters, read the same way by the API and the pages:
//! `q`, one or more of `eqf`, `isced`, `language`, `participation`, `institution`, `country`
//! and `skill` (repeated values of one facet are alternatives), `ects_min`, `ects_max`,
//! `limit` and `offset`.

use mc_catalogue::{Facet, NONE, Query};

/// The most results one page may hold.
pub(crate) const MAX_LIMIT: usize = 100;
/// How many results a page holds unless asked.
pub(crate) const DEFAULT_LIMIT: usize = 20;
/// The furthest a page may start.
const MAX_OFFSET: usize = 10_000;

/// A parameter that is wrong: its name and why.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct BadParameter {
    pub(crate) name: String,
    pub(crate) message: String,
}

fn bad(name: &str, message: impl Into<String>) -> BadParameter {
    BadParameter { name: name.to_owned(), message: message.into() }
}

/// Reads the query. Parameters named in `ignored` (such as the pages' `lang`) are skipped;
/// any other unknown one is refused, so that a misspelt filter never goes unnoticed.
pub(crate) fn parse(pairs: &[(String, String)], ignored: &[&str]) -> Result<Query, BadParameter> {
    let mut query = Query { limit: DEFAULT_LIMIT, ..Query::default() };
    for (name, value) in pairs {
        let value = value.trim();
        let number = |max: f64| -> Result<f64, BadParameter> {
            value
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite() && (0.0..=max).contains(n))
                .ok_or_else(|| bad(name, format!("{value:?} is not a number from 0 to {max}")))
        };
        let count = |max: usize| -> Result<usize, BadParameter> {
            value
                .parse::<usize>()
                .ok()
                .filter(|n| *n <= max)
                .ok_or_else(|| bad(name, format!("{value:?} is not a whole number from 0 to {max}")))
        };
        let facet = match name.as_str() {
            "q" => {
                if value.chars().count() > 500 {
                    return Err(bad(name, "is longer than 500 characters"));
                }
                query.text = value.to_owned();
                continue;
            }
            "ects_min" => {
                query.ects_min = Some(number(240.0)?);
                continue;
            }
            "ects_max" => {
                query.ects_max = Some(number(240.0)?);
                continue;
            }
            "limit" => {
                query.limit = count(MAX_LIMIT)?;
                continue;
            }
            "offset" => {
                query.offset = count(MAX_OFFSET)?;
                continue;
            }
            "sort" => {
                query.sort = mc_catalogue::Sort::parse(value).ok_or_else(|| {
                    bad(name, format!("{value:?} is not an order: use relevance, title, newest or ects"))
                })?;
                continue;
            }
            "eqf" => Facet::Eqf,
            "isced" => Facet::Isced,
            "language" => Facet::Language,
            "participation" => Facet::Participation,
            "institution" => Facet::Institution,
            "country" => Facet::Country,
            "skill" => Facet::Skill,
            "recognised" => Facet::Recognised,
            other if ignored.contains(&other) => continue,
            other => {
                return Err(bad(
                    other,
                    "is not a catalogue parameter: use q, eqf, ects_min, ects_max, isced, language, participation, \
                     institution, country, skill, recognised, sort, limit or offset",
                ));
            }
        };
        if value.is_empty() {
            continue;
        }
        let valid = match facet {
            Facet::Eqf => value == NONE || matches!(value.parse::<u8>(), Ok(1..=8)),
            Facet::Isced => mc_core::isced_f_name(value).is_some(),
            Facet::Participation => mc_core::Participation::parse(value).is_ok(),
            Facet::Country => value.len() == 2 && value.chars().all(|c| c.is_ascii_uppercase()),
            Facet::Institution | Facet::Recognised => mc_core::InstitutionId::parse(value).is_ok(),
            _ => value.len() <= 300,
        };
        if !valid {
            return Err(bad(name, format!("{value:?} is not a value of this filter")));
        }
        query.filters.entry(facet).or_default().push(value.to_owned());
    }
    if let (Some(min), Some(max)) = (query.ects_min, query.ects_max)
        && min > max
    {
        return Err(bad("ects_min", format!("{min} is more than ects_max {max}")));
    }
    Ok(query)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(raw: &[(&str, &str)]) -> Vec<(String, String)> {
        raw.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn repeated_filters_are_alternatives() {
        let query =
            parse(&pairs(&[("q", "data"), ("eqf", "6"), ("eqf", "7"), ("ects_min", "4"), ("lang", "es")]), &["lang"])
                .unwrap();
        assert_eq!(query.text, "data");
        assert_eq!(query.filters[&Facet::Eqf], ["6", "7"]);
        assert_eq!(query.ects_min, Some(4.0));
        assert_eq!(query.limit, DEFAULT_LIMIT);
    }

    #[test]
    fn wrong_parameters_are_named() {
        for (raw, name) in [
            (vec![("eqf", "9")], "eqf"),
            (vec![("ects_min", "-1")], "ects_min"),
            (vec![("ects_min", "6"), ("ects_max", "4")], "ects_min"),
            (vec![("limit", "1000")], "limit"),
            (vec![("participation", "hybrid")], "participation"),
            (vec![("isced", "1234")], "isced"),
            (vec![("country", "spain")], "country"),
            (vec![("eqff", "6")], "eqff"),
            (vec![("lang", "es")], "lang"),
        ] {
            assert_eq!(parse(&pairs(&raw), &[]).unwrap_err().name, name, "{raw:?}");
        }
    }
}
