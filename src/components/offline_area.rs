//! The offline map area (下载本村地图), as ArcGIS Field Maps' "offline map areas" work: on the
//! map, the official picks the area (the problems on the map and the patrol tracks with a
//! margin, or what is in view), is told how many tiles and megabytes before anything downloads,
//! then follows a progress bar with pause and resume; the download goes on after a reload and
//! after a lost connection. In settings, the area counts in the phone's storage and can be
//! deleted. Shown by two screens, so it lives here; only the map and settings screens load it.
//! On the map it is folded behind a button, and its code downloads when it is unfolded
//! (`offline_area_part`), so that the map itself opens lighter (issue 26's weight).
//!
//! The tiles are fetched in patrol-core's order (the overview first) and kept by
//! src/storage/map_area.rs, under the URLs the map asks for them by: the service worker answers
//! the map from them (public/sw.js).

use futures_util::future::join_all;
use leptos::prelude::*;
use leptos::task::spawn_local;
use patrol_core::Record;
use patrol_core::basemap::{
    AREA_MARGIN_M, AREA_MAX_TILES, AreaDownload, AreaPlan, Basemap, Bounds, TileOutcome,
};

use std::sync::Arc;

use crate::components::dialog::ConfirmDialog;
use crate::components::part_missing::PartMissingNote;
use crate::i18n::*;
use crate::label;
use crate::on_demand::{self, PartMissing, on_demand_part};
use crate::state::Patrols;
use crate::storage::SaveError;
use crate::storage::map_area;
use crate::storage::quota::{self, format_bytes};

/// Tiles fetched at once: a thin link is used well without crowding it.
const AT_ONCE: usize = 4;

/// Which area the official picked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pick {
    /// The problems on the map and the patrol tracks, with [`AREA_MARGIN_M`] around.
    Problems,
    /// What the map shows now: the box they drew by panning and zooming.
    View,
}

/// What the panel offers while an area is on the phone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shown {
    Running,
    /// Paused by the official.
    Paused,
    /// Stopped by itself (a lost connection, a full phone): resuming is offered.
    Stopped,
    Finished,
}

/// Why a download stopped by itself.
#[derive(Clone, Debug, PartialEq)]
enum Stop {
    /// The network went away: it goes on when the phone is online again.
    Lost,
    /// The phone's storage is full.
    Full,
    /// A tile could not be kept for another reason.
    Failed,
    /// The phone has too little room for the area: `(needed, free)` bytes.
    NoRoom(u64, u64),
}

/// The download of the stored area, from where it stopped, while this screen is open.
#[derive(Clone, Copy)]
struct Downloader {
    area: RwSignal<Option<AreaDownload>>,
    stopped: RwSignal<Option<Stop>>,
    running: RwSignal<bool>,
}

impl Downloader {
    fn new() -> Downloader {
        Downloader {
            area: RwSignal::new(map_area::load()),
            stopped: RwSignal::new(None),
            running: RwSignal::new(false),
        }
    }

    /// Starts (or resumes) the download, unless it runs already, is paused by the official or
    /// is finished.
    fn run(self) {
        if self.running.get_untracked() {
            return;
        }
        self.running.set(true);
        self.stopped.set(None);
        spawn_local(async move {
            let stop = self.work().await;
            let _ = self.stopped.try_set(stop);
            let _ = self.running.try_set(false);
        });
    }

