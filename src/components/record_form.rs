//! Creating and editing a record: the common fields plus the fields of the record's kind.
//! Everything typed stays in memory until the browser has accepted the write.

use chrono::Utc;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use patrol_core::draft::Draft;
use patrol_core::stamp::parse_date;
use patrol_core::validate::field;
use patrol_core::*;
use uuid::Uuid;

use crate::components::dialog::ConfirmDialog;
use crate::components::draft_autosave::use_draft_autosave;
use crate::components::fields::{
    CheckField, ClockAlert, FormIssue, Issue, Issues, ResponsibilityFields, SaveErrorAlert,
    TextField, choice_field, clock_for_save, focus_field, save_error_message,
};
use crate::components::photos::{PhotoPicker, StampFacts};
use crate::components::position::PositionField;
use crate::format;
use crate::i18n::*;
use crate::label;
use crate::labels::{Label, kind_icon};
use crate::notice::{Notice, announce};
use crate::state::Ledger;
use crate::storage::SaveError;
use crate::storage::drafts;
use crate::storage::settings::Settings;

/// Getter and setter closures for one field of the draft, e.g. `lens!(draft, village)`.
macro_rules! lens {
    ($draft:ident, $($field:ident).+) => {
        (
            move || $draft.with(|r| r.$($field).+.clone()),
            Callback::new(move |v| $draft.update(|r| r.$($field).+ = v)),
        )
    };
}

/// Getter and setter for a field of the kind's own part, e.g. `kind_lens!(draft, Signage, condition)`.
macro_rules! kind_lens {
    ($draft:ident, $variant:ident, $field:ident) => {
        (
            move || {
                $draft.with(|r| match &r.details {
                    Details::$variant(d) => d.$field.clone(),
                    _ => Default::default(),
                })
            },
            move |v| {
                $draft.update(|r| {
                    if let Details::$variant(d) = &mut r.details {
                        d.$field = v
                    }
                })
            },
        )
    };
}

/// Parses an optional number typed by hand; a comma is taken as a decimal point.
fn parse_number<T: std::str::FromStr>(text: &str) -> Result<Option<T>, ()> {
    let text = text.trim().replace([',', '，'], ".");
    if text.is_empty() {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| ())
}

fn number_text<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// Everything the form holds, as signals; one draft's worth of state.
#[derive(Clone, Copy)]
struct FormState {
    record: RwSignal<Record>,
    // Numbers are kept as typed until save, so a half-typed "31." is not thrown away.
    latitude: RwSignal<String>,
    longitude: RwSignal<String>,
    head_count: RwSignal<String>,
    volume: RwSignal<String>,
    /// The position as last taken or saved, with its accuracy; used while the typed
    /// coordinates still match it.
    fix: RwSignal<Option<Position>>,
    /// Photos already stored in IndexedDB (the picker stores a photo before adding it here).
    photos: RwSignal<Vec<PhotoRef>>,
}

impl FormState {
    fn new(record: &Record) -> FormState {
        let state = FormState {
            record: RwSignal::new(record.clone()),
            latitude: RwSignal::new(String::new()),
            longitude: RwSignal::new(String::new()),
            head_count: RwSignal::new(String::new()),
            volume: RwSignal::new(String::new()),
            fix: RwSignal::new(None),
            photos: RwSignal::new(Vec::new()),
        };
        state.fill_from(record);
        state
    }

    fn fill_from(&self, record: &Record) {
        self.record.set(record.clone());
        self.latitude
            .set(number_text(record.position.as_ref().map(|p| p.latitude)));
        self.longitude
            .set(number_text(record.position.as_ref().map(|p| p.longitude)));
        let (head_count, volume) = match &record.details {
            Details::LivestockFarm(f) => (number_text(f.head_count), String::new()),
            Details::SpoilHeap(s) => (String::new(), number_text(s.volume_m3)),
            _ => (String::new(), String::new()),
        };
        self.head_count.set(head_count);
        self.volume.set(volume);
        self.fix.set(record.position.clone());
        self.photos.set(record.photos.clone());
    }

