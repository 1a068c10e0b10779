//! Photos on a record: the "add photo" control with its thumbnails (record form), thumbnails
//! that open a full-screen viewer (record detail), and a single thumbnail (list rows).
//!
//! A photo is stored in IndexedDB before the form's list of photos names it, so a record
//! never points at a photo that is not on the phone. Taking a photo off the form only drops
//! the reference; the stored photo goes later, when garbage collection finds nothing that
//! refers to it (the saved record may still do so until the user saves).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use leptos::ev::{Event, KeyboardEvent, PointerEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;
use patrol_core::capture::CaptureConfig;
use patrol_core::provenance::{self, OffSite, PhotoSource, Span};
use patrol_core::{Kind, PhotoRef, Position, watermark};
use uuid::Uuid;
use wasm_bindgen::JsCast;
use web_sys::{File, HtmlElement, HtmlInputElement, Url};

use crate::camera::{CameraError, Intake};
use crate::components::dialog::ConfirmDialog;
use crate::format;
use crate::i18n::*;
use crate::label;
use crate::labels::Label;
use crate::on_demand::{PartMissing, on_demand_part};
use crate::storage::photos::{self as photo_store, AddError, PhotoError, PhotoStore};
use crate::storage::settings::Settings;

/// Where an `<img>` gets its picture: an object URL of the stored Blob.
#[derive(Clone, Debug, PartialEq)]
enum Source {
    Loading,
    Url(String),
    /// Not in this phone's IndexedDB (cleared storage, or a record from elsewhere).
    Missing,
}

/// Reads photo `id` (or, with `small`, its thumbnail) from IndexedDB into an object URL,
/// revoked when the calling component goes away (also when the read finishes only after).
fn object_url(id: Uuid, small: bool) -> ReadSignal<Source> {
    let (source, set_source) = signal(Source::Loading);
    // (component gone, URL made): shared between the read and the cleanup.
    let slot = Arc::new(Mutex::new((false, None::<String>)));
    let task_slot = Arc::clone(&slot);
    spawn_local(async move {
        // The photo store's code cannot be had (offline before the app was stored): the box
        // stays empty rather than calling the photo missing.
        let Ok(blob) = photo_store_part(id, small).await else {
            return;
        };
        let url = blob.and_then(|blob| Url::create_object_url_with_blob(&blob).ok());
        let Ok(mut slot) = task_slot.lock() else {
            return;
        };
        match url {
            Some(url) if slot.0 => {
                let _ = Url::revoke_object_url(&url);
            }
            Some(url) => {
                slot.1 = Some(url.clone());
                let _ = set_source.try_set(Source::Url(url));
            }
            None => {
                let _ = set_source.try_set(Source::Missing);
            }
        }
    });
    on_cleanup(move || {
        if let Ok(mut slot) = slot.lock() {
            slot.0 = true;
            if let Some(url) = slot.1.take() {
                let _ = Url::revoke_object_url(&url);
            }
        }
    });
    source
}

on_demand_part! {
    /// Photo `id` (or its thumbnail) from IndexedDB, `None` when it is not stored. The photo
    /// store's code is a part of its own (src/on_demand.rs): the list's first screen opens
    /// without it, and rows with photos fill their boxes when it is there.
    async fn photo_store_part(id: Uuid, small: bool) -> Result<Option<web_sys::Blob>, PartMissing> {
        Ok(read_photo(id, small).await)
    }
}

async fn read_photo(id: Uuid, small: bool) -> Option<web_sys::Blob> {
    let blob = if small {
        photo_store::get_thumbnail(id).await
    } else {
        photo_store::get(id).await
    };
    blob.ok().flatten()
}

fn alt_text(locale: Locale, taken_at: DateTime<Utc>) -> String {
    td_string!(
        locale,
        photos.alt,
        time = format::date_time(locale, taken_at)
    )
    .to_string()
}

