//! Access tokens: created and revoked by the `token` command or the office's desk
//! (`/api/v1/tokens`), each tied to an officer and a village (or to every village, for the
//! township office). Only a token's SHA-256 is stored, and a request's token is found by
//! looking its hash up, so the raw token is never compared. Each successful sync request
//! notes its time and the phone's count of records waiting on the token's row ([`synced`]),
//! for the desk's list.

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::{AnyPool, FromRow};

/// A token just made: `token` is shown once and never stored.
#[derive(Clone, Debug)]
pub struct NewToken {
    pub id: i64,
    pub token: String,
}

/// A stored token, without the secret.
#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct TokenInfo {
    pub id: i64,
    pub officer: String,
    /// `None`: every village.
    pub village: Option<String>,
    pub created_at: String,
    pub revoked_at: Option<String>,
    /// The last successful sync request's time; `None` before the first.
    pub last_sync_at: Option<String>,
    /// The records the phone said were waiting at that sync; `None` when it never said.
    pub unsent: Option<i64>,
}

/// The columns of [`TokenInfo`], in its order.
const INFO_COLUMNS: &str = "id, officer, village, created_at, revoked_at, last_sync_at, unsent";

impl TokenInfo {
    /// As the office's desk reads it (`GET /api/v1/tokens`), the times as times.
    pub fn to_wire(&self) -> Result<patrol_core::sync::TokenInfo> {
        let time = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .map(|t| t.with_timezone(&Utc))
                .with_context(|| format!("token {}: a stored time {text:?}", self.id))
        };
        Ok(patrol_core::sync::TokenInfo {
            id: self.id,
            officer: self.officer.clone(),
            village: self.village.clone(),
            created_at: time(&self.created_at)?,
            revoked_at: self.revoked_at.as_deref().map(time).transpose()?,
            last_sync_at: self.last_sync_at.as_deref().map(time).transpose()?,
            unsent: self
                .unsent
                .map(|n| u32::try_from(n.max(0)).unwrap_or(u32::MAX)),
        })
    }
}

/// Who is calling: the holder of a valid token (`crate::extract` finds it from the request's
/// `Authorization` header).
#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct Caller {
    pub token_id: i64,
    pub officer: String,
    /// The only village this caller may read and write; `None`: every village.
    pub village: Option<String>,
}

impl Caller {
    /// May this caller see and change records of `village` (compared without surrounding
    /// spaces)?
    pub fn may_access(&self, village: &str) -> bool {
        self.village.as_deref().is_none_or(|v| v == village.trim())
    }
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    s
}

/// Whom a new token is for, without surrounding spaces: `officer` and `village` (`None`:
/// every village), or why not (an empty name or village). The command line and the office's
/// desk both check with this before anything is stored.
pub fn holder<'a>(
    officer: &'a str,
    village: Option<&'a str>,
) -> Result<(&'a str, Option<&'a str>), &'static str> {
    let officer = officer.trim();
    if officer.is_empty() {
        return Err("the officer's name is empty");
    }
    let village = village.map(str::trim);
    if village == Some("") {
        return Err(
            "the village is empty (no village at all makes a township office token, for every village)",
        );
    }
    Ok((officer, village))
}

/// Makes a token for `officer`, for `village` or (with `None`) every village, and prints
/// nothing: the caller shows `token` once.
pub async fn create(db: &AnyPool, officer: &str, village: Option<&str>) -> Result<NewToken> {
    let (officer, village) = holder(officer, village).map_err(anyhow::Error::msg)?;
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let token = format!("rp_{}", hex(&secret));
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO tokens (hash, officer, village, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(sha256_hex(token.as_bytes()))
    .bind(officer)
    .bind(village)
    .bind(Utc::now().to_rfc3339())
    .fetch_one(db)
    .await
    .context("cannot store the token")?;
    Ok(NewToken { id, token })
}

/// Every token, oldest first.
pub async fn list(db: &AnyPool) -> Result<Vec<TokenInfo>> {
    sqlx::query_as::<_, TokenInfo>(&format!("SELECT {INFO_COLUMNS} FROM tokens ORDER BY id"))
        .fetch_all(db)
        .await
        .context("cannot read the tokens")
}

/// Token `id`, revoked or not; `None` when there is no such token.
pub async fn get(db: &AnyPool, id: i64) -> Result<Option<TokenInfo>> {
    sqlx::query_as::<_, TokenInfo>(&format!("SELECT {INFO_COLUMNS} FROM tokens WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
        .context("cannot read the token")
}

/// Notes a successful sync request made with `token` now, and the records its phone said were
/// still waiting (`unsent`; `None` keeps what an earlier sync said): one UPDATE, by the
/// token's hash, so the request's token need not be looked up again. A revoked token's row is
/// left alone.
pub async fn synced(db: &AnyPool, token: &str, unsent: Option<u32>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE tokens SET last_sync_at = $1, unsent = COALESCE($2, unsent)
         WHERE hash = $3 AND revoked_at IS NULL",
    )
    .bind(Utc::now().to_rfc3339())
    .bind(unsent.map(i64::from))
    .bind(sha256_hex(token.as_bytes()))
    .execute(db)
    .await
    .map(drop)
}

/// Revokes token `id`. `Ok(false)` if there is no such token or it was already revoked.
pub async fn revoke(db: &AnyPool, id: i64) -> Result<bool> {
    let done =
        sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(Utc::now().to_rfc3339())
            .bind(id)
            .execute(db)
            .await
            .context("cannot revoke the token")?;
    Ok(done.rows_affected() == 1)
}

/// The caller holding `token`, if it is a valid, unrevoked token.
pub async fn authenticate(db: &AnyPool, token: &str) -> Result<Option<Caller>, sqlx::Error> {
    sqlx::query_as::<_, Caller>(
        "SELECT id AS token_id, officer, village FROM tokens WHERE hash = $1 AND revoked_at IS NULL",
    )
    .bind(sha256_hex(token.as_bytes()))
    .fetch_optional(db)
    .await
}
