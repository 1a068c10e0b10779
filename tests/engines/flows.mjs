// The app's main flows (issue 24: "Runs on the phones officials carry"), written once against
// the small driver interface of drivers.mjs so that Chromium, Firefox and WebKit each run the
// same steps. What they check is what an official would notice: the screen's heading and rows,
// the photo drawn, the draft offered back, the sync line, the server holding the record. The
// elements are found as the Playwright tests (tests/e2e/) find them, by their label, role and
// text in Chinese (the app's default language), in the page; then the driver's own click and
// typing act on them, so each engine's real input events reach the app.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Proxy, Server } from './servers.mjs';

/** How long a step may take to show, by default; photo processing gets longer. */
const WAIT_MS = 15_000;

// ---- In the page (each function is sent as source: it may use only its own arguments) ----

/**
 * Finds the one visible element `spec` describes and marks it with a fresh data attribute;
 * answers the CSS selector of the mark, null while there is none, or {many: n} if several match.
 * spec: {label} the form control whose <label> reads exactly that; or {css, text?, contains?}
 * elements matching css whose name (aria-label, else the text outside aria-hidden parts) is
 * `text` (or contains `contains`); `within` a CSS scope; `hidden` to allow unseen elements
 * (a file input behind its label button).
 */
function markElement(spec) {
  const norm = (s) => (s ?? '').replace(/\s+/g, ' ').trim();
  const nameOf = (el) => {
    const aria = el.getAttribute('aria-label');
    if (aria !== null) return norm(aria);
    let text = '';
    const walk = (node) => {
      for (const child of node.childNodes) {
        if (child.nodeType === Node.TEXT_NODE) text += child.textContent;
        else if (child.nodeType === Node.ELEMENT_NODE && child.getAttribute('aria-hidden') !== 'true') walk(child);
      }
    };
    walk(el);
    return norm(text);
  };
  const scope = spec.within ? document.querySelector(spec.within) : document;
  if (!scope) return null;
  let found = [];
  if (spec.label !== undefined) {
    for (const label of scope.querySelectorAll('label')) {
      if (nameOf(label) !== spec.label) continue;
      const control = label.htmlFor ? document.getElementById(label.htmlFor) : label.querySelector('input, select, textarea');
      if (control) found.push(control);
    }
  } else {
    for (const el of scope.querySelectorAll(spec.css)) {
      const name = nameOf(el);
      if (spec.text !== undefined && name !== spec.text) continue;
      if (spec.contains !== undefined && !name.includes(spec.contains)) continue;
      found.push(el);
    }
  }
  if (!spec.hidden) found = found.filter((el) => el.getClientRects().length > 0);
  if (found.length === 0) return null;
  if (found.length > 1) return { many: found.length };
  // In the middle of the screen, clear of the fixed bottom navigation: a click there reaches it.
  if (!spec.hidden) found[0].scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
  window.__enginesMark = (window.__enginesMark ?? 0) + 1;
  found[0].setAttribute('data-engines-mark', String(window.__enginesMark));
  return `[data-engines-mark="${window.__enginesMark}"]`;
}

/** What each element matching `css` says: its text outside aria-hidden parts, whitespace collapsed. */
function textsOf(css) {
  const said = (node) =>
    [...node.childNodes]
      .map((child) => {
        if (child.nodeType === Node.TEXT_NODE) return child.textContent;
        if (child.nodeType === Node.ELEMENT_NODE && child.getAttribute('aria-hidden') !== 'true') return said(child);
        return '';
      })
      .join('');
  return [...document.querySelectorAll(css)].map((el) => said(el).replace(/\s+/g, ' ').trim());
}

/** The open form's controls by label: text as typed, a select's chosen option, a checkbox's tick. */
function formValues() {
  const values = {};
  for (const label of document.querySelectorAll('main label[for]')) {
    const control = document.getElementById(label.htmlFor);
    if (!control) continue;
    values[label.textContent.trim()] =
      control.type === 'checkbox' ? control.checked : control.tagName === 'SELECT' ? control.selectedOptions[0]?.textContent.trim() : control.value;
  }
  return values;
}