/// One photo in a fixed-size square box (no layout shift while it loads), cropped to fill it.
/// `compact` makes the box list-row sized (56 px) instead of 96 px; `decorative` leaves it
/// out for screen readers (inside a link or button that is already named, e.g. a list row).
#[component]
pub fn Thumbnail(
    photo: PhotoRef,
    #[prop(optional)] compact: bool,
    #[prop(optional)] decorative: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let source = object_url(photo.id, true);
    let (width, height) = (photo.width, photo.height);
    let taken_at = photo.taken_at;
    let alt = move || {
        if decorative {
            String::new()
        } else {
            alt_text(i18n.get_locale(), taken_at)
        }
    };
    view! {
        <span class="thumb" class:compact=compact aria-hidden=decorative.then_some("true")>
            {move || match source.get() {
                Source::Loading => None,
                Source::Url(url) => Some(
                    view! { <img src=url alt=alt width=width height=height loading="lazy" decoding="async" /> }
                        .into_any(),
                ),
                Source::Missing => Some(
                    view! {
                        <span class="thumb-missing" role="img"
                            aria-label=move || t_string!(i18n, photos.missing)>"🖼"</span>
                    }
                    .into_any(),
                ),
            }}
        </span>
    }
}

/// The whole photo, as large as the screen allows (the viewer).
#[component]
fn FullPhoto(photo: PhotoRef) -> impl IntoView {
    let i18n = use_i18n();
    let source = object_url(photo.id, false);
    let (width, height) = (photo.width, photo.height);
    let taken_at = photo.taken_at;
    let alt = move || alt_text(i18n.get_locale(), taken_at);
    move || match source.get() {
        Source::Loading => None,
        Source::Url(url) => Some(
            view! { <img class="viewer-photo" src=url alt=alt width=width height=height /> }
                .into_any(),
        ),
        Source::Missing => {
            Some(view! { <p class="viewer-missing">{t!(i18n, photos.missing)}</p> }.into_any())
        }
    }
}

/// What the picker last did, told politely.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Done {
    Added(usize),
    Removed,
}

/// Why the picker did not do all it was asked.
#[derive(Clone, Debug, PartialEq)]
enum Refusal {
    Limit,
    Full,
    NotAnImage,
    Failed(String),
    /// The browser would not keep it (not for lack of space): a private or in-app session.
    NotStored(String),
}

fn refusal(error: AddError) -> Refusal {
    match error {
        AddError::Camera(CameraError::NotAnImage) => Refusal::NotAnImage,
        AddError::Camera(CameraError::Failed(why)) => Refusal::Failed(why),
        AddError::Store(PhotoError::Full) => Refusal::Full,
        AddError::Store(PhotoError::Failed(why)) => Refusal::NotStored(why),
    }
}

fn refusal_text(locale: Locale, refusal: &Refusal, max: usize) -> String {
    match refusal {
        Refusal::Limit => td_string!(locale, photos.limit, max).to_string(),
        Refusal::Full => td_string!(locale, photos.full).to_string(),
        Refusal::NotAnImage => td_string!(locale, photos.not_an_image).to_string(),
        Refusal::Failed(reason) => td_string!(locale, photos.failed, reason).to_string(),
        Refusal::NotStored(reason) => td_string!(locale, photos.not_stored, reason).to_string(),
    }
}

