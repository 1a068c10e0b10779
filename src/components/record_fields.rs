//! A record's fields as (label, value) rows in the user's language: the rows of its own kind,
//! which the record's page shows and a sync conflict compares.

use patrol_core::*;

use crate::format;
use crate::i18n::*;
use crate::labels::Label;

pub fn yes_no(locale: Locale, value: bool) -> String {
    if value {
        td_string!(locale, detail.yes)
    } else {
        td_string!(locale, detail.no)
    }
    .to_owned()
}

pub fn text_or_blank(text: &str) -> String {
    text.trim().to_owned()
}

/// The kind's own fields as (label, value) rows.
pub fn kind_rows(locale: Locale, details: &Details) -> Vec<(&'static str, String)> {
    match details {
        Details::SewageOutfall(o) => vec![
            (
                td_string!(locale, fields.discharge),
                o.discharge.label(locale).into(),
            ),
            (td_string!(locale, fields.flow), o.flow.label(locale).into()),
            (
                td_string!(locale, fields.colour),
                o.colour.label(locale).into(),
            ),
            (
                td_string!(locale, fields.odour),
                o.odour.label(locale).into(),
            ),
            (
                td_string!(locale, fields.receiving_river),
                text_or_blank(&o.receiving_river),
            ),
        ],
        Details::LivestockFarm(f) => vec![
            (td_string!(locale, fields.farm_name), text_or_blank(&f.name)),
            (td_string!(locale, fields.owner), text_or_blank(&f.owner)),
            (
                td_string!(locale, fields.species),
                f.species.label(locale).into(),
            ),
            (
                td_string!(locale, fields.head_count),
                f.head_count.map(|n| n.to_string()).unwrap_or_default(),
            ),
            (
                td_string!(locale, fields.manure_facility),
                f.manure_facility.label(locale).into(),
            ),
            (
                td_string!(locale, fields.in_no_farming_zone),
                yes_no(locale, f.in_no_farming_zone),
            ),
        ],
        Details::Signage(s) => vec![
            (
                td_string!(locale, fields.sign_type),
                s.sign_type.label(locale).into(),
            ),
            (
                td_string!(locale, fields.condition),
                s.condition.label(locale).into(),
            ),
        ],
        Details::StonePlant(p) => vec![
            (
                td_string!(locale, fields.plant_name),
                text_or_blank(&p.name),
            ),
            (
                td_string!(locale, fields.operation),
                p.operation.label(locale).into(),
            ),
            (
                td_string!(locale, fields.wastewater_to_river),
                yes_no(locale, p.wastewater_to_river),
            ),
        ],
        Details::SpoilHeap(h) => vec![
            (
                td_string!(locale, fields.road_section),
                text_or_blank(&h.road_section),
            ),
            (
                td_string!(locale, fields.volume),
                h.volume_m3.map(|v| v.to_string()).unwrap_or_default(),
            ),
            (
                td_string!(locale, fields.near_water),
                yes_no(locale, h.near_water),
            ),
        ],
        Details::LitterPoint(p) => vec![
            (td_string!(locale, fields.bins), p.bins.label(locale).into()),
            (
                td_string!(locale, fields.litter_in_river),
                yes_no(locale, p.litter_in_river),
            ),
        ],
        Details::WaterQuality(w) => vec![
            (
                td_string!(locale, fields.source_name),
                text_or_blank(&w.source_name),
            ),
            (
                td_string!(locale, fields.source),
                w.source.label(locale).into(),
            ),
            (
                td_string!(locale, fields.testing),
                w.testing.label(locale).into(),
            ),
            (
                td_string!(locale, fields.last_tested),
                w.last_tested
                    .map(|d| format::date(locale, d))
                    .unwrap_or_default(),
            ),
        ],
        Details::Other => Vec::new(),
    }
}
