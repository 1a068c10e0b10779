//! Fuzzing patrol-core's decoders with cargo-fuzz (libFuzzer): the targets in
//! `crates/core/fuzz/fuzz_targets/` (a stored record, the sync pushes, a ledger file), each
//! for a bounded time. `--sanitizer none`, which needs no nightly compiler: the code is safe
//! Rust, so what libFuzzer finds is a panic or a broken property. The corpus grows in
//! `target/fuzz-corpus/<target>/`, seeded with the tests' fixtures ([`seeds`]); a crash is
//! saved in `crates/core/fuzz/artifacts/<target>/` and the command to replay it is printed.

use std::path::PathBuf;

use anyhow::Result;

use crate::command::{Ctx, note};

/// Pinned, installed with `cargo install --locked` when missing.
pub const CARGO_FUZZ: &str = "0.13.2";
/// Every fuzz target, as named in crates/core/fuzz/Cargo.toml.
pub const TARGETS: [&str; 3] = ["record", "push", "import"];
/// Seconds per target in `cargo xtask test`.
pub const TEST_SECONDS: u32 = 20;

/// Where a target's first inputs come from: the files the tests already read.
fn seeds(ctx: &Ctx, target: &str) -> Vec<PathBuf> {
    let core_fixtures = ctx.root.join("crates/core/tests/fixtures");
    match target {
        "record" => vec![core_fixtures],
        "import" => vec![core_fixtures, ctx.root.join("tests/fixtures")],
        _ => vec![ctx.root.join("crates/core/fuzz/seeds").join(target)],
    }
}

fn ensure(ctx: &Ctx) -> Result<()> {
    let have = ctx.capture(ctx.cmd("cargo").args(["fuzz", "--version"]));
    if have.as_deref() == Some(&format!("cargo-fuzz {CARGO_FUZZ}")) {
        return Ok(());
    }
    note(&format!("installing cargo-fuzz {CARGO_FUZZ}"));
    ctx.run(
        ctx.cargo()
            .args(["install", "cargo-fuzz", "--version", CARGO_FUZZ, "--locked"]),
    )
}

/// Runs every target for `seconds`; fails on the first crash.
pub fn run(ctx: &Ctx, seconds: u32) -> Result<()> {
    ensure(ctx)?;
    let fuzz_dir = ctx.root.join("crates").join("core").join("fuzz");
    let target_dir = ctx.root.join("target").join("fuzz");
    for target in TARGETS {
        let corpus = ctx.root.join("target").join("fuzz-corpus").join(target);
        std::fs::create_dir_all(&corpus)?;
        ctx.run(
            ctx.cargo()
                .current_dir(&fuzz_dir)
                .args(["fuzz", "run", target, "--sanitizer", "none", "--target-dir"])
                .arg(&target_dir)
                .arg(&corpus)
                .args(seeds(ctx, target))
                .arg("--")
                .arg(format!("-max_total_time={seconds}"))
                // One line of progress every few seconds instead of one per new path.
                .arg("-print_final_stats=1")
                .arg("-verbosity=0"),
        )?;
    }
    Ok(())
}