fn focus_by_id(id: &str) {
    if let Some(element) = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

/// What a new photo's watermark says about the record it is taken for, read the moment each
/// photo is taken (the form may have changed since it opened).
#[derive(Clone, Debug, PartialEq)]
pub struct StampFacts {
    pub record: Uuid,
    pub kind: Kind,
    pub village: String,
    pub place: String,
    /// Where the phone is: the form's fix or the coordinates typed in it.
    pub position: Option<Position>,
}

/// The watermark's lines for a photo taken now by `official`, in the user's language.
fn stamp_lines(
    locale: Locale,
    facts: &StampFacts,
    official: &str,
    source: PhotoSource,
) -> Vec<String> {
    watermark::lines(
        &watermark::Facts {
            at: chrono::Utc::now(),
            position: facts.position.as_ref(),
            village: &facts.village,
            place: &facts.place,
            official,
            kind: facts.kind.label(locale),
            record: facts.record,
            origin: match source {
                PhotoSource::Camera => "",
                PhotoSource::Gallery => td_string!(locale, watermark.from_gallery),
            },
        },
        td_string!(locale, watermark.position_unknown),
    )
}

/// "Add photo" for the record form: take one with the rear camera, or choose several from
/// the gallery, up to [`CaptureConfig::max_photos`]; thumbnails of `photos` with a delete
/// button each (asks first). Each picture is scaled, stamped with the watermark (unless the
/// officer switched it off in settings; its words from `facts` and the officer's name),
/// encoded and stored in IndexedDB first, with which input it came through and its EXIF
/// time and place; only then is its [`PhotoRef`] pushed onto `photos`. When storage is full
/// the user is told and the photos already there stay.
#[component]
pub fn PhotoPicker(
    photos: RwSignal<Vec<PhotoRef>>,
    #[prop(into)] facts: Signal<StampFacts>,
) -> impl IntoView {
    let i18n = use_i18n();
    let settings = expect_context::<RwSignal<Settings>>();
    let config = CaptureConfig::default();
    let max = config.max_photos;
    let busy = RwSignal::new(None::<(usize, usize)>);
    let done = RwSignal::new(None::<Done>);
    let refused = RwSignal::new(None::<Refusal>);
    let confirming = RwSignal::new(None::<Uuid>);
    let at_limit = move || photos.with(|p| p.len() >= max);
    let blocked = move || at_limit() || busy.with(Option::is_some);

    let pick = move |ev: Event| {
        let input: HtmlInputElement = event_target(&ev);
        let source = if input.id() == "photo-take" {
            PhotoSource::Camera
        } else {
            PhotoSource::Gallery
        };
        let files: Vec<File> = input
            .files()
            .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
            .unwrap_or_default();
        // Cleared, so choosing the same picture again is still a change.
        input.set_value("");
        if files.is_empty() || busy.get_untracked().is_some() {
            return;
        }
        done.set(None);
        refused.set(None);
        let room = max.saturating_sub(photos.with_untracked(Vec::len));
        if room == 0 {
            refused.set(Some(Refusal::Limit));
            return;
        }
        let mut left_out = files.len().saturating_sub(room);
        let files: Vec<File> = files.into_iter().take(room).collect();
        busy.set(Some((1, files.len())));
        spawn_local(async move {
            let store = PhotoStore::default();
            let total = files.len();
            let mut added = 0;
            for (i, file) in files.iter().enumerate() {
                let _ = busy.try_set(Some((i + 1, total)));
                // The form is gone: nothing to add the photo to.
                let (Some(stamp_on), Some(official), Some(facts)) = (
                    settings.try_with_untracked(|s| s.watermark),
                    settings.try_with_untracked(|s| s.officer.trim().to_owned()),
                    facts.try_get_untracked(),
                ) else {
                    return;
                };
                let locale = i18n.get_locale_untracked();
                let intake = Intake {
                    source: Some(source),
                    watermark: stamp_on.then(|| stamp_lines(locale, &facts, &official, source)),
                    exif: None,
                };
                match photo_store::add_photo(&store, file, &config, intake).await {
                    Ok(photo) => {
                        // Stored and committed: only now may the record refer to it.
                        let pushed = photos.try_update(|p| {
                            if p.len() < max {
                                p.push(photo);
                                true
                            } else {
                                false
                            }
                        });
                        match pushed {
                            Some(true) => added += 1,
                            Some(false) => left_out += 1,
                            // The form is gone; the stored photo is left to garbage collection.
                            None => return,
                        }
                    }
                    Err(error) => {
                        let refusal = refusal(error);
                        let go_on = refusal == Refusal::NotAnImage;
                        let _ = refused.try_set(Some(refusal));
                        if !go_on {
                            break;
                        }
                    }
                }
            }
            let _ = busy.try_set(None);
            if added > 0 {
                let _ = done.try_set(Some(Done::Added(added)));
            }
            if left_out > 0 && refused.try_with_untracked(Option::is_none) == Some(true) {
                let _ = refused.try_set(Some(Refusal::Limit));
            }
        });
    };

    let delete_id = |id: Uuid| format!("photo-delete-{id}");
    let remove = move |_| {
        if let Some(id) = confirming.get_untracked() {
            photos.update(|p| p.retain(|x| x.id != id));
            done.set(Some(Done::Removed));
            refused.set(None);
        }
        confirming.set(None);
        focus_by_id("photo-take");
    };
    let keep = move |_| {
        if let Some(id) = confirming.get_untracked() {
            confirming.set(None);
            focus_by_id(&delete_id(id));
        }
    };

    let item = move |photo: PhotoRef| {
        let id = photo.id;
        let number = move || {
            photos
                .with(|p| p.iter().position(|x| x.id == id))
                .unwrap_or(0)
                + 1
        };
        view! {
            <li class="photo-item">
                <Thumbnail photo />
                <button type="button" class="photo-delete" id=delete_id(id)
                    aria-label=move || t_string!(i18n, photos.delete, n = number()).to_string()
                    on:click=move |_| confirming.set(Some(id))>
                    <span aria-hidden="true">"✕"</span>
                </button>
            </li>
        }
    };

    let live = move || {
        let locale = i18n.get_locale();
        if let Some((current, total)) = busy.get() {
            return Some(td_string!(locale, photos.processing, current, total).to_string());
        }
        done.get().map(|d| match d {
            Done::Added(count) => td_string!(locale, photos.added, count).to_string(),
            Done::Removed => td_string!(locale, photos.removed).to_string(),
        })
    };

    view! {
        <div class="photo-picker" role="group" aria-labelledby="photos-title">
            <p class="photo-title" id="photos-title">
                {t!(i18n, photos.title)}
                <span class="photo-count">
                    {move || t_string!(i18n, photos.count, count = photos.with(Vec::len), max).to_string()}
                </span>
            </p>
            <Show when=move || photos.with(|p| !p.is_empty())>
                <ul class="photo-grid">
                    <For each=move || photos.get() key=|p| p.id children=item />
                </ul>
            </Show>
            <div class="photo-add">
                <label class="button primary" class:disabled=blocked>
                    <input id="photo-take" class="visually-hidden" type="file" accept="image/*"
                        capture="environment" disabled=blocked on:change=pick />
                    <span aria-hidden="true">"📷"</span>
                    {t!(i18n, photos.take)}
                </label>
                <label class="button" class:disabled=blocked>
                    <input id="photo-choose" class="visually-hidden" type="file" accept="image/*"
                        multiple disabled=blocked on:change=pick />
                    <span aria-hidden="true">"🖼"</span>
                    {t!(i18n, photos.choose)}
                </label>
            </div>
            <p class="photo-status" role="status" aria-live="polite" class:busy=move || busy.with(Option::is_some)>
                {live}
            </p>
            {move || {
                refused.get().map(|r| {
                    view! {
                        <p class="form-alert photo-alert" role="alert">
                            {refusal_text(i18n.get_locale(), &r, max)}
                        </p>
                    }
                })
            }}
            <Show when=move || confirming.with(Option::is_some)>
                <ConfirmDialog id="photo-delete" title=label!(i18n, photos.delete_title)
                    body=label!(i18n, photos.delete_body) confirm=label!(i18n, photos.delete_confirm)
                    cancel=label!(i18n, photos.cancel) on_confirm=Callback::new(remove)
                    on_cancel=Callback::new(keep) />
            </Show>
        </div>
    }
}

/// A distinct id prefix for each gallery on the page.
static GALLERIES: AtomicUsize = AtomicUsize::new(0);

/// The record (or follow-up visit) photos were taken for: its time and position, which a
/// photo's EXIF is held against ([`provenance::off_site`]).
#[derive(Clone, Debug, PartialEq)]
pub struct TakenFor {
    pub at: DateTime<Utc>,
    pub position: Option<Position>,
}

impl TakenFor {
    fn off_site(&self, photo: &PhotoRef) -> Option<OffSite> {
        provenance::off_site(photo, self.at, self.position.as_ref())
    }
}

/// Why a photo is off-site, one reason per string: "拍摄时间早于记录 6 年", "距记录位置 2.3 公里".
fn off_site_reasons(locale: Locale, off: &OffSite) -> Vec<String> {
    let mut reasons = Vec::new();
    if let Some(earlier) = off.earlier_by {
        reasons.push(match Span::of(earlier) {
            Span::Hours(count) => td_string!(locale, photos.earlier_hours, count).to_string(),
            Span::Days(count) => td_string!(locale, photos.earlier_days, count).to_string(),
            Span::Months(count) => td_string!(locale, photos.earlier_months, count).to_string(),
            Span::Years(count) => td_string!(locale, photos.earlier_years, count).to_string(),
        });
    }
    if let Some(metres) = off.distance_m {
        reasons.push(distance_text(locale, metres));
    }
    reasons
}

/// "距记录位置 2.3 公里" from a kilometre on, "距记录位置 800 米" below.
fn distance_text(locale: Locale, metres: f64) -> String {
    if metres >= 1000.0 {
        let distance = format::decimal(locale, metres / 1000.0, 1);
        td_string!(locale, photos.away_km, distance).to_string()
    } else {
        let distance = format::decimal(locale, metres, 0);
        td_string!(locale, photos.away_m, distance).to_string()
    }
}

/// The 非现场拍摄 badge with its reasons, beside a photo that is off-site.
#[component]
fn OffSiteBadge(off: OffSite) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="off-site" data-testid="off-site">
            <strong>{t!(i18n, photos.off_site)}</strong>
            {move || {
                off_site_reasons(i18n.get_locale(), &off)
                    .into_iter()
                    .map(|reason| view! { <span class="off-site-reason">{reason}</span> })
                    .collect_view()
            }}
        </p>
    }
}

