//! `cargo xtask bench` and `cargo xtask weight` (the xtask runs this crate for both): sizes
//! of the release bundle, raw, gzip and brotli ([`bundle`]), then the photo compression
//! benchmark ([`compress`]), the sync benchmarks ([`sync`]), the ledger with 5,000 problems
//! ([`ledger`]), the load test with 50 devices at once ([`load`]), what the first screen's
//! wasm is made of ([`weight`]), Lighthouse through Caddy ([`lighthouse`], [`caddy`]) and the
//! speed budget ([`budget`]).
//!
//! Results go to `target/bench/latest.json` (machine-readable) and `docs/benchmarks.md`,
//! whose sections each benchmark writes ([`section`]); later benchmarks add a
//! [`Section`](section::Section) to the list in [`run`] (or write their own with
//! [`write_sections`]).

mod budget;
mod bundle;
mod caddy;
mod compress;
mod ledger;
mod lighthouse;
mod load;
mod node;
mod section;
mod sync;
mod weight;

use std::path::Path;
use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::Result;
use clap::{Parser, Subcommand};
use serde_json::{Value, json};

use section::{Section, write_sections};
use xtask::command::{Ctx, DistLock, note, secs, step};
use xtask::release::{check_dist, dist};
use xtask::tools::{self, Needs};

/// River Patrol's benchmarks; run by `cargo xtask bench` and `cargo xtask weight`, whose help
/// tells what each measures.
#[derive(Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    verb: Verb,
}

