//! The eight kinds of problem a patrol records, each with its own fields. Closed choices are
//! enums so a typo can never become a new category in the ledger.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A closed list of choices the UI can offer in a picker: every value, and its stable name
/// (used in storage, in CSV and as the i18n key suffix).
pub trait Choice: Copy + Eq + Sized + 'static {
    const ALL: &'static [Self];
    fn as_str(self) -> &'static str;
    fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == s)
    }
}

/// Declares a snake_case serde enum that implements [`Choice`], its first variant the default.
macro_rules! choice {
    ($(#[$meta:meta])* $name:ident { $first:ident = $first_s:literal $(, $var:ident = $s:literal)* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            #[default]
            #[serde(rename = $first_s)]
            $first,
            $(#[serde(rename = $s)] $var,)*
        }
        impl Choice for $name {
            const ALL: &'static [Self] = &[$name::$first $(, $name::$var)*];
            fn as_str(self) -> &'static str {
                match self {
                    $name::$first => $first_s,
                    $($name::$var => $s,)*
                }
            }
        }
    };
}

choice!(
    /// What kind of problem a record is. Names match the office's ledger spreadsheet.
    Kind {
        SewageOutfall = "sewage_outfall",
        LivestockFarm = "livestock_farm",
        Signage = "signage",
        StonePlant = "stone_plant",
        SpoilHeap = "spoil_heap",
        LitterPoint = "litter_point",
        WaterQuality = "water_quality",
        Other = "other",
    }
);

impl Kind {
    /// The kind's name in Simplified Chinese, as in the township's ledger (问题类型).
    pub fn zh_name(self) -> &'static str {
        match self {
            Kind::SewageOutfall => "排污口",
            Kind::LivestockFarm => "养殖场",
            Kind::Signage => "标志牌",
            Kind::StonePlant => "石料加工厂",
            Kind::SpoilHeap => "弃土堆",
            Kind::LitterPoint => "垃圾点",
            Kind::WaterQuality => "水质检测点",
            Kind::Other => "其他问题",
        }
    }
}

choice!(
    /// What an outfall discharges (排放类型).
    Discharge {
        Domestic = "domestic",
        Restaurant = "restaurant",
        Livestock = "livestock",
        Industrial = "industrial",
        MixedRainSewage = "mixed_rain_sewage",
        Unknown = "unknown",
    }
);

choice!(
    /// Whether the outfall was discharging when seen.
    Flow {
        Flowing = "flowing",
        Intermittent = "intermittent",
        Dry = "dry",
    }
);

choice!(
    /// Colour of the discharge.
    Colour {
        Clear = "clear",
        Turbid = "turbid",
        GreyBlack = "grey_black",
        OtherColour = "other_colour",
    }
);

choice!(
    /// Smell of the discharge.
    Odour {
        NoOdour = "none",
        Slight = "slight",
        Strong = "strong",
    }
);

choice!(
    /// Animals kept on a farm.
    Species {
        Pigs = "pigs",
        Cattle = "cattle",
        SheepGoats = "sheep_goats",
        Poultry = "poultry",
        Fish = "fish",
        OtherSpecies = "other",
    }
);

choice!(
    /// State of a farm's manure handling (粪污处理设施).
    ManureFacility {
        NoFacility = "none",
        Incomplete = "incomplete",
        Complete = "complete",
    }
);

choice!(
    /// What a sign is for.
    SignType {
        WaterSourceProtection = "water_source_protection",
        RiverChief = "river_chief",
        Warning = "warning",
        OtherSign = "other",
    }
);

choice!(
    /// The state the sign was found in.
    SignCondition {
        Missing = "missing",
        Damaged = "damaged",
        Faded = "faded",
        Good = "good",
    }
);

choice!(
    /// Whether a stone-processing plant is still working.
    PlantOperation {
        Operating = "operating",
        Stopped = "stopped",
        Dismantled = "dismantled",
    }
);

choice!(
    /// Litter bins at a litter point.
    BinState {
        NoBins = "none",
        TooFew = "too_few",
        Overflowing = "overflowing",
        Adequate = "adequate",
    }
);

choice!(
    /// Where a drinking-water source draws from.
    WaterSource {
        Reservoir = "reservoir",
        River = "river",
        Well = "well",
        Spring = "spring",
    }
);

