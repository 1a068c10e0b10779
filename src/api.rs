//! Every request to the township's server (docs/sync-protocol.md), and nothing else: the
//! sync engine (src/sync/) decides what to send and when.

use gloo_net::http::{Request, RequestBuilder, Response};
use patrol_core::sync::{
    ErrorResponse, Health, NewToken, NewTokenRequest, PHOTO_SHA256_HEADER, PatrolPullResponse,
    PatrolPushRequest, PatrolPushResponse, PhotoReceipt, PhotoStored, PullResponse, PushRequest,
    PushResponse, TokenHolder, TokenInfo, TokenList, Township, UNSENT_HEADER, me_path,
    patrol_pull_path, patrols_path, photo_path, pull_path, records_path, token_path, tokens_path,
    township_path,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;
use wasm_bindgen::JsCast;
use web_sys::{AbortSignal, Blob};

use crate::storage::settings::Settings;

/// A server to sync with: its address and this phone's access token.
#[derive(Clone, Debug, PartialEq)]
pub struct Server {
    /// Without a trailing slash, e.g. `https://xhz.example.cn` or `http://127.0.0.1:8080`.
    pub base: String,
    pub token: String,
    /// Records this phone still has to send, told to the server with every request of a
    /// sync ([`UNSENT_HEADER`]): the office's list of tokens shows them.
    pub unsent: Option<usize>,
}

/// Why a request did not give an answer we can use.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// No answer at all: offline, the server down, DNS, a dropped connection, a timeout.
    Unreachable(String),
    /// 401: the token is missing, wrong or revoked. Retrying will not help.
    Unauthorized(String),
    /// Another error status with the server's JSON error (or the status text).
    Status {
        status: u16,
        code: String,
        message: String,
    },
    /// 2xx, but not the JSON we expect (a captive portal's login page, a proxy).
    BadAnswer(String),
}

impl ApiError {
    /// Worth trying again later by itself: the network, 5xx, 408, 429, and garbage answers
    /// (a captive portal goes away when the phone gets a real connection).
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Unreachable(_) | ApiError::BadAnswer(_) => true,
            ApiError::Unauthorized(_) => false,
            ApiError::Status { status, .. } => *status >= 500 || matches!(status, 408 | 429),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Unreachable(why) => write!(f, "unreachable: {why}"),
            ApiError::Unauthorized(why) => write!(f, "401: {why}"),
            ApiError::Status {
                status,
                code,
                message,
            } => write!(f, "{status} {code}: {message}"),
            ApiError::BadAnswer(why) => write!(f, "unexpected answer: {why}"),
        }
    }
}

/// Seconds before a JSON request is given up: long enough for a slow 2G link, short enough
/// that a dead connection does not hold the sync for minutes.
const JSON_TIMEOUT_MS: u32 = 30_000;
/// A ≤400 KB photo on a slow link.
const PHOTO_TIMEOUT_MS: u32 = 120_000;

impl Server {
    /// `path` from [`patrol_core::sync`]'s helpers, e.g. `/api/v1/records`.
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The same server, telling it that `count` records wait on this phone.
    pub fn with_unsent(self, count: usize) -> Server {
        Server {
            unsent: Some(count),
            ..self
        }
    }

    fn authorized(&self, request: RequestBuilder, timeout_ms: u32) -> RequestBuilder {
        let request = request
            .header("Authorization", &format!("Bearer {}", self.token))
            .abort_signal(Some(&AbortSignal::timeout_with_u32(timeout_ms)));
        match self.unsent {
            Some(count) => request.header(UNSENT_HEADER, &count.to_string()),
            None => request,
        }
    }

    /// Whether the server answers at all (no token needed): `navigator.onLine` says only that
    /// some network is there.
    pub async fn health(&self) -> Result<Health, ApiError> {
        let request = Request::get(&self.url(&format!("{}/health", patrol_core::sync::API_PREFIX)))
            .abort_signal(Some(&AbortSignal::timeout_with_u32(10_000)));
        json(send(request).await?).await
    }

    /// Whom this phone's token was issued to: its officer, and its village unless it is the
    /// township's.
    pub async fn me(&self) -> Result<TokenHolder, ApiError> {
        let request = self.authorized(Request::get(&self.url(&me_path())), JSON_TIMEOUT_MS);
        json(send(request).await?).await
    }

    /// The township's rules: what a valid patrol needs.
    pub async fn township(&self) -> Result<Township, ApiError> {
        let request = self.authorized(Request::get(&self.url(&township_path())), JSON_TIMEOUT_MS);
        json(send(request).await?).await
    }

    /// Sends one photo; succeeds when the server says it holds it (new or already there).
    /// Only the server's own answer counts: a proxy's or captive portal's page with 200 would
    /// otherwise mark the photo sent while the server never got it.
    /// The answer carries the server's receipt (when it first received these bytes), where
    /// the server gives one.
    pub async fn upload_photo(
        &self,
        id: Uuid,
        sha256: &str,
        jpeg: &Blob,
    ) -> Result<Option<PhotoReceipt>, ApiError> {
        let request = self
            .authorized(Request::put(&self.url(&photo_path(id))), PHOTO_TIMEOUT_MS)
            .header("Content-Type", "image/jpeg")
            .header(PHOTO_SHA256_HEADER, sha256)
            .body(jpeg.clone())
            .map_err(|e| ApiError::BadAnswer(e.to_string()))?;
        json::<PhotoStored>(send_built(request).await?)
            .await
            .map(|stored| stored.receipt)
    }

