//! `river-patrol-server [--host 127.0.0.1] [--port 8080] [--dist dist]`

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use river_patrol_server::{Config, app};

const USAGE: &str = "usage: river-patrol-server [--host HOST] [--port PORT] [--dist DIR]

  --host HOST   address to listen on (default 127.0.0.1)
  --port PORT   port to listen on (default 8080)
  --dist DIR    the folder Trunk built, with index.html (default dist)";

struct Args {
    host: String,
    port: u16,
    dist: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        host: "127.0.0.1".into(),
        port: 8080,
        dist: PathBuf::from("dist"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--host" => args.host = value()?,
            "--port" => {
                let v = value()?;
                args.port = v.parse().map_err(|_| format!("bad --port {v:?}"))?;
            }
            "--dist" => args.dist = PathBuf::from(value()?),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("river-patrol-server: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if !args.dist.join("index.html").is_file() {
        eprintln!(
            "river-patrol-server: {} has no index.html; build the app first (cargo xtask dist)",
            args.dist.display()
        );
        return ExitCode::FAILURE;
    }
    let addr: SocketAddr = match format!("{}:{}", args.host, args.port).parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!(
                "river-patrol-server: bad address {}:{}: {e}",
                args.host, args.port
            );
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("river-patrol-server: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "river-patrol-server: serving {} on http://{addr}",
        args.dist.display()
    );
    let router = app(Config::new(args.dist));
    if let Err(e) = axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await
    {
        eprintln!("river-patrol-server: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
