//! `cargo xtask bench`: Lighthouse (npm, pinned in package.json; Debian's Chromium) on the release build, as a phone
//! would meet it: cold loads (fresh profile, nothing cached) and a warm one (a cold load's
//! profile again, the service worker installed by that load answering from its cache).
//!
//! The release server serves `dist/` on a free local port, and in front of it Debian's Caddy
//! ([`HttpsFront`]) terminates TLS and speaks HTTP/2, as the Caddy of docs/deploy.md does: phones get the app only over HTTPS (a PWA needs a secure origin),
//! and over HTTP/2 from that proxy. The transport weighs on the figures: Lighthouse's
//! simulated throttling (Lantern) models HTTP/1.1 as up to six fresh connections to the
//! origin, each with its own handshake and TCP slow start, and HTTP/2 as one connection that
//! every request shares (TLS adds a round trip to opening one). Chromium runs with
//! `--ignore-certificate-errors` for the certificate of Caddy's local authority. Lighthouse 12 runs with its default mobile emulation four times:
//! - a cold load over HTTPS + HTTP/2 with Lighthouse's default throttling (simulated slow 4G
//!   and 4× CPU), the method issue 7's budget names, so the one the budget is checked against
//!   (`cold`);
//! - a cold load over HTTPS + HTTP/2 in another new profile with
//!   `--throttling-method=devtools` (the network and CPU really slowed in the browser),
//!   harsher on a page whose wasm is one large request (`cold_devtools`);
//! - a warm load in that profile, also over HTTPS + HTTP/2 with DevTools throttling, so that
//!   what the service worker answers from its cache is not slowed like the network (`warm`);
//! - a cold load in a third new profile with the default throttling, straight from the server
//!   over plain HTTP/1.1 without TLS, as the bench measured before: kept for comparison
//!   (`cold_http1`).
//!
//! Each cold load's report must show the page's own request over the transport meant (`h2`,
//! `http/1.1`), or the bench fails.
//!
//! Results: the `lighthouse` section of docs/benchmarks.md, `lighthouse` in
//! target/bench/latest.json, and the full reports in
//! target/bench/lighthouse-{cold,cold-devtools,warm,cold-http1}.json.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use xtask::command::{Ctx, note};
use xtask::server::{Server, free_port, target_dir};
use xtask::tools::{self, Needs};

use crate::caddy::HttpsFront;
use crate::section::{Section, write_sections};

/// From node_modules/.bin (package.json pins the version; the tools step runs `npm ci`).
const LIGHTHOUSE: &str = "lighthouse";
const CHROME: &str = "/usr/bin/chromium";
const CATEGORIES: [&str; 3] = ["performance", "accessibility", "best-practices"];
/// Audits recorded beside the scores: (id, label, unit).
const METRICS: [(&str, &str, &str); 6] = [
    ("first-contentful-paint", "First Contentful Paint", "ms"),
    ("largest-contentful-paint", "Largest Contentful Paint", "ms"),
    ("interactive", "Time to Interactive", "ms"),
    ("total-blocking-time", "Total Blocking Time", "ms"),
    ("cumulative-layout-shift", "Cumulative Layout Shift", ""),
    ("total-byte-weight", "Bytes over the network", "bytes"),
];

/// One Lighthouse run, reduced to what the benchmark keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Category id → score 0–100.
    pub scores: Vec<(String, u32)>,
    /// Audit id → numeric value.
    pub metrics: Vec<(String, f64)>,
    /// The protocol the page's own request came over as Chromium reports it (`h2`,
    /// `http/1.1`); `None` when the report names none or nothing came over the network (the
    /// service worker answered: Chromium then says `http/1.1` whatever the transport).
    pub protocol: Option<String>,
}

