//! `/connect#token=…&server=…`: the link (or QR code) the township office gives an officer,
//! so nobody types a long token on a phone. The token travels in the fragment, which the
//! browser never sends to a server or its logs. Nothing changes until the user confirms.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::components::fields::SaveErrorAlert;
use crate::i18n::*;
use crate::notice::{Notice, announce};
use crate::storage::SaveError;
use crate::storage::settings::Settings;

/// What a connect link carries.
#[derive(Clone, Debug, PartialEq)]
struct Invitation {
    /// Empty: the server this app was loaded from.
    server: String,
    token: String,
}

fn invitation_from_fragment() -> Option<Invitation> {
    let hash = window().location().hash().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(hash.trim_start_matches('#')).ok()?;
    let token = params.get("token")?.trim().to_owned();
    if token.is_empty() {
        return None;
    }
    let server = params.get("server").unwrap_or_default();
    let server = server.trim().trim_end_matches('/').to_owned();
    let valid =
        server.is_empty() || server.starts_with("https://") || server.starts_with("http://");
    valid.then_some(Invitation { server, token })
}

#[component]
pub fn ConnectPage() -> impl IntoView {
    let i18n = use_i18n();
    let settings = expect_context::<RwSignal<Settings>>();
    let invitation = invitation_from_fragment();
    let save_error = RwSignal::new(None::<SaveError>);
    let navigate = use_navigate();
    let Some(invitation) = invitation else {
        return view! {
            <section class="page">
                <h1>{t!(i18n, connect.title)}</h1>
                <p class="warning" role="alert">{t!(i18n, connect.invalid)}</p>
                <A href="/settings" attr:class="button">{t!(i18n, connect.to_settings)}</A>
            </section>
        }
        .into_any();
    };
    let shown_server = if invitation.server.is_empty() {
        window().location().origin().unwrap_or_default()
    } else {
        invitation.server.clone()
    };
    let accept = {
        let invitation = invitation.clone();
        move |_| {
            let mut next = settings.get_untracked();
            next.server_url = invitation.server.clone();
            next.token = invitation.token.clone();
            match next.save() {
                Ok(()) => {
                    settings.set(next);
                    announce(Notice::Connected);
                    navigate("/", Default::default());
                }
                Err(e) => save_error.set(Some(e)),
            }
        }
    };
    view! {
        <section class="page connect">
            <h1>{t!(i18n, connect.title)}</h1>
            <p>{t!(i18n, connect.body)}</p>
            <dl>
                <dt>{t!(i18n, connect.server)}</dt>
                <dd data-testid="connect-server">{shown_server}</dd>
            </dl>
            <SaveErrorAlert error=save_error />
            <div class="form-actions">
                <button type="button" class="primary" on:click=accept>{t!(i18n, connect.accept)}</button>
                <A href="/" attr:class="button">{t!(i18n, connect.cancel)}</A>
            </div>
        </section>
    }
    .into_any()
}
