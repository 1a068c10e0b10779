//! A local HTTPS front for the release server, as docs/deploy.md's Caddy or nginx
//! (`listen 443 ssl http2`): TLS with a self-signed certificate for `127.0.0.1` and
//! `localhost` made at start, HTTP/2 or HTTP/1.1 as the browser's ALPN asks (`h2` first), and
//! every request passed on over plain HTTP/1.1 to the server on 127.0.0.1.
//!
//! `cargo xtask bench` runs Lighthouse through it, so the app is measured the way phones meet
//! it: a PWA needs a secure origin, and the deployed proxy speaks HTTP/2, which Lighthouse's
//! simulated throttling models quite differently from plain HTTP/1.1 (lighthouse.rs).
//!
//! Requests and answers pass through unchanged, as docs/deploy.md asks of the proxy: method,
//! path and query, headers (the server's security headers, `content-encoding: br`, ETags and
//! 304s), bodies streamed as they come; only the hop-by-hop headers (`connection` and the
//! headers it names, `keep-alive`, `transfer-encoding`, `upgrade`, …) stay on their own hop,
//! and `host` is the browser's, as `proxy_set_header Host $host` and Caddy send it.
//!
//! It runs on a tokio runtime of its own (two worker threads) and stops when dropped.

use std::convert::Infallible;
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode, Uri, Version};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

type Body = BoxBody<Bytes, hyper::Error>;
type Upstream = Client<HttpConnector, Incoming>;

/// The names the certificate is good for.
const NAMES: [&str; 2] = ["127.0.0.1", "localhost"];

/// Headers that belong to one connection (RFC 9110 §7.6.1), never passed on; HTTP/2 forbids
/// them outright.
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "http2-settings",
];

/// The running front, stopped when dropped.
pub struct HttpsFront {
    /// The port it listens on, on 127.0.0.1: `https://127.0.0.1:{port}/`.
    pub port: u16,
    /// Its self-signed certificate, for a client that is to trust it (the tests' client;
    /// Chromium is told to accept it with `--ignore-certificate-errors`).
    #[cfg_attr(not(test), allow(dead_code))]
    pub cert: CertificateDer<'static>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl HttpsFront {
    /// Listens on a free port of 127.0.0.1 and passes every request on to
    /// `http://127.0.0.1:{upstream_port}`.
    pub fn start(upstream_port: u16) -> Result<Self> {
        let rcgen::CertifiedKey { cert, signing_key } =
            rcgen::generate_simple_self_signed(NAMES.map(str::to_owned).to_vec())
                .context("cannot make the front's certificate")?;
        let cert = cert.der().clone();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(signing_key.serialize_der()));
        let mut tls = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(vec![cert.clone()], key)?;
        tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let acceptor = TlsAcceptor::from(Arc::new(tls));

        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("https-front")
            .enable_all()
            .build()?;
        let listener = {
            let _inside = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let upstream: Upstream = {
            let _inside = runtime.enter();
            let mut connector = HttpConnector::new();
            connector.set_nodelay(true);
            Client::builder(TokioExecutor::new()).build(connector)
        };
        runtime.spawn(accept(listener, acceptor, upstream, upstream_port));
        Ok(Self {
            port,
            cert,
            runtime: Some(runtime),
        })
    }
}

