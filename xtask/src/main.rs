//! `cargo xtask <verb>`: build, run, test and benchmark River Patrol.
//!
//! Every verb installs what it needs when it is missing (rustup's wasm32 target, trunk,
//! wasm-bindgen-cli, npm packages with binaryen's wasm-opt, Playwright and Lighthouse,
//! Chromium and chromedriver, Firefox ESR, WebKitGTK's driver and Xvfb, Caddy for the bench),
//! checking versions first, so a second run skips straight to the work. The verbs are here;
//! what they share is the `xtask` library (lib.rs); `bench` and `weight` run bench/.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, CommandFactory, Parser, Subcommand};

use xtask::bundle::{RELEASE_SERVER, build_server};
use xtask::command::{Ctx, DistLock, heading, note, secs, show, step};
use xtask::release::{RELEASE_BUILD, dist, trunk_build, write_precache, write_precache_list};
use xtask::tools::{self, CHROMEDRIVER, Needs};
use xtask::{api_test, fuzz, postgres, split};

/// Build, run, test and benchmark River Patrol. Every verb installs the tools it needs when
/// they are missing; `cargo xtask help <verb>` tells more of each.
#[derive(Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    verb: Option<Verb>,
}

#[derive(Subcommand)]
enum Verb {
    /// Install missing tools, then the release build into dist/: Trunk for the HTML, CSS and
    /// icons, then the wasm, split into the first screen's part and parts loaded on demand
    /// (xtask/src/split.rs)
    Dist,
    /// dist, then the one-file server (the app built into it) in target/release-bundle/ with
    /// SHA256SUMS, INSTALL.txt and RELEASE-NOTES.txt (the oldest glibc it runs on)
    Release,
    /// dist, then serve it and the sync API (default http://127.0.0.1:8080, data in data/)
    Run {
        #[arg(long, default_value_t = 8080)]
        port: u16,
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
    },
    /// Every check, in order, stopping at the first failure:
    ///    1 cargo fmt --check      2 cargo clippy -D warnings
    ///    3 native tests (the server's photo tests on the local folder, then on S3; then
    ///      the server's tests on PostgreSQL with S3)
    ///    4 the decoders fuzzed (cargo-fuzz, 20 s per target)
    ///    5 clippy for the wasm target
    ///    6 wasm tests in headless Chromium
    ///    7 release build (dist/)  8 the one-file server (target/release-bundle/)
    ///    9 API property test (Schemathesis on docs/openapi.yaml)
    ///   10 Playwright tests against the release server
    ///   11 the smoke flows in Chromium, Firefox ESR and WebKitGTK (tests/engines/)
    /// The flags combine; without any, every step runs.
    #[command(verbatim_doc_comment)]
    Test(TestArgs),
    /// dist, then phone-size (360×640) pictures of every screen in both languages into
    /// docs/screenshots/<language>/<screen>.png (screens.spec.ts with RP_SCREENSHOTS=1)
    Screenshots,
    /// (Re)write the service worker's precache list into DIR/sw.js and the brotli/gzip copies
    /// of DIR's text files (every build does this itself)
    Precache {
        /// The build to write into [default: dist/]
        dir: Option<PathBuf>,
        /// The list only (the browser tests' throwaway builds, where the server may as well
        /// compress on the fly)
        #[arg(long)]
        no_copies: bool,
    },
    /// dist, then sizes of every bundle file (raw, gzip, brotli), the time to compress a
    /// 12-megapixel photo in headless Chromium, sync timings against the release server, a
    /// load test (50 devices pushing records and photos for 30 s, every one then counted once;
    /// RP_LOAD_SECONDS), the list and the map with 5,000 problems (start, search, filter, map
    /// opened; CPU 4x slower), the first screen's wasm (as `weight`), Lighthouse mobile (cold
    /// and warm load over HTTPS + HTTP/2 through Caddy, as deployed; a cold load over plain
    /// HTTP/1.1 for comparison), into target/bench/latest.json and docs/benchmarks.md; then
    /// the speed budget (fails while a limit is broken)
    Bench {
        /// The load test alone (no dist needed), into target/bench/load.json and its section
        /// of docs/benchmarks.md
        #[arg(long, conflicts_with = "lighthouse_only")]
        load_only: bool,
        /// The Lighthouse runs alone, against dist/ as it is (no build of it, no budget
        /// check), into target/bench/latest.json and their section of docs/benchmarks.md
        #[arg(long)]
        lighthouse_only: bool,
        /// The photo compression alone (its own `bench` build), into
        /// target/bench/compress.json and its section of docs/benchmarks.md
        #[arg(long, conflicts_with_all = ["load_only", "lighthouse_only"])]
        compress_only: bool,
        /// The list and the map with 5,000 problems alone, against dist/ as it is (no build of
        /// it; the release server is built), into target/bench/ledger.json and its section of
        /// docs/benchmarks.md
        #[arg(long, conflicts_with_all = ["load_only", "lighthouse_only", "compress_only"])]
        ledger_only: bool,
        /// The release bundle's sizes alone (and the first screen against before the map),
        /// against dist/ as it is, into target/bench/bundle.json and its section of
        /// docs/benchmarks.md
        #[arg(long, conflicts_with_all = ["load_only", "lighthouse_only", "compress_only", "ledger_only"])]
        bundle_only: bool,
    },
    /// What the first screen's wasm is made of, by part of the app (a release build with v0
    /// symbol names in target/weight/), into target/bench/weight.json and docs/benchmarks.md
    Weight,
    /// A throwaway PostgreSQL cluster on 127.0.0.1, as the tests start one; prints its URL
    /// (for RP_TEST_DATABASE_URL) and runs until Ctrl-C or the end of input, then is removed
    Postgres,
    /// The decoders fuzzed, SECONDS per target; a crash is kept in crates/core/fuzz/artifacts/
    /// with the command to replay it
    Fuzz {
        #[arg(default_value_t = 300)]
        seconds: u32,
    },
}

