// Issue 25: the screen stays on during a patrol (Screen Wake Lock), is taken again when the
// app comes back to the front, and is let go when the patrol ends or the switch is off.
//
// The API is stubbed here: headless Chromium has `navigator.wakeLock` but refuses every
// request (there is no screen to keep on), so the stub stands in for a phone's browser. It
// behaves as the specification says: a granted lock is released by the browser when the page
// is hidden, and `release()` lets it go. A second test removes the API, as on iOS before 16.4.
import { test, expect, type Page } from '@playwright/test';

/** Installs a Wake Lock that records what the app asks; `hide()`/`show()` flip visibility. */
async function stubWakeLock(page: Page) {
  await page.addInitScript(() => {
    const log: string[] = [];
    let visibility: DocumentVisibilityState = 'visible';
    Object.defineProperty(document, 'visibilityState', { get: () => visibility });
    Object.defineProperty(document, 'hidden', { get: () => visibility === 'hidden' });
    const held = new Set<any>();
    class Sentinel extends EventTarget {
      released = false;
      type = 'screen';
      onrelease: ((e: Event) => void) | null = null;
      async release() {
        if (this.released) return;
        this.released = true;
        held.delete(this);
        log.push('released');
        const ev = new Event('release');
        this.dispatchEvent(ev);
        this.onrelease?.(ev);
      }
    }
    Object.defineProperty(navigator, 'wakeLock', {
      value: {
        async request(type: string) {
          if (visibility !== 'visible') throw new DOMException('hidden', 'NotAllowedError');
          log.push(`request ${type}`);
          const s = new Sentinel();
          held.add(s);
          return s;
        },
      },
    });
    (window as any).wakeLog = log;
    (window as any).wakeHeld = () => held.size;
    const flip = (to: DocumentVisibilityState) => {
      visibility = to;
      if (to === 'hidden') for (const s of [...held]) s.release();
      document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    };
    (window as any).hide = () => flip('hidden');
    (window as any).show = () => flip('visible');
  });
}

async function startPatrol(page: Page) {
  await page.getByRole('navigation').getByRole('link', { name: '巡河' }).click();
  await page.getByLabel('河流', { exact: true }).fill('清水河');
  await page.getByRole('button', { name: '开始巡河' }).click();
  await expect(page.getByTestId('patrol-bar')).toContainText('巡河中');
}

const held = (page: Page) => page.evaluate(() => (window as any).wakeHeld() as number);
const log = (page: Page) => page.evaluate(() => (window as any).wakeLog as string[]);

test('the screen is kept on during a patrol, again after the app comes back, and let go at its end', async ({ page, context }) => {
  await context.grantPermissions(['geolocation']);
  await context.setGeolocation({ latitude: 31.25, longitude: 107.54, accuracy: 8 });
  await stubWakeLock(page);
  await page.goto('/');
  // No patrol, no lock.
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  expect(await log(page)).toEqual([]);

  await startPatrol(page);
  await expect.poll(() => held(page)).toBe(1);
  expect(await log(page)).toEqual(['request screen']);
  // The phone knows how: no note asking to keep the screen on by hand.
  await expect(page.getByTestId('screen-by-hand')).toHaveCount(0);

  // Switched to another app: the browser lets go; back in the app, it is taken again.
  await page.evaluate(() => (window as any).hide());
  expect(await held(page)).toBe(0);
  await page.evaluate(() => (window as any).show());
  await expect.poll(() => held(page)).toBe(1);
  expect(await log(page)).toEqual(['request screen', 'released', 'request screen']);

  await page.getByTestId('patrol-bar').getByRole('button', { name: '结束巡河' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: '结束巡河' }).click();
  await expect(page.getByTestId('patrol-bar')).toHaveCount(0);
  await expect.poll(() => held(page)).toBe(0);
  expect((await log(page)).at(-1)).toBe('released');
});

test('with the switch off the screen is left alone; without the API the officer is told', async ({ browser }) => {
  // The switch, on by default, turned off in settings.
  const context = await browser.newContext({ locale: 'zh-CN' });
  await context.grantPermissions(['geolocation']);
  await context.setGeolocation({ latitude: 31.25, longitude: 107.54, accuracy: 8 });
  const page = await context.newPage();
  await stubWakeLock(page);
  await page.goto('/settings');
  const keep = page.getByLabel('巡河时保持屏幕常亮');
  await expect(keep).toBeChecked();
  await expect(page.getByText('应用关闭、切到后台或锁屏时，手机会停止记录轨迹')).toBeVisible();
  await keep.uncheck();
  await page.reload();
  await expect(page.getByLabel('巡河时保持屏幕常亮')).not.toBeChecked();
  await startPatrol(page);
  await expect(page.getByTestId('patrol-bar')).toBeVisible();
  expect(await log(page)).toEqual([]);
  // Turned on again mid-patrol: taken at once.
  await page.getByRole('navigation').getByRole('link', { name: /设置/ }).click();
  await page.getByLabel('巡河时保持屏幕常亮').check();
  await expect.poll(() => held(page)).toBe(1);
  await context.close();

  // A browser without the API (iOS before 16.4, older WebViews).
  const bare = await browser.newContext({ locale: 'zh-CN' });
  await bare.grantPermissions(['geolocation']);
  const phone = await bare.newPage();
  await phone.addInitScript(() => {
    delete (Navigator.prototype as any).wakeLock;
  });
  await phone.goto('/');
  await startPatrol(phone);
  await expect(phone.getByTestId('screen-by-hand')).toContainText('此浏览器不能自动保持屏幕常亮');
  await bare.close();
});