impl Drop for HttpsFront {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

async fn accept(
    listener: tokio::net::TcpListener,
    acceptor: TlsAcceptor,
    upstream: Upstream,
    upstream_port: u16,
) {
    loop {
        let tcp = match listener.accept().await {
            Ok((tcp, _)) => tcp,
            Err(_) => {
                // Out of file descriptors or the like: try again shortly.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        // As nginx's `tcp_nodelay on` (its default).
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let upstream = upstream.clone();
        tokio::spawn(async move {
            let Ok(tls) = acceptor.accept(tcp).await else {
                return;
            };
            let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2");
            let service = service_fn(move |req| forward(upstream.clone(), upstream_port, req));
            let builder = auto::Builder::new(TokioExecutor::new());
            let builder = if h2 {
                builder.http2_only()
            } else {
                builder.http1_only()
            };
            // A connection the browser drops is no error of the bench's.
            let _ = builder.serve_connection(TokioIo::new(tls), service).await;
        });
    }
}

/// Passes one request on to the server and its answer back.
async fn forward(
    upstream: Upstream,
    upstream_port: u16,
    req: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let (mut parts, body) = req.into_parts();
    // HTTP/2 carries the host in `:authority` (the URI), HTTP/1.1 in `host`.
    let host = parts
        .uri
        .authority()
        .and_then(|a| HeaderValue::from_str(a.as_str()).ok())
        .or_else(|| parts.headers.get(header::HOST).cloned());
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let uri = match format!("http://127.0.0.1:{upstream_port}{path}").parse::<Uri>() {
        Ok(uri) => uri,
        Err(e) => return Ok(error(StatusCode::BAD_REQUEST, &e.to_string())),
    };
    strip_hop_by_hop(&mut parts.headers);
    join_cookies(&mut parts.headers);
    if let Some(host) = host {
        parts.headers.insert(header::HOST, host);
    }
    parts.uri = uri;
    parts.version = Version::HTTP_11;
    match upstream.request(Request::from_parts(parts, body)).await {
        Ok(answer) => {
            let (mut parts, body) = answer.into_parts();
            strip_hop_by_hop(&mut parts.headers);
            Ok(Response::from_parts(parts, body.boxed()))
        }
        Err(e) => Ok(error(
            StatusCode::BAD_GATEWAY,
            &format!("https front: the server did not answer: {e}"),
        )),
    }
}

fn error(status: StatusCode, text: &str) -> Response<Body> {
    let mut answer = Response::new(
        Full::new(Bytes::from(text.to_owned()))
            .map_err(|never| match never {})
            .boxed(),
    );
    *answer.status_mut() = status;
    answer.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    answer
}

/// Removes the hop-by-hop headers and those that `connection` names.
fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in HOP_BY_HOP {
        headers.remove(name);
    }
}

/// HTTP/2 may split `cookie` into several fields; HTTP/1.1 wants one (RFC 9113 §8.2.3).
fn join_cookies(headers: &mut HeaderMap) {
    if headers.get_all(header::COOKIE).iter().count() < 2 {
        return;
    }
    let joined: Vec<&[u8]> = headers
        .get_all(header::COOKIE)
        .iter()
        .map(HeaderValue::as_bytes)
        .collect();
    if let Ok(value) = HeaderValue::from_bytes(&joined.join(&b"; "[..])) {
        headers.insert(header::COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::sync::mpsc;

    use rustls::pki_types::ServerName;
    use tokio_rustls::TlsConnector;

    /// A tiny HTTP/1.1 server: one request per connection, its head and body sent to the test;
    /// a 304 to a request with `if-none-match`, else a fixed brotli-labelled answer.
    fn upstream() -> (u16, mpsc::Receiver<(String, Vec<u8>)>) {
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let (seen, requests) = mpsc::channel();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut head = String::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    head.push_str(&line);
                }
                let lower = head.to_ascii_lowercase();
                let length = lower
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map_or(0, |v| v.trim().parse().unwrap());
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                let answer: &[u8] = if lower.contains("\r\nif-none-match:") {
                    b"HTTP/1.1 304 Not Modified\r\netag: \"v1\"\r\nconnection: close\r\n\r\n"
                } else {
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/wasm\r\n\
                      content-encoding: br\r\netag: \"v1\"\r\nx-upstream: kept as is\r\n\
                      keep-alive: timeout=5\r\nconnection: close\r\ncontent-length: 5\r\n\r\n\
                      \x0b\x02\x80hi"
                };
                let _ = seen.send((head, body));
                stream.write_all(answer).unwrap();
            }
        });
        (port, requests)
    }

