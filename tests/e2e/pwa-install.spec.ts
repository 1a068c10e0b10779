import { test, expect, chromium } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controlled } from './pwa-helpers';

// Issue 5, acceptance 2 and the install prompt.

/** Width and height from a PNG's IHDR, or a JPEG's first SOF marker. */
function imageSize(bytes: Buffer): [number, number] {
  if (bytes.subarray(1, 4).toString() === 'PNG') return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
  let i = 2;
  while (i < bytes.length) {
    const marker = bytes[i + 1];
    if (marker >= 0xc0 && marker <= 0xc3) return [bytes.readUInt16BE(i + 7), bytes.readUInt16BE(i + 5)];
    i += 2 + bytes.readUInt16BE(i + 2);
  }
  throw new Error('not a PNG or JPEG');
}

test('Chrome finds the served app installable, and the manifest icons and screenshots load at their sizes', async ({ baseURL }) => {
  // Chrome reports every incognito context as not installable: a real profile is needed.
  const profile = mkdtempSync(join(tmpdir(), 'rp-profile-'));
  const config = test.info().project.use;
  const context = await chromium.launchPersistentContext(profile, {
    ...config.launchOptions,
    viewport: { width: 360, height: 640 },
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${baseURL}/`);
    await controlled(page);
    const cdp = await context.newCDPSession(page);
    const manifest = await cdp.send('Page.getAppManifest');
    expect(manifest.url).toBe(`${baseURL}/manifest.webmanifest`);
    expect(manifest.errors).toEqual([]);
    await expect
      .poll(async () => (await cdp.send('Page.getInstallabilityErrors')).installabilityErrors)
      .toEqual([]);

    const data = JSON.parse(manifest.data!);
    expect(data).toMatchObject({
      name: '巡河通 River Patrol',
      short_name: '巡河通',
      start_url: '/',
      scope: '/',
      display: 'standalone',
      orientation: 'portrait',
      lang: 'zh-CN',
      theme_color: '#0b5563',
    });
    const purposes = new Set<string>();
    for (const image of [...data.icons, ...data.screenshots]) {
      const response = await fetch(new URL(image.src, manifest.url));
      expect(response.status, image.src).toBe(200);
      expect(response.headers.get('content-type'), image.src).toBe(image.type);
      const [w, h] = imageSize(Buffer.from(await response.arrayBuffer()));
      expect(`${w}x${h}`, image.src).toBe(image.sizes);
      if (image.purpose) purposes.add(`${image.purpose} ${image.sizes}`);
    }
    expect([...purposes].sort()).toEqual(['any 192x192', 'any 512x512', 'maskable 192x192', 'maskable 512x512']);
    expect(data.screenshots.some((s: any) => s.form_factor === 'narrow')).toBe(true);

    // iOS reads its own tags.
    const touchIcon = await page.locator('link[rel="apple-touch-icon"]').getAttribute('href');
    const icon = await fetch(`${baseURL}${touchIcon}`);
    expect(imageSize(Buffer.from(await icon.arrayBuffer()))).toEqual([180, 180]);
    await expect(page.locator('meta[name="apple-mobile-web-app-capable"]')).toHaveAttribute('content', 'yes');
    await expect(page.locator('meta[name="apple-mobile-web-app-title"]')).toHaveAttribute('content', '巡河通');
    await expect(page.locator('meta[name="apple-mobile-web-app-status-bar-style"]')).toHaveCount(1);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

test('where the browser offers it, settings has a quiet install button that opens the prompt', async ({ page }) => {
  await page.goto('/settings');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('设置');
  await expect(page.getByRole('heading', { name: '安装到手机' })).toHaveCount(0);
  // What Chrome does when the app can be installed: a cancelable event with prompt().
  const kept = await page.evaluate(() => {
    const event = new Event('beforeinstallprompt', { cancelable: true }) as Event & { prompt: () => Promise<void> };
    event.prompt = async () => {
      (window as any).prompted = ((window as any).prompted ?? 0) + 1;
    };
    window.dispatchEvent(event);
    return event.defaultPrevented; // the browser's own mini-bar is held back
  });
  expect(kept).toBe(true);
  const section = page.getByRole('region', { name: '安装到手机' });
  await section.getByRole('button', { name: '安装到手机' }).click();
  expect(await page.evaluate(() => (window as any).prompted)).toBe(1);
  // Used once; the browser offers again by a new event if the user declined.
  await expect(section).toHaveCount(0);
  await page.evaluate(() => window.dispatchEvent(new Event('appinstalled')));
  await expect(page.getByText('在 Safari 中点底部的“分享”按钮')).toHaveCount(0);
});

test.describe('on iOS Safari', () => {
  test.use({
    userAgent:
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  });

  test('settings explain Share → Add to Home Screen', async ({ page }) => {
    await page.goto('/settings');
    const section = page.getByRole('region', { name: '安装到手机' });
    await expect(section).toContainText('在 Safari 中点底部的“分享”按钮，再选“添加到主屏幕”。');
    await expect(section.getByRole('button')).toHaveCount(0);
  });

  test('nothing about installing once started from the home screen', async ({ page }) => {
    await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'standalone', { get: () => true }));
    await page.goto('/settings');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('设置');
    await expect(page.getByRole('region', { name: '安装到手机' })).toHaveCount(0);
  });
});

test('installed (display-mode: standalone): no install button even when the browser offers one', async ({ page }) => {
  // Chromium's media emulation has no display-mode: answer the query as an installed app would.
  await page.addInitScript(() => {
    const real = window.matchMedia.bind(window);
    window.matchMedia = (query: string) =>
      query === '(display-mode: standalone)' ? ({ ...real(query), matches: true, media: query } as MediaQueryList) : real(query);
  });
  await page.goto('/settings');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('设置');
  await page.evaluate(() => {
    const event = new Event('beforeinstallprompt', { cancelable: true }) as Event & { prompt: () => Promise<void> };
    event.prompt = async () => {};
    window.dispatchEvent(event);
  });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('设置');
  await expect(page.getByRole('region', { name: '安装到手机' })).toHaveCount(0);
});
