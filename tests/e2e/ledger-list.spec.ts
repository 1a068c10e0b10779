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
