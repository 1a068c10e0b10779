// Importing the office's ledger (issue 6, acceptance 4): the 44-problem sample saved from Excel
// (UTF-8 with BOM) and a GB18030 copy both give 44 problems with every field; importing again
// creates none; a file with bad rows reports each of them in Chinese and imports the good one.
// Saving shows a progress bar (issue 27) that moves and reaches the end; an import cut short by
// a reload keeps every problem it saved, says how far it got, and the same file again imports
// only the rest.
import { test, expect, type Page } from '@playwright/test';
import { join } from 'node:path';
import { shown, storedRecords, watchProgress } from './helpers';

const fixtures = join(__dirname, '..', 'fixtures');

async function choose(page: Page, file: string) {
  await page.goto('/import');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('导入整改台账');
  await page.locator('#import-file').setInputFiles(join(fixtures, file));
  await expect(page.getByTestId('import-preview')).toBeVisible();
}

for (const file of ['sample-ledger.csv', 'sample-ledger-gb18030.csv']) {
  test(`the 44-problem sample (${file}) imports with every field, and only once`, async ({ page }) => {
    await page.goto('/');
    await page.getByRole('link', { name: '导入整改台账（CSV）' }).click();
    await choose(page, file);
    await expect(page.getByTestId('import-counts')).toHaveText('新问题 44 个，本机已有 0 个，有错误的行 0 个。');
    await expect(page.getByText('未使用的列：序号')).toBeVisible();
    await page.getByRole('button', { name: '导入 44 个新问题' }).click();
    await expect(page.getByTestId('import-done')).toContainText('已导入 44 个问题。');
    expect(await storedRecords(page)).toHaveLength(44);

    // The first row of the file, every field, on its own page.
    await page.getByRole('link', { name: '查看记录列表' }).click();
    await expect(page.getByText('共 44 条')).toBeVisible();
    await page.getByLabel('搜索').fill('杨柳村四组桥头');
    await page.locator('.record-row').first().click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('沿河住户生活污水直排入河');
    await expect(shown(page, '问题类型')).toHaveText('排污口');
    await expect(shown(page, '村（社区）')).toHaveText('杨柳村');
    await expect(shown(page, '具体位置')).toHaveText('杨柳村四组桥头');
    await expect(shown(page, '责任领导')).toHaveText('黎学军(党委书记)');
    await expect(shown(page, '责任部门')).toHaveText('规划建设办');
    await expect(shown(page, '责任人')).toHaveText('严文斌');
    await expect(shown(page, '整改时限')).toHaveText('2020年9月6日');
    await expect(shown(page, '整改状态')).toHaveText('待整改');
    await expect(shown(page, '纬度')).toHaveText('31.251055');
    await expect(shown(page, '经度')).toHaveText('107.541573');
    await expect(shown(page, '发现时间')).toContainText('2020年7月8日');

    // The same file again: nothing new.
    await choose(page, file);
    await expect(page.getByTestId('import-counts')).toHaveText('新问题 0 个，本机已有 44 个，有错误的行 0 个。');
    await expect(page.getByRole('button', { name: '导入 0 个新问题' })).toBeDisabled();
    expect(await storedRecords(page)).toHaveLength(44);
  });
}

test('a file with bad rows reports each of them and imports the good ones', async ({ page }) => {
  await choose(page, 'ledger-bad-rows.csv');
  await expect(page.getByTestId('import-counts')).toHaveText('新问题 1 个，本机已有 0 个，有错误的行 7 个。');
  const bad = page.getByTestId('import-bad').getByRole('listitem');
  await expect(bad).toHaveText([
    '第 3 行：问题类型：不认识的问题类型',
    '第 4 行：整改时限：日期格式不对（应为 2020-07-08）',
    '第 5 行：整改时限：整改时限早于发现日期',
    '第 6 行：村（社区）：必须填写',
    '第 7 行：整改状态：不认识的整改状态；纬度：超出允许范围',
    '第 8 行：列数和表头不一致',
    '第 9 行：联系电话：不是有效的电话号码',
  ]);
  await page.getByRole('button', { name: '导入 1 个新问题' }).click();
  await expect(page.getByTestId('import-done')).toContainText('已导入 1 个问题。');
  const [record] = await storedRecords(page);
  expect(record.title).toBe('河岸垃圾堆积');
});

