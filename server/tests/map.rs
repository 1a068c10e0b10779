//! The township's own map tiles (`--tiles`): served from a folder or an MBTiles file at
//! `/api/v1/tiles/{z}/{x}/{y}` without a token (the map loads them as images), announced to the
//! phones as the basemap, and refused with a reason when they cannot be drawn.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::*;
use patrol_core::basemap::{Basemap, SERVER_TILES_TEMPLATE, TileId};
use patrol_core::sync::{Township, code, township_path};
use river_patrol_server::tile_source::TileSource;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

/// Bytes that start as a PNG does, different for each tile.
fn png(tile: TileId) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend(format!("{}/{}/{}", tile.z, tile.x, tile.y).as_bytes());
    bytes
}

fn get(path: &str) -> Request<Body> {
    Request::builder()
        .method(Method::GET)
        .uri(path)
        .body(Body::empty())
        .unwrap()
}

const BANK: TileId = TileId {
    z: 17,
    x: 104_690,
    y: 53_547,
};

#[tokio::test]
async fn tiles_from_a_folder_are_served_without_a_token_and_become_the_basemap() {
    let mut s = Server::new().await;
    let folder = s.dir.path().join("tiles");
    for tile in [
        BANK,
        TileId {
            z: 12,
            x: 3271,
            y: 1673,
        },
    ] {
        let dir = folder.join(tile.z.to_string()).join(tile.x.to_string());
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{}.png", tile.y)), png(tile)).unwrap();
    }
    let tiles = TileSource::open(&folder).await.unwrap();
    s.api = s.api.clone().with_map(None, Some(tiles)).await;

    let (status, headers, body) = s.send(get("/api/v1/tiles/17/104690/53547")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=86400");
    assert_eq!(body.as_ref(), png(BANK).as_slice());

    // A tile the folder lacks is a plain 404: the map leaves that square blank.
    let (status, _, _) = s.send(get("/api/v1/tiles/17/104690/53548")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The phones are told to draw these, down to the deepest zoom the folder holds.
    let (status, body) = s
        .json(Method::GET, &township_path(), Some(&s.device), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let township: Township = serde_json::from_value(body).unwrap();
    assert_eq!(
        township.basemap,
        Some(Basemap::new(SERVER_TILES_TEMPLATE, "", 17).unwrap())
    );
}

#[tokio::test]
async fn tiles_from_an_mbtiles_file_are_read_with_their_rows_from_the_south() {
    let mut s = Server::new().await;
    let file = s.dir.path().join("township.mbtiles");
    let pool = SqlitePoolOptions::new()
        .connect_with(
            SqliteConnectOptions::new()
                .filename(&file)
                .create_if_missing(true),
        )
        .await
        .unwrap();
    for sql in [
        "CREATE TABLE metadata (name TEXT, value TEXT)",
        "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)",
        "INSERT INTO metadata VALUES ('format', 'png'), ('name', '红星村')",
    ] {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    // MBTiles counts rows from the south: row y from the north is 2^z - 1 - y.
    sqlx::query("INSERT INTO tiles VALUES (?, ?, ?, ?)")
        .bind(17i64)
        .bind(104_690i64)
        .bind((1i64 << 17) - 1 - 53_547)
        .bind(png(BANK))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let tiles = TileSource::open(&file).await.unwrap();
    s.api = s.api.clone().with_map(None, Some(tiles)).await;
    let (status, headers, body) = s.send(get("/api/v1/tiles/17/104690/53547")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(body.as_ref(), png(BANK).as_slice());
    let (status, _, _) = s.send(get("/api/v1/tiles/17/104690/53546")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let township: Township = serde_json::from_value(
        s.json(Method::GET, &township_path(), Some(&s.office), None)
            .await
            .1,
    )
    .unwrap();
    assert_eq!(township.basemap.unwrap().max_zoom, 17);
}

#[tokio::test]
async fn a_vector_mbtiles_file_or_a_missing_path_is_refused_with_the_reason() {
    let s = Server::new().await;
    let file = s.dir.path().join("vector.mbtiles");
    let pool = SqlitePoolOptions::new()
        .connect_with(
            SqliteConnectOptions::new()
                .filename(&file)
                .create_if_missing(true),
        )
        .await
        .unwrap();
    sqlx::query("CREATE TABLE metadata (name TEXT, value TEXT)")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO metadata VALUES ('format', 'pbf')")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let said = TileSource::open(&file).await.unwrap_err().to_string();
    assert!(said.contains("pbf") && said.contains("raster"), "{said}");

    let said = TileSource::open(&s.dir.path().join("nowhere"))
        .await
        .unwrap_err()
        .to_string();
    assert!(said.contains("no such folder or file"), "{said}");
}

#[tokio::test]
async fn a_tile_outside_the_grid_is_refused_and_a_server_without_tiles_has_none() {
    let s = Server::new().await;
    for path in [
        "/api/v1/tiles/21/0/0",
        "/api/v1/tiles/2/4/0",
        "/api/v1/tiles/2/0/4",
        "/api/v1/tiles/a/0/0",
        "/api/v1/tiles/2/0/1.png",
    ] {
        let (status, _, body) = s.send(get(path)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(error_code(&body), code::BAD_ID, "{path}");
    }
    let (status, _, body) = s.send(get("/api/v1/tiles/2/0/1")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert!(body.to_string().contains("--tiles"), "says why: {body}");
}