    /// A photo another device took, for this phone's copy of the record.
    pub async fn download_photo(&self, id: Uuid) -> Result<Blob, ApiError> {
        let request = self.authorized(Request::get(&self.url(&photo_path(id))), PHOTO_TIMEOUT_MS);
        let raw = web_sys::Response::from(send(request).await?);
        let blob = raw
            .blob()
            .map_err(|e| ApiError::BadAnswer(format!("{e:?}")))?;
        wasm_bindgen_futures::JsFuture::from(blob)
            .await
            .map_err(|e| ApiError::Unreachable(format!("{e:?}")))?
            .dyn_into()
            .map_err(|_| ApiError::BadAnswer("not a blob".into()))
    }

    /// `body` as JSON to `path`, the answer read as JSON.
    async fn post_json<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        let request = self
            .authorized(Request::post(&self.url(path)), JSON_TIMEOUT_MS)
            .json(body)
            .map_err(|e| ApiError::BadAnswer(e.to_string()))?;
        json(send_built(request).await?).await
    }

    pub async fn push(&self, batch: &PushRequest) -> Result<PushResponse, ApiError> {
        self.post_json(&records_path(), batch).await
    }

    pub async fn push_patrols(
        &self,
        batch: &PatrolPushRequest,
    ) -> Result<PatrolPushResponse, ApiError> {
        self.post_json(&patrols_path(), batch).await
    }

    pub async fn pull_patrols(
        &self,
        since: Option<&str>,
        limit: u32,
    ) -> Result<PatrolPullResponse, ApiError> {
        let request = self.authorized(
            Request::get(&self.url(&patrol_pull_path(since, Some(limit)))),
            JSON_TIMEOUT_MS,
        );
        json(send(request).await?).await
    }

    /// The office's desk (src/pages/devices.rs): every token, with its last sync and the
    /// records its phone still had waiting. A village's token is refused (403).
    pub async fn tokens(&self) -> Result<TokenList, ApiError> {
        let request = self.authorized(Request::get(&self.url(&tokens_path())), JSON_TIMEOUT_MS);
        json(send(request).await?).await
    }

    /// The office's desk makes a token for `request`'s officer and village: its secret, connect
    /// link and QR code come back this once.
    pub async fn create_token(&self, request: &NewTokenRequest) -> Result<NewToken, ApiError> {
        self.post_json(&tokens_path(), request).await
    }

    /// The office's desk revokes token `id`: its phone's next sync is refused (401).
    pub async fn revoke_token(&self, id: i64) -> Result<TokenInfo, ApiError> {
        let request = self.authorized(Request::delete(&self.url(&token_path(id))), JSON_TIMEOUT_MS);
        json(send(request).await?).await
    }

    pub async fn pull(&self, since: Option<&str>, limit: u32) -> Result<PullResponse, ApiError> {
        let request = self.authorized(
            Request::get(&self.url(&pull_path(since, Some(limit)))),
            JSON_TIMEOUT_MS,
        );
        json(send(request).await?).await
    }
}

/// One tile of the township's basemap by its URL, for the offline map area
/// (src/components/offline_area.rs): its bytes and content type, or `None` when the source has
/// no such tile (404, 204: the area keeps it as blank). No answer, or a busy or failing source
/// (429, 5xx), is an error: the download pauses and tries the tile again.
pub async fn map_tile(url: &str) -> Result<Option<(Vec<u8>, String)>, ApiError> {
    let response = Request::get(url)
        .send()
        .await
        .map_err(|e| ApiError::Unreachable(e.to_string()))?;
    match response.status() {
        200 => {
            let kind = response
                .headers()
                .get("content-type")
                .unwrap_or_else(|| "image/png".to_owned());
            let bytes = response
                .binary()
                .await
                .map_err(|e| ApiError::Unreachable(e.to_string()))?;
            Ok(Some((bytes, kind)))
        }
        status @ (429 | 500..) => Err(ApiError::Status {
            status,
            code: String::new(),
            message: response.status_text(),
        }),
        _ => Ok(None),
    }
}

async fn send(request: RequestBuilder) -> Result<Response, ApiError> {
    let request = request
        .build()
        .map_err(|e| ApiError::BadAnswer(e.to_string()))?;
    send_built(request).await
}

async fn send_built(request: Request) -> Result<Response, ApiError> {
    let response = request
        .send()
        .await
        .map_err(|e| ApiError::Unreachable(e.to_string()))?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let body: Option<ErrorResponse> = response.json().await.ok();
    let (code, message) = match body {
        Some(b) => (b.error.code, b.error.message),
        None => (String::new(), response.status_text()),
    };
    if status == 401 {
        Err(ApiError::Unauthorized(message))
    } else {
        Err(ApiError::Status {
            status,
            code,
            message,
        })
    }
}

async fn json<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    response
        .json()
        .await
        .map_err(|e| ApiError::BadAnswer(e.to_string()))
}

/// The server of a phone's settings: where it syncs, once it has a token.
impl Settings {
    /// The server to sync with, once a token is set.
    pub fn server(&self) -> Option<Server> {
        let token = self.token.trim();
        if token.is_empty() {
            return None;
        }
        Some(Server {
            base: self.server_base()?,
            token: token.to_owned(),
            unsent: None,
        })
    }

    /// The server's address without a trailing `/`: the one set, else the app's own origin
    /// (the server that serves the app). A basemap on it (`/api/v1/tiles/…`) is relative to it.
    pub fn server_base(&self) -> Option<String> {
        let url = self.server_url.trim().trim_end_matches('/');
        if url.is_empty() {
            web_sys::window()?.location().origin().ok()
        } else {
            Some(url.to_owned())
        }
    }
}
