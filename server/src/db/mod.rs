//! The database: records, patrols, tokens, the photo index and the server's secrets, in SQLite by default or in
//! PostgreSQL. Opening it is here; each table's SQL is in the module named after it, and the
//! change order that pulls follow in [`changes`]. Handlers call these, never SQL of their own.
//!
//! Both databases go through sqlx's `Any` driver, so every query is written once; the SQL is
//! the part both speak (`$1` parameters, `ON CONFLICT`, `RETURNING`, row values); only the
//! migrations (`migrations/sqlite`, `migrations/postgres`) and the change order's few
//! fragments ([`changes`]) differ.

pub mod changes;
pub mod patrols;
pub mod photos;
pub mod push;
pub mod records;
pub mod secrets;
pub mod tokens;

use std::str::FromStr;

use anyhow::{Context, Result, bail};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

/// The database file's name inside the data folder.
pub const DATABASE_FILE: &str = "river-patrol.db";

/// Which engine holds the records (`--database-url`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatabaseKind {
    /// A file on this machine (`sqlite://PATH`): the default, for one township.
    Sqlite,
    /// A PostgreSQL server (`postgres://…`), which several server instances can share.
    Postgres,
}

impl DatabaseKind {
    /// The engine a database URL names.
    pub fn of_url(url: &str) -> Result<DatabaseKind> {
        if url.starts_with("sqlite:") {
            Ok(DatabaseKind::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DatabaseKind::Postgres)
        } else {
            bail!(
                "unsupported database URL {:?}: give sqlite://PATH or postgres://USER@HOST/DATABASE",
                shown_url(url)
            )
        }
    }

    /// What `/api/v1/health` says the database is.
    pub fn name(self) -> &'static str {
        match self {
            DatabaseKind::Sqlite => "sqlite",
            DatabaseKind::Postgres => "postgres",
        }
    }
}

/// `url` with its password, if any, hidden: for logs and error messages.
pub fn shown_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let Some((credentials, host)) = authority.rsplit_once('@') else {
        return url.to_owned();
    };
    let user = credentials.split(':').next().unwrap_or_default();
    let slash = if rest.contains('/') { "/" } else { "" };
    if credentials.contains(':') {
        format!("{scheme}://{user}:***@{host}{slash}{path}")
    } else {
        url.to_owned()
    }
}

/// Opens the database at `url` (a SQLite file is created if missing, in WAL mode with a busy
/// timeout) and brings its tables up to date (`server/migrations/<engine>/`).
pub async fn open_database(url: &str) -> Result<AnyPool> {
    sqlx::any::install_default_drivers();
    let kind = DatabaseKind::of_url(url)?;
    let shown = shown_url(url);
    let (url, connections) = match kind {
        DatabaseKind::Sqlite => {
            // Each connection to `sqlite::memory:` would be a database of its own.
            let memory = url.contains(":memory:");
            let url = if memory || url.contains("mode=") {
                url.to_owned()
            } else {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            };
            (url, if memory { 1 } else { 8 })
        }
        DatabaseKind::Postgres => (url.to_owned(), 16),
    };
    let options =
        AnyConnectOptions::from_str(&url).with_context(|| format!("bad database URL {shown:?}"))?;
    let pool = AnyPoolOptions::new()
        .max_connections(connections)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if kind == DatabaseKind::Sqlite {
                    // The Any driver takes only the URL's options: these are set here.
                    conn.execute(sqlx::raw_sql(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;",
                    ))
                    .await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .with_context(|| format!("cannot open the database {shown}"))?;
    let migrations = match kind {
        DatabaseKind::Sqlite => sqlx::migrate!("./migrations/sqlite"),
        DatabaseKind::Postgres => sqlx::migrate!("./migrations/postgres"),
    };
    migrations
        .run(&pool)
        .await
        .context("cannot bring the database up to date")?;
    Ok(pool)
}

/// Whether the database answers (`/api/v1/health`).
pub async fn answers(db: &AnyPool) -> Result<(), sqlx::Error> {
    sqlx::query_scalar::<_, i64>("SELECT 1")
        .fetch_one(db)
        .await?;
    Ok(())
}

/// How a record or patrol row is written ([`records::store`], [`patrols::store`]).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Write {
    /// A row not stored yet: written only if no other writer stored it first.
    New,
    /// A new revision of the stored row (locked by this transaction).
    Replace,
}

#[cfg(test)]
mod tests {
    use super::{DatabaseKind, shown_url};

    #[test]
    fn database_urls() {
        assert_eq!(
            DatabaseKind::of_url("sqlite://data/river-patrol.db").unwrap(),
            DatabaseKind::Sqlite
        );
        assert_eq!(
            DatabaseKind::of_url("sqlite::memory:").unwrap(),
            DatabaseKind::Sqlite
        );
        for pg in [
            "postgres://rp@db/patrol",
            "postgresql://rp:secret@db:5432/patrol",
        ] {
            assert_eq!(DatabaseKind::of_url(pg).unwrap(), DatabaseKind::Postgres);
        }
        let e = format!(
            "{:#}",
            DatabaseKind::of_url("mysql://rp:secret@db/patrol").unwrap_err()
        );
        assert!(e.contains("unsupported database URL"), "{e}");
        assert!(!e.contains("secret"), "the password is shown: {e}");

        assert_eq!(
            shown_url("postgres://rp:secret@db:5432/patrol?sslmode=require"),
            "postgres://rp:***@db:5432/patrol?sslmode=require"
        );
        assert_eq!(
            shown_url("postgres://rp@db/patrol"),
            "postgres://rp@db/patrol"
        );
        assert_eq!(shown_url("postgres://rp:p@ss@db"), "postgres://rp:***@db");
        assert_eq!(
            shown_url("sqlite://data/river-patrol.db"),
            "sqlite://data/river-patrol.db"
        );
    }
}
