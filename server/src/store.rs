//! Where the server keeps things: the database (records, tokens, the photo index: SQLite by
//! default, or PostgreSQL) and the photo store (`object_store`: a folder on disk by default, or
//! an S3-compatible bucket).
//!
//! Both databases go through sqlx's `Any` driver, so every query is written once; the SQL is
//! the part both speak (`$1` parameters, `ON CONFLICT`, `RETURNING`, row values); only the
//! migrations (`migrations/sqlite`, `migrations/postgres`) and the change order's few
//! fragments (`crate::changes`) differ.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey, Checksum};
use object_store::local::LocalFileSystem;
use object_store::prefix::PrefixStore;
use object_store::{BackoffConfig, ObjectStore, RetryConfig};
use patrol_core::Limits;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor, Transaction};

/// The database file's name inside the data folder.
pub const DATABASE_FILE: &str = "river-patrol.db";
/// The photo folder's name inside the data folder.
pub const PHOTOS_DIR: &str = "photos";

/// Where the data lives.
#[derive(Clone, Debug)]
pub struct StoreConfig {
    /// The data folder (`data/` by default): the database and `photos/`.
    pub data: PathBuf,
    /// `sqlite://…` or `postgres://…`; `None` means `<data>/river-patrol.db`.
    pub database_url: Option<String>,
    /// Where the photos go: `<data>/photos` unless told otherwise.
    pub photo_store: PhotoStore,
}

impl StoreConfig {
    pub fn new(data: impl Into<PathBuf>) -> Self {
        StoreConfig {
            data: data.into(),
            database_url: None,
            photo_store: PhotoStore::Local,
        }
    }

    pub fn with_photo_store(mut self, photo_store: PhotoStore) -> Self {
        self.photo_store = photo_store;
        self
    }

    /// The database URL to open: the one given, or the file in the data folder.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data.join(DATABASE_FILE).display()),
        }
    }
}

/// Which engine holds the records (`--database-url`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatabaseKind {
    /// A file on this machine (`sqlite://PATH`): the default, for one township.
    Sqlite,
    /// A PostgreSQL server (`postgres://…`), which several server instances can share.
    Postgres,
}

impl DatabaseKind {
    /// The engine a database URL names.
    pub fn of_url(url: &str) -> Result<DatabaseKind> {
        if url.starts_with("sqlite:") {
            Ok(DatabaseKind::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DatabaseKind::Postgres)
        } else {
            bail!(
                "unsupported database URL {:?}: give sqlite://PATH or postgres://USER@HOST/DATABASE",
                shown_url(url)
            )
        }
    }

    /// What `/api/v1/health` says the database is.
    pub fn name(self) -> &'static str {
        match self {
            DatabaseKind::Sqlite => "sqlite",
            DatabaseKind::Postgres => "postgres",
        }
    }
}

/// `url` with its password, if any, hidden: for logs and error messages.
pub fn shown_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let Some((credentials, host)) = authority.rsplit_once('@') else {
        return url.to_owned();
    };
    let user = credentials.split(':').next().unwrap_or_default();
    let slash = if rest.contains('/') { "/" } else { "" };
    if credentials.contains(':') {
        format!("{scheme}://{user}:***@{host}{slash}{path}")
    } else {
        url.to_owned()
    }
}

