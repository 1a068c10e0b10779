//! `serve --log-format json`: one JSON object per line on standard error, each request with
//! its method, path and status, for a log collector.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration;

const BINARY: &str = env!("CARGO_BIN_EXE_river-patrol-server");

#[test]
fn json_logs_give_each_request_its_method_path_and_status() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("dist")).unwrap();
    std::fs::write(dir.path().join("dist/index.html"), "<!DOCTYPE html>").unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(BINARY)
        .args(["serve", "--host", "127.0.0.1", "--port", &port.to_string()])
        .args(["--log-format", "json"])
        .arg("--dist")
        .arg(dir.path().join("dist"))
        .arg("--data")
        .arg(dir.path().join("data"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = (0..200)
        .find_map(|_| {
            TcpStream::connect(addr).ok().or_else(|| {
                std::thread::sleep(Duration::from_millis(50));
                None
            })
        })
        .expect("the server did not start");
    stream
        .write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // The line is written before the answer is sent; give the pipe a moment, then stop.
    std::thread::sleep(Duration::from_millis(200));
    child.kill().unwrap();
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    child.wait().unwrap();

    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let answered = lines
        .iter()
        .find(|l| l["span"]["uri"] == "/api/v1/health" && l["fields"]["status"] == 200)
        .unwrap_or_else(|| panic!("no line for the request in:\n{log}"));
    assert_eq!(answered["span"]["method"], "GET");
    assert_eq!(answered["level"], "INFO");
    assert!(answered["timestamp"].is_string(), "{answered}");
}
