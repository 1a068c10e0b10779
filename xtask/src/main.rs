//! `cargo xtask <verb>`: build, run, test and benchmark River Patrol.
//!
//! Every verb installs what it needs when it is missing (rustup's wasm32 target, trunk,
//! wasm-bindgen-cli, npm packages with binaryen's wasm-opt and Playwright, Chromium and
//! chromedriver), checking versions first, so a second run skips straight to the work.

mod api_test;
mod bench;
mod budget;
mod compress;
mod fuzz;
mod https_front;
mod ledger_bench;
mod lighthouse;
mod load_bench;
mod postgres;
mod precache;
mod precompress;
mod split;
mod sync_bench;
mod tools;
mod util;
mod weight;

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use tools::{CHROMEDRIVER, Needs};
use util::{Ctx, DistLock, heading, note, secs, step};

const USAGE: &str = "\
usage: cargo xtask <verb> [options]

verbs:
  dist                 install missing tools, then the release build into dist/: Trunk
                       for the HTML, CSS and icons, then the wasm, split into the first
                       screen's part and parts loaded on demand (xtask/src/split.rs)
  run [--port N] [--host H]
                       dist, then serve it and the sync API with the reference
                       server (default http://127.0.0.1:8080, data in data/)
  test [--native-only] [--wasm-only] [--e2e-only] [-- <playwright args>]
                       every check, in order, stopping at the first failure:
                         1 cargo fmt --check      2 cargo clippy -D warnings
                         3 native tests (the server's photo tests on the
                           local folder, then on S3; then the server's tests
                           on PostgreSQL with S3)
                         4 the decoders fuzzed (cargo-fuzz, 20 s per target)
                         5 clippy for the wasm target
                         6 wasm tests in headless Chromium
                         7 release build (dist/)  8 release server build
                         9 API property test (Schemathesis on docs/openapi.yaml)
                        10 Playwright tests against the release server
                       --native-only: steps 1-4; --wasm-only: steps 5-6; --e2e-only: steps 7-10
                       (flags combine); args after `--` go to `npx playwright test`
  screenshots          dist, then phone-size (360×640) pictures of every screen in both
                       languages into docs/screenshots/<language>/<screen>.png
                       (tests/e2e/screens.spec.ts with RP_SCREENSHOTS=1)
  precache [DIR] [--no-copies]
                       (re)write the service worker's precache list into DIR/sw.js and
                       the brotli/gzip copies of DIR's text files (default dist/;
                       every build does this itself); --no-copies: the list only
  bench [--load-only | --lighthouse-only]
                       dist, then sizes of every bundle file (raw, gzip, brotli), the
                       time to compress a 12-megapixel photo in headless Chromium, sync
                       timings against the release server, a load test (50 devices
                       pushing records and photos for 30 s, every one then counted
                       once; RP_LOAD_SECONDS), the list with 5,000 problems (start,
                       search, filter; CPU 4x slower), what the first screen's wasm
                       is made of (as `weight`), and Lighthouse mobile runs (cold and
                       warm load over HTTPS + HTTP/2 through a local TLS front, as
                       deployed; a cold load over plain HTTP/1.1 for comparison), into
                       target/bench/latest.json and docs/benchmarks.md; then the
                       speed budget (fails while a limit is broken)
                       --load-only: the load test alone (no dist needed), into
                       target/bench/load.json and its section of docs/benchmarks.md
                       --lighthouse-only: the Lighthouse runs alone, against dist/ as
                       it is (no build of it, no budget check), into
                       target/bench/latest.json and their section of docs/benchmarks.md
  weight               what the first screen's wasm is made of, by part of the app
                       (a release build with v0 symbol names in target/weight/),
                       into target/bench/weight.json and docs/benchmarks.md
  postgres             a throwaway PostgreSQL cluster on 127.0.0.1, as the tests start
                       one; prints its URL (for RP_TEST_DATABASE_URL) and runs
                       until Ctrl-C or the end of input, then is removed
  fuzz [SECONDS]       the decoders fuzzed, SECONDS per target (default 300); a crash is
                       kept in crates/core/fuzz/artifacts/ with the command to replay it
  help                 this text";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let start = Instant::now();
    match run(&args) {
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

fn run(args: &[String]) -> Result<()> {
    let ctx = Ctx::new()?;
    let (verb, rest) = match args.split_first() {
        Some((v, r)) => (v.as_str(), r),
        None => ("help", &[][..]),
    };
    match verb {
        "dist" => {
            no_args(rest)?;
            dist(&ctx)
        }
        "run" => serve(&ctx, rest),
        "test" => test(&ctx, rest),
        "bench" if rest.first().is_some_and(|a| a == "--load-only") => {
            no_args(&rest[1..])?;
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
                || bench::run_load(&ctx),
            )
        }
        "bench" if rest.first().is_some_and(|a| a == "--lighthouse-only") => {
            no_args(&rest[1..])?;
            check_dist(&ctx)?;
            step(
                "Tools for Lighthouse (Chromium; the fonts a phone has)",
                || {
                    tools::ensure(
                        &ctx,
                        Needs {
                            e2e: true,
                            fonts: true,
                            ..Needs::default()
                        },
                    )
                },
            )?;
            step(LIGHTHOUSE_STEP, || {
                lighthouse::run(&ctx, &ctx.root.join("dist"))
            })
        }
        "bench" => {
            no_args(rest)?;
            step(
                "Tools for the benchmarks (Chromium; the fonts a phone has, for Lighthouse; PostgreSQL)",
                || {
                    tools::ensure(
                        &ctx,
                        Needs {
                            e2e: true,
                            fonts: true,
                            postgres: true,
                            ..Needs::default()
                        },
                    )
                },
            )?;
            dist(&ctx)?;
            step(
                "Bench: bundle sizes, photo compression, sync, load test, 5,000-problem ledger",
                || bench::run(&ctx, &ctx.root.join("dist")),
            )?;
            step(LIGHTHOUSE_STEP, || {
                lighthouse::run(&ctx, &ctx.root.join("dist"))
            })?;
            step("Bench: the speed budget", || check_budget(&ctx))
        }
        "weight" => {
            no_args(rest)?;
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
                bench::run_weight(&ctx)
            })
        }
        "screenshots" => {
            no_args(rest)?;
            screenshots(&ctx)
        }
        "precache" => {
            // --no-copies: the list only (the browser tests' throwaway builds, where the
            // server may as well compress on the fly).
            let copies = !rest.iter().any(|a| a == "--no-copies");
            let args: Vec<&String> = rest.iter().filter(|a| *a != "--no-copies").collect();
            let dir = match args[..] {
                [] => ctx.root.join("dist"),
                [dir] => std::path::PathBuf::from(dir),
                [_, extra, ..] => bail!("unexpected argument `{extra}`\n\n{USAGE}"),
            };
            if copies {
                write_precache(&dir)
            } else {
                write_precache_list(&dir)
            }
        }
        "postgres" => {
            no_args(rest)?;
            postgres_by_hand(&ctx)
        }
        "fuzz" => {
            let seconds = match rest {
                [] => 300,
                [s] => s
                    .parse()
                    .with_context(|| format!("`{s}` is not a number of seconds"))?,
                [_, extra, ..] => bail!("unexpected argument `{extra}`\n\n{USAGE}"),
            };
            step(
                &format!("Fuzz: cargo fuzz run, {seconds} s per target"),
                || fuzz::run(&ctx, seconds),
            )
        }
        "help" | "-h" | "--help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown verb `{other}`\n\n{USAGE}"),
    }
}

