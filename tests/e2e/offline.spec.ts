import { test, expect, type Page } from '@playwright/test';
import { fillNew, save, storedRecords, twelveMegapixelJpeg } from './helpers';
import { AppServer, cacheNames, controlled, ownPort, precacheOf } from './pwa-helpers';

// Issue 5, acceptance 1 (and issue 3's "shows after a reload with the network off"): after one
// online visit the app opens and works with no network at all. Each test starts its own server
// and stops it before going offline, so nothing can come from the network even if the
// browser's offline switch missed a request.

let server: AppServer;

test.beforeEach(async () => {
  server = await AppServer.start('dist', ownPort(0));
});

test.afterEach(async () => {
  await server.stop();
});

/** One online visit, then the server is gone and the browser offline. */
async function visitThenGoOffline(page: Page) {
  await page.goto(`${server.origin}/`);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await controlled(page);
  const { version } = await precacheOf(server.origin);
  expect(await cacheNames(page)).toEqual([`river-patrol-${version}`]);
  await server.stop();
  await page.context().setOffline(true);
  // Really offline: the server does not answer, and the page cannot reach it either.
  expect(await page.evaluate(() => fetch('/sw.js', { cache: 'no-store' }).then(() => 'reached', () => 'failed'))).toBe('failed');
}

/** Saves a new outfall titled `title` with a 4000×3000 JPEG attached; on its screen after. */
async function saveOutfallWithPhoto(page: Page, title: string) {
  const jpeg = await twelveMegapixelJpeg(page);
  await fillNew(page, { kind: '排污口', fill: { 问题描述: title, '村（社区）': '杨柳村' } });
  await page.getByLabel('从相册选').setInputFiles({ name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: jpeg });
  await expect(page.getByRole('group', { name: /照片/ }).getByText('1 / 6 张')).toBeVisible({ timeout: 20_000 });
  await save(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
}

/** The photo thumbnail on the open record's screen has been decoded. */
async function expectThumbnailDecoded(page: Page) {
  const thumb = page.getByRole('button', { name: '查看第 1 张照片（共 1 张）' }).getByRole('img');
  await expect(thumb).toBeVisible();
  await expect
    .poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBeGreaterThan(0);
}

test('offline after one visit: every route opens, a record with a photo is created and survives a reload', async ({ page }) => {
  test.setTimeout(90_000);
  await visitThenGoOffline(page);

  const routes: [string, RegExp | string][] = [
    ['/', /问题记录|还没有记录/],
    ['/new', '发现了什么问题？'],
    ['/new/sewage_outfall', '新建记录'],
    ['/stats', '统计'],
    ['/import', '导入整改台账'],
    ['/settings', '设置'],
    ['/no/such/page', '没有这个页面'],
  ];
  for (const [route, heading] of routes) {
    await page.goto(`${server.origin}${route}`);
    await expect(page.getByRole('heading', { level: 1 }), route).toHaveText(heading);
  }

  // A record with a 12-megapixel photo, made offline.
  await page.goto(`${server.origin}/`);
  await saveOutfallWithPhoto(page, '离线记录的排污口');
  const [record] = await storedRecords(page);
  expect(record.photos).toHaveLength(1);

  // Reloaded offline, on its own route: the record and its photo are there.
  await page.reload();
  await expect(page).toHaveURL(`${server.origin}/records/${record.id}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('离线记录的排污口');
  await expectThumbnailDecoded(page);
  // Its follow-up form opens offline too.
  await page.goto(`${server.origin}/records/${record.id}/follow-up`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('复查');
  // And from a cold start on the list.
  await page.goto(`${server.origin}/`);
  await expect(page.getByRole('link').filter({ hasText: '离线记录的排污口' })).toBeVisible();
});

test('a 4000×3000 photo saved online shows after a reload with the network off, and deleting it works', async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto(`${server.origin}/`);
  await controlled(page);
  await saveOutfallWithPhoto(page, '暗管排污');

  await server.stop();
  await page.context().setOffline(true);
  await page.reload();
  await expectThumbnailDecoded(page);
  const thumb = page.getByRole('button', { name: '查看第 1 张照片（共 1 张）' });
  await thumb.click();
  const viewer = page.getByRole('dialog', { name: '照片 1 / 1' });
  await expect
    .poll(() => viewer.getByRole('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBe(1600);
  await viewer.getByRole('button', { name: '关闭照片' }).click();

  await page.getByRole('link', { name: '修改' }).click();
  await page.getByRole('button', { name: '删除第 1 张照片' }).click();
  await page.getByRole('alertdialog', { name: '删除这张照片？' }).getByRole('button', { name: '删除照片' }).click();
  await save(page);
  await expect(page.getByRole('button', { name: /查看第 1 张照片/ })).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('暗管排污');
  await expect(page.getByRole('button', { name: /查看第 1 张照片/ })).toHaveCount(0);
  const [after] = await storedRecords(page);
  expect(after.photos).toHaveLength(0);
});

test('the sync API is never answered from the cache', async ({ page }) => {
  await page.goto(`${server.origin}/`);
  await controlled(page);
  // Online, an /api/ request reaches the server (whatever it answers)…
  const online = await page.evaluate(() => fetch('/api/v1/status').then((r) => r.status, () => -1));
  expect(online).toBeGreaterThan(0);
  await server.stop();
  await page.context().setOffline(true);
  // …offline it fails: the worker neither kept nor invented an answer.
  expect(await page.evaluate(() => fetch('/api/v1/status').then((r) => r.status, () => -1))).toBe(-1);
  const cachedApi = await page.evaluate(async () => {
    const found: string[] = [];
    for (const name of await caches.keys()) {
      for (const req of await (await caches.open(name)).keys()) {
        if (new URL(req.url).pathname.startsWith('/api/')) found.push(req.url);
      }
    }
    return found;
  });
  expect(cachedApi).toEqual([]);
});