/** The open record's rows (label → value), as its detail screen shows them. */
function detailRows() {
  const rows = {};
  for (const dt of document.querySelectorAll('main dl.fields dt')) {
    rows[dt.textContent.trim()] = (dt.nextElementSibling?.textContent ?? '').trim();
  }
  return rows;
}

/** Every stored record, parsed, in key order. */
function storedRecords() {
  return Object.keys(localStorage)
    .filter((k) => k.startsWith('rp/v1/record/'))
    .sort()
    .map((k) => JSON.parse(localStorage.getItem(k)));
}

/** The first photo thumbnail of the screen: 'none', 'loading', or its decoded width. */
function thumbnailState() {
  const img = document.querySelector('button[aria-label="查看第 1 张照片（共 1 张）"] img');
  if (!img) return 'none';
  return img.complete && img.naturalWidth > 0 ? img.naturalWidth : 'loading';
}

/** A camera-like 800×600 JPEG drawn on a canvas, as base64. */
function canvasJpeg() {
  const canvas = document.createElement('canvas');
  canvas.width = 800;
  canvas.height = 600;
  const ctx = canvas.getContext('2d');
  let seed = 11;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  ctx.fillStyle = '#5d8fc7';
  ctx.fillRect(0, 0, 800, 600);
  for (let i = 0; i < 400; i++) {
    ctx.fillStyle = `rgb(${(rnd() * 255) | 0},${(rnd() * 255) | 0},${(rnd() * 255) | 0})`;
    ctx.fillRect(rnd() * 800, rnd() * 600, 4 + rnd() * 60, 4 + rnd() * 60);
  }
  return canvas.toDataURL('image/jpeg', 0.9).split(',')[1];
}

/**
 * Whether this engine's IndexedDB stores a Blob here: null if it does, else the error it gives
 * (WebKit's in an ephemeral session: "UnknownError: Error preparing Blob/File data to be stored").
 */
async function blobStoreError() {
  const name = 'engines-blob-probe';
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open(name, 1);
    open.onupgradeneeded = () => open.result.createObjectStore('s');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  try {
    return await new Promise((resolve) => {
      const tx = db.transaction('s', 'readwrite');
      tx.oncomplete = () => resolve(null);
      try {
        // The put's own error: the transaction's is still null when its error event fires.
        const put = tx.objectStore('s').put(new Blob(['probe'], { type: 'text/plain' }), 'k');
        put.onerror = () => resolve(`${put.error?.name}: ${put.error?.message}`);
      } catch (e) {
        resolve(`${e.name}: ${e.message}`);
      }
    });
  } finally {
    db.close();
    indexedDB.deleteDatabase(name);
  }
}

// ---- In the test process ----

