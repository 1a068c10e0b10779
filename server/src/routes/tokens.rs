//! `/api/v1/tokens`: the township office's desk manages devices and access without a
//! terminal (issue 27). It lists every token (never a secret) with when it last synced and how
//! many records its phone still had waiting, makes a village's token with the link and QR code
//! that connect a phone to it, and revokes a token. Only an office token may call these: the
//! handlers take [`Office`], so a village's token is refused 403 before anything is read or
//! stored.

use axum::extract::State;
use axum::http::StatusCode;
use patrol_core::sync::{NewToken, NewTokenRequest, TokenInfo, TokenList, connect_link};
use qrcode::QrCode;
use qrcode::render::svg;

use crate::db::tokens;
use crate::error::AppError;
use crate::extract::{AppJson, Office, PublicOrigin, TokenId};
use crate::state::AppState;

/// `GET /api/v1/tokens`: every token, oldest first.
pub(super) async fn list(
    _office: Office,
    State(state): State<AppState>,
) -> Result<AppJson<TokenList>, AppError> {
    let tokens = tokens::list(&state.db)
        .await?
        .iter()
        .map(tokens::TokenInfo::to_wire)
        .collect::<anyhow::Result<_>>()?;
    Ok(AppJson(TokenList { tokens }))
}

/// `POST /api/v1/tokens`: a token for a village's officer (or, with no village, another
/// office token), answered once with its secret, its connect link and that link as a QR code.
pub(super) async fn create(
    _office: Office,
    State(state): State<AppState>,
    PublicOrigin(origin): PublicOrigin,
    AppJson(request): AppJson<NewTokenRequest>,
) -> Result<(StatusCode, AppJson<NewToken>), AppError> {
    // Checked before storing, so a bad name is a 400 and leaves no token behind.
    let (officer, village) = tokens::holder(&request.officer, request.village.as_deref())
        .map_err(AppError::bad_request)?;
    let new = tokens::create(&state.db, officer, village).await?;
    let link = connect_link(&origin, &new.token);
    let qr_svg = qr_svg(&link)?;
    tracing::info!(
        id = new.id,
        officer,
        village,
        "token made at the office's desk"
    );
    Ok((
        StatusCode::CREATED,
        AppJson(NewToken {
            id: new.id,
            token: new.token,
            link,
            qr_svg,
        }),
    ))
}

/// `link` as an SVG QR code, large enough for a phone's camera across a desk.
fn qr_svg(link: &str) -> Result<String, AppError> {
    let code = QrCode::new(link.as_bytes())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("cannot make the QR code: {e}")))?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(256, 256)
        .build())
}

/// `DELETE /api/v1/tokens/{id}`: revokes the token and answers what it was. An office token
/// may not revoke itself (409 `own_token`), so the township cannot lock itself out from its
/// own desk; a token that is not there or already revoked is a 404.
pub(super) async fn revoke(
    Office(office): Office,
    State(state): State<AppState>,
    TokenId(id): TokenId,
) -> Result<AppJson<TokenInfo>, AppError> {
    if id == office.token_id {
        return Err(AppError::OwnToken);
    }
    if !tokens::revoke(&state.db, id).await? {
        return Err(AppError::NotFound(format!(
            "no token {id} that is not already revoked"
        )));
    }
    let revoked = tokens::get(&state.db, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no token {id}")))?;
    tracing::info!(
        id,
        officer = revoked.officer,
        "token revoked at the office's desk"
    );
    Ok(AppJson(revoked.to_wire()?))
}