/// Opens the database at `url` (a SQLite file is created if missing, in WAL mode with a busy
/// timeout) and brings its tables up to date (`server/migrations/<engine>/`).
pub async fn open_database(url: &str) -> Result<AnyPool> {
    sqlx::any::install_default_drivers();
    let kind = DatabaseKind::of_url(url)?;
    let shown = shown_url(url);
    let (url, connections) = match kind {
        DatabaseKind::Sqlite => {
            // Each connection to `sqlite::memory:` would be a database of its own.
            let memory = url.contains(":memory:");
            let url = if memory || url.contains("mode=") {
                url.to_owned()
            } else {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            };
            (url, if memory { 1 } else { 8 })
        }
        DatabaseKind::Postgres => (url.to_owned(), 16),
    };
    let options =
        AnyConnectOptions::from_str(&url).with_context(|| format!("bad database URL {shown:?}"))?;
    let pool = AnyPoolOptions::new()
        .max_connections(connections)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if kind == DatabaseKind::Sqlite {
                    // The Any driver takes only the URL's options: these are set here.
                    conn.execute(sqlx::raw_sql(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;",
                    ))
                    .await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .with_context(|| format!("cannot open the database {shown}"))?;
    let migrations = match kind {
        DatabaseKind::Sqlite => sqlx::migrate!("./migrations/sqlite"),
        DatabaseKind::Postgres => sqlx::migrate!("./migrations/postgres"),
    };
    migrations
        .run(&pool)
        .await
        .context("cannot bring the database up to date")?;
    Ok(pool)
}

/// Where the photos are kept (`--photo-store`).
#[derive(Clone, Debug, Default)]
pub enum PhotoStore {
    /// The folder `photos/` in the data folder.
    #[default]
    Local,
    /// An S3-compatible bucket, the photos under `prefix` if one is given. The endpoint, the
    /// region and the credentials are in `client` (from the `AWS_*` environment variables
    /// when the store comes from a URL).
    S3 {
        bucket: String,
        prefix: Option<object_store::path::Path>,
        client: Box<AmazonS3Builder>,
    },
}

impl PhotoStore {
    /// `s3://BUCKET[/PREFIX]`, the rest of the S3 settings from the environment
    /// (`AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_ALLOW_HTTP`, …, as `object_store` reads them).
    pub fn from_url(url: &str) -> Result<PhotoStore> {
        let Some(rest) = url.strip_prefix("s3://") else {
            bail!(
                "unsupported photo store {url:?}: give s3://BUCKET[/PREFIX], or leave it out \
                 for the photos/ folder in the data folder"
            );
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        Self::s3(bucket, prefix, AmazonS3Builder::from_env())
            .with_context(|| format!("bad photo store {url:?}"))
    }

    /// The bucket `bucket` (its photos under `prefix`, if not empty) reached through `client`.
    pub fn s3(bucket: &str, prefix: &str, client: AmazonS3Builder) -> Result<PhotoStore> {
        // S3's bucket naming rules, checked here so a typo fails at start-up, not at the
        // first upload.
        let valid = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
            && bucket.starts_with(|c: char| c.is_ascii_alphanumeric())
            && bucket.ends_with(|c: char| c.is_ascii_alphanumeric());
        if !valid {
            bail!(
                "{bucket:?} is not a bucket name (3 to 63 lower-case letters, digits, dots and \
                 hyphens)"
            );
        }
        let prefix = prefix.trim_matches('/');
        let prefix = if prefix.is_empty() {
            None
        } else {
            Some(
                object_store::path::Path::parse(prefix)
                    .with_context(|| format!("{prefix:?} is not a key prefix"))?,
            )
        };
        Ok(PhotoStore::S3 {
            bucket: bucket.to_owned(),
            prefix,
            client: Box::new(client),
        })
    }

    /// What `/api/v1/health` says the store is.
    pub fn kind(&self) -> &'static str {
        match self {
            PhotoStore::Local => "local",
            PhotoStore::S3 { .. } => "s3",
        }
    }
}

impl FromStr for PhotoStore {
    type Err = anyhow::Error;

    fn from_str(url: &str) -> Result<Self> {
        PhotoStore::from_url(url)
    }
}

impl std::fmt::Display for PhotoStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PhotoStore::Local => write!(f, "{PHOTOS_DIR}/ in the data folder"),
            PhotoStore::S3 {
                bucket,
                prefix: Some(prefix),
                ..
            } => write!(f, "s3://{bucket}/{prefix}"),
            PhotoStore::S3 { bucket, .. } => write!(f, "s3://{bucket}"),
        }
    }
}

/// Opens the photo store `store` (a local one in `data`).
pub fn open_photo_store(store: &PhotoStore, data: &Path) -> Result<Arc<dyn ObjectStore>> {
    let PhotoStore::S3 {
        bucket,
        prefix,
        client,
    } = store
    else {
        return open_local_photo_store(data);
    };
    let mut client = client.as_ref().clone().with_bucket_name(bucket);
    // The SHA-256 of every photo goes with its PUT (`x-amz-checksum-sha256`), so the store
    // itself refuses bytes damaged on the way; unless the environment chose another checksum.
    if client
        .get_config_value(&AmazonS3ConfigKey::Checksum)
        .is_none()
    {
        client = client.with_checksum_algorithm(Checksum::SHA256);
    }
    // A few quick retries, not object_store's default of up to three minutes: a phone's
    // upload is better refused soon (it sends again later) than held, and an endpoint that
    // does not answer stops the server at start-up in seconds.
    client = client.with_retry(RetryConfig {
        max_retries: 3,
        retry_timeout: Duration::from_secs(15),
        backoff: BackoffConfig::default(),
    });
    let s3 = client
        .build()
        .with_context(|| format!("cannot open the photo store {store}"))?;
    Ok(match prefix {
        Some(prefix) => Arc::new(PrefixStore::new(s3, prefix.clone())),
        None => Arc::new(s3),
    })
}

