//! A local HTTPS front for the release server: Debian's Caddy, the reverse proxy docs/deploy.md
//! recommends, with a certificate of its own local authority for `127.0.0.1` (`tls internal`),
//! HTTP/2 or HTTP/1.1 as the browser's ALPN asks, and every request passed on over plain
//! HTTP/1.1 to the server on 127.0.0.1, unchanged but for the hop-by-hop headers (Caddy keeps
//! the browser's `Host`, as docs/deploy.md's nginx block does with `proxy_set_header`).
//!
//! `cargo xtask bench` runs Lighthouse through it, so the app is measured the way phones meet
//! it: a PWA needs a secure origin, and the deployed proxy speaks HTTP/2, which Lighthouse's
//! simulated throttling models quite differently from plain HTTP/1.1 (lighthouse.rs). HTTP/3
//! stays off: the bench's loads are the HTTP/2 ones its sections name, and their reports show
//! `h2`.
//!
//! Caddy runs with a temporary configuration and data folder (its authority's keys, the
//! certificate), no admin endpoint, no redirect listener on port 80 and nothing installed
//! into the system's trust store (`skip_install_trust`): Chromium accepts the certificate
//! with `--ignore-certificate-errors`. The tools step installs Caddy when it is missing.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use xtask::command::Ctx;
use xtask::server::free_port;
use xtask::tools::CADDY;

/// The running front, stopped (and its folder removed) when dropped.
pub struct HttpsFront {
    /// The port it listens on, on 127.0.0.1: `https://127.0.0.1:{port}/`.
    pub port: u16,
    caddy: Child,
    /// The Caddyfile, Caddy's XDG config and data folders, and its log.
    _dir: tempfile::TempDir,
}

/// The Caddyfile: as docs/deploy.md's site block, on a local address with a local certificate.
fn caddyfile(port: u16, upstream_port: u16) -> String {
    format!(
        "{{
\tadmin off
\tauto_https disable_redirects
\tskip_install_trust
\t# Chromium sends no server name for an IP address.
\tdefault_sni 127.0.0.1
\tservers {{
\t\tprotocols h1 h2
\t}}
}}

https://127.0.0.1:{port} {{
\ttls internal
\treverse_proxy 127.0.0.1:{upstream_port}
}}
"
    )
}

/// What Caddy logs once the front's certificate is there: from then on it answers.
const READY: &str = "certificate obtained successfully";

