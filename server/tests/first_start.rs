//! A server started on an empty data folder explains itself: where its data is, how the
//! township office gets its first token, and that phones need HTTPS. Once a token exists it
//! starts quietly.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};

const BINARY: &str = env!("CARGO_BIN_EXE_river-patrol-server");

/// What the server prints on standard output up to its "serving" line, then stops it.
fn start_and_read(dir: &Path) -> String {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(BINARY)
        .args(["--port", &port.to_string(), "--dist"])
        .arg(dir.join("dist"))
        .arg("--data")
        .arg(dir.join("data"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut said = String::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        said.push_str(&line);
        said.push('\n');
        if line.contains("river-patrol-server: serving") {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    said
}

#[test]
fn an_empty_data_folder_is_explained_until_the_first_token_is_made() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("dist")).unwrap();
    std::fs::write(dir.path().join("dist/index.html"), "<!DOCTYPE html>").unwrap();
    let said = start_and_read(dir.path());
    let data = dir.path().join("data");
    assert!(said.contains("no access token exists yet"), "{said}");
    assert!(
        said.contains(&data.join("river-patrol.db").display().to_string()),
        "{said}"
    );
    assert!(said.contains("token create --office"), "{said}");
    assert!(
        said.contains(&format!("--data {}", data.display())),
        "{said}"
    );
    assert!(said.contains("Phones need HTTPS"), "{said}");

    let made = Command::new(BINARY)
        .args([
            "token",
            "create",
            "--office",
            "--officer",
            "乡镇办公室",
            "--data",
        ])
        .arg(&data)
        .output()
        .unwrap();
    assert!(made.status.success());
    let said = start_and_read(dir.path());
    assert!(said.contains("serving"), "{said}");
    assert!(!said.contains("no access token"), "{said}");
}
