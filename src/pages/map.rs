//! 地图 (一张图): the problems on this phone as markers over the township's basemap, the
//! patrol under way (and past ones on request) and where the phone stands. The list's search
//! and filters apply here too (src/state/filter.rs). A marker worked shows a short card that
//! opens the problem.
//!
//! Markers are clustered at each zoom by patrol-core's map_clusters, and only those in view are
//! drawn, so a township's thousands of problems stay smooth; the drawing itself is Leaflet's,
//! loaded with this screen (src/river_map.rs).

use std::collections::HashMap;

use leptos::ev::Custom;
use leptos::html;
use leptos::prelude::*;
use leptos::reactive::traits::Track as _;
use leptos_router::components::A;
use leptos_use::use_event_listener;
use patrol_core::basemap::{Basemap, Bounds};
use patrol_core::map_clusters::cluster;
use patrol_core::workflow::DeadlineState;
use patrol_core::{Choice, Record, Status};
use uuid::Uuid;

use crate::components::deadline::DeadlineBadge;
use crate::components::filter_bar::FilterBar;
use crate::components::offline_area::OfflineArea;
use crate::components::part_missing::PartMissingNote;
use crate::format;
use crate::geolocation::{UsePositionReturn, use_position};
use crate::i18n::*;
use crate::labels::{Label, kind_icon};
use crate::river_map::{
    self, MARKER_EVENT, MapOptions, Marker, RiverMap, Track, UseRiverMapReturn, VIEW_EVENT,
    detail_number, detail_text, use_river_map,
};
use crate::state::{Ledger, Patrols};
use crate::storage::settings::Settings;
use crate::sync::SyncEngine;

/// Around the problems when the map opens, in metres.
const MARGIN_M: f64 = 200.0;
/// Zoom when the map goes to the phone's position.
const HERE_ZOOM: u8 = 16;

#[component]
pub fn MapPage() -> impl IntoView {
    let i18n = use_i18n();
    let ledger = expect_context::<Ledger>();
    let filter = crate::state::filter::shared();
    let shown = Memo::new(move |_| {
        let today = format::today();
        filter.with(|f| {
            ledger.with_all(|all| {
                all.iter()
                    .filter(|r| !r.is_deleted() && f.matches(r, today))
                    .cloned()
                    .collect::<Vec<Record>>()
            })
        })
    });
    let placed = Memo::new(move |_| {
        shown.with(|list| {
            list.iter()
                .filter(|r| r.position.is_some())
                .cloned()
                .collect::<Vec<Record>>()
        })
    });
    // The problems of the marker worked last: one, or all of a cluster that cannot be
    // zoomed further (several problems recorded at the same spot).
    let selected = RwSignal::new(Vec::<Uuid>::new());
    // Another search or filter: the card may be of a problem no longer shown.
    Effect::new(move |_| {
        filter.track();
        selected.set(Vec::new());
    });
    view! {
        <section class="page map-page">
            <h1>{t!(i18n, map.title)}</h1>
            <FilterBar filter />
            <p class="count" aria-live="polite">
                {move || t_string!(i18n, map.count, count = placed.with(Vec::len)).to_string()}
                {move || {
                    let unplaced = shown.with(Vec::len) - placed.with(Vec::len);
                    (unplaced > 0)
                        .then(|| format!(" {}", t_string!(i18n, map.unplaced, count = unplaced)))
                }}
            </p>
            <MapArea placed selected />
            // One shape for one card and for several (a spot with many problems): a second
            // shape would be a second copy of the view's code in the map's download.
            <div aria-live="polite">
                {move || {
                    let records: Vec<Record> = selected.with(|ids| ids.iter().filter_map(|id| ledger.get(id)).collect());
                    let count = records.len();
                    (count > 0).then(|| view! {
                        <section class="map-cards" data-testid="map-cards">
                            {(count > 1).then(|| view! { <h2>{t!(i18n, map.same_spot, count)}</h2> })}
                            <ul>
                                {records.into_iter().map(|record| view! { <li><MapCard record /></li> }).collect_view()}
                            </ul>
                        </section>
                    })
                }}
            </div>
            <Legend />
        </section>
    }
}

