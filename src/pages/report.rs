//! `/report` (月度报告): the monthly report the township office hands up, for a chosen month
//! and for the whole township or one village — a paragraph written from the figures in the
//! manner of the office's own reports ("全镇共排查问题N个，已整改M个…"), a table by village, a
//! table by kind and the overdue problems with who must fix them; printed on A4 (or saved as a
//! PDF) through the browser's print, or shared (分享报告, where the phone shares files) as its
//! paragraph and a page of its own (.html) to WeChat or another app. The figures are patrol-core's (`report::monthly_report`,
//! over the statistics' own counts), so the report and `/stats` say the same.

use leptos::prelude::*;
use leptos_router::components::A;
use patrol_core::patrol_stats::Month;
use patrol_core::report::{
    MonthCounts, MonthlyReport, OverdueProblem, ReportRow, monthly_report, parse_month, villages,
};
use patrol_core::stats::{Overdue, Tally};

use crate::components::share::{ShareAlert, note_share};
use crate::format;
use crate::i18n::*;
use crate::labels::{Label, kind_icon};
use crate::share::{self, ShareFailure};
use crate::state::{Ledger, Patrols};
use crate::sync::SyncEngine;

#[component]
pub fn ReportPage() -> impl IntoView {
    let i18n = use_i18n();
    let ledger = expect_context::<Ledger>();
    let patrols = expect_context::<Patrols>();
    let engine = expect_context::<SyncEngine>();
    let month = RwSignal::new(Month::of(chrono::Utc::now()));
    // `None`: the whole township (全镇).
    let village = RwSignal::new(None::<String>);
    let choices = Memo::new(move |_| ledger.with_all(|all| villages(all)));
    let report = Memo::new(move |_| {
        let rule = engine.township.with(|t| t.patrol_rule);
        let month = month.get();
        village.with(|v| {
            patrols.with_all(|p| {
                ledger
                    .with_all(|r| monthly_report(r, p, &rule, month, v.as_deref(), format::today()))
            })
        })
    });
    let print = move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };
    // Offered only where the phone can hand an .html file to another app (src/share.rs).
    let can_share = share::can_share_files("report.html", REPORT_TYPE);
    let share_failed = RwSignal::new(None::<ShareFailure>);
    let share_report = move |_| {
        let locale = i18n.get_locale();
        let (title, text) = report.with_untracked(|r| {
            (
                td_string!(
                    locale,
                    report.heading,
                    scope = scope_name(locale, r),
                    month = month_name(locale, r.month)
                )
                .to_string(),
                paragraph(locale, r),
            )
        });
        let Some(file) = report_page(locale, &title)
            .and_then(|html| share::text_file(&file_name(&title), REPORT_TYPE, &html).ok())
        else {
            share_failed.set(Some(ShareFailure::Failed));
            return;
        };
        leptos::task::spawn_local(async move {
            note_share(share_failed, share::share(&[file], &title, &text).await);
        });
    };
    view! {
        <section class="page report-page">
            <h1>{t!(i18n, report.title)}</h1>
            <h2 class="report-heading" data-testid="report-heading">{move || {
                let locale = i18n.get_locale();
                report.with(|r| {
                    td_string!(locale, report.heading, scope = scope_name(locale, r), month = month_name(locale, r.month)).to_string()
                })
            }}</h2>
            <div class="report-controls">
                <label class="field">
                    <span>{t!(i18n, report.month)}</span>
                    <input type="month" id="report-month"
                        prop:value=move || month.get().to_string()
                        on:change=move |ev| {
                            if let Some(m) = parse_month(&event_target_value(&ev)) {
                                month.set(m);
                            }
                        } />
                </label>
                <label class="field">
                    <span>{t!(i18n, report.village)}</span>
                    <select id="report-village"
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            village.set((!v.is_empty()).then_some(v));
                        }>
                        <option value="" selected=move || village.with(Option::is_none)>{t!(i18n, report.township)}</option>
                        {move || choices.get().into_iter().map(|name| {
                            let chosen = name.clone();
                            view! {
                                <option value=name.clone()
                                    selected=move || village.with(|v| v.as_deref() == Some(chosen.as_str()))>
                                    {name.clone()}
                                </option>
                            }
                        }).collect_view()}
                    </select>
                </label>
                <button type="button" class="primary report-print" on:click=print>{t!(i18n, report.print)}</button>
                {can_share.then(|| view! {
                    <button type="button" class="secondary report-share" on:click=share_report>{t!(i18n, share.report)}</button>
                })}
                <ShareAlert failure=share_failed />
                <p class="hint">
                    {t!(i18n, report.print_hint)} " "
                    <A href="/stats">{t!(i18n, report.to_stats)}</A>
                </p>
            </div>
            <p class="report-paragraph" data-testid="report-paragraph">
                {move || report.with(|r| paragraph(i18n.get_locale(), r))}
            </p>
            {move || {
                let r = report.get();
                let locale = i18n.get_locale();
                let villages = r
                    .by_village
                    .iter()
                    .map(|row| (row.key.clone(), row.month, row.to_date))
                    .collect::<Vec<_>>();
                let kinds = r
                    .by_kind
                    .iter()
                    .map(|ReportRow { key, month, to_date }| {
                        (format!("{} {}", kind_icon(*key), key.label(locale)), *month, *to_date)
                    })
                    .collect::<Vec<_>>();
                view! {
                    <ReportTable caption=td_string!(locale, report.by_village).to_string()
                        first=td_string!(locale, fields.village).to_string()
                        rows=villages in_month=r.in_month total=r.total testid="report-by-village" />
                    <ReportTable caption=td_string!(locale, report.by_kind).to_string()
                        first=td_string!(locale, fields.kind).to_string()
                        rows=kinds in_month=r.in_month total=r.total testid="report-by-kind" />
                    <OverdueTable overdue=r.overdue />
                }
            }}
        </section>
    }
}

