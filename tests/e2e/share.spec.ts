// Web Share with files (issue 27: "the ledger, the report and a problem's photos can go to
// WeChat or another app"). The browser's share sheet is stood in for by an init script that
// records what the app handed it (each file's name, type, size and first bytes, the title and
// text) and answers as a phone would: shared, cancelled (AbortError: not an error), or refused.
// Where the browser cannot share files, no 分享 button is shown at all.
import { test, expect, type Page } from '@playwright/test';
import { addPhoto, fillNew, save, showList } from './helpers';

interface SharedFile {
  name: string;
  type: string;
  size: number;
  /** The first bytes in hex. */
  magic: string;
  /** The whole file as text, for text files. */
  text: string;
}
interface Shared {
  title?: string;
  text?: string;
  files: SharedFile[];
}

/** A share sheet that records what it was handed; `window.__shareAnswer` set to a
 * DOMException's name makes the next share fail with it. */
async function stubShare(page: Page) {
  await page.addInitScript(() => {
    const w = window as any;
    w.__shared = [];
    Object.defineProperty(Navigator.prototype, 'canShare', {
      configurable: true,
      value: (data: any) => Array.isArray(data?.files) && data.files.length > 0 && data.files.every((f: unknown) => f instanceof File),
    });
    Object.defineProperty(Navigator.prototype, 'share', {
      configurable: true,
      value: async (data: any) => {
        const answer = w.__shareAnswer;
        w.__shareAnswer = undefined;
        if (answer) throw new DOMException('stub', answer);
        const files = await Promise.all(
          (data.files ?? []).map(async (f: File) => {
            const bytes = new Uint8Array(await f.arrayBuffer());
            const magic = Array.from(bytes.slice(0, 2), (b) => b.toString(16).padStart(2, '0')).join('');
            const text = f.type.startsWith('text/') ? await f.text() : '';
            return { name: f.name, type: f.type, size: f.size, magic, text };
          }),
        );
        w.__shared.push({ title: data.title, text: data.text, files });
      },
    });
  });
}

/** A browser without Web Share: neither method is there. */
async function noShare(page: Page) {
  await page.addInitScript(() => {
    delete (Navigator.prototype as any).share;
    delete (Navigator.prototype as any).canShare;
  });
}

function shared(page: Page): Promise<Shared[]> {
  return page.evaluate(() => (window as any).__shared);
}

/** One problem with one photo, saved; the page is left on its detail screen. */
async function problemWithPhoto(page: Page) {
  await page.goto('/');
  await fillNew(page, { kind: '排污口', fill: { 问题描述: '桥头排口污水直排', '村（社区）': '杨柳村' } });
  await addPhoto(page, '#4a6');
  await save(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('桥头排口污水直排');
}

test('the ledger, the monthly report and a problem\'s photos go to the share sheet as files', async ({ page }) => {
  test.setTimeout(90_000);
  await stubShare(page);
  await problemWithPhoto(page);

  // The problem's photos: JPEG files named by the record's code, with its title and village.
  await page.getByRole('button', { name: '分享照片' }).click();
  await expect.poll(async () => (await shared(page)).length).toBe(1);
  const [photos] = await shared(page);
  expect(photos.files).toHaveLength(1);
  expect(photos.files[0].name).toMatch(/^[0-9A-F]{8}-1\.jpg$/);
  expect(photos.files[0].type).toBe('image/jpeg');
  expect(photos.files[0].size).toBeGreaterThan(1000);
  expect(photos.files[0].magic).toBe('ffd8');
  expect(photos.text).toBe('桥头排口污水直排 · 杨柳村');

  // The ledger: the same CSV the download gives.
  await showList(page);
  await page.getByRole('button', { name: '分享整改台账' }).click();
  await expect.poll(async () => (await shared(page)).length).toBe(2);
  const ledger = (await shared(page))[1];
  expect(ledger.title).toBe('整改台账');
  expect(ledger.files).toHaveLength(1);
  expect(ledger.files[0].name).toMatch(/^整改台账-\d{4}-\d{2}-\d{2}\.csv$/);
  expect(ledger.files[0].type).toBe('text/csv');
  expect(ledger.files[0].size).toBeGreaterThan(0);
  expect(ledger.files[0].text).toContain('问题描述');
  expect(ledger.files[0].text).toContain('桥头排口污水直排');

  // Cancelling the share sheet is no error; a refusal is told in Chinese.
  await page.evaluate(() => ((window as any).__shareAnswer = 'AbortError'));
  await page.getByRole('button', { name: '分享整改台账' }).click();
  await expect.poll(() => page.evaluate(() => (window as any).__shareAnswer)).toBeUndefined();
  await expect(page.getByTestId('share-failed')).toHaveCount(0);
  await page.evaluate(() => ((window as any).__shareAnswer = 'NotAllowedError'));
  await page.getByRole('button', { name: '分享整改台账' }).click();
  await expect(page.getByTestId('share-failed')).toHaveText('分享没有开始，请再点一次“分享”。');
  await page.evaluate(() => ((window as any).__shareAnswer = 'DataError'));
  await page.getByRole('button', { name: '分享整改台账' }).click();
  await expect(page.getByTestId('share-failed')).toHaveText('没能分享。可以改用下载或打印，再发给对方。');
  // Shared again, the message goes.
  await page.getByRole('button', { name: '分享整改台账' }).click();
  await expect(page.getByTestId('share-failed')).toHaveCount(0);
  await expect.poll(async () => (await shared(page)).length).toBe(3);

  // The monthly report: its paragraph as the text, and the report as a page of its own. (A new
  // page load: the stand-in share sheet's record starts again.)
  await page.goto('/report');
  const paragraph = await page.getByTestId('report-paragraph').innerText();
  const heading = await page.getByTestId('report-heading').innerText();
  await page.getByRole('button', { name: '分享报告' }).click();
  await expect.poll(async () => (await shared(page)).length).toBe(1);
  const [report] = await shared(page);
  expect(report.title).toBe(heading);
  expect(report.text).toBe(paragraph);
  expect(report.files).toHaveLength(1);
  expect(report.files[0].name).toBe(`${heading}.html`);
  expect(report.files[0].type).toBe('text/html');
  expect(report.files[0].size).toBeGreaterThan(0);
  const html = report.files[0].text;
  expect(html).toContain(`<title>${heading}</title>`);
  expect(html).toContain(paragraph);
  expect(html).toContain('按村（社区）');
  expect(html).toContain('杨柳村');
  // Without the screen's controls and links into the app.
  expect(html).not.toContain('打印 / 存为 PDF');
  expect(html).not.toContain('href=');
});

test('where the browser cannot share files, no 分享 button is shown', async ({ page }) => {
  test.setTimeout(60_000);
  await noShare(page);
  await problemWithPhoto(page);
  await expect(page.getByRole('button', { name: '查看第 1 张照片（共 1 张）' })).toBeVisible();
  await expect(page.getByRole('button', { name: '分享照片' })).toHaveCount(0);
  await showList(page);
  await expect(page.getByRole('button', { name: '导出整改台账（CSV）' })).toBeVisible();
  await expect(page.getByRole('button', { name: '分享整改台账' })).toHaveCount(0);
  await page.goto('/report');
  await expect(page.getByRole('button', { name: '打印 / 存为 PDF' })).toBeVisible();
  await expect(page.getByRole('button', { name: '分享报告' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /分享/ })).toHaveCount(0);
});
