//! `/devices` (设备与授权): the township office's desk for phones and their access, without a
//! terminal (issue 27). Every token with its officer, village, last sync and the records its
//! phone still had waiting; a village's new token, shown once as a QR code (the server's SVG)
//! and its `/connect#token=…` link with a copy button; a token revoked after a confirmation.
//! Only a township office token may do any of it: the server refuses a village's (403), and
//! settings link here only when the server says the token is the office's.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use patrol_core::Problem;
use patrol_core::sync::{NewToken, NewTokenRequest, TokenInfo, code};

use crate::api::{ApiError, Server};
use crate::components::dialog::ConfirmDialog;
use crate::components::fields::{FormIssue, Issue, Issues, TextField, focus_field};
use crate::format;
use crate::i18n::*;
use crate::label;
use crate::state::Ledger;
use crate::storage::settings::Settings;

/// The longest names the form takes, as settings take them.
const OFFICER_MAX: usize = 50;
const VILLAGE_MAX: usize = 40;
/// The `<datalist>` of villages the village field offers.
const VILLAGE_LIST: &str = "device-villages";
/// The list is read again this often while the desk is open and shown, so a phone's sync
/// shows without a reload.
const REFRESH: std::time::Duration = std::time::Duration::from_secs(30);

#[component]
pub fn DevicesPage() -> impl IntoView {
    let i18n = use_i18n();
    let settings = expect_context::<RwSignal<Settings>>();
    let server = Memo::new(move |_| settings.with(|s| s.server()));
    view! {
        <section class="page devices-page" aria-labelledby="devices-title">
            <h1 id="devices-title">{t!(i18n, devices.title)}</h1>
            <p class="hint">{t!(i18n, devices.intro)}</p>
            {move || match server.get() {
                Some(server) => view! { <Desk server /> }.into_any(),
                None => view! {
                    <p class="warning" role="alert">{t!(i18n, devices.not_connected)}</p>
                    <A href="/settings" attr:class="button">{t!(i18n, connect.to_settings)}</A>
                }
                .into_any(),
            }}
        </section>
    }
}

/// A village's token as the desk made it: the server's answer and whom it is for.
#[derive(Clone, Debug, PartialEq)]
struct Made {
    token: NewToken,
    officer: String,
    village: String,
}