#[derive(Subcommand)]
enum Verb {
    /// Every benchmark into target/bench/latest.json and docs/benchmarks.md, then the budget
    Bench {
        /// The load test alone (no dist needed)
        #[arg(long, conflicts_with = "lighthouse_only")]
        load_only: bool,
        /// The Lighthouse runs alone, against dist/ as it is
        #[arg(long)]
        lighthouse_only: bool,
        /// The photo compression alone (its own `bench` build, no dist needed)
        #[arg(long, conflicts_with_all = ["load_only", "lighthouse_only"])]
        compress_only: bool,
        /// The list and the map with 5,000 problems alone, against dist/ as it is
        #[arg(long, conflicts_with_all = ["load_only", "lighthouse_only", "compress_only"])]
        ledger_only: bool,
        /// The bundle's sizes alone (with the first screen against before the map), against
        /// dist/ as it is
        #[arg(long, conflicts_with_all = ["load_only", "lighthouse_only", "compress_only", "ledger_only"])]
        bundle_only: bool,
    },
    /// What the first screen's wasm is made of
    Weight,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let start = Instant::now();
    match verb(cli.verb) {
        Ok(()) => {
            eprintln!("\nxtask: done ({})", secs(start));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("\nxtask: FAILED ({})", secs(start));
            for cause in e.chain() {
                eprintln!("  {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

fn verb(verb: Verb) -> Result<()> {
    let ctx = Ctx::new()?;
    match verb {
        Verb::Bench {
            load_only: true, ..
        } => {
            // PostgreSQL already, for the load test on it that is to come.
            step("Tools for the load test (PostgreSQL)", || {
                tools::ensure(
                    &ctx,
                    Needs {
                        postgres: true,
                        ..Needs::default()
                    },
                )
            })?;
            step(
                "Bench: load test, 50 devices at once against the release server",
                || run_load(&ctx),
            )
        }
        Verb::Bench {
            compress_only: true,
            ..
        } => {
            step(
                "Tools for the photo compression (its build; Chromium)",
                || {
                    tools::ensure(
                        &ctx,
                        Needs {
                            dist: true,
                            e2e: true,
                            ..Needs::default()
                        },
                    )
                },
            )?;
            step("Bench: photo compression, 12 megapixels", || {
                run_compress(&ctx)
            })
        }
        Verb::Bench {
            ledger_only: true, ..
        } => {
            step("Tools for the ledger (Chromium)", || {
                tools::ensure(
                    &ctx,
                    Needs {
                        e2e: true,
                        ..Needs::default()
                    },
                )
            })?;
            step(
                "Bench: the list and the map with 5,000 problems, CPU 4× slower",
                || run_ledger(&ctx),
            )
        }
        Verb::Bench {
            bundle_only: true, ..
        } => step("Bench: the release bundle's sizes (dist/ as it is)", || {
            run_bundle(&ctx)
        }),
        Verb::Bench {
            lighthouse_only: true,
            ..
        } => {
            check_dist(&ctx)?;
            step(
                "Tools for Lighthouse (Chromium; the fonts a phone has; Caddy)",
                || {
                    tools::ensure(
                        &ctx,
                        Needs {
                            e2e: true,
                            fonts: true,
                            caddy: true,
                            ..Needs::default()
                        },
                    )
                },
            )?;
            step(LIGHTHOUSE_STEP, || {
                lighthouse::run(&ctx, &ctx.root.join("dist"))
            })
        }
        Verb::Bench { .. } => {
            step(
                "Tools for the benchmarks (Chromium; the fonts a phone has, for Lighthouse; Caddy; PostgreSQL)",
                || {
                    tools::ensure(
                        &ctx,
                        Needs {
                            e2e: true,
                            fonts: true,
                            caddy: true,
                            postgres: true,
                            ..Needs::default()
                        },
                    )
                },
            )?;
            dist(&ctx)?;
            step(
                "Bench: bundle sizes, photo compression, sync, load test, 5,000-problem ledger",
                || run(&ctx, &ctx.root.join("dist")),
            )?;
            step(LIGHTHOUSE_STEP, || {
                lighthouse::run(&ctx, &ctx.root.join("dist"))
            })?;
            step("Bench: the speed budget", || check_budget(&ctx))
        }
        Verb::Weight => {
            step("Tools for the release build", || {
                tools::ensure(
                    &ctx,
                    Needs {
                        dist: true,
                        ..Needs::default()
                    },
                )
            })?;
            step("What the first screen's wasm is made of", || {
                run_weight(&ctx)
            })
        }
    }
}

/// The bench's Lighthouse step.
const LIGHTHOUSE_STEP: &str = "Bench: Lighthouse mobile, cold and warm (service worker) load \
over HTTPS + HTTP/2, and cold over plain HTTP/1.1";

/// Writes the budget section from target/bench/latest.json; fails while a limit is broken.
fn check_budget(ctx: &Ctx) -> Result<()> {
    let latest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
        ctx.root.join("target/bench/latest.json"),
    )?)?;
    let text = |k: &str| latest[k].as_str().unwrap_or("?").to_owned();
    let (section, broken) = budget::section(&latest, &text("date"), &text("git_commit"));
    write_sections(&ctx.root.join("docs/benchmarks.md"), &[section])?;
    budget::enforce(&broken)
}

/// The facts that go with every measurement.
pub struct Meta {
    pub date: String,
    pub commit: String,
    pub rustc: String,
    pub trunk: String,
    pub wasm_opt: String,
    /// e.g. `opt-level = "z", lto = true, …` from Cargo.toml's [profile.release].
    pub release_profile: String,
    /// index.html's `data-wasm-opt` level, e.g. `z`.
    pub wasm_opt_level: String,
    /// CPU model and core count, for timings.
    pub machine: String,
}

pub fn run(ctx: &Ctx, dist: &Path) -> Result<()> {
    let meta = meta(ctx);
    let files = measure_bundle(dist)?;

    let photo = compress::measure(ctx)?;
    let sync = sync::measure(ctx)?;
    let ledger = ledger::measure(ctx)?;
    let load = load::measure(ctx)?;
    let weight = weight::measure(ctx)?;

    // sync::measure built the release server after dist/: the one file, the app in it.
    let server = bundle::one_file_server(ctx);
    let json = json!({
        "one_file_server_bytes": server,
        "date": meta.date,
        "git_commit": meta.commit,
        "rustc": meta.rustc,
        "trunk": meta.trunk,
        "wasm_opt": meta.wasm_opt,
        "release_profile": meta.release_profile,
        "wasm_opt_level": meta.wasm_opt_level,
        "bundle_size": bundle::json(&files),
        "machine": meta.machine,
        "photo_compression": photo,
        "sync": sync,
        "ledger_5000": ledger,
        "load": load,
        "first_screen_weight": weight::json(&weight),
    });
    write_json(ctx, "latest.json", &json)?;

    let sections = vec![
        bundle::section(&meta, &files, server),
        weight::section(&weight, &meta.date, &meta.commit),
        compress::section(&photo, &meta.date, &meta.commit, &meta.machine),
        sync::section(&sync, &meta.date, &meta.commit, &meta.machine),
        load::section(&load, &meta.date, &meta.commit, &meta.machine),
        ledger::section(&ledger, &meta.date, &meta.commit, &meta.machine),
    ];
    let doc = ctx.root.join("docs").join("benchmarks.md");
    write_sections(&doc, &sections)?;
    note(&format!("wrote {}", doc.display()));
    Ok(())
}

/// The bundle's files and their sizes, each printed.
fn measure_bundle(dist: &Path) -> Result<Vec<bundle::FileSize>> {
    let files = bundle::measure(dist)?;
    for f in &files {
        note(&format!(
            "{:<48} {:>9} raw {:>9} gzip {:>9} brotli",
            f.path, f.raw, f.gzip, f.brotli
        ));
    }
    let (raw, gzip, brotli) = bundle::total(&files);
    note(&format!(
        "{:<48} {raw:>9} raw {gzip:>9} gzip {brotli:>9} brotli",
        "total"
    ));
    Ok(files)
}

/// One benchmark alone: what `measure` returns goes under `key` into `target/bench/<file>` (not
/// latest.json, which holds one whole run), with the date, commit and machine, and its
/// section into docs/benchmarks.md.
fn run_only(
    ctx: &Ctx,
    file: &str,
    key: &str,
    measure: impl FnOnce(&Ctx, &Meta) -> Result<(Value, Section)>,
) -> Result<()> {
    let meta = meta(ctx);
    let (value, section) = measure(ctx, &meta)?;
    // sync::measure built the release server after dist/: the one file, the app in it.
    let server = bundle::one_file_server(ctx);
    let json = json!({
        "one_file_server_bytes": server,
        "date": meta.date,
        "git_commit": meta.commit,
        "machine": meta.machine,
        key: value,
    });
    write_json(ctx, file, &json)?;
    let doc = ctx.root.join("docs").join("benchmarks.md");
    write_sections(&doc, &[section])?;
    note(&format!("wrote {}", doc.display()));
    Ok(())
}

/// `cargo xtask bench --load-only`: the load test alone.
pub fn run_load(ctx: &Ctx) -> Result<()> {
    run_only(ctx, "load.json", "load", |ctx, meta| {
        let load = load::measure(ctx)?;
        let section = load::section(&load, &meta.date, &meta.commit, &meta.machine);
        Ok((load, section))
    })
}

/// `cargo xtask bench --compress-only`: the photo compression alone.
pub fn run_compress(ctx: &Ctx) -> Result<()> {
    run_only(ctx, "compress.json", "photo_compression", |ctx, meta| {
        let photo = compress::measure(ctx)?;
        let section = compress::section(&photo, &meta.date, &meta.commit, &meta.machine);
        Ok((photo, section))
    })
}

/// `cargo xtask bench --ledger-only`: the list and the map with 5,000 problems alone, against
/// dist/ as it is.
pub fn run_ledger(ctx: &Ctx) -> Result<()> {
    // The server first: its build can be long, and holds no one up.
    sync::build_server(ctx)?;
    // dist/ is read, not built: a build under way in this checkout (which empties dist/) is
    // waited for, and none starts while the pages are measured.
    let _lock = DistLock::acquire(ctx)?;
    check_dist(ctx)?;
    run_only(ctx, "ledger.json", "ledger_5000", |ctx, meta| {
        let ledger = ledger::measure(ctx)?;
        let section = ledger::section(&ledger, &meta.date, &meta.commit, &meta.machine);
        Ok((ledger, section))
    })
}

/// `cargo xtask bench --bundle-only`: the release bundle's sizes alone, against dist/ as it is.
pub fn run_bundle(ctx: &Ctx) -> Result<()> {
    let _lock = DistLock::acquire(ctx)?;
    check_dist(ctx)?;
    run_only(ctx, "bundle.json", "bundle_size", |ctx, meta| {
        let files = measure_bundle(&ctx.root.join("dist"))?;
        let server = bundle::one_file_server(ctx);
        Ok((bundle::json(&files), bundle::section(meta, &files, server)))
    })
}

/// `cargo xtask weight`: what the first screen's wasm is made of.
pub fn run_weight(ctx: &Ctx) -> Result<()> {
    run_only(ctx, "weight.json", "first_screen_weight", |ctx, meta| {
        let weight = weight::measure(ctx)?;
        Ok((
            weight::json(&weight),
            weight::section(&weight, &meta.date, &meta.commit),
        ))
    })
}

/// `json` into `target/bench/<name>`.
fn write_json(ctx: &Ctx, name: &str, json: &Value) -> Result<()> {
    let out_dir = ctx.root.join("target").join("bench");
    std::fs::create_dir_all(&out_dir)?;
    let path = out_dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(json)? + "\n")?;
    note(&format!("wrote {}", path.display()));
    Ok(())
}

fn meta(ctx: &Ctx) -> Meta {
    let capture = |program: &str, args: &[&str]| {
        ctx.capture(ctx.cmd(program).args(args))
            .unwrap_or_else(|| "unknown".into())
    };
    let mut commit = capture("git", &["rev-parse", "--short=12", "HEAD"]);
    if ctx
        .capture(ctx.cmd("git").args([
            "status",
            "--porcelain",
            "--untracked-files=no",
            "--",
            ".",
            ":!docs/benchmarks.md",
        ]))
        .is_some_and(|s| !s.is_empty())
    {
        commit.push_str(" (with uncommitted changes)");
    }
    let wasm_opt_bin = ctx.root.join("node_modules/.bin/wasm-opt");
    let cargo_toml = std::fs::read_to_string(ctx.root.join("Cargo.toml")).unwrap_or_default();
    let release_profile = ["opt-level", "lto", "codegen-units", "panic"]
        .iter()
        .filter_map(|key| {
            tools::toml_value(&cargo_toml, "profile.release", key).map(|v| format!("{key} = {v}"))
        })
        .collect::<Vec<_>>()
        .join(", ");
    let wasm_opt_level = xtask::split::WASM_OPT_LEVEL.to_owned();
    Meta {
        date: utc_now(),
        commit,
        rustc: capture("rustc", &["--version"]),
        trunk: capture("trunk", &["--version"]),
        // "wasm-opt version 132 (version_132)"
        wasm_opt: ctx
            .capture(std::process::Command::new(wasm_opt_bin).arg("--version"))
            .map(|v| v.trim_start_matches("wasm-opt ").to_owned())
            .unwrap_or_else(|| "unknown".into()),
        release_profile: if release_profile.is_empty() {
            "Cargo's defaults".into()
        } else {
            release_profile
        },
        wasm_opt_level,
        machine: machine(),
    }
}

/// e.g. `Intel(R) Xeon(R) … (2 cores)`, from /proc/cpuinfo where there is one.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")?
                .split_once(':')
                .map(|(_, v)| v.trim())
        })
        .unwrap_or("an unknown CPU")
        .to_owned();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{model} ({cores} cores)")
}

/// Now in UTC as `YYYY-MM-DD HH:MM UTC`.
fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

/// Days since 1970-01-01 to (year, month, day), after Howard Hinnant's algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_785), (2026, 11, 28));
    }
}
