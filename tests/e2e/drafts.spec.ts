import { test, expect } from '@playwright/test';
import { fillNew, fillForm, inventory, save, showList, storedRecords } from './helpers';

const typed = {
  kind: '养殖场',
  fill: {
    问题描述: '养殖场粪污未处理',
    养殖场名称: '兴旺养猪场',
    '存栏数量（头/只）': '12',
    '村（社区）': '红岩村',
    纬度: '31.', // half-typed: kept exactly as typed
    备注: '第一行\n第二行',
  },
  select: { 粪污处理设施: '不完善' },
  check: ['位于禁养区内'],
};

async function expectTyped(page) {
  const form = page.getByRole('main');
  for (const [label, value] of Object.entries(typed.fill)) {
    await expect(form.getByLabel(label, { exact: true })).toHaveValue(value);
  }
  await expect(form.getByLabel('粪污处理设施', { exact: true })).toHaveValue('incomplete');
  await expect(form.getByLabel('位于禁养区内', { exact: true })).toBeChecked();
}

/** Drafts are written within half a second of the last change. */
async function waitForDraft(page) {
  await expect
    .poll(() => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('rp/v1/draft/')).length))
    .toBeGreaterThan(0);
}

test.beforeEach(async ({ page }) => {
  await page.goto('/');
});

test('a reload mid-form offers the draft back, intact, and it is not a record', async ({ page }) => {
  await fillNew(page, typed);
  await waitForDraft(page);
  await page.reload();
  const offer = page.getByRole('region', { name: '未保存的草稿' });
  await expect(offer).toBeVisible();
  expect(await storedRecords(page)).toHaveLength(0);
  expect(await inventory(page)).toEqual({ records: 0, visits: 0, patrols: 0, photos: 0, setAside: 0 });
  await offer.getByRole('button', { name: '继续编辑草稿' }).click();
  await expect(offer).toBeHidden();
  await expectTyped(page);
  await fillForm(page, { kind: '养殖场', fill: { 纬度: '31.25', 经度: '107.54' } });
  await save(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('养殖场粪污未处理');
  // Saved: the draft is gone, the record is there.
  await showList(page);
  await expect(page.getByRole('heading', { name: '未保存的草稿' })).toHaveCount(0);
  expect(await storedRecords(page)).toHaveLength(1);
});

test('leaving the form keeps the draft on the list, from where it continues', async ({ page }) => {
  await fillNew(page, typed);
  await waitForDraft(page);
  await showList(page);
  const drafts = page.getByRole('region', { name: '未保存的草稿' });
  await expect(drafts.getByRole('link')).toContainText('养殖场粪污未处理');
  await expect(drafts.getByRole('link')).toContainText('草稿');
  await drafts.getByRole('link').click();
  await page.getByRole('button', { name: '继续编辑草稿' }).click();
  await expectTyped(page);
});

test('discarding a draft asks first', async ({ page }) => {
  await fillNew(page, typed);
  await waitForDraft(page);
  await page.reload();
  await page.getByRole('button', { name: '放弃草稿' }).click();
  const dialog = page.getByRole('alertdialog', { name: '放弃这份草稿？' });
  await dialog.getByRole('button', { name: '取消' }).click();
  await expect(page.getByRole('button', { name: '继续编辑草稿' })).toBeVisible();
  await page.getByRole('button', { name: '放弃草稿' }).click();
  await dialog.getByRole('button', { name: '放弃草稿' }).click();
  await expect(page.getByRole('region', { name: '未保存的草稿' })).toBeHidden();
  await page.reload();
  await expect(page.getByLabel('养殖场名称', { exact: true })).toHaveValue('');
  await expect(page.getByRole('button', { name: '继续编辑草稿' })).toHaveCount(0);
});

test('an edit in progress survives a reload without touching the saved record', async ({ page }) => {
  await fillNew(page, { kind: '标志牌', fill: { 问题描述: '标志牌褪色', '村（社区）': '新民村' } });
  await save(page);
  await page.getByRole('link', { name: '修改' }).click();
  await fillForm(page, { kind: '标志牌', fill: { 具体位置: '水库大坝' }, select: { 标志牌现状: '损坏' } });
  await waitForDraft(page);
  await page.reload();
  await page.getByRole('button', { name: '继续编辑草稿' }).click();
  await expect(page.getByLabel('具体位置', { exact: true })).toHaveValue('水库大坝');
  await expect(page.getByLabel('标志牌现状', { exact: true })).toHaveValue('damaged');
  const [stored] = await storedRecords(page);
  expect(stored.place).toBe('');
  expect(stored.revision).toBe(1);
  expect(await inventory(page)).toEqual({ records: 1, visits: 0, patrols: 0, photos: 0, setAside: 0 });
  await save(page);
  await expect(page.getByText('水库大坝', { exact: true })).toBeVisible();
});