fn no_args(rest: &[String]) -> Result<()> {
    match rest.first() {
        Some(a) => bail!("unexpected argument `{a}`\n\n{USAGE}"),
        None => Ok(()),
    }
}

/// Tools, then the release build into dist/.
fn dist(ctx: &Ctx) -> Result<()> {
    step("Tools for the release build", || {
        tools::ensure(
            ctx,
            Needs {
                dist: true,
                ..Needs::default()
            },
        )
    })?;
    build_dist(ctx)
}

fn build_dist(ctx: &Ctx) -> Result<()> {
    let _lock = DistLock::acquire(ctx)?;
    step(RELEASE_BUILD, || trunk_build(ctx))
}

/// The server's test files that store photos, run a second time on S3 by `test`
/// (`server/tests/common/mod.rs` reads `RP_TEST_PHOTO_STORE`).
const SERVER_PHOTO_TESTS: [&str; 5] = ["sync", "access", "instances", "faults", "metrics"];

/// The bench's Lighthouse step.
const LIGHTHOUSE_STEP: &str = "Bench: Lighthouse mobile, cold and warm (service worker) load \
over HTTPS + HTTP/2, and cold over plain HTTP/1.1";

/// The step that builds dist/.
const RELEASE_BUILD: &str = "Release build: trunk build --release, then the split wasm -> dist/";

