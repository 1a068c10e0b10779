//! The map under the problems (一张图): which raster tiles the township chose, and the
//! arithmetic of the Web-Mercator tile grid that the map screen and the offline map area
//! (下载本村地图) both need: which tiles cover an area, how many there are, and roughly how
//! many megabytes they take, said before anything downloads.
//!
//! Coordinates are WGS 84 degrees as the phone's GPS gives them. Tianditu (天地图) publishes
//! its `_w` layers in CGCS2000, which is within centimetres of WGS 84, so its tiles line up
//! with GPS fixes as they are. Maps in GCJ-02 (AMap, Tencent) are shifted by hundreds of
//! metres and are not supported as a basemap: a marker would sit in the wrong field.

use serde::{Deserialize, Serialize};

use crate::geo::EARTH_RADIUS_M;

/// Web Mercator stops short of the poles: tiles cover latitudes up to this, both ways.
pub const MAX_LATITUDE: f64 = 85.051_128_779_806_59;
/// Deepest zoom a tile template may claim (about 0.6 m a pixel).
pub const MAX_ZOOM: u8 = 20;
/// Deepest zoom an offline area is downloaded to by default (about 1.2 m a pixel, enough to
/// tell an outfall from the bank beside it); a basemap that stops earlier stops it earlier.
pub const AREA_MAX_ZOOM: u8 = 17;
/// Shallowest zoom an offline area starts from: the township around the village.
pub const AREA_MIN_ZOOM: u8 = 10;
/// Margin kept around a village's problems and tracks when its area is planned, in metres.
pub const AREA_MARGIN_M: f64 = 500.0;
/// Most tiles one offline area may hold (about 50 MB at [`TYPICAL_TILE_BYTES`]): past it the
/// app asks for a smaller area instead of filling the phone.
pub const AREA_MAX_TILES: u64 = 3_000;
/// What one 256-pixel raster tile weighs, as the estimate shown before a download: satellite
/// imagery runs 15–30 KB a tile, street maps 5–15 KB. Once tiles arrive, the app says what
/// they really weigh.
pub const TYPICAL_TILE_BYTES: u64 = 16 * 1024;
/// The path the server serves its own tiles under (`--tiles`), relative to its origin.
pub const SERVER_TILES_TEMPLATE: &str = "/api/v1/tiles/{z}/{x}/{y}";

/// The raster tiles a township chose (`GET /api/v1/township`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Basemap {
    /// URL template with `{z}`, `{x}` and `{y}` (or `{-y}` for TMS rows): absolute
    /// (`https://…`), or a path on the sync server ([`SERVER_TILES_TEMPLATE`]). A WMTS
    /// GetTile URL in the Web-Mercator matrix set fits too, with `TILEMATRIX={z}`,
    /// `TILECOL={x}`, `TILEROW={y}`.
    pub tiles: String,
    /// Who must be credited on the map (e.g. "天地图"); empty when nobody.
    #[serde(default)]
    pub attribution: String,
    /// Deepest zoom the source has.
    pub max_zoom: u8,
}

/// Why a tile template was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BasemapError {
    /// Neither `https://host`, `http://host` (a host name, or an address, with a port) nor a
    /// path starting with `/`.
    NotAUrl,
    /// One of `{z}`, `{x}`, `{y}` is missing.
    MissingPlaceholder(&'static str),
    /// Deeper than [`MAX_ZOOM`].
    ZoomTooDeep(u8),
}

impl std::fmt::Display for BasemapError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BasemapError::NotAUrl => write!(
                f,
                "a tile template starts with https://, http:// or / (a path on this server)"
            ),
            BasemapError::MissingPlaceholder(p) => {
                write!(f, "a tile template needs {p} (and {{z}}, {{x}}, {{y}})")
            }
            BasemapError::ZoomTooDeep(z) => write!(f, "zoom {z} is deeper than {MAX_ZOOM}"),
        }
    }
}

impl std::error::Error for BasemapError {}

