//! `GET /api/v1/me`: whom a token belongs to. The office's connect link carries only the
//! token; from this the phone fills in the officer and village it writes on new records.

use patrol_core::sync::TokenHolder;

use crate::db::tokens::Caller;
use crate::extract::AppJson;

/// `GET /api/v1/me`: the caller's officer and village (none for a township token).
pub(super) async fn me(caller: Caller) -> AppJson<TokenHolder> {
    AppJson(TokenHolder {
        officer: caller.officer,
        village: caller.village,
    })
}