/** Polls `fn` in the page until it answers something truthy (or `ok` accepts it); answers that. */
export async function until(d, what, fn, args = [], { timeout = WAIT_MS, ok = Boolean } = {}) {
  const end = Date.now() + timeout;
  let last;
  let error;
  for (;;) {
    try {
      last = await d.evaluate(fn, ...args);
      error = undefined;
      if (ok(last)) return last;
    } catch (e) {
      // A page between two documents (a reload, a navigation) answers nothing for a moment.
      error = e;
    }
    if (Date.now() > end) {
      const saw = error ? `error ${error.message}` : JSON.stringify(last);
      throw new assert.AssertionError({ message: `${d.name}: ${what} (last seen: ${saw})` });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The selector of the one element `spec` describes, once it shows. */
async function find(d, spec) {
  return until(d, `one element ${JSON.stringify(spec)}`, markElement, [spec], { ok: (v) => typeof v === 'string' });
}

/** Clicks the element `spec` describes (found again if the app redrew it in between). */
async function click(d, spec) {
  for (let tries = 1; ; tries++) {
    const css = await find(d, spec);
    try {
      await d.click(css);
      return;
    } catch (e) {
      if (tries === 3) throw e;
    }
  }
}

async function fill(d, label, text) {
  await d.fill(await find(d, { label }), text);
}

/** Picks the option of the select labelled `label` whose text is `option`. */
async function choose(d, label, option) {
  const css = await find(d, { label });
  const value = await d.evaluate(
    (css, option) => [...document.querySelector(css).options].find((o) => o.textContent.trim() === option)?.value,
    css,
    option,
  );
  assert.ok(value !== undefined, `${label} offers ${option}`);
  await d.select(css, value);
}

/** Waits until the screen's h1 reads `text`. */
async function expectHeading(d, text) {
  await until(d, `the heading reads ${text}`, textsOf, ['h1'], { ok: (h) => h.includes(text) });
}

async function nav(d, name) {
  await click(d, { css: 'nav.bottom-nav a', text: name });
}

/** Starts a new record of `kind` from the bottom navigation and fills its form. */
async function fillNew(d, { kind, fill: texts = {}, select = {}, check = [] }) {
  await nav(d, '新建');
  await expectHeading(d, '发现了什么问题？');
  await click(d, { css: 'a.kind-tile', text: kind });
  await expectHeading(d, '新建记录');
  for (const [label, text] of Object.entries(texts)) await fill(d, label, text);
  for (const [label, option] of Object.entries(select)) await choose(d, label, option);
  for (const label of check) await d.click(await find(d, { label }));
}

/** Saves the form; the record's screen shows it. */
async function save(d, title) {
  await click(d, { css: 'button', text: '保存' });
  await expectHeading(d, title);
}

/** The detail screen shows every row in `want` (label → text). */
async function expectRows(d, want) {
  const pick = (rows) => Object.fromEntries(Object.keys(want).map((k) => [k, rows[k]]));
  try {
    await until(d, 'the record rows show', detailRows, [], { ok: (rows) => isDeepStrictEqual(pick(rows), want) });
  } catch {
    assert.deepEqual(pick(await d.evaluate(detailRows)), want, `${d.name}: the record's rows`);
  }
}

/** Opens the list and then the record whose row mentions `title`. */
async function openFromList(d, title) {
  await nav(d, '记录');
  await click(d, { css: 'a.record-row', contains: title });
  await expectHeading(d, title);
}

/** The app is installed: its service worker controls the page (so it opens offline). */
async function installed(d) {
  await until(d, 'the service worker controls the page', () =>
    Promise.race([
      navigator.serviceWorker.ready.then(() => navigator.serviceWorker.controller !== null),
      new Promise((resolve) => setTimeout(() => resolve(false), 1000)),
    ]),
  );
}

/** A JPEG file on disk (for the file input), drawn by the page's canvas. */
async function jpegFile(d, dir) {
  const path = join(dir, 'IMG_0001.jpg');
  writeFileSync(path, Buffer.from(await d.evaluate(canvasJpeg), 'base64'));
  return path;
}

/** Chooses a photo from the album (the picker's file input) and waits until it is counted. */
async function addPhoto(d, path) {
  // Every engine's driver sets a file input here (CDP, BiDi's input.setFiles, and
  // WebKitWebDriver's Element Send Keys on <input type=file>): the app's own picker code runs.
  await d.setInputFiles(await find(d, { css: '#photo-choose', hidden: true }), path);
  const picker = await until(
    d,
    'the photo is counted (1 / 6 张), or the picker says why not',
    () => ({
      count: document.querySelector('.photo-count')?.textContent.trim(),
      alert: document.querySelector('.photo-alert')?.textContent.trim(),
    }),
    [],
    { timeout: 30_000, ok: (p) => p.count === '1 / 6 张' || p.alert },
  );
  // WebDriver hands back null where the page's value is undefined.
  assert.ok(!picker.alert, `${d.name}: the photo picker refused the photo: ${picker.alert}`);
}

/** The photo's thumbnail is drawn (decoded, with a width), and the record holds one photo. */
async function expectPhotoShown(d) {
  const [record] = await until(d, 'the record is stored', storedRecords, [], { ok: (r) => r.length === 1 });
  assert.equal(record.photos.length, 1, `${d.name}: the record holds its photo`);
  await until(d, 'the photo thumbnail is drawn', thumbnailState, [], { ok: (s) => typeof s === 'number' && s > 0 });
}

/**
 * The form the app stored its photos in ('blob' or 'bytes', see src/storage/photos.rs): where
 * this engine's IndexedDB refuses Blobs (WebKit's ephemeral sessions, as WebKitWebDriver's
 * automation sessions and Safari's private browsing are), the app must have fallen back to
 * bytes; elsewhere it keeps Blobs.
 */
function storedPhotoForms() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('river-patrol');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const all = db.transaction('photos', 'readonly').objectStore('photos').getAll();
      all.onerror = () => reject(all.error);
      all.onsuccess = () => {
        db.close();
        resolve(all.result.map((v) => (v.blob instanceof Blob ? 'blob' : v.bytes instanceof ArrayBuffer ? 'bytes' : 'neither')));
      };
    };
  });
}

