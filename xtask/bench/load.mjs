// Load test, run by `cargo xtask bench` (xtask/bench/src/load.rs).
//
//   node xtask/bench/load.mjs <server-binary>
//
// The release server on a fresh data folder on 127.0.0.1; 50 simulated phones of 5 villages
// (each its village's token) sync at once for a fixed time, each in a loop: upload a photo,
// then push a batch of 20 new records, the first of which shows that photo. Every 5th photo
// and every 5th batch is sent a second time straight after the first, as a phone does when
// the answer was lost on the way back: the server must answer "already held" / "unchanged"
// and store nothing more. Then the township office's token pulls everything and the photo
// folder is listed: every record and photo sent must be there exactly once, nothing else.
//
// RP_LOAD_SECONDS (default 30) and RP_LOAD_DEVICES (default 50) change the run.
// RP_LOAD_DATABASE_URL (postgres://…, an empty database) puts the records there instead of
// SQLite in the data folder; RP_LOAD_INSTANCES (default 1) starts that many servers on the one
// database and data folder, the devices spread over them in turn.
// Prints one line of JSON on stdout; fails on any answer that is not 2xx or not the expected
// outcome, and on any record or photo missing or doubled.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './server.mjs';

const [binary] = process.argv.slice(2);
if (!binary) {
  console.error('usage: node xtask/bench/load.mjs <server-binary>');
  process.exit(2);
}

const SECONDS = Number(process.env.RP_LOAD_SECONDS ?? 30);
const DEVICES = Number(process.env.RP_LOAD_DEVICES ?? 50);
const DATABASE_URL = process.env.RP_LOAD_DATABASE_URL || undefined;
const INSTANCES = Number(process.env.RP_LOAD_INSTANCES ?? 1);
if (!(SECONDS > 0) || !(DEVICES > 0)) throw new Error('RP_LOAD_SECONDS and RP_LOAD_DEVICES must be positive numbers');
if (!Number.isInteger(INSTANCES) || INSTANCES < 1) throw new Error('RP_LOAD_INSTANCES must be a whole number, 1 or more');
if (INSTANCES > 1 && !DATABASE_URL) throw new Error('several instances need a shared database: set RP_LOAD_DATABASE_URL');
const VILLAGES = ['杨柳村', '红岩村', '白沙村', '青石村', '桃园村'];
const BATCH = 20;
/** Every RESEND-th photo and batch goes twice. */
const RESEND = 5;
/** Photo sizes: between these, as the app's JPEGs (it keeps them under 400 KB). */
const PHOTO_MIN = 150_000;
const PHOTO_MAX = 400_000;

