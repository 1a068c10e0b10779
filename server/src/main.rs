//! `river-patrol-server [serve] [--host H] [--port N] [--dist DIR] [--data DIR]
//! [--cors-origin ORIGIN…] [--sync-server ORIGIN…] [--patrol-min-minutes N]
//! [--patrol-min-metres N] [--basemap TEMPLATE] [--tiles FOLDER|FILE.mbtiles]
//! [--public-url ORIGIN]`, and `river-patrol-server token create|list|revoke` to manage access
//! tokens: the township's first office token comes from here (`token create --office`, with
//! its connect link and QR code in the terminal); later ones from the office's desk.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use axum::http::HeaderValue;
use clap::{Args, Parser, Subcommand};
use patrol_core::basemap::Basemap;
use patrol_core::patrol_rule::{DEFAULT_MIN_METRES, DEFAULT_MIN_MINUTES, PatrolRule};
use patrol_core::sync::connect_link;
use qrcode::QrCode;
use qrcode::render::unicode;
use river_patrol_server::db::{open_database, shown_url, tokens};
use river_patrol_server::photo_store::PhotoStore;
use river_patrol_server::tile_source::TileSource;
use river_patrol_server::{AppSource, AppState, Config, StoreConfig, app, app_files};

/// The version and the commit it was built from (server/build.rs).
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("RIVER_PATROL_BUILT_FROM"),
    ")"
);

/// River Patrol (巡河通) reference server: serves the built app and the sync API.
///
/// With no command it serves, as `serve` does.
#[derive(Parser, Debug)]
#[command(version = VERSION, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the app and the sync API (the default).
    Serve(ServeArgs),
    /// Create, list or revoke access tokens.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Args, Debug, Clone)]
struct DataArgs {
    /// Data folder: the database (river-patrol.db, unless --database-url says otherwise) and
    /// photos/.
    #[arg(long, env = "RIVER_PATROL_DATA", default_value = "data")]
    data: PathBuf,
    /// Database URL: sqlite://PATH, or postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE for a
    /// PostgreSQL server that several server instances share; default: river-patrol.db in the
    /// data folder.
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
    /// Photo store: s3://BUCKET[/PREFIX] for an S3-compatible bucket (endpoint, region and
    /// credentials from AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY; AWS_ALLOW_HTTP=true for plain http); default: photos/ in the
    /// data folder.
    #[arg(long, env = "RIVER_PATROL_PHOTO_STORE", value_parser = photo_store)]
    photo_store: Option<PhotoStore>,
}

fn photo_store(url: &str) -> Result<PhotoStore, String> {
    PhotoStore::from_url(url).map_err(|e| format!("{e:#}"))
}

impl DataArgs {
    fn store(&self) -> StoreConfig {
        StoreConfig {
            data: self.data.clone(),
            database_url: self.database_url.clone(),
            photo_store: self.photo_store.clone().unwrap_or_default(),
        }
    }
}

#[derive(Args, Debug, Clone)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "RIVER_PATROL_HOST", default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on.
    #[arg(long, env = "RIVER_PATROL_PORT", default_value_t = 8080)]
    port: u16,
    /// The folder Trunk built, with index.html [default: the app built into this binary; a
    /// binary built without one: dist]
    #[arg(long, env = "RIVER_PATROL_DIST")]
    dist: Option<PathBuf>,
    /// An origin (https://host[:port]) whose pages may call the sync API; repeat it, or give
    /// several with commas; `*` for any. None by default: the app served here calls from its
    /// own origin.
    #[arg(
        long = "cors-origin",
        env = "RIVER_PATROL_CORS_ORIGINS",
        value_delimiter = ',',
        value_parser = river_patrol_server::origin
    )]
    cors_origins: Vec<HeaderValue>,
    /// Another sync server (https://host[:port]) the app served here may be connected to,
    /// besides this one; repeat it, or give several with commas.
    #[arg(
        long = "sync-server",
        env = "RIVER_PATROL_SYNC_SERVERS",
        value_delimiter = ',',
        value_parser = sync_server
    )]
    sync_servers: Vec<String>,
    /// Shortest valid patrol (有效巡河) in minutes, as the township's river-chief rules say;
    /// every phone connected here judges patrols by it.
    #[arg(long, env = "RIVER_PATROL_PATROL_MIN_MINUTES", default_value_t = DEFAULT_MIN_MINUTES)]
    patrol_min_minutes: u32,
    /// Least distance of a valid patrol in metres (not counting stretches driven or GPS
    /// jumps).
    #[arg(long, env = "RIVER_PATROL_PATROL_MIN_METRES", default_value_t = DEFAULT_MIN_METRES)]
    patrol_min_metres: u32,
    /// The map's tiles, a URL template with {z}, {x} and {y} (or {-y}): a Tianditu WMTS URL
    /// with the township's key, or any XYZ server whose tiles are in WGS 84 / CGCS2000
    /// (docs/deploy.md says how). Every phone connected here draws it under the problems.
    #[arg(long, env = "RIVER_PATROL_BASEMAP")]
    basemap: Option<String>,
    /// Who the basemap credits, shown on the map (e.g. 天地图).
    #[arg(long, env = "RIVER_PATROL_BASEMAP_ATTRIBUTION", default_value = "")]
    basemap_attribution: String,
    /// The deepest zoom the --basemap has.
    #[arg(long, env = "RIVER_PATROL_BASEMAP_MAX_ZOOM", default_value_t = 18)]
    basemap_max_zoom: u8,
    /// The address phones reach this server at (https://host[:port]), for the connect links
    /// and QR codes of tokens made at the office's desk. Without it, each link is made from the
    /// desk's own request (its Host, and X-Forwarded-Proto from the reverse proxy).
    #[arg(long, env = "RIVER_PATROL_PUBLIC_URL", value_parser = sync_server)]
    public_url: Option<String>,
    /// The township's own tiles, served at /api/v1/tiles/{z}/{x}/{y}: a folder of
    /// {z}/{x}/{y}.png (or .jpg, .webp), or one MBTiles file. Without --basemap, the phones
    /// draw these.
    #[arg(long, env = "RIVER_PATROL_TILES")]
    tiles: Option<PathBuf>,
    /// How the log on standard error is written: `text` for a person, `json` (one object a
    /// line) for a log collector.
    #[arg(long, env = "RIVER_PATROL_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(flatten)]
    data: DataArgs,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum LogFormat {
    Text,
    Json,
}

