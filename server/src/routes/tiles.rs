//! `GET /api/v1/tiles/{z}/{x}/{y}`: the township's own map tiles (`--tiles`,
//! `crate::tile_source`). Open without a token: the map draws tiles as images, which carry no
//! header, and a basemap of the river is no secret. A tile the source lacks is a 404, which
//! the map shows as a blank square.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::extract::TilePath;
use crate::state::AppState;

/// How long a phone's browser may keep a tile without asking again: a day, as a township
/// may put new imagery in place.
const TILE_CACHE_CONTROL: &str = "public, max-age=86400";

pub(super) async fn tile(
    State(state): State<AppState>,
    TilePath(tile): TilePath,
) -> Result<Response, AppError> {
    let Some(source) = &state.tiles else {
        return Err(AppError::NotFound(
            "this server serves no map tiles (--tiles)".to_owned(),
        ));
    };
    let found = source.tile(tile).await.map_err(|e| {
        tracing::error!("tiles: {e:#}");
        AppError::Unavailable("the map tiles cannot be read".to_owned())
    })?;
    let Some(found) = found else {
        return Err(AppError::NotFound(format!(
            "no tile {}/{}/{}",
            tile.z, tile.x, tile.y
        )));
    };
    Ok((
        [
            (header::CONTENT_TYPE, found.content_type),
            (header::CACHE_CONTROL, TILE_CACHE_CONTROL),
        ],
        found.bytes,
    )
        .into_response())
}