/** Random bytes behind a JPEG signature: the server checks the signature and the hash only. */
function photo() {
  const bytes = randomBytes(PHOTO_MIN + Math.floor(Math.random() * (PHOTO_MAX - PHOTO_MIN)));
  bytes.set([0xff, 0xd8, 0xff, 0xe0]);
  return { id: randomUUID(), bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

function record(village, device, n, photoRef) {
  const now = new Date().toISOString();
  const outfall = n % 2 === 0;
  return {
    id: randomUUID(),
    schema: 1,
    revision: 1,
    details: outfall
      ? { kind: 'sewage_outfall', discharge: 'domestic', flow: 'flowing', colour: 'turbid', odour: 'strong', receiving_river: '清水河' }
      : { kind: 'litter_point', bins: 'none', litter_in_river: true },
    title: outfall ? '沿河住户生活污水直排入河' : '河边垃圾堆放',
    village,
    place: `${device + 1}号巡河员 第${n + 1}处`,
    position: { latitude: 31.25 + Math.random() / 100, longitude: 107.54 + Math.random() / 100, accuracy_m: 8, taken_at: now },
    notes: '雨后流量明显增大，颜色浑浊，有明显异味。',
    photos: photoRef ? [photoRef] : [],
    responsibility: { leader: '黎学军(党委书记)', department: '规划建设办', person: '严文斌', phone: '13812345678' },
    deadline: '2027-06-30',
    status: 'open',
    created_at: now,
    updated_at: now,
    author: `巡河员${device + 1}`,
  };
}

const errors = [];
function fail(what, detail) {
  errors.push(`${what}: ${detail}`);
}

/** One request, timed from sending to the whole answer read; null (and an error) unless 2xx. */
async function timed(latencies, url, init) {
  const start = performance.now();
  let res, body;
  try {
    res = await fetch(url, init);
    body = await res.text();
  } catch (e) {
    fail(`${init.method} ${url}`, e.message);
    return null;
  }
  latencies.push(performance.now() - start);
  if (!res.ok) {
    fail(`${init.method} ${url}`, `${res.status} ${body.slice(0, 300)}`);
    return null;
  }
  return { status: res.status, json: JSON.parse(body) };
}

const pushLatencies = [];
const photoLatencies = [];
/** Every record id sent (a resend adds none), with its photo id if it has one. */
const sentRecords = new Map();
/** Every photo sent: id -> { bytes, sha256 }. */
const sentPhotos = new Map();
let pushRequests = 0;
let photoRequests = 0;
let resentBatches = 0;
let resentPhotos = 0;
let photoBytes = 0;

async function uploadPhoto(url, token, p, again) {
  photoRequests++;
  const answer = await timed(photoLatencies, `${url}/api/v1/photos/${p.id}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg', 'x-photo-sha256': p.sha256 },
    body: p.bytes,
  });
  if (!answer) return;
  // 201 stored the first time; 200 "already held" when sent again.
  const expected = again ? { status: 200, stored: false } : { status: 201, stored: true };
  if (answer.status !== expected.status || answer.json.stored !== expected.stored) {
    fail(`PUT photo ${p.id}${again ? ' (again)' : ''}`, `${answer.status} ${JSON.stringify(answer.json)}`);
  }
}

async function push(url, token, body, ids, again) {
  pushRequests++;
  const answer = await timed(pushLatencies, `${url}/api/v1/records`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
  });
  if (!answer) return;
  // New records are accepted; the same batch again changes nothing.
  const want = again ? 'unchanged' : 'accepted';
  const results = answer.json.results ?? [];
  const wrong = results.filter((r, i) => r.id !== ids[i] || r.outcome !== want || r.missing_photos?.length);
  if (results.length !== ids.length || wrong.length) {
    fail(`push${again ? ' (again)' : ''}`, `${wrong.length} of ${results.length} results not ${want}: ${JSON.stringify(wrong[0] ?? results).slice(0, 300)}`);
  }
}

async function device(url, token, village, index, until) {
  for (let n = 0; Date.now() < until; n++) {
    const p = photo();
    sentPhotos.set(p.id, { bytes: p.bytes.length, sha256: p.sha256 });
    photoBytes += p.bytes.length;
    await uploadPhoto(url, token, p, false);
    if (n % RESEND === RESEND - 1) {
      resentPhotos++;
      await uploadPhoto(url, token, p, true);
    }
    const ref = { id: p.id, bytes: p.bytes.length, width: 1600, height: 1200, sha256: p.sha256, taken_at: new Date().toISOString() };
    const records = Array.from({ length: BATCH }, (_, i) => record(village, index, n * BATCH + i, i === 0 ? ref : null));
    for (const r of records) sentRecords.set(r.id, r.photos[0]?.id ?? null);
    const ids = records.map((r) => r.id);
    const body = JSON.stringify({ records: records.map((r) => ({ base_rev: null, record: r })) });
    await push(url, token, body, ids, false);
    if (n % RESEND === RESEND - 1) {
      resentBatches++;
      await push(url, token, body, ids, true);
    }
  }
}

/** Every record the server holds, pulled page by page with the office's token: id -> times seen. */
async function pullAll(url, officeToken) {
  const seen = new Map();
  const photoRefs = new Map();
  let since;
  let pages = 0;
  for (;;) {
    const query = since === undefined ? '' : `&since=${encodeURIComponent(since)}`;
    const res = await fetch(`${url}/api/v1/records?limit=1000${query}`, { headers: { authorization: `Bearer ${officeToken}` } });
    if (!res.ok) throw new Error(`pull: ${res.status} ${await res.text()}`);
    const page = await res.json();
    pages++;
    for (const { record: r } of page.changes) {
      seen.set(r.id, (seen.get(r.id) ?? 0) + 1);
      photoRefs.set(r.id, r.photos[0]?.id ?? null);
    }
    since = page.cursor;
    if (!page.more) return { seen, photoRefs, pages };
  }
}

/** What the server holds against what was sent; a list of what is wrong (empty when all is well). */
async function check(server, officeToken) {
  const wrong = [];
  const { seen, photoRefs, pages } = await pullAll(server.url, officeToken);
  let pulled = 0;
  let duplicates = 0;
  for (const [id, times] of seen) {
    pulled += times;
    if (times > 1) duplicates += times - 1;
    if (!sentRecords.has(id)) wrong.push(`record ${id} is stored but was never sent`);
  }
  let missing = 0;
  for (const [id, photoId] of sentRecords) {
    if (!seen.has(id)) missing++;
    else if (photoRefs.get(id) !== photoId) wrong.push(`record ${id} came back with photo ${photoRefs.get(id)}, not ${photoId}`);
  }
  if (missing) wrong.push(`${missing} records sent are not stored`);
  if (duplicates) wrong.push(`${duplicates} records are stored more than once`);

  // The photo store is a folder of <id>.jpg (server/src/photo_store.rs): exactly the photos sent,
  // each its size; then the index, through the API, holds each with its SHA-256.
  const files = readdirSync(join(server.data, 'photos'));
  for (const name of files) {
    const id = name.replace(/\.jpg$/, '');
    const sent = sentPhotos.get(id);
    if (!name.endsWith('.jpg') || !sent) wrong.push(`unexpected file photos/${name}`);
    else if (statSync(join(server.data, 'photos', name)).size !== sent.bytes) wrong.push(`photos/${name} has the wrong size`);
  }
  const photoFiles = files.filter((n) => n.endsWith('.jpg') && sentPhotos.has(n.slice(0, -4))).length;
  if (photoFiles !== sentPhotos.size) wrong.push(`${sentPhotos.size - photoFiles} photos sent have no file`);
  let indexed = 0;
  const ids = [...sentPhotos.keys()];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (ids.length) {
        const id = ids.pop();
        const res = await fetch(`${server.url}/api/v1/photos/${id}`, { method: 'HEAD', headers: { authorization: `Bearer ${officeToken}` } });
        if (res.ok && res.headers.get('x-photo-sha256') === sentPhotos.get(id).sha256) indexed++;
        else wrong.push(`photo ${id}: HEAD answered ${res.status} ${res.headers.get('x-photo-sha256')}`);
      }
    }),
  );
  return {
    wrong,
    records: { sent: sentRecords.size, stored: seen.size, pulled, duplicates, missing, pull_pages: pages },
    photos: { sent: sentPhotos.size, files: photoFiles, indexed },
  };
}

function latency(ms) {
  const sorted = [...ms].sort((a, b) => a - b);
  // Nearest rank: the smallest value with at least p of them at or below it.
  const at = (p) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? null;
  const round = (v) => (v === null ? null : Math.round(v * 10) / 10);
  return { count: sorted.length, p50_ms: round(at(0.5)), p99_ms: round(at(0.99)), max_ms: round(sorted.at(-1) ?? null) };
}

// The server needs a folder with an index.html to serve; the load test never loads the app.
const dist = mkdtempSync(join(tmpdir(), 'rp-bench-load-dist-'));
writeFileSync(join(dist, 'index.html'), '<!DOCTYPE html><title>River Patrol</title>');
const server = await startServer(binary, dist, { name: 'load', firstPort: 8500, databaseUrl: DATABASE_URL });
const servers = [server];
try {
  for (let i = 1; i < INSTANCES; i++) {
    servers.push(await startServer(binary, dist, { name: 'load', firstPort: 8500 + 100 * i, databaseUrl: DATABASE_URL, data: server.data }));
  }
  const tokens = VILLAGES.map((v) => server.token(v));
  const officeToken = server.token(null);
  const start = performance.now();
  const until = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: DEVICES }, (_, i) => device(servers[i % servers.length].url, tokens[i % VILLAGES.length], VILLAGES[i % VILLAGES.length], i, until)),
  );
  const seconds = (performance.now() - start) / 1000;
  const checkStart = performance.now();
  const stored = await check(server, officeToken);
  const checkSeconds = (performance.now() - checkStart) / 1000;
  const wrong = [...errors, ...stored.wrong];
  if (wrong.length) {
    console.error(`${wrong.length} problems:\n  ${wrong.slice(0, 20).join('\n  ')}`);
    throw new Error(`the load test found ${errors.length} failed requests and ${stored.wrong.length} problems in what the server holds`);
  }
  const perSecond = (n) => Math.round((n / seconds) * 10) / 10;
  console.log(
    JSON.stringify({
      node: process.version,
      database: DATABASE_URL ? 'postgres' : 'sqlite',
      instances: servers.length,
      devices: DEVICES,
      villages: VILLAGES.length,
      batch: BATCH,
      resend_every: RESEND,
      planned_seconds: SECONDS,
      seconds: Math.round(seconds * 100) / 100,
      check_seconds: Math.round(checkSeconds * 100) / 100,
      errors: errors.length,
      records: { ...stored.records, resent_batches: resentBatches, per_second: perSecond(stored.records.sent) },
      photos: { ...stored.photos, resent: resentPhotos, bytes: photoBytes, per_second: perSecond(stored.photos.sent) },
      requests: { push: pushRequests, photo: photoRequests, per_second: perSecond(pushRequests + photoRequests) },
      push_latency: latency(pushLatencies),
      photo_latency: latency(photoLatencies),
    }),
  );
} catch (e) {
  for (const s of servers) console.error(s.log());
  throw e;
} finally {
  // The instances sharing the data folder first: the first one removes it.
  for (const s of servers.toReversed()) s.stop();
  rmSync(dist, { recursive: true, force: true });
}
