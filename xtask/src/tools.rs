//! Making sure the tools are there, at the right versions. Each check looks first and installs
//! only what is missing or at another version, so running it again costs a second or two.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::command::{Ctx, mtime, note, secs};
use crate::postgres;

/// The Trunk release that builds with this project's Rust (0.22 needs a newer rustc).
pub const TRUNK_VERSION: &str = "0.21.14";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Debian's `caddy`: the bench's HTTPS + HTTP/2 front, as docs/deploy.md's reverse proxy.
pub const CADDY: &str = "/usr/bin/caddy";
/// The smoke suite's other engines (tests/engines/), each Debian's: the package and a file it
/// installs. WebKitGTK's MiniBrowser comes with libwebkit2gtk-4.1-0, which the driver needs.
const ENGINES: &[(&str, &str)] = &[
    ("firefox-esr", "/usr/bin/firefox-esr"),
    ("webkit2gtk-driver", "/usr/bin/WebKitWebDriver"),
    (
        "webkit2gtk-driver",
        "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
    ),
    ("xvfb", "/usr/bin/xvfb-run"),
    // xvfb-run needs it; Debian only recommends it.
    ("xauth", "/usr/bin/xauth"),
];

/// Tool versions the repository pins: wasm-bindgen from Cargo.lock (Trunk.toml must agree) and
/// wasm-opt from Trunk.toml.
pub struct Pins {
    pub wasm_bindgen: String,
    pub wasm_opt: String,
}

/// Which tools a command needs.
#[derive(Clone, Copy, Default)]
pub struct Needs {
    /// trunk, wasm-bindgen-cli, binaryen's wasm-opt (npm), cargo fetch: for `trunk build`.
    pub dist: bool,
    /// wasm-bindgen-test-runner (comes with wasm-bindgen-cli), Chromium and chromedriver.
    pub wasm_tests: bool,
    /// npm packages (Playwright) and Chromium.
    pub e2e: bool,
    /// Chinese and emoji fonts, for pictures and page loads that show the app as a phone
    /// would (without them Chromium draws the Chinese text as empty boxes).
    pub fonts: bool,
    /// PostgreSQL's initdb and pg_ctl (Debian's `postgresql`), for the throwaway clusters the
    /// tests run on (postgres.rs).
    pub postgres: bool,
    /// Firefox ESR, WebKitGTK's WebKitWebDriver and MiniBrowser, and Xvfb for it: the smoke
    /// suite's engines besides Chromium (tests/engines/).
    pub engines: bool,
    /// Debian's `caddy`, the reverse proxy in front of the server for Lighthouse's loads over
    /// HTTPS + HTTP/2 (xtask/bench/src/caddy.rs) and its test.
    pub caddy: bool,
}

pub fn ensure(ctx: &Ctx, needs: Needs) -> Result<Option<Pins>> {
    let start = Instant::now();
    let mut pins = None;
    if needs.dist || needs.wasm_tests {
        rust_target(ctx)?;
        // Trunk runs cargo offline (Trunk.toml: offline = true), so fetch first; this may also
        // update Cargo.lock, which is read next.
        note("cargo fetch");
        ctx.run(ctx.cargo().arg("fetch").arg("--quiet"))?;
        let p = read_pins(&ctx.root)?;
        wasm_bindgen_cli(ctx, &p.wasm_bindgen)?;
        pins = Some(p);
    }
    if needs.dist {
        trunk(ctx)?;
    }
    if needs.dist || needs.e2e {
        let wasm_opt = match &pins {
            Some(p) => p.wasm_opt.clone(),
            None => read_pins(&ctx.root)?.wasm_opt,
        };
        npm_packages(ctx, &wasm_opt)?;
    }
    if needs.wasm_tests || needs.e2e {
        browsers(ctx)?;
    }
    if needs.engines {
        apt_packages(ctx, "firefox-esr, webkit2gtk-driver, xvfb, xauth", ENGINES)?;
    }
    if needs.fonts {
        apt_packages(ctx, "fonts (CJK, emoji)", FONTS)?;
    }
    if needs.postgres {
        postgresql(ctx)?;
    }
    if needs.caddy {
        caddy(ctx)?;
    }
    note(&format!("tools ready ({})", secs(start)));
    Ok(pins)
}

fn report(tool: &str, what: &str) {
    note(&format!("{tool:<28} {what}"));
}