    fn texts(&self) -> [(&'static str, RwSignal<String>); 4] {
        [
            (field::LATITUDE, self.latitude),
            (field::LONGITUDE, self.longitude),
            (field::HEAD_COUNT, self.head_count),
            (field::VOLUME, self.volume),
        ]
    }

    /// Restores a draft exactly as it was typed.
    fn resume(&self, draft: &Draft) {
        self.fill_from(&draft.record);
        for (name, signal) in self.texts() {
            if let Some(text) = draft.texts.get(name) {
                signal.set(text.clone());
            }
        }
        self.fix.set(draft.fix.clone());
    }

    /// Reads every input, so an effect calling this reruns on any change.
    fn track(&self) {
        self.record.track();
        self.fix.track();
        self.photos.track();
        for (_, signal) in self.texts() {
            signal.track();
        }
    }

    /// The form as a draft; `None` once the form is gone (its signals disposed).
    fn to_draft(self, is_new: bool) -> Option<Draft> {
        let mut texts = std::collections::BTreeMap::new();
        for (name, signal) in self.texts() {
            texts.insert(name.to_owned(), signal.try_get_untracked()?);
        }
        let mut record = self.record.try_get_untracked()?;
        record.photos = self.photos.try_get_untracked()?;
        Some(Draft {
            record,
            is_new,
            texts,
            fix: self.fix.try_get_untracked()?,
            saved_at: Utc::now(),
        })
    }

    /// Where the form says the problem is right now: the fix while the typed coordinates
    /// still match it, else the typed coordinates (no accuracy), else nowhere. For a new
    /// photo's watermark.
    fn position_now(self) -> Option<Position> {
        let latitude = parse_number::<f64>(&self.latitude.try_get_untracked()?).ok()??;
        let longitude = parse_number::<f64>(&self.longitude.try_get_untracked()?).ok()??;
        let same = |p: &Position| {
            (p.latitude - latitude).abs() < 1e-7 && (p.longitude - longitude).abs() < 1e-7
        };
        Some(
            self.fix
                .try_get_untracked()?
                .filter(same)
                .unwrap_or(Position {
                    latitude,
                    longitude,
                    accuracy_m: None,
                    taken_at: Utc::now(),
                    source: Some(PositionSource::Typed),
                }),
        )
    }

    /// What a photo taken now has in its watermark.
    fn stamp_facts(self) -> StampFacts {
        let position = self.position_now();
        self.record.with_untracked(|r| StampFacts {
            record: r.id,
            kind: r.kind(),
            village: r.village.clone(),
            place: r.place.clone(),
            position,
        })
    }

    /// The record to save, or what is wrong with the inputs.
    fn to_record(self) -> Result<Record, Vec<FormIssue>> {
        let mut record = self.record.get_untracked();
        record.photos = self.photos.get_untracked();
        let mut found = Vec::new();
        let mut flag = |field, issue| found.push(FormIssue { field, issue });
        let lat = parse_number::<f64>(&self.latitude.get_untracked());
        let lon = parse_number::<f64>(&self.longitude.get_untracked());
        match (lat, lon) {
            (Ok(None), Ok(None)) => record.position = None,
            (Ok(Some(latitude)), Ok(Some(longitude))) => {
                let fix = self.fix.get_untracked();
                let same = |p: &&Position| {
                    (p.latitude - latitude).abs() < 1e-7 && (p.longitude - longitude).abs() < 1e-7
                };
                // Typed by hand (or changed after a fix or a point placed on the map): no
                // accuracy to claim.
                record.position = Some(fix.as_ref().filter(same).cloned().unwrap_or(Position {
                    latitude,
                    longitude,
                    accuracy_m: None,
                    taken_at: Utc::now(),
                    source: Some(PositionSource::Typed),
                }));
            }
            (lat, lon) => {
                for (name, parsed) in [(field::LATITUDE, lat), (field::LONGITUDE, lon)] {
                    match parsed {
                        Err(()) => flag(name, Issue::NotANumber),
                        Ok(None) => flag(name, Issue::Domain(Problem::Required)),
                        Ok(Some(_)) => {}
                    }
                }
            }
        }
        match &mut record.details {
            Details::LivestockFarm(farm) => {
                match parse_number::<u32>(&self.head_count.get_untracked()) {
                    Ok(n) => farm.head_count = n,
                    Err(()) => flag(field::HEAD_COUNT, Issue::NotANumber),
                }
            }
            Details::SpoilHeap(heap) => match parse_number::<f64>(&self.volume.get_untracked()) {
                Ok(v) => heap.volume_m3 = v,
                Err(()) => flag(field::VOLUME, Issue::NotANumber),
            },
            _ => {}
        }
        for problem in validate(&record) {
            if !found.iter().any(|f| f.field == problem.field) {
                found.push(FormIssue {
                    field: problem.field,
                    issue: Issue::Domain(problem.problem),
                });
            }
        }
        if found.is_empty() {
            Ok(record)
        } else {
            Err(found)
        }
    }
}

/// The draft to offer when the form opens: the edited record's own, or for a new record the
/// one asked for in `?draft=` or else the latest unsaved new record of the same kind.
fn draft_to_offer(initial: &Record, is_new: bool, asked: Option<Uuid>) -> Option<Draft> {
    if !is_new {
        return drafts::load(initial.id);
    }
    match asked {
        Some(id) => drafts::load(id),
        None => drafts::all()
            .into_iter()
            .find(|d| d.is_new && d.record.kind() == initial.kind()),
    }
}

#[component]
pub fn RecordForm(
    initial: Record,
    is_new: bool,
    #[prop(optional)] asked_draft: Uuid,
) -> impl IntoView {
    let i18n = use_i18n();
    let ledger = expect_context::<Ledger>();
    let settings = use_context::<RwSignal<Settings>>();
    let navigate = use_navigate();
    let issues: Issues = RwSignal::new(Vec::new());
    provide_context(issues);
    let save_error = RwSignal::new(None::<SaveError>);
    let clock_wrong = RwSignal::new(false);

    let kind = initial.kind();
    let id = initial.id;
    let state = FormState::new(&initial);
    let draft = state.record;
    // What the form opened with: if the stored record changes meanwhile (a sync, another
    // tab), saving applies the user's changes on top of it instead of overwriting it.
    let opened_with = StoredValue::new(initial.clone());
    let opened_status = initial.status;
    let (latitude, longitude, head_count, volume) = (
        state.latitude,
        state.longitude,
        state.head_count,
        state.volume,
    );

    // Drafts: an earlier unsaved one is offered, and every change is kept (use_draft_autosave).
    let asked = Some(asked_draft).filter(|id| !id.is_nil());
    let offered = RwSignal::new(draft_to_offer(&initial, is_new, asked));
    let discarding = RwSignal::new(false);
    let autosave = use_draft_autosave(
        move || state.track(),
        move || state.to_draft(is_new).map(|d| drafts::save(&d)),
    );
    let draft_error = autosave.error;
    let resume = move |_| {
        if let Some(d) = offered.get_untracked() {
            state.resume(&d);
        }
        offered.set(None);
    };
    let discard = Callback::new(move |()| {
        if let Some(d) = offered.get_untracked() {
            drafts::remove(d.record.id);
        }
        discarding.set(false);
        offered.set(None);
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(now) = clock_for_save(clock_wrong) else {
            return;
        };
        if is_new {
            // Opened while the clock was wrong, saved once it is right: the problem is found
            // now, not in 1970 (restamped before the deadline is compared with the day found).
            let restamped = draft.with_untracked(|r| {
                let mut restamped = r.clone();
                restamped.restamp_new(now);
                (restamped != *r).then_some(restamped)
            });
            if let Some(restamped) = restamped {
                draft.set(restamped);
            }
        }
        let record = match state.to_record() {
            Ok(record) => record,
            Err(found) => {
                if let Some(first) = found.first() {
                    focus_field(first.field);
                }
                issues.set(found);
                return;
            }
        };
        issues.set(Vec::new());
        let saved = if is_new {
            // A problem found while a patrol is under way belongs to that patrol.
            let mut record = record;
            record.patrol = crate::storage::patrols::active_patrol_id();
            // What the township office records is dispatched (交办) to the village.
            if let Some(settings) = settings
                && settings.with_untracked(Settings::is_office)
            {
                record.dispatched = Some(patrol_core::Dispatch {
                    at: now,
                    by: settings.with_untracked(|s| s.officer.trim().to_owned()),
                });
            }
            // Its position comes from the form's fix, which a wrong clock may have dated too.
            record.restamp_new(now);
            ledger.save(record)
        } else {
            opened_with.with_value(|base| ledger.save_edit(base, record))
        };
        match saved {
            Ok(saved) => {
                autosave.saved();
                drafts::remove(saved.id);
                save_error.set(None);
                announce(Notice::Saved);
                navigate(
                    &format!("/records/{}", saved.id),
                    NavigateOptions {
                        replace: is_new,
                        ..Default::default()
                    },
                );
            }
            Err(error) => save_error.set(Some(error)),
        }
    };

    let (village, set_village) = lens!(draft, village);
    let (place, set_place) = lens!(draft, place);
    let (title, set_title) = lens!(draft, title);
    let (notes, set_notes) = lens!(draft, notes);
    let cancel_href = if is_new {
        "/".to_owned()
    } else {
        format!("/records/{id}")
    };

    view! {
        <form class="page record-form" on:submit=on_submit novalidate>
            <h1>
                {move || if is_new { t_string!(i18n, form.new_heading) } else { t_string!(i18n, form.edit_heading) }}
            </h1>
            <p class="kind-badge">
                <span class="kind-icon" aria-hidden="true">{kind_icon(kind)}</span>
                {move || kind.label(i18n.get_locale())}
            </p>
            {move || {
                offered
                    .get()
                    .map(|d| {
                        let when = format::date_time(i18n.get_locale(), d.saved_at);
                        view! {
                            <div class="draft-offer" role="region" aria-label=move || t_string!(i18n, drafts.offer_label)>
                                <p>{move || t_string!(i18n, drafts.offer, when = when.clone())}</p>
                                <div class="form-actions inline">
                                    <button type="button" class="primary" on:click=resume>
                                        {t!(i18n, drafts.resume)}
                                    </button>
                                    <button type="button" class="danger" on:click=move |_| discarding.set(true)>
                                        {t!(i18n, drafts.discard)}
                                    </button>
                                </div>
                            </div>
                        }
                    })
            }}
            <Show when=move || discarding.get()>
                <ConfirmDialog
                    id="discard"
                    title=label!(i18n, drafts.discard_title)
                    body=label!(i18n, drafts.discard_body)
                    confirm=label!(i18n, drafts.discard_yes)
                    cancel=label!(i18n, confirm.cancel)
                    on_confirm=discard
                    on_cancel=Callback::new(move |_| discarding.set(false))
                />
            </Show>
            {move || {
                draft_error
                    .get()
                    .map(|e| view! { <p class="warning">{t!(i18n, drafts.not_kept)} " " {save_error_message(i18n.get_locale(), &e)}</p> })
            }}
            <Show when=move || issues.with(|i| !i.is_empty())>
                <p class="form-alert" role="alert">
                    {move || t_string!(i18n, form.fix_errors, count = issues.with(Vec::len))}
                </p>
            </Show>
            <fieldset>
                <legend>{t!(i18n, sections.details)}</legend>
                <PhotoPicker photos=state.photos facts=Signal::derive(move || state.stamp_facts()) />
                <TextField id=field::TITLE label=label!(i18n, fields.title) value=Signal::derive(title)
                    on_input=set_title />
                <KindFields draft head_count volume />
                <TextField id=field::NOTES label=label!(i18n, fields.notes) value=Signal::derive(notes)
                    on_input=set_notes multiline=true />
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, sections.location)}</legend>
                <TextField id=field::VILLAGE label=label!(i18n, fields.village) value=Signal::derive(village)
                    on_input=set_village />
                <TextField id=field::PLACE label=label!(i18n, fields.place) value=Signal::derive(place)
                    on_input=set_place />
                <PositionField latitude longitude fix=state.fix />
                <div class="field-pair">
                    <TextField id=field::LATITUDE label=label!(i18n, fields.latitude) value=latitude
                        on_input=Callback::new(move |v| latitude.set(v)) inputmode="decimal" />
                    <TextField id=field::LONGITUDE label=label!(i18n, fields.longitude) value=longitude
                        on_input=Callback::new(move |v| longitude.set(v)) inputmode="decimal" />
                </div>
                <p class="field-hint">{t!(i18n, fields.position_hint)}</p>
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, sections.responsibility)}</legend>
                <ResponsibilityFields record=draft />
                // A new problem may be found in any status; after that the status moves only
                // with a follow-up visit (复查), which the workflow checks and the history keeps.
                {if is_new {
                    choice_field(
                        "status",
                        label!(i18n, fields.status),
                        move || draft.with(|r| r.status),
                        move |s| draft.update(|r| r.status = s),
                    )
                    .into_any()
                } else {
                    view! {
                        <div class="field status-fixed">
                            <span class="field-label">{t!(i18n, fields.status)}</span>
                            <p class=format!("status status-{}", opened_status.as_str())>
                                {move || opened_status.label(i18n.get_locale())}
                            </p>
                            <p class="field-hint">{t!(i18n, form.status_by_follow_up)}</p>
                        </div>
                    }
                    .into_any()
                }}
            </fieldset>
            <SaveErrorAlert error=save_error />
            <ClockAlert wrong=clock_wrong />
            <div class="form-actions">
                <button type="submit" class="primary">{t!(i18n, form.save)}</button>
                <A href=cancel_href attr:class="button secondary">{t!(i18n, form.cancel)}</A>
            </div>
        </form>
    }
}

