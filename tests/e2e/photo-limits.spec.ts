import { test, expect, type Page } from '@playwright/test';
import { fillNew, save, storedRecords, inventory } from './helpers';
import { controlled } from './pwa-helpers';

// Photos beyond the main flow (photos.spec.ts): what is stored is exactly what the record
// says (size, dimensions, SHA-256), the six-photo limit, a file that is not a picture, a full
// disk (the browser's quota shrunk through CDP), and the viewer by keyboard.

/** A camera-like JPEG (quality 0.92) made by the browser itself: gradients, a few thousand
 * soft shapes and fine noise, so it compresses like a real outdoor photo, not to nothing. */
async function cameraJpeg(page: Page, width = 4000, height = 3000, seed = 1): Promise<Buffer> {
  const base64 = await page.evaluate(
    async ([w, h, s]) => {
      let x = s || 1;
      const rnd = () => {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        return (x >>> 0) / 4294967296;
      };
      const canvas = new OffscreenCanvas(w, h);
      const g = canvas.getContext('2d')!;
      const sky = g.createLinearGradient(0, 0, 0, h * 0.45);
      sky.addColorStop(0, '#5d8fc7');
      sky.addColorStop(1, '#d9e6ef');
      g.fillStyle = sky;
      g.fillRect(0, 0, w, h * 0.45);
      const ground = g.createLinearGradient(0, h * 0.45, 0, h);
      ground.addColorStop(0, '#556b3a');
      ground.addColorStop(1, '#3c4f5c');
      g.fillStyle = ground;
      g.fillRect(0, h * 0.45, w, h * 0.55);
      const scale = Math.max(w, h) / 4000;
      for (let i = 0; i < 6000; i++) {
        const size = (i % 10 === 0 ? 40 + rnd() * 260 : 4 + rnd() * 40) * scale;
        g.fillStyle = `hsla(${60 + rnd() * 100},${15 + rnd() * 45}%,${15 + rnd() * 50}%,0.55)`;
        g.beginPath();
        g.ellipse(rnd() * w, h * 0.3 + rnd() * h * 0.7, size, size * (0.3 + rnd() * 0.7), rnd() * Math.PI, 0, 2 * Math.PI);
        g.fill();
      }
      const tile = new OffscreenCanvas(512, 512);
      const noise = new ImageData(512, 512);
      for (let i = 0; i < noise.data.length; i += 4) {
        const v = (rnd() * 256) | 0;
        noise.data.set([v, v, v, 255], i);
      }
      tile.getContext('2d')!.putImageData(noise, 0, 0);
      g.globalAlpha = 0.1;
      for (let y = 0; y < h; y += 512) for (let xx = 0; xx < w; xx += 512) g.drawImage(tile, xx, y);
      const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let text = '';
      for (let i = 0; i < bytes.length; i += 0x8000) {
        text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      }
      return btoa(text);
    },
    [width, height, seed],
  );
  return Buffer.from(base64, 'base64');
}

interface Stored {
  id: string;
  bytes: number;
  width: number;
  height: number;
  sha256: string;
}