fn rust_target(ctx: &Ctx) -> Result<()> {
    const TARGET: &str = "wasm32-unknown-unknown";
    let Some(installed) = ctx.capture(ctx.cmd("rustup").args(["target", "list", "--installed"]))
    else {
        report(TARGET, "rustup not found; assuming the target is installed");
        return Ok(());
    };
    if installed.lines().any(|l| l.trim() == TARGET) {
        report(TARGET, "already present");
        return Ok(());
    }
    ctx.run(ctx.cmd("rustup").args(["target", "add", TARGET]))?;
    report(TARGET, "installed");
    Ok(())
}

/// The pinned versions, checked against each other.
pub fn read_pins(root: &Path) -> Result<Pins> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))
        .context("cannot read Cargo.lock (run `cargo generate-lockfile`)")?;
    let locked = lock_versions(&lock, "wasm-bindgen")?;
    let wasm_bindgen = match locked.as_slice() {
        [one] => one.clone(),
        [] => bail!("Cargo.lock has no `wasm-bindgen` package"),
        many => bail!("Cargo.lock has several `wasm-bindgen` versions: {many:?}"),
    };
    let trunk_toml =
        std::fs::read_to_string(root.join("Trunk.toml")).context("cannot read Trunk.toml")?;
    let in_trunk = toml_value(&trunk_toml, "tools", "wasm_bindgen")
        .context("Trunk.toml has no [tools] wasm_bindgen = \"…\"")?;
    if in_trunk != wasm_bindgen {
        bail!(
            "Trunk.toml pins wasm_bindgen = \"{in_trunk}\" but Cargo.lock has wasm-bindgen \
             {wasm_bindgen}: set `wasm_bindgen = \"{wasm_bindgen}\"` under [tools] in Trunk.toml"
        );
    }
    if let Ok(env) = std::env::var("TRUNK_TOOLS_WASM_BINDGEN")
        && env != wasm_bindgen
    {
        bail!(
            "TRUNK_TOOLS_WASM_BINDGEN={env} disagrees with Cargo.lock's wasm-bindgen {wasm_bindgen}"
        );
    }
    let wasm_opt = toml_value(&trunk_toml, "tools", "wasm_opt")
        .context("Trunk.toml has no [tools] wasm_opt = \"version_…\"")?;
    Ok(Pins {
        wasm_bindgen,
        wasm_opt,
    })
}

/// Every version of package `name` in a Cargo.lock.
fn lock_versions(lock: &str, name: &str) -> Result<Vec<String>> {
    let lock: toml::Table = lock.parse().context("Cargo.lock is not TOML")?;
    let packages = lock.get("package").and_then(|p| p.as_array());
    Ok(packages
        .into_iter()
        .flatten()
        .filter(|p| p.get("name").and_then(|n| n.as_str()) == Some(name))
        .filter_map(|p| Some(p.get("version")?.as_str()?.to_owned()))
        .collect())
}

