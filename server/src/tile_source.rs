//! The township's own map tiles (`--tiles`), for a township that hosts its basemap rather than
//! pointing the phones at Tianditu: a folder laid out `{z}/{x}/{y}.png` (or `.jpg`, `.webp`),
//! as tile exporters and `gdal2tiles --xyz` write it, or one MBTiles file (a SQLite database
//! with rows counted from the south). Raster tiles only: the map draws images.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use patrol_core::basemap::{MAX_ZOOM, TileId};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};

/// Where the tiles are read from.
#[derive(Debug, Clone)]
pub enum TileSource {
    Folder(PathBuf),
    MbTiles(SqlitePool),
}

/// One tile's bytes and their media type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tile {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
}

/// The file endings a tile folder may use, in the order they are looked for.
const FOLDER_ENDINGS: [&str; 4] = ["png", "jpg", "jpeg", "webp"];

impl TileSource {
    /// Opens `path`: a folder, or an MBTiles file (read only). A vector MBTiles file is
    /// refused with the reason.
    pub async fn open(path: &Path) -> Result<TileSource> {
        if path.is_dir() {
            return Ok(TileSource::Folder(path.to_owned()));
        }
        if !path.is_file() {
            bail!("--tiles {}: no such folder or file", path.display());
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .read_only(true)
            .immutable(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .with_context(|| format!("--tiles {}: not an MBTiles file", path.display()))?;
        let format: Option<(String,)> =
            sqlx::query_as("SELECT value FROM metadata WHERE name = 'format'")
                .fetch_optional(&pool)
                .await
                .with_context(|| format!("--tiles {}: not an MBTiles file", path.display()))?;
        if let Some((format,)) = format
            && !matches!(format.as_str(), "png" | "jpg" | "jpeg" | "webp")
        {
            bail!(
                "--tiles {}: its tiles are {format}; the map draws raster tiles (png, jpg or webp)",
                path.display()
            );
        }
        Ok(TileSource::MbTiles(pool))
    }

    /// The tile, or `None` when the source does not have it.
    pub async fn tile(&self, tile: TileId) -> Result<Option<Tile>> {
        let bytes = match self {
            TileSource::Folder(root) => {
                let dir = root.join(tile.z.to_string()).join(tile.x.to_string());
                let mut found = None;
                for ending in FOLDER_ENDINGS {
                    match tokio::fs::read(dir.join(format!("{}.{ending}", tile.y))).await {
                        Ok(bytes) => {
                            found = Some(bytes);
                            break;
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(e).context("reading a tile"),
                    }
                }
                found
            }
            TileSource::MbTiles(pool) => {
                let row = (1i64 << tile.z) - 1 - i64::from(tile.y);
                let found: Option<(Vec<u8>,)> = sqlx::query_as(
                    "SELECT tile_data FROM tiles \
                     WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                )
                .bind(i64::from(tile.z))
                .bind(i64::from(tile.x))
                .bind(row)
                .fetch_optional(pool)
                .await
                .context("reading a tile")?;
                found.map(|(bytes,)| bytes)
            }
        };
        Ok(bytes.map(|bytes| Tile {
            content_type: media_type(&bytes),
            bytes,
        }))
    }

    /// The deepest zoom the source holds, if it says.
    pub async fn max_zoom(&self) -> Option<u8> {
        match self {
            TileSource::Folder(root) => std::fs::read_dir(root)
                .ok()?
                .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u8>().ok())
                .filter(|z| *z <= MAX_ZOOM)
                .max(),
            TileSource::MbTiles(pool) => {
                let deepest: Option<(Option<i64>,)> =
                    sqlx::query_as("SELECT MAX(zoom_level) FROM tiles")
                        .fetch_optional(pool)
                        .await
                        .ok()?;
                u8::try_from(deepest?.0?).ok().filter(|z| *z <= MAX_ZOOM)
            }
        }
    }
}

/// The media type of a raster tile, by its first bytes.
fn media_type(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"\x89PNG") {
        "image/png"
    } else if bytes.starts_with(&[0xFF, 0xD8]) {
        "image/jpeg"
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        "image/webp"
    } else {
        "application/octet-stream"
    }
}
