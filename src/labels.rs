//! Every closed choice of the domain, told in the user's language through the catalogue.

use patrol_core::*;

use crate::i18n::*;

/// A domain value with a translated name.
pub trait Label: Copy {
    fn label(self, locale: Locale) -> &'static str;
}

/// Maps each variant to its catalogue key; the compiler checks both that every variant is
/// covered and that every key exists in every locale.
macro_rules! labels {
    ($ty:ty { $($var:ident => $($key:ident).+),* $(,)? }) => {
        impl Label for $ty {
            fn label(self, locale: Locale) -> &'static str {
                match self {
                    $(<$ty>::$var => td_string!(locale, $($key).+),)*
                }
            }
        }
    };
}

labels!(Kind {
    SewageOutfall => kinds.sewage_outfall,
    LivestockFarm => kinds.livestock_farm,
    Signage => kinds.signage,
    StonePlant => kinds.stone_plant,
    SpoilHeap => kinds.spoil_heap,
    LitterPoint => kinds.litter_point,
    WaterQuality => kinds.water_quality,
    Other => kinds.other,
});

labels!(Status {
    Open => status.open,
    Rectifying => status.rectifying,
    Fixed => status.fixed,
    Closed => status.closed,
});

labels!(Discharge {
    Domestic => options.discharge.domestic,
    Restaurant => options.discharge.restaurant,
    Livestock => options.discharge.livestock,
    Industrial => options.discharge.industrial,
    MixedRainSewage => options.discharge.mixed_rain_sewage,
    Unknown => options.discharge.unknown,
});

labels!(Flow { Flowing => options.flow.flowing, Intermittent => options.flow.intermittent, Dry => options.flow.dry });

labels!(Colour {
    Clear => options.colour.clear,
    Turbid => options.colour.turbid,
    GreyBlack => options.colour.grey_black,
    OtherColour => options.colour.other_colour,
});

labels!(Odour { NoOdour => options.odour.none, Slight => options.odour.slight, Strong => options.odour.strong });

labels!(Species {
    Pigs => options.species.pigs,
    Cattle => options.species.cattle,
    SheepGoats => options.species.sheep_goats,
    Poultry => options.species.poultry,
    Fish => options.species.fish,
    OtherSpecies => options.species.other,
});

labels!(ManureFacility {
    NoFacility => options.manure_facility.none,
    Incomplete => options.manure_facility.incomplete,
    Complete => options.manure_facility.complete,
});

labels!(SignType {
    WaterSourceProtection => options.sign_type.water_source_protection,
    RiverChief => options.sign_type.river_chief,
    Warning => options.sign_type.warning,
    OtherSign => options.sign_type.other,
});

labels!(SignCondition {
    Missing => options.condition.missing,
    Damaged => options.condition.damaged,
    Faded => options.condition.faded,
    Good => options.condition.good,
});

labels!(PlantOperation {
    Operating => options.operation.operating,
    Stopped => options.operation.stopped,
    Dismantled => options.operation.dismantled,
});

labels!(BinState {
    NoBins => options.bins.none,
    TooFew => options.bins.too_few,
    Overflowing => options.bins.overflowing,
    Adequate => options.bins.adequate,
});

labels!(WaterSource {
    Reservoir => options.source.reservoir,
    River => options.source.river,
    Well => options.source.well,
    Spring => options.source.spring,
});

labels!(Testing { NotDone => options.testing.not_done, Sampled => options.testing.sampled, Done => options.testing.done });

/// A small pictogram per kind, so the list can be scanned without reading.
pub fn kind_icon(kind: Kind) -> &'static str {
    match kind {
        Kind::SewageOutfall => "🚱",
        Kind::LivestockFarm => "🐖",
        Kind::Signage => "🪧",
        Kind::StonePlant => "🪨",
        Kind::SpoilHeap => "⛰️",
        Kind::LitterPoint => "🗑️",
        Kind::WaterQuality => "🧪",
        Kind::Other => "📌",
    }
}

/// The form label of a field named as in [`patrol_core::validate::field`] (or
/// [`patrol_core::patrol::field`]), for messages about that field (e.g. the server's reasons
/// for refusing a record or a patrol).
pub fn field_label(locale: Locale, name: &str) -> Option<&'static str> {
    use patrol_core::patrol::field as patrol;
    use patrol_core::validate::field;
    Some(match name {
        field::TITLE => td_string!(locale, fields.title),
        field::VILLAGE => td_string!(locale, fields.village),
        field::PLACE => td_string!(locale, fields.place),
        field::NOTES => td_string!(locale, fields.notes),
        field::LATITUDE => td_string!(locale, fields.latitude),
        field::LONGITUDE => td_string!(locale, fields.longitude),
        field::ACCURACY => td_string!(locale, fields.accuracy),
        field::LEADER => td_string!(locale, fields.leader),
        field::DEPARTMENT => td_string!(locale, fields.department),
        field::PERSON => td_string!(locale, fields.person),
        field::PHONE => td_string!(locale, fields.phone),
        field::DEADLINE => td_string!(locale, fields.deadline),
        field::RECEIVING_RIVER => td_string!(locale, fields.receiving_river),
        field::FARM_NAME => td_string!(locale, fields.farm_name),
        field::OWNER => td_string!(locale, fields.owner),
        field::HEAD_COUNT => td_string!(locale, fields.head_count),
        field::PLANT_NAME => td_string!(locale, fields.plant_name),
        field::ROAD_SECTION => td_string!(locale, fields.road_section),
        field::VOLUME => td_string!(locale, fields.volume),
        field::SOURCE_NAME => td_string!(locale, fields.source_name),
        field::LAST_TESTED => td_string!(locale, fields.last_tested),
        field::VISITS => td_string!(locale, fields.visits),
        // Values no input holds, which the server refuses when out of range (a clock that
        // was wrong, a damaged copy).
        field::REVISION => td_string!(locale, fields.revision),
        field::CREATED_AT => td_string!(locale, fields.created),
        field::UPDATED_AT => td_string!(locale, fields.updated),
        field::POSITION_TAKEN_AT => td_string!(locale, fields.position_taken_at),
        patrol::RIVER => td_string!(locale, patrols.river),
        patrol::SECTION => td_string!(locale, patrols.section),
        patrol::TRACK => td_string!(locale, patrols.track),
        patrol::STARTED_AT => td_string!(locale, patrols.started),
        patrol::ENDED_AT => td_string!(locale, patrols.ended),
        _ => return None,
    })
}
