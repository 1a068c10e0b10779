// Backup and restore (issue 8, acceptance 2): everything on the phone goes into one file; after
// the browser's storage is cleared, restoring that file brings back every record, visit, patrol
// and photo, the photos byte for byte; restoring it again changes nothing; a restore never
// replaces what the phone changed since; a file that is not a backup changes nothing.
import { test, expect, type Page } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { addPhoto, fillNew, inventoryOf, save, showList, storedEverything, watchProgress } from './helpers';

async function openSettings(page: Page) {
  await page.getByRole('navigation').getByRole('link', { name: '设置' }).click();
  await expect(page.getByRole('heading', { name: '备份与恢复' })).toBeVisible();
}

async function exportBackup(page: Page, path: string) {
  await openSettings(page);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: '导出备份' }).click();
  await (await download).saveAs(path);
}

async function restore(page: Page, path: string) {
  await page.getByLabel('从备份恢复').setInputFiles(path);
}

/** Clears the origin's localStorage and IndexedDB from a page that does not run the app. */
async function clearBrowser(page: Page): Promise<Page> {
  const blank = await page.context().newPage();
  await blank.goto('/manifest.webmanifest');
  await page.close();
  await blank.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        localStorage.clear();
        const del = indexedDB.deleteDatabase('river-patrol');
        del.onsuccess = () => resolve();
        del.onerror = () => reject(del.error);
        del.onblocked = () => reject(new Error('the app still holds the database open'));
      }),
  );
  return blank;
}