test('a file that is not a ledger is refused with a reason', async ({ page }) => {
  await page.goto('/import');
  await page.locator('#import-file').setInputFiles({ name: 'names.csv', mimeType: 'text/csv', buffer: Buffer.from('姓名,年龄\n张三,40\n') });
  await expect(page.getByTestId('import-unusable')).toContainText('不像是整改台账');
  expect(await storedRecords(page)).toHaveLength(0);
});

test('saving the 44-problem sample shows a progress bar that moves and reaches the end', async ({ page }) => {
  await choose(page, 'sample-ledger.csv');
  const seen = await watchProgress(page, '导入进度');
  await page.getByRole('button', { name: '导入 44 个新问题' }).click();
  await expect(page.getByTestId('import-done')).toContainText('已导入 44 个问题。');
  await expect(page.locator('.notice')).toHaveText('已保存');
  await expect(page.getByTestId('import-running')).toHaveCount(0);
  const steps = await seen();
  // Several steps, each further than the last, ending with every problem saved.
  expect(steps.length).toBeGreaterThanOrEqual(3);
  const done = steps.map((s) => Number(s.split('/')[0]));
  expect(done).toEqual([...done].sort((a, b) => a - b));
  expect(new Set(done).size).toBe(done.length);
  expect(steps.every((s) => s.endsWith('/44'))).toBe(true);
  expect(steps.at(-1)).toBe('44/44');
  expect(await storedRecords(page)).toHaveLength(44);
});

test('an import cut short by a reload keeps what it saved and says so; the same file again imports the rest', async ({ page }) => {
  await choose(page, 'sample-ledger.csv');
  // Once 20 problems are saved the page stops dead (its timers never fire again, as when the
  // phone kills the app) and reloads.
  await page.evaluate(() => {
    new MutationObserver((_, observer) => {
      const bar = document.querySelector('progress[aria-label="导入进度"]') as HTMLProgressElement | null;
      if (bar && bar.value >= 20) {
        observer.disconnect();
        window.setTimeout = (() => 0) as unknown as typeof window.setTimeout;
        location.reload();
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  await page.getByRole('button', { name: '导入 44 个新问题' }).click();

  // After the reload: the screen says how far the import got, and those problems are there.
  const note = page.getByTestId('import-cut-short');
  await expect(note).toBeVisible({ timeout: 15_000 });
  const saved = Number((await note.innerText()).match(/44 个新问题中已保存 (\d+) 个/)?.[1]);
  expect(saved).toBeGreaterThanOrEqual(20);
  expect(saved).toBeLessThan(44);
  await expect(note).toContainText('“sample-ledger.csv”');
  await expect(note).toContainText('再选一次同一个文件即可导入其余的');
  expect(await storedRecords(page)).toHaveLength(saved);

  // The same file again: only the rest is new, and nothing is there twice.
  await choose(page, 'sample-ledger.csv');
  await expect(page.getByTestId('import-counts')).toHaveText(`新问题 ${44 - saved} 个，本机已有 ${saved} 个，有错误的行 0 个。`);
  await page.getByRole('button', { name: `导入 ${44 - saved} 个新问题` }).click();
  await expect(page.getByTestId('import-done')).toContainText(`已导入 ${44 - saved} 个问题。`);
  await expect(note).toHaveCount(0);
  expect(await storedRecords(page)).toHaveLength(44);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('导入整改台账');
  await expect(note).toHaveCount(0);
});
