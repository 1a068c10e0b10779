// The monthly report (issue 27, acceptance 3): the 44-problem sample ledger imported, three
// problems moved on by follow-up visits; the report of this month for the township says in its
// paragraph and its tables' totals what the statistics screen shows (found, fixed, closed, the
// rate, overdue), and the month's own figures; one village, another month, English; printed,
// the layout keeps the paragraph and tables and leaves the navigation and pickers out, and
// `page.pdf()` gives A4 pages.
import { test, expect, type Page } from '@playwright/test';
import { importSample } from './helpers';

/** A follow-up visit that moves the problem found at `place` to `status`. */
async function moveOn(page: Page, place: string, status: string) {
  await page.goto('/');
  await page.getByLabel('搜索').fill(place);
  await expect(page.locator('.record-row')).toHaveCount(1);
  await page.locator('.record-row').first().click();
  await page.getByRole('link', { name: '复查' }).click();
  await page.getByLabel('复查后状态', { exact: true }).selectOption({ label: status });
  await page.getByLabel('复查情况', { exact: true }).fill(`复查：${status}`);
  await page.getByRole('button', { name: '保存复查' }).click();
  await expect(page.locator('.detail-head .status')).toHaveText(status);
}

/** The statistics screen's figures. */
async function statsFigures(page: Page) {
  await page.getByRole('navigation').getByRole('link', { name: '统计' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('统计');
  const figure = async (key: string) => Number(await page.getByTestId(`stat-${key}`).locator('dd').innerText());
  const rate = (await page.getByTestId('stat-rate').locator('text').textContent())!.replace('%', '');
  return {
    found: await figure('found'),
    fixed: await figure('fixed'),
    closed: await figure('closed'),
    overdue: await figure('overdue'),
    rate: Number(rate),
  };
}

/** The figure in the column `col` of a table's total row. */
function total(page: Page, table: string, col: string) {
  return page.getByTestId(table).locator(`tfoot td[data-col="${col}"]`);
}

test('the month report says what the statistics say, for the township and one village, and prints on A4', async ({ page }) => {
  test.setTimeout(120_000);
  await importSample(page);
  await moveOn(page, '杨柳村四组桥头', '已整改'); // open → fixed
  await moveOn(page, '鹿鸣村二组河段', '已整改'); // rectifying → fixed
  await moveOn(page, '红岩村六组水源地', '已销号'); // fixed → closed

  const s = await statsFigures(page);
  // The sample's 20 open, 12 rectifying, 5 fixed and 7 closed, moved on as above; every
  // outstanding problem's 2020 deadline has passed.
  expect(s).toEqual({ found: 44, fixed: 6, closed: 8, overdue: 30, rate: 31 });

  await page.getByRole('link', { name: '月度报告' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('月度报告');
  const now = new Date(Date.now() + 8 * 3600_000); // this month in China Standard Time
  const month = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  await expect(page.locator('#report-month')).toHaveValue(month);
  await expect(page.getByTestId('report-heading')).toHaveText(`全镇${now.getUTCFullYear()}年${now.getUTCMonth() + 1}月河湖问题整改情况`);

  const paragraph = page.getByTestId('report-paragraph');
  await expect(paragraph).toContainText(
    `全镇共排查问题${s.found}个，已整改${s.fixed + s.closed}个（其中已销号${s.closed}个，已整改待验收${s.fixed}个），` +
      `整改率${s.rate}%；尚未整改到位${s.found - s.fixed - s.closed}个，其中逾期${s.overdue}个。`,
  );
  // This month: nothing new (the ledger is of 2020), two fixed and one closed by the visits.
  await expect(paragraph).toContainText('新发现问题0个，整改完成2个，销号1个；巡河0次，其中有效巡河0次。');
  await expect(paragraph).toContainText('逾期问题的责任人：');

  // The tables' totals are the same figures; the villages' rows add up to them.
  for (const table of ['report-by-village', 'report-by-kind']) {
    await expect(page.getByTestId(table).locator('caption')).toBeVisible();
    await expect(total(page, table, 'found')).toHaveText(String(s.found));
    await expect(total(page, table, 'fixed')).toHaveText(String(s.fixed));
    await expect(total(page, table, 'closed')).toHaveText(String(s.closed));
    await expect(total(page, table, 'overdue')).toHaveText(String(s.overdue));
    await expect(total(page, table, 'rate')).toHaveText(`${s.rate}%`);
    await expect(total(page, table, 'month-fixed')).toHaveText('2');
    await expect(total(page, table, 'month-closed')).toHaveText('1');
    const found = await page.getByTestId(table).locator('tbody td[data-col="found"]').allInnerTexts();
    expect(found.reduce((sum, n) => sum + Number(n), 0)).toBe(s.found);
  }
  await expect(page.getByTestId('report-by-village').locator('tbody tr')).toHaveCount(17);
  await expect(page.getByRole('columnheader', { name: '本月整改' }).first()).toBeVisible();
  // The overdue list, with who must fix each problem.
  const overdue = page.getByTestId('report-overdue').locator('tbody tr');
  await expect(overdue).toHaveCount(s.overdue);
  await expect(overdue.filter({ hasText: '红岩村' }).filter({ hasText: '赵小军' })).toHaveCount(1);
  await expect(page.getByTestId('report-overdue').locator('tbody')).toContainText('黎学军(党委书记)');

  // One village: 红岩村 (three problems, one closed just now).
  await page.getByLabel('范围').selectOption({ label: '红岩村' });
  await expect(paragraph).toContainText('红岩村共排查问题3个，已整改1个（其中已销号1个，已整改待验收0个），整改率33%；尚未整改到位2个，其中逾期2个。');
  await expect(paragraph).toContainText('新发现问题0个，整改完成0个，销号1个');
  await expect(page.getByTestId('report-by-village').locator('tbody tr')).toHaveCount(1);

  // Another month: July 2020, when 16 of the problems were found (4 of them already fixed or
  // closed, 2 closed).
  await page.getByLabel('范围').selectOption({ label: '全镇' });
  await page.locator('#report-month').fill('2020-07');
  await expect(page.getByTestId('report-heading')).toHaveText('全镇2020年7月河湖问题整改情况');
  await expect(paragraph).toContainText('2020年7月新发现问题16个，整改完成4个，销号2个');
  await expect(paragraph).toContainText(`全镇共排查问题${s.found}个`);
  await page.locator('#report-month').fill(month);
  await expect(paragraph).toContainText('新发现问题0个，整改完成2个，销号1个');

  // Printed: the paragraph and the tables, without the navigation, the pickers and buttons.
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('navigation')).toBeHidden();
  await expect(page.getByRole('button', { name: '打印 / 存为 PDF' })).toBeHidden();
  await expect(page.locator('#report-month')).toBeHidden();
  await expect(page.getByRole('link', { name: '查看统计' })).toBeHidden();
  await expect(paragraph).toBeVisible();
  for (const table of ['report-by-village', 'report-by-kind', 'report-overdue']) {
    await expect(page.getByTestId(table)).toBeVisible();
    // Headers repeat on every printed page.
    expect(await page.getByTestId(table).locator('thead').evaluate((e) => getComputedStyle(e).display)).toBe('table-header-group');
  }
  expect(await overdue.first().evaluate((e) => getComputedStyle(e).breakInside)).toBe('avoid');
  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  const text = pdf.toString('latin1');
  const boxes = [...text.matchAll(/\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/g)];
  const pages = (text.match(/\/Type\s*\/Page\b(?!s)/g) ?? []).length;
  expect(pages).toBeGreaterThanOrEqual(2); // 30 overdue problems do not fit on one page
  expect(boxes.length).toBeGreaterThanOrEqual(pages);
  for (const [, width, height] of boxes) {
    // A4 is 210 × 297 mm: 595.3 × 841.9 points.
    expect(Math.abs(Number(width) - 595.3)).toBeLessThan(1.5);
    expect(Math.abs(Number(height) - 841.9)).toBeLessThan(1.5);
  }
  await page.emulateMedia({ media: 'screen' });
  await expect(page.getByRole('navigation')).toBeVisible();
});

test('the report is written in English when the app is', async ({ page }) => {
  test.setTimeout(90_000);
  await importSample(page);
  await moveOn(page, '红岩村六组水源地', '已销号');
  await page.getByRole('link', { name: '设置' }).click();
  await page.getByLabel('语言').selectOption({ label: 'English' });
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  await page.getByRole('navigation').getByRole('link', { name: 'Statistics' }).click();
  await page.getByRole('link', { name: 'Monthly report' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Monthly report');
  const paragraph = page.getByTestId('report-paragraph');
  // 4 fixed and 8 closed of 44: 27%; 32 outstanding, every one overdue.
  await expect(paragraph).toContainText(
    'The township: 44 problems found to date, 12 of them fixed (8 closed, 4 fixed and awaiting the check), ' +
      'a rectification rate of 27%; 32 not yet fixed, 32 of them overdue.',
  );
  await expect(paragraph).toContainText('0 problems found, 0 fixed and 1 closed; 0 patrols, 0 of them valid.');
  await expect(paragraph).toContainText('Responsible for the overdue problems:');
  await expect(page.getByRole('button', { name: 'Print / save as PDF' })).toBeVisible();
  await expect(page.getByTestId('report-by-kind').locator('caption')).toHaveText('By kind');
});