/// The desk over one server: the new token's form (or the token just made) and the list.
#[component]
fn Desk(server: Server) -> impl IntoView {
    let i18n = use_i18n();
    let tokens = RwSignal::new(None::<Vec<TokenInfo>>);
    let list_failure = RwSignal::new(None::<ApiError>);
    let loading = RwSignal::new(false);
    let reload = {
        let server = server.clone();
        Callback::new(move |()| {
            if loading.get_untracked() {
                return;
            }
            loading.set(true);
            let server = server.clone();
            spawn_local(async move {
                let answer = server.tokens().await;
                let _ = loading.try_set(false);
                match answer {
                    Ok(list) => {
                        let _ = tokens.try_set(Some(list.tokens));
                        let _ = list_failure.try_set(None);
                    }
                    Err(e) => {
                        let _ = list_failure.try_set(Some(e));
                    }
                }
            });
        })
    };
    reload.run(());
    // A token that may not use the desk (a village's, or one revoked) stays refused: no
    // point asking again every half minute.
    let denied = Memo::new(move |_| list_failure.with(|f| f.as_ref().is_some_and(refused)));
    if let Ok(handle) = set_interval_with_handle(
        move || {
            let hidden = document().hidden();
            if !hidden && !denied.try_get_untracked().unwrap_or(true) {
                reload.try_run(());
            }
        },
        REFRESH,
    ) {
        on_cleanup(move || handle.clear());
    }

    // The form's text lives here, so that nothing typed is lost while the desk redraws.
    let officer = RwSignal::new(String::new());
    let village = RwSignal::new(String::new());
    let made = RwSignal::new(None::<Made>);
    let ledger = expect_context::<Ledger>();
    let settings = expect_context::<RwSignal<Settings>>();
    // The villages this desk knows: its records', its own setting's and the tokens' own.
    let villages = Memo::new(move |_| {
        let mut names = ledger.with_all(|all| patrol_core::filter::villages(all));
        names.extend(settings.with(|s| Some(s.village.trim().to_owned())));
        tokens.with(|list| {
            names.extend(
                list.iter()
                    .flatten()
                    .filter_map(|t| t.village.as_deref().map(str::trim).map(str::to_owned)),
            )
        });
        names.retain(|n| !n.is_empty());
        names.sort();
        names.dedup();
        names
    });
    let on_made = Callback::new(move |new: Made| {
        made.set(Some(new));
        reload.run(());
    });

    view! {
        {move || {
            let locale = i18n.get_locale();
            denied.get().then(|| {
                let failure = list_failure.get_untracked().unwrap_or(ApiError::Unauthorized(String::new()));
                view! {
                    <p class="form-alert" role="alert" data-testid="devices-refused">{failure_text(locale, &failure)}</p>
                    <A href="/settings" attr:class="button">{td_string!(locale, connect.to_settings)}</A>
                }
            })
        }}
        <Show when=move || !denied.get()>
            <div class="devices-layout">
                <section class="devices-new" aria-labelledby="devices-new-title">
                    <h2 id="devices-new-title">{t!(i18n, devices.new_title)}</h2>
                    {
                        let server = server.clone();
                        move || match made.get() {
                            Some(m) => view! {
                                <MadeToken made=m on_done=Callback::new(move |()| made.set(None)) />
                            }
                            .into_any(),
                            None => view! {
                                <NewTokenForm server=server.clone() officer village villages on_made />
                            }
                            .into_any(),
                        }
                    }
                </section>
                <TokenList tokens list_failure loading reload server=server.clone() />
            </div>
        </Show>
    }
}

/// A token the desk cannot use: wrong or withdrawn (401), or a village's (403).
fn refused(failure: &ApiError) -> bool {
    matches!(
        failure,
        ApiError::Unauthorized(_) | ApiError::Status { status: 403, .. }
    )
}

/// Why a request of the desk failed, in the user's language.
fn failure_text(locale: Locale, failure: &ApiError) -> String {
    match failure {
        ApiError::Unreachable(_) => td_string!(locale, devices.unreachable).to_owned(),
        ApiError::Unauthorized(_) => td_string!(locale, devices.unauthorized).to_owned(),
        ApiError::BadAnswer(_) => td_string!(locale, devices.bad_answer).to_owned(),
        ApiError::Status { status: 403, .. } => td_string!(locale, devices.forbidden).to_owned(),
        ApiError::Status {
            status: 400 | 422, ..
        } => td_string!(locale, devices.bad_name).to_owned(),
        ApiError::Status { code: c, .. } if c == code::OWN_TOKEN => {
            td_string!(locale, devices.own_token).to_owned()
        }
        ApiError::Status { status: 404, .. } => td_string!(locale, devices.gone).to_owned(),
        other => td_string!(locale, devices.server_error, detail = other.to_string()).to_string(),
    }
}

