// The offline map area (下载本村地图, issue 26): the official sees how many tiles and MB the
// village's area takes before anything downloads, follows the download to its end, and then
// the map draws those tiles with no signal, from the phone; a download paused, reloaded or cut
// off by a lost connection goes on where it stopped; deleting the area in settings frees the
// space settings shows; a new version of the app leaves the area alone.
import { test, expect, type Page, type Response as Answer } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { rmSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { Problem, TILE, openMap, openOfflineArea, seed, tileFolder } from './map-helpers';
import { AppServer, acceptUpdate, cacheNames, controlled, copyDist, nextBuild, ownPort, precacheOf, removeCopy } from './pwa-helpers';
import { SyncServer, connect } from './sync-server';

/** CRC-32 of a PNG chunk (Node 20 has no zlib.crc32). */
function crc32(bytes: Buffer): number {
  let crc = ~0;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([head, body, crc]);
}

/**
 * A 1×1 grey PNG padded to about 24 KB (a comment chunk), as heavy as a real tile: the area's
 * weight must show in the storage figures.
 */
function heavyTile(): Buffer {
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('tEXt', Buffer.concat([Buffer.from('Comment\0', 'latin1'), Buffer.alloc(24_000, 'x')])),
    chunk('IDAT', deflateSync(Buffer.from([0, 0x80]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const VILLAGE: Problem[] = [
  { title: '生活污水直排', at: [30.5930, 114.3050] },
  { title: '粪污未处理', at: [30.5945, 114.3070] },
];

/** The tiles the reference server has answered so far (its Prometheus counters). */
async function tilesServed(server: SyncServer, office: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${office}` } })).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('river_patrol_http_requests_total{') && l.includes('tiles'))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

/** axe-core's serious and critical findings inside `selector` (WCAG AAA contrast included, as
 * screens.spec.ts checks every screen), and its buttons shorter than a thumb's 48 px. */
async function problemsOf(page: Page, selector: string): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page })
    .include(selector)
    .options({ rules: { 'color-contrast-enhanced': { enabled: true } } })
    .analyze();
  const small = await page.locator(`${selector} button`).evaluateAll((buttons) =>
    buttons.filter((b) => b.getBoundingClientRect().height < 47.5).map((b) => `small: ${b.textContent}`),
  );
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
    .concat(small);
}

async function usage(page: Page): Promise<number> {
  return page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
}

test('an area is sized before it downloads, downloads to the end, draws offline from the phone, and is deleted in settings', async ({ page, context }) => {
  // Some fifty heavy tiles fetched and stored, three reloads: more than the usual 30 s on a
  // busy two-core machine.
  test.setTimeout(120_000);
  const tile = heavyTile();
  const tiles = tileFolder(tile);
  const server = await SyncServer.start(['--tiles', tiles]);
  try {
    await connect(page, server, server.token('张三', '杨柳村'));
    await seed(page, VILLAGE);
    await controlled(page);
    await openMap(page);

    // Before anything downloads: how many tiles, how many MB.
    const area = await openOfflineArea(page);
    await expect(area.getByRole('radio', { name: '地图上的问题和巡河轨迹，外加 500 米' })).toBeChecked();
    const size = area.getByTestId('map-area-size');
    await expect(size).toHaveText(/^\d+ 张地图块，约 [\d.]+ ?(kB|MB)$/);
    const planned = Number((await size.textContent())!.match(/^(\d+)/)![1]);
    expect(planned).toBeGreaterThan(20);
    expect(await cacheNames(page)).not.toContain('rp-tiles-v1');
    expect(await problemsOf(page, '[data-testid=map-area]')).toEqual([]);

    await area.getByRole('button', { name: '下载本村地图' }).click();
    const bar = area.getByRole('progressbar', { name: '地图下载进度' });
    await expect(bar).toHaveAttribute('max', String(planned));
    await expect(bar).toHaveAttribute('value', String(planned), { timeout: 60_000 });
    const progress = area.getByTestId('map-area-progress');
    await expect(progress).toContainText('本村地图已下载：');
    const stored = Number((await progress.textContent())!.match(/已下载：(\d+) 张/)![1]);
    expect(stored).toBeGreaterThan(0);
    // Tiles the township's folder lacks are blank, and said to be.
    if (stored < planned) await expect(progress).toContainText(`其中 ${planned - stored} 张底图本身没有`);
    expect(await cacheNames(page)).toContain('rp-tiles-v1');
    expect(await problemsOf(page, '[data-testid=map-area]')).toEqual([]);

    // No signal, and the app reloaded: the map draws its tiles from the phone.
    await context.setOffline(true);
    const answers: Answer[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/api/v1/tiles/')) answers.push(r);
    });
    await page.reload();
    await openMap(page);
    const drawn = page.getByTestId('river-map').locator('img.leaflet-tile-loaded');
    await expect(drawn.first()).toBeVisible();
    await expect.poll(() => answers.length).toBeGreaterThan(0);
    await page.waitForTimeout(500);
    // Every tile the map asked for was answered by the service worker, none with an error;
    // those of the area with the very tile the township serves.
    const bodies = await Promise.all(answers.map(async (r) => ({ sw: r.fromServiceWorker(), status: r.status(), body: await r.body() })));
    expect(bodies.every((b) => b.sw && b.status === 200)).toBe(true);
    expect(bodies.filter((b) => b.body.equals(tile)).length).toBeGreaterThan(0);
    page.removeAllListeners('response');
    await context.setOffline(false);

    // Online again, the area's tiles still come from the phone: the server is not asked.
    const office = server.token('乡镇办公室', null);
    const before = await tilesServed(server, office);
    // (It served the map's first look and the download: the count is real.)
    expect(before).toBeGreaterThanOrEqual(planned);
    await page.reload();
    await openMap(page);
    await expect(drawn.first()).toBeVisible();
    await page.waitForTimeout(500);
    expect(await tilesServed(server, office)).toBe(before);

    // Settings count the area in the phone's storage; deleting it frees that space.
    await page.goto(`${server.url}/settings`);
    const line = page.getByTestId('storage-map-area');
    await expect(line).toHaveText(new RegExp(`^离线地图：${stored} 张地图块，`));
    expect(await problemsOf(page, '.storage-info')).toEqual([]);
    const usedText = page.locator('.storage-usage');
    const shownBefore = await usedText.textContent();
    const usedBefore = await usage(page);
    await page.getByRole('button', { name: '删除离线地图' }).click();
    const dialog = page.getByRole('alertdialog', { name: '删除离线地图？' });
    await dialog.getByRole('button', { name: '删除' }).click();
    await expect(line).toHaveCount(0);
    expect(await cacheNames(page)).not.toContain('rp-tiles-v1');
    const usedAfter = await usage(page);
    expect(usedBefore - usedAfter).toBeGreaterThan((stored * tile.length) / 2);
    await expect(usedText).not.toHaveText(shownBefore!);

    // The map offers a new download, folded again under the map.
    await openMap(page);
    await expect(page.getByTestId('map-area')).toHaveCount(0);
    await expect((await openOfflineArea(page)).getByRole('button', { name: '下载本村地图' })).toBeVisible();
  } finally {
    await server.stop();
    rmSync(tiles, { recursive: true, force: true });
  }
});

test.describe('without the service worker', () => {
  // The download itself is the app's, not the worker's; without a worker every tile fetch
  // can be slowed down by the test, like a thin link.
  test.use({ serviceWorkers: 'block' });

  test('a download paused goes on after a reload; a lost connection pauses it until the phone is online again', async ({ page, context }) => {
    test.setTimeout(120_000);
    const tiles = tileFolder();
    const server = await SyncServer.start(['--tiles', tiles]);
    try {
      await connect(page, server, server.token('张三', '杨柳村'));
      await seed(page, VILLAGE);
      // A slow link: every tile takes a while.
      await page.route('**/api/v1/tiles/**', async (route) => {
        if (route.request().resourceType() === 'fetch') await new Promise((r) => setTimeout(r, 400));
        await route.continue();
      });
      await openMap(page);
      const area = await openOfflineArea(page);
      const planned = Number((await area.getByTestId('map-area-size').textContent())!.match(/^(\d+)/)![1]);
      await area.getByRole('button', { name: '下载本村地图' }).click();
      const bar = area.getByRole('progressbar', { name: '地图下载进度' });
      await expect.poll(async () => Number(await bar.getAttribute('value'))).toBeGreaterThan(0);
      await area.getByRole('button', { name: '暂停' }).click();
      await expect(area.getByText('已暂停，点“继续下载”接着下载。')).toBeVisible();
      await page.waitForTimeout(800);
      const pausedAt = Number(await bar.getAttribute('value'));
      expect(pausedAt).toBeLessThan(planned);

      // Reloaded, it is still paused where it stopped; resumed, it goes on from there.
      await page.reload();
      await openMap(page);
      await expect(bar).toHaveAttribute('value', String(pausedAt));
      await area.getByRole('button', { name: '继续下载' }).click();
      await expect.poll(async () => Number(await bar.getAttribute('value'))).toBeGreaterThan(pausedAt);

      // The connection goes: the download stops and says so; back online, it finishes by itself.
      await context.setOffline(true);
      await expect(area.getByText('网络中断，下载已暂停；恢复联网后自动继续。')).toBeVisible();
      const cutAt = Number(await bar.getAttribute('value'));
      await page.waitForTimeout(500);
      await expect(bar).toHaveAttribute('value', String(cutAt));
      await context.setOffline(false);
      await expect(bar).toHaveAttribute('value', String(planned), { timeout: 60_000 });
      await expect(area.getByTestId('map-area-progress')).toContainText('本村地图已下载：');
    } finally {
      await server.stop();
      rmSync(tiles, { recursive: true, force: true });
    }
  });
});

test('a new version of the app keeps the offline map area, and the map still draws from it', async ({ page }) => {
  test.setTimeout(90_000);
  // Build A is today's dist/; build B the next release (a marker in index.html, its own list).
  const a = copyDist('area-a');
  const b = nextBuild('B');
  let server = await AppServer.start(a, ownPort(2));
  try {
    await page.goto(`${server.origin}/`);
    await controlled(page);
    // A tile of an area downloaded under A (this server has no tiles of its own: 404).
    const url = `${server.origin}/api/v1/tiles/10/837/425`;
    await page.evaluate(
      async ({ url, bytes }) => {
        const cache = await caches.open('rp-tiles-v1');
        await cache.put(url, new Response(new Uint8Array(bytes), { headers: { 'Content-Type': 'image/png' } }));
      },
      { url, bytes: [...TILE] },
    );

    // B is released and taken.
    await server.stop();
    server = await AppServer.start(b, ownPort(2));
    const versionB = (await precacheOf(server.origin)).version;
    await acceptUpdate(page, 'B');

    // A's files are gone, the area is not; a map image of it is drawn from it.
    await expect.poll(async () => (await cacheNames(page)).sort()).toEqual([`river-patrol-${versionB}`, 'rp-tiles-v1']);
    const drawn = await page.evaluate(
      (url) =>
        new Promise<number>((resolve) => {
          const img = new Image();
          img.onload = () => resolve(img.naturalWidth);
          img.onerror = () => resolve(-1);
          img.src = url;
        }),
      url,
    );
    expect(drawn).toBe(1);
  } finally {
    await server.stop();
    removeCopy(a);
    removeCopy(b);
  }
});
