// The township office's desk (issue 27, `/desk`): on a 1280 px screen, the 44-problem sample
// ledger's villages with their problems counted as the statistics count them, a village's name
// narrowing the table to it; the table searched as the list is and sorted by a column's header
// both ways, its header saying which way (aria-sort). On a phone the page does not scroll
// sideways: the table scrolls in its own region.
import { test, expect, type Page } from '@playwright/test';
import { importSample, showList } from './helpers';

/** The deadlines the table shows, top to bottom ("" where a problem has none). */
function deadlines(page: Page): Promise<string[]> {
  return page
    .getByTestId('desk-table')
    .locator('tbody tr td:nth-child(5)')
    .evaluateAll((cells) => cells.map((c) => (c.textContent ?? '').match(/\d{4}年\d{1,2}月\d{1,2}日/)?.[0] ?? ''));
}

function asDate(text: string): number {
  const [, y, m, d] = text.match(/(\d{4})年(\d{1,2})月(\d{1,2})日/)!;
  return Date.UTC(Number(y), Number(m) - 1, Number(d));
}

test('the desk counts every village, narrows to one, searches and sorts by a column', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await importSample(page);

  await page.goto('/desk');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('乡镇工作台');
  await expect(page.getByTestId('desk-count')).toHaveText('显示 44 个问题，共 44 个');
  const villages = page.getByTestId('desk-villages');
  const rows = villages.locator('tbody tr');
  // The villages' problems add up to the ledger's.
  const found = await rows.locator('td[data-col="found"]').allInnerTexts();
  expect(found.length).toBeGreaterThan(1);
  expect(found.map(Number).reduce((a, b) => a + b, 0)).toBe(44);
  for (const row of await rows.all()) {
    const n = (col: string) => row.locator(`td[data-col="${col}"]`).innerText().then(Number);
    expect((await n('outstanding')) + (await n('fixed')) + (await n('closed'))).toBe(await n('found'));
  }

  // A village's name narrows the table to its problems.
  const first = rows.first();
  const name = await first.getByRole('button').innerText();
  const count = Number(await first.locator('td[data-col="found"]').innerText());
  await first.getByRole('button').click();
  await expect(first.getByRole('button')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('desk-count')).toHaveText(`显示 ${count} 个问题，共 44 个`);
  const table = page.getByTestId('desk-table');
  await expect(table.locator('tbody tr')).toHaveCount(count);
  for (const village of await table.locator('tbody tr td:nth-child(3)').allInnerTexts()) {
    expect(village).toBe(name);
  }
  await page.getByRole('button', { name: '显示全部村' }).click();
  await expect(table.locator('tbody tr')).toHaveCount(44);

  // Sorted by the deadline, nearest first (the desk opens so); then the other way. Problems
  // without a deadline stay last both ways.
  const header = table.getByRole('columnheader', { name: /整改时限/ });
  await expect(header).toHaveAttribute('aria-sort', 'ascending');
  const dated = (list: string[]) => list.filter((d) => d !== '');
  let shown = await deadlines(page);
  expect(dated(shown).map(asDate)).toEqual([...dated(shown).map(asDate)].sort((a, b) => a - b));
  expect(shown.slice(dated(shown).length).every((d) => d === '')).toBe(true);
  await header.getByRole('button').click();
  await expect(header).toHaveAttribute('aria-sort', 'descending');
  shown = await deadlines(page);
  expect(dated(shown).map(asDate)).toEqual([...dated(shown).map(asDate)].sort((a, b) => b - a));
  // Another column: the header before it no longer claims the order.
  await table.getByRole('columnheader', { name: /村（社区）/ }).getByRole('button').click();
  await expect(header).toHaveAttribute('aria-sort', 'none');
  const byVillage = await table.locator('tbody tr td:nth-child(3)').allInnerTexts();
  expect(byVillage).toEqual([...byVillage].sort());

  // Searched as the list is: the filter holds on the list too.
  await page.getByLabel('搜索').fill(name);
  await expect(page.getByTestId('desk-count')).toHaveText(new RegExp(`^显示 \\d+ 个问题，共 44 个$`));
  await showList(page);
  await expect(page.getByLabel('搜索')).toHaveValue(name);
});

test('on a phone the desk does not scroll sideways; its table scrolls in its own region', async ({ page }) => {
  test.setTimeout(90_000);
  await importSample(page);
  await page.goto('/desk');
  await expect(page.getByTestId('desk-table').locator('tbody tr')).toHaveCount(44);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const region = page.getByRole('region', { name: '各村问题', exact: true });
  expect(await region.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
});