/// The officer's name and village of a new token. The fields keep what is typed when the
/// request fails; they are emptied once the token is made.
#[component]
fn NewTokenForm(
    server: Server,
    officer: RwSignal<String>,
    village: RwSignal<String>,
    villages: Memo<Vec<String>>,
    on_made: Callback<Made>,
) -> impl IntoView {
    let i18n = use_i18n();
    let issues: Issues = RwSignal::new(Vec::new());
    provide_context(issues);
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<ApiError>);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let name = officer.get_untracked().trim().to_owned();
        let place = village.get_untracked().trim().to_owned();
        let missing: Vec<FormIssue> = [("device_officer", &name), ("device_village", &place)]
            .into_iter()
            .filter(|(_, text)| text.is_empty())
            .map(|(field, _)| FormIssue {
                field,
                issue: Issue::Domain(Problem::Required),
            })
            .collect();
        if let Some(first) = missing.first() {
            focus_field(first.field);
        }
        let complete = missing.is_empty();
        issues.set(missing);
        if !complete {
            return;
        }
        busy.set(true);
        failure.set(None);
        let server = server.clone();
        spawn_local(async move {
            let request = NewTokenRequest {
                officer: name.clone(),
                village: Some(place.clone()),
            };
            let answer = server.create_token(&request).await;
            let _ = busy.try_set(false);
            match answer {
                Ok(token) => {
                    let _ = officer.try_set(String::new());
                    let _ = village.try_set(String::new());
                    on_made.try_run(Made {
                        token,
                        officer: name,
                        village: place,
                    });
                }
                Err(e) => {
                    let _ = failure.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <form class="devices-form" on:submit=on_submit novalidate>
            <TextField id="device_officer" label=label!(i18n, devices.officer) value=officer
                on_input=Callback::new(move |v| officer.set(v)) hint=label!(i18n, devices.officer_hint)
                maxlength=OFFICER_MAX />
            <TextField id="device_village" label=label!(i18n, devices.village) value=village
                on_input=Callback::new(move |v| village.set(v)) hint=label!(i18n, devices.village_hint)
                maxlength=VILLAGE_MAX list=VILLAGE_LIST />
            <datalist id=VILLAGE_LIST>
                <For each=move || villages.get() key=|v| v.clone() let:name>
                    <option value=name></option>
                </For>
            </datalist>
            <p class="form-alert" role="alert" hidden=move || failure.with(Option::is_none)>
                {move || failure.get().map(|f| failure_text(i18n.get_locale(), &f))}
            </p>
            <button type="submit" class="primary" disabled=move || busy.get()>
                {move || if busy.get() { t_string!(i18n, devices.creating) } else { t_string!(i18n, devices.create) }}
            </button>
        </form>
    }
}

/// The token just made, shown this once: its QR code large enough to scan from the screen,
/// its link with a copy button, and what to do.
#[component]
fn MadeToken(made: Made, on_done: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let qr = svg_url(&made.token.qr_svg);
    if let Some(url) = qr.clone() {
        on_cleanup(move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        });
    }
    let copied = RwSignal::new(None::<bool>);
    let link = made.token.link.clone();
    let link_ref = NodeRef::<leptos::html::Input>::new();
    let heading = NodeRef::<leptos::html::H3>::new();
    // Read out and in view at once: the form the user pressed is gone.
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    let copy = {
        let link = link.clone();
        move |_| {
            let link = link.clone();
            spawn_local(async move {
                let done = copy_text(&link).await;
                if !done && let Some(input) = link_ref.get_untracked() {
                    let _ = input.focus();
                    input.select();
                }
                let _ = copied.try_set(Some(done));
            });
        }
    };
    let Made {
        officer, village, ..
    } = made;
    view! {
        <div class="made-token" data-testid="made-token">
            <h3 tabindex="-1" node_ref=heading>
                {move || t_string!(i18n, devices.made_title, officer = officer.clone(), village = village.clone()).to_string()}
            </h3>
            <p class="warning">{t!(i18n, devices.once)}</p>
            {qr.map(|src| view! {
                <img class="connect-qr" src=src alt=move || t_string!(i18n, devices.qr_alt)
                    width="320" height="320" data-testid="connect-qr" />
            })}
            <p>{t!(i18n, devices.made_scan)}</p>
            <div class="field">
                <label for="made-link">{t!(i18n, devices.link)}</label>
                <div class="link-row">
                    <input id="made-link" type="text" readonly prop:value=link.clone() node_ref=link_ref
                        data-testid="connect-link" on:focus=move |_| {
                            if let Some(input) = link_ref.get_untracked() {
                                input.select();
                            }
                        } />
                    <button type="button" on:click=copy>{t!(i18n, devices.copy)}</button>
                </div>
            </div>
            <p class="copy-status" role="status">
                {move || copied.get().map(|done| if done {
                    t_string!(i18n, devices.copied)
                } else {
                    t_string!(i18n, devices.copy_failed)
                })}
            </p>
            <button type="button" class="primary" on:click=move |_| on_done.run(())>
                {t!(i18n, devices.done)}
            </button>
        </div>
    }
}

/// `svg` as an image the page can show: a Blob URL (the app's Content-Security-Policy allows
/// `blob:` images, and an SVG shown as an image runs nothing).
fn svg_url(svg: &str) -> Option<String> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(svg));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/svg+xml");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

