//! Access tokens: created and revoked by the `token` command, each tied to an officer and a
//! village (or to every village, for the township office). Only a token's SHA-256 is stored,
//! and a request's token is found by looking its hash up, so the raw token is never compared.

use anyhow::{Context, Result, bail};
use chrono::Utc;
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

/// Makes a token for `officer`, for `village` or (with `None`) every village, and prints
/// nothing: the caller shows `token` once.
pub async fn create(db: &AnyPool, officer: &str, village: Option<&str>) -> Result<NewToken> {
    let officer = officer.trim();
    if officer.is_empty() {
        bail!("the officer's name is empty");
    }
    let village = village.map(str::trim);
    if village == Some("") {
        bail!("the village is empty (use --all-villages for the township office)");
    }
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
    sqlx::query_as::<_, TokenInfo>(
        "SELECT id, officer, village, created_at, revoked_at FROM tokens ORDER BY id",
    )
    .fetch_all(db)
    .await
    .context("cannot read the tokens")
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