impl HttpsFront {
    /// Listens on a free port of 127.0.0.1 and passes every request on to
    /// `http://127.0.0.1:{upstream_port}`; returns once Caddy has its certificate.
    pub fn start(ctx: &Ctx, upstream_port: u16) -> Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("rp-caddy-")
            .tempdir()
            .context("cannot make a temporary folder for Caddy")?;
        let port = free_port()?;
        let config = dir.path().join("Caddyfile");
        std::fs::write(&config, caddyfile(port, upstream_port))?;
        let log_path = dir.path().join("log");
        let log = std::fs::File::create(&log_path)?;
        let caddy = ctx
            .cmd(CADDY)
            .args(["run", "--adapter", "caddyfile", "--config"])
            .arg(&config)
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("cannot start {CADDY} (apt-get install caddy)"))?;
        let mut front = Self {
            port,
            caddy,
            _dir: dir,
        };
        let start = Instant::now();
        loop {
            let text = std::fs::read_to_string(&log_path).unwrap_or_default();
            if text.contains(READY) {
                return Ok(front);
            }
            if let Some(status) = front.caddy.try_wait()? {
                bail!("Caddy ended ({status}):\n{}", tail(&text));
            }
            if start.elapsed() > Duration::from_secs(30) {
                bail!(
                    "Caddy did not get its certificate for 127.0.0.1:{port}:\n{}",
                    tail(&text)
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for HttpsFront {
    fn drop(&mut self) {
        let _ = self.caddy.kill();
        let _ = self.caddy.wait();
    }
}

/// The last lines of Caddy's log.
fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;
    use std::sync::mpsc;

    use super::*;

    /// A plain HTTP/1.1 server that answers every request as the release server answers a
    /// pre-compressed file, and sends each request head (lower-cased) and body to the test.
    fn upstream() -> (u16, mpsc::Receiver<(String, Vec<u8>)>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let tx = tx.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream);
                    loop {
                        let mut head = String::new();
                        loop {
                            let mut line = String::new();
                            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                                return;
                            }
                            if line == "\r\n" {
                                break;
                            }
                            head.push_str(&line.to_ascii_lowercase());
                        }
                        let length = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length: "))
                            .map_or(0, |n| n.trim().parse().unwrap());
                        let mut body = vec![0; length];
                        reader.read_exact(&mut body).unwrap();
                        let answer = b"\x0b\x02\x80hi";
                        let mut out = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/wasm\r\n\
                             content-encoding: br\r\netag: \"v1\"\r\nx-upstream: kept as is\r\n\
                             keep-alive: timeout=5\r\ncontent-length: {}\r\n\r\n",
                            answer.len()
                        )
                        .into_bytes();
                        out.extend_from_slice(answer);
                        reader.get_mut().write_all(&out).unwrap();
                        let _ = tx.send((head, body));
                    }
                });
            }
        });
        (port, rx)
    }

    /// curl through the front with `protocol` (`--http2`, `--http1.1`): the response head
    /// (lower-cased), the body, and the HTTP version curl used.
    fn curl(front: &HttpsFront, protocol: &str, extra: &[&str]) -> (String, Vec<u8>, String) {
        let out = std::process::Command::new("curl")
            .args(["--silent", "--show-error", "--insecure", protocol])
            .args(["--dump-header", "-", "--write-out", "\n%{http_version}"])
            .args(extra)
            .arg(format!("https://127.0.0.1:{}/app.wasm", front.port))
            .output()
            .expect("curl runs");
        assert!(out.status.success(), "{out:?}");
        let text = out.stdout;
        let split = text.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&text[..split]).to_ascii_lowercase();
        let rest = &text[split + 4..];
        let newline = rest.iter().rposition(|b| *b == b'\n').unwrap();
        let version = String::from_utf8_lossy(&rest[newline + 1..]).into_owned();
        (head, rest[..newline].to_vec(), version)
    }

    /// On the machine itself: needs Caddy, which `cargo xtask test` installs first, and curl.
    #[test]
    fn passes_http2_over_tls_through_to_an_http1_server() {
        let ctx = Ctx::new().unwrap();
        let (upstream_port, requests) = upstream();
        let front = HttpsFront::start(&ctx, upstream_port).unwrap();
        let (head, body, version) = curl(
            &front,
            "--http2",
            &[
                "--header",
                "x-device: phone 7",
                "--header",
                "accept-encoding: br, gzip",
                "--header",
                "cookie: a=1",
                "--data",
                "{\"records\":[]}",
            ],
        );
        assert_eq!(version, "2");
        assert!(head.starts_with("http/2 200"), "{head}");
        let has = |h: &str, line: &str| h.lines().any(|l| l.trim_end() == line);
        assert!(has(&head, "x-upstream: kept as is"), "{head}");
        assert!(has(&head, "content-encoding: br"), "{head}");
        assert!(has(&head, "content-type: application/wasm"), "{head}");
        assert!(has(&head, "etag: \"v1\""), "{head}");
        assert!(!head.contains("keep-alive") && !head.contains("connection:"));
        assert_eq!(&body[..], b"\x0b\x02\x80hi");
        let (upstream_head, upstream_body) = requests.recv().unwrap();
        assert!(
            upstream_head.starts_with("post /app.wasm http/1.1\r\n"),
            "{upstream_head}"
        );
        assert!(
            has(&upstream_head, &format!("host: 127.0.0.1:{}", front.port)),
            "{upstream_head}"
        );
        assert!(has(&upstream_head, "x-device: phone 7"), "{upstream_head}");
        assert!(has(&upstream_head, "cookie: a=1"), "{upstream_head}");
        assert_eq!(upstream_body, b"{\"records\":[]}");
    }

    #[test]
    fn speaks_http1_to_a_client_that_offers_only_http1() {
        let ctx = Ctx::new().unwrap();
        let (upstream_port, requests) = upstream();
        let front = HttpsFront::start(&ctx, upstream_port).unwrap();
        let (head, _, version) = curl(&front, "--http1.1", &[]);
        assert_eq!(version, "1.1");
        assert!(head.starts_with("http/1.1 200"), "{head}");
        assert!(head.contains("x-upstream: kept as is"), "{head}");
        let (upstream_head, _) = requests.recv().unwrap();
        assert!(
            upstream_head.starts_with("get /app.wasm http/1.1\r\n"),
            "{upstream_head}"
        );
    }
}
