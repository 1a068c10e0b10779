// Watermarked photos and where each photo came from (issue 25): a river chief's record is
// evidence, and the field's known failure is the fake patrol (虚假巡河), a photo taken
// elsewhere or years ago. Here a camera photo gets the stamped band and keeps its EXIF time
// and place, a gallery photo from 2020 is marked 非现场拍摄 on its record, and the settings
// switch leaves photos unstamped. The JPEGs are made in the page and given a camera's EXIF
// with piexifjs, as a phone camera writes it.
import { test, expect, type Page } from '@playwright/test';
import piexif from 'piexifjs';
import { fillNew, save, storedRecords, twelveMegapixelJpeg } from './helpers';

test.use({ permissions: ['geolocation'], geolocation: { latitude: 31.25, longitude: 107.54, accuracy: 8 } });

/** `jpeg` with the EXIF a phone camera writes: DateTimeOriginal, and a GPS fix if given. */
function withExif(jpeg: Buffer, taken: string, gps?: { lat: number; lon: number }): Buffer {
  const exif: Record<string, Record<number, unknown>> = {
    '0th': { [piexif.ImageIFD.Make]: 'RiverCam' },
    Exif: { [piexif.ExifIFD.DateTimeOriginal]: taken },
    GPS: {},
  };
  if (gps) {
    exif.GPS = {
      [piexif.GPSIFD.GPSLatitudeRef]: gps.lat < 0 ? 'S' : 'N',
      [piexif.GPSIFD.GPSLatitude]: piexif.GPSHelper.degToDmsRational(Math.abs(gps.lat)),
      [piexif.GPSIFD.GPSLongitudeRef]: gps.lon < 0 ? 'W' : 'E',
      [piexif.GPSIFD.GPSLongitude]: piexif.GPSHelper.degToDmsRational(Math.abs(gps.lon)),
    };
  }
  return Buffer.from(piexif.insert(piexif.dump(exif), jpeg.toString('binary')), 'binary');
}

/** A small JPEG of one colour, made in the page. */
async function smallJpeg(page: Page): Promise<Buffer> {
  const base64 = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(1200, 900);
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#6f8f4f';
    ctx.fillRect(0, 0, 1200, 900);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(text);
  });
  return Buffer.from(base64, 'base64');
}

/**
 * The stored photo `id` against `original` scaled to the same size as the app does: the mean
 * difference per channel (0–255) in the top tenth of the picture and in its bottom tenth,
 * where the watermark's band is.
 */
async function differences(page: Page, id: string, original: Buffer): Promise<{ top: number; bottom: number }> {
  return page.evaluate(
    async ({ id, original }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('river-patrol');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const value = await new Promise<any>((resolve, reject) => {
        const get = db.transaction('photos').objectStore('photos').get(id);
        get.onsuccess = () => resolve(get.result);
        get.onerror = () => reject(get.error);
      });
      db.close();
      // Either form the store keeps: a Blob, or bytes where the browser refused Blobs.
      const stored: Blob = value.blob ?? new Blob([value.bytes], { type: value.type });
      const photo = await createImageBitmap(stored);
      const { width, height } = photo;
      const raw = Uint8Array.from(atob(original), (c) => c.charCodeAt(0));
      const source = await createImageBitmap(new Blob([raw], { type: 'image/jpeg' }), { imageOrientation: 'from-image' });
      const pixels = (bitmap: ImageBitmap) => {
        const canvas = new OffscreenCanvas(width, height);
        const ctx = canvas.getContext('2d')!;
        ctx.imageSmoothingQuality = 'high';
        ctx.drawImage(bitmap, 0, 0, width, height);
        return ctx.getImageData(0, 0, width, height).data;
      };
      const [a, b] = [pixels(photo), pixels(source)];
      const strip = (from: number, to: number) => {
        let sum = 0;
        let n = 0;
        for (let y = from; y < to; y++) {
          for (let x = 0; x < width; x++) {
            const i = (y * width + x) * 4;
            sum += Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]);
            n += 3;
          }
        }
        return sum / n;
      };
      const tenth = Math.floor(height / 10);
      return { top: strip(0, tenth), bottom: strip(height - tenth, height) };
    },
    { id, original: original.toString('base64') },
  );
}

/** The officer and village, as settings keep them, and the app started with them. */
async function start(page: Page) {
  await page.goto('/');
  await page.evaluate(() =>
    localStorage.setItem('rp/v1/settings', JSON.stringify({ officer: '张三', village: '杨柳村' })),
  );
  await page.reload();
}

/** A new 排污口 at 四组桥头 with the GPS fix taken into the form. */
async function newRecord(page: Page) {
  await fillNew(page, { kind: '排污口', fill: { 问题描述: '暗管排污', 具体位置: '四组桥头' } });
  await page.getByRole('button', { name: '使用当前位置' }).click();
  await expect(page.getByLabel('纬度', { exact: true })).toHaveValue('31.250000');
}

