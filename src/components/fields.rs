//! Labelled form controls shared by the record form, the dispatch (交办) form of a problem's
//! page and settings. Each control takes its id (also the validation field name), a translated
//! label, a value and a change callback; errors for that id come from the surrounding form's
//! [`Issues`] context. [`ResponsibilityFields`] is the ledger's responsibility section
//! (leader, department, person, phone, deadline), the same wherever a problem gets them.

use leptos::prelude::*;
use patrol_core::stamp::parse_date;
use patrol_core::validate::field;
use patrol_core::{Choice, Problem, Record};

use crate::i18n::*;
use crate::labels::Label;
use crate::storage::SaveError;

/// What is wrong with one input.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Issue {
    Domain(Problem),
    /// Text in a number field that is not a number (caught before domain validation).
    NotANumber,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FormIssue {
    pub field: &'static str,
    pub issue: Issue,
}

impl From<patrol_core::FieldError> for FormIssue {
    fn from(e: patrol_core::FieldError) -> Self {
        FormIssue {
            field: e.field,
            issue: Issue::Domain(e.problem),
        }
    }
}

/// The form's current problems, provided as context by the form.
pub type Issues = RwSignal<Vec<FormIssue>>;

pub fn issue_message(locale: Locale, issue: Issue) -> String {
    match issue {
        Issue::NotANumber => td_string!(locale, errors.not_a_number).to_string(),
        Issue::Domain(problem) => match problem {
            Problem::Required => td_string!(locale, errors.required).to_string(),
            Problem::TooLong { max } => td_string!(locale, errors.too_long, max).to_string(),
            Problem::OutOfRange => td_string!(locale, errors.out_of_range).to_string(),
            Problem::InvalidPhone => td_string!(locale, errors.invalid_phone).to_string(),
            Problem::DeadlineBeforeFound => {
                td_string!(locale, errors.deadline_before_found).to_string()
            }
        },
    }
}

pub fn save_error_message(locale: Locale, error: &SaveError) -> String {
    match error {
        SaveError::Full => td_string!(locale, errors.storage_full).to_string(),
        SaveError::Failed(reason) => {
            td_string!(locale, errors.storage_failed, reason = reason).to_string()
        }
    }
}

/// Why the last write was refused, if it was: an alert in the user's language.
#[component]
pub fn SaveErrorAlert(error: RwSignal<Option<SaveError>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        error.get().map(|e| {
            view! { <p class="form-alert" role="alert">{save_error_message(i18n.get_locale(), &e)}</p> }
        })
    }
}

/// The phone's clock now, if it can stamp a save; `wrong` says whether it cannot (before
/// 2000: a cheap phone whose clock reset to 1970), for [`ClockAlert`]. Such a save would make
/// a record or patrol the server refuses, with nothing the user could change to fix it.
pub fn clock_for_save(wrong: RwSignal<bool>) -> Option<chrono::DateTime<chrono::Utc>> {
    let now = chrono::Utc::now();
    let plausible = patrol_core::validate::clock_is_plausible(now);
    wrong.set(!plausible);
    plausible.then_some(now)
}

/// Tells the user to set the phone's clock when [`clock_for_save`] found it wrong.
#[component]
pub fn ClockAlert(wrong: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        wrong.get().then(|| {
            view! { <p class="form-alert" role="alert" data-testid="clock-wrong">{t!(i18n, errors.clock_wrong)}</p> }
        })
    }
}