/// Puts `text` on the clipboard; `false` where the browser has no clipboard to write
/// (a page not served over HTTPS) or refuses.
async fn copy_text(text: &str) -> bool {
    let navigator = window().navigator();
    let has_clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into())
        .is_ok_and(|c| !c.is_undefined() && !c.is_null());
    if !has_clipboard {
        return false;
    }
    wasm_bindgen_futures::JsFuture::from(navigator.clipboard().write_text(text))
        .await
        .is_ok()
}

/// The tokens issued, those that work first (the office's, then by village), each with its
/// revoke button; the revoked ones folded away below.
#[component]
fn TokenList(
    tokens: RwSignal<Option<Vec<TokenInfo>>>,
    list_failure: RwSignal<Option<ApiError>>,
    loading: RwSignal<bool>,
    reload: Callback<()>,
    server: Server,
) -> impl IntoView {
    let i18n = use_i18n();
    let asked = RwSignal::new(None::<TokenInfo>);
    // The outcome of the last revocation: whose token, or why it failed.
    let outcome = RwSignal::new(None::<Result<String, ApiError>>);
    let revoking = RwSignal::new(false);
    let split = Memo::new(move |_| {
        tokens.with(|list| {
            let mut working: Vec<TokenInfo> = Vec::new();
            let mut revoked: Vec<TokenInfo> = Vec::new();
            for token in list.iter().flatten() {
                if token.revoked_at.is_some() {
                    revoked.push(token.clone());
                } else {
                    working.push(token.clone());
                }
            }
            working.sort_by(|a, b| {
                (a.village.is_some(), &a.village, &a.officer).cmp(&(
                    b.village.is_some(),
                    &b.village,
                    &b.officer,
                ))
            });
            revoked.sort_by_key(|t| std::cmp::Reverse(t.revoked_at));
            (working, revoked)
        })
    });
    let on_confirm = Callback::new(move |()| {
        let Some(token) = asked.get_untracked() else {
            return;
        };
        asked.set(None);
        revoking.set(true);
        let server = server.clone();
        spawn_local(async move {
            let answer = server.revoke_token(token.id).await;
            let _ = revoking.try_set(false);
            let _ = outcome.try_set(Some(answer.map(|_| token.officer)));
            reload.try_run(());
        });
    });
    let on_cancel = Callback::new(move |()| asked.set(None));
    let status = move || {
        let locale = i18n.get_locale();
        outcome.get().map(|o| match o {
            Ok(officer) => view! {
                <p class="devices-status" role="status">
                    {td_string!(locale, devices.revoked_done, officer).to_string()}
                </p>
            }
            .into_any(),
            Err(e) => view! { <p class="form-alert" role="alert">{failure_text(locale, &e)}</p> }
                .into_any(),
        })
    };
    view! {
        <section class="devices-list" aria-labelledby="devices-list-title" aria-busy=move || loading.get().to_string()>
            <div class="devices-list-head">
                <h2 id="devices-list-title">{t!(i18n, devices.list_title)}</h2>
                <button type="button" on:click=move |_| reload.run(()) disabled=move || loading.get()>
                    {t!(i18n, devices.refresh)}
                </button>
            </div>
            {status}
            {move || list_failure.get().map(|f| view! {
                <p class="form-alert" role="alert">{failure_text(i18n.get_locale(), &f)}</p>
            })}
            {move || {
                let locale = i18n.get_locale();
                if tokens.with(Option::is_none) {
                    return (list_failure.with(Option::is_none))
                        .then(|| view! { <p class="hint">{td_string!(locale, devices.loading)}</p> })
                        .into_any();
                }
                let (working, revoked) = split.get();
                if working.is_empty() && revoked.is_empty() {
                    return view! { <p class="hint">{td_string!(locale, devices.empty)}</p> }.into_any();
                }
                let count = revoked.len();
                let cards = working
                    .into_iter()
                    .map(|token| view! { <TokenCard token locale asked revoking /> })
                    .collect_view();
                let folded = (count > 0).then(|| {
                    let rows = revoked
                        .into_iter()
                        .map(|t| {
                            let place = place_of(locale, &t);
                            let when = t.revoked_at.map(|at| {
                                td_string!(locale, devices.revoked_at, time = format::date_time(locale, at)).to_string()
                            });
                            view! { <li>{format!("{} · {place}", t.officer)} " · " {when}</li> }
                        })
                        .collect_view();
                    view! {
                        <details class="devices-revoked">
                            <summary>{td_string!(locale, devices.revoked_title, count).to_string()}</summary>
                            <ul>{rows}</ul>
                        </details>
                    }
                });
                view! {
                    <ul class="token-cards" data-testid="tokens">{cards}</ul>
                    {folded}
                }
                .into_any()
            }}
            {move || asked.get().map(|token| view! {
                <ConfirmDialog id="token-revoke" title=label!(i18n, devices.revoke_title)
                    body=label!(i18n, devices.revoke_body)
                    subject=format!("{} · {}", token.officer, place_of(i18n.get_locale(), &token))
                    confirm=label!(i18n, devices.revoke_yes) cancel=label!(i18n, confirm.cancel)
                    on_confirm on_cancel />
            })}
        </section>
    }
}

