// Screens other than the list download their code the first time they open (src/on_demand.rs,
// xtask/src/split.rs). When that download fails (offline before the service worker has stored
// the app), the screen says so, the rest of the app keeps working, and a retry opens it.
import { test, expect } from '@playwright/test';

// Without the service worker, every part comes from the network, where this test cuts it.
test.use({ serviceWorkers: 'block' });

const PARTS = /\/(split|chunk)_[^/]*\.wasm$/;

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
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('整改统计');
  await expect(missing).toHaveCount(0);
  expect(errors.filter((e) => e.startsWith('RuntimeError'))).toEqual([]);
});
