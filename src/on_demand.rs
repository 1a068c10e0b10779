//! Screens whose code is downloaded the first time they open, so that the first screen (the
//! list) starts with less to download and compile on a slow phone.
//!
//! Each `on_demand_screen!` (and each `on_demand_part!`, for a part that is not a screen) is a
//! split point: `cargo xtask dist` cuts its code out of the main wasm into a part of its own
//! (xtask/src/split.rs), and the service worker stores every part with the rest of the app,
//! so screens open offline once the app is installed.
//!
//! Leptos's `#[lazy]` routes abort the whole app when a part cannot be downloaded. These split
//! points are `fallible` instead: a phone that goes offline before the service worker has
//! stored the parts shows a message and a retry button, and nothing else stops.

use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;

use crate::i18n::*;

/// A part of the app that could not be downloaded (the phone is offline and has not stored it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartMissing;

impl From<SplitLoaderError> for PartMissing {
    fn from(_: SplitLoaderError) -> Self {
        PartMissing
    }
}

/// A part of the app downloaded on first use: `$part` is called as an `async fn` in every
/// build, and in the split build (`--cfg rp_split`, set by the xtask) its code is cut out of
/// the first screen's wasm into a part of its own named after it.
///
/// - `fn $part(..) -> Result<T, E> { .. }`: the part computes its result at once (a view,
///   what storage holds);
/// - `async fn $part(..) -> Result<T, E> { .. }`: the part's work awaits (a sync, a photo
///   read): the part hands it back as a boxed future, and the caller awaits it.
///
/// `E` must be `From<SplitLoaderError>`: a part that cannot be downloaded is an `Err`, never
/// a panic. Split points exist only in the split build: any other wasm (the wasm-bindgen
/// tests) would be left with imports no loader answers.
macro_rules! on_demand_part {
    (
        $(#[$attr:meta])*
        fn $part:ident($($arg:ident: $ty:ty),* $(,)?) -> Result<$ok:ty, $err:ty> $body:block
    ) => {
        $(#[$attr])*
        #[cfg(rp_split)]
        #[leptos::wasm_split::wasm_split($part, wasm_split_path = ::leptos::wasm_split, fallible)]
        fn $part($($arg: $ty),*) -> Result<$ok, $err> $body

        $(#[$attr])*
        #[cfg(not(rp_split))]
        async fn $part($($arg: $ty),*) -> Result<$ok, $err> $body
    };
    (
        $(#[$attr:meta])*
        async fn $part:ident($($arg:ident: $ty:ty),* $(,)?) -> Result<$ok:ty, $err:ty> $body:block
    ) => {
        $(#[$attr])*
        #[cfg(rp_split)]
        #[leptos::wasm_split::wasm_split(
            $part,
            wasm_split_path = ::leptos::wasm_split,
            fallible,
            return_wrapper(let work = _; { work?.await } -> Result<$ok, $err>)
        )]
        #[allow(clippy::type_complexity)]
        fn $part(
            $($arg: $ty),*
        ) -> Result<std::pin::Pin<Box<dyn std::future::Future<Output = Result<$ok, $err>>>>, $err> {
            Ok(Box::pin(async move $body))
        }

        $(#[$attr])*
        #[cfg(not(rp_split))]
        async fn $part($($arg: $ty),*) -> Result<$ok, $err> $body
    };
}
pub(crate) use on_demand_part;

/// `$component`: the route's view, which downloads `$part` (the code of `$page`) on first use.
macro_rules! on_demand_screen {
    ($component:ident, $part:ident, $page:ident) => {
        $crate::on_demand::on_demand_part! {
            fn $part() -> Result<AnyView, $crate::on_demand::PartMissing> {
                Ok(view! { <$page /> }.into_any())
            }
        }

        #[component]
        pub fn $component() -> impl IntoView {
            $crate::on_demand::screen(std::sync::Arc::new(|| Box::pin($part())))
        }
    };
}
pub(crate) use on_demand_screen;

/// A screen's download, boxed so that every screen shares one copy of [`screen`].
pub type PartDownload = std::pin::Pin<Box<dyn Future<Output = Result<AnyView, PartMissing>>>>;

/// Starts a part's download (again, after a failed one).
pub type PartLoader = std::sync::Arc<dyn Fn() -> PartDownload + Send + Sync>;

/// The view `load` gives, once its part is there; a retry button while it cannot be had.
///
/// Not generic: eleven screens would otherwise each bring their own copy of the Suspense
/// machinery into the first-screen wasm.
pub fn screen(load: PartLoader) -> AnyView {
    // No fallback: a stored part opens in a moment, and an empty main area does not jump.
    part_view(load, ViewFn::default(), |retry| {
        view! { <Missing retry=move || retry.run(()) /> }.into_any()
    })
}

/// As [`screen`], with `fallback` shown while the part downloads (a view that must not make
/// the page jump when the part arrives) and `missing` (given a retry) while it cannot be had.
pub fn part_view(
    load: PartLoader,
    fallback: ViewFn,
    missing: fn(retry: Callback<()>) -> AnyView,
) -> AnyView {
    let attempt = RwSignal::new(0u32);
    view! {
        <Suspense fallback=move || fallback.run()>
            {move || {
                attempt.track();
                let load = load.clone();
                Suspend::new(send_wrapper::SendWrapper::new(async move {
                    match load().await {
                        Ok(screen) => screen,
                        Err(PartMissing) => {
                            missing(Callback::new(move |()| attempt.update(|n| *n += 1)))
                        }
                    }
                }))
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Missing(retry: impl Fn() + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page part-missing" role="alert">
            <h1>{t!(i18n, on_demand.title)}</h1>
            <p>{t!(i18n, on_demand.offline)}</p>
            <button type="button" class="primary" on:click=move |_| retry()>
                {t!(i18n, on_demand.retry)}
            </button>
        </section>
    }
}
