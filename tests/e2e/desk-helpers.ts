// What the township office's desk specs share: the desk's own browser context (a desktop, in
// Chinese) and reading the QR code the desk draws, as a phone's camera would.
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import jsQR from 'jsqr';
import UPNG from 'upng-js';

/** The office's desktop: a browser context of its own at 1280×800, in Chinese. */
export async function deskContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({
    locale: 'zh-CN',
    viewport: { width: 1280, height: 800 },
    serviceWorkers: 'block',
    permissions: ['clipboard-read', 'clipboard-write'],
  });
}

/** What the QR code drawn on screen says, read by jsQR from a screenshot of it. */
export async function readQr(page: Page): Promise<string | undefined> {
  const qr = page.getByTestId('connect-qr');
  await expect(qr).toBeVisible();
  await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  const png = UPNG.decode(await qr.screenshot());
  const rgba = new Uint8ClampedArray(UPNG.toRGBA8(png)[0]);
  return jsQR(rgba, png.width, png.height)?.data;
}