impl Run {
    /// Reads a Lighthouse JSON report; fails on a runtime error or a missing category.
    pub fn from_report(report: &Value) -> Result<Self> {
        if let Some(err) = report.get("runtimeError") {
            bail!("Lighthouse failed: {err}");
        }
        let mut scores = Vec::new();
        for id in CATEGORIES {
            let score = report["categories"][id]["score"]
                .as_f64()
                .with_context(|| format!("the report has no {id} score"))?;
            scores.push((id.to_owned(), (score * 100.0).round() as u32));
        }
        let metrics = METRICS
            .iter()
            .filter_map(|(id, _, _)| {
                report["audits"][id]["numericValue"]
                    .as_f64()
                    .map(|v| ((*id).to_owned(), v))
            })
            .collect();
        let requests = report["audits"]["network-requests"]["details"]["items"].as_array();
        let protocol = requests
            .and_then(|items| {
                items
                    .iter()
                    .find(|r| r["resourceType"] == "Document")
                    .or(items.first())
            })
            .filter(|r| r["transferSize"].as_f64().is_none_or(|size| size > 0.0))
            .and_then(|r| r["protocol"].as_str())
            .filter(|p| !p.is_empty())
            .map(str::to_owned);
        Ok(Self {
            scores,
            metrics,
            protocol,
        })
    }

    /// An audit's numeric value.
    fn value(&self, id: &str) -> Option<f64> {
        self.metrics.iter().find(|(k, _)| k == id).map(|(_, v)| *v)
    }

    fn score(&self, id: &str) -> String {
        self.scores
            .iter()
            .find(|(k, _)| k == id)
            .map_or("–".into(), |(_, v)| v.to_string())
    }

    fn metric(&self, id: &str, unit: &str) -> String {
        match self.metrics.iter().find(|(k, _)| k == id) {
            None => "–".into(),
            Some((_, v)) => match unit {
                "ms" => format!("{:.0} ms", v),
                "bytes" => format!("{:.1} KiB", v / 1024.0),
                _ => format!("{v:.3}"),
            },
        }
    }

    fn to_json(&self) -> Value {
        json!({
            "scores": self.scores.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "metrics": self.metrics.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "protocol": self.protocol,
        })
    }

    /// Fails when the report shows the page came over another protocol than `expected`.
    fn check_protocol(&self, load: &str, expected: &str) -> Result<()> {
        match &self.protocol {
            Some(p) if p == expected => Ok(()),
            Some(p) => bail!("the {load} load came over {p}, not {expected}"),
            None => {
                note(&format!(
                    "the {load} report does not say which protocol the page came over"
                ));
                Ok(())
            }
        }
    }
}