test('a camera photo is stamped with time, place, official, kind and record, and keeps its EXIF time and place', async ({ page }) => {
  test.setTimeout(120_000);
  await start(page);
  const original = withExif(await twelveMegapixelJpeg(page), '2026:11:28 14:05:09', { lat: 31.25, lon: 107.54 });
  await newRecord(page);
  const before = Date.now();
  await page.locator('#photo-take').setInputFiles({ name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: original });
  await expect(page.getByRole('group', { name: /照片/ }).getByText('1 / 6 张')).toBeVisible({ timeout: 30_000 });
  await save(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('暗管排污');

  const [record] = await storedRecords(page);
  const photo = record.photos[0];
  expect(photo.source).toBe('camera');
  // (a) The words stamped are kept beside the photo: time (China time, to the second), the
  // fix with its accuracy, village and place, official, kind and the record's short code.
  const lines: string[] = photo.watermark.split('\n');
  expect(lines).toEqual([
    expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC\+8$/),
    '31.25000°N 107.54000°E ±8 m',
    '杨柳村 四组桥头',
    `张三 · 排污口 · #${record.id.replace(/-/g, '').slice(0, 8).toUpperCase()}`,
  ]);
  const stamped = Date.parse(lines[0].replace(' ', 'T').replace(' UTC+8', '+08:00'));
  expect(stamped).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
  expect(stamped).toBeLessThanOrEqual(Date.now());
  // The band is in the pixels: the bottom differs from the original, the top does not.
  const diff = await differences(page, photo.id, original);
  expect(diff.top, 'the picture itself is unchanged above the band').toBeLessThan(8);
  expect(diff.bottom, 'the band covers the bottom').toBeGreaterThan(25);

  // (b) What the camera's EXIF said, read before the re-encode dropped it.
  expect(photo.exif.taken_at).toBe('2026-11-28T06:05:09Z');
  expect(photo.exif.latitude).toBeCloseTo(31.25, 5);
  expect(photo.exif.longitude).toBeCloseTo(107.54, 5);

  // A camera photo is never off-site; the viewer tells where it came from.
  await expect(page.getByTestId('off-site')).toHaveCount(0);
  await page.getByRole('button', { name: '查看第 1 张照片（共 1 张）' }).click();
  const facts = page.getByRole('dialog').getByTestId('photo-facts');
  await expect(facts).toContainText('相机拍摄');
  await expect(facts).toContainText('相机记录的拍摄位置');
  await expect(facts).toContainText('31.25000, 107.54000');
});

test('a gallery photo its camera took in 2020 is marked 非现场拍摄 on the record, and kept', async ({ page }) => {
  test.setTimeout(90_000);
  await start(page);
  const original = withExif(await smallJpeg(page), '2020:05:01 10:00:00');
  await newRecord(page);
  await page.locator('#photo-choose').setInputFiles({ name: 'IMG_2020.jpg', mimeType: 'image/jpeg', buffer: original });
  await expect(page.getByRole('group', { name: /照片/ }).getByText('1 / 6 张')).toBeVisible({ timeout: 30_000 });
  await save(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('暗管排污');

  const [record] = await storedRecords(page);
  const photo = record.photos[0];
  expect(photo.source).toBe('gallery');
  expect(photo.exif).toEqual({ taken_at: '2020-05-01T02:00:00Z' });
  // The stamp says the picture came from the gallery: its time is when it was added.
  expect(photo.watermark.split('\n')[0]).toMatch(/ UTC\+8 · 相册选取$/);

  const badge = page.getByTestId('off-site');
  await expect(badge).toHaveCount(1);
  await expect(badge).toContainText('非现场拍摄');
  await expect(badge).toContainText(/拍摄时间早于记录 \d+ 年/);
  await page.getByRole('button', { name: '查看第 1 张照片（共 1 张）' }).click();
  const facts = page.getByRole('dialog').getByTestId('photo-facts');
  await expect(facts).toContainText('相册选取');
  await expect(facts).toContainText('非现场拍摄');
  await expect(facts).toContainText('相机记录的拍摄时间');
  await expect(facts).toContainText('2020');
});

test('with the watermark switched off in settings, photos are stored without a band or its text', async ({ page }) => {
  test.setTimeout(120_000);
  await start(page);
  await page.goto('/settings');
  await expect(page.getByRole('heading', { name: '巡河与照片' })).toBeVisible();
  const switchOff = page.getByLabel('照片加水印');
  await expect(switchOff).toBeChecked();
  await switchOff.uncheck();
  await page.reload();
  await expect(page.getByLabel('照片加水印')).not.toBeChecked();

  const original = withExif(await twelveMegapixelJpeg(page), '2026:11:28 14:05:09', { lat: 31.25, lon: 107.54 });
  await newRecord(page);
  await page.locator('#photo-take').setInputFiles({ name: 'IMG_0002.jpg', mimeType: 'image/jpeg', buffer: original });
  await expect(page.getByRole('group', { name: /照片/ }).getByText('1 / 6 张')).toBeVisible({ timeout: 30_000 });
  await save(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('暗管排污');

  const [record] = await storedRecords(page);
  const photo = record.photos[0];
  expect(photo.watermark).toBeUndefined();
  // Where it came from is still kept.
  expect(photo.source).toBe('camera');
  expect(photo.exif.taken_at).toBe('2026-11-28T06:05:09Z');
  const diff = await differences(page, photo.id, original);
  expect(diff.top).toBeLessThan(8);
  expect(diff.bottom, 'no band: equal within JPEG tolerance').toBeLessThan(8);
});
