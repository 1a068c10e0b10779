// Deadlines on the list: an outstanding problem past its deadline is marked overdue (by text and
// icon) and comes first in "urgent first"; one due within a week is marked too; fixed ones never.
// The problems are recorded ten days ago (the page's clock), then the clock moves to today: a
// deadline cannot be set before the day a problem is found, so overdue comes with time.
import { test, expect } from '@playwright/test';
import { day, fillNew, noon, save, showList } from './helpers';

test('a problem past its deadline is overdue and first when urgent problems come first', async ({ page }) => {
  await page.clock.install({ time: noon(-10) });
  await page.goto('/');
  await fillNew(page, { kind: '垃圾点', fill: { 问题描述: '三天前就该清完', '村（社区）': '杨柳村', 整改时限: day(-3) } });
  await save(page);
  // Ten days ago, a week ahead: due soon, not yet overdue.
  await expect(page.getByTestId('deadline-badge')).toHaveText('7 天后到期');
  await fillNew(page, { kind: '垃圾点', fill: { 问题描述: '后天到期', '村（社区）': '杨柳村', 整改时限: day(2) } });
  await save(page);
  await fillNew(page, { kind: '垃圾点', fill: { 问题描述: '已整改的', '村（社区）': '杨柳村', 整改时限: day(-10) }, select: { 整改状态: '已整改' } });
  await save(page);
  await expect(page.getByTestId('deadline-badge')).toHaveCount(0);
  await fillNew(page, { kind: '垃圾点', fill: { 问题描述: '没有期限', '村（社区）': '杨柳村' } });
  await save(page);
  await fillNew(page, { kind: '垃圾点', fill: { 问题描述: '一月后到期', '村（社区）': '杨柳村', 整改时限: day(30) } });
  await save(page);
  await fillNew(page, { kind: '垃圾点', fill: { 问题描述: '二十天后到期', '村（社区）': '杨柳村', 整改时限: day(20) } });
  await save(page);

  await page.clock.setSystemTime(noon(0));
  await showList(page);
  const titles = page.locator('.record-row .row-title');
  await expect(titles).toHaveText(['二十天后到期', '一月后到期', '没有期限', '已整改的', '后天到期', '三天前就该清完']);
  await expect(page.getByRole('link').filter({ hasText: '后天到期' }).getByTestId('deadline-badge')).toHaveText('2 天后到期');

  await page.getByRole('button', { name: '紧急优先' }).click();
  // Later deadlines follow by date, soonest first.
  await expect(titles).toHaveText(['三天前就该清完', '后天到期', '二十天后到期', '一月后到期', '没有期限', '已整改的']);
  await expect(titles.first().locator('xpath=ancestor::a').getByTestId('deadline-badge')).toHaveText('逾期 3 天');
});
