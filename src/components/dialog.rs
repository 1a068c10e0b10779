//! The question asked before something that cannot be undone (delete, discard, end patrol).

use leptos::prelude::*;

/// Asks before something that cannot be undone; focus starts on the harmless choice and
/// Escape cancels. `subject` names what it is about when the question alone does not (the
/// officer whose token is revoked).
#[component]
pub fn ConfirmDialog(
    id: &'static str,
    title: Signal<&'static str>,
    body: Signal<&'static str>,
    #[prop(optional, into)] subject: Option<String>,
    confirm: Signal<&'static str>,
    cancel: Signal<&'static str>,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let cancel_ref = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = cancel_ref.get() {
            let _ = button.focus();
        }
    });
    view! {
        <div class="scrim">
            <div class="dialog" role="alertdialog" aria-modal="true"
                aria-labelledby=format!("{id}-title") aria-describedby=format!("{id}-body")
                on:keydown=move |ev| if ev.key() == "Escape" { on_cancel.run(()) }>
                <h2 id=format!("{id}-title")>{title}</h2>
                {subject.map(|s| view! { <p class="dialog-subject">{s}</p> })}
                <p id=format!("{id}-body")>{body}</p>
                <div class="dialog-actions">
                    <button type="button" class="secondary" node_ref=cancel_ref on:click=move |_| on_cancel.run(())>
                        {cancel}
                    </button>
                    <button type="button" class="danger" on:click=move |_| on_confirm.run(())>
                        {confirm}
                    </button>
                </div>
            </div>
        </div>
    }
}