/// Where a photo came from, under it in the viewer: camera or gallery, and the time and place
/// its camera recorded (with how far that is from the record). Nothing for a photo taken
/// before the app kept these.
#[component]
fn PhotoFacts(photo: PhotoRef, taken_for: Option<TakenFor>) -> impl IntoView {
    let i18n = use_i18n();
    let off = taken_for.as_ref().and_then(|t| t.off_site(&photo));
    let distance = taken_for
        .as_ref()
        .and_then(|t| provenance::compare(&photo, t.at, t.position.as_ref()).distance_m);
    let source = photo.source;
    let exif = photo.exif.clone().unwrap_or_default();
    let place = exif.position();
    let taken_at = exif.taken_at;
    (source.is_some() || !exif.is_empty()).then(move || {
        let row = |label: String, value: String| {
            view! { <div class="field-row"><dt>{label}</dt><dd>{value}</dd></div> }
        };
        view! {
            <div class="viewer-facts" data-testid="photo-facts">
                {off.map(|off| view! { <OffSiteBadge off /> })}
                <dl aria-label=move || t_string!(i18n, photos.facts)>
                    {move || {
                        let locale = i18n.get_locale();
                        let mut rows = Vec::new();
                        if let Some(source) = source {
                            let from = match source {
                                PhotoSource::Camera => td_string!(locale, photos.from_camera),
                                PhotoSource::Gallery => td_string!(locale, photos.from_gallery),
                            };
                            rows.push(row(td_string!(locale, photos.source).to_owned(), from.to_owned()));
                        }
                        if let Some(at) = taken_at {
                            rows.push(row(
                                td_string!(locale, photos.exif_time).to_owned(),
                                format::date_time(locale, at),
                            ));
                        }
                        if let Some((lat, lon)) = place {
                            let mut value = format!("{lat:.5}, {lon:.5}");
                            if let Some(metres) = distance {
                                value = format!("{value} · {}", distance_text(locale, metres));
                            }
                            rows.push(row(td_string!(locale, photos.exif_place).to_owned(), value));
                        }
                        rows.collect_view()
                    }}
                </dl>
            </div>
        }
    })
}

