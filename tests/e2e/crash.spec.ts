// The phone dies in the middle of a save (battery out, the app killed): the browser has
// written the record, and the app never got to tidy up after it (remove the form's or the
// follow-up's draft, update the list). The next start shows the record and the visit once and
// offers no draft of them, so nothing can be saved twice.
import { test, expect, type Page } from '@playwright/test';
import { fillNew, inventory, save, showList, storedRecords } from './helpers';

/** From the next write of a record on, `page` never runs another line, as if killed. */
async function dieAtNextRecordWrite(page: Page) {
  await page.evaluate(() => {
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key: string, value: string) {
      setItem.call(this, key, value);
      if (key.startsWith('rp/v1/record/')) {
        for (;;) {
          // hang, like a process that is gone
        }
      }
    };
  });
}

/** A second tab on the same origin that waits until `count` records are stored. */
async function restartAfterWrite(page: Page, count: number, visits = 0): Promise<Page> {
  const restarted = await page.context().newPage();
  // Same origin, without starting the app: only to look into storage.
  await restarted.goto('/manifest.webmanifest');
  await expect
    .poll(() =>
      restarted.evaluate(
        () =>
          Object.entries(localStorage)
            .filter(([k]) => k.startsWith('rp/v1/record/'))
            .map(([, v]) => JSON.parse(v).visits?.length ?? 0),
      ),
    )
    .toEqual(Array(count).fill(visits));
  await page.close();
  return restarted;
}

test('killed right after the record is written: one record after the restart, and no leftover draft', async ({ page }) => {
  await page.goto('/');
  await dieAtNextRecordWrite(page);
  await fillNew(page, { kind: '排污口', fill: { 问题描述: '保存时断电', '村（社区）': '杨柳村', 备注: '断电前写的' } });
  // Let the form's draft be written as a phone would while typing.
  await page.waitForFunction(() => Object.keys(localStorage).some((k) => k.startsWith('rp/v1/draft/')));
  void save(page).catch(() => {});
  const restarted = await restartAfterWrite(page, 1);

  // The restart: the record is there, once, with what was typed, and the draft the save
  // never removed is gone: nothing in it was unsaved.
  await restarted.goto('/');
  await showList(restarted);
  await expect(restarted.getByRole('link').filter({ hasText: '保存时断电' })).toHaveCount(1);
  await expect(restarted.getByRole('region', { name: '未保存的草稿' })).toHaveCount(0);
  const stored = await storedRecords(restarted);
  expect(stored).toHaveLength(1);
  expect(stored[0].notes).toBe('断电前写的');
  expect(await inventory(restarted)).toEqual({ records: 1, visits: 0, patrols: 0, photos: 0, setAside: 0 });
  expect(await restarted.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('rp/v1/draft/')))).toEqual([]);
});

test('killed right after a follow-up is written: one visit after the restart, and the form starts empty', async ({ page }) => {
  await page.goto('/');
  await fillNew(page, { kind: '排污口', fill: { 问题描述: '复查时断电', '村（社区）': '杨柳村' } });
  await save(page);
  // A visit that only notes progress: the status stays, so nothing but the visit's own id
  // tells that it was saved.
  await page.getByRole('link', { name: '复查' }).click();
  await page.getByLabel('复查后状态', { exact: true }).selectOption({ label: '待整改' });
  await page.getByLabel('复查情况', { exact: true }).fill('还在排，已通知户主');
  await page.waitForFunction(() => Object.keys(localStorage).some((k) => k.startsWith('rp/v1/follow-up/')));
  await dieAtNextRecordWrite(page);
  void page.getByRole('button', { name: '保存复查' }).click().catch(() => {});
  const restarted = await restartAfterWrite(page, 1, 1);

  await restarted.goto('/');
  await restarted.getByRole('link').filter({ hasText: '复查时断电' }).click();
  await restarted.getByRole('link', { name: '复查' }).click();
  await expect(restarted.getByLabel('复查情况', { exact: true })).toHaveValue('');
  expect(await restarted.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('rp/v1/follow-up/')))).toEqual([]);
  const stored = await storedRecords(restarted);
  expect(stored).toHaveLength(1);
  expect(stored[0].visits.map((v: any) => v.notes)).toEqual(['还在排，已通知户主']);
  expect(await inventory(restarted)).toEqual({ records: 1, visits: 1, patrols: 0, photos: 0, setAside: 0 });
});
