// The ledger as CSV from the phone, offline: a file download that Excel opens as UTF-8 (BOM),
// with the ledger's Chinese columns, one row per problem, awkward text quoted.
import { test, expect } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { fillNew, save, showList } from './helpers';
import { controlled } from './pwa-helpers';

test('the ledger downloads as CSV with no network', async ({ page, context }) => {
  await page.goto('/');
  await fillNew(page, { kind: '排污口', fill: { 问题描述: '沿河,排污 "暗管"', '村（社区）': '杨柳村', 责任人: '严文斌' } });
  await save(page);
  await fillNew(page, { kind: '标志牌', fill: { 问题描述: '标志牌缺失', '村（社区）': '白沙村' } });
  await save(page);
  // Offline once the service worker has stored the app, as after any first online visit.
  await controlled(page);
  await context.setOffline(true);
  await showList(page);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: '导出整改台账（CSV）' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^整改台账-\d{4}-\d{2}-\d{2}\.csv$/);
  const bytes = await readFile(await download.path());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const lines = bytes.toString('utf8').slice(1).split('\r\n').filter((l) => l.length > 0);
  expect(lines[0].startsWith('序号,村/社区,问题类型,问题描述')).toBe(true);
  expect(lines).toHaveLength(3);
  // Oldest first, numbered; a comma or quote in the text is quoted as Excel expects.
  expect(lines[1]).toContain('1,杨柳村,排污口,"沿河,排污 ""暗管"""');
  expect(lines[1]).toContain('严文斌');
  expect(lines[2]).toContain('2,白沙村,标志牌,标志牌缺失');
});