/// The record's photos as thumbnails; tapping one opens it full screen (previous / next,
/// swipe, arrow keys, Escape or the close button). Nothing is rendered without photos.
/// With `taken_for` (the record or visit they belong to), a photo from the gallery that
/// its camera took long before or far away carries the 非现场拍摄 badge, and the viewer
/// tells where each photo came from.
#[component]
pub fn PhotoGallery(
    photos: Vec<PhotoRef>,
    #[prop(optional)] taken_for: Option<TakenFor>,
) -> impl IntoView {
    let i18n = use_i18n();
    let gallery = GALLERIES.fetch_add(1, Ordering::Relaxed);
    let total = photos.len();
    let open = RwSignal::new(None::<usize>);
    let photos = Arc::new(photos);
    let thumbs = photos
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, photo)| {
            let off = taken_for.as_ref().and_then(|t| t.off_site(&photo));
            view! {
                <li class="photo-item" class:flagged=off.is_some()>
                    <button type="button" class="thumb-button" id=format!("gallery-{gallery}-{i}")
                        aria-label=move || t_string!(i18n, photos.open, n = i + 1, total).to_string()
                        on:click=move |_| open.set(Some(i))>
                        <Thumbnail photo />
                    </button>
                    {off.map(|off| view! { <OffSiteBadge off /> })}
                </li>
            }
        })
        .collect_view();
    (total > 0).then(move || {
        view! {
            <ul class="photo-grid">{thumbs}</ul>
            <Show when=move || open.with(Option::is_some)>
                <PhotoViewer photos=Arc::clone(&photos) open gallery taken_for=taken_for.clone() />
            </Show>
        }
    })
}

