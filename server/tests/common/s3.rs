//! An S3-compatible server (`s3s-fs`: buckets are folders on disk) inside the test process,
//! reached through `object_store`'s real S3 client over HTTP, as a deployment's bucket would
//! be. Started once per test binary on its own thread and runtime: each `#[tokio::test]` has
//! a runtime of its own that ends with the test, and the server must outlive them all.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use hyper_util::rt::TokioIo;
use object_store::aws::AmazonS3Builder;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;

/// The test server's one key pair (checked on every request: requests are signed).
pub const ACCESS_KEY: &str = "river-patrol-test";
pub const SECRET_KEY: &str = "river-patrol-test-secret";
pub const REGION: &str = "us-east-1";

struct S3Server {
    endpoint: String,
    /// The folder the buckets are in.
    root: PathBuf,
}

fn server() -> &'static S3Server {
    static SERVER: OnceLock<S3Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        // Under cargo's scratch folder for integration tests (target/tmp), not /tmp: a static
        // is never dropped, so the folder (s3s-fs keeps its metadata beside the buckets) stays
        // behind when the test process ends, and is removed by the next run.
        let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        remove_earlier_runs(&scratch);
        let root = scratch.join(format!("s3s-fs-{}", std::process::id()));
        std::fs::create_dir_all(&root).unwrap();
        let fs = s3s_fs::FileSystem::new(&root).unwrap();
        let mut builder = S3ServiceBuilder::new(fs);
        builder.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
        let service = builder.build();

        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::Builder::new()
            .name("s3s-fs".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                    loop {
                        let Ok((socket, _)) = listener.accept().await else {
                            continue;
                        };
                        let service = service.clone();
                        tokio::spawn(async move {
                            let _ = hyper::server::conn::http1::Builder::new()
                                .serve_connection(TokioIo::new(socket), service)
                                .await;
                        });
                    }
                })
            })
            .unwrap();
        S3Server {
            endpoint: format!("http://{addr}"),
            root,
        }
    })
}

/// Removes the folders of test processes that have ended (other test binaries may be running
/// beside this one, with their servers). Where there is no /proc to tell, nothing is removed.
fn remove_earlier_runs(scratch: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(scratch) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix("s3s-fs-")) else {
            continue;
        };
        if !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The test server's address, `http://127.0.0.1:PORT`.
pub fn endpoint() -> &'static str {
    &server().endpoint
}

/// A client of the test server with its credentials (`secret` to try a wrong one).
pub fn client(secret: &str) -> AmazonS3Builder {
    AmazonS3Builder::new()
        .with_endpoint(&server().endpoint)
        .with_region(REGION)
        .with_access_key_id(ACCESS_KEY)
        .with_secret_access_key(secret)
        .with_allow_http(true)
}

/// A new empty bucket on the test server, removed (with what is in it) when dropped.
#[derive(Debug)]
pub struct Bucket {
    pub name: String,
    dir: PathBuf,
}

impl Bucket {
    pub fn new() -> Bucket {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!("photos-{}", N.fetch_add(1, Ordering::Relaxed));
        // `object_store` has no call to create a bucket; s3s-fs's bucket is its folder.
        let dir = server().root.join(&name);
        std::fs::create_dir(&dir).unwrap();
        Bucket { name, dir }
    }
}

impl Drop for Bucket {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
