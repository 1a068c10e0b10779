//! `cargo xtask bench`, part five: a bounded load test. 50 simulated phones of 5 villages sync
//! at once against the release server for a fixed time (30 s, `RP_LOAD_SECONDS`), each
//! uploading photos and pushing batches of records, some of both sent twice as after a lost
//! answer; then everything sent must be on the server exactly once. xtask/bench/load.mjs
//! does the measuring and the counting, on a fresh temporary data folder.
//!
//! Three times, the same load: on SQLite (the default), on PostgreSQL with one server
//! instance, and on PostgreSQL with two instances sharing the database and the photo folder
//! (the devices spread over them). Each PostgreSQL run gets a fresh cluster with PostgreSQL's
//! durable settings (postgres.rs).

use anyhow::Result;
use serde_json::{Value, json};

use crate::section::Section;
use xtask::command::{Ctx, note};

/// One way of running the server under the load.
struct Setup {
    /// Its key in the figures.
    key: &'static str,
    /// Its row in the comparison table.
    title: &'static str,
    postgres: bool,
    instances: u32,
}

const SETUPS: [Setup; 3] = [
    Setup {
        key: "sqlite",
        title: "SQLite, one instance",
        postgres: false,
        instances: 1,
    },
    Setup {
        key: "postgres",
        title: "PostgreSQL, one instance",
        postgres: true,
        instances: 1,
    },
    Setup {
        key: "postgres_two_instances",
        title: "PostgreSQL, two instances",
        postgres: true,
        instances: 2,
    },
];

/// Builds the release server, runs the load test on each [`SETUPS`], and returns the figures
/// for latest.json, by setup. Fails when a request failed or a record or photo is missing or
/// stored twice.
pub fn measure(ctx: &Ctx) -> Result<Value> {
    ctx.run(
        ctx.cargo()
            .args(["build", "--release", "-p", "river-patrol-server"]),
    )?;
    let server = xtask::server::target_dir(ctx)
        .join("release")
        .join("river-patrol-server");
    let mut figures = serde_json::Map::new();
    for setup in &SETUPS {
        note(&format!("load test: {}", setup.title));
        let cluster = if setup.postgres {
            Some(xtask::postgres::TempCluster::start_as_deployed(ctx)?)
        } else {
            None
        };
        let mut envs = vec![("RP_LOAD_INSTANCES", setup.instances.to_string())];
        if let Some(cluster) = &cluster {
            // A fresh cluster: its maintenance database is empty.
            envs.push((
                "RP_LOAD_DATABASE_URL",
                format!("{}/postgres", cluster.url()),
            ));
        }
        let result = crate::node::node_json_with(ctx, "load.mjs", &[server.as_os_str()], &envs)?;
        drop(cluster);
        report(&result);
        figures.insert(setup.key.to_owned(), result);
    }
    Ok(Value::Object(figures))
}