    async fn tls(
        front: &HttpsFront,
        alpn: &[&[u8]],
    ) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(front.cert.clone()).unwrap();
        let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        let tcp = tokio::net::TcpStream::connect((Ipv4Addr::LOCALHOST, front.port))
            .await
            .unwrap();
        TlsConnector::from(Arc::new(config))
            .connect(ServerName::IpAddress(Ipv4Addr::LOCALHOST.into()), tcp)
            .await
            .unwrap()
    }

    /// Runs a test's client side on a runtime of its own (the front has another).
    fn block_on<F: std::future::Future>(test: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(test)
    }

    #[test]
    fn passes_http2_over_tls_through_to_an_http1_server() {
        let (upstream_port, requests) = upstream();
        let front = HttpsFront::start(upstream_port).unwrap();
        block_on(async {
            // The certificate holds for 127.0.0.1 (checked by rustls against it as the root),
            // and the front picks HTTP/2 when the client offers it.
            let stream = tls(&front, &[b"h2", b"http/1.1"]).await;
            assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
            let (mut send, conn) =
                hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
                    .await
                    .unwrap();
            tokio::spawn(conn);

            let url = format!("https://127.0.0.1:{}/api/v1/sync?since=3&x=%20", front.port);
            let req = Request::post(&url)
                .header("x-device", "phone 7")
                .header("accept-encoding", "br, gzip")
                .header("cookie", "a=1")
                .header("cookie", "b=2")
                .body(Full::new(Bytes::from_static(b"{\"records\":[]}")))
                .unwrap();
            let answer = send.send_request(req).await.unwrap();
            assert_eq!(answer.version(), Version::HTTP_2);
            assert_eq!(answer.status(), StatusCode::OK);
            let h = answer.headers();
            assert_eq!(h["x-upstream"], "kept as is");
            assert_eq!(h["content-encoding"], "br");
            assert_eq!(h["content-type"], "application/wasm");
            assert_eq!(h["etag"], "\"v1\"");
            assert!(h.get("keep-alive").is_none() && h.get("connection").is_none());
            let body = answer.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(&body[..], b"\x0b\x02\x80hi");

            let (head, body) = requests.recv().unwrap();
            let mut lines = head.lines();
            assert_eq!(
                lines.next(),
                Some("POST /api/v1/sync?since=3&x=%20 HTTP/1.1")
            );
            let lines: Vec<String> = lines.map(str::to_ascii_lowercase).collect();
            let has = |line: &str| lines.iter().any(|l| l == line);
            assert!(has(&format!("host: 127.0.0.1:{}", front.port)), "{head}");
            assert!(has("x-device: phone 7"), "{head}");
            assert!(has("accept-encoding: br, gzip"), "{head}");
            assert!(has("cookie: a=1; b=2"), "{head}");
            assert_eq!(body, b"{\"records\":[]}");

            // A revalidation: the 304 comes back as it is, without a body.
            let req = Request::get(format!("https://127.0.0.1:{}/app.wasm", front.port))
                .header("if-none-match", "\"v1\"")
                .body(Full::new(Bytes::new()))
                .unwrap();
            let answer = send.send_request(req).await.unwrap();
            assert_eq!(answer.status(), StatusCode::NOT_MODIFIED);
            assert_eq!(answer.headers()["etag"], "\"v1\"");
            let body = answer.into_body().collect().await.unwrap().to_bytes();
            assert!(body.is_empty());
            let (head, _) = requests.recv().unwrap();
            assert!(head.starts_with("GET /app.wasm HTTP/1.1\r\n"), "{head}");
        });
    }

    #[test]
    fn speaks_http1_to_a_client_that_offers_only_http1() {
        let (upstream_port, requests) = upstream();
        let front = HttpsFront::start(upstream_port).unwrap();
        block_on(async {
            let stream = tls(&front, &[b"http/1.1"]).await;
            assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
            let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .unwrap();
            tokio::spawn(conn);
            let req = Request::get("/index.html")
                .header("host", "localhost:1234")
                .body(Full::new(Bytes::new()))
                .unwrap();
            let answer = send.send_request(req).await.unwrap();
            assert_eq!(answer.version(), Version::HTTP_11);
            assert_eq!(answer.status(), StatusCode::OK);
            assert_eq!(answer.headers()["x-upstream"], "kept as is");
            let (head, _) = requests.recv().unwrap();
            assert!(head.starts_with("GET /index.html HTTP/1.1\r\n"), "{head}");
            assert!(
                head.to_ascii_lowercase()
                    .contains("\r\nhost: localhost:1234\r\n"),
                "{head}"
            );
        });
    }
}
