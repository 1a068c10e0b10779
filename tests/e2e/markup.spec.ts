import { test, expect } from '@playwright/test';
import { type Entry, expectShown, fillNew, openFromList, save, showList } from './helpers';

// Text that looks like HTML is the officer's text: shown as typed on every screen that shows
// it, never run or turned into elements. The server's Content-Security-Policy would stop an
// inline script too; this checks that the app never makes one in the first place.
const ATTACK = '<img src=x onerror="window.__injected=1">';
const SCRIPT = '<script>window.__injected=2</script>';

const marked: Entry = {
  kind: '排污口',
  fill: {
    问题描述: `桥下 ${ATTACK}`,
    '村（社区）': `杨柳村${SCRIPT}`,
    具体位置: '<b>四组</b>桥头',
    责任人: '<a href="javascript:alert(1)">严文斌</a>',
    备注: `${SCRIPT} ${ATTACK}`,
  },
};

test('HTML typed into a record is shown as text on the list, the record and the statistics', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await fillNew(page, marked);
  await save(page);
  await expectShown(page, marked);

  // Long runs without a space wrap instead of widening the page (which once pushed the
  // record's buttons over the bottom navigation).
  const sideways = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(await sideways()).toBe(0);

  await showList(page);
  await expect(page.getByRole('main').getByText(`桥下 ${ATTACK}`)).toBeVisible();
  expect(await sideways()).toBe(0);
  await openFromList(page, '桥下');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`桥下 ${ATTACK}`);

  await page.getByRole('navigation').getByRole('link', { name: /统计|Statistics/ }).click();
  await expect(page.getByRole('main').getByText(`杨柳村${SCRIPT}`).first()).toBeVisible();

  // Nothing was turned into markup anywhere, and nothing ran.
  for (const selector of ['main img[src="x"]', 'main b', 'main a[href^="javascript"]', 'main script']) {
    expect(await page.locator(selector).count(), selector).toBe(0);
  }
  // (The framework keeps an empty placeholder script; it holds nothing to run.)
  const inline = await page.evaluate(() =>
    [...document.scripts].filter((s) => !s.src && s.text.trim() !== '').map((s) => s.outerHTML),
  );
  expect(inline).toEqual([]);
  expect(await page.evaluate(() => (window as any).__injected)).toBeUndefined();
  expect(errors).toEqual([]);
});
