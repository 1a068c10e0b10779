// Screens other than the list, and the list's rows once there are any, download their code the
// first time they open (src/on_demand.rs, xtask/src/split.rs). When that download fails
// (offline before the service worker has stored the app), the screen says so, the rest of the
// app keeps working, and a retry opens it.
import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { fillNew, save, storedRecords } from './helpers';

// Without the service worker, every part comes from the network, where this test cuts it.
test.use({ serviceWorkers: 'block' });

const PARTS = /\/(split|chunk)_[^/]*\.wasm$/;
const FILTERS = /\/split_filter_choices_part-[^/]*\.wasm$/;
const PATROL_BAR = /\/split_patrol_bar_part-[^/]*\.wasm$/;
const ROWS = /\/split_filled_list_part-[^/]*\.wasm$/;

/** Records one problem, 暗管排污, while every part can still be downloaded. */
async function recordOne(page: Page) {
  await fillNew(page, { kind: '排污口', fill: { 问题描述: '暗管排污', '村（社区）': '杨柳村' } });
  await save(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('暗管排污');
}

test('a screen whose code cannot be downloaded says so, the app keeps working, and a retry opens it', async ({ page }) => {
  // A part that fails to download must not abort the wasm (a panic shows as a RuntimeError).
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`${e.name}: ${e.message}`));
  let refused = 0;
  await page.route(PARTS, (route) => {
    refused += 1;
    return route.abort('internetdisconnected');
  });
  await page.goto('/');
  await expect(page.getByRole('heading', { name: '还没有记录' })).toBeVisible();

  await page.getByRole('link', { name: '统计' }).click();
  const missing = page.getByRole('alert').filter({ hasText: '这个页面还没有下载到手机上' });
  await expect(missing).toBeVisible();
  await expect(missing).toContainText('已保存的记录不受影响');
  expect(refused).toBeGreaterThan(0);

  // The list (in the main part) still works.
  await page.getByRole('link', { name: '记录' }).click();
  await expect(page.getByRole('heading', { name: '还没有记录' })).toBeVisible();

  // Still offline: the screen says so again. Back online, its retry button downloads it.
  await page.getByRole('link', { name: '统计' }).click();
  await expect(missing).toBeVisible();
  await page.unroute(PARTS);
  await missing.getByRole('button', { name: '重试' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('统计');
  await expect(missing).toHaveCount(0);
  expect(errors.filter((e) => e.startsWith('RuntimeError'))).toEqual([]);
});

test('a patrol under way keeps recording its track while the patrol bar\'s code cannot be downloaded', async ({ context, page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`${e.name}: ${e.message}`));
  await context.grantPermissions(['geolocation']);
  await context.setGeolocation({ latitude: 31.25, longitude: 107.54, accuracy: 8 });
  await page.goto('/patrols');
  await page.getByLabel('河流', { exact: true }).fill('清水河');
  await page.getByRole('button', { name: '开始巡河' }).click();
  await expect(page.getByTestId('patrol-bar')).toContainText('巡河中');

  // Offline before the app was stored: the bar's part cannot be had after a reload.
  await page.route(PATROL_BAR, (route) => route.abort('internetdisconnected'));
  await page.goto('/');
  await expect(page.getByRole('heading', { name: '还没有记录' })).toBeVisible();
  const missing = page.getByTestId('patrol-bar-missing');
  await expect(missing).toContainText('巡河中');
  await expect(missing.getByRole('alert')).toHaveText(/巡河轨迹照常记录/);
  await expect(page.getByTestId('patrol-bar')).toHaveCount(0);

  // The track goes on: the first screen's own code records the next fix.
  const track = () =>
    page.evaluate(() => {
      const key = Object.keys(localStorage).find((k) => k.startsWith('rp/v1/patrol/'))!;
      return JSON.parse(localStorage.getItem(key)!).track.length;
    });
  const before = await track();
  await context.setGeolocation({ latitude: 31.2505, longitude: 107.54, accuracy: 8 });
  await expect.poll(track).toBe(before + 1);

  // Back online, the retry brings the bar.
  await page.unroute(PATROL_BAR);
  await missing.getByRole('button', { name: '重试' }).click();
  await expect(page.getByTestId('patrol-bar')).toContainText('巡河中');
  await expect(missing).toHaveCount(0);
  expect(errors.filter((e) => e.startsWith('RuntimeError'))).toEqual([]);
});