test('everything comes back from a backup after the browser is cleared, photos byte for byte; a second restore changes nothing', async ({ page, context }, info) => {
  test.setTimeout(120_000);
  await context.grantPermissions(['geolocation']);
  await context.setGeolocation({ latitude: 31.25, longitude: 107.54, accuracy: 8 });
  await page.goto('/');

  // A problem with a photo and a follow-up with another; a second problem; a patrol.
  await fillNew(page, { kind: '排污口', fill: { 问题描述: '暗管排污', '村（社区）': '杨柳村', 备注: '雨后流量大' } });
  await addPhoto(page, '#8a6d3b');
  await save(page);
  await page.getByRole('link', { name: '复查' }).click();
  await page.getByLabel('复查后状态', { exact: true }).selectOption({ label: '整改中' });
  await addPhoto(page, '#3b8a4a');
  await page.getByLabel('复查情况', { exact: true }).fill('已开始封堵');
  await page.getByRole('button', { name: '保存复查' }).click();
  await expect(page.locator('.detail-head .status')).toHaveText('整改中');
  await fillNew(page, { kind: '标志牌', fill: { 问题描述: '标志牌缺失', '村（社区）': '杨柳村' } });
  await save(page);
  await page.getByRole('navigation').getByRole('link', { name: '巡河' }).click();
  await page.getByLabel('河流', { exact: true }).fill('清水河');
  await page.getByLabel('河段', { exact: true }).fill('杨柳村段');
  await page.getByRole('button', { name: '开始巡河' }).click();
  await expect(page.getByTestId('patrol-bar')).toContainText('巡河中');
  await expect.poll(async () => inventoryOf(await storedEverything(page)).patrols).toBe(1);

  const before = await storedEverything(page);
  expect(inventoryOf(before)).toEqual({ records: 2, visits: 1, patrols: 1, photos: 2 });

  const file = info.outputPath('backup.zip');
  await openSettings(page);
  const exportBar = await watchProgress(page, '备份进度');
  await exportBackup(page, file);
  await expect(page.locator('.backup-status')).toHaveText(
    '已导出备份：2 条记录、1 次巡河、2 张照片。请把文件保存好。',
  );
  // While it was made, a bar went through the photos one by one (its last step gives way
  // to the message above within the same frame).
  const exported = await exportBar();
  expect(exported).toContain('1/2');
  expect(exported.filter((v) => v.endsWith('/2'))).toEqual([...exported.filter((v) => v.endsWith('/2'))].sort());
  // The file is a plain ZIP (it starts with a local file header).
  expect(readFileSync(file).subarray(0, 4)).toEqual(Buffer.from('PK\x03\x04', 'latin1'));

  // "Clearing browser data deleted my records": nothing is left.
  const phone = await clearBrowser(page);
  expect(inventoryOf(await storedEverything(phone))).toEqual({ records: 0, visits: 0, patrols: 0, photos: 0 });
  await phone.goto('/');
  await expect(phone.getByText('还没有记录')).toBeVisible();

  await openSettings(phone);
  const restoreBar = await watchProgress(phone, '恢复进度');
  await restore(phone, file);
  const report = phone.locator('.backup-report');
  await expect(report.locator('.backup-done')).toHaveText('恢复完成：');
  // Two photos, then the records and the patrol: a bar of three steps that moved through
  // each photo, never back.
  const restored = await restoreBar();
  expect(restored).toContain('1/3');
  expect(restored.filter((v) => v.endsWith('/3'))).toEqual([...restored.filter((v) => v.endsWith('/3'))].sort());
  await expect(report.getByRole('listitem')).toHaveText(['新增记录 2 条', '新增巡河 1 次', '新增照片 2 张']);
  const after = await storedEverything(phone);
  expect(inventoryOf(after)).toEqual(inventoryOf(before));
  expect(after).toEqual(before);

  // The records are on the list, and the photo opens from the stored bytes; its thumbnail
  // (never in a backup) was made again: 400 px, not the 800 px photo.
  await showList(phone);
  await expect(phone.locator('.record-row .row-title')).toHaveText(['标志牌缺失', '暗管排污']);
  await phone.getByRole('link').filter({ hasText: '暗管排污' }).click();
  const thumb = phone.getByRole('button', { name: '查看第 1 张照片（共 1 张）' }).first();
  await expect(thumb.getByRole('img')).toHaveJSProperty('complete', true);
  expect(await thumb.getByRole('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(400);
  await thumb.click();
  const viewer = phone.getByRole('dialog', { name: '照片 1 / 1' });
  await expect(viewer.getByRole('img')).toHaveJSProperty('complete', true);
  expect(await viewer.getByRole('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(800);
  await viewer.getByRole('button', { name: '关闭照片' }).click();

  // The same file again: nothing changes, and the report says so.
  await openSettings(phone);
  await restore(phone, file);
  await expect(report.locator('.backup-done')).toHaveText('备份里的内容手机上都已有，没有任何改动：');
  await expect(report.getByRole('listitem')).toHaveText([
    '相同的记录 2 条，未改动',
    '相同的巡河 1 次，未改动',
    '手机上已有的照片 2 张',
  ]);
  expect(await storedEverything(phone)).toEqual(before);
});

test('a restore keeps what the phone changed since the backup, and a file that is not a backup changes nothing', async ({ page }, info) => {
  await page.goto('/');
  await fillNew(page, { kind: '排污口', fill: { 问题描述: '暗管排污', '村（社区）': '杨柳村', 备注: '备份时的备注' } });
  await save(page);
  const file = info.outputPath('backup.zip');
  await exportBackup(page, file);

  // Changed after the backup: the restore must not take it back.
  await showList(page);
  await page.getByRole('link').filter({ hasText: '暗管排污' }).click();
  await page.getByRole('link', { name: '修改' }).click();
  await page.getByLabel('备注', { exact: true }).fill('备份之后改的备注');
  await save(page);
  const edited = await storedEverything(page);

  await openSettings(page);
  await restore(page, file);
  const report = page.locator('.backup-report');
  await expect(report.getByRole('listitem')).toHaveText(['手机上较新的记录 1 条，保留未动']);
  expect(await storedEverything(page)).toEqual(edited);
  expect(JSON.stringify(edited)).toContain('备份之后改的备注');

  // Not a backup, and a backup with its middle lost: refused, nothing changed.
  const csv = info.outputPath('ledger.csv');
  writeFileSync(csv, '类型,村\n排污口,杨柳村\n');
  await restore(page, csv);
  await expect(page.getByRole('alert')).toHaveText(
    '这个文件不是巡河通的备份（应为“导出备份”生成的 .zip 文件）。手机上的数据没有改动。',
  );
  const whole = readFileSync(file);
  const cut = info.outputPath('cut.zip');
  writeFileSync(cut, Buffer.concat([whole.subarray(0, 100), whole.subarray(Math.floor(whole.length / 2))]));
  await restore(page, cut);
  await expect(page.getByRole('alert')).toHaveText('备份文件已损坏或不完整，无法恢复。手机上的数据没有改动。');
  expect(await storedEverything(page)).toEqual(edited);
});