/// The value of `key` in `[section]` (dotted for a nested one: `profile.release`) of a TOML
/// file: a string as it is, anything else as TOML writes it.
pub fn toml_value(text: &str, section: &str, key: &str) -> Option<String> {
    let table: toml::Table = text.parse().ok()?;
    let value = section
        .split('.')
        .try_fold(&table, |t, name| t.get(name)?.as_table())?
        .get(key)?;
    Some(match value {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

fn cargo_install(ctx: &Ctx, tool: &str, args: &[&str]) -> Result<()> {
    let start = Instant::now();
    report(
        tool,
        "installing with cargo install (several minutes on 2 cores)…",
    );
    ctx.run(ctx.cargo().arg("install").args(args))?;
    report(tool, &format!("installed ({})", secs(start)));
    Ok(())
}

fn trunk(ctx: &Ctx) -> Result<()> {
    let want = format!("trunk {TRUNK_VERSION}");
    let have = ctx.capture(ctx.cmd("trunk").arg("--version"));
    if have.as_deref() == Some(want.as_str()) {
        report(&want, "already present");
        return Ok(());
    }
    if let Some(other) = have {
        report("trunk", &format!("found `{other}`, want {TRUNK_VERSION}"));
    }
    cargo_install(
        ctx,
        &want,
        &["trunk", "--version", TRUNK_VERSION, "--locked"],
    )
}

fn wasm_bindgen_cli(ctx: &Ctx, version: &str) -> Result<()> {
    let tool = format!("wasm-bindgen-cli {version}");
    let bindgen = ctx.capture(ctx.cmd("wasm-bindgen").arg("--version"));
    let runner = ctx.capture(ctx.cmd("wasm-bindgen-test-runner").arg("--version"));
    let ok = |out: &Option<String>| {
        out.as_deref()
            .and_then(|o| o.split_whitespace().nth(1))
            .is_some_and(|v| v == version)
    };
    if ok(&bindgen) && ok(&runner) {
        report(&tool, "already present");
        return Ok(());
    }
    if let Some(other) = bindgen {
        report(
            "wasm-bindgen-cli",
            &format!("found `{other}`, want {version}"),
        );
    }
    // No --locked: the crate's own lock file names a version the registry here lacks.
    cargo_install(
        ctx,
        &tool,
        &["wasm-bindgen-cli", "--version", version, "--force"],
    )
}

/// `npm ci` when node_modules is missing or older than package-lock.json / package.json; then
/// checks that binaryen's wasm-opt is the pinned one.
fn npm_packages(ctx: &Ctx, wasm_opt: &str) -> Result<()> {
    let root = &ctx.root;
    let marker = root.join("node_modules").join(".package-lock.json");
    let wasm_opt_bin = root.join("node_modules").join(".bin").join("wasm-opt");
    let installed = mtime(&marker);
    let newest_manifest = [root.join("package-lock.json"), root.join("package.json")]
        .iter()
        .filter_map(|p| mtime(p))
        .max();
    let fresh = match (installed, newest_manifest) {
        (Some(i), Some(m)) => i >= m && wasm_opt_bin.is_file(),
        _ => false,
    };
    if fresh {
        report("npm packages", "already present (node_modules up to date)");
    } else {
        if ctx.which("npm").is_none() {
            bail!("npm not found: install Node 20 with npm (e.g. Debian's nodejs or NodeSource)");
        }
        let start = Instant::now();
        report("npm packages", "npm ci…");
        ctx.run(
            ctx.cmd("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"),
        )?;
        report("npm packages", &format!("installed ({})", secs(start)));
    }
    let version = ctx
        .capture(std::process::Command::new(&wasm_opt_bin).arg("--version"))
        .with_context(|| format!("{} does not run", wasm_opt_bin.display()))?;
    // e.g. "wasm-opt version 132 (version_132)"
    if !version.contains(&format!("({wasm_opt})")) {
        bail!(
            "node_modules/.bin/wasm-opt reports `{version}` but Trunk.toml wants {wasm_opt}: \
             pin the matching `binaryen` in package.json"
        );
    }
    report(&format!("wasm-opt {wasm_opt}"), "from npm package binaryen");
    Ok(())
}

fn browsers(ctx: &Ctx) -> Result<()> {
    let present = Path::new(CHROMIUM).is_file() && Path::new(CHROMEDRIVER).is_file();
    if present {
        // Debian's chromium wrapper script also prints a stray "[: … unexpected operator".
        let version = |p: &str| {
            ctx.capture(ctx.cmd(p).arg("--version"))
                .and_then(|v| {
                    v.lines()
                        .find(|l| l.starts_with("Chromium") || l.starts_with("ChromeDriver"))
                        .map(|l| l.split(" (").next().unwrap_or(l).to_owned())
                })
                .unwrap_or_else(|| "version unknown".into())
        };
        report(
            "chromium",
            &format!("already present ({})", version(CHROMIUM)),
        );
        report(
            "chromedriver",
            &format!("already present ({})", version(CHROMEDRIVER)),
        );
        return Ok(());
    }
    let start = Instant::now();
    report("chromium, chromium-driver", "installing with apt-get…");
    apt_install(ctx, &["chromium", "chromium-driver"])?;
    for p in [CHROMIUM, CHROMEDRIVER] {
        if !Path::new(p).is_file() {
            bail!("{p} is still missing after apt-get install chromium chromium-driver");
        }
    }
    report(
        "chromium, chromium-driver",
        &format!("installed ({})", secs(start)),
    );
    Ok(())
}

/// The Debian font packages the app's text needs, and a file each one installs.
const FONTS: &[(&str, &str)] = &[
    (
        "fonts-noto-cjk",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    ),
    (
        "fonts-noto-color-emoji",
        "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf",
    ),
];

/// The Debian `packages` (package, a file it installs) whose file is missing, installed.
fn apt_packages(ctx: &Ctx, what: &str, packages: &[(&str, &str)]) -> Result<()> {
    let mut missing: Vec<&str> = packages
        .iter()
        .filter(|(_, file)| !Path::new(file).is_file())
        .map(|(package, _)| *package)
        .collect();
    missing.dedup();
    if missing.is_empty() {
        report(what, "already present");
        return Ok(());
    }
    let start = Instant::now();
    report(&missing.join(", "), "installing with apt-get…");
    apt_install(ctx, &missing)?;
    if let Some((package, file)) = packages.iter().find(|(_, f)| !Path::new(f).is_file()) {
        bail!("{file} is still missing after apt-get install {package}");
    }
    report(&missing.join(", "), &format!("installed ({})", secs(start)));
    Ok(())
}

/// Debian's `postgresql` unless an initdb is there already. Only its programs are used: the
/// tests start clusters of their own (postgres.rs), not the package's service.
fn postgresql(ctx: &Ctx) -> Result<()> {
    let version = |bin: &Path| {
        ctx.capture(ctx.cmd(bin.join("initdb")).arg("--version"))
            .unwrap_or_else(|| "version unknown".into())
    };
    if let Some(bin) = postgres::bin_dir(ctx) {
        report(
            "postgresql",
            &format!("already present ({}, {})", version(&bin), bin.display()),
        );
        return Ok(());
    }
    let start = Instant::now();
    report("postgresql", "installing with apt-get…");
    apt_install(ctx, &["postgresql"])?;
    let bin = postgres::bin_dir(ctx)
        .context("initdb is still missing after apt-get install postgresql")?;
    report(
        "postgresql",
        &format!("installed ({}, {})", version(&bin), secs(start)),
    );
    Ok(())
}

/// Debian's `caddy` unless it is there already. Only its program is used: the bench starts
/// one of its own with a temporary configuration, not the package's service.
fn caddy(ctx: &Ctx) -> Result<()> {
    let version = || {
        ctx.capture(ctx.cmd(CADDY).arg("version"))
            .unwrap_or_else(|| "version unknown".into())
    };
    if Path::new(CADDY).is_file() {
        report("caddy", &format!("already present ({})", version()));
        return Ok(());
    }
    let start = Instant::now();
    report("caddy", "installing with apt-get…");
    apt_install(ctx, &["caddy"])?;
    if !Path::new(CADDY).is_file() {
        bail!("{CADDY} is still missing after apt-get install caddy");
    }
    report(
        "caddy",
        &format!("installed ({}, {})", version(), secs(start)),
    );
    Ok(())
}

/// `apt-get update` and `apt-get install` of `packages`, as root or through sudo.
fn apt_install(ctx: &Ctx, packages: &[&str]) -> Result<()> {
    let root_user = ctx.capture(ctx.cmd("id").arg("-u")).as_deref() == Some("0");
    let apt = |args: &[&str]| -> Result<()> {
        let mut cmd = if root_user {
            ctx.cmd("apt-get")
        } else if ctx.which("sudo").is_some() {
            let mut c = ctx.cmd("sudo");
            c.args(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
            c
        } else {
            bail!(
                "{} missing and this is neither root nor has sudo: run `apt-get install {}` as root",
                packages.join(", "),
                packages.join(" ")
            );
        };
        cmd.env("DEBIAN_FRONTEND", "noninteractive").args(args);
        ctx.run(&mut cmd)
    };
    apt(&["update", "-q"])?;
    let mut install = vec!["install", "-y", "-q"];
    install.extend_from_slice(packages);
    apt(&install)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_toml_values() {
        let toml = "[build]\ntarget = \"index.html\" # the shell\n\n[tools]\nwasm_bindgen = \"0.2.130\"\nwasm_opt = \"version_132\"\n[profile.release]\nlto = true\n";
        assert_eq!(
            toml_value(toml, "tools", "wasm_bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(
            toml_value(toml, "tools", "wasm_opt").as_deref(),
            Some("version_132")
        );
        assert_eq!(toml_value(toml, "build", "wasm_opt"), None);
        assert_eq!(
            toml_value(toml, "profile.release", "lto").as_deref(),
            Some("true")
        );
    }
}
