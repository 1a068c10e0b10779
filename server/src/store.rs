//! Where the server keeps things: the SQLite database (records, tokens, the photo index) and
//! the photo store (`object_store`, a folder on disk by default).

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use object_store::ObjectStore;
use object_store::local::LocalFileSystem;
use patrol_core::Limits;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

/// The database file's name inside the data folder.
pub const DATABASE_FILE: &str = "river-patrol.db";
/// The photo folder's name inside the data folder.
pub const PHOTOS_DIR: &str = "photos";

/// Where the data lives.
#[derive(Clone, Debug)]
pub struct StoreConfig {
    /// The data folder (`data/` by default): the database and `photos/`.
    pub data: PathBuf,
    /// `sqlite://…`; `None` means `<data>/river-patrol.db`.
    pub database_url: Option<String>,
}

impl StoreConfig {
    pub fn new(data: impl Into<PathBuf>) -> Self {
        StoreConfig {
            data: data.into(),
            database_url: None,
        }
    }

    /// The database URL to open: the one given, or the file in the data folder.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data.join(DATABASE_FILE).display()),
        }
    }
}

/// Opens (creating if needed) the SQLite database at `url` in WAL mode with a busy timeout,
/// and brings its tables up to date (`server/migrations/`).
pub async fn open_database(url: &str) -> Result<SqlitePool> {
    if !url.starts_with("sqlite:") {
        bail!("unsupported database URL {url:?}: this server speaks SQLite (sqlite://PATH)");
    }
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| format!("bad database URL {url:?}"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true);
    // Each connection to `sqlite::memory:` would be a database of its own.
    let connections = if url.contains(":memory:") { 1 } else { 8 };
    let pool = SqlitePoolOptions::new()
        .max_connections(connections)
        .connect_with(options)
        .await
        .with_context(|| format!("cannot open the database {url}"))?;
    sqlx::migrate!("./migrations")
        .run(&pool)
        .await
        .context("cannot bring the database up to date")?;
    Ok(pool)
}

/// The photo store on the local disk, rooted at `<data>/photos` (created if missing).
pub fn open_photo_store(data: &Path) -> Result<Arc<dyn ObjectStore>> {
    let dir = data.join(PHOTOS_DIR);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the photo folder {}", dir.display()))?;
    let store = LocalFileSystem::new_with_prefix(&dir)
        .with_context(|| format!("cannot open the photo folder {}", dir.display()))?;
    Ok(Arc::new(store))
}

/// Everything the API routes share.
#[derive(Clone)]
pub struct Api {
    pub db: SqlitePool,
    pub photos: Arc<dyn ObjectStore>,
    /// What [`Api::photos`] is, for `/api/v1/health`: `"local"`.
    pub photo_store_kind: &'static str,
    pub limits: Limits,
    pub metrics: crate::metrics::Metrics,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api")
            .field("photos", &self.photos.to_string())
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl Api {
    /// Opens the database and the photo store under `config`, with the default limits.
    pub async fn open(config: &StoreConfig) -> Result<Api> {
        std::fs::create_dir_all(&config.data)
            .with_context(|| format!("cannot create the data folder {}", config.data.display()))?;
        let db = open_database(&config.database_url()).await?;
        let photos = open_photo_store(&config.data)?;
        Ok(Api {
            db,
            photos,
            photo_store_kind: "local",
            limits: Limits::default(),
            metrics: Default::default(),
        })
    }

    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}