/// Runs Lighthouse against `dist`, over HTTPS + HTTP/2 cold (twice, one per throttling method)
/// and warm, then cold over plain HTTP/1.1, and writes the results.
pub fn run(ctx: &Ctx, dist: &Path) -> Result<()> {
    // Node with the npm packages and Debian's Chromium, as the browser tests need them; Caddy.
    tools::ensure(
        ctx,
        Needs {
            e2e: true,
            caddy: true,
            ..Needs::default()
        },
    )?;
    let server_bin = target_dir(ctx).join("release").join("river-patrol-server");
    ctx.run(
        ctx.cargo()
            .args(["build", "--release", "-p", "river-patrol-server"]),
    )?;
    let port = free_port()?;
    // No sync data is needed; the server's data folder goes to a temporary one.
    let data = std::env::temp_dir().join(format!("xtask-lighthouse-data-{}", std::process::id()));
    let server = Server::start(ctx, &server_bin, dist, port, Some(&data))?;
    // As deployed (docs/deploy.md): HTTPS and HTTP/2 from a reverse proxy in front.
    let front = HttpsFront::start(ctx, port)?;
    let https = format!("https://127.0.0.1:{}/", front.port);
    // As the bench measured before, for comparison: the server itself, HTTP/1.1 without TLS.
    let http1 = format!("http://127.0.0.1:{port}/");
    note(&format!("{https} (Caddy, HTTPS + HTTP/2) -> {http1}"));
    let out_dir = ctx.root.join("target").join("bench");
    std::fs::create_dir_all(&out_dir)?;
    let profiles = [
        "simulated-1",
        "simulated-2",
        "simulated-3",
        "devtools",
        "http1",
    ]
    .map(|name| {
        std::env::temp_dir().join(format!("xtask-lighthouse-{}-{name}", std::process::id()))
    });
    for profile in &profiles {
        let _ = std::fs::remove_dir_all(profile);
        std::fs::create_dir_all(profile)?;
    }

    let result = (|| -> Result<(Runs, String)> {
        let report = |name: &str| out_dir.join(format!("lighthouse-{name}.json"));
        // The budget's load, three times in new profiles: one run varies by a few hundred
        // milliseconds here, and Lighthouse's own advice is to take the median of several.
        let mut colds = Vec::new();
        for (i, profile) in profiles[..COLD_RUNS].iter().enumerate() {
            let run = lighthouse(
                ctx,
                &https,
                profile,
                Throttling::Simulated,
                &report(&format!("cold-{}", i + 1)),
            )?;
            run.check_protocol("cold", "h2")?;
            colds.push((run, report(&format!("cold-{}", i + 1))));
        }
        let cold_ttis: Vec<f64> = colds
            .iter()
            .map(|(run, _)| run.value("interactive").unwrap_or(f64::NAN))
            .collect();
        let (cold, median_report) = median_run(colds);
        std::fs::copy(&median_report, report("cold"))?;
        let cold_devtools = lighthouse(
            ctx,
            &https,
            &profiles[COLD_RUNS],
            Throttling::DevTools,
            &report("cold-devtools"),
        )?;
        cold_devtools.check_protocol("cold, DevTools throttling", "h2")?;
        // The same profile: the service worker the DevTools cold load installed answers this one.
        let warm = lighthouse(
            ctx,
            &https,
            &profiles[COLD_RUNS],
            Throttling::DevTools,
            &report("warm"),
        )?;
        let cold_http1 = lighthouse(
            ctx,
            &http1,
            &profiles[COLD_RUNS + 1],
            Throttling::Simulated,
            &report("cold-http1"),
        )?;
        cold_http1.check_protocol("cold, plain HTTP/1.1", "http/1.1")?;
        let version = ctx
            .capture(ctx.cmd(LIGHTHOUSE).arg("--version"))
            .unwrap_or_else(|| "unknown".into());
        Ok((
            Runs {
                cold,
                cold_ttis,
                cold_devtools,
                warm,
                cold_http1,
            },
            version,
        ))
    })();
    for profile in &profiles {
        let _ = std::fs::remove_dir_all(profile);
    }
    drop(front);
    drop(server);
    let _ = std::fs::remove_dir_all(&data);
    let (runs, version) = result?;

    for (name, run) in [
        ("cold, HTTPS + HTTP/2", &runs.cold),
        (
            "cold, DevTools throttling, HTTPS + HTTP/2",
            &runs.cold_devtools,
        ),
        ("warm, HTTPS + HTTP/2", &runs.warm),
        ("cold, plain HTTP/1.1", &runs.cold_http1),
    ] {
        note(&format!("{name}: {:?}", run.scores));
    }
    let latest = out_dir.join("latest.json");
    let mut json: Value = std::fs::read_to_string(&latest)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_else(|| json!({}));
    json["lighthouse"] = json!({
        "lighthouse": version,
        "chromium": chromium_version(ctx),
        "form_factor": "mobile (Lighthouse default emulation)",
        "throttling": {
            "cold": "simulate (Lighthouse's default)",
            "cold_devtools": "devtools",
            "warm": "devtools",
            "cold_http1": "simulate (Lighthouse's default)",
        },
        "transport": {
            "cold": HTTPS_H2,
            "cold_devtools": HTTPS_H2,
            "warm": HTTPS_H2,
            "cold_http1": PLAIN_HTTP1,
        },
        "cold": runs.cold.to_json(),
        "cold_runs_interactive_ms": runs.cold_ttis,
        "cold_devtools": runs.cold_devtools.to_json(),
        "warm": runs.warm.to_json(),
        "cold_http1": runs.cold_http1.to_json(),
    });
    std::fs::write(&latest, serde_json::to_string_pretty(&json)? + "\n")?;
    note(&format!("wrote {}", latest.display()));

    let doc = ctx.root.join("docs").join("benchmarks.md");
    let section = section(&runs, &version, &chromium_version(ctx));
    write_sections(&doc, &[section])?;
    note(&format!("wrote {}", doc.display()));
    Ok(())
}