fn sync_server(text: &str) -> Result<String, String> {
    let origin = river_patrol_server::origin(text)?;
    if origin == "*" {
        return Err("a sync server is one origin, not *".to_owned());
    }
    Ok(origin.to_str().map_err(|e| e.to_string())?.to_owned())
}

/// The server's address when `token create` is not told it: `cargo xtask run`'s.
const DEFAULT_URL: &str = "http://127.0.0.1:8080";

#[derive(Subcommand, Debug)]
enum TokenCommand {
    /// Make a token and print it (once: only its hash is kept).
    Create {
        /// The officer who will use it, e.g. 张三.
        #[arg(long)]
        officer: String,
        /// The one village whose records it may read and write, e.g. 红星村.
        #[arg(long, required_unless_present = "all_villages")]
        village: Option<String>,
        /// Every village's records: a township office token (`--office` says the same).
        #[arg(long, visible_alias = "office", conflicts_with = "village")]
        all_villages: bool,
        /// The address phones reach the server at, for the token's connect link and QR code
        /// (as the server's --public-url).
        #[arg(long, value_parser = sync_server, default_value = DEFAULT_URL)]
        url: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// List the tokens (never the secrets).
    List {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Revoke a token by its id (from `token list`).
    Revoke {
        id: i64,
        #[command(flatten)]
        data: DataArgs,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("river-patrol-server: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            None => serve(cli.serve).await,
            Some(Command::Serve(args)) => serve(args).await,
            Some(Command::Token(cmd)) => token(cmd).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("river-patrol-server: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: ServeArgs) -> Result<()> {
    let log = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        );
    match args.log_format {
        LogFormat::Text => log.with_ansi(std::io::stderr().is_terminal()).init(),
        // The request's span (method, path) goes with each line, for the collector to group by.
        LogFormat::Json => log.json().with_current_span(true).init(),
    }
    let (source, app_shown) = match (args.dist, app_files::built_in()) {
        (None, Some(files)) => (
            AppSource::Files(files),
            "the app built into this binary".to_owned(),
        ),
        (dist, _) => {
            let dist = dist.unwrap_or_else(|| PathBuf::from("dist"));
            if !dist.join("index.html").is_file() {
                bail!(
                    "{} has no index.html, and this binary carries no app: build the app first \
                     (cargo xtask dist), or use the one-file server `cargo xtask release` makes",
                    dist.display()
                );
            }
            let shown = dist.display().to_string();
            (AppSource::Folder(dist), shown)
        }
    };
    let addr: SocketAddr = format!("{}:{}", args.host, args.port)
        .parse()
        .with_context(|| format!("bad address {}:{}", args.host, args.port))?;
    let store = args.data.store();
    let basemap = args
        .basemap
        .as_deref()
        .map(|t| Basemap::new(t, &args.basemap_attribution, args.basemap_max_zoom))
        .transpose()
        .context("--basemap")?;
    let tiles = match &args.tiles {
        Some(path) => Some(TileSource::open(path).await?),
        None => None,
    };
    let state = AppState::open(&store)
        .await?
        .with_public_url(args.public_url.clone())
        .with_patrol_rule(PatrolRule {
            min_minutes: args.patrol_min_minutes,
            min_metres: args.patrol_min_metres,
        })
        .with_map(basemap, tiles)
        .await;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    if tokens::list(&state.db).await?.is_empty() {
        println!("{}", first_start(&store, &addr));
    }
    println!(
        "river-patrol-server: serving {app_shown} and the sync API ({}, photos in {}) on http://{addr}",
        shown_url(&store.database_url()),
        store.photo_store
    );
    let router = app(Config::serving(source)
        .with_api(state)
        .with_cors_origins(args.cors_origins)
        .with_sync_servers(args.sync_servers));
    // The peer's address, for counting wrong tokens by client (auth_failures.rs).
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("the server stopped")
}

async fn token(cmd: TokenCommand) -> Result<()> {
    let open = |data: &DataArgs| {
        let store = data.store();
        async move {
            // The data folder holds the database only when it is the default SQLite file.
            if store.database_url.is_none() {
                std::fs::create_dir_all(&store.data).with_context(|| {
                    format!("cannot create the data folder {}", store.data.display())
                })?;
            }
            open_database(&store.database_url()).await
        }
    };
    match cmd {
        TokenCommand::Create {
            officer,
            village,
            all_villages,
            url,
            data,
        } => {
            let db = open(&data).await?;
            let village = if all_villages { None } else { village };
            let new = tokens::create(&db, &officer, village.as_deref()).await?;
            let scope = village.as_deref().unwrap_or("every village");
            eprintln!(
                "token {} for {officer} ({scope}); it is shown only now:",
                new.id
            );
            // The token alone on standard output, for scripts; the link and its QR code for a
            // person, on standard error.
            println!("{}", new.token);
            let link = connect_link(&url, &new.token);
            let told = if url == DEFAULT_URL {
                " (the default; give the server's public address with --url https://…)"
            } else {
                ""
            };
            eprintln!(
                "\nserver: {url}{told}\nconnect link: {link}\nscan it with the phone's camera:\n"
            );
            eprintln!("{}", terminal_qr(&link)?);
        }
        TokenCommand::List { data } => {
            let db = open(&data).await?;
            println!(
                "{:>4}  {:<12} {:<12} {:<26} {:<26} {:>6}  revoked",
                "id", "officer", "village", "created", "last sync", "unsent"
            );
            for t in tokens::list(&db).await? {
                println!(
                    "{:>4}  {:<12} {:<12} {:<26} {:<26} {:>6}  {}",
                    t.id,
                    t.officer,
                    t.village.as_deref().unwrap_or("(all)"),
                    t.created_at,
                    t.last_sync_at.as_deref().unwrap_or("-"),
                    t.unsent.map_or_else(|| "-".to_owned(), |n| n.to_string()),
                    t.revoked_at.as_deref().unwrap_or("-")
                );
            }
        }
        TokenCommand::Revoke { id, data } => {
            let db = open(&data).await?;
            if !tokens::revoke(&db, id).await? {
                bail!("no token {id} that is not already revoked");
            }
            println!("token {id} revoked");
        }
    }
    Ok(())
}

/// What a server with no token yet says at its start, in plain words for whoever installs it:
/// where its data is, how the township office gets its first token, and that phones need
/// HTTPS.
fn first_start(store: &StoreConfig, addr: &SocketAddr) -> String {
    let data = std::path::absolute(&store.data).unwrap_or_else(|_| store.data.clone());
    let program = std::env::args()
        .next()
        .unwrap_or_else(|| "river-patrol-server".into());
    let data_arg = data.display().to_string();
    let database = if store.database_url.is_none() {
        format!("the database {}", data.join("river-patrol.db").display())
    } else {
        format!("the database {}", shown_url(&store.database_url()))
    };
    format!(
        "\n\
         River Patrol (巡河通) server: no access token exists yet, so no phone can sync.\n\
         \n\
         Its data: {database}; photos in {}.\n\
         \n\
         The township office's first token (it prints the token, its connect link and a QR code\n\
         to scan with the office's phone; later tokens are made at the office's desk):\n\
         \n    {program} token create --office --officer 乡镇办公室 \\\n        \
         --url https://YOUR-SERVER --data {data_arg}\n\
         \n\
         Phones need HTTPS: browsers give the camera, the position and the offline app only to\n\
         https:// pages. Put Caddy (apt install caddy) or another HTTPS proxy in front of\n\
         http://{addr}; INSTALL.txt and docs/deploy.md show how.\n",
        store.photo_store
    )
}

/// `link` as a QR code drawn with Unicode half blocks (two rows of modules a line), quiet zone
/// included, for a phone's camera to read off the screen. Made for the usual terminal, light
/// text on dark: a block is drawn in the text's colour, so the code's light modules are the
/// blocks and its dark ones the background.
fn terminal_qr(link: &str) -> Result<String> {
    let code = QrCode::new(link.as_bytes()).context("cannot make the QR code")?;
    Ok(code
        .render::<unicode::Dense1x2>()
        .dark_color(unicode::Dense1x2::Light)
        .light_color(unicode::Dense1x2::Dark)
        .build())
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
