// Statistics (整改统计): the numbers by village and by kind, written out beside the SVG bars, and
// the overdue problems linking to their pages; an empty phone says what to do.
import { test, expect } from '@playwright/test';
import { day, fillNew, noon, save } from './helpers';

test('statistics count by village and kind, and list the overdue problems', async ({ page }) => {
  await page.clock.install({ time: noon(-10) });
  await page.goto('/stats');
  await expect(page.getByText('还没有问题记录。')).toBeVisible();

  await fillNew(page, { kind: '排污口', fill: { 问题描述: '暗管排污', '村（社区）': '杨柳村', 整改时限: day(-2) } });
  await save(page);
  await fillNew(page, { kind: '垃圾点', fill: { 问题描述: '桥下垃圾', '村（社区）': '杨柳村' }, select: { 整改状态: '已整改' } });
  await save(page);
  await fillNew(page, { kind: '垃圾点', fill: { 问题描述: '路边垃圾', '村（社区）': '白沙村' }, select: { 整改状态: '整改中' } });
  await save(page);
  await page.clock.setSystemTime(noon(0));

  await page.getByRole('navigation').getByRole('link', { name: '统计' }).click();
  await expect(page.getByTestId('stat-found').locator('dd')).toHaveText('3');
  await expect(page.getByTestId('stat-rate')).toContainText('33%');
  await expect(page.getByRole('img', { name: /整改率 33%/ })).toBeVisible();
  const villages = page.getByTestId('by-village').locator('.bar-row');
  await expect(villages).toHaveCount(2);
  await expect(villages.nth(0)).toContainText('杨柳村');
  await expect(villages.nth(0)).toContainText('2 个：待整改 1 · 已整改 1');
  await expect(villages.nth(1)).toContainText('白沙村');
  await expect(villages.nth(1)).toContainText('1 个：整改中 1');
  const kinds = page.getByTestId('by-kind').locator('.bar-row');
  await expect(kinds).toHaveText([/排污口\s*1 个：待整改 1/, /垃圾点\s*2 个：整改中 1 · 已整改 1/]);

  const overdue = page.getByTestId('overdue-list').getByRole('link');
  await expect(overdue).toHaveCount(1);
  await expect(overdue).toContainText('暗管排污');
  await expect(overdue).toContainText('逾期 2 天');
  await overdue.click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('暗管排污');
});