impl Basemap {
    /// A basemap from a tile template, checked.
    pub fn new(tiles: &str, attribution: &str, max_zoom: u8) -> Result<Basemap, BasemapError> {
        let tiles = tiles.trim();
        if !(tiles.starts_with("https://")
            || tiles.starts_with("http://")
            || tiles.starts_with('/'))
        {
            return Err(BasemapError::NotAUrl);
        }
        for p in ["{z}", "{x}"] {
            if !tiles.contains(p) {
                return Err(BasemapError::MissingPlaceholder(p));
            }
        }
        if !tiles.contains("{y}") && !tiles.contains("{-y}") {
            return Err(BasemapError::MissingPlaceholder("{y}"));
        }
        let host = tiles
            .strip_prefix("https://")
            .or_else(|| tiles.strip_prefix("http://"))
            .map(|rest| &rest[..rest.find(['/', '?']).unwrap_or(rest.len())]);
        let plain_host = |host: &str| {
            !host.is_empty()
                && host.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
                })
        };
        if host.is_some_and(|host| !plain_host(host)) {
            return Err(BasemapError::NotAUrl);
        }
        if max_zoom > MAX_ZOOM {
            return Err(BasemapError::ZoomTooDeep(max_zoom));
        }
        Ok(Basemap {
            tiles: tiles.to_owned(),
            attribution: attribution.trim().to_owned(),
            max_zoom,
        })
    }

    /// The URL of one tile. A template that is a path stays a path: the caller puts the sync
    /// server's origin in front.
    pub fn tile_url(&self, tile: TileId) -> String {
        let tms_y = (1u64 << tile.z) - 1 - u64::from(tile.y);
        self.tiles
            .replace("{z}", &tile.z.to_string())
            .replace("{x}", &tile.x.to_string())
            .replace("{-y}", &tms_y.to_string())
            .replace("{y}", &tile.y.to_string())
    }

    /// The origin (`https://host[:port]`) the tiles come from, when they come from another
    /// server than the sync server: the server's Content-Security-Policy must allow it.
    pub fn origin(&self) -> Option<&str> {
        let rest = self
            .tiles
            .strip_prefix("https://")
            .or_else(|| self.tiles.strip_prefix("http://"))?;
        let host_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let scheme = self.tiles.len() - rest.len();
        Some(&self.tiles[..scheme + host_end])
    }
}

/// One tile of the Web-Mercator grid: `x` from the antimeridian eastwards, `y` from the north.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TileId {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

impl TileId {
    /// The tile holding a point at zoom `z`. Latitudes beyond [`MAX_LATITUDE`] fall in the
    /// first or last row.
    pub fn at(latitude: f64, longitude: f64, z: u8) -> TileId {
        let (x, y) = world_pixel(latitude, longitude, z);
        let last = (1u32 << z) - 1;
        TileId {
            z,
            x: clamp_index(x / TILE_PX, last),
            y: clamp_index(y / TILE_PX, last),
        }
    }
}

/// The side of a tile in pixels.
pub const TILE_PX: f64 = 256.0;

/// A point's place on the whole world's map at zoom `z`, in pixels from its north-west corner
/// ([`TILE_PX`] a tile). Latitudes beyond [`MAX_LATITUDE`] are taken at it.
pub fn world_pixel(latitude: f64, longitude: f64, z: u8) -> (f64, f64) {
    let size = TILE_PX * f64::from(1u32 << z);
    let lat = latitude.clamp(-MAX_LATITUDE, MAX_LATITUDE).to_radians();
    let x = (longitude + 180.0) / 360.0 * size;
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * size;
    (x, y)
}

fn clamp_index(value: f64, last: u32) -> u32 {
    // `as` saturates: NaN is 0, negatives 0.
    (value.floor().max(0.0) as u32).min(last)
}

/// A box of latitude and longitude, south-west to north-east.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bounds {
    pub south: f64,
    pub west: f64,
    pub north: f64,
    pub east: f64,
}

impl Bounds {
    /// The smallest box holding every `(latitude, longitude)` point, widened by `margin_m` on
    /// each side; `None` without a point.
    pub fn around(points: impl IntoIterator<Item = (f64, f64)>, margin_m: f64) -> Option<Bounds> {
        let mut points = points
            .into_iter()
            .filter(|(lat, lon)| lat.is_finite() && lon.is_finite());
        let (lat, lon) = points.next()?;
        let mut b = Bounds {
            south: lat,
            west: lon,
            north: lat,
            east: lon,
        };
        for (lat, lon) in points {
            b.south = b.south.min(lat);
            b.north = b.north.max(lat);
            b.west = b.west.min(lon);
            b.east = b.east.max(lon);
        }
        let metres_per_degree = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
        let dlat = margin_m / metres_per_degree;
        // The widest parallel of the box is the one nearest the equator.
        let nearest_equator = if b.south <= 0.0 && b.north >= 0.0 {
            0.0
        } else {
            b.south.abs().min(b.north.abs())
        };
        let dlon = margin_m / (metres_per_degree * nearest_equator.to_radians().cos().max(0.01));
        Some(Bounds {
            south: (b.south - dlat).max(-MAX_LATITUDE),
            west: (b.west - dlon).max(-180.0),
            north: (b.north + dlat).min(MAX_LATITUDE),
            east: (b.east + dlon).min(180.0),
        })
    }

    /// The tiles covering the box at zoom `z`, as inclusive column and row ranges.
    fn tile_span(&self, z: u8) -> (TileId, TileId) {
        (
            TileId::at(self.north, self.west, z),
            TileId::at(self.south, self.east, z),
        )
    }

    /// How many tiles cover the box at each zoom of `zooms`.
    pub fn tile_count(&self, zooms: std::ops::RangeInclusive<u8>) -> u64 {
        zooms
            .map(|z| {
                let (nw, se) = self.tile_span(z);
                u64::from(se.x - nw.x + 1) * u64::from(se.y - nw.y + 1)
            })
            .sum()
    }