/** Every photo in IndexedDB (database river-patrol, store photos), decoded by the browser. */
async function storedPhotos(page: Page): Promise<Stored[]> {
  return page.evaluate(async () => {
    const names = (await indexedDB.databases()).map((d) => d.name);
    if (!names.includes('river-patrol')) return [];
    const db: IDBDatabase = await new Promise((resolve, reject) => {
      const open = indexedDB.open('river-patrol');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    try {
      if (!db.objectStoreNames.contains('photos')) return [];
      const tx = db.transaction('photos', 'readonly');
      const store = tx.objectStore('photos');
      const ask = <T,>(r: IDBRequest<T>) =>
        new Promise<T>((resolve, reject) => {
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
      const [keys, values] = await Promise.all([ask(store.getAllKeys()), ask(store.getAll())]);
      const out = [];
      for (let i = 0; i < keys.length; i++) {
        const blob: Blob = values[i].blob;
        const bitmap = await createImageBitmap(blob);
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
        out.push({
          id: String(keys[i]),
          bytes: blob.size,
          width: bitmap.width,
          height: bitmap.height,
          sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join(''),
        });
        bitmap.close();
      }
      return out;
    } finally {
      db.close();
    }
  });
}

/** Whether every <img> in `scope` has loaded a picture. */
async function imagesLoaded(page: Page, selector: string): Promise<boolean> {
  return page.$$eval(selector, (imgs) =>
    imgs.length > 0 && imgs.every((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0),
  );
}


test('the stored photo is exactly what the record says: size, dimensions and SHA-256', async ({ page }) => {
  await page.goto('/');
  const jpeg = await cameraJpeg(page, 3000, 4000, 2);
  await fillNew(page, { kind: '其他问题', fill: { 问题描述: '竖拍照片', '村（社区）': '杨柳村' } });
  await page.locator('#photo-take').setInputFiles({ name: 'IMG_0002.jpg', mimeType: 'image/jpeg', buffer: jpeg });
  await expect(page.getByRole('button', { name: '删除第 1 张照片' })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole('status').filter({ hasText: '已添加 1 张照片' })).toBeVisible();
  await save(page);
  const [record] = await storedRecords(page);
  const stored = await storedPhotos(page);
  expect(stored).toHaveLength(1);
  expect(record.photos).toEqual([
    expect.objectContaining({ id: stored[0].id, bytes: stored[0].bytes, width: 1200, height: 1600, sha256: stored[0].sha256 }),
  ]);
  expect([stored[0].width, stored[0].height]).toEqual([1200, 1600]);
  expect(stored[0].bytes).toBeLessThanOrEqual(400_000);
});

test('the viewer: arrows turn, Escape closes and gives focus back', async ({ page }) => {
  await page.goto('/');
  const a = await cameraJpeg(page, 800, 600, 11);
  const b = await cameraJpeg(page, 600, 800, 12);
  await fillNew(page, { kind: '其他问题', fill: { 问题描述: '两张照片', '村（社区）': '杨柳村' } });
  await page.locator('#photo-choose').setInputFiles([
    { name: 'a.jpg', mimeType: 'image/jpeg', buffer: a },
    { name: 'b.jpg', mimeType: 'image/jpeg', buffer: b },
  ]);
  await expect(page.getByRole('button', { name: '删除第 2 张照片' })).toBeVisible({ timeout: 15_000 });
  await save(page);
  const second = page.getByRole('button', { name: '查看第 2 张照片（共 2 张）' });
  await second.click();
  await expect(page.getByRole('dialog', { name: '照片 2 / 2' })).toBeVisible();
  await expect.poll(() => imagesLoaded(page, '.viewer img')).toBe(true);
  expect(await page.locator('.viewer img').evaluate((i: HTMLImageElement) => i.naturalHeight)).toBe(800);
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('dialog', { name: '照片 1 / 2' })).toBeVisible();
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByRole('dialog', { name: '照片 2 / 2' })).toBeVisible();
  await page.getByRole('button', { name: '上一张' }).click();
  await expect(page.getByRole('dialog', { name: '照片 1 / 2' })).toBeVisible();
  // Focus stays inside while it is open.
  for (let i = 0; i < 4; i++) await page.keyboard.press('Tab');
  expect(await page.evaluate(() => !!document.activeElement?.closest('.viewer'))).toBe(true);
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toBeHidden();
  await expect(page.getByRole('button', { name: '查看第 1 张照片（共 2 张）' })).toBeFocused();
});

test('at most six photos per record; a file that is not a picture is refused', async ({ page }) => {
  await page.goto('/');
  const small = await cameraJpeg(page, 800, 600, 5);
  await fillNew(page, { kind: '其他问题', fill: { 问题描述: '照片上限', '村（社区）': '杨柳村' } });
  const files = Array.from({ length: 7 }, (_, i) => ({ name: `IMG_${i}.jpg`, mimeType: 'image/jpeg', buffer: small }));
  await page.locator('#photo-choose').setInputFiles(files);
  await expect(page.getByRole('button', { name: '删除第 6 张照片' })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole('alert')).toContainText('每条记录最多 6 张照片');
  await expect(page.getByRole('button', { name: /^删除第 \d 张照片$/ })).toHaveCount(6);
  await expect(page.locator('#photo-take')).toBeDisabled();
  await expect(page.locator('#photo-choose')).toBeDisabled();

  // One out: room again; a text file is told apart.
  await page.getByRole('button', { name: '删除第 6 张照片' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: '删除照片' }).click();
  await expect(page.locator('#photo-choose')).toBeEnabled();
  await page.locator('#photo-choose').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await expect(page.getByRole('alert')).toContainText('不是照片');
  await expect(page.getByRole('button', { name: /^删除第 \d 张照片$/ })).toHaveCount(5);
});

test('a full disk is told clearly; earlier photos and the typing stay', async ({ page, context }) => {
  // Chromium reads a site's quota when IndexedDB is opened (the app opens it at start), so
  // the quota shrinks, then the page reloads: room left for a small photo, not a full-size one.
  await page.goto('/');
  // Installed first: the service worker's copy of the app counts against the same quota.
  await controlled(page);
  const small = await cameraJpeg(page, 320, 240, 3);
  const large = await cameraJpeg(page, 4000, 3000, 4);
  const cdp = await context.newCDPSession(page);
  const site = new URL(page.url()).origin;
  // The quota is set from the site's settled usage. Read once right after installing, on a
  // loaded 2-core CI machine it was once lower than what was in fact stored, and the small
  // photo found no room: read until two readings a second apart agree.
  let usage = -1;
  await expect
    .poll(
      async () => {
        const before = usage;
        usage = (await page.evaluate(() => navigator.storage.estimate())).usage ?? 0;
        return usage === before;
      },
      { intervals: [1_000], timeout: 20_000 },
    )
    .toBe(true);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: site, quotaSize: usage + 150_000 });
  try {
    await page.reload();
    await fillNew(page, { kind: '其他问题', fill: { 问题描述: '空间不足', '村（社区）': '杨柳村' } });
    await page.locator('#photo-choose').setInputFiles({ name: 'a.jpg', mimeType: 'image/jpeg', buffer: small });
    await expect(page.getByRole('button', { name: '删除第 1 张照片' })).toBeVisible({ timeout: 15_000 });
    expect(await inventory(page)).toEqual({ records: 0, visits: 0, patrols: 0, photos: 1, setAside: 0 });
    await page.locator('#photo-choose').setInputFiles({ name: 'b.jpg', mimeType: 'image/jpeg', buffer: large });
    await expect(page.getByRole('alert')).toContainText('存储空间已满', { timeout: 15_000 });
    await expect(page.getByRole('button', { name: /^删除第 \d 张照片$/ })).toHaveCount(1);
    await expect(page.getByLabel('问题描述', { exact: true })).toHaveValue('空间不足');
    expect(await inventory(page)).toEqual({ records: 0, visits: 0, patrols: 0, photos: 1, setAside: 0 });
    // The record (in localStorage, outside this quota) still saves, with the photo it has.
    await save(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('空间不足');
  } finally {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: site });
  }
  const [record] = await storedRecords(page);
  expect(record.photos).toHaveLength(1);
  expect((await storedPhotos(page)).map((p) => p.id)).toEqual([record.photos[0].id]);
  expect(await inventory(page)).toEqual({ records: 1, visits: 0, patrols: 0, photos: 1, setAside: 0 });
});