/// The problem with field `id`, if the form has one.
fn issue_for(id: &'static str) -> impl Fn() -> Option<Issue> + Copy + Send + Sync + 'static {
    let issues = use_context::<Issues>();
    move || issues.and_then(|i| i.with(|all| all.iter().find(|f| f.field == id).map(|f| f.issue)))
}

/// Label, optional hint and error line around one control.
#[component]
fn FieldFrame(
    id: &'static str,
    label: Signal<&'static str>,
    hint: Option<Signal<&'static str>>,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let issue = issue_for(id);
    view! {
        <div class="field" class:invalid=move || issue().is_some()>
            <label for=id>{label}</label>
            {hint.map(|h| view! { <p class="field-hint" id=format!("{id}-hint")>{h}</p> })}
            {children()}
            <p class="field-error" id=format!("{id}-error")>
                {move || issue().map(|i| issue_message(i18n.get_locale(), i))}
            </p>
        </div>
    }
}

fn described_by(id: &'static str, has_hint: bool) -> String {
    if has_hint {
        format!("{id}-hint {id}-error")
    } else {
        format!("{id}-error")
    }
}

/// A one-line (or, with `multiline`, many-line) text input.
#[component]
pub fn TextField(
    id: &'static str,
    label: Signal<&'static str>,
    #[prop(into)] value: Signal<String>,
    on_input: Callback<String>,
    #[prop(optional)] input_type: Option<&'static str>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] maxlength: Option<usize>,
    #[prop(optional)] hint: Option<Signal<&'static str>>,
    #[prop(optional)] multiline: bool,
    /// The id of a `<datalist>` of suggestions (a one-line input only).
    #[prop(optional)]
    list: Option<&'static str>,
) -> impl IntoView {
    let issue = issue_for(id);
    let maxlength = maxlength.or_else(|| patrol_core::validate::max_len(id));
    let invalid = move || issue().map(|_| "true");
    let described = described_by(id, hint.is_some());
    let input = move |ev| on_input.run(event_target_value(&ev));
    let control = if multiline {
        view! {
            <textarea id=id name=id rows="4" maxlength=maxlength aria-invalid=invalid
                aria-describedby=described prop:value=value on:input=input></textarea>
        }
        .into_any()
    } else {
        view! {
            <input id=id name=id type=input_type.unwrap_or("text") inputmode=inputmode list=list
                autocomplete=autocomplete.unwrap_or("off") maxlength=maxlength
                aria-invalid=invalid aria-describedby=described prop:value=value on:input=input />
        }
        .into_any()
    };
    view! { <FieldFrame id label hint>{control}</FieldFrame> }
}

/// A drop-down list of fixed options: `(value, label)` pairs.
#[component]
pub fn SelectField(
    id: &'static str,
    label: Signal<&'static str>,
    options: Signal<Vec<(&'static str, &'static str)>>,
    #[prop(into)] value: Signal<&'static str>,
    on_change: Callback<String>,
) -> impl IntoView {
    let issue = issue_for(id);
    view! {
        <FieldFrame id label hint=None>
            <select id=id name=id aria-invalid=move || issue().map(|_| "true")
                aria-describedby=format!("{id}-error")
                on:change=move |ev| on_change.run(event_target_value(&ev))>
                {move || {
                    options
                        .get()
                        .into_iter()
                        .map(|(v, text)| {
                            view! { <option value=v selected=move || value.get() == v>{text}</option> }
                        })
                        .collect_view()
                }}
            </select>
        </FieldFrame>
    }
}

/// A select over every value of a domain choice, labelled through the catalogue.
pub fn choice_field<C>(
    id: &'static str,
    label: Signal<&'static str>,
    get: impl Fn() -> C + Send + Sync + 'static,
    set: impl Fn(C) + Send + Sync + 'static,
) -> impl IntoView
where
    C: Choice + Label + Send + Sync,
{
    choice_field_among(id, label, get, set, |_| true)
}

/// [`choice_field`] offering only the choices `offered` accepts (e.g. the statuses the
/// workflow allows from the current one).
pub fn choice_field_among<C>(
    id: &'static str,
    label: Signal<&'static str>,
    get: impl Fn() -> C + Send + Sync + 'static,
    set: impl Fn(C) + Send + Sync + 'static,
    offered: impl Fn(C) -> bool + Send + Sync + 'static,
) -> impl IntoView
where
    C: Choice + Label + Send + Sync,
{
    let i18n = use_i18n();
    let options = Signal::derive(move || {
        let locale = i18n.get_locale();
        C::ALL
            .iter()
            .filter(|c| offered(**c))
            .map(|c| (c.as_str(), c.label(locale)))
            .collect::<Vec<_>>()
    });
    let on_change = Callback::new(move |v: String| {
        if let Some(c) = C::parse(&v) {
            set(c)
        }
    });
    view! { <SelectField id label options value=Signal::derive(move || get().as_str()) on_change /> }
}

/// A yes/no question as a large checkbox.
#[component]
pub fn CheckField(
    id: &'static str,
    label: Signal<&'static str>,
    #[prop(into)] checked: Signal<bool>,
    on_change: Callback<bool>,
) -> impl IntoView {
    view! {
        <div class="field check">
            <input type="checkbox" id=id name=id prop:checked=checked
                on:change=move |ev| on_change.run(event_target_checked(&ev)) />
            <label for=id>{label}</label>
        </div>
    }
}

/// A translated label as a signal that follows the current language.
#[macro_export]
macro_rules! label {
    ($i18n:expr, $($key:tt)+) => {
        ::leptos::prelude::Signal::derive(move || $crate::i18n::t_string!($i18n, $($key)+))
    };
}

/// Moves keyboard and screen-reader focus to the first field that needs attention.
pub fn focus_field(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(el) = leptos::prelude::document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// The responsibility section's controls over `record`: its responsible leader, department,
/// person and phone, and its deadline (整改时限). The record form and the dispatch form of a
/// problem's page both show them, so a problem gets these fields the same way in both.
#[component]
pub fn ResponsibilityFields(record: RwSignal<Record>) -> impl IntoView {
    let i18n = use_i18n();
    macro_rules! who {
        ($part:ident) => {
            (
                Signal::derive(move || record.with(|r| r.responsibility.$part.clone())),
                Callback::new(move |v: String| record.update(|r| r.responsibility.$part = v)),
            )
        };
    }
    let (leader, set_leader) = who!(leader);
    let (department, set_department) = who!(department);
    let (person, set_person) = who!(person);
    let (phone, set_phone) = who!(phone);
    let deadline = Signal::derive(move || {
        record.with(|r| r.deadline.map(|d| d.to_string()).unwrap_or_default())
    });
    let set_deadline =
        Callback::new(move |v: String| record.update(|r| r.deadline = parse_date(&v)));
    view! {
        <TextField id=field::LEADER label=crate::label!(i18n, fields.leader) value=leader
            on_input=set_leader />
        <TextField id=field::DEPARTMENT label=crate::label!(i18n, fields.department)
            value=department on_input=set_department />
        <TextField id=field::PERSON label=crate::label!(i18n, fields.person) value=person
            on_input=set_person />
        <TextField id=field::PHONE label=crate::label!(i18n, fields.phone) value=phone
            on_input=set_phone input_type="tel" inputmode="tel" autocomplete="tel" />
        <TextField id=field::DEADLINE label=crate::label!(i18n, fields.deadline) value=deadline
            on_input=set_deadline input_type="date" />
    }
}