choice!(
    /// Whether the drinking-water quality test has been done.
    Testing {
        NotDone = "not_done",
        Sampled = "sampled",
        Done = "done",
    }
);

/// A sewage outfall (排污口).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Outfall {
    pub discharge: Discharge,
    pub flow: Flow,
    pub colour: Colour,
    pub odour: Odour,
    /// River or stream the outfall drains into (受纳水体).
    #[serde(default)]
    pub receiving_river: String,
}

/// A livestock farm (养殖场).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Farm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub owner: String,
    pub species: Species,
    #[serde(default)]
    pub head_count: Option<u32>,
    pub manure_facility: ManureFacility,
    /// Inside a zone where farming is banned (禁养区).
    #[serde(default)]
    pub in_no_farming_zone: bool,
}

/// A sign (标志牌), e.g. a drinking-water source protection sign.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Sign {
    pub sign_type: SignType,
    pub condition: SignCondition,
}

/// A stone-processing plant (石料加工厂).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StonePlant {
    #[serde(default)]
    pub name: String,
    pub operation: PlantOperation,
    /// Wash water running into the river.
    #[serde(default)]
    pub wastewater_to_river: bool,
}

/// Spoil dumped and not cleared (弃土).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SpoilHeap {
    /// Road section it lies along (路段).
    #[serde(default)]
    pub road_section: String,
    /// Rough volume in cubic metres.
    #[serde(default)]
    pub volume_m3: Option<f64>,
    /// Close enough to the water to be washed in.
    #[serde(default)]
    pub near_water: bool,
}

/// A place where litter collects or bins are missing (垃圾点).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LitterPoint {
    pub bins: BinState,
    #[serde(default)]
    pub litter_in_river: bool,
}

/// A drinking-water source whose quality must be tested (水源质量检测).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WaterQualityPoint {
    #[serde(default)]
    pub source_name: String,
    pub source: WaterSource,
    pub testing: Testing,
    #[serde(default, with = "crate::stamp::date_option")]
    pub last_tested: Option<NaiveDate>,
}

/// The kind of a record together with that kind's fields. Stored internally tagged:
/// `{"kind": "sewage_outfall", "discharge": "domestic", ...}`.
///
/// Read by hand (below), not by serde's derive: the derive for an internally tagged enum
/// buffers the fields through serde's `Content` type, code the app's first screen would carry
/// for every record it decodes. This reads them through `serde_json::Value`, which the codec
/// uses anyway, and takes the same JSON.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Details {
    SewageOutfall(Outfall),
    LivestockFarm(Farm),
    Signage(Sign),
    StonePlant(StonePlant),
    SpoilHeap(SpoilHeap),
    LitterPoint(LitterPoint),
    WaterQuality(WaterQualityPoint),
    /// Anything else; the record's title says what.
    Other,
}

impl<'de> Deserialize<'de> for Details {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{Error, Unexpected};
        use serde_json::Value;

        let mut fields = serde_json::Map::<String, Value>::deserialize(deserializer)?;
        let kind = match fields.remove("kind") {
            Some(Value::String(kind)) => kind,
            Some(other) => {
                let unexpected = match &other {
                    Value::Null => Unexpected::Unit,
                    Value::Bool(b) => Unexpected::Bool(*b),
                    Value::Number(_) => Unexpected::Other("a number"),
                    Value::Array(_) => Unexpected::Seq,
                    _ => Unexpected::Map,
                };
                return Err(D::Error::invalid_type(unexpected, &"a kind's name"));
            }
            None => return Err(D::Error::missing_field("kind")),
        };
        let Some(kind) = Kind::ALL.iter().copied().find(|k| k.as_str() == kind) else {
            const NAMES: &[&str] = &[
                "sewage_outfall",
                "livestock_farm",
                "signage",
                "stone_plant",
                "spoil_heap",
                "litter_point",
                "water_quality",
                "other",
            ];
            return Err(D::Error::unknown_variant(&kind, NAMES));
        };
        let fields = Value::Object(fields);
        let details = match kind {
            Kind::SewageOutfall => Outfall::deserialize(fields).map(Details::SewageOutfall),
            Kind::LivestockFarm => Farm::deserialize(fields).map(Details::LivestockFarm),
            Kind::Signage => Sign::deserialize(fields).map(Details::Signage),
            Kind::StonePlant => StonePlant::deserialize(fields).map(Details::StonePlant),
            Kind::SpoilHeap => SpoilHeap::deserialize(fields).map(Details::SpoilHeap),
            Kind::LitterPoint => LitterPoint::deserialize(fields).map(Details::LitterPoint),
            Kind::WaterQuality => WaterQualityPoint::deserialize(fields).map(Details::WaterQuality),
            Kind::Other => Ok(Details::Other),
        };
        details.map_err(D::Error::custom)
    }
}