    async fn work(self) -> Option<Stop> {
        loop {
            // Gone: the screen was left (it goes on when it opens again).
            let current = self.area.try_get_untracked()??;
            if current.paused || current.finished() {
                return None;
            }
            let source = Basemap {
                tiles: current.template.clone(),
                attribution: String::new(),
                max_zoom: current.plan.max_zoom,
            };
            let urls: Vec<String> = current
                .next_tiles(AT_ONCE)
                .into_iter()
                .map(|tile| source.tile_url(tile))
                .collect();
            // A refused or dropped connection, or a busy source, pauses the download.
            let fetched = join_all(urls.iter().map(|url| crate::api::map_tile(url))).await;
            let mut next = current;
            let mut stop = None;
            for (url, tile) in urls.iter().zip(fetched) {
                let outcome = match tile {
                    Ok(Some((bytes, kind))) => match map_area::put_tile(url, &bytes, &kind).await {
                        Ok(()) => TileOutcome::Stored(bytes.len() as u64),
                        Err(SaveError::Full) => {
                            stop = Some(Stop::Full);
                            break;
                        }
                        Err(SaveError::Failed(_)) => {
                            stop = Some(Stop::Failed);
                            break;
                        }
                    },
                    Ok(None) => TileOutcome::Missing,
                    Err(_) => {
                        stop = Some(Stop::Lost);
                        break;
                    }
                };
                next.record(outcome);
            }
            // Paused meanwhile: the tiles are counted and the pause kept. Deleted meanwhile, or
            // the screen left: nothing is written back.
            let paused = self
                .area
                .try_with_untracked(|a| a.as_ref().map(|a| a.paused))??;
            next.paused = paused;
            if map_area::save(&next).is_err() {
                stop = stop.or(Some(Stop::Full));
            }
            // `try_set` hands the value back when the screen is gone.
            if self.area.try_set(Some(next)).is_some() {
                return None;
            }
            if stop.is_some() {
                return stop;
            }
        }
    }

    fn set_paused(self, paused: bool) {
        let Some(mut area) = self.area.get_untracked() else {
            return;
        };
        area.paused = paused;
        let _ = map_area::save(&area);
        self.area.set(Some(area));
        if !paused {
            self.run();
        }
    }
}

/// Every `(latitude, longitude)` the area should cover: the problems on the map and the
/// patrols' tracks.
fn points(placed: &[Record], patrols: Patrols) -> Vec<(f64, f64)> {
    let mut points: Vec<(f64, f64)> = placed
        .iter()
        .filter_map(|r| r.position.as_ref().map(|p| (p.latitude, p.longitude)))
        .collect();
    patrols.with_all(|all| {
        points.extend(
            all.iter()
                .flat_map(|p| p.track.iter().map(|t| (t.lat, t.lon))),
        )
    });
    points
}

/// The offline area under the map, folded behind one button until the official asks for it,
/// so that the map has the screen (Field Maps keeps its offline areas a tap away too). The
/// panel's code is a part of its own, downloaded when the button is tapped, or at once while an
/// area is on the phone (its download goes on, its state is shown): the map's first opening
/// does not wait for it.
#[component]
pub fn OfflineArea(
    /// As [`OfflineAreaPanel`]'s.
    basemap: Signal<Option<Basemap>>,
    placed: Memo<Vec<Record>>,
    view: Signal<Option<Bounds>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(map_area::is_stored());
    view! {
        <Show when=move || open.get()
            fallback=move || basemap.with(Option::is_some).then(|| view! {
                <button type="button" class="secondary map-area-open" on:click=move |_| open.set(true)>
                    {t!(i18n, map_area.open)}
                </button>
            })>
            {on_demand::part_view(
                Arc::new(move || Box::pin(offline_area_part(basemap, placed, view))),
                ViewFn::default(),
                |retry| view! { <PartMissingNote retry>{t!(use_i18n(), on_demand.offline)}</PartMissingNote> }.into_any(),
            )}
        </Show>
    }
}

on_demand_part! {
    /// The offline area's panel and its download (src/on_demand.rs).
    fn offline_area_part(
        basemap: Signal<Option<Basemap>>,
        placed: Memo<Vec<Record>>,
        view: Signal<Option<Bounds>>,
    ) -> Result<AnyView, PartMissing> {
        Ok(view! { <OfflineAreaPanel basemap placed view /> }.into_any())
    }
}

