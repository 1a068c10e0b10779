// Issue 24: every optional browser API has a working fallback or a clear message. Each test
// removes one API before the app loads (as an older Chromium core, Safari or an in-app browser
// lacks it) and runs the main flow: a record with a photo, a reload with the photo shown, and
// a sync that delivers the record and its photo to the township's server. And a browser that
// refuses to keep photo Blobs (WebKit's private sessions) or any photo at all.
import { test, expect, type Page } from '@playwright/test';
import { colourJpeg, fillNew, save, showList } from './helpers';
import { SyncServer, connect } from './sync-server';

test.describe.configure({ mode: 'serial' });

/** The API's removal, run in the page before the app, and how to tell it is gone. */
interface Removal {
  name: string;
  remove: () => void;
  gone: () => boolean;
}

const REMOVALS: Removal[] = [
  {
    name: 'OffscreenCanvas',
    remove: () => {
      delete (globalThis as any).OffscreenCanvas;
    },
    gone: () => !('OffscreenCanvas' in globalThis),
  },
  {
    // Older engines throw at once for an options argument they do not know.
    name: 'createImageBitmap options',
    remove: () => {
      const original = globalThis.createImageBitmap;
      (globalThis as any).createImageBitmap = function (image: ImageBitmapSource, ...rest: unknown[]) {
        if (rest.length === 1 || rest.length === 5) throw new TypeError('options are not supported');
        return (original as any).call(globalThis, image, ...rest);
      };
    },
    gone: () => {
      try {
        (globalThis as any).createImageBitmap(new Blob([]), { imageOrientation: 'from-image' });
        return false;
      } catch {
        return true;
      }
    },
  },
  {
    name: 'createImageBitmap',
    remove: () => {
      delete (globalThis as any).createImageBitmap;
      delete (Window.prototype as any).createImageBitmap;
    },
    gone: () => !('createImageBitmap' in globalThis),
  },
  {
    name: 'Web Locks',
    remove: () => {
      Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined, configurable: true });
    },
    gone: () => navigator.locks === undefined,
  },
  {
    name: 'storage.persist',
    remove: () => {
      delete (StorageManager.prototype as any).persist;
      delete (StorageManager.prototype as any).persisted;
    },
    gone: () => !('persist' in navigator.storage),
  },
  {
    name: 'BroadcastChannel',
    remove: () => {
      delete (globalThis as any).BroadcastChannel;
    },
    gone: () => !('BroadcastChannel' in globalThis),
  },
];

/** A record with one photo, saved, shown again after a reload, and synced with its photo. */
async function mainFlow(page: Page, server: SyncServer, token: string, title: string, jpeg: Buffer) {
  await fillNew(page, { kind: '排污口', fill: { 问题描述: title, '村（社区）': '杨柳村' } });
  await page.getByLabel('从相册选').setInputFiles({ name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: jpeg });
  await expect(page.getByRole('group', { name: /照片/ }).getByText('1 / 6 张')).toBeVisible({ timeout: 20_000 });
  await save(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);

  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  const thumb = page.getByRole('button', { name: '查看第 1 张照片（共 1 张）' }).getByRole('img');
  await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);

  await showList(page);
  await expect(page.getByTestId('sync-pending')).toHaveText('全部已同步', { timeout: 20_000 });
  const [held] = await server.records(token);
  expect(held.record.title).toBe(title);
  expect(held.record.photos).toHaveLength(1);
  // The server holds the very bytes the record describes.
  expect(await server.photoSha256(token, held.record.photos[0].id)).toBe(held.record.photos[0].sha256);
}

for (const removal of REMOVALS) {
  test(`without ${removal.name}, a record with a photo is saved, shown after a reload and synced`, async ({ page }) => {
    test.setTimeout(60_000);
    // Made before the API goes (the picture is drawn with OffscreenCanvas).
    const jpeg = await colourJpeg(page, '#2a7ab0');
    await page.addInitScript(removal.remove);
    const server = await SyncServer.start();
    try {
      const token = server.token('张三', '杨柳村');
      await connect(page, server, token);
      expect(await page.evaluate(removal.gone)).toBe(true);
      await mainFlow(page, server, token, `没有 ${removal.name} 也记下的排污口`, jpeg);
      if (removal.name === 'storage.persist') {
        // Settings says the records are not protected, and offers no button that cannot work.
        await page.getByRole('navigation').getByRole('link', { name: '设置' }).click();
        await expect(page.getByText(/未受保护：/)).toBeVisible();
        await expect(page.getByRole('button', { name: '申请保护' })).toHaveCount(0);
      }
    } finally {
      await server.stop();
    }
  });
}

test('a browser that refuses to keep Blobs (WebKit private browsing) gets the photo as bytes: shown and synced', async ({ page }) => {
  test.setTimeout(60_000);
  const jpeg = await colourJpeg(page, '#b05a2a');
  await page.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (value: any, key?: IDBValidKey) {
      if (value instanceof Blob || value?.blob instanceof Blob) {
        throw new DOMException('Error preparing Blob/File data to be stored in object store', 'UnknownError');
      }
      return put.call(this, value, key);
    };
  });
  const server = await SyncServer.start();
  try {
    const token = server.token('张三', '杨柳村');
    await connect(page, server, token);
    await mainFlow(page, server, token, '无痕模式里记下的排污口', jpeg);
    const stored = await page.evaluate(
      () =>
        new Promise<string[]>((resolve, reject) => {
          const open = indexedDB.open('river-patrol');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const all = open.result.transaction('photos').objectStore('photos').getAll();
            all.onsuccess = () => resolve(all.result.map((v) => `${v.bytes instanceof ArrayBuffer}:${v.type}`));
          };
        }),
    );
    expect(stored).toEqual(['true:image/jpeg']);
  } finally {
    await server.stop();
  }
});

test('a browser that keeps no photo at all says so in plain words; the record and what was typed stay', async ({ page }) => {
  const jpeg = await colourJpeg(page, '#3a9a4a');
  await page.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (value: any, key?: IDBValidKey) {
      if (this.name === 'photos') throw new DOMException('The operation failed for reasons unrelated to the database itself', 'UnknownError');
      return put.call(this, value, key);
    };
  });
  await page.goto('/');
  await fillNew(page, { kind: '排污口', fill: { 问题描述: '照片存不下的排污口', '村（社区）': '杨柳村' } });
  await page.getByLabel('从相册选').setInputFiles({ name: 'IMG_0002.jpg', mimeType: 'image/jpeg', buffer: jpeg });
  await expect(page.getByRole('alert')).toContainText('这个浏览器不让应用保存照片');
  await expect(page.getByRole('alert')).toContainText('这条记录和已填写的内容都还在');
  await expect(page.getByLabel('问题描述', { exact: true })).toHaveValue('照片存不下的排污口');
  await save(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('照片存不下的排污口');
});
