// The ledger at township scale, run by `cargo xtask bench` (xtask/bench/src/ledger.rs).
//
//   node xtask/bench/ledger.mjs <server-binary> <dist-dir>
//
// The release server serves the release app from a temporary data folder; headless Chromium
// opens it once (the service worker installs), then 5,000 problems are written into the app's
// localStorage in its storage format (docs/storage.md), as a phone holding a whole township's
// ledger would have them. With the CPU slowed 4× (as Lighthouse's mobile preset does):
//  - start: navigation start → the first list row on screen, over several reloads;
//  - search: typing a word into 搜索 → the list and its count updated (next frame);
//  - filter: picking a village → the list updated;
//  - map: tapping 地图 in the navigation → the map's markers drawn (next frame), the issue's
//    "5,000 problems on the map in 1 s or less". After each reload the first opening also
//    loads the map screen's part of the wasm, then map-part/map.js (Leaflet with public/map.js)
//    and map.css (from the service worker's cache, as on an installed phone), and is counted
//    apart from a second opening, with all that already loaded. The files a first opening
//    fetches are listed (map_first_files): ledger.rs sizes them, the map part's weight.
// Medians are reported. Prints one line of JSON on stdout.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { launchChromium } from './chromium.mjs';
import { startServer } from './server.mjs';

const [binary, dist] = process.argv.slice(2);
if (!binary || !dist) {
  console.error('usage: node xtask/bench/ledger.mjs <server-binary> <dist-dir>');
  process.exit(2);
}

const PROBLEMS = 5000;
const CPU_SLOWDOWN = 4;
const RUNS = 5;

// Seventeen villages and one community, as in the township report; every kind; a spread of
// statuses, deadlines (some past) and dates found over two years.
const VILLAGES = ['杨柳村', '红岩村', '白沙村', '石门村', '青龙村', '桃园村', '金竹村', '龙潭村', '新华村',
  '太平村', '双河村', '柏林村', '黄桷村', '回龙村', '鹿鸣村', '长岭村', '莲花村', '场镇社区'];
const KINDS = [
  { kind: 'sewage_outfall', discharge: 'domestic', flow: 'flowing', colour: 'turbid', odour: 'strong', receiving_river: '清水河' },
  { kind: 'livestock_farm', name: '生猪养殖场', owner: '王五', species: 'pigs', head_count: 120, manure_facility: 'incomplete', in_no_farming_zone: false },
  { kind: 'signage', sign_type: 'river_chief', condition: 'damaged' },
  { kind: 'stone_plant', name: '石料厂', operation: 'operating', wastewater_to_river: true },
  { kind: 'spoil_heap', road_section: '村道K2+300', volume_m3: 80, near_water: true },
  { kind: 'litter_point', bins: 'none', litter_in_river: true },
  { kind: 'water_quality', source_name: '鲁家沟水库', source: 'reservoir', testing: 'not_done' },
  { kind: 'other' },
];
const TITLES = ['沿河住户生活污水直排入河', '养殖粪污未经处理排放', '河长公示牌破损', '石料加工废水入河',
  '河道旁堆放建筑弃土', '河岸垃圾堆积', '饮用水源地未定期检测', '河道内有废弃渔网'];
const STATUSES = ['open', 'open', 'rectifying', 'fixed', 'closed'];

