// Issue 24, the first minute: a first visit says it is getting ready to work offline, with
// progress, until the service worker holds every file; then it says once "已可离线使用".
// Going offline right after that and reloading opens the app; without a token the sync line
// says the phone is not connected to the township.
import { test, expect, Page } from '@playwright/test';

// The first worker downloads and checks every file of the build (several MB of wasm) before
// it says ready. On a busy 2-core CI machine beside another worker that took more than
// Playwright's 5 s; a wait for a download, not a timing check, so it gets a minute.
const DOWNLOADED = 60_000;

/** Waits until the first worker has finished, either way, and says which way. */
async function readiness(page: Page): Promise<string> {
  const line = page.locator('[data-testid="offline-ready"], [data-testid="offline-failed"]');
  await expect(line).toBeVisible({ timeout: DOWNLOADED });
  return (await line.getAttribute('data-testid')) ?? '';
}

test('a first visit shows getting ready with progress, then 已可离线使用 once; offline right after, the app opens', async ({ page, context }) => {
  // Every state the readiness line shows, however briefly: here the download is quick.
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as any).readinessSeen = seen;
    new MutationObserver(() => {
      for (const line of document.querySelectorAll('[data-testid^="offline-"]')) {
        const state = `${line.getAttribute('data-testid')}: ${line.textContent}`;
        if (seen[seen.length - 1] !== state) seen.push(state);
      }
    }).observe(document, { childList: true, subtree: true, characterData: true });
  });
  test.setTimeout(2 * DOWNLOADED);
  await page.goto('/');
  expect(await readiness(page)).toBe('offline-ready');
  await expect(page.getByTestId('offline-ready')).toContainText('已可离线使用');
  const seen: string[] = await page.evaluate(() => (window as any).readinessSeen);
  expect(seen.some((s) => /^offline-preparing: 正在准备离线使用：\d+ \/ \d+ 个文件/.test(s)), seen.join('\n')).toBe(true);
  // The progress counts up to every file of the build.
  const counts = seen
    .map((s) => /(\d+) \/ (\d+) 个文件/.exec(s))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [Number(m[1]), Number(m[2])]);
  const [lastDone, total] = counts[counts.length - 1];
  expect(total).toBeGreaterThan(10);
  expect(lastDone).toBe(total);
  // Without a token, the sync line never claims that everything is synced.
  await expect(page.getByTestId('sync-connection')).toHaveText('未连接乡镇');

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.getByRole('navigation').getByRole('link', { name: /新建/ })).toBeVisible();
  // Said once: a later visit is ready from the start and says nothing.
  await expect(page.getByTestId('offline-ready')).toHaveCount(0);
  await expect(page.getByTestId('offline-preparing')).toHaveCount(0);
  // A screen loaded on demand opens offline too.
  await page.getByRole('navigation').getByRole('link', { name: /新建/ }).click();
  await expect(page.getByRole('heading', { name: '发现了什么问题？' })).toBeVisible();
});

test('已可离线使用 can be closed', async ({ page }) => {
  test.setTimeout(2 * DOWNLOADED);
  await page.goto('/');
  expect(await readiness(page)).toBe('offline-ready');
  const ready = page.getByTestId('offline-ready');
  await ready.getByRole('button', { name: '知道了' }).click();
  await expect(ready).toHaveCount(0);
});