impl Details {
    /// The kind's fields at their defaults.
    pub fn new(kind: Kind) -> Details {
        match kind {
            Kind::SewageOutfall => Details::SewageOutfall(Outfall::default()),
            Kind::LivestockFarm => Details::LivestockFarm(Farm::default()),
            Kind::Signage => Details::Signage(Sign::default()),
            Kind::StonePlant => Details::StonePlant(StonePlant::default()),
            Kind::SpoilHeap => Details::SpoilHeap(SpoilHeap::default()),
            Kind::LitterPoint => Details::LitterPoint(LitterPoint::default()),
            Kind::WaterQuality => Details::WaterQuality(WaterQualityPoint::default()),
            Kind::Other => Details::Other,
        }
    }

    pub fn kind(&self) -> Kind {
        match self {
            Details::SewageOutfall(_) => Kind::SewageOutfall,
            Details::LivestockFarm(_) => Kind::LivestockFarm,
            Details::Signage(_) => Kind::Signage,
            Details::StonePlant(_) => Kind::StonePlant,
            Details::SpoilHeap(_) => Kind::SpoilHeap,
            Details::LitterPoint(_) => Kind::LitterPoint,
            Details::WaterQuality(_) => Kind::WaterQuality,
            Details::Other => Kind::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every kind's details, written and read back, from text and from a `Value` (the two
    /// ways the codec and the server read them).
    #[test]
    fn every_kind_reads_back_what_it_wrote() {
        for kind in Kind::ALL.iter().copied() {
            let details = Details::new(kind);
            let text = serde_json::to_string(&details).unwrap();
            assert!(
                text.contains(&format!("\"kind\":\"{}\"", kind.as_str())),
                "{text}"
            );
            assert_eq!(serde_json::from_str::<Details>(&text).unwrap(), details);
            let value = serde_json::to_value(&details).unwrap();
            assert_eq!(serde_json::from_value::<Details>(value).unwrap(), details);
        }
    }

    #[test]
    fn the_kind_can_come_anywhere_and_other_ignores_fields() {
        let outfall: Details = serde_json::from_value(json!({
            "discharge": "restaurant", "flow": "dry", "colour": "clear", "odour": "none",
            "receiving_river": "清水河", "kind": "sewage_outfall"
        }))
        .unwrap();
        let Details::SewageOutfall(o) = outfall else {
            panic!("not an outfall: {outfall:?}")
        };
        assert_eq!(o.discharge, Discharge::Restaurant);
        assert_eq!(o.receiving_river, "清水河");
        let other: Details = serde_json::from_str(r#"{"kind":"other","note":"x"}"#).unwrap();
        assert_eq!(other, Details::Other);
    }

    #[test]
    fn bad_details_are_errors_that_say_what_is_wrong() {
        let error = |v: serde_json::Value| serde_json::from_value::<Details>(v).unwrap_err();
        assert!(
            error(json!({"kind": "bridge"}))
                .to_string()
                .contains("unknown variant `bridge`")
        );
        assert!(
            error(json!({"discharge": "domestic"}))
                .to_string()
                .contains("missing field `kind`")
        );
        assert!(
            error(json!({"kind": 3}))
                .to_string()
                .contains("invalid type")
        );
        assert!(
            error(json!({"kind": "sewage_outfall", "discharge": "lava"}))
                .to_string()
                .contains("unknown variant `lava`")
        );
        assert!(serde_json::from_str::<Details>("[1, 2]").is_err());
        assert!(serde_json::from_str::<Details>("\"signage\"").is_err());
    }
}