fn trunk_build(ctx: &Ctx) -> Result<()> {
    release_build(ctx, &ctx.root.join("dist"), &[])?;
    check_dist(ctx)?;
    write_precache(&ctx.root.join("dist"))
}

/// The app into `dist`: Trunk for index.html, the CSS and the icons, then the wasm with
/// `features`, split (split.rs). The precache list is the caller's.
fn release_build(ctx: &Ctx, dist: &std::path::Path, features: &[&str]) -> Result<()> {
    ctx.run(
        ctx.cmd("trunk")
            .args(["build", "--release", "--dist"])
            .arg(dist),
    )?;
    split::build(ctx, dist, features)?;
    Ok(())
}

/// The service worker's list of files to download, with the build version (precache.rs),
/// then the pre-compressed copies of the text files (precompress.rs): last, as sw.js has
/// just changed.
fn write_precache(dist: &std::path::Path) -> Result<()> {
    write_precache_list(dist)?;
    let count = precompress::write(dist)?;
    note(&format!(
        "{}: brotli (quality 11) and gzip copies of {count} files",
        dist.display()
    ));
    Ok(())
}

/// dist/ has index.html, a hashed .wasm and a hashed .js; lists the files.
fn check_dist(ctx: &Ctx) -> Result<()> {
    let dist = ctx.root.join("dist");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&dist).with_context(|| format!("no {}", dist.display()))? {
        let entry = entry?;
        let len = entry.metadata()?.len();
        let name = entry.file_name().to_string_lossy().into_owned();
        note(&format!("dist/{name:<44} {len:>9} bytes"));
        names.push(name);
    }
    let hashed = |ext: &str| {
        names.iter().any(|n| {
            n.ends_with(ext)
                && n.split_once('.')
                    .and_then(|(stem, _)| stem.trim_end_matches("_bg").rsplit_once('-'))
                    .is_some_and(|(_, h)| util::is_trunk_hash(h))
        })
    };
    if !names.iter().any(|n| n == "index.html") || !hashed(".wasm") || !hashed(".js") {
        bail!("dist/ lacks index.html or a hashed .wasm or .js: did Trunk build the app?");
    }
    Ok(())
}

/// `cargo xtask run [--port N] [--host H]`: the app and the sync API, with the database and
/// photos in `data/` (create a token with `river-patrol-server token create`, see README).
fn serve(ctx: &Ctx, rest: &[String]) -> Result<()> {
    let mut port = "8080".to_owned();
    let mut host = "127.0.0.1".to_owned();
    let mut it = rest.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f, Some(v.to_owned())),
            None => (arg.as_str(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .with_context(|| format!("{flag} needs a value"))
        };
        match flag {
            "--port" => port = value()?,
            "--host" => host = value()?,
            other => bail!("unknown option `{other}` for run\n\n{USAGE}"),
        }
    }
    port.parse::<u16>()
        .with_context(|| format!("bad port `{port}`"))?;
    dist(ctx)?;
    heading(&format!(
        "Serve: river-patrol-server on http://{host}:{port} (Ctrl-C stops it)"
    ));
    ctx.run(ctx.cargo().args([
        "run",
        "--release",
        "-p",
        "river-patrol-server",
        "--",
        "--host",
        &host,
        "--port",
        &port,
        "--dist",
        "dist",
        "--data",
        "data",
    ]))
}

/// Writes the budget section from target/bench/latest.json; fails while a limit is broken.
fn check_budget(ctx: &Ctx) -> Result<()> {
    let latest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
        ctx.root.join("target/bench/latest.json"),
    )?)?;
    let text = |k: &str| latest[k].as_str().unwrap_or("?").to_owned();
    let (section, broken) = budget::section(&latest, &text("date"), &text("git_commit"));
    bench::write_sections(&ctx.root.join("docs/benchmarks.md"), &[section])?;
    budget::enforce(&broken)
}

/// The service worker's precache list alone.
fn write_precache_list(dist: &std::path::Path) -> Result<()> {
    let list = precache::write(dist)?;
    note(&format!(
        "{}/{}: build {}, {} files precached",
        dist.display(),
        precache::SW,
        list.version,
        list.files.len()
    ));
    Ok(())
}