    /// Every tile covering the box at each zoom of `zooms`, shallow zooms first (so that a
    /// download cut short still has the overview), row by row.
    pub fn tiles(&self, zooms: std::ops::RangeInclusive<u8>) -> impl Iterator<Item = TileId> {
        let bounds = *self;
        zooms.flat_map(move |z| {
            let (nw, se) = bounds.tile_span(z);
            (nw.y..=se.y).flat_map(move |y| (nw.x..=se.x).map(move |x| TileId { z, x, y }))
        })
    }
}

/// An offline map area as planned before it downloads: what is shown to the official for
/// them to say yes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AreaPlan {
    pub bounds: Bounds,
    pub min_zoom: u8,
    pub max_zoom: u8,
    pub tiles: u64,
    /// `tiles` × [`TYPICAL_TILE_BYTES`].
    pub estimated_bytes: u64,
}

impl AreaPlan {
    /// The plan for `bounds` on `basemap`: from [`AREA_MIN_ZOOM`] down to [`AREA_MAX_ZOOM`]
    /// or the basemap's deepest zoom, whichever is shallower.
    pub fn new(bounds: Bounds, basemap: &Basemap) -> AreaPlan {
        let max_zoom = basemap.max_zoom.min(AREA_MAX_ZOOM);
        let min_zoom = AREA_MIN_ZOOM.min(max_zoom);
        let tiles = bounds.tile_count(min_zoom..=max_zoom);
        AreaPlan {
            bounds,
            min_zoom,
            max_zoom,
            tiles,
            estimated_bytes: tiles * TYPICAL_TILE_BYTES,
        }
    }

    /// Past [`AREA_MAX_TILES`]: the app asks for a smaller area.
    pub fn too_large(&self) -> bool {
        self.tiles > AREA_MAX_TILES
    }

    /// Every tile of the plan, in download order.
    pub fn tiles(&self) -> impl Iterator<Item = TileId> {
        self.bounds.tiles(self.min_zoom..=self.max_zoom)
    }
}

/// Where the phone keeps its offline map area's plan and progress (the tiles themselves are in
/// the browser's Cache Storage): one entry, so a reload goes on where the download stopped.
pub const MAP_AREA_KEY: &str = "rp/v1/map-area";

/// An offline map area on the phone: what was planned, where its tiles come from and how far
/// the download got. Tiles are fetched in [`AreaPlan::tiles`] order, so "how far" is one
/// number: the tiles before `done` are handled (kept, or missing at the source).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AreaDownload {
    pub plan: AreaPlan,
    /// The absolute tile template the tiles were fetched by: the map asks for them by the same
    /// URLs, which is how the service worker finds them.
    pub template: String,
    /// Tiles of the plan handled so far, in download order.
    pub done: u64,
    /// Tiles kept on the phone.
    pub stored: u64,
    /// Tiles the source does not have (outside its coverage): the map leaves them blank.
    pub missing: u64,
    /// What the kept tiles weigh, in bytes.
    pub bytes: u64,
    /// The official paused it. A lost connection stops it too, but not this: the download
    /// goes on by itself when the connection comes back.
    #[serde(default)]
    pub paused: bool,
}

/// What became of one tile's download.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TileOutcome {
    /// Kept on the phone, with its size in bytes.
    Stored(u64),
    /// The source has no such tile.
    Missing,
}

impl AreaDownload {
    /// A download about to start, nothing fetched yet.
    pub fn new(plan: AreaPlan, template: &str) -> AreaDownload {
        AreaDownload {
            plan,
            template: template.to_owned(),
            done: 0,
            stored: 0,
            missing: 0,
            bytes: 0,
            paused: false,
        }
    }

    /// Every tile is handled.
    pub fn finished(&self) -> bool {
        self.done >= self.plan.tiles
    }

    /// The next `count` tiles to fetch, at most; none once finished.
    pub fn next_tiles(&self, count: usize) -> Vec<TileId> {
        let skip = usize::try_from(self.done).unwrap_or(usize::MAX);
        self.plan.tiles().skip(skip).take(count).collect()
    }

    /// Counts the next tile's outcome (the one at `done`).
    pub fn record(&mut self, outcome: TileOutcome) {
        if self.finished() {
            return;
        }
        self.done += 1;
        match outcome {
            TileOutcome::Stored(bytes) => {
                self.stored += 1;
                self.bytes += bytes;
            }
            TileOutcome::Missing => self.missing += 1,
        }
    }

    /// What the whole area will weigh once finished: the tiles kept so far at their real
    /// average, the rest at [`TYPICAL_TILE_BYTES`] until some have arrived.
    pub fn expected_bytes(&self) -> u64 {
        let left = self.plan.tiles.saturating_sub(self.done);
        let each = self
            .bytes
            .checked_div(self.stored)
            .unwrap_or(TYPICAL_TILE_BYTES);
        self.bytes + left * each
    }
}
