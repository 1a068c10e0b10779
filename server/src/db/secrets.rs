//! The `server_secrets` table: secrets the server draws once, on its first start, and keeps
//! with the data, so that every instance on the database and every restart uses the same ones.
//! Today only the import secret (`patrol_core::import::ImportIds`).

use sqlx::AnyPool;
use uuid::Uuid;

use crate::error::AppError;

/// The secret under which imported ledger rows get their ids, drawn on first use. Instances
/// starting together each draw one; the first stored wins and all read it back.
pub async fn import_secret(db: &AnyPool) -> Result<Uuid, AppError> {
    sqlx::query(
        "INSERT INTO server_secrets (name, value) VALUES ('import', $1) ON CONFLICT DO NOTHING",
    )
    .bind(Uuid::new_v4().to_string())
    .execute(db)
    .await?;
    let value: String =
        sqlx::query_scalar("SELECT value FROM server_secrets WHERE name = 'import'")
            .fetch_one(db)
            .await?;
    Uuid::parse_str(&value)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the stored import secret: {e}")))
}
