// The phone dies in the middle of a save (battery out, the app killed): the browser has
// written the record, and the app never got to tidy up after it (remove the form's draft,
// update the list). The next start shows the record once and offers no draft of it.
import { test, expect } from '@playwright/test';
import { fillNew, save, showList, storedRecords } from './helpers';

test('killed right after the record is written: one record after the restart, and no leftover draft', async ({ page, context }) => {
  await page.goto('/');
  // From the moment the record is written, this page never runs another line: the save's
  // tidying (the draft removed, the list updated, the screen changed) never happens.
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
  await fillNew(page, { kind: '排污口', fill: { 问题描述: '保存时断电', '村（社区）': '杨柳村', 备注: '断电前写的' } });
  // Let the form's draft be written as a phone would while typing.
  await page.waitForFunction(() => Object.keys(localStorage).some((k) => k.startsWith('rp/v1/draft/')));
  void save(page).catch(() => {});
  const restarted = await context.newPage();
  // Same origin, without starting the app: only to look into storage.
  await restarted.goto('/manifest.webmanifest');
  await expect
    .poll(() => restarted.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('rp/v1/record/')).length))
    .toBe(1);
  await page.close();

  // The restart: the record is there, once, with what was typed, and the draft the save
  // never removed is gone: nothing in it was unsaved.
  await restarted.goto('/');
  await showList(restarted);
  await expect(restarted.getByRole('link').filter({ hasText: '保存时断电' })).toHaveCount(1);
  await expect(restarted.getByRole('region', { name: '未保存的草稿' })).toHaveCount(0);
  const stored = await storedRecords(restarted);
  expect(stored).toHaveLength(1);
  expect(stored[0].notes).toBe('断电前写的');
  expect(await restarted.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('rp/v1/draft/')))).toEqual([]);
});
