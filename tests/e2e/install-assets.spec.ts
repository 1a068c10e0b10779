import { test, expect, type Page } from '@playwright/test';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import UPNG from 'upng-js';
import { fillNew, save, showList } from './helpers';

// The PNG icons and the install screenshots are generated from the repository, never drawn by
// hand: every icon from the one SVG source public/icon.svg, the screenshots from the app.
//
//   RP_UPDATE_INSTALL_ASSETS=1 cargo xtask test --e2e-only -- tests/e2e/install-assets.spec.ts
//
// rewrites them (public/icons/*.png, public/screenshots/*.jpg); without the variable this spec
// checks that the committed icons are what the SVG renders to today.
const UPDATE = !!process.env.RP_UPDATE_INSTALL_ASSETS;
const SOURCE = 'public/icon.svg';
const BACKGROUND = '#0b5563'; // the SVG's own background, --color-primary in style/main.css

interface Icon {
  file: string;
  size: number;
  /** any: the picture with rounded corners; maskable: full bleed, picture in the safe zone;
   *  apple: full bleed square (iOS rounds it), no transparency. */
  kind: 'any' | 'maskable' | 'apple';
}

export const ICONS: Icon[] = [
  { file: 'public/icons/icon-192.png', size: 192, kind: 'any' },
  { file: 'public/icons/icon-512.png', size: 512, kind: 'any' },
  { file: 'public/icons/maskable-192.png', size: 192, kind: 'maskable' },
  { file: 'public/icons/maskable-512.png', size: 512, kind: 'maskable' },
  { file: 'public/icons/apple-touch-icon.png', size: 180, kind: 'apple' },
];

/** Colours of a committed icon. The picture has four flat colours and their smoothed edges: 64
 * keep every pixel within the check below, and the files are a quarter of the browser's PNGs.
 * Chromium fetches the 192 px icon for the manifest during a cold load, beside the app's wasm
 * (docs/benchmarks.md). */
const PALETTE = 64;

/** `png` again, with at most {@link PALETTE} colours (an indexed PNG). */
async function quantized(page: Page, png: Buffer): Promise<Buffer> {
  const { width, height, rgba } = await page.evaluate(async (base64) => {
    const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${base64}`)).blob());
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(bitmap, 0, 0);
    const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
    return { width: bitmap.width, height: bitmap.height, rgba: Array.from(data) };
  }, png.toString('base64'));
  const pixels = Uint8Array.from(rgba);
  return Buffer.from(UPNG.encode([pixels.buffer], width, height, PALETTE));
}

/** Renders the SVG as `icon` in the browser; a PNG's bytes. */
async function render(page: Page, icon: Icon): Promise<Buffer> {
  const svg = readFileSync(SOURCE).toString('base64');
  const png = await page.evaluate(
    async ({ svg, icon, background }) => {
      const img = new Image();
      img.src = `data:image/svg+xml;base64,${svg}`;
      await img.decode();
      const s = icon.size;
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = s;
      const ctx = canvas.getContext('2d')!;
      if (icon.kind === 'any') {
        ctx.beginPath();
        ctx.roundRect(0, 0, s, s, s * 0.22);
        ctx.clip();
        ctx.drawImage(img, 0, 0, s, s);
      } else {
        // Maskable: the picture at 80 % so it stays inside the safe zone (a circle of 40 %).
        const scale = icon.kind === 'maskable' ? 0.8 : 0.9;
        ctx.fillStyle = background;
        ctx.fillRect(0, 0, s, s);
        const d = s * scale;
        ctx.drawImage(img, (s - d) / 2, (s - d) / 2, d, d);
      }
      return canvas.toDataURL('image/png').split(',')[1];
    },
    { svg, icon, background: BACKGROUND },
  );
  return Buffer.from(png, 'base64');
}

/** Share of pixels that differ by more than 16 in some channel, and the sizes of both. */
async function difference(page: Page, a: Buffer, b: Buffer) {
  return page.evaluate(
    async ([a, b]) => {
      const pixels = async (base64: string) => {
        const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${base64}`)).blob());
        const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
        const ctx = canvas.getContext('2d')!;
        ctx.drawImage(bitmap, 0, 0);
        return ctx.getImageData(0, 0, bitmap.width, bitmap.height);
      };
      const [x, y] = [await pixels(a), await pixels(b)];
      if (x.width !== y.width || x.height !== y.height) return { sizes: [x.width, y.width], share: 1 };
      let off = 0;
      for (let i = 0; i < x.data.length; i += 4) {
        for (let c = 0; c < 4; c++) {
          if (Math.abs(x.data[i + c] - y.data[i + c]) > 16) {
            off += 1;
            break;
          }
        }
      }
      return { sizes: [x.width, y.width], share: off / (x.width * x.height) };
    },
    [a.toString('base64'), b.toString('base64')],
  );
}

test('the PNG icons are the SVG source rendered', async ({ page }) => {
  await page.setContent('<!DOCTYPE html><title>icons</title>');
  for (const icon of ICONS) {
    const fresh = await render(page, icon);
    if (UPDATE) {
      mkdirSync('public/icons', { recursive: true });
      writeFileSync(icon.file, await quantized(page, fresh));
      continue;
    }
    expect(existsSync(icon.file), `${icon.file} exists (RP_UPDATE_INSTALL_ASSETS=1 makes it)`).toBe(true);
    const { sizes, share } = await difference(page, fresh, readFileSync(icon.file));
    expect(sizes, icon.file).toEqual([icon.size, icon.size]);
    expect(share, `${icon.file} differs from ${SOURCE}: RP_UPDATE_INSTALL_ASSETS=1 renders it again`).toBeLessThan(0.005);
  }
});

test('the install screenshots show the app (written only with RP_UPDATE_INSTALL_ASSETS=1)', async ({ browser }) => {
  test.skip(!UPDATE, 'screenshots are rewritten on request only');
  // 540×960 CSS-pixel-equivalent: a phone's portrait screen, small enough to precache.
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, deviceScaleFactor: 1.5, isMobile: true, hasTouch: true, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto('/');
  const records = [
    { kind: '排污口', fill: { 问题描述: '沿河住户生活污水直排', '村（社区）': '杨柳村', 具体位置: '四组桥头' } },
    { kind: '养殖场', fill: { 问题描述: '养殖场粪污未处理', '村（社区）': '红岩村', 养殖场名称: '兴旺养猪场' } },
    { kind: '标志牌', fill: { 问题描述: '水源保护区标志牌缺失', '村（社区）': '杨柳村' } },
  ];
  for (const record of records) {
    await fillNew(page, record);
    await save(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(record.fill.问题描述);
  }
  await showList(page);
  await expect(page.getByRole('link').filter({ hasText: '沿河住户生活污水直排' })).toBeVisible();
  await page.waitForTimeout(4500); // the "saved" notice has gone
  mkdirSync('public/screenshots', { recursive: true });
  await page.screenshot({ path: 'public/screenshots/list.jpg', type: 'jpeg', quality: 75 });
  await page.getByRole('navigation').getByRole('link', { name: /新建/ }).click();
  await page.getByRole('link', { name: '排污口', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('新建记录');
  await page.screenshot({ path: 'public/screenshots/new-record.jpg', type: 'jpeg', quality: 75 });
  await context.close();
});