/// `cargo xtask screenshots`: the release app and server, then the screens spec's axe pass,
/// which writes a picture of every screen when RP_SCREENSHOTS is set.
fn screenshots(ctx: &Ctx) -> Result<()> {
    step("Tools", || {
        tools::ensure(
            ctx,
            Needs {
                dist: true,
                e2e: true,
                fonts: true,
                ..Needs::default()
            },
        )
    })?;
    let _lock = DistLock::acquire(ctx)?;
    step(RELEASE_BUILD, || trunk_build(ctx))?;
    step(
        "Release server: cargo build --release -p river-patrol-server",
        || {
            ctx.run(
                ctx.cargo()
                    .args(["build", "--release", "-p", "river-patrol-server"]),
            )
        },
    )?;
    let out = ctx.root.join("docs/screenshots");
    if out.exists() {
        std::fs::remove_dir_all(&out)?;
    }
    step("Screenshots: every screen, zh-CN and en, 360×640", || {
        ctx.run(
            ctx.cmd("npx")
                .args([
                    "--no-install",
                    "playwright",
                    "test",
                    "tests/e2e/screens.spec.ts",
                ])
                .args(["-g", "every screen"])
                .env("RP_SCREENSHOTS", "1"),
        )
    })?;
    note(&format!("written to {}", out.display()));
    Ok(())
}

/// `cargo xtask postgres`: a cluster as the tests get one, to run the server's tests on by hand.
fn postgres_by_hand(ctx: &Ctx) -> Result<()> {
    step("Tools", || {
        tools::ensure(
            ctx,
            Needs {
                postgres: true,
                ..Needs::default()
            },
        )
    })?;
    heading("PostgreSQL: a throwaway cluster on 127.0.0.1");
    let cluster = postgres::TempCluster::start(ctx)?;
    println!("{}", cluster.url());
    println!("export RP_TEST_DATABASE_URL={}", cluster.url());
    note("Ctrl-C (or the end of input) stops it and removes its folder");
    cluster.wait_for_stop();
    Ok(())
}

