import { test, expect } from '@playwright/test';

// Pipeline check only (server up, dist/ served); the app's own browser tests replace it.
test('the app shell loads', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveTitle(/River Patrol/);
});
