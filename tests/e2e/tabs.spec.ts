import { test, expect, type Page } from '@playwright/test';
import { fillForm, fillNew, inventory, openFromList, save, shown, storedRecords } from './helpers';

// Two tabs (or an installed app and a browser tab) open on the same phone, each with its own
// copy of the ledger in memory: a save in one must never undo a save made in the other.

/** Waits until `page`'s view of storage holds what another tab just saved. Each tab's renderer
 * keeps its own cache of localStorage, updated a few milliseconds after another tab writes: a
 * person switching tabs never sees the gap, a test acting at once can. */
async function seesStored(page: Page, check: (record: any) => boolean) {
  await expect.poll(async () => (await storedRecords(page)).some(check)).toBe(true);
}

async function openEdit(page: Page, title: string) {
  await openFromList(page, title);
  await page.getByRole('link', { name: '修改' }).click();
  await expect(page.getByLabel('受纳水体', { exact: true })).toHaveValue('清水河');
}

test('two tabs editing the same record: the later save keeps the earlier one', async ({ page, context }) => {
  await page.goto('/');
  await fillNew(page, { kind: '排污口', fill: { 问题描述: '两个窗口', 受纳水体: '清水河', '村（社区）': '杨柳村' } });
  await save(page);
  const other = await context.newPage();
  await other.goto('/');

  // Both open the form on the same copy; the first tab saves a new river, the second then
  // saves a new responsible person from its older copy.
  await openEdit(page, '两个窗口');
  await openEdit(other, '两个窗口');
  await fillForm(page, { kind: '排污口', fill: { 受纳水体: '白水河' } });
  await save(page);
  await expect(shown(page, '受纳水体')).toHaveText('白水河');
  await seesStored(other, (r) => r.details.receiving_river === '白水河');
  await fillForm(other, { kind: '排污口', fill: { 责任人: '赵小军' } });
  await save(other);

  // Each tab's change is in the stored record, and both tabs show both.
  await expect(shown(other, '受纳水体')).toHaveText('白水河');
  await expect(shown(other, '责任人')).toHaveText('赵小军');
  const stored = await storedRecords(page);
  expect(stored).toHaveLength(1);
  expect(stored[0].details.receiving_river).toBe('白水河');
  expect(stored[0].responsibility.person).toBe('赵小军');
  expect(await inventory(page)).toEqual({ records: 1, visits: 0, patrols: 0, photos: 0, setAside: 0 });
  await page.reload();
  await expect(shown(page, '受纳水体')).toHaveText('白水河');
  await expect(shown(page, '责任人')).toHaveText('赵小军');
});

test('a tab deleting a record another tab has just changed keeps that change in the tombstone', async ({ page, context }) => {
  await page.goto('/');
  await fillNew(page, { kind: '排污口', fill: { 问题描述: '先改后删', 受纳水体: '清水河', '村（社区）': '杨柳村' } });
  await save(page);
  const other = await context.newPage();
  await other.goto('/');
  await openFromList(other, '先改后删');

  await openEdit(page, '先改后删');
  await fillForm(page, { kind: '排污口', fill: { 责任人: '赵小军' } });
  await save(page);
  await expect(shown(page, '责任人')).toHaveText('赵小军');
  await seesStored(other, (r) => r.responsibility.person === '赵小军');

  await other.getByRole('button', { name: '删除' }).click();
  await other.getByRole('alertdialog').getByRole('button', { name: '确认删除' }).click();
  await expect(other.getByRole('status')).toHaveText('记录已删除');
  const stored = await storedRecords(page);
  expect(stored).toHaveLength(1);
  expect(stored[0].deleted_at).toBeTruthy();
  // The sync sends the deletion of the record as the first tab left it, not of an older copy.
  expect(stored[0].responsibility.person).toBe('赵小军');
  expect(stored[0].revision).toBe(3);
  expect(await inventory(page)).toEqual({ records: 1, visits: 0, patrols: 0, photos: 0, setAside: 0 });
});
