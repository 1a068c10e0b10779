// River Patrol (巡河通) service worker: the app opens and works with no network.
//
// - Install: downloads every file of this build (the list below), checks each against its
//   SHA-256, and only when all of them arrived intact puts them in the cache named after the
//   build version. Anything missing or altered fails the install, so the working version stays.
//   While it downloads, it posts {type: 'PRECACHE_PROGRESS', done, total} to the app's pages,
//   which show it on a first visit (the app is not ready offline until this ends).
// - No skipWaiting() on install: a new version waits until the app posts {type: 'SKIP_WAITING'}
//   (the user agreed and no unsaved form is open; see src/pwa.rs).
// - Activate: deletes the caches of other versions, then takes control of open pages.
// - Fetch: files of the build from the cache (cache first); page navigations get the cached
//   index.html, so every route opens offline; /api/ is network only and never cached.
// - Map tiles (any image that is not a file of the build, on any origin, /api/v1/tiles/ too):
//   from the offline map area's cache (TILES, filled by the app, src/storage/map_area.rs) when
//   it has them, else the network; with no network, a blank tile, never an error. Tiles are
//   never precached nor stored here, and their cache is not named with PREFIX, so a new
//   version never deletes it and it never crowds out the app's own files.
// docs/pwa.md has the whole story.
'use strict';

// Written after every build by `cargo xtask` (xtask/src/precache.rs): the build version and
// every file of dist/ but this one, with its SHA-256 (or, for a file named by its content,
// its URL alone). `null` here: not built by the xtask.
self.PRECACHE = null;

const PREFIX = 'river-patrol-';
const BUILD = self.PRECACHE;
const CACHE = BUILD ? PREFIX + BUILD.version : null;
const URLS = new Set(BUILD ? BUILD.files.map((f) => f.url) : []);
const SHELL = '/index.html';
// The offline map area's tiles (src/storage/map_area.rs names it too).
const TILES = 'rp-tiles-v1';
// A 1×1 transparent PNG: what a tile that cannot be had is drawn as.
const BLANK_TILE = Uint8Array.from(
  atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGBgAAAABQABpfZFQAAAAABJRU5ErkJggg=='),
  (c) => c.charCodeAt(0),
);

self.addEventListener('install', (event) => {
  event.waitUntil(precache());
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  const type = event.data && event.data.type;
  if (type === 'SKIP_WAITING') {
    self.skipWaiting();
  } else if (type === 'VERSION' && event.source) {
    event.source.postMessage({ type: 'VERSION', version: BUILD && BUILD.version });
  }
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || !CACHE) return;
  const url = new URL(request.url);
  const own = url.origin === self.location.origin;
  // Before the early returns below: tiles come from other origins and from /api/v1/tiles/.
  if (request.destination === 'image' && !(own && URLS.has(url.pathname))) {
    event.respondWith(tile(request));
    return;
  }
  if (!own) return;
  // The sync API: always the network, never a stored answer.
  if (url.pathname === '/api' || url.pathname.startsWith('/api/')) return;
  if (URLS.has(url.pathname)) {
    event.respondWith(cached(url.pathname, request));
  } else if (request.mode === 'navigate') {
    event.respondWith(cached(SHELL, request));
  }
});

/** The stored copy of `path`, or the network if the cache lost it. */
async function cached(path, request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(path);
  return hit || fetch(request);
}

/** A map tile: the offline area's copy, else the network, else blank. */
async function tile(request) {
  // Vary (Accept, Origin) is ignored: the app fetched the tile, the map's <img> asks for it.
  const kept = await caches.match(request.url, { cacheName: TILES, ignoreVary: true });
  if (kept) return kept;
  try {
    return await fetch(request);
  } catch (e) {
    return new Response(BLANK_TILE, { headers: { 'Content-Type': 'image/png' } });
  }
}

/** Downloads and checks every file first; writes only once all of them are good. */
async function precache() {
  if (!BUILD) throw new Error('sw.js has no precache list: build the app with `cargo xtask dist`');
  const total = BUILD.files.length;
  let done = 0;
  const files = await Promise.all(
    BUILD.files.map(async (file) => {
      const downloaded = await download(file);
      done += 1;
      await progress(done, total);
      return downloaded;
    }),
  );
  const cache = await caches.open(CACHE);
  await Promise.all(files.map(([url, response]) => cache.put(url, response)));
}

async function download(file) {
  // Revalidated with the server, so a stale HTTP-cached copy is never taken for this build's.
  const response = await fetch(file.url, { cache: 'no-cache' });
  if (!response.ok) throw new Error(`${file.url}: HTTP ${response.status}`);
  const body = await response.arrayBuffer();
  const sha256 = hex(await crypto.subtle.digest('SHA-256', body));
  // A file listed by URL alone is named by its content: its name ends in the first 12 hex
  // digits of its SHA-256 (xtask/src/precache.rs).
  const expected = file.sha256 || nameHash(file.url);
  if (!expected || !sha256.startsWith(expected)) {
    throw new Error(`${file.url}: SHA-256 ${sha256}, expected ${expected}`);
  }
  const headers = { 'Content-Type': response.headers.get('Content-Type') || 'application/octet-stream' };
  return [file.url, new Response(body, { headers })];
}

/** Tells every page of the app (controlled or not yet) how far the download is. */
async function progress(done, total) {
  try {
    const pages = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const page of pages) page.postMessage({ type: 'PRECACHE_PROGRESS', done, total });
  } catch (e) {
    // Only news: never a reason to fail the install.
  }
}

function nameHash(url) {
  const match = /-([0-9a-f]{12})\.[a-z]+$/.exec(url);
  return match ? match[1] : null;
}

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}