/// The type of the report's file when shared.
const REPORT_TYPE: &str = "text/html";

/// The style of the shared report's page: its tables ruled, as printed.
const REPORT_STYLE: &str = "body{font-family:sans-serif;margin:1.5em;line-height:1.6}\
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #888;padding:.3em .6em;text-align:left}\
caption{font-weight:bold;text-align:left;padding:.3em 0}";

/// The report as the screen shows it now (heading, paragraph, tables, overdue problems) as a
/// page of its own, to share: the screen's controls left out, its links into the app made
/// plain text.
fn report_page(locale: Locale, title: &str) -> Option<String> {
    use wasm_bindgen::JsCast;
    let shown = document().query_selector(".report-page").ok()??;
    let copy: web_sys::Element = shown.clone_node_with_deep(true).ok()?.dyn_into().ok()?;
    for selector in ["h1", ".report-controls"] {
        if let Ok(Some(element)) = copy.query_selector(selector) {
            element.remove();
        }
    }
    let links = copy.query_selector_all("a[href]").ok()?;
    for i in 0..links.length() {
        if let Some(link) = links
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
        {
            let _ = link.remove_attribute("href");
        }
    }
    let lang = if locale == Locale::en { "en" } else { "zh-CN" };
    Some(format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{}</title>\
         <style>{REPORT_STYLE}</style></head><body>{}</body></html>",
        escape(title),
        copy.inner_html()
    ))
}

/// Text made safe inside an HTML element.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The report's file name: its heading, with what a file name cannot hold replaced.
fn file_name(title: &str) -> String {
    let safe: String = title
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '-'
            } else {
                c
            }
        })
        .collect();
    format!("{safe}.html")
}

/// "全镇" or the village's name.
fn scope_name(locale: Locale, r: &MonthlyReport) -> String {
    match &r.village {
        Some(v) => v.clone(),
        None => td_string!(locale, report.township).to_string(),
    }
}

/// "2026年11月" / "11/2026".
fn month_name(locale: Locale, month: Month) -> String {
    td_string!(
        locale,
        report.month_name,
        year = month.year,
        month = month.month
    )
    .to_string()
}

/// The report's paragraph, written from its figures: the problems to date (as the statistics
/// count them), the month's, its patrols, and who has overdue problems.
fn paragraph(locale: Locale, r: &MonthlyReport) -> String {
    let scope = scope_name(locale, r);
    let month = month_name(locale, r.month);
    let t = r.total;
    let mut sentences = Vec::new();
    match t.rate_percent() {
        None => sentences.push(td_string!(locale, report.summary_empty, scope).to_string()),
        Some(rate) => sentences.push(
            td_string!(
                locale,
                report.summary,
                scope,
                found = t.found(),
                done = t.done(),
                closed = t.closed,
                fixed = t.fixed,
                rate,
                outstanding = r.outstanding(),
                overdue = t.overdue
            )
            .to_string(),
        ),
    }
    sentences.push(
        td_string!(
            locale,
            report.month_summary,
            month,
            month_found = r.in_month.found,
            month_fixed = r.in_month.fixed,
            month_closed = r.in_month.closed,
            patrols = r.patrols,
            valid = r.valid_patrols
        )
        .to_string(),
    );
    if !r.overdue_people.is_empty() {
        let list = r
            .overdue_people
            .iter()
            .map(|(person, count)| {
                let person = if person.is_empty() {
                    td_string!(locale, stats.unnamed).to_string()
                } else {
                    person.clone()
                };
                td_string!(locale, report.person_count, person, count = *count).to_string()
            })
            .collect::<Vec<_>>()
            .join(td_string!(locale, report.list_separator));
        sentences.push(td_string!(locale, report.overdue_people, list).to_string());
    }
    let gap = if locale == Locale::en { " " } else { "" };
    sentences.join(gap)
}