/// `cargo xtask test [--native-only] [--wasm-only] [--e2e-only] [-- <playwright args>]`
fn test(ctx: &Ctx, rest: &[String]) -> Result<()> {
    let (flags, playwright_args) = match rest.iter().position(|a| a == "--") {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    let (mut native, mut wasm, mut e2e) = (false, false, false);
    for flag in flags {
        match flag.as_str() {
            "--native-only" => native = true,
            "--wasm-only" => wasm = true,
            "--e2e-only" => e2e = true,
            other => bail!("unknown option `{other}` for test\n\n{USAGE}"),
        }
    }
    if !(native || wasm || e2e) {
        (native, wasm, e2e) = (true, true, true);
    }

    step("Tools", || {
        tools::ensure(
            ctx,
            Needs {
                dist: e2e,
                wasm_tests: wasm,
                e2e,
                fonts: false,
                postgres: native,
            },
        )
    })?;

    type Step<'a> = (&'static str, Box<dyn Fn() -> Result<()> + 'a>);
    let mut steps: Vec<Step> = Vec::new();
    if native {
        steps.push((
            "Format: cargo fmt --all -- --check",
            Box::new(|| ctx.run(ctx.cargo().args(["fmt", "--all", "--", "--check"]))),
        ));
        steps.push((
            "Lint: cargo clippy --workspace --all-targets -- -D warnings",
            Box::new(|| {
                ctx.run(ctx.cargo().args([
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ]))
            }),
        ));
        steps.push((
            "Native tests: cargo test --workspace, then the server's photo tests on S3 (RP_TEST_PHOTO_STORE=s3), then the server's tests on PostgreSQL with S3",
            Box::new(|| {
                ctx.run(ctx.cargo().args(["test", "--workspace"]))?;
                // The same tests again with the photos in a bucket of an S3-compatible server
                // (s3s-fs, in the test process) instead of the local folder: the test binaries
                // are built already, so this costs only their run.
                note("the server's photo tests again, on S3 (RP_TEST_PHOTO_STORE=s3):");
                ctx.run(
                    ctx.cargo()
                        .args(["test", "-p", "river-patrol-server"])
                        .args(SERVER_PHOTO_TESTS.iter().flat_map(|t| ["--test", t]))
                        .env("RP_TEST_PHOTO_STORE", "s3"),
                )?;
                // Then every server test on PostgreSQL, with the photos on S3 too: the scaled
                // deployment. Each test server makes a database of its own in this cluster.
                note(
                    "the server's tests again, on PostgreSQL with the photos on S3 \
                     (RP_TEST_DATABASE_URL, RP_TEST_PHOTO_STORE=s3):",
                );
                let cluster = postgres::TempCluster::start(ctx)?;
                ctx.run(
                    ctx.cargo()
                        .args(["test", "-p", "river-patrol-server", "--tests"])
                        // One test at a time: a pull answers a change only once every older
                        // write transaction in the whole cluster has ended (server/src/
                        // changes.rs), so tests writing at once in one cluster would see each
                        // other's writes hold back their pulls. Alone, a test's push is pulled
                        // at once, as on a server of its own.
                        .args(["--", "--test-threads=1"])
                        .env("RP_TEST_DATABASE_URL", cluster.url())
                        .env("RP_TEST_PHOTO_STORE", "s3"),
                )
                // `cluster` is stopped and removed here, whether the tests passed or not.
            }),
        ));
        steps.push((
            "Fuzz the decoders: cargo fuzz run record, push, import (20 s each)",
            Box::new(|| fuzz::run(ctx, fuzz::TEST_SECONDS)),
        ));
    }
    if wasm {
        // The native pass above never sees code compiled only for the browser; with
        // `--cfg rp_split`, as the release build compiles it (split.rs).
        steps.push((
            "Lint wasm: cargo clippy -p river-patrol --target wasm32-unknown-unknown --all-targets -- -D warnings (--cfg rp_split)",
            Box::new(|| {
                ctx.run(
                    ctx.cargo()
                        .args([
                            "clippy",
                            "-p",
                            "river-patrol",
                            "--target",
                            "wasm32-unknown-unknown",
                            "--all-targets",
                            "--",
                            "-D",
                            "warnings",
                        ])
                        .env(split::WASM_RUSTFLAGS_VAR, split::WASM_RUSTFLAGS),
                )
            }),
        ));
        steps.push((
            "Wasm tests in headless Chromium: cargo test -p river-patrol --target wasm32-unknown-unknown --tests",
            Box::new(|| {
                ctx.run(
                    ctx.cargo()
                        .args([
                            "test",
                            "-p",
                            "river-patrol",
                            "--target",
                            "wasm32-unknown-unknown",
                            "--tests",
                        ])
                        .env("CHROMEDRIVER", CHROMEDRIVER),
                )
            }),
        ));
    }
    let first_e2e_step = steps.len();
    if e2e {
        steps.push((RELEASE_BUILD, Box::new(|| trunk_build(ctx))));
        steps.push((
            "Release server: cargo build --release -p river-patrol-server",
            Box::new(|| {
                ctx.run(
                    ctx.cargo()
                        .args(["build", "--release", "-p", "river-patrol-server"]),
                )
            }),
        ));
        steps.push((
            "API property test: schemathesis on docs/openapi.yaml against the release server",
            Box::new(|| api_test::run(ctx, &ctx.root.join("dist"))),
        ));
        steps.push((
            "Browser tests: npx playwright test (release server on 127.0.0.1:8091)",
            Box::new(move || {
                ctx.run(
                    ctx.cmd("npx")
                        .args(["--no-install", "playwright", "test"])
                        .args(playwright_args),
                )
            }),
        ));
    }

    let total = steps.len();
    let mut times = Vec::new();
    let mut lock = None;
    for (i, (title, f)) in steps.iter().enumerate() {
        if i == first_e2e_step {
            // dist/ and port 8091 are shared by every checkout user: one e2e run at a time.
            lock = Some(DistLock::acquire(ctx)?);
        }
        let start = Instant::now();
        step(&format!("[{}/{total}] {title}", i + 1), f)?;
        times.push((*title, secs(start)));
    }
    drop(lock);
    heading("Summary: every step passed");
    for (title, t) in times {
        note(&format!("{t:>9}  {title}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::SERVER_PHOTO_TESTS;

    /// A new server test file that stores photos is run on S3 too, once listed here.
    #[test]
    fn every_server_test_file_that_stores_photos_runs_on_s3() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../server/tests");
        let mut storing: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .filter(|p| {
                let text = std::fs::read_to_string(p).unwrap();
                text.contains(".put_photo(") || text.contains(".stored_photos(")
            })
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        storing.sort();
        let mut listed: Vec<String> = SERVER_PHOTO_TESTS.iter().map(|t| t.to_string()).collect();
        listed.sort();
        assert_eq!(storing, listed);
    }
}