/// The map itself, its tools and what it draws.
#[component]
fn MapArea(placed: Memo<Vec<Record>>, selected: RwSignal<Vec<Uuid>>) -> impl IntoView {
    let i18n = use_i18n();
    let patrols = expect_context::<Patrols>();
    let settings = expect_context::<RwSignal<Settings>>();
    let engine = use_context::<SyncEngine>();
    let basemap = Memo::new(move |_| engine.and_then(|e| e.township.with(|t| t.basemap.clone())));
    let container = NodeRef::<html::Div>::new();
    let view = RwSignal::new(None::<(u8, Bounds)>);
    let show_past = RwSignal::new(false);
    // The problems behind each cluster drawn, by its marker's key.
    let clusters = StoredValue::new(HashMap::<String, Vec<Uuid>>::new());

    // The basemap as the map asks for its tiles (a path made absolute on the sync server):
    // the offline area keeps them under the same URLs.
    let area_basemap = Signal::derive(move || {
        let b = basemap.get()?;
        let base = settings.with(Settings::server_base).unwrap_or_default();
        let tiles = MapOptions::new(Some(&b), &base, None).tiles?;
        Some(Basemap { tiles, ..b })
    });

    // Opens the map once its element is there, and again when the township changes its
    // basemap (or after a retry), fitted to the problems shown.
    let UseRiverMapReturn {
        map,
        ready,
        missing,
        retry,
    } = use_river_map(container, move || {
        let basemap = basemap.get();
        let bounds = placed
            .with_untracked(|records| Bounds::around(records.iter().filter_map(at), MARGIN_M));
        let base = settings
            .with_untracked(Settings::server_base)
            .unwrap_or_default();
        MapOptions::new(basemap.as_ref(), &base, bounds)
    });

    let _ = use_event_listener(
        container,
        Custom::<web_sys::Event>::new(VIEW_EVENT),
        move |ev| {
            let n = |name| detail_number(&ev, name);
            if let (Some(zoom), Some(south), Some(west), Some(north), Some(east)) =
                (n("zoom"), n("south"), n("west"), n("north"), n("east"))
            {
                view.set(Some((
                    zoom as u8,
                    Bounds {
                        south,
                        west,
                        north,
                        east,
                    },
                )));
            }
        },
    );
    let _ = use_event_listener(
        container,
        Custom::<web_sys::Event>::new(MARKER_EVENT),
        move |ev| {
            let Some(key) = detail_text(&ev, "key") else {
                return;
            };
            if let Some(members) = clusters.with_value(|c| c.get(&key).cloned()) {
                selected.set(members);
            } else if let Ok(id) = Uuid::parse_str(&key) {
                selected.set(vec![id]);
            }
        },
    );

    // The markers in view, clustered at the zoom: again after every move and every change of
    // the problems or the filter.
    Effect::new(move |_| {
        let Some((zoom, bounds)) = view.get() else {
            return;
        };
        let locale = i18n.get_locale();
        let today = format::today();
        let (markers, members) =
            placed.with(|records| markers(records, zoom, &bounds, locale, today));
        clusters.set_value(members);
        map.with_value(|m| {
            if let Some(m) = m {
                m.set_markers(&markers);
            }
        });
    });

    // The patrol under way, and the past ones when asked for.
    Effect::new(move |_| {
        if !ready.get() {
            return;
        }
        let past = show_past.get();
        let tracks: Vec<Track> = patrols.with_all(|all| {
            all.iter()
                .filter(|p| past || p.ended_at.is_none())
                .map(|p| Track {
                    points: p.track.iter().map(|t| (t.lat, t.lon)).collect(),
                    active: p.ended_at.is_none(),
                })
                .filter(|t| t.points.len() > 1)
                .collect()
        });
        map.with_value(|m| {
            if let Some(m) = m {
                m.set_tracks(&tracks);
            }
        });
    });

    view! {
        <div class="map-tools">
            <label class="check">
                <input type="checkbox" prop:checked=move || show_past.get()
                    on:change=move |ev| show_past.set(event_target_checked(&ev)) />
                {t!(i18n, map.past_patrols)}
            </label>
            <Show when=move || ready.get()>
                <Here map nothing_placed=Signal::derive(move || placed.with(Vec::is_empty)) />
            </Show>
        </div>
        <div node_ref=container class="river-map" role="region" data-testid="river-map"
            aria-label=move || t_string!(i18n, map.label)></div>
        <Show when=move || missing.get()>
            <PartMissingNote retry>{t!(i18n, map.missing)}</PartMissingNote>
        </Show>
        <Show when=move || basemap.with(Option::is_none)>
            <p class="hint">{t!(i18n, map.no_basemap)}</p>
        </Show>
        <OfflineArea basemap=area_basemap placed view=Signal::derive(move || view.get().map(|(_, b)| b)) />
    }
}

/// A problem's place on the map, when it has one.
fn at(record: &Record) -> Option<(f64, f64)> {
    record.position.as_ref().map(|p| (p.latitude, p.longitude))
}