/// A table of groups (villages or kinds): the month's figures and those to date, and a 合计
/// (total) row of all the problems reported on.
#[component]
fn ReportTable(
    caption: String,
    first: String,
    rows: Vec<(String, MonthCounts, Tally)>,
    in_month: MonthCounts,
    total: Tally,
    testid: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale();
    let rows = rows
        .into_iter()
        .map(|(name, month, to_date)| {
            view! {
                <tr>
                    <th scope="row">{name}</th>
                    <Cells month to_date />
                </tr>
            }
        })
        .collect_view();
    let col = |label: String| view! { <th scope="col">{label}</th> };
    let label = caption.clone();
    view! {
        // Focusable, so that a keyboard can scroll a table wider than the phone.
        <div class="table-scroll" tabindex="0" role="region" aria-label=label>
        <table class="figures-table" data-testid=testid>
            <caption>{caption}</caption>
            <thead>
                <tr>
                    {col(first)}
                    {col(td_string!(locale, report.col_month_found).to_string())}
                    {col(td_string!(locale, report.col_month_fixed).to_string())}
                    {col(td_string!(locale, report.col_month_closed).to_string())}
                    {col(td_string!(locale, report.col_found).to_string())}
                    {col(td_string!(locale, status.fixed).to_string())}
                    {col(td_string!(locale, status.closed).to_string())}
                    {col(td_string!(locale, report.col_outstanding).to_string())}
                    {col(td_string!(locale, stats.overdue).to_string())}
                    {col(td_string!(locale, stats.rate).to_string())}
                </tr>
            </thead>
            <tbody>{rows}</tbody>
            <tfoot>
                <tr>
                    <th scope="row">{td_string!(locale, report.total).to_string()}</th>
                    <Cells month=in_month to_date=total />
                </tr>
            </tfoot>
        </table>
        </div>
    }
}

/// One row's figures, each cell named by `data-col` for the tests.
#[component]
fn Cells(month: MonthCounts, to_date: Tally) -> impl IntoView {
    let rate = to_date
        .rate_percent()
        .map_or_else(|| "—".to_owned(), |r| format!("{r}%"));
    let cell = |col: &'static str, value: String| view! { <td data-col=col>{value}</td> };
    view! {
        {cell("month-found", month.found.to_string())}
        {cell("month-fixed", month.fixed.to_string())}
        {cell("month-closed", month.closed.to_string())}
        {cell("found", to_date.found().to_string())}
        {cell("fixed", to_date.fixed.to_string())}
        {cell("closed", to_date.closed.to_string())}
        {cell("outstanding", (to_date.open + to_date.rectifying).to_string())}
        {cell("overdue", to_date.overdue.to_string())}
        {cell("rate", rate)}
    }
}

/// The overdue problems, most overdue first, with who must fix each.
#[component]
fn OverdueTable(overdue: Vec<OverdueProblem>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale();
    let count = overdue.len();
    let caption = td_string!(locale, stats.overdue_list, count).to_string();
    if overdue.is_empty() {
        return view! {
            <h2 class="report-caption">{caption}</h2>
            <p class="hint">{td_string!(locale, stats.none_overdue).to_string()}</p>
        }
        .into_any();
    }
    let rows = overdue
        .into_iter()
        .map(|o| {
            let OverdueProblem {
                overdue:
                    Overdue {
                        id,
                        title,
                        kind,
                        village,
                        deadline,
                        days,
                    },
                responsibility,
            } = o;
            let title = if title.trim().is_empty() {
                kind.label(locale).to_owned()
            } else {
                title
            };
            view! {
                <tr>
                    <th scope="row"><A href=format!("/records/{id}")>{title}</A></th>
                    <td>{village}</td>
                    <td>{responsibility.leader}</td>
                    <td>{responsibility.department}</td>
                    <td>{responsibility.person}</td>
                    <td>{format::date(locale, deadline)}</td>
                    <td data-col="days">{days}</td>
                </tr>
            }
        })
        .collect_view();
    let col = |label: String| view! { <th scope="col">{label}</th> };
    let label = caption.clone();
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label=label>
        <table class="figures-table report-overdue" data-testid="report-overdue">
            <caption>{caption}</caption>
            <thead>
                <tr>
                    {col(td_string!(locale, fields.title).to_string())}
                    {col(td_string!(locale, fields.village).to_string())}
                    {col(td_string!(locale, fields.leader).to_string())}
                    {col(td_string!(locale, fields.department).to_string())}
                    {col(td_string!(locale, fields.person).to_string())}
                    {col(td_string!(locale, fields.deadline).to_string())}
                    {col(td_string!(locale, report.col_days).to_string())}
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        </div>
    }
    .into_any()
}
