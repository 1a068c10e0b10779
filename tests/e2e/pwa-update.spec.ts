import { test, expect, type Page } from '@playwright/test';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fillNew, showList } from './helpers';
import { AppServer, cacheNames, controlled, copyDist, markNewer, nextBuild as nextBuildOf, ownPort, precacheOf, removeCopy } from './pwa-helpers';

// Issue 5, acceptance 3 and "a broken or half-downloaded new version never replaces a working
// one". Build A is today's dist/; build B is the same with one more line in index.html (a
// marker this test can see) and its own precache list, as the next release would be.

const PORT = ownPort(1);
let dirs: string[] = [];
let server: AppServer | undefined;

test.afterEach(async () => {
  await server?.stop();
  server = undefined;
  dirs.forEach(removeCopy);
  dirs = [];
});

/** A copy of dist/ with `marker` in index.html and a precache list of its own. */
function nextBuild(marker: string): string {
  const dir = nextBuildOf(marker);
  dirs.push(dir);
  return dir;
}

async function serve(dir: string) {
  await server?.stop();
  server = await AppServer.start(dir, PORT);
  return (await precacheOf(server.origin)).version;
}

const marker = (page: Page) => page.locator('meta[name="rp-test-build"]');

test('a new version waits for the user and for unsaved edits; accepting runs it and the draft survives', async ({ page }) => {
  test.setTimeout(60_000);
  const a = copyDist('a');
  dirs.push(a);
  const b = nextBuild('B');
  const versionA = await serve(a);
  await page.goto(`${server!.origin}/`);
  await controlled(page);

  // An unsaved record under A.
  await fillNew(page, { kind: '养殖场', fill: { 问题描述: '升级前没保存的记录', 养殖场名称: '兴旺养猪场' } });
  await expect
    .poll(() => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('rp/v1/draft/')).length))
    .toBe(1);

  // B is released; the phone comes back in range, and the app looks for a new version.
  const versionB = await serve(b);
  expect(versionB).not.toBe(versionA);
  await page.context().setOffline(true);
  await page.waitForTimeout(500);
  await page.context().setOffline(false);
  const banner = page.locator('.update-banner');
  await expect(banner).toHaveText(/新版本可用/, { timeout: 20_000 });
  await expect(banner).toHaveRole('status');

  // With the form open and edited, it does not switch: it asks to save or leave first.
  await banner.getByRole('button', { name: '重新加载' }).click();
  await expect(banner).toContainText('请先保存或离开正在填写的表单');
  await page.waitForTimeout(1000);
  await expect(marker(page)).toHaveCount(0);
  await expect(page.getByLabel('问题描述', { exact: true })).toHaveValue('升级前没保存的记录');

  // Leaving the form keeps the draft; now the switch happens, to B.
  await showList(page);
  await expect(banner).not.toContainText('请先保存');
  await banner.getByRole('button', { name: '重新加载' }).click();
  await expect(marker(page)).toHaveAttribute('content', 'B', { timeout: 20_000 });
  await expect(banner).toHaveCount(0);
  await expect.poll(() => cacheNames(page)).toEqual([`river-patrol-${versionB}`]);

  // The draft made under A is there under B, intact.
  const drafts = page.getByRole('region', { name: '未保存的草稿' });
  await drafts.getByRole('link').filter({ hasText: '升级前没保存的记录' }).click();
  await page.getByRole('button', { name: '继续编辑草稿' }).click();
  await expect(page.getByLabel('问题描述', { exact: true })).toHaveValue('升级前没保存的记录');
  await expect(page.getByLabel('养殖场名称', { exact: true })).toHaveValue('兴旺养猪场');
});

test('a new version is offered at start when it was installed earlier and still waits', async ({ page }) => {
  // Installing B downloads and checks every file of it (some 400 with the map's parts), which
  // takes most of 30 s on a busy two-core machine.
  test.setTimeout(90_000);
  const a = copyDist('a');
  dirs.push(a);
  await serve(a);
  await page.goto(`${server!.origin}/settings`);
  await controlled(page);
  await serve(nextBuild('B'));
  // The browser looks for a new worker on every navigation; the reload is still served by A.
  await page.reload();
  await expect(page.locator('.update-banner')).toHaveText(/新版本可用/, { timeout: 60_000 });
  await expect(marker(page)).toHaveCount(0);
  await page.locator('.update-banner').getByRole('button', { name: '重新加载' }).click();
  await expect(marker(page)).toHaveAttribute('content', 'B', { timeout: 20_000 });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('设置');
});

/** Asks for an update; the state the new worker ends its install in. */
async function tryUpdate(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const reg = (await navigator.serviceWorker.getRegistration())!;
    let found: ServiceWorker | null = null;
    reg.addEventListener('updatefound', () => (found = reg.installing));
    await reg.update();
    for (;;) {
      const worker = found ?? reg.installing ?? reg.waiting;
      if (worker && worker.state !== 'installing') return worker.state;
      await new Promise((r) => setTimeout(r, 50));
    }
  });
}

for (const [what, breakBuild] of [
  ['a file that does not match its hash', (dir: string) => {
    const css = readFileSync(join(dir, 'sw.js'), 'utf8').match(/"url":"(\/main-[0-9a-f]+\.css)"/)![1];
    writeFileSync(join(dir, css), readFileSync(join(dir, css), 'utf8') + '\n/* changed after the build */\n');
  }],
  ['a missing file', (dir: string) => {
    const wasm = readFileSync(join(dir, 'sw.js'), 'utf8').match(/"url":"(\/[^"]+_bg\.wasm)"/)![1];
    rmSync(join(dir, wasm));
  }],
] as const) {
  test(`a new version with ${what} is never installed; the working one stays, offline too`, async ({ page }) => {
    const a = copyDist('a');
    dirs.push(a);
    const versionA = await serve(a);
    await page.goto(`${server!.origin}/`);
    await controlled(page);

    const broken = nextBuild('broken');
    breakBuild(broken);
    markNewer(broken);
    await serve(broken);
    expect(await tryUpdate(page)).toBe('redundant');
    // Nothing of it was kept, no notice, and A still opens with no network.
    expect(await cacheNames(page)).toEqual([`river-patrol-${versionA}`]);
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.waiting)).toBeNull();
    await expect(page.locator('.update-banner')).toHaveCount(0);
    await server!.stop();
    await page.context().setOffline(true);
    await page.reload();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(/问题记录|还没有记录/);
    await expect(marker(page)).toHaveCount(0);
  });
}
