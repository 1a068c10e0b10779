//! Where the photos are kept: `object_store` over a folder on disk (the default) or an
//! S3-compatible bucket (`--photo-store s3://…`), each photo under its id ([`photo_key`]).
//! Which photos the server holds, and who may read them, is in the database
//! (`crate::db::photos`); this is only the bytes.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey, Checksum};
use object_store::local::LocalFileSystem;
use object_store::prefix::PrefixStore;
use object_store::{BackoffConfig, ObjectStore, RetryConfig};
use uuid::Uuid;

/// The photo folder's name inside the data folder.
pub const PHOTOS_DIR: &str = "photos";

/// Where the photos are kept (`--photo-store`).
#[derive(Clone, Debug, Default)]
pub enum PhotoStore {
    /// The folder `photos/` in the data folder.
    #[default]
    Local,
    /// An S3-compatible bucket, the photos under `prefix` if one is given. The endpoint, the
    /// region and the credentials are in `client` (from the `AWS_*` environment variables
    /// when the store comes from a URL).
    S3 {
        bucket: String,
        prefix: Option<object_store::path::Path>,
        client: Box<AmazonS3Builder>,
    },
}

impl PhotoStore {
    /// `s3://BUCKET[/PREFIX]`, the rest of the S3 settings from the environment
    /// (`AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_ALLOW_HTTP`, …, as `object_store` reads them).
    pub fn from_url(url: &str) -> Result<PhotoStore> {
        let Some(rest) = url.strip_prefix("s3://") else {
            bail!(
                "unsupported photo store {url:?}: give s3://BUCKET[/PREFIX], or leave it out \
                 for the photos/ folder in the data folder"
            );
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        Self::s3(bucket, prefix, AmazonS3Builder::from_env())
            .with_context(|| format!("bad photo store {url:?}"))
    }

    /// The bucket `bucket` (its photos under `prefix`, if not empty) reached through `client`.
    pub fn s3(bucket: &str, prefix: &str, client: AmazonS3Builder) -> Result<PhotoStore> {
        // S3's bucket naming rules, checked here so a typo fails at start-up, not at the
        // first upload.
        let valid = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
            && bucket.starts_with(|c: char| c.is_ascii_alphanumeric())
            && bucket.ends_with(|c: char| c.is_ascii_alphanumeric());
        if !valid {
            bail!(
                "{bucket:?} is not a bucket name (3 to 63 lower-case letters, digits, dots and \
                 hyphens)"
            );
        }
        let prefix = prefix.trim_matches('/');
        let prefix = if prefix.is_empty() {
            None
        } else {
            Some(
                object_store::path::Path::parse(prefix)
                    .with_context(|| format!("{prefix:?} is not a key prefix"))?,
            )
        };
        Ok(PhotoStore::S3 {
            bucket: bucket.to_owned(),
            prefix,
            client: Box::new(client),
        })
    }

    /// What `/api/v1/health` says the store is.
    pub fn kind(&self) -> &'static str {
        match self {
            PhotoStore::Local => "local",
            PhotoStore::S3 { .. } => "s3",
        }
    }
}

impl FromStr for PhotoStore {
    type Err = anyhow::Error;

    fn from_str(url: &str) -> Result<Self> {
        PhotoStore::from_url(url)
    }
}

impl std::fmt::Display for PhotoStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PhotoStore::Local => write!(f, "{PHOTOS_DIR}/ in the data folder"),
            PhotoStore::S3 {
                bucket,
                prefix: Some(prefix),
                ..
            } => write!(f, "s3://{bucket}/{prefix}"),
            PhotoStore::S3 { bucket, .. } => write!(f, "s3://{bucket}"),
        }
    }
}