/// Full-screen view of `photos[open]`; closing sets `open` to `None` and gives focus back to
/// the thumbnail that opened it.
#[component]
fn PhotoViewer(
    photos: Arc<Vec<PhotoRef>>,
    open: RwSignal<Option<usize>>,
    gallery: usize,
    taken_for: Option<TakenFor>,
) -> impl IntoView {
    let i18n = use_i18n();
    let total = photos.len();
    let index = Memo::new(move |_| open.get().unwrap_or(0).min(total.saturating_sub(1)));
    let dialog = NodeRef::<leptos::html::Div>::new();
    let close_button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = close_button.get() {
            let _ = button.focus();
        }
    });
    let close = move || {
        let at = index.get_untracked();
        open.set(None);
        focus_by_id(&format!("gallery-{gallery}-{at}"));
    };
    let step = move |by: isize| {
        if total > 1 {
            open.update(|o| {
                if let Some(i) = o {
                    *i = (*i as isize + by).rem_euclid(total as isize) as usize;
                }
            });
        }
    };
    // Tab and Shift+Tab stay inside the viewer.
    let trap = move |ev: &KeyboardEvent| {
        let Some(dialog) = dialog.get_untracked() else {
            return;
        };
        let Ok(buttons) = dialog.query_selector_all("button") else {
            return;
        };
        let (Some(first), Some(last)) = (
            buttons.item(0),
            buttons
                .length()
                .checked_sub(1)
                .and_then(|i| buttons.item(i)),
        ) else {
            return;
        };
        let active = document().active_element().map(web_sys::Node::from);
        let edge = if ev.shift_key() { &first } else { &last };
        let to = if ev.shift_key() {
            last.clone()
        } else {
            first.clone()
        };
        if active.as_ref() == Some(edge) || active.is_none() {
            ev.prevent_default();
            if let Ok(el) = to.dyn_into::<HtmlElement>() {
                let _ = el.focus();
            }
        }
    };
    let keydown = move |ev: KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            close();
        }
        "ArrowLeft" => step(-1),
        "ArrowRight" => step(1),
        "Tab" => trap(&ev),
        _ => {}
    };
    // A horizontal swipe of 50 px or more turns the page.
    let swipe_from = StoredValue::new(None::<(i32, i32)>);
    let pointer_down =
        move |ev: PointerEvent| swipe_from.set_value(Some((ev.client_x(), ev.client_y())));
    let pointer_up = move |ev: PointerEvent| {
        if let Some((x, y)) = swipe_from.get_value() {
            let (dx, dy) = (ev.client_x() - x, ev.client_y() - y);
            if dx.abs() >= 50 && dx.abs() > dy.abs() {
                step(if dx < 0 { 1 } else { -1 });
            }
        }
        swipe_from.set_value(None);
    };
    let position = move || t_string!(i18n, photos.viewer, n = index.get() + 1, total).to_string();
    let shown_photos = Arc::clone(&photos);
    let shown = move || {
        let photo = shown_photos[index.get()].clone();
        view! { <FullPhoto photo /> }
    };
    let facts = move || {
        let photo = photos[index.get()].clone();
        view! { <PhotoFacts photo taken_for=taken_for.clone() /> }
    };

    view! {
        <div class="viewer" role="dialog" aria-modal="true" aria-label=position node_ref=dialog
            on:keydown=keydown>
            <div class="viewer-bar">
                <p class="viewer-position" aria-live="polite">{position}</p>
                <button type="button" class="viewer-close" node_ref=close_button
                    aria-label=move || t_string!(i18n, photos.close) on:click=move |_| close()>
                    <span aria-hidden="true">"✕"</span>
                </button>
            </div>
            <div class="viewer-stage" on:pointerdown=pointer_down on:pointerup=pointer_up>
                {shown}
            </div>
            {facts}
            {(total > 1).then(|| view! {
                <div class="viewer-nav">
                    <button type="button" aria-label=move || t_string!(i18n, photos.previous)
                        on:click=move |_| step(-1)>
                        <span aria-hidden="true">"‹"</span>
                    </button>
                    <button type="button" aria-label=move || t_string!(i18n, photos.next)
                        on:click=move |_| step(1)>
                        <span aria-hidden="true">"›"</span>
                    </button>
                </div>
            })}
        </div>
    }
}