/** The photo went in the form this engine can keep, and the suite says which, and why. */
async function expectPhotoForm(d, t) {
  const refused = await d.evaluate(blobStoreError);
  const forms = await d.evaluate(storedPhotoForms);
  t.diagnostic(`${d.name}: photos stored as ${forms.join(', ')}${refused ? ` (IndexedDB refuses Blobs here: ${refused})` : ''}`);
  assert.ok(forms.length > 0, `${d.name}: a photo is in IndexedDB`);
  for (const form of forms) assert.equal(form, refused ? 'bytes' : 'blob', `${d.name}: the photo's stored form`);
}

// ---- The flows. Each starts on a fresh origin (its own proxy port) with empty storage. ----

const outfall = {
  kind: '排污口',
  fill: { 问题描述: '沿河住户生活污水直排', 受纳水体: '清水河', '村（社区）': '杨柳村' },
  select: { 排放类型: '生活污水', 排放状态: '正在排放' },
};
const farm = {
  kind: '养殖场',
  fill: { 问题描述: '养殖场粪污未处理', 养殖场名称: '兴旺养猪场', '存栏数量（头/只）': '120', '村（社区）': '红岩村' },
  select: { 粪污处理设施: '不完善' },
  check: ['位于禁养区内'],
};

/** Start: the app shell opens on the records list. */
async function start({ d, origin }) {
  await d.goto(`${origin}/`);
  await expectHeading(d, '问题记录');
  await until(d, 'the empty list says 还没有记录', textsOf, ['main h2'], { ok: (h) => h.includes('还没有记录') });
  const links = await until(d, 'the bottom navigation shows', textsOf, ['nav.bottom-nav a'], {
    ok: (l) => l.length === 6,
  });
  assert.deepEqual(links, ['记录', '新建', '地图', '统计', '巡河', '设置']);
  await click(d, { css: 'a', text: '新建第一条记录' });
  await expectHeading(d, '发现了什么问题？');
  const kinds = await d.evaluate(textsOf, 'a.kind-tile');
  assert.equal(kinds.length, 8, `eight kinds offered: ${kinds}`);
  await nav(d, '记录');
  await expectHeading(d, '问题记录');
}

/** A sewage outfall and a livestock farm through the kind picker and their forms. */
async function twoKinds({ d, origin }) {
  await d.goto(`${origin}/`);
  await fillNew(d, outfall);
  await save(d, outfall.fill.问题描述);
  await expectRows(d, { 问题类型: '排污口', 受纳水体: '清水河', '村（社区）': '杨柳村', 排放类型: '生活污水', 排放状态: '正在排放' });
  await fillNew(d, farm);
  await save(d, farm.fill.问题描述);
  await expectRows(d, {
    问题类型: '养殖场',
    养殖场名称: '兴旺养猪场',
    '存栏数量（头/只）': '120',
    粪污处理设施: '不完善',
    位于禁养区内: '是',
  });
  await nav(d, '记录');
  await expectHeading(d, '问题记录');
  const rows = await until(d, 'both records are listed', textsOf, ['a.record-row .row-title'], {
    ok: (r) => r.length === 2,
  });
  // Newest first.
  assert.deepEqual(rows, [farm.fill.问题描述, outfall.fill.问题描述]);
}

