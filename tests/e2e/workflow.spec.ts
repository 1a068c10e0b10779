// The rectification workflow on the phone (issue 6, acceptance 2): a problem past its deadline is
// overdue and first; follow-up visits (复查) take it to fixed and then closed, each with a photo;
// its history shows the finding and both visits with their photos; the statistics follow; only
// the workflow's next statuses are offered, and the edit form no longer changes the status.
// The problem is recorded ten days ago (the page's clock): a deadline cannot be set before the
// day a problem is found, so "overdue" comes with time.
import { test, expect, type Page } from '@playwright/test';
import { addPhoto, day, fillNew, noon, save, showList, storedRecords } from './helpers';

/** Opens the statistics and checks its numbers. */
async function expectStats(page: Page, want: Record<'found' | 'open' | 'closed' | 'overdue' | 'rate', string>) {
  await page.getByRole('navigation').getByRole('link', { name: '统计' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('统计');
  for (const key of ['found', 'open', 'closed', 'overdue'] as const) {
    await expect(page.getByTestId(`stat-${key}`).locator('dd'), key).toHaveText(want[key]);
  }
  await expect(page.getByTestId('stat-rate')).toContainText(want.rate);
}

test('an overdue problem is followed up to fixed and closed, and its history shows every visit', async ({ page }) => {
  test.setTimeout(90_000);
  await page.clock.install({ time: noon(-10) });
  await page.goto('/');
  await fillNew(page, { kind: '垃圾点', fill: { 问题描述: '河岸垃圾堆积', '村（社区）': '杨柳村', 整改时限: day(-3) } });
  await addPhoto(page, '#8a6d3b');
  await save(page);
  await fillNew(page, { kind: '垃圾点', fill: { 问题描述: '没有期限', '村（社区）': '杨柳村' } });
  await save(page);

  // Today: three days past the deadline, and first when urgent problems come first.
  await page.clock.setSystemTime(noon(0));
  await showList(page);
  await page.getByRole('button', { name: '紧急优先' }).click();
  const titles = page.locator('.record-row .row-title');
  await expect(titles).toHaveText(['河岸垃圾堆积', '没有期限']);
  const first = page.getByRole('link').filter({ hasText: '河岸垃圾堆积' });
  await expect(first.getByTestId('deadline-badge')).toHaveText('逾期 3 天');

  // The statistics count it: two found, none fixed, one overdue.
  await expectStats(page, { found: '2', open: '2', closed: '0', overdue: '1', rate: '0%' });
  await expect(page.getByTestId('overdue-list')).toContainText('河岸垃圾堆积');
  await showList(page);

  // First follow-up: cleared, reported fixed. Only the workflow's moves are offered.
  await first.click();
  await page.getByRole('link', { name: '复查' }).click();
  const status = page.getByLabel('复查后状态', { exact: true });
  await expect(status.locator('option')).toHaveText(['待整改', '整改中', '已整改']);
  // Who checks a problem off is said where the status is chosen.
  await expect(page.getByTestId('who-closes')).toHaveText('“已销号”是乡镇验收后的一步，由乡镇办理；村里整改完成后请选“已整改”。');
  await status.selectOption({ label: '已整改' });
  await addPhoto(page, '#3b8a4a');
  await page.getByLabel('复查情况', { exact: true }).fill('垃圾已清运，河岸已平整');
  await page.getByRole('button', { name: '保存复查' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('河岸垃圾堆积');
  await expect(page.locator('.detail-head .status')).toHaveText('已整改');
  await expect(page.locator('.detail-head').getByTestId('deadline-badge')).toHaveCount(0);

  // Second follow-up: checked and closed (销号).
  await page.getByRole('link', { name: '复查' }).click();
  await expect(status.locator('option')).toHaveText(['待整改', '已整改', '已销号']);
  await status.selectOption({ label: '已销号' });
  await addPhoto(page, '#2f5f8a');
  await page.getByLabel('复查情况', { exact: true }).fill('验收合格，同意销号');
  await page.getByRole('button', { name: '保存复查' }).click();
  await expect(page.locator('.detail-head .status')).toHaveText('已销号');

  // The history, after a reload: the finding and both visits, oldest first, with photos.
  await page.reload();
  await expect(page.getByRole('heading', { name: '整改记录（3 次）' })).toBeVisible();
  const items = page.getByTestId('history-item');
  await expect(items).toHaveCount(3);
  await expect(items.nth(0)).toContainText('发现问题 · 待整改');
  await expect(items.nth(1)).toContainText('复查 · 待整改 → 已整改');
  await expect(items.nth(1)).toContainText('垃圾已清运，河岸已平整');
  await expect(items.nth(2)).toContainText('复查 · 已整改 → 已销号');
  await expect(items.nth(2)).toContainText('验收合格，同意销号');
  for (const n of [1, 2]) {
    const thumb = items.nth(n).getByRole('button', { name: '查看第 1 张照片（共 1 张）' });
    await expect(thumb.getByRole('img')).toHaveJSProperty('complete', true);
  }
  // The finding's photo is at the top of the page.
  await expect(page.getByRole('button', { name: '查看第 1 张照片（共 1 张）' })).toHaveCount(3);

  const stored = (await storedRecords(page)).find((r) => r.title === '河岸垃圾堆积');
  expect(stored.status).toBe('closed');
  expect(stored.visits.map((v: any) => [v.from, v.to])).toEqual([['open', 'fixed'], ['fixed', 'closed']]);
  expect(stored.visits.every((v: any) => v.photos.length === 1)).toBe(true);

  // Editing no longer changes the status: that is what follow-ups are for.
  await page.getByRole('link', { name: '修改' }).click();
  await expect(page.getByLabel('整改状态', { exact: true })).toHaveCount(0);
  await expect(page.getByText('状态通过“复查”更改')).toBeVisible();

  // The statistics follow: one of two closed, nothing overdue.
  await expectStats(page, { found: '2', open: '1', closed: '1', overdue: '0', rate: '50%' });
  await expect(page.getByText('没有逾期的问题。')).toBeVisible();

  // Closed problems are no longer overdue on the list.
  await showList(page);
  await expect(page.getByRole('link').filter({ hasText: '河岸垃圾堆积' }).getByTestId('deadline-badge')).toHaveCount(0);
  // Newest found first, but the one visited today comes first by last visit.
  await page.getByRole('button', { name: '最新' }).click();
  await expect(titles).toHaveText(['没有期限', '河岸垃圾堆积']);
  await page.getByRole('button', { name: '最近复查' }).click();
  await expect(titles).toHaveText(['河岸垃圾堆积', '没有期限']);
});

test('a follow-up being typed survives a reload and starts empty once saved', async ({ page }) => {
  await page.goto('/');
  await fillNew(page, { kind: '其他问题', fill: { 问题描述: '河岸塌方', '村（社区）': '杨柳村' } });
  await save(page);
  await page.getByRole('link', { name: '复查' }).click();
  await page.getByLabel('复查后状态', { exact: true }).selectOption({ label: '整改中' });
  await page.getByLabel('复查情况', { exact: true }).fill('已设置警示牌，等待施工');
  await page.reload();
  await expect(page.getByLabel('复查情况', { exact: true })).toHaveValue('已设置警示牌，等待施工');
  await expect(page.getByLabel('复查后状态', { exact: true })).toHaveValue('rectifying');
  await page.getByRole('button', { name: '保存复查' }).click();
  await expect(page.locator('.detail-head .status')).toHaveText('整改中');
  await expect(page.getByTestId('history-item').nth(1)).toContainText('复查 · 待整改 → 整改中');
  // Saved: the draft is gone, a new follow-up starts empty.
  await page.getByRole('link', { name: '复查' }).click();
  await expect(page.getByLabel('复查情况', { exact: true })).toHaveValue('');
});