/// Opens the photo store `store` (a local one in `data`).
pub fn open_photo_store(store: &PhotoStore, data: &Path) -> Result<Arc<dyn ObjectStore>> {
    let PhotoStore::S3 {
        bucket,
        prefix,
        client,
    } = store
    else {
        return open_local_photo_store(data);
    };
    let mut client = client.as_ref().clone().with_bucket_name(bucket);
    // The SHA-256 of every photo goes with its PUT (`x-amz-checksum-sha256`), so the store
    // itself refuses bytes damaged on the way; unless the environment chose another checksum.
    if client
        .get_config_value(&AmazonS3ConfigKey::Checksum)
        .is_none()
    {
        client = client.with_checksum_algorithm(Checksum::SHA256);
    }
    // A few quick retries, not object_store's default of up to three minutes: a phone's
    // upload is better refused soon (it sends again later) than held, and an endpoint that
    // does not answer stops the server at start-up in seconds.
    client = client.with_retry(RetryConfig {
        max_retries: 3,
        retry_timeout: Duration::from_secs(15),
        backoff: BackoffConfig::default(),
    });
    let s3 = client
        .build()
        .with_context(|| format!("cannot open the photo store {store}"))?;
    Ok(match prefix {
        Some(prefix) => Arc::new(PrefixStore::new(s3, prefix.clone())),
        None => Arc::new(s3),
    })
}

/// The photo store on the local disk, rooted at `<data>/photos` (created if missing).
pub fn open_local_photo_store(data: &Path) -> Result<Arc<dyn ObjectStore>> {
    let dir = data.join(PHOTOS_DIR);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the photo folder {}", dir.display()))?;
    let store = LocalFileSystem::new_with_prefix(&dir)
        .with_context(|| format!("cannot open the photo folder {}", dir.display()))?;
    Ok(Arc::new(store))
}

/// Whether the photo store `photos` (of kind [`PhotoStore::kind`]) answers (`/api/v1/health`,
/// and at start-up).
pub async fn answers(photos: &dyn ObjectStore, kind: &str) -> object_store::Result<()> {
    let probe = object_store::path::Path::from("health-check");
    if kind == "s3" {
        // A listing of keys that are never there: empty, but unlike a HEAD (404 whether the
        // object or the whole bucket is missing) it fails for a bucket that does not exist.
        photos.list_with_delimiter(Some(&probe)).await?;
        return Ok(());
    }
    // Asking for a photo that is never there: "not found" is the store answering.
    match photos.head(&probe).await {
        Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(()),
        Err(e) => Err(e),
    }
}

/// The object key of photo `id` inside the photo store.
pub fn photo_key(id: Uuid) -> object_store::path::Path {
    object_store::path::Path::from(format!("{id}.jpg"))
}

/// The object key of a namesake of photo `id` (other bytes, hashing to `sha256`, uploaded under
/// the id by a village that may not read the photo held under it: `crate::routes::photos`).
pub fn namesake_key(id: Uuid, sha256: &str) -> object_store::path::Path {
    object_store::path::Path::from(format!("namesakes/{id}-{sha256}.jpg"))
}

#[cfg(test)]
mod tests {
    use super::PhotoStore;

    #[test]
    fn photo_store_urls() {
        let PhotoStore::S3 { bucket, prefix, .. } =
            PhotoStore::from_url("s3://river-photos").unwrap()
        else {
            panic!("not S3")
        };
        assert_eq!((bucket.as_str(), prefix), ("river-photos", None));
        let store = PhotoStore::from_url("s3://river-photos/township/photos/").unwrap();
        assert_eq!(store.to_string(), "s3://river-photos/township/photos");
        assert_eq!(store.kind(), "s3");

        for (bad, says) in [
            ("/srv/photos", "unsupported photo store"),
            ("s3:/river-photos", "unsupported photo store"),
            ("s3://", "not a bucket name"),
            ("s3://River_Photos", "not a bucket name"),
            ("s3://river-photos/a/../b", "not a key prefix"),
        ] {
            let e = format!("{:#}", PhotoStore::from_url(bad).unwrap_err());
            assert!(e.contains(says), "{bad}: {e}");
        }
    }
}