function problems(n) {
  const out = [];
  const start = Date.UTC(2025, 0, 1);
  for (let i = 0; i < n; i++) {
    const k = i % KINDS.length;
    const found = new Date(start + (i * 2 * 365 * 86400_000) / n);
    const deadline = new Date(found.getTime() + (15 + (i % 90)) * 86400_000).toISOString().slice(0, 10);
    const at = found.toISOString();
    out.push({
      id: randomUUID(),
      schema: 1,
      revision: 1,
      details: KINDS[k],
      title: `${TITLES[k]} ${i + 1}`,
      village: VILLAGES[i % VILLAGES.length],
      place: `${(i % 9) + 1}组河湾`,
      position: { latitude: 31.2 + (i % 500) / 10000, longitude: 107.5 + (i % 700) / 10000, accuracy_m: 8, taken_at: at },
      notes: i % 3 === 0 ? '下雨后更严重，需复查。' : '',
      photos: [],
      responsibility: { leader: '黎学军(党委书记)', department: '规划建设办', person: '严文斌', phone: '' },
      deadline,
      status: STATUSES[i % STATUSES.length],
      created_at: at,
      updated_at: at,
      author: '张三',
    });
  }
  return out;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** In the page: runs `change` on the control, then waits until the count text changes and the
 * next frame is drawn; returns the milliseconds taken. */
async function timeChange(page, selector, value) {
  return page.evaluate(
    async ({ selector, value }) => {
      const control = document.querySelector(selector);
      const count = document.querySelector('.count');
      const before = count.textContent;
      const t0 = performance.now();
      control.value = value;
      control.dispatchEvent(new Event(control.tagName === 'SELECT' ? 'change' : 'input', { bubbles: true }));
      await new Promise((done) => {
        const check = () => (count.textContent !== before ? done() : requestAnimationFrame(check));
        check();
      });
      await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
      return performance.now() - t0;
    },
    { selector, value },
  );
}

/** In the page: taps the bottom navigation's link named `name` (as a finger does, an in-app
 * navigation), then waits until `selector` is there and the next frame is drawn; returns the
 * milliseconds taken from just before the tap, and with `marks` ({name: a selector, or
 * `window.X` for a global}) the milliseconds to the first frame that had each. */
async function timeNavigation(page, name, selector, marks = {}) {
  const { ms } = await timeNavigationMarks(page, name, selector, marks);
  return ms;
}

async function timeNavigationMarks(page, name, selector, marks) {
  return page.evaluate(
    async ({ name, selector, marks }) => {
      const link = [...document.querySelectorAll('nav.bottom-nav a')].find((a) => a.textContent.includes(name));
      if (!link) throw new Error(`no ${name} in the navigation`);
      const at = {};
      const there = (what) => (what.startsWith('window.') ? window[what.slice(7)] !== undefined : document.querySelector(what));
      const t0 = performance.now();
      link.click();
      // Polled every frame, as the list's start is: the first frame that has them.
      await new Promise((done, fail) => {
        const check = () => {
          for (const [mark, what] of Object.entries(marks)) if (at[mark] === undefined && there(what)) at[mark] = performance.now() - t0;
          if (document.querySelector(selector)) done();
          else if (performance.now() - t0 > 120_000) fail(new Error(`no ${selector} after 120 s`));
          else requestAnimationFrame(check);
        };
        check();
      });
      await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
      return { ms: performance.now() - t0, at };
    },
    { name, selector, marks },
  );
}

// Where a first opening's time goes: the map screen is a part of the app's wasm downloaded on
// first use (on_demand_screen! map_part), then the screen loads map-part/map.js (Leaflet with
// public/map.js, one file built by xtask/map-part.mjs) and its styles.
const MAP_MARKS = { screen: '[data-testid=river-map]', leaflet: 'window.RiverMap' };

// Leaflet draws markers into its marker pane; each has a `.map-marker` (the legend under the
// map has some too, hence the pane).
const MARKER = '[data-testid=river-map] .leaflet-marker-pane .map-marker';

const server = await startServer(binary, dist, { name: 'ledger', firstPort: 8400 });
const url = server.url;
let browser;
try {
  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 360, height: 640 }, locale: 'zh-CN' });
  await page.goto(`${url}/`);
  await page.waitForSelector('main h1');
  const ledger = problems(PROBLEMS);
  const stored = await page.evaluate((ledger) => {
    for (const r of ledger) localStorage.setItem(`rp/v1/record/${r.id}`, JSON.stringify(r));
    return Object.keys(localStorage).filter((k) => k.startsWith('rp/v1/record/')).length;
  }, ledger);
  if (stored !== PROBLEMS) throw new Error(`stored ${stored} problems, not ${PROBLEMS}`);
  const bytes = await page.evaluate(() =>
    Object.keys(localStorage).reduce((n, k) => n + k.length + localStorage.getItem(k).length, 0),
  );

  // How busy the machine is (other builds and tests on the same cores make the timings
  // spread): told with the figures.
  const loadBefore = os.loadavg()[0];
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });

  const starts = [];
  for (let i = 0; i < RUNS; i++) {
    await page.reload({ waitUntil: 'commit' });
    // Polled every frame: the time the first row is there, from the navigation's start.
    const handle = await page.waitForFunction(
      () => document.querySelector('.record-row') && performance.now(),
      undefined,
      { polling: 'raf', timeout: 120_000 },
    );
    starts.push(await handle.jsonValue());
  }
  const rows = await page.locator('.record-row').count();
  const count = await page.locator('.count').textContent();
  if (!count.includes(String(PROBLEMS))) throw new Error(`the list says "${count}", not ${PROBLEMS} problems`);

  // The filter choices are downloaded when "filters" is first opened.
  await page.locator('.filter-more summary').click();
  await page.waitForSelector('#filter-village');
  const searches = [];
  const filters = [];
  for (let i = 0; i < RUNS; i++) {
    searches.push(await timeChange(page, '#search', '垃圾'));
    searches.push(await timeChange(page, '#search', ''));
    filters.push(await timeChange(page, '#filter-village', VILLAGES[i]));
    filters.push(await timeChange(page, '#filter-village', ''));
  }

  // The map, from the list: after each reload a first opening (the map part not yet loaded in
  // this page) and a second one, back to the list in between, as a patroller switches.
  const mapFirst = [];
  const mapLater = [];
  const firstScreen = [];
  const firstLeaflet = [];
  // The app's files the first opening fetches (from the service worker, as on an installed
  // phone): the map part's weight, sized by ledger.rs. Not the API.
  const mapFiles = new Set();
  let recording = false;
  page.on('request', (request) => {
    const at = new URL(request.url());
    if (recording && at.origin === url && !at.pathname.startsWith('/api/')) mapFiles.add(at.pathname);
  });
  let drawn;
  for (let i = 0; i < RUNS; i++) {
    await page.reload({ waitUntil: 'commit' });
    await page.waitForSelector('.record-row', { timeout: 120_000 });
    recording = i === 0;
    const first = await timeNavigationMarks(page, '地图', MARKER, MAP_MARKS);
    recording = false;
    mapFirst.push(first.ms);
    firstScreen.push(first.at.screen);
    firstLeaflet.push(first.at.leaflet);
    drawn ??= await page.evaluate((marker) => {
      const markers = [...document.querySelectorAll(marker)];
      const clusters = markers.filter((m) => m.classList.contains('map-cluster'));
      return {
        markers: markers.length,
        clusters: clusters.length,
        // A cluster's symbol is its count.
        problems: markers.reduce((n, m) => n + (m.classList.contains('map-cluster') ? Number(m.querySelector('.map-symbol').textContent) : 1), 0),
        count_text: document.querySelector('.map-page .count').textContent,
      };
    }, MARKER);
    await timeNavigation(page, '记录', '.record-row');
    mapLater.push(await timeNavigation(page, '地图', MARKER));
    await timeNavigation(page, '记录', '.record-row');
  }
  if (drawn.problems !== PROBLEMS) throw new Error(`the map's markers hold ${drawn.problems} problems, not ${PROBLEMS}`);
  if (!drawn.count_text.includes(String(PROBLEMS))) throw new Error(`the map says "${drawn.count_text}", not ${PROBLEMS} problems`);

  const browserVersion = browser.version();
  console.log(
    JSON.stringify({
      browser: `Chromium ${browserVersion}`,
      problems: PROBLEMS,
      stored_chars: bytes,
      cpu_slowdown: CPU_SLOWDOWN,
      viewport: '360×640',
      runs: RUNS,
      rows_rendered: rows,
      count_text: count,
      start_to_list_ms: { median: median(starts), all: starts },
      search_ms: { median: median(searches), all: searches },
      filter_ms: { median: median(filters), all: filters },
      map_first_ms: { median: median(mapFirst), all: mapFirst },
      map_later_ms: { median: median(mapLater), all: mapLater },
      // Of the first openings: to the map screen's element on screen, and to Leaflet loaded.
      map_first_screen_ms: { median: median(firstScreen), all: firstScreen },
      map_first_leaflet_ms: { median: median(firstLeaflet), all: firstLeaflet },
      map_first_files: [...mapFiles].sort(),
      map_markers: drawn.markers,
      map_clusters: drawn.clusters,
      map_problems: drawn.problems,
      map_count_text: drawn.count_text,
      load_average: { before: loadBefore, after: os.loadavg()[0] },
      cores: os.availableParallelism(),
    }),
  );
} catch (e) {
  console.error(server.log());
  throw e;
} finally {
  await browser?.close();
  server.stop();
}
