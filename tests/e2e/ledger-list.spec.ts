// Narrowing the ledger list: search over description, place, village and notes; filters by
// kind, village, status and overdue; the count says how many of how many are shown.
import { test, expect } from '@playwright/test';
import { fillNew, save, showList } from './helpers';

test('search and filters narrow the list and the count follows', async ({ page }) => {
  await page.goto('/');
  await fillNew(page, { kind: '排污口', fill: { 问题描述: '生活污水直排', '村（社区）': '杨柳村', 具体位置: '四组桥头' } });
  await save(page);
  await fillNew(page, { kind: '养殖场', fill: { 问题描述: '粪污未处理', '村（社区）': '白沙村', 备注: '靠近桥头' } });
  await save(page);
  await fillNew(page, { kind: '标志牌', fill: { 问题描述: '标志牌缺失', '村（社区）': '杨柳村' } });
  await save(page);
  await showList(page);
  const titles = page.locator('.record-row .row-title');
  await expect(page.getByText('共 3 条')).toBeVisible();

  await page.getByLabel('搜索').fill('桥头');
  await expect(titles).toHaveText(['粪污未处理', '生活污水直排']);
  await expect(page.getByText('显示 2 / 3 条')).toBeVisible();
  await page.getByLabel('搜索').fill('桥头 白沙');
  await expect(titles).toHaveText(['粪污未处理']);
  await page.getByLabel('搜索').fill('');
  await expect(titles).toHaveCount(3);

  await page.getByText('筛选', { exact: true }).click();
  await page.getByRole('combobox', { name: '村（社区）' }).selectOption('杨柳村');
  await expect(titles).toHaveText(['标志牌缺失', '生活污水直排']);
  await page.getByRole('combobox', { name: '问题类型' }).selectOption({ label: '排污口' });
  await expect(titles).toHaveText(['生活污水直排']);
  await expect(page.getByText('显示 1 / 3 条')).toBeVisible();
  await page.getByRole('combobox', { name: '问题类型' }).selectOption({ label: '全部' });
  await page.getByRole('combobox', { name: '整改状态' }).selectOption({ label: '已整改' });
  await expect(titles).toHaveCount(0);
  await page.getByRole('combobox', { name: '整改状态' }).selectOption({ label: '全部' });
  // Nothing is past its deadline.
  await page.getByLabel('只看逾期').check();
  await expect(titles).toHaveCount(0);
  await page.getByLabel('只看逾期').uncheck();
  await expect(titles).toHaveCount(2);
});

test('a long ledger shows a page of rows at a time; search and filters look through all of it', async ({ page }) => {
  await page.goto('/');
  // 120 problems already on the phone, as after months of patrols.
  await page.evaluate(() => {
    for (let i = 1; i <= 120; i++) {
      const at = new Date(Date.UTC(2026, 0, 1) + i * 3600_000).toISOString();
      const id = crypto.randomUUID();
      const record = {
        id, schema: 1, revision: 1, details: { kind: 'other' }, title: `问题 ${i}`,
        village: i % 2 ? '杨柳村' : '白沙村', notes: i === 1 ? '最早发现的一处' : '', created_at: at, updated_at: at,
      };
      localStorage.setItem(`rp/v1/record/${id}`, JSON.stringify(record));
    }
  });
  await page.reload();
  const rows = page.locator('.record-row');
  await expect(page.getByText('共 120 条')).toBeVisible();
  await expect(rows).toHaveCount(50);
  await expect(rows.first()).toContainText('问题 120');
  await page.getByRole('button', { name: '再显示 50 条（还有 70 条）' }).click();
  await expect(rows).toHaveCount(100);
  await page.getByRole('button', { name: '再显示 20 条（还有 20 条）' }).click();
  await expect(rows).toHaveCount(120);
  await expect(page.getByTestId('show-more')).toHaveCount(0);
  await expect(rows.last()).toContainText('问题 1');

  // A search finds the oldest problem although it was not on the first page; clearing it
  // starts from the first page again.
  await page.getByLabel('搜索').fill('最早发现');
  await expect(page.getByText('显示 1 / 120 条')).toBeVisible();
  await expect(rows.locator('.row-title')).toHaveText(['问题 1']);
  await page.getByLabel('搜索').fill('');
  await expect(rows).toHaveCount(50);
});