/// A token's village, or the township office for an office token.
fn place_of(locale: Locale, token: &TokenInfo) -> String {
    match &token.village {
        Some(village) => village.clone(),
        None => td_string!(locale, devices.office).to_owned(),
    }
}

/// One working token: who, where, its last sync and records waiting, and its revoke button.
#[component]
fn TokenCard(
    token: TokenInfo,
    locale: Locale,
    asked: RwSignal<Option<TokenInfo>>,
    revoking: RwSignal<bool>,
) -> impl IntoView {
    let place = place_of(locale, &token);
    let last_sync = match token.last_sync_at {
        Some(at) => format::date_time(locale, at),
        None => td_string!(locale, devices.never).to_owned(),
    };
    let waiting = match token.unsent {
        Some(count) => td_string!(locale, devices.waiting_count, count).to_string(),
        None => td_string!(locale, devices.waiting_unknown).to_owned(),
    };
    let issued = td_string!(
        locale,
        devices.issued,
        time = format::date_time(locale, token.created_at)
    )
    .to_string();
    let label = td_string!(
        locale,
        devices.revoke_label,
        officer = token.officer.clone()
    )
    .to_string();
    let officer = token.officer.clone();
    view! {
        <li class="token-card" data-testid="token">
            <h3>{officer}</h3>
            <dl class="token-facts">
                <div><dt>{td_string!(locale, devices.village)}</dt><dd data-testid="token-village">{place}</dd></div>
                <div><dt>{td_string!(locale, devices.last_sync)}</dt><dd data-testid="token-last-sync">{last_sync}</dd></div>
                <div><dt>{td_string!(locale, devices.waiting)}</dt><dd data-testid="token-waiting">{waiting}</dd></div>
            </dl>
            <p class="hint">{issued}</p>
            <button type="button" class="danger" aria-label=label disabled=move || revoking.get()
                on:click=move |_| asked.set(Some(token.clone()))>
                {td_string!(locale, devices.revoke)}
            </button>
        </li>
    }
}
