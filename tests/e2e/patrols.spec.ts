// Patrols (巡河记录, issue 6, acceptance 3) with Chromium's geolocation emulation: walking
// north along a straight line in ten steps of 0.0005° (≈ 55.6 m each), a patrol records a
// track of that length, continues the same patrol after a reload, and links the problem found
// and the follow-up made on the way; it then shows in the past patrols, and the next start
// offers the same river and section.
import { test, expect } from '@playwright/test';
import { fillNew, openFromList, save, shown, storedRecords } from './helpers';
import { STEP, point, start, storedPatrols, walkTo } from './walk';

/** 10 × 0.0005° of latitude on a sphere of 6,371,008.8 m. */
const LINE_M = (10 * STEP * Math.PI * 6_371_008.8) / 180;

test('a patrol records the track walked, survives a reload and links the visits made on it', async ({ context, page }) => {
  test.setTimeout(90_000);
  await context.grantPermissions(['geolocation']);
  await context.setGeolocation(point(0));

  // A problem known from before, to be followed up on the patrol.
  await page.goto('/');
  await fillNew(page, { kind: '标志牌', fill: { 问题描述: '水源保护标志牌缺失', '村（社区）': '杨柳村' } });
  await save(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('水源保护标志牌缺失');

  await page.getByRole('navigation').getByRole('link', { name: '巡河' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('巡河记录');
  await expect(page.getByText('还没有巡河记录。')).toBeVisible();
  // A river is needed.
  await page.getByRole('button', { name: '开始巡河' }).click();
  await expect(page.getByText('必填', { exact: true })).toBeVisible();
  await page.getByLabel('河流', { exact: true }).fill('清水河');
  await page.getByLabel('河段', { exact: true }).fill('杨柳村段');
  await page.getByRole('button', { name: '开始巡河' }).click();

  const bar = page.getByTestId('patrol-bar');
  await expect(bar).toContainText('巡河中');
  await expect
    .poll(async () => (await storedPatrols(page))[0]?.track?.length)
    .toBe(1);
  for (let i = 1; i <= 4; i++) await walkTo(context, page, i);
  await expect(bar.getByTestId('patrol-distance')).toHaveText('222 米');

  // A problem found mid-way: the bar stays on every screen, and the problem joins the patrol.
  await fillNew(page, { kind: '排污口', fill: { 问题描述: '生活污水直排入河', '村（社区）': '杨柳村' } });
  await expect(bar).toBeVisible();
  await save(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('生活污水直排入河');
  const [patrol] = await storedPatrols(page);

  // A reload continues the same patrol, with the track so far.
  await page.reload();
  await expect(bar.getByTestId('patrol-distance')).toHaveText('222 米');
  for (let i = 5; i <= 7; i++) await walkTo(context, page, i);

  // A follow-up of the older problem, on the way.
  await openFromList(page, '水源保护标志牌缺失');
  await page.getByRole('link', { name: '复查' }).click();
  await page.getByLabel('复查后状态', { exact: true }).selectOption({ label: '整改中' });
  await page.getByLabel('复查情况', { exact: true }).fill('已订制新标志牌');
  await page.getByRole('button', { name: '保存复查' }).click();
  await expect(page.locator('.detail-head .status')).toHaveText('整改中');

  for (let i = 8; i <= 10; i++) await walkTo(context, page, i);
  const stored = await storedPatrols(page);
  expect(stored.map((p) => p.id)).toEqual([patrol.id]);

  // Ending asks first; keeping on changes nothing.
  await bar.getByRole('button', { name: '结束巡河' }).click();
  const dialog = page.getByRole('alertdialog', { name: '结束本次巡河？' });
  await dialog.getByRole('button', { name: '继续巡河' }).click();
  await expect(dialog).toBeHidden();
  await expect(bar).toBeVisible();

  // End it: the summary shows the line's length, the duration, the track and both visits.
  await bar.getByRole('button', { name: '结束巡河' }).click();
  await dialog.getByRole('button', { name: '结束巡河' }).click();
  await expect(bar).toBeHidden();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('清水河 · 杨柳村段');
  const length = Number((await shown(page, '里程').textContent())!.replace(/ 米$/, ''));
  expect(Math.abs(length - LINE_M) / LINE_M).toBeLessThan(0.03);
  await expect(shown(page, '时长')).toHaveText(/^0:\d\d:\d\d$/);
  await expect(shown(page, '结束时间')).not.toHaveText('进行中');
  await expect(page.getByTestId('patrol-track').locator('polyline')).toHaveAttribute('points', /^(\S+ ){10}\S+$/);
  await expect(page.getByRole('heading', { name: '本次巡河的记录（2）' })).toBeVisible();
  const visits = page.getByTestId('patrol-visits').getByRole('listitem');
  await expect(visits).toHaveCount(2);
  await expect(visits.nth(0)).toContainText('生活污水直排入河');
  await expect(visits.nth(0)).toContainText('发现问题');
  await expect(visits.nth(1)).toContainText('水源保护标志牌缺失');
  await expect(visits.nth(1)).toContainText('复查');

  // The past patrols list has it; the next patrol is offered the same river and section.
  await page.getByRole('navigation').getByRole('link', { name: '巡河' }).click();
  const row = page.getByTestId('patrol-list').getByRole('link');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('清水河 · 杨柳村段');
  await expect(row).toContainText(`${Math.round(length)} 米`);
  await expect(row).toContainText('2 处记录');
  await expect(page.getByLabel('河流', { exact: true })).toHaveValue('清水河');
  await expect(page.getByLabel('河段', { exact: true })).toHaveValue('杨柳村段');

  // Both are linked to it in storage: the problem found, and the follow-up visit.
  const records = await storedRecords(page);
  const found = records.find((r) => r.title === '生活污水直排入河');
  const older = records.find((r) => r.title === '水源保护标志牌缺失');
  expect(found.patrol).toBe(patrol.id);
  expect(older.patrol).toBeUndefined();
  expect(older.visits.map((v: any) => v.patrol)).toEqual([patrol.id]);
});

test('fixes with poor accuracy are left out of the track', async ({ context, page }) => {
  await context.grantPermissions(['geolocation']);
  await context.setGeolocation(point(0));
  await page.goto('/patrols');
  await page.getByLabel('河流', { exact: true }).fill('清水河');
  await page.getByRole('button', { name: '开始巡河' }).click();
  await expect.poll(async () => (await storedPatrols(page))[0]?.track?.length).toBe(1);
  // A network guess 1 km off, shown by the record form's GPS block (the bar stays above it):
  // not kept, so the track goes straight on to the next good fix.
  await fillNew(page, { kind: '排污口' });
  await expect(page.getByTestId('patrol-bar')).toBeVisible();
  const gps = page.getByRole('group', { name: 'GPS 定位' });
  await context.setGeolocation({ latitude: start.latitude + 0.009, longitude: start.longitude, accuracy: 500 });
  await expect(gps.getByText('±500 米', { exact: true })).toBeVisible();
  await walkTo(context, page, 1);
  await expect(gps.getByText('±8 米', { exact: true })).toBeVisible();
  const [patrol] = await storedPatrols(page);
  expect(patrol.track.map((p: any) => p.accuracy_m)).toEqual([8, 8]);
  await expect(page.getByTestId('patrol-distance')).toHaveText('56 米');
});