/// The map's panel for the offline area: pick, see the size, download with pause and resume.
#[component]
fn OfflineAreaPanel(
    /// The township's basemap, its template absolute as the map asks for tiles; `None`: no
    /// basemap, nothing to download.
    basemap: Signal<Option<Basemap>>,
    /// The problems on the map (the search and filters apply).
    placed: Memo<Vec<Record>>,
    /// What the map shows now.
    view: Signal<Option<Bounds>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let patrols = expect_context::<Patrols>();
    let downloader = Downloader::new();
    let Downloader {
        area,
        stopped,
        running,
    } = downloader;
    let has_area = Memo::new(move |_| area.with(Option::is_some));
    let pick = RwSignal::new(Pick::Problems);
    let plan = Memo::new(move |_| {
        let basemap = basemap.get()?;
        let bounds = match pick.get() {
            Pick::Problems => Bounds::around(placed.with(|p| points(p, patrols)), AREA_MARGIN_M)?,
            Pick::View => view.get()?,
        };
        Some((AreaPlan::new(bounds, &basemap), basemap.tiles))
    });

    // A download under way when the app was closed goes on; a lost connection resumes when
    // the phone is online again.
    downloader.run();
    let _ = leptos_use::use_event_listener(window(), leptos::ev::online, move |_| {
        if stopped.get_untracked() == Some(Stop::Lost) {
            downloader.run();
        }
    });

    let start = move |_| {
        let Some((plan, template)) = plan.get_untracked() else {
            return;
        };
        spawn_local(async move {
            // Room for the area and as much again: the app's own records and photos come
            // first.
            if let Some(estimate) = quota::estimate().await {
                let free = estimate.available() as u64;
                if plan.estimated_bytes.saturating_mul(2) > free {
                    let _ = stopped.try_set(Some(Stop::NoRoom(plan.estimated_bytes, free)));
                    return;
                }
            }
            let fresh = AreaDownload::new(plan, &template);
            if let Err(e) = map_area::save(&fresh) {
                let _ = stopped.try_set(Some(if e == SaveError::Full {
                    Stop::Full
                } else {
                    Stop::Failed
                }));
                return;
            }
            let _ = area.try_set(Some(fresh));
            downloader.run();
        });
    };

    let size = move |bytes: u64| format_bytes(i18n.get_locale().as_str(), bytes as f64);
    let choice = move |value: Pick, text: Signal<&'static str>| {
        view! {
            <label class="check">
                <input type="radio" name="map-area-pick" prop:checked=move || pick.get() == value
                    on:change=move |_| pick.set(value) />
                {text}
            </label>
        }
    };
    let picker = move || {
        view! {
            <fieldset class="map-area-pick">
                <legend>{t!(i18n, map_area.choose)}</legend>
                {choice(Pick::Problems, label!(i18n, map_area.from_problems))}
                {choice(Pick::View, label!(i18n, map_area.from_view))}
            </fieldset>
            {move || match plan.get() {
                None => view! { <p class="hint">{t!(i18n, map_area.nothing)}</p> }.into_any(),
                Some((plan, _)) if plan.too_large() => view! {
                    <p class="field-error" role="alert">
                        {t_string!(i18n, map_area.too_large, tiles = plan.tiles, max = AREA_MAX_TILES).to_string()}
                    </p>
                }.into_any(),
                Some((plan, _)) => view! {
                    <p class="map-area-size" data-testid="map-area-size">
                        {t_string!(i18n, map_area.size, tiles = plan.tiles, size = size(plan.estimated_bytes)).to_string()}
                    </p>
                    <button type="button" class="primary" on:click=start>{t!(i18n, map_area.start)}</button>
                }.into_any(),
            }}
        }
    };
    // The bar and the figures follow every few tiles; the buttons change only with the state,
    // so that a tap is never lost to a button drawn again under the finger.
    let figure = move |f: fn(&AreaDownload) -> u64| area.with(|a| a.as_ref().map_or(0, f));
    let state = Memo::new(move |_| {
        area.with(|a| {
            a.as_ref().map(|a| {
                if a.finished() {
                    Shown::Finished
                } else if a.paused {
                    Shown::Paused
                } else if !running.get() && stopped.with(Option::is_some) {
                    Shown::Stopped
                } else {
                    Shown::Running
                }
            })
        })
    });
    let progress = move || {
        view! {
            <progress max=move || figure(|a| a.plan.tiles).to_string()
                value=move || figure(|a| a.done).to_string()
                aria-label=move || t_string!(i18n, map_area.progress_label)></progress>
            <p class="map-area-progress" data-testid="map-area-progress">
                {move || area.with(|a| a.as_ref().map(|a| {
                    if a.finished() {
                        let mut text = t_string!(i18n, map_area.done, tiles = a.stored, size = size(a.bytes)).to_string();
                        if a.missing > 0 {
                            text.push(' ');
                            text.push_str(&t_string!(i18n, map_area.blank, count = a.missing).to_string());
                        }
                        text
                    } else {
                        t_string!(i18n, map_area.progress, done = a.done, tiles = a.plan.tiles, size = size(a.bytes)).to_string()
                    }
                }))}
            </p>
            {move || match state.get() {
                Some(Shown::Finished) => view! { <p class="hint">{t!(i18n, map_area.delete_where)}</p> }.into_any(),
                Some(Shown::Running) => view! {
                    <button type="button" class="secondary" on:click=move |_| downloader.set_paused(true)>
                        {t!(i18n, map_area.pause)}
                    </button>
                }.into_any(),
                Some(shown) => view! {
                    <button type="button" class="primary" on:click=move |_| downloader.set_paused(false)>
                        {t!(i18n, map_area.resume)}
                    </button>
                    {(shown == Shown::Paused).then(|| view! { <p class="hint">{t!(i18n, map_area.paused)}</p> })}
                }.into_any(),
                None => ().into_any(),
            }}
        }
    };
    let problem = move || {
        stopped.get().map(|stop| {
            let text = match stop {
                Stop::Lost => t_string!(i18n, map_area.lost).to_string(),
                Stop::Full => t_string!(i18n, map_area.full).to_string(),
                Stop::Failed => t_string!(i18n, map_area.failed).to_string(),
                Stop::NoRoom(needed, free) => t_string!(
                    i18n,
                    map_area.no_room,
                    size = size(needed),
                    free = size(free)
                )
                .to_string(),
            };
            view! { <p class="field-error" role="alert">{text}</p> }
        })
    };

    view! {
        <Show when=move || basemap.with(Option::is_some) || area.with(Option::is_some)>
            <section class="map-area" aria-labelledby="map-area-title" data-testid="map-area">
                <h2 id="map-area-title">{t!(i18n, map_area.title)}</h2>
                <p class="hint">{t!(i18n, map_area.hint)}</p>
                {move || if has_area.get() { progress().into_any() } else { picker().into_any() }}
                {problem}
            </section>
        </Show>
    }
}