/// The photo store on the local disk, rooted at `<data>/photos` (created if missing).
pub fn open_local_photo_store(data: &Path) -> Result<Arc<dyn ObjectStore>> {
    let dir = data.join(PHOTOS_DIR);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the photo folder {}", dir.display()))?;
    let store = LocalFileSystem::new_with_prefix(&dir)
        .with_context(|| format!("cannot open the photo folder {}", dir.display()))?;
    Ok(Arc::new(store))
}

/// Whether the photo store answers (`/api/v1/health`, and at start-up).
pub async fn photo_store_answers(api: &Api) -> object_store::Result<()> {
    let probe = object_store::path::Path::from("health-check");
    if api.photo_store_kind == "s3" {
        // A listing of keys that are never there: empty, but unlike a HEAD (404 whether the
        // object or the whole bucket is missing) it fails for a bucket that does not exist.
        api.photos.list_with_delimiter(Some(&probe)).await?;
        return Ok(());
    }
    // Asking for a photo that is never there: "not found" is the store answering.
    match api.photos.head(&probe).await {
        Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Everything the API routes share.
#[derive(Clone)]
pub struct Api {
    pub db: AnyPool,
    /// What [`Api::db`] is.
    pub database: DatabaseKind,
    pub photos: Arc<dyn ObjectStore>,
    /// What [`Api::photos`] is, for `/api/v1/health`: `"local"` or `"s3"`.
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
        let url = config.database_url();
        let database = DatabaseKind::of_url(&url)?;
        let db = open_database(&url).await?;
        let photos = open_photo_store(&config.photo_store, &config.data)?;
        let api = Api {
            db,
            database,
            photos,
            photo_store_kind: config.photo_store.kind(),
            limits: Limits::default(),
            metrics: Default::default(),
        };
        // A wrong bucket, endpoint or key stops the server here rather than failing every
        // photo upload later.
        photo_store_answers(&api)
            .await
            .with_context(|| format!("the photo store {} does not answer", config.photo_store))?;
        Ok(api)
    }

    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// See [`crate::changes::begin_write`].
    pub async fn begin_write(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        crate::changes::begin_write(&self.db, self.database).await
    }
}

#[cfg(test)]
mod tests {
    use super::{DatabaseKind, PhotoStore, shown_url};

    #[test]
    fn database_urls() {
        assert_eq!(
            DatabaseKind::of_url("sqlite://data/river-patrol.db").unwrap(),
            DatabaseKind::Sqlite
        );
        assert_eq!(
            DatabaseKind::of_url("sqlite::memory:").unwrap(),
            DatabaseKind::Sqlite
        );
        for pg in [
            "postgres://rp@db/patrol",
            "postgresql://rp:secret@db:5432/patrol",
        ] {
            assert_eq!(DatabaseKind::of_url(pg).unwrap(), DatabaseKind::Postgres);
        }
        let e = format!(
            "{:#}",
            DatabaseKind::of_url("mysql://rp:secret@db/patrol").unwrap_err()
        );
        assert!(e.contains("unsupported database URL"), "{e}");
        assert!(!e.contains("secret"), "the password is shown: {e}");

        assert_eq!(
            shown_url("postgres://rp:secret@db:5432/patrol?sslmode=require"),
            "postgres://rp:***@db:5432/patrol?sslmode=require"
        );
        assert_eq!(
            shown_url("postgres://rp@db/patrol"),
            "postgres://rp@db/patrol"
        );
        assert_eq!(shown_url("postgres://rp:p@ss@db"), "postgres://rp:***@db");
        assert_eq!(
            shown_url("sqlite://data/river-patrol.db"),
            "sqlite://data/river-patrol.db"
        );
    }

    #[test]
    fn photo_store_urls() {
        let PhotoStore::S3 { bucket, prefix, .. } =
            PhotoStore::from_url("s3://river-photos").unwrap()
        else {
            panic!("not S3")
        };
        assert_eq!((bucket.as_str(), prefix), ("river-photos", None));
        let store = PhotoStore::from_url("s3://river-photos/township/photos/").unwrap();
        assert_eq!(store.to_string(), "s3://river-photos/township/photos");
        assert_eq!(store.kind(), "s3");

        for (bad, says) in [
            ("/srv/photos", "unsupported photo store"),
            ("s3:/river-photos", "unsupported photo store"),
            ("s3://", "not a bucket name"),
            ("s3://River_Photos", "not a bucket name"),
            ("s3://river-photos/a/../b", "not a key prefix"),
        ] {
            let e = format!("{:#}", PhotoStore::from_url(bad).unwrap_err());
            assert!(e.contains(says), "{bad}: {e}");
        }
    }
}