/** A photo added to a record: counted in the form, drawn on the record's screen. */
async function photo({ d, t, origin, dir }) {
  await d.goto(`${origin}/`);
  const path = await jpegFile(d, dir);
  await fillNew(d, { kind: '排污口', fill: { 问题描述: '暗管排污', '村（社区）': '杨柳村' } });
  await addPhoto(d, path);
  await save(d, '暗管排污');
  await expectPhotoShown(d);
  await expectPhotoForm(d, t);
}

/** A reload: the records are still there, on the list and on their own screen. */
async function reload({ d, origin }) {
  await d.goto(`${origin}/`);
  await fillNew(d, outfall);
  await save(d, outfall.fill.问题描述);
  await fillNew(d, farm);
  await save(d, farm.fill.问题描述);
  await d.reload();
  await expectHeading(d, farm.fill.问题描述);
  await expectRows(d, { 养殖场名称: '兴旺养猪场' });
  await nav(d, '记录');
  await until(d, 'both records are listed after the reload', textsOf, ['a.record-row .row-title'], {
    ok: (r) => r.length === 2,
  });
  await openFromList(d, outfall.fill.问题描述);
  await expectRows(d, { 受纳水体: '清水河' });
  assert.equal((await d.evaluate(storedRecords)).length, 2);
}

/**
 * An offline reload once the app is ready: the service worker in control, the server out of
 * reach (its proxy refuses connections), the app opens with the records and the photo.
 */
async function offlineReload({ d, t, origin, proxy, dir }) {
  await d.goto(`${origin}/`);
  const path = await jpegFile(d, dir);
  await fillNew(d, { kind: '排污口', fill: { 问题描述: '离线可见的排污口', '村（社区）': '杨柳村' } });
  await addPhoto(d, path);
  await save(d, '离线可见的排污口');
  await installed(d);

  proxy.offline();
  const reached = await d.evaluate(() =>
    fetch('/sw.js', { cache: 'no-store' }).then(
      () => 'reached',
      () => 'failed',
    ),
  );
  assert.equal(reached, 'failed', 'the server is out of reach');
  await d.reload();
  await expectHeading(d, '离线可见的排污口');
  await expectPhotoShown(d);
  // The list and another screen open offline too (each screen's code was cached at install).
  await d.goto(`${origin}/`);
  await expectHeading(d, '问题记录');
  await until(d, 'the record is listed offline', textsOf, ['a.record-row .row-title'], {
    ok: (r) => r.includes('离线可见的排污口'),
  });
  await nav(d, '新建');
  await expectHeading(d, '发现了什么问题？');
}

/** A draft brought back: typing in the new-record form, a reload, the app offers to continue. */
async function draft({ d, origin }) {
  await d.goto(`${origin}/`);
  await fillNew(d, farm);
  // Drafts are written within half a second of the last change.
  await until(d, 'the draft is kept', () => Object.keys(localStorage).some((k) => k.startsWith('rp/v1/draft/')));
  await d.reload();
  await find(d, { css: '[role="region"]', text: '未保存的草稿' });
  assert.equal((await d.evaluate(storedRecords)).length, 0, 'a draft is not a record');
  await click(d, { css: 'button', text: '继续编辑草稿' });
  const want = { ...farm.fill, ...farm.select, ...Object.fromEntries(farm.check.map((l) => [l, true])) };
  const values = await until(d, 'the typed values are back', formValues, [], {
    ok: (v) => v['问题描述'] === farm.fill.问题描述,
  });
  assert.deepEqual(Object.fromEntries(Object.keys(want).map((k) => [k, values[k]])), want);
  await save(d, farm.fill.问题描述);
  await expectRows(d, { 养殖场名称: '兴旺养猪场', 位于禁养区内: '是' });
}