/// The offline area's line in settings' storage figures, with its delete button (asked
/// first). `on_deleted` runs once the tiles are gone, to read the storage figures again.
#[component]
pub fn OfflineAreaStorage(on_deleted: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let area = RwSignal::new(map_area::load());
    let confirming = RwSignal::new(false);
    let failed = RwSignal::new(false);
    let delete = move |()| {
        confirming.set(false);
        spawn_local(async move {
            let deleted = map_area::delete().await.is_ok();
            let _ = failed.try_set(!deleted);
            if deleted {
                let _ = area.try_set(None);
                on_deleted.run(());
            }
        });
    };
    view! {
        {move || area.get().map(|a| view! {
            <p class="storage-map-area" data-testid="storage-map-area">
                {move || t_string!(i18n, storage.map_area, tiles = a.stored,
                    size = format_bytes(i18n.get_locale().as_str(), a.bytes as f64)).to_string()}
            </p>
            <button type="button" class="danger" on:click=move |_| confirming.set(true)>
                {t!(i18n, storage.map_area_delete)}
            </button>
        })}
        <Show when=move || failed.get()>
            <p class="field-error" role="alert">{t!(i18n, storage.map_area_failed)}</p>
        </Show>
        <Show when=move || confirming.get()>
            <ConfirmDialog
                id="delete-map-area"
                title=label!(i18n, storage.map_area_confirm_title)
                body=label!(i18n, storage.map_area_confirm_body)
                confirm=label!(i18n, storage.map_area_confirm_yes)
                cancel=label!(i18n, confirm.cancel)
                on_confirm=Callback::new(delete)
                on_cancel=Callback::new(move |_| confirming.set(false))
            />
        </Show>
    }
}