fn chromium_version(ctx: &Ctx) -> String {
    ctx.capture(ctx.cmd(CHROME).arg("--version"))
        // Debian's wrapper script prints a harmless shell error beside the version.
        .and_then(|v| {
            v.lines()
                .find(|l| l.starts_with("Chromium"))
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "unknown".into())
}

/// How the first three loads reach the page, as target/bench/latest.json says it.
const HTTPS_H2: &str =
    "https, http/2 (Caddy in front of the server, as docs/deploy.md's reverse proxy)";
/// How the fourth does.
const PLAIN_HTTP1: &str = "http/1.1 without TLS, straight from river-patrol-server";

/// The four loads the bench makes.
struct Runs {
    /// HTTPS + HTTP/2, default throttling: the budget's (the median of [`COLD_RUNS`]).
    cold: Run,
    /// The time to interactive of each of those cold loads, in the order they ran.
    cold_ttis: Vec<f64>,
    /// HTTPS + HTTP/2, DevTools throttling.
    cold_devtools: Run,
    /// HTTPS + HTTP/2, DevTools throttling, in `cold_devtools`' profile.
    warm: Run,
    /// Plain HTTP/1.1, default throttling: the old way, for comparison.
    cold_http1: Run,
}

#[derive(Debug, Clone, Copy)]
enum Throttling {
    /// Lighthouse's default: the page loads at full speed and Lighthouse computes what slow 4G
    /// and a 4× slower CPU would have made of it.
    Simulated,
    /// The browser itself slows the network and the CPU while the page loads.
    DevTools,
}

/// Cold loads of the budget's kind per bench, the median of which is kept.
const COLD_RUNS: usize = 3;

/// The run with the median time to interactive (a whole run, so its figures belong together),
/// with what came with it.
fn median_run<T>(mut runs: Vec<(Run, T)>) -> (Run, T) {
    runs.sort_by(|(a, _), (b, _)| {
        let tti = |r: &Run| r.value("interactive").unwrap_or(f64::INFINITY);
        tti(a).total_cmp(&tti(b))
    });
    runs.swap_remove(runs.len() / 2)
}

fn lighthouse(
    ctx: &Ctx,
    url: &str,
    profile: &Path,
    throttling: Throttling,
    out: &Path,
) -> Result<Run> {
    // --ignore-certificate-errors: Caddy's local authority is trusted nowhere; the page, its
    // service worker and the worker's cache work over it as over a real one.
    let flags = format!(
        "--headless=new --no-sandbox --disable-gpu --disable-background-networking \
         --disable-component-update --disable-sync --no-first-run \
         --ignore-certificate-errors --user-data-dir={}",
        profile.display()
    );
    let mut cmd: Command = ctx.cmd(LIGHTHOUSE);
    cmd.args([url, "--output=json", "--quiet"])
        .arg(format!("--output-path={}", out.display()))
        .arg(format!("--only-categories={}", CATEGORIES.join(",")))
        .arg(format!("--chrome-flags={flags}"))
        // Storage is kept so the warm run finds the service worker; each profile starts new.
        .arg("--disable-storage-reset")
        .env("CHROME_PATH", CHROME);
    if let Throttling::DevTools = throttling {
        cmd.arg("--throttling-method=devtools");
    }
    ctx.run(&mut cmd)?;
    let text =
        std::fs::read_to_string(out).with_context(|| format!("no report {}", out.display()))?;
    Run::from_report(&serde_json::from_str(&text)?)
}

fn section(runs: &Runs, version: &str, chromium: &str) -> Section {
    let loads = [
        &runs.cold,
        &runs.cold_devtools,
        &runs.warm,
        &runs.cold_http1,
    ];
    let row = |label: &str, cell: &dyn Fn(&Run) -> String| {
        let cells: Vec<String> = loads.iter().map(|r| cell(r)).collect();
        format!("| {label} | {} |\n", cells.join(" | "))
    };
    let mut md = String::from("## Lighthouse (mobile): cold and warm load\n\n");
    md.push_str(&format!(
        "Lighthouse {version} in {chromium}, default mobile emulation (Moto G Power class screen, \
slow 4G, 4× CPU slowdown), against the release build served by `river-patrol-server` on \
127.0.0.1. The first three loads come over HTTPS and HTTP/2, as phones get the app from the \
reverse proxy of docs/deploy.md; the last one comes straight from the server over plain \
HTTP/1.1, as this bench measured before, for comparison.\n\n"
    ));
    md.push_str(
        "| | cold load, default throttling, HTTPS + HTTP/2 | cold load, DevTools throttling, \
HTTPS + HTTP/2 | warm load (service worker), DevTools throttling, HTTPS + HTTP/2 | cold load, \
default throttling, plain HTTP/1.1 (for comparison) |\n|---|---:|---:|---:|---:|\n",
    );
    for (id, label) in [
        ("performance", "Performance"),
        ("accessibility", "Accessibility"),
        ("best-practices", "Best practices"),
    ] {
        md.push_str(&row(&format!("**{label}**"), &|r: &Run| {
            format!("**{}**", r.score(id))
        }));
    }
    for (id, label, unit) in METRICS {
        md.push_str(&row(label, &|r: &Run| r.metric(id, unit)));
    }
    md.push_str(&format!(
        "| Time to interactive of each cold load (the first column is their median) | {} | – | – | – |\n",
        runs.cold_ttis
            .iter()
            .map(|t| format!("{t:.0} ms"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    md.push_str(&row("Protocol of the page's request", &|r: &Run| {
        r.protocol
            .as_deref()
            .map_or("–".into(), |p| format!("`{p}`"))
    }));
    md.push_str(
        "\nHow it was measured: `cargo xtask bench` starts the release server on a free port and, \
in front of it, Debian's Caddy as docs/deploy.md's reverse proxy (`reverse_proxy`, with \
`tls internal` and a temporary configuration, `xtask/bench/src/caddy.rs`): it offers HTTP/2 to \
the browser, passes every request and answer through to the server over HTTP/1.1, and has a \
certificate for 127.0.0.1 from its own local authority, which Chromium accepts with \
`--ignore-certificate-errors` (the service worker registers and caches as with a real one). \
That is how the app is deployed: phones install the app and keep its service worker only on \
a secure (HTTPS) origin, and the proxy serves it over HTTP/2. The transport weighs on the \
figures: Lighthouse's simulated throttling (Lantern) models HTTP/1.1 as up to six connections \
to the origin, each with its own TCP handshake and slow start, and HTTP/2 as one connection \
that every request shares and that is warm after the first; TLS adds a round trip to opening \
a connection. It then runs \
`lighthouse URL --disable-storage-reset` (npm, pinned in package.json) six times. The first three runs are cold loads \
over HTTPS + HTTP/2 (each in a new Chromium profile, nothing cached; the service worker \
installs during it) with Lighthouse's default throttling: the page loads at full speed and \
Lighthouse simulates what slow 4G (150 ms round trips, 1.6 Mbit/s) and a 4× slower CPU would \
make of it. The first column is the one of the three with the median time to interactive, as \
Lighthouse's documentation advises for a figure that varies from run to run; the three times \
are in the row below the table's metrics. This is the method, and the transport, the speed \
budget below is checked against. The fourth \
run is again a cold load over HTTPS + HTTP/2, in another new profile, with \
`--throttling-method=devtools`: the browser really slows the network and the CPU, and each \
request waits its full slowed round trip, which is harsher on a page whose wasm comes in one \
large request. The fifth run, in that profile with DevTools throttling too, is a warm load, \
answered by the service worker from its cache (hence no bytes over the network). The sixth \
run is a cold load in yet another new profile with the default throttling, straight from the \
server's own `http://127.0.0.1:PORT/`: plain HTTP/1.1 without TLS, the way this bench \
measured before, kept to show what the transport alone changes. The protocol row is what \
Chromium reports for the page's own request over the network (none for the warm load, which \
the service worker answers); the bench fails when a cold load did not come \
over the protocol meant. Scores are 0–100. The full reports are \
`target/bench/lighthouse-cold.json` (the median one; all three are \
`lighthouse-cold-{1,2,3}.json`), `lighthouse-cold-devtools.json`, `lighthouse-warm.json` \
and `lighthouse-cold-http1.json`; the figures are also in `target/bench/latest.json` under \
`lighthouse` (the HTTP/1.1 load as `cold_http1`). Timings vary from run to run by a few \
hundred milliseconds on a shared 2-core machine.\n",
    );
    Section {
        id: "lighthouse",
        markdown: md,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Value {
        json!({
            "categories": {
                "performance": { "score": 0.774 },
                "accessibility": { "score": 1.0 },
                "best-practices": { "score": 0.96 }
            },
            "audits": {
                "first-contentful-paint": { "numericValue": 4099.4 },
                "total-byte-weight": { "numericValue": 0 },
                "cumulative-layout-shift": { "numericValue": 0.0123 },
                "network-requests": { "details": { "items": [
                    { "url": "https://127.0.0.1:1/", "resourceType": "Document", "protocol": "h2", "transferSize": 1541 },
                    { "url": "https://127.0.0.1:1/sw.js", "resourceType": "Script", "protocol": "h2" }
                ]}}
            }
        })
    }

    #[test]
    fn reads_scores_and_metrics_from_a_report() {
        let run = Run::from_report(&report()).unwrap();
        assert_eq!(run.score("performance"), "77");
        assert_eq!(run.score("accessibility"), "100");
        assert_eq!(run.score("best-practices"), "96");
        assert_eq!(run.metric("first-contentful-paint", "ms"), "4099 ms");
        assert_eq!(run.metric("total-byte-weight", "bytes"), "0.0 KiB");
        assert_eq!(run.metric("cumulative-layout-shift", ""), "0.012");
        assert_eq!(run.metric("interactive", "ms"), "–");
        assert_eq!(run.protocol.as_deref(), Some("h2"));
        assert_eq!(run.to_json()["protocol"], "h2");
    }

    #[test]
    fn a_failed_run_is_an_error() {
        let mut r = report();
        r["runtimeError"] = json!({ "code": "NO_FCP" });
        assert!(Run::from_report(&r).is_err());
        let mut r = report();
        r["categories"]["accessibility"] = json!({ "score": null });
        assert!(Run::from_report(&r).is_err());
    }

    #[test]
    fn a_load_over_another_protocol_than_meant_is_an_error() {
        let run = Run::from_report(&report()).unwrap();
        assert!(run.check_protocol("cold", "h2").is_ok());
        assert!(
            run.check_protocol("cold, plain HTTP/1.1", "http/1.1")
                .is_err()
        );
        let mut r = report();
        r["audits"]["network-requests"] = json!({});
        let unknown = Run::from_report(&r).unwrap();
        assert_eq!(unknown.protocol, None);
        assert!(unknown.check_protocol("cold", "h2").is_ok());
        // Answered by the service worker: no bytes, so no transport to speak of.
        let mut r = report();
        r["audits"]["network-requests"]["details"]["items"][0]["transferSize"] = json!(0);
        r["audits"]["network-requests"]["details"]["items"][0]["protocol"] = json!("http/1.1");
        assert_eq!(Run::from_report(&r).unwrap().protocol, None);
    }

    #[test]
    fn the_budget_keeps_the_cold_load_with_the_median_time_to_interactive() {
        let with_tti = |tti: f64| {
            let mut r = report();
            r["audits"]["interactive"]["numericValue"] = json!(tti);
            Run::from_report(&r).unwrap()
        };
        let runs = vec![
            (with_tti(2400.0), "a"),
            (with_tti(1900.0), "b"),
            (with_tti(2050.0), "c"),
        ];
        let (run, which) = median_run(runs);
        assert_eq!(which, "c");
        assert_eq!(run.value("interactive"), Some(2050.0));
    }

    #[test]
    fn the_section_has_all_four_loads_and_their_transport() {
        let run = Run::from_report(&report()).unwrap();
        let mut r = report();
        r["categories"]["performance"]["score"] = json!(0.71);
        r["audits"]["network-requests"]["details"]["items"][0]["protocol"] = json!("http/1.1");
        let http1 = Run::from_report(&r).unwrap();
        let warm = Run {
            protocol: None,
            ..run.clone()
        };
        let runs = Runs {
            cold: run.clone(),
            cold_ttis: vec![1910.4, 1987.0, 2030.6],
            cold_devtools: run,
            warm,
            cold_http1: http1,
        };
        let s = section(&runs, "12.8.2", "Chromium 156");
        assert_eq!(s.id, "lighthouse");
        assert!(s.markdown.starts_with("## Lighthouse (mobile)"));
        assert!(
            s.markdown
                .contains("| **Performance** | **77** | **77** | **77** | **71** |"),
            "{}",
            s.markdown
        );
        assert!(
            s.markdown
                .contains("| First Contentful Paint | 4099 ms | 4099 ms | 4099 ms | 4099 ms |")
        );
        assert!(
            s.markdown
                .contains("| Protocol of the page's request | `h2` | `h2` | – | `http/1.1` |")
        );
        assert!(s.markdown.contains(
            "| Time to interactive of each cold load (the first column is their median) | \
1910 ms, 1987 ms, 2031 ms | – | – | – |"
        ));
        assert!(s.markdown.contains("|---|---:|---:|---:|---:|"));
        assert!(s.markdown.contains("HTTPS + HTTP/2 |"));
        assert!(s.markdown.contains("plain HTTP/1.1 (for comparison) |"));
    }
}
