// Sync benchmarks, run by `cargo xtask bench` (xtask/bench/src/sync.rs).
//
//   node xtask/bench/sync.mjs <server-binary> <dist-dir>
//
// 1. Phone to server: a fresh reference server (its own SQLite file and photo folder in a
//    temporary folder) serves the release app; headless Chromium opens it, 1,000 records and
//    300 photos (1600×1200 JPEGs of about 200 KB, made in the page) are put into the app's
//    storage as if taken offline, the connect link is confirmed, and the clock runs until the
//    app says everything is synced. The server is then asked that it holds all of them.
// 2. Push throughput: several clients push batches of 100 new records at once for a fixed
//    number of batches; records per second over the whole run.
// Prints one line of JSON on stdout.
import { randomUUID } from 'node:crypto';
import { launchChromium } from './chromium.mjs';
import { startServer } from './server.mjs';

const [binary, dist] = process.argv.slice(2);
if (!binary || !dist) {
  console.error('usage: node xtask/bench/sync.mjs <server-binary> <dist-dir>');
  process.exit(2);
}

const RECORDS = 1000;
const PHOTOS = 300;
const CLIENTS = 4;
const BATCHES_PER_CLIENT = 25;
const BATCH = 100;

function record(village, photos = []) {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    schema: 1,
    revision: 1,
    details: { kind: 'litter_point', bins: 'none', litter_in_river: true },
    title: '河边垃圾堆放',
    village,
    place: '三组河湾',
    position: { latitude: 31.25 + Math.random() / 100, longitude: 107.54 + Math.random() / 100, accuracy_m: 8, taken_at: now },
    notes: '塑料袋和建筑垃圾，约两立方米。',
    photos,
    responsibility: { leader: '黎学军', department: '规划建设办', person: '严文斌', phone: '13812345678' },
    deadline: '2027-06-30',
    status: 'open',
    created_at: now,
    updated_at: now,
    author: 'bench',
  };
}

async function phoneToServer(page, phoneToken) {
  await page.goto(`${url}/`);
  await page.waitForSelector('main');
  const stored = await page.evaluate(
    async ({ records, photos }) => {
      // A phone that never stored a photo has no database yet: made as the app makes it
      // (src/photos.rs, `upgrade`), version 1 with the one store.
      const db = await new Promise((ok, fail) => {
        const open = indexedDB.open('river-patrol', 1);
        open.onupgradeneeded = () => {
          if (!open.result.objectStoreNames.contains('photos')) open.result.createObjectStore('photos');
        };
        open.onsuccess = () => ok(open.result);
        open.onerror = () => fail(open.error);
      });
      const refs = [];
      let bytes = 0;
      for (let i = 0; i < photos; i++) {
        const canvas = new OffscreenCanvas(1600, 1200);
        const ctx = canvas.getContext('2d');
        let s = i + 1;
        const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
        for (let k = 0; k < 1500; k++) {
          ctx.fillStyle = `rgb(${(rnd() * 255) | 0},${(rnd() * 255) | 0},${(rnd() * 255) | 0})`;
          ctx.fillRect(rnd() * 1600, rnd() * 1200, 8 + rnd() * 60, 8 + rnd() * 60);
        }
        const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.8 });
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
        const sha256 = [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
        const id = crypto.randomUUID();
        await new Promise((ok, fail) => {
          const tx = db.transaction('photos', 'readwrite');
          tx.objectStore('photos').put({ blob, stored_at: Date.now() }, id);
          tx.oncomplete = ok;
          tx.onerror = () => fail(tx.error);
        });
        bytes += blob.size;
        refs.push({ id, bytes: blob.size, width: 1600, height: 1200, sha256, taken_at: new Date().toISOString() });
      }
      for (let i = 0; i < records.length; i++) {
        const r = records[i];
        if (i < refs.length) r.photos = [refs[i]];
        localStorage.setItem(`rp/v1/record/${r.id}`, JSON.stringify(r));
      }
      db.close();
      return { photo_bytes: bytes };
    },
    { records: Array.from({ length: RECORDS }, () => record('杨柳村')), photos: PHOTOS },
  );
  // Load the app with them, then connect: the sync starts at once.
  await page.goto(`${url}/connect#token=${phoneToken}`);
  const start = Date.now();
  await page.getByRole('button', { name: '确认连接' }).click();
  await page.getByTestId('sync-pending').filter({ hasText: '全部已同步' }).waitFor({ timeout: 600_000 });
  const ms = Date.now() - start;
  return { ms, photo_bytes: stored.photo_bytes };
}

async function countOnServer(officeToken) {
  let since;
  let records = 0;
  for (;;) {
    const query = since === undefined ? '' : `&since=${encodeURIComponent(since)}`;
    const res = await fetch(`${url}/api/v1/records?limit=1000${query}`, { headers: { authorization: `Bearer ${officeToken}` } });
    const page = await res.json();
    records += page.changes.length;
    since = page.cursor;
    if (!page.more) return records;
  }
}

async function pushThroughput(officeToken) {
  const client = async () => {
    for (let b = 0; b < BATCHES_PER_CLIENT; b++) {
      const body = JSON.stringify({ records: Array.from({ length: BATCH }, () => ({ base_rev: null, record: record('白沙村') })) });
      const res = await fetch(`${url}/api/v1/records`, {
        method: 'POST',
        headers: { authorization: `Bearer ${officeToken}`, 'content-type': 'application/json' },
        body,
      });
      if (!res.ok) throw new Error(`push: ${res.status} ${await res.text()}`);
      const { results } = await res.json();
      if (results.some((r) => r.outcome !== 'accepted')) throw new Error('a record was not accepted');
    }
  };
  const start = Date.now();
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const ms = Date.now() - start;
  const records = CLIENTS * BATCHES_PER_CLIENT * BATCH;
  return { clients: CLIENTS, batch: BATCH, records, ms, records_per_second: (records * 1000) / ms };
}

const server = await startServer(binary, dist, { name: 'sync', firstPort: 8300 });
const url = server.url;
let browser;
try {
  const phoneToken = server.token('杨柳村');
  const officeToken = server.token(null);
  browser = await launchChromium();
  const page = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
  const phone = await phoneToServer(page, phoneToken);
  const held = await countOnServer(officeToken);
  if (held !== RECORDS) throw new Error(`the server holds ${held} records, not ${RECORDS}`);
  const push = await pushThroughput(officeToken);
  console.log(
    JSON.stringify({
      browser: `Chromium ${browser.version()} (headless)`,
      phone_to_server: { records: RECORDS, photos: PHOTOS, ...phone },
      push_throughput: push,
    }),
  );
} catch (e) {
  console.error(server.log());
  throw e;
} finally {
  await browser?.close();
  server.stop();
}
