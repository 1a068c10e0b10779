// Issue 24: the start-up script (public/start.js) tells a user why the app cannot start, in
// both languages, instead of an endless "正在打开…": a browser too old for the build's wasm,
// files that did not arrive; and it shows WeChat's (and other apps') browser how to open the
// link in the phone's own browser, while the app still works for someone who goes on.
import { test, expect, type Page } from '@playwright/test';
import { fillNew, save } from './helpers';

const WECHAT_ANDROID =
  'Mozilla/5.0 (Linux; Android 13; V2219A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) ' +
  'Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2247 ' +
  'MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64';

/** The app never started: no screen of it, only the start-up screen. */
async function expectAppNotStarted(page: Page) {
  await expect(page.locator('#boot')).toBeVisible();
  await expect(page.getByRole('main')).toHaveCount(0);
  await expect(page.getByText('正在打开…')).toHaveCount(0);
}

test('a browser without a wasm feature the build needs says so in both languages and what to do', async ({ page }) => {
  // As an old Android WebView answers: none of the features validates.
  await page.addInitScript(() => {
    WebAssembly.validate = () => false;
  });
  await page.goto('/');
  const message = page.locator('#start-too-old');
  await expect(message).toBeVisible();
  await expect(message.locator('[lang="zh-CN"] h2')).toHaveText('这个浏览器太旧，打不开巡河通');
  await expect(message.locator('[lang="zh-CN"]')).toContainText('用手机自带的浏览器打开这个链接');
  await expect(message.locator('[lang="zh-CN"]')).toContainText('iOS 15 以上');
  await expect(message.locator('[lang="en"] h2')).toHaveText('This browser is too old to run River Patrol');
  await expect(message.locator('[lang="en"]')).toContainText('Update the browser (or WeChat)');
  await expect(message.locator('[lang="en"]')).toContainText('Chrome or Android System WebView 96 or later');
  // What is missing, for whoever helps the user.
  await expect(message).toContainText('referenceTypes');
  await expectAppNotStarted(page);
});

test('a browser with no WebAssembly at all is told the same', async ({ page }) => {
  await page.addInitScript(() => {
    delete (globalThis as any).WebAssembly;
  });
  await page.goto('/');
  await expect(page.locator('#start-too-old [lang="zh-CN"] h2')).toHaveText('这个浏览器太旧，打不开巡河通');
  await expect(page.locator('#start-too-old [lang="en"] h2')).toHaveText('This browser is too old to run River Patrol');
  await expectAppNotStarted(page);
});

test('an app whose wasm does not arrive says it could not start, in both languages', async ({ page }) => {
  await page.route(/\/river-patrol-[0-9a-f]{12}_bg\.wasm$/, (route) => route.fulfill({ status: 404, body: 'gone' }));
  await page.goto('/');
  const message = page.locator('#start-failed');
  await expect(message.locator('[lang="zh-CN"] h2')).toHaveText('巡河通没能启动');
  await expect(message.locator('[lang="zh-CN"]')).toContainText('手机上已保存的记录不会丢失');
  await expect(message.locator('[lang="en"] h2')).toHaveText('River Patrol could not start');
  await expectAppNotStarted(page);
});

test.describe('inside WeChat', () => {
  test.use({ userAgent: WECHAT_ANDROID });

  test("WeChat's browser shows how to open the phone's browser, in both languages; the app works for who goes on", async ({ page }) => {
    await page.goto('/');
    const guide = page.getByRole('dialog', { name: '请在手机浏览器中打开' });
    await expect(guide).toBeVisible();
    await expect(guide.locator('[lang="zh-CN"]')).toContainText('点右上角 ··· → 选「在浏览器打开」');
    await expect(guide.locator('[lang="zh-CN"]')).toContainText('在微信里不能把巡河通装到手机桌面');
    await expect(guide.locator('[lang="en"] h2')).toHaveText('Open this in the phone’s browser');
    await expect(guide.locator('[lang="en"]')).toContainText('Tap ··· at the top right → “Open in browser”');
    await expect(guide.locator('[lang="en"]')).toContainText('Inside WeChat, River Patrol cannot be added to the home screen');
    // The picture of where to tap has arrived and is described.
    const picture = guide.getByRole('img', { name: /右上角的 ··· 按钮/ });
    await expect.poll(() => picture.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);

    await guide.getByRole('button', { name: /仍在这里使用/ }).click();
    await expect(guide).toHaveCount(0);
    // The app started beneath the guide and records as anywhere else.
    await fillNew(page, { kind: '排污口', fill: { 问题描述: '在微信里记下的排污口', '村（社区）': '杨柳村' } });
    await save(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('在微信里记下的排污口');
    // Once gone on, the guide does not come back in this visit.
    await page.reload();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('在微信里记下的排污口');
    await expect(page.getByRole('dialog', { name: '请在手机浏览器中打开' })).toHaveCount(0);
  });
});

test('the phone’s own browser gets no such guide', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.locator('#in-app-guide')).toHaveCount(0);
  await expect(page.locator('#start-too-old, #start-failed')).toHaveCount(0);
});
