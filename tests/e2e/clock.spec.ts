// A phone whose clock goes back a day (set by hand, or a dead battery's reset) after some work
// was saved: what was saved stays, edits and follow-ups still save, and the problem's history
// and status stay in the order the officer did things.
import { test, expect } from '@playwright/test';
import { fillForm, fillNew, inventory, noon, save, shown, storedRecords } from './helpers';

test('with the clock set back a day, saved work stays and new work saves in the order it was done', async ({ page }) => {
  await page.clock.install({ time: noon(0) });
  await page.goto('/');
  await fillNew(page, { kind: '排污口', fill: { 问题描述: '钟被拨回', 受纳水体: '清水河', '村（社区）': '杨柳村' } });
  await save(page);
  await page.getByRole('link', { name: '复查' }).click();
  await page.getByLabel('复查后状态', { exact: true }).selectOption({ label: '整改中' });
  await page.getByLabel('复查情况', { exact: true }).fill('第一次复查');
  await page.getByRole('button', { name: '保存复查' }).click();
  await expect(page.locator('.detail-head .status')).toHaveText('整改中');

  // Yesterday, as far as the phone knows.
  expect(await inventory(page)).toEqual({ records: 1, visits: 1, patrols: 0, photos: 0, setAside: 0 });
  await page.clock.setSystemTime(noon(-1));
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('钟被拨回');

  // An edit and a second follow-up still save.
  await page.getByRole('link', { name: '修改' }).click();
  await fillForm(page, { kind: '排污口', fill: { 受纳水体: '白水河' } });
  await save(page);
  await expect(shown(page, '受纳水体')).toHaveText('白水河');
  await page.getByRole('link', { name: '复查' }).click();
  await page.getByLabel('复查后状态', { exact: true }).selectOption({ label: '已整改' });
  await page.getByLabel('复查情况', { exact: true }).fill('第二次复查');
  await page.getByRole('button', { name: '保存复查' }).click();

  // The status is the last one entered, and the history lists the visits in the order made.
  await expect(page.locator('.detail-head .status')).toHaveText('已整改');
  await page.reload();
  const items = page.getByTestId('history-item');
  await expect(items).toHaveCount(3);
  await expect(items.nth(1)).toContainText('第一次复查');
  await expect(items.nth(2)).toContainText('第二次复查');

  // A new record made "yesterday" saves too; nothing was lost.
  await fillNew(page, { kind: '排污口', fill: { 问题描述: '拨回后新建', '村（社区）': '杨柳村' } });
  await save(page);
  const stored = await storedRecords(page);
  expect(stored.map((r: any) => r.title).sort()).toEqual(['拨回后新建', '钟被拨回']);
  const first = stored.find((r: any) => r.title === '钟被拨回');
  expect(first.status).toBe('fixed');
  expect(first.visits.map((v: any) => v.notes)).toEqual(['第一次复查', '第二次复查']);
  expect(first.details.receiving_river).toBe('白水河');
  expect(await inventory(page)).toEqual({ records: 2, visits: 2, patrols: 0, photos: 0, setAside: 0 });
});

test('with the clock reset to 1970 a record is not saved, the user is told, and it saves once the clock is right', async ({ page }) => {
  // A cheap phone whose battery died: its clock starts again in 1970.
  await page.clock.install({ time: new Date('1970-01-02T08:00:00Z') });
  await page.goto('/');
  await fillNew(page, { kind: '排污口', fill: { 问题描述: '钟回到1970年', '村（社区）': '杨柳村' } });
  await save(page);
  await expect(page.getByTestId('clock-wrong')).toContainText('手机日期不对（早于2000年），请先校正手机时间');
  expect(await inventory(page)).toEqual({ records: 0, visits: 0, patrols: 0, photos: 0, setAside: 0 });

  // The clock set right: the same form saves, dated now, not 1970.
  await page.clock.setSystemTime(noon(0));
  await save(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('钟回到1970年');
  const [record] = await storedRecords(page);
  expect(new Date(record.created_at).getUTCFullYear()).toBeGreaterThanOrEqual(2000);
  expect(await inventory(page)).toEqual({ records: 1, visits: 0, patrols: 0, photos: 0, setAside: 0 });
});