test('the list\'s filters say so when their code cannot be downloaded, and a retry brings them', async ({ page }) => {
  await page.goto('/');
  await recordOne(page);

  await page.route(FILTERS, (route) => route.abort('internetdisconnected'));
  await page.goto('/');
  // Searching works without them.
  await page.getByLabel('搜索').fill('暗管');
  await expect(page.locator('.count')).toHaveText('显示 1 / 1 条');
  await page.getByText('筛选', { exact: true }).click();
  const missing = page.getByRole('alert').filter({ hasText: '筛选功能还没有下载到手机上' });
  await expect(missing).toBeVisible();

  await page.unroute(FILTERS);
  await page.locator('.filter-more').getByRole('button', { name: '重试' }).click();
  await page.getByLabel('村（社区）').selectOption('杨柳村');
  await expect(missing).toHaveCount(0);
  await expect(page.locator('.record-list').getByRole('link')).toHaveCount(1);
});

test('stored records stay safe when the list\'s code cannot be downloaded, and a retry shows them', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`${e.name}: ${e.message}`));
  await page.goto('/');
  await recordOne(page);

  // Offline before the app was stored: the rows' part cannot be had after a reload.
  await page.route(ROWS, (route) => route.abort('internetdisconnected'));
  await page.goto('/');
  const missing = page.getByRole('alert').filter({ hasText: '显示记录列表的功能还没有下载到手机上' });
  await expect(missing).toContainText('记录都保存在手机上');
  // Not the empty list's invitation: the phone does hold a record.
  await expect(page.getByRole('heading', { name: '还没有记录' })).toHaveCount(0);
  expect(await storedRecords(page)).toHaveLength(1);

  await page.unroute(ROWS);
  await missing.getByRole('button', { name: '重试' }).click();
  await expect(page.locator('.record-list').getByRole('link')).toHaveCount(1);
  await expect(page.locator('.record-list')).toContainText('暗管排污');
  await expect(missing).toHaveCount(0);
  expect(errors.filter((e) => e.startsWith('RuntimeError'))).toEqual([]);
});

test('a phone holding records whose reading code cannot be downloaded says so, touches nothing, and a retry opens the app', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`${e.name}: ${e.message}`));
  await page.goto('/');
  await recordOne(page);
  const before = await storedRecords(page);

  // A phone that holds anything reads it through a part (src/stored.rs); offline before the
  // app was stored, that part cannot be had after a reload.
  await page.route(PARTS, (route) => route.abort('internetdisconnected'));
  await page.goto('/');
  const missing = page.getByRole('alert').filter({ hasText: '应用还没有完整下载到手机上' });
  await expect(missing).toContainText('已保存的记录、草稿和巡河记录都还在手机上');
  // Not the empty list's invitation: the phone does hold a record, and it is untouched.
  await expect(page.getByRole('heading', { name: '还没有记录' })).toHaveCount(0);
  expect(await storedRecords(page)).toEqual(before);
  // A screen of its own, outside the app's frame: labelled and readable like the others.
  const { violations } = await new AxeBuilder({ page })
    .options({ rules: { 'color-contrast-enhanced': { enabled: true } } })
    .analyze();
  expect(violations.map((v) => `${v.id} (${v.impact})`)).toEqual([]);

  await page.unroute(PARTS);
  await missing.getByRole('button', { name: '重试' }).click();
  await expect(page.locator('.record-list')).toContainText('暗管排污');
  await expect(missing).toHaveCount(0);
  expect(await storedRecords(page)).toEqual(before);
  expect(errors.filter((e) => e.startsWith('RuntimeError'))).toEqual([]);
});