/// The markers for `records` (each has a position) in `view` at `zoom`: a little more than the
/// view, so a short pan does not show an empty edge before the next drawing. With them, the
/// problems behind each cluster's key.
fn markers(
    records: &[Record],
    zoom: u8,
    view: &Bounds,
    locale: Locale,
    today: chrono::NaiveDate,
) -> (Vec<Marker>, HashMap<String, Vec<Uuid>>) {
    let points: Vec<(f64, f64)> = records
        .iter()
        .map(|r| at(r).unwrap_or((f64::NAN, f64::NAN)))
        .collect();
    let (lat_pad, lon_pad) = (
        (view.north - view.south) / 2.0,
        (view.east - view.west) / 2.0,
    );
    let wider = Bounds {
        south: view.south - lat_pad,
        west: view.west - lon_pad,
        north: view.north + lat_pad,
        east: view.east + lon_pad,
    };
    let mut members = HashMap::new();
    let markers = cluster(&points, zoom, Some(&wider))
        .into_iter()
        .map(|c| {
            let bounds = c.bounds;
            if c.is_single() {
                let r = &records[c.members[0]];
                let deadline = DeadlineState::on(r.deadline, r.status, today);
                let title = r.title.trim();
                let title = if title.is_empty() {
                    r.kind().label(locale)
                } else {
                    title
                };
                let mut name = format!("{title} · {}", r.status.label(locale));
                if let DeadlineState::Overdue { days } = deadline {
                    name.push_str(" · ");
                    name.push_str(&td_string!(locale, deadline.overdue, days).to_string());
                }
                Marker {
                    key: r.id.to_string(),
                    lat: c.latitude,
                    lon: c.longitude,
                    count: 1,
                    name,
                    symbol: status_symbol(r.status).to_owned(),
                    status: r.status.as_str(),
                    overdue: matches!(deadline, DeadlineState::Overdue { .. }),
                    bounds,
                }
            } else {
                let count = c.members.len();
                let overdue = c.members.iter().any(|&i| {
                    let r = &records[i];
                    matches!(
                        DeadlineState::on(r.deadline, r.status, today),
                        DeadlineState::Overdue { .. }
                    )
                });
                let key = format!("cluster-{}", records[c.members[0]].id);
                members.insert(
                    key.clone(),
                    c.members.iter().map(|&i| records[i].id).collect(),
                );
                Marker {
                    key,
                    lat: c.latitude,
                    lon: c.longitude,
                    count,
                    name: td_string!(locale, map.cluster, count).to_string(),
                    symbol: count.to_string(),
                    status: "",
                    overdue,
                    bounds,
                }
            }
        })
        .collect();
    (markers, members)
}

/// The sign inside a marker's shape: the status is told by both.
fn status_symbol(status: Status) -> &'static str {
    match status {
        Status::Open => "!",
        Status::Rectifying => "…",
        Status::Fixed => "✓",
        Status::Closed => "✓",
    }
}

/// The phone's position with its accuracy circle, watched while the map is open; the map goes
/// there at the first fix when it has no problem to show, and on the button.
#[component]
fn Here(
    map: StoredValue<Option<RiverMap>, LocalStorage>,
    nothing_placed: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let UsePositionReturn { fix, error, .. } = use_position();
    river_map::follow_fix(map, fix, HERE_ZOOM, move || nothing_placed.get_untracked());
    let go_here = move |_| {
        if let Some(p) = fix.get_untracked() {
            map.with_value(|m| {
                if let Some(m) = m {
                    m.centre(p.latitude, p.longitude, None);
                }
            });
        }
    };
    view! {
        <button type="button" class="secondary" disabled=move || fix.with(Option::is_none) on:click=go_here>
            {t!(i18n, map.go_here)}
        </button>
        <Show when=move || fix.with(Option::is_none) && error.with(Option::is_some)>
            <span class="hint">{t!(i18n, map.no_fix)}</span>
        </Show>
    }
}

/// The short card of the problem whose marker was worked; it opens the problem.
///
/// Its text is read in the language of the moment, not followed: the language is changed in
/// settings, another screen, and plain text is a fraction of the code a reactive text each
/// would be in the map's download (issue 26's weight).
#[component]
fn MapCard(record: Record) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let kind = record.kind().label(locale);
    let title = record.title.trim();
    let title = if title.is_empty() { kind } else { title }.to_owned();
    let status = record.status;
    let state = DeadlineState::on(record.deadline, status, format::today());
    let deadline = record.deadline.map(|day| {
        format!(
            " · {} {}",
            td_string!(locale, fields.deadline),
            format::date(locale, day)
        )
    });
    view! {
        <A href=format!("/records/{}", record.id) attr:class="map-card" attr:data-testid="map-card">
            <span class="row-meta">
                <span aria-hidden="true">{kind_icon(record.kind())}</span>
                {format!(" {kind}")}
            </span>
            <span class="map-card-title">{title}</span>
            <span class=format!("status status-{}", status.as_str())>{status.label(locale)}</span>
            <span class="row-meta">{deadline}</span>
            " " <DeadlineBadge state />
            <span class="map-card-open">{td_string!(locale, map.open).to_string()}</span>
        </A>
    }
}

/// What the shapes mean: the status by shape and sign, overdue by a ring, a number for several.
/// In the language of the moment, as the card.
#[component]
fn Legend() -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    // (classes, sign, meaning)
    let items = Status::ALL
        .iter()
        .map(|&s| {
            (
                format!("map-marker map-status-{}", s.as_str()),
                status_symbol(s),
                s.label(locale).to_owned(),
            )
        })
        .chain([
            (
                "map-marker map-status-open map-overdue".to_owned(),
                "!",
                td_string!(locale, map.legend_overdue).to_string(),
            ),
            (
                "map-marker map-cluster".to_owned(),
                "3",
                td_string!(locale, map.legend_cluster).to_string(),
            ),
        ]);
    view! {
        <ul class="map-legend" aria-label=td_string!(locale, map.legend).to_string()>
            {items.map(|(class, sign, meaning)| view! {
                <li>
                    <span class=class aria-hidden="true"><span class="map-symbol">{sign}</span></span>
                    {meaning}
                </li>
            }).collect_view()}
        </ul>
    }
}