/** A follow-up (复查): the status moves on, and the history says so, after a reload too. */
async function followUp({ d, origin }) {
  await d.goto(`${origin}/`);
  await fillNew(d, farm);
  await save(d, farm.fill.问题描述);
  await until(d, 'the record is 待整改', textsOf, ['.detail-head .status'], { ok: (s) => s[0] === '待整改' });
  await click(d, { css: 'a', text: '复查' });
  await expectHeading(d, '复查');
  await choose(d, '复查后状态', '整改中');
  await fill(d, '复查情况', '已责令业主建设粪污池');
  await click(d, { css: 'button', text: '保存复查' });
  await expectHeading(d, farm.fill.问题描述);
  await until(d, 'the record is 整改中', textsOf, ['.detail-head .status'], { ok: (s) => s[0] === '整改中' });
  await d.reload();
  const items = await until(d, 'the history shows the visit', textsOf, ['[data-testid="history-item"]'], {
    ok: (i) => i.length === 2,
  });
  assert.match(items[1], /复查 · 待整改 → 整改中/);
  assert.match(items[1], /已责令业主建设粪污池/);
}

/**
 * A sync to a test server: a second reference server with its own data folder, a token from
 * its admin command, the office's connect link opened on the phone; a record made then, with a
 * photo, reaches the server (the photo byte for byte) and shows as synced.
 */
async function sync({ d, t, origin, syncServer, dir }) {
  const token = syncServer.token('张三', '杨柳村');
  await d.goto(`${origin}/connect#token=${token}`);
  await until(d, 'the connect screen names the server', textsOf, ['[data-testid="connect-server"]'], {
    ok: (s) => s[0] === origin,
  });
  await click(d, { css: 'button', text: '确认连接' });
  await until(d, 'connected: 在线, 全部已同步', textsOf, ['[data-testid="sync-connection"], [data-testid="sync-pending"]'], {
    ok: (s) => s.join('|') === '在线|全部已同步',
  });
  const path = await jpegFile(d, dir);
  await fillNew(d, outfall);
  await addPhoto(d, path);
  await save(d, outfall.fill.问题描述);
  await nav(d, '记录');
  await until(d, 'the record is synced (全部已同步, 已同步)', textsOf, ['[data-testid="sync-pending"], a.record-row [data-testid="sync-badge"]'], {
    timeout: 30_000,
    ok: (s) => s.join('|') === '全部已同步|已同步',
  });
  const [local] = await d.evaluate(storedRecords);
  const remote = await syncServer.records(token);
  assert.equal(remote.length, 1, 'the server holds one record');
  assert.equal(remote[0].id, local.id);
  assert.equal(remote[0].title, outfall.fill.问题描述);
  assert.equal(local.photos.length, 1, `${d.name}: the record holds its photo`);
  const sha = await syncServer.photoSha256(token, local.photos[0].id);
  assert.equal(sha, local.photos[0].sha256, 'the server holds the photo, byte for byte');
}

/** [title, flow, needs]: needs.sync starts a sync server for the flow and puts its proxy in front of it. */
export const FLOWS = [
  ['start: the app shell shows the records list', start],
  ['a sewage outfall (排污口) and a livestock farm (养殖场) through the kind picker and form', twoKinds],
  ['a photo added to a record is drawn on its screen', photo],
  ['a reload: the records survive', reload],
  ['an offline reload once the app is ready: the record and its photo show', offlineReload],
  ['a draft brought back after a reload', draft],
  ['a follow-up (复查) moves the status on and shows in the history', followUp],
  ['a sync to a test server: the record and its photo reach it, and show as synced', sync, { sync: true }],
];

/**
 * Runs one flow on a fresh origin: a proxy on `port` in front of `appServer` (or of a sync
 * server of the flow's own, started on `syncPort`); a screenshot on failure into `shots`.
 */
export async function runFlow(d, t, [title, flow, needs = {}], { port, appServer, syncPort, shots }) {
  const syncServer = needs.sync ? await Server.start(syncPort) : null;
  const proxy = await Proxy.start(port, (syncServer ?? appServer).port);
  const dir = mkdtempSync(join(tmpdir(), 'rp-engines-files-'));
  try {
    await flow({ d, t, origin: proxy.url, proxy, syncServer, dir });
  } catch (e) {
    const file = join(shots, `${d.name}-${title.split(/[:(]/)[0].trim().replace(/\W+/g, '-')}.png`);
    await d.screenshot(file).then(
      () => t.diagnostic(`screenshot: ${file}`),
      () => {},
    );
    throw e;
  } finally {
    await proxy.stop();
    await syncServer?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
