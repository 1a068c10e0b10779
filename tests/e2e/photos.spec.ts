import { test, expect, type Page } from '@playwright/test';
import { addPhoto, fillNew, noon, save, storedEverything, storedRecords, twelveMegapixelJpeg } from './helpers';

/** Size of the stored JPEG for `id` in IndexedDB, or -1 if it is not there. */
async function storedPhotoBytes(page: Page, id: string): Promise<number> {
  return page.evaluate(
    (id) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('river-patrol');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('photos').objectStore('photos').get(id);
          get.onsuccess = () => {
            const v = get.result;
            const blob = v instanceof Blob ? v : v?.blob;
            resolve(blob ? blob.size : -1);
            open.result.close();
          };
          get.onerror = () => reject(get.error);
        };
      }),
    id,
  );
}

test('a 12-megapixel photo is stored small, shows after a reload, and can be deleted', async ({ page }) => {
  test.setTimeout(60_000);
  await page.goto('/');
  const jpeg = await twelveMegapixelJpeg(page);
  expect(jpeg.length).toBeGreaterThan(1_000_000);
  await fillNew(page, { kind: '排污口', fill: { 问题描述: '暗管排污', '村（社区）': '杨柳村' } });
  await page.getByLabel('从相册选').setInputFiles({ name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: jpeg });
  const picker = page.getByRole('group', { name: /照片/ });
  await expect(picker.getByText('1 / 6 张')).toBeVisible({ timeout: 20_000 });
  await save(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('暗管排污');

  const [record] = await storedRecords(page);
  expect(record.photos).toHaveLength(1);
  const photo = record.photos[0];
  expect(Math.max(photo.width, photo.height)).toBe(1600);
  expect(Math.min(photo.width, photo.height)).toBe(1200);
  expect(photo.bytes).toBeLessThanOrEqual(400_000);
  expect(photo.sha256).toMatch(/^[0-9a-f]{64}$/);
  expect(await storedPhotoBytes(page, photo.id)).toBe(photo.bytes);

  await page.reload();
  const thumb = page.getByRole('button', { name: '查看第 1 张照片（共 1 张）' });
  await expect(thumb).toBeVisible();
  await expect(thumb.getByRole('img')).toHaveJSProperty('complete', true);
  // The thumbnail is the small local copy (400 px long edge), not the 1600 px photo.
  expect(await thumb.getByRole('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(400);
  await thumb.click();
  const viewer = page.getByRole('dialog', { name: '照片 1 / 1' });
  await expect(viewer).toBeVisible();
  await expect(viewer.getByRole('img')).toHaveJSProperty('complete', true);
  expect(await viewer.getByRole('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1600);
  await viewer.getByRole('button', { name: '关闭照片' }).click();
  await expect(viewer).toBeHidden();

  await page.getByRole('link', { name: '修改' }).click();
  await page.getByRole('button', { name: '删除第 1 张照片' }).click();
  await page.getByRole('alertdialog', { name: '删除这张照片？' }).getByRole('button', { name: '删除照片' }).click();
  await expect(page.getByText('0 / 6 张')).toBeVisible();
  await save(page);
  await expect(page.getByRole('button', { name: /查看第 1 张照片/ })).toHaveCount(0);
  const [after] = await storedRecords(page);
  expect(after.photos).toHaveLength(0);
});

test('a photo left behind by a thrown-away draft is deleted at a later start, once its grace period is over', async ({ page }) => {
  await page.clock.install({ time: noon(0) });
  await page.goto('/');
  await fillNew(page, { kind: '排污口', fill: { 问题描述: '暗管排污' } });
  await addPhoto(page, 'red');
  await page.goto('/');
  await expect(page.getByRole('heading', { name: '还没有记录' })).toBeVisible();
  // The draft is thrown away (as "discard" does), so nothing refers to the stored photo.
  const drafts = await page.evaluate(() => {
    const keys = Object.keys(localStorage).filter((k) => k.startsWith('rp/v1/draft/'));
    for (const k of keys) localStorage.removeItem(k);
    return keys.length;
  });
  expect(drafts).toBe(1);
  const photos = async () => Object.keys((await storedEverything(page)).photos).length;
  expect(await photos()).toBe(1);

  // Within ten minutes of being stored it is spared (an open form in another tab may be about
  // to name it); later, the tidy-up at start deletes it.
  await page.reload();
  await expect(page.getByRole('heading', { name: '还没有记录' })).toBeVisible();
  expect(await photos()).toBe(1);
  await page.clock.setSystemTime(new Date(noon(0).getTime() + 11 * 60_000));
  await page.goto('/');
  await expect(page.getByRole('heading', { name: '还没有记录' })).toBeVisible();
  await expect.poll(photos).toBe(0);
});