fn report(result: &Value) {
    note(&format!(
        "{} devices for {:.0} s: {} records and {} photos, each stored once; {:.0} records/s; \
push p50 {:.0} ms p99 {:.0} ms, photo upload p50 {:.0} ms p99 {:.0} ms",
        int(&result["devices"]),
        num(&result["seconds"]),
        int(&result["records"]["stored"]),
        int(&result["photos"]["files"]),
        num(&result["records"]["per_second"]),
        num(&result["push_latency"]["p50_ms"]),
        num(&result["push_latency"]["p99_ms"]),
        num(&result["photo_latency"]["p50_ms"]),
        num(&result["photo_latency"]["p99_ms"]),
    ));
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

/// A number rounded to a whole one, thousands separated by commas as in the sections' prose.
fn int(v: &Value) -> String {
    let Some(n) = v
        .as_u64()
        .or_else(|| v.as_f64().filter(|f| *f >= 0.0).map(|f| f.round() as u64))
    else {
        return "?".into();
    };
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `p50 / p99 / max` of one kind of request.
fn latencies(v: &Value) -> String {
    format!(
        "{} / {} / {} ms",
        int(&v["p50_ms"]),
        int(&v["p99_ms"]),
        int(&v["max_ms"])
    )
}

/// The docs/benchmarks.md section for a [`measure`] result.
pub fn section(figures: &Value, date: &str, commit: &str, machine: &str) -> Section {
    let result = &figures["sqlite"];
    let records = &result["records"];
    let photos = &result["photos"];
    let requests = &result["requests"];
    let mut md = format!(
        "## Load test: {} devices at once\n\n",
        int(&result["devices"])
    );
    md.push_str(&format!(
        "Measured {date} at commit `{commit}` on {machine}: the release server and the \
simulated devices (one Node {} process) on the same machine over loopback.\n\n",
        result["node"].as_str().unwrap_or("")
    ));
    md.push_str("| what | figure |\n|---|---:|\n");
    md.push_str(&format!(
        "| devices (villages, one token each) | {} ({}) |\n",
        int(&result["devices"]),
        int(&result["villages"])
    ));
    md.push_str(&format!(
        "| duration (devices syncing at once) | {:.1} s |\n",
        num(&result["seconds"])
    ));
    md.push_str(&format!(
        "| records sent / stored / stored twice | {} / **{}** / **{}** |\n",
        int(&records["sent"]),
        int(&records["stored"]),
        int(&records["duplicates"])
    ));
    md.push_str(&format!(
        "| batches of {} sent twice (a lost answer retried) | {}, every record \"unchanged\" |\n",
        int(&result["batch"]),
        int(&records["resent_batches"])
    ));
    md.push_str(&format!(
        "| photos sent / stored ({} MB) | {} / **{}** ({} sent twice) |\n",
        int(&json!(num(&photos["bytes"]) / 1e6)),
        int(&photos["sent"]),
        int(&photos["files"]),
        int(&photos["resent"])
    ));
    md.push_str(&format!(
        "| throughput | **{} records/s**, {:.1} photos/s, {} requests/s |\n",
        int(&records["per_second"]),
        num(&photos["per_second"]),
        int(&requests["per_second"])
    ));
    md.push_str(&format!(
        "| push of {} records ({} pushes): p50 / p99 / max | **{}** |\n",
        int(&result["batch"]),
        int(&result["push_latency"]["count"]),
        latencies(&result["push_latency"])
    ));
    md.push_str(&format!(
        "| photo upload ({} uploads): p50 / p99 / max | **{}** |\n",
        int(&result["photo_latency"]["count"]),
        latencies(&result["photo_latency"])
    ));
    md.push_str(&format!(
        "| errors (an answer not 2xx or not the expected outcome) | {} |\n\n",
        int(&result["errors"])
    ));
    md.push_str(&format!(
        "How it was measured: `cargo xtask bench` (or `cargo xtask bench --load-only`) builds the \
release server and runs `xtask/bench/load.mjs`. It starts the server on a fresh temporary data \
folder (SQLite in WAL mode, photos on disk), makes a token for each of {villages} villages and \
one for the township office with the server's admin command, and starts {devices} simulated \
devices at once, spread over the villages, for {planned:.0} s (`RP_LOAD_SECONDS`). Each device \
loops: upload a new photo (150 to 400 KB of random bytes behind a JPEG signature, with its \
SHA-256), then push a batch of {batch} new records of its village, the first showing that \
photo; every {resend}th photo and batch goes a second time straight after the first, as a \
phone sends again when the answer was lost. Every answer must be 2xx and the expected one \
(201 then 200 \"already held\" for photos; \"accepted\" with no photo missing, then \
\"unchanged\" for records). Latency is from sending a request to having read its whole \
answer, over keep-alive connections; the devices run in one Node process on the same {cores} \
as the server, so it includes their own waiting. Throughput counts distinct records and \
photos over the whole run, requests with the resends. Then the office's token pulls every \
record in pages of 1,000 ({check:.1} s with the photo check): each record sent must come back \
once, none other, with its photo; the photo folder must hold exactly the photos sent, each its \
size, and the server must answer each with its SHA-256. Otherwise the benchmark fails. The \
server is built with the workspace's release profile (tuned for the wasm bundle's size); \
`server/tests/load.rs`, in the section above, measures the server alone at opt-level 3.\n",
        villages = int(&result["villages"]),
        devices = int(&result["devices"]),
        planned = num(&result["planned_seconds"]),
        batch = int(&result["batch"]),
        resend = int(&result["resend_every"]),
        cores = cores(machine),
        check = num(&result["check_seconds"]),
    ));
    md.push_str(&setups_table(figures));
    Section {
        id: "load",
        markdown: md,
    }
}

/// The same load on each setup, side by side.
fn setups_table(figures: &Value) -> String {
    let mut md = String::from(
        "\n### SQLite, PostgreSQL, and two instances\n\n\
| setup | records/s | push: p50 / p99 / max | photo upload: p50 / p99 / max | records stored / twice | photos stored | errors |\n\
|---|---:|---:|---:|---:|---:|---:|\n",
    );
    for setup in &SETUPS {
        let r = &figures[setup.key];
        md.push_str(&format!(
            "| {} | **{}** | **{}** | {} | {} / {} | {} | {} |\n",
            setup.title,
            int(&r["records"]["per_second"]),
            latencies(&r["push_latency"]),
            latencies(&r["photo_latency"]),
            int(&r["records"]["stored"]),
            int(&r["records"]["duplicates"]),
            int(&r["photos"]["files"]),
            int(&r["errors"]),
        ));
    }
    md.push_str(
        "\nThe same load, devices and check as above, three times over. SQLite: the file in the \
data folder, WAL mode with `synchronous = NORMAL` (a commit survives the process being killed, \
not the machine losing power). PostgreSQL: Debian's PostgreSQL, a fresh cluster for each run on \
the same machine, with its own durable defaults (`fsync`, `synchronous_commit = on`: every \
commit survives a power loss), reached over loopback TCP with a pool of 16 connections per \
instance. Two instances: two server processes on the one database and the one photo folder, \
the devices taking turns between them, as behind a load balancer. On PostgreSQL pushes run \
at the same time, each locking only the rows it changes, and pulls answer a change once every \
older write has ended (`docs/deploy.md`, \"Several instances\"); SQLite takes one push at a \
time. On this one machine the two instances share its cores with each other, the database \
and the simulated devices.\n",
    );
    md
}

/// "2 cores" from the machine's description, e.g. `AMD EPYC (2 cores)`.
fn cores(machine: &str) -> &str {
    machine
        .rsplit_once('(')
        .and_then(|(_, c)| c.strip_suffix(')'))
        .filter(|c| c.ends_with("cores"))
        .unwrap_or("CPU")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_have_thousands_separated() {
        assert_eq!(int(&json!(7)), "7");
        assert_eq!(int(&json!(1000)), "1,000");
        assert_eq!(int(&json!(1234567)), "1,234,567");
        assert_eq!(int(&json!(2554.9)), "2,555");
        assert_eq!(int(&json!(null)), "?");
    }

    #[test]
    fn the_section_gives_every_figure() {
        let result = json!({
            "node": "v20.20.2", "devices": 50, "villages": 5, "batch": 20, "resend_every": 5,
            "planned_seconds": 30, "seconds": 30.4, "check_seconds": 1.2, "errors": 0,
            "records": { "sent": 24000, "stored": 24000, "pulled": 24000, "duplicates": 0,
                         "missing": 0, "resent_batches": 240, "per_second": 789.6 },
            "photos": { "sent": 1200, "files": 1200, "indexed": 1200, "resent": 240,
                        "bytes": 1063100647, "per_second": 39.5 },
            "requests": { "push": 1440, "photo": 1440, "per_second": 94.7 },
            "push_latency": { "count": 1440, "p50_ms": 210.4, "p99_ms": 900.1, "max_ms": 1500.4 },
            "photo_latency": { "count": 1440, "p50_ms": 120, "p99_ms": 700, "max_ms": 1100 },
        });
        let figures = json!({
            "sqlite": result,
            "postgres": result,
            "postgres_two_instances": result,
        });
        let s = section(
            &figures,
            "2026-11-29 09:00 UTC",
            "abc",
            "AMD EPYC (2 cores)",
        );
        assert_eq!(s.id, "load");
        let md = &s.markdown;
        assert!(md.starts_with("## Load test: 50 devices at once\n"), "{md}");
        assert!(md.contains("| 24,000 / **24,000** / **0** |"), "{md}");
        assert!(
            md.contains("| 1,200 / **1,200** (240 sent twice) |"),
            "{md}"
        );
        assert!(md.contains("(1,063 MB)"), "{md}");
        assert!(
            md.contains("**790 records/s**, 39.5 photos/s, 95 requests/s"),
            "{md}"
        );
        assert!(md.contains("(1,440 pushes): p50 / p99 / max | **210 / 900 / 1,500 ms** |"));
        assert!(md.contains("on the same 2 cores as the server"), "{md}");
        assert!(md.contains("| errors (an answer not 2xx or not the expected outcome) | 0 |"));
        assert!(
            md.contains(
                "| PostgreSQL, two instances | **790** | **210 / 900 / 1,500 ms** | \
120 / 700 / 1,100 ms | 24,000 / 0 | 1,200 | 0 |"
            ),
            "{md}"
        );
    }
}
