//! What every API route shares ([`AppState`]): the database, the photo store, the limits, the
//! township's patrol rule and map, the metrics and the count of wrong tokens, opened once at start-up
//! from [`StoreConfig`] (where the data lives).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use object_store::ObjectStore;
use patrol_core::Limits;
use patrol_core::basemap::{AREA_MAX_ZOOM, Basemap, SERVER_TILES_TEMPLATE};
use patrol_core::patrol_rule::PatrolRule;
use sqlx::{Any, AnyPool, Transaction};
use uuid::Uuid;

use crate::auth_failures::AuthFailures;
use crate::db::{self, DATABASE_FILE, DatabaseKind};
use crate::metrics::Metrics;
use crate::photo_store::{self, PhotoStore};
use crate::tile_source::TileSource;

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

/// Everything the API routes share.
#[derive(Clone)]
pub struct AppState {
    pub db: AnyPool,
    /// What [`AppState::db`] is.
    pub database: DatabaseKind,
    pub photos: Arc<dyn ObjectStore>,
    /// What [`AppState::photos`] is, for `/api/v1/health`: `"local"` or `"s3"`.
    pub photo_store_kind: &'static str,
    pub limits: Limits,
    /// What makes a patrol valid in this township (`GET /api/v1/township`).
    pub patrol_rule: PatrolRule,
    /// The tiles under the map (`GET /api/v1/township`); `None`: a plain grid.
    pub basemap: Option<Basemap>,
    /// The township's own tiles (`GET /api/v1/tiles/…`), when it hosts them here.
    pub tiles: Option<TileSource>,
    pub metrics: Metrics,
    /// The secret imported rows' ids are made under (`patrol_core::import::ImportIds`).
    pub import_secret: Uuid,
    /// Wrong tokens by client address (429 after too many).
    pub auth_failures: Arc<AuthFailures>,
    /// The origin phones reach this server at (`--public-url`, e.g. `https://xhz.example.cn`),
    /// for the connect links of new tokens; `None`: each request's own Host and scheme
    /// (`crate::extract::PublicOrigin`).
    pub public_url: Option<String>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("photos", &self.photos.to_string())
            .field("limits", &self.limits)
            .field("patrol_rule", &self.patrol_rule)
            .field("basemap", &self.basemap)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Opens the database and the photo store under `config`, with the default limits and
    /// patrol rule.
    pub async fn open(config: &StoreConfig) -> Result<AppState> {
        std::fs::create_dir_all(&config.data)
            .with_context(|| format!("cannot create the data folder {}", config.data.display()))?;
        let url = config.database_url();
        let database = DatabaseKind::of_url(&url)?;
        let db = db::open_database(&url).await?;
        let photos = photo_store::open_photo_store(&config.photo_store, &config.data)?;
        let import_secret = db::secrets::import_secret(&db)
            .await
            .map_err(|e| anyhow::anyhow!("cannot read the import secret: {e:?}"))?;
        let state = AppState {
            import_secret,
            db,
            database,
            photos,
            photo_store_kind: config.photo_store.kind(),
            limits: Limits::default(),
            patrol_rule: PatrolRule::default(),
            basemap: None,
            tiles: None,
            metrics: Default::default(),
            auth_failures: Default::default(),
            public_url: None,
        };
        // A wrong bucket, endpoint or key stops the server here rather than failing every
        // photo upload later.
        state
            .photo_store_answers()
            .await
            .with_context(|| format!("the photo store {} does not answer", config.photo_store))?;
        Ok(state)
    }

    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Names the origin phones reach this server at (checked with `crate::origin`), for the
    /// connect links of new tokens.
    pub fn with_public_url(mut self, public_url: Option<String>) -> Self {
        self.public_url = public_url;
        self
    }

    pub fn with_patrol_rule(mut self, patrol_rule: PatrolRule) -> Self {
        self.patrol_rule = patrol_rule;
        self
    }

    /// The township's map: `basemap` as given, or else the tiles served here from `tiles`
    /// ([`SERVER_TILES_TEMPLATE`]) down to the deepest zoom they hold.
    pub async fn with_map(mut self, basemap: Option<Basemap>, tiles: Option<TileSource>) -> Self {
        self.basemap = match (basemap, &tiles) {
            (Some(basemap), _) => Some(basemap),
            (None, Some(tiles)) => {
                let max_zoom = tiles.max_zoom().await.unwrap_or(AREA_MAX_ZOOM);
                Some(
                    Basemap::new(SERVER_TILES_TEMPLATE, "", max_zoom)
                        .expect("the server's own template is one"),
                )
            }
            (None, None) => None,
        };
        self.tiles = tiles;
        self
    }

    /// Whether the photo store answers (`/api/v1/health`, and at start-up).
    pub async fn photo_store_answers(&self) -> object_store::Result<()> {
        photo_store::answers(self.photos.as_ref(), self.photo_store_kind).await
    }

    /// See [`db::changes::begin_write`].
    pub async fn begin_write(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        db::changes::begin_write(&self.db, self.database).await
    }
}
