import { test, expect } from '@playwright/test';
import { day, noon } from './helpers';

test('Chinese by default; switching to English changes every screen and is remembered', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('navigation', { name: '主导航' })).toBeVisible();
  await page.getByRole('link', { name: '设置' }).click();
  await page.getByLabel('语言').selectOption({ label: 'English' });
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.getByLabel('Your name').fill('Zhang San');
  await page.getByLabel('Your village').fill('Yangliu');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status')).toHaveText('Settings saved');

  await page.reload();
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  await expect(page.getByLabel('Your name')).toHaveValue('Zhang San');
  const nav = page.getByRole('navigation', { name: 'Main navigation' });
  await nav.getByRole('link', { name: 'New' }).click();
  await page.getByRole('link', { name: 'Sewage outfall' }).click();
  // The officer's village is filled in for a new record.
  await expect(page.getByLabel('Village', { exact: true })).toHaveValue('Yangliu');
  await page.getByLabel('Discharge').selectOption({ label: 'Household sewage' });
  await page.getByLabel('Problem', { exact: true }).fill('Sewage into the river');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('Recorded by', { exact: true })).toBeVisible();
  await expect(page.locator('dl.fields').getByText('Zhang San', { exact: true })).toBeVisible();
  await expect(page.getByText('Household sewage', { exact: true })).toBeVisible();
  await nav.getByRole('link', { name: 'Records' }).click();
  await expect(page.getByText('1 in all')).toBeVisible();

  await nav.getByRole('link', { name: 'Settings' }).click();
  await page.getByLabel('Language').selectOption({ label: '简体中文' });
  await expect(page.getByRole('heading', { name: '设置' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: '设置' })).toBeVisible();
});

test.describe('with an English browser', () => {
  test.use({ locale: 'en-US' });
  test('English is used from the first start', async ({ page }) => {
    await page.goto('/');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByRole('heading', { name: 'No records yet' })).toBeVisible();
  });

  // Issue 24: long labels ("Fixed, awaiting check", "12 days overdue", "Waiting to sync")
  // once squeezed a title to two characters a line at 360 px.
  test('at 360 px the long status labels leave every title a readable width, in both languages', async ({ page }) => {
    await page.setViewportSize({ width: 360, height: 640 });
    // Recorded 20 days ago (a deadline cannot come before the day found), looked at today.
    await page.clock.install({ time: noon(-20) });
    await page.goto('/');
    const nav = page.getByRole('navigation', { name: /^(Main navigation|主导航)$/ });
    const rows: [string, string, string][] = [
      ['Sewage from the new housing estate into the ditch', 'Fixed, awaiting check', ''],
      ['Spoil heap on the north bank by the bridge', 'Open', day(-12)],
    ];
    for (const [title, status, deadline] of rows) {
      await nav.getByRole('link', { name: 'New' }).click();
      await page.getByRole('link', { name: 'Sewage outfall' }).click();
      await page.getByLabel('Problem', { exact: true }).fill(title);
      await page.getByLabel('Village', { exact: true }).fill('Yangliu');
      await page.getByLabel('Status', { exact: true }).selectOption({ label: status });
      if (deadline) await page.getByLabel('Deadline', { exact: true }).fill(deadline);
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
    }
    await page.clock.setSystemTime(noon(0));
    for (const language of ['English', '简体中文']) {
      await nav.getByRole('link', { name: /Settings|设置/ }).click();
      await page.getByLabel(/^(Language|语言)$/).selectOption({ label: language });
      await nav.getByRole('link', { name: /Records|记录/ }).click();
      const titles = page.locator('.record-list .row-title');
      await expect(titles).toHaveCount(2);
      await expect(page.getByText(language === 'English' ? '12 days overdue' : '逾期 12 天')).toBeVisible();
      for (const box of await titles.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width))) {
        // 10rem: some 20 Latin letters or 10 Chinese characters a line.
        expect(box).toBeGreaterThanOrEqual(160);
      }
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    }
  });
});

test('deep links open the right screen', async ({ page }) => {
  await page.goto('/new/signage');
  await expect(page.getByLabel('标志牌类型')).toBeVisible();
  await page.goto('/settings');
  await expect(page.getByRole('heading', { name: '设置' })).toBeVisible();
  await page.goto('/no/such/page');
  await expect(page.getByRole('heading', { name: '没有这个页面' })).toBeVisible();
});