/// The fields of the record's own kind.
#[component]
fn KindFields(
    draft: RwSignal<Record>,
    head_count: RwSignal<String>,
    volume: RwSignal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let kind = draft.with_untracked(|r| r.kind());
    match kind {
        Kind::SewageOutfall => {
            let (discharge, set_discharge) = kind_lens!(draft, SewageOutfall, discharge);
            let (flow, set_flow) = kind_lens!(draft, SewageOutfall, flow);
            let (colour, set_colour) = kind_lens!(draft, SewageOutfall, colour);
            let (odour, set_odour) = kind_lens!(draft, SewageOutfall, odour);
            let (river, set_river) = kind_lens!(draft, SewageOutfall, receiving_river);
            view! {
                {choice_field("discharge", label!(i18n, fields.discharge), discharge, set_discharge)}
                {choice_field("flow", label!(i18n, fields.flow), flow, set_flow)}
                {choice_field("colour", label!(i18n, fields.colour), colour, set_colour)}
                {choice_field("odour", label!(i18n, fields.odour), odour, set_odour)}
                <TextField id=field::RECEIVING_RIVER label=label!(i18n, fields.receiving_river)
                    value=Signal::derive(river) on_input=Callback::new(set_river) />
            }
            .into_any()
        }
        Kind::LivestockFarm => {
            let (name, set_name) = kind_lens!(draft, LivestockFarm, name);
            let (owner, set_owner) = kind_lens!(draft, LivestockFarm, owner);
            let (species, set_species) = kind_lens!(draft, LivestockFarm, species);
            let (manure, set_manure) = kind_lens!(draft, LivestockFarm, manure_facility);
            let (zone, set_zone) = kind_lens!(draft, LivestockFarm, in_no_farming_zone);
            view! {
                <TextField id=field::FARM_NAME label=label!(i18n, fields.farm_name) value=Signal::derive(name)
                    on_input=Callback::new(set_name) />
                <TextField id=field::OWNER label=label!(i18n, fields.owner) value=Signal::derive(owner)
                    on_input=Callback::new(set_owner) />
                {choice_field("species", label!(i18n, fields.species), species, set_species)}
                <TextField id=field::HEAD_COUNT label=label!(i18n, fields.head_count) value=head_count
                    on_input=Callback::new(move |v| head_count.set(v)) inputmode="numeric" />
                {choice_field("manure_facility", label!(i18n, fields.manure_facility), manure, set_manure)}
                <CheckField id="in_no_farming_zone" label=label!(i18n, fields.in_no_farming_zone)
                    checked=Signal::derive(zone) on_change=Callback::new(set_zone) />
            }
            .into_any()
        }
        Kind::Signage => {
            let (sign_type, set_sign_type) = kind_lens!(draft, Signage, sign_type);
            let (condition, set_condition) = kind_lens!(draft, Signage, condition);
            view! {
                {choice_field("sign_type", label!(i18n, fields.sign_type), sign_type, set_sign_type)}
                {choice_field("condition", label!(i18n, fields.condition), condition, set_condition)}
            }
            .into_any()
        }
        Kind::StonePlant => {
            let (name, set_name) = kind_lens!(draft, StonePlant, name);
            let (operation, set_operation) = kind_lens!(draft, StonePlant, operation);
            let (wastewater, set_wastewater) = kind_lens!(draft, StonePlant, wastewater_to_river);
            view! {
                <TextField id=field::PLANT_NAME label=label!(i18n, fields.plant_name) value=Signal::derive(name)
                    on_input=Callback::new(set_name) />
                {choice_field("operation", label!(i18n, fields.operation), operation, set_operation)}
                <CheckField id="wastewater_to_river" label=label!(i18n, fields.wastewater_to_river)
                    checked=Signal::derive(wastewater) on_change=Callback::new(set_wastewater) />
            }
            .into_any()
        }
        Kind::SpoilHeap => {
            let (road, set_road) = kind_lens!(draft, SpoilHeap, road_section);
            let (near, set_near) = kind_lens!(draft, SpoilHeap, near_water);
            view! {
                <TextField id=field::ROAD_SECTION label=label!(i18n, fields.road_section) value=Signal::derive(road)
                    on_input=Callback::new(set_road) />
                <TextField id=field::VOLUME label=label!(i18n, fields.volume) value=volume
                    on_input=Callback::new(move |v| volume.set(v)) inputmode="decimal" />
                <CheckField id="near_water" label=label!(i18n, fields.near_water)
                    checked=Signal::derive(near) on_change=Callback::new(set_near) />
            }
            .into_any()
        }
        Kind::LitterPoint => {
            let (bins, set_bins) = kind_lens!(draft, LitterPoint, bins);
            let (in_river, set_in_river) = kind_lens!(draft, LitterPoint, litter_in_river);
            view! {
                {choice_field("bins", label!(i18n, fields.bins), bins, set_bins)}
                <CheckField id="litter_in_river" label=label!(i18n, fields.litter_in_river)
                    checked=Signal::derive(in_river) on_change=Callback::new(set_in_river) />
            }
            .into_any()
        }
        Kind::WaterQuality => {
            let (name, set_name) = kind_lens!(draft, WaterQuality, source_name);
            let (source, set_source) = kind_lens!(draft, WaterQuality, source);
            let (testing, set_testing) = kind_lens!(draft, WaterQuality, testing);
            let (tested, set_tested) = kind_lens!(draft, WaterQuality, last_tested);
            view! {
                <TextField id=field::SOURCE_NAME label=label!(i18n, fields.source_name) value=Signal::derive(name)
                    on_input=Callback::new(set_name) />
                {choice_field("source", label!(i18n, fields.source), source, set_source)}
                {choice_field("testing", label!(i18n, fields.testing), testing, set_testing)}
                <TextField id=field::LAST_TESTED label=label!(i18n, fields.last_tested) input_type="date"
                    value=Signal::derive(move || tested().map(|d| d.to_string()).unwrap_or_default())
                    on_input=Callback::new(move |v: String| set_tested(parse_date(&v))) />
            }
            .into_any()
        }
        Kind::Other => ().into_any(),
    }
}