#[derive(Args)]
struct TestArgs {
    /// Steps 1-4
    #[arg(long)]
    native_only: bool,
    /// Steps 5-6
    #[arg(long)]
    wasm_only: bool,
    /// Steps 7-11
    #[arg(long)]
    e2e_only: bool,
    /// Steps 7, 8 and 11
    #[arg(long)]
    engines_only: bool,
    /// Given to `npx playwright test` (after `--`)
    #[arg(last = true)]
    playwright_args: Vec<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let start = Instant::now();
    match run(cli) {
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

fn run(cli: Cli) -> Result<()> {
    let ctx = Ctx::new()?;
    let Some(verb) = cli.verb else {
        Cli::command().print_help()?;
        return Ok(());
    };
    match verb {
        Verb::Dist => dist(&ctx),
        Verb::Release => {
            dist(&ctx)?;
            let _lock = DistLock::acquire(&ctx)?;
            step(RELEASE_SERVER, || build_server(&ctx).map(drop))
        }
        Verb::Run { port, host } => serve(&ctx, port, &host),
        Verb::Test(args) => test(&ctx, &args),
        Verb::Bench {
            load_only,
            lighthouse_only,
            compress_only,
            ledger_only,
            bundle_only,
        } => {
            let only = [
                (load_only, "--load-only"),
                (lighthouse_only, "--lighthouse-only"),
                (compress_only, "--compress-only"),
                (ledger_only, "--ledger-only"),
                (bundle_only, "--bundle-only"),
            ];
            let flags = only.iter().filter(|(on, _)| *on).map(|(_, flag)| *flag);
            benchmarks(&ctx, std::iter::once("bench").chain(flags))
        }
        Verb::Weight => benchmarks(&ctx, ["weight"]),
        Verb::Screenshots => screenshots(&ctx),
        Verb::Precache { dir, no_copies } => {
            let dir = dir.unwrap_or_else(|| ctx.root.join("dist"));
            if no_copies {
                write_precache_list(&dir)
            } else {
                write_precache(&dir)
            }
        }
        Verb::Postgres => postgres_by_hand(&ctx),
        Verb::Fuzz { seconds } => step(
            &format!("Fuzz: cargo fuzz run, {seconds} s per target"),
            || fuzz::run(&ctx, seconds),
        ),
    }
}

/// `bench` and `weight`: the `xtask-bench` crate (bench/), in place of this process, so its
/// output and exit status are the verb's own.
fn benchmarks<'a>(ctx: &Ctx, args: impl IntoIterator<Item = &'a str>) -> Result<()> {
    use std::os::unix::process::CommandExt;
    let mut cmd = ctx.cargo();
    cmd.args(["run", "--quiet", "--package", "xtask-bench", "--"])
        .args(args);
    eprintln!("    $ {}", show(&cmd));
    Err(cmd.exec()).context("cannot start cargo")
}

/// The server's test files that store photos, run a second time on S3 by `test`
/// (`server/tests/common/mod.rs` reads `RP_TEST_PHOTO_STORE`).
const SERVER_PHOTO_TESTS: [&str; 5] = ["sync", "access", "instances", "faults", "metrics"];

/// `cargo xtask run [--port N] [--host H]`: the app and the sync API, data in `data/`.
fn serve(ctx: &Ctx, port: u16, host: &str) -> Result<()> {
    let port = port.to_string();
    dist(ctx)?;
    heading(&format!(
        "Serve: river-patrol-server on http://{host}:{port} (Ctrl-C stops it)"
    ));
    ctx.run(
        ctx.cargo()
            .args("run --release -p river-patrol-server --".split(' '))
            .args([
                "--host", host, "--port", &port, "--dist", "dist", "--data", "data",
            ]),
    )
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
    step(RELEASE_SERVER, || build_server(ctx).map(drop))?;
    let out = ctx.root.join("docs/screenshots");
    if out.exists() {
        std::fs::remove_dir_all(&out)?;
    }
    step("Screenshots: every screen, zh-CN and en, 360×640", || {
        ctx.run(
            ctx.cmd("npx")
                .args("--no-install playwright test tests/e2e/screens.spec.ts".split(' '))
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

/// `cargo xtask test [--native-only] [--wasm-only] [--e2e-only] [--engines-only]
/// [-- <playwright args>]`
fn test(ctx: &Ctx, args: &TestArgs) -> Result<()> {
    let TestArgs {
        mut native_only,
        mut wasm_only,
        mut e2e_only,
        engines_only,
        ref playwright_args,
    } = *args;
    if !(native_only || wasm_only || e2e_only || engines_only) {
        (native_only, wasm_only, e2e_only) = (true, true, true);
    }
    let (native, wasm, e2e) = (native_only, wasm_only, e2e_only);
    // The engines' smoke suite runs with the e2e steps or alone; it needs the release build and
    // server as Playwright does.
    let engines = e2e || engines_only;

    // How much room the builds have, for a run that ends without a word when the disk is full.
    let _ = ctx.run(ctx.cmd("df").args(["-h", "."]));
    step("Tools", || {
        tools::ensure(
            ctx,
            Needs {
                dist: engines,
                wasm_tests: wasm,
                e2e: engines,
                engines,
                fonts: false,
                postgres: native,
                // The bench's HTTPS front is tested with the rest (xtask/bench/src/caddy.rs).
                caddy: native,
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
                ctx.run(
                    ctx.cargo()
                        .args("clippy --workspace --all-targets -- -D warnings".split(' ')),
                )
            }),
        ));
        steps.push((
            "Native tests: cargo test --workspace, then the server's photo tests on S3 (RP_TEST_PHOTO_STORE=s3), then the server's tests on PostgreSQL with S3",
            Box::new(|| {
                ctx.run(ctx.cargo().args(["test", "--workspace"]))?;
                // The same tests again with the photos in a bucket of an S3-compatible server
                // (s3s-fs, in the test process) instead of the local folder: the test binaries
                // are built already, so this costs only their run.
                // Selecting test targets resolves features apart from the whole workspace
                // (`-p` did too): some 100 crates build again. Core's `sync` and `dispatch` run
                // along.
                note("the server's photo tests again, on S3 (RP_TEST_PHOTO_STORE=s3):");
                ctx.run(
                    ctx.cargo()
                        .args(["test", "--workspace"])
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
                let server_tests = std::fs::read_dir(ctx.root.join("server/tests"))?
                    .filter_map(|e| Some(e.ok()?.path().file_stem()?.to_str()?.to_owned()))
                    .filter(|name| name != "common");
                ctx.run(
                    ctx.cargo()
                        .args(["test", "--workspace"])
                        .args(server_tests.flat_map(|t| ["--test".to_owned(), t]))
                        // One test at a time: a pull answers a change only once every older
                        // write transaction in the whole cluster has ended (server/src/
                        // db/changes.rs), so tests writing at once in one cluster would see each
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
                        .args("clippy -p river-patrol --all-targets".split(' '))
                        .args(["--target", "wasm32-unknown-unknown", "--", "-D", "warnings"])
                        .env(split::WASM_RUSTFLAGS_VAR, split::WASM_RUSTFLAGS),
                )
            }),
        ));
        steps.push((
            "Wasm tests in headless Chromium: cargo test -p river-patrol --target wasm32-unknown-unknown --tests",
            Box::new(|| {
                ctx.run(
                    ctx.cargo()
                        .args("test -p river-patrol --target wasm32-unknown-unknown --tests".split(' '))
                        .env("CHROMEDRIVER", CHROMEDRIVER),
                )
            }),
        ));
    }
    let first_e2e_step = steps.len();
    if engines {
        steps.push((RELEASE_BUILD, Box::new(|| trunk_build(ctx))));
        steps.push((RELEASE_SERVER, Box::new(|| build_server(ctx).map(drop))));
    }
    if e2e {
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
    if engines {
        steps.push((
            "Smoke flows in Chromium, Firefox ESR and WebKitGTK: node --test tests/engines/ (ports 8300-8320)",
            Box::new(|| {
                ctx.run(
                    ctx.cmd("node")
                        .args("--test --test-reporter=spec tests/engines/smoke.test.mjs".split(' ')),
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
