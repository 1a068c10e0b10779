// Dispatch (交办) and the office's check (销号 / 退回), issue 27 acceptance 1, with two browser
// contexts on a real server: the desk (an office token) makes a village's token as a QR code,
// which reads back to the link it shows; the phone opens that link and is connected. The desk
// records a problem for the village, which is dispatched; the phone pulls it, marked new until
// opened, marks it fixed with a photo (closing is not offered to a village); the desk checks it
// and closes it. Then a second problem, which the desk sends back with a reason the phone sees.
import { test, expect, type Page } from '@playwright/test';
import { cameraJpeg, fillNew, save, showList } from './helpers';
import { deskContext, readQr } from './desk-helpers';
import { SyncServer, connect } from './sync-server';

/** Syncs now from the list and waits until nothing is left to send. */
async function syncNow(page: Page) {
  await showList(page);
  await page.getByRole('button', { name: '立即同步' }).click();
  await expect(page.getByTestId('sync-pending')).toHaveText('全部已同步', { timeout: 30_000 });
}

/** The row of the problem titled `title` on the list. */
function row(page: Page, title: string) {
  return page.getByRole('main').getByRole('link').filter({ hasText: title });
}

/** The village marks the open problem fixed, with a photo and a note, and syncs. */
async function markFixed(phone: Page, title: string, seed: number) {
  await row(phone, title).click();
  await phone.getByRole('link', { name: '复查' }).click();
  const status = phone.getByLabel('复查后状态', { exact: true });
  // Closing (销号) is the township's: a village's phone does not offer it.
  await expect(status.locator('option')).toHaveText(['待整改', '整改中', '已整改']);
  await status.selectOption({ label: '已整改' });
  const jpeg = await cameraJpeg(phone, seed);
  await phone.getByLabel('从相册选').setInputFiles({ name: `IMG_${seed}.jpg`, mimeType: 'image/jpeg', buffer: jpeg });
  await expect(phone.getByRole('group', { name: /照片/ }).getByText('1 / 6 张')).toBeVisible({ timeout: 30_000 });
  await phone.getByLabel('复查情况', { exact: true }).fill('已封堵排口');
  await phone.getByRole('button', { name: '保存复查' }).click();
  await expect(phone.locator('.detail-head .status')).toHaveText('已整改');
  await syncNow(phone);
}

test('the desk dispatches a problem, the village fixes it with a photo, the desk closes it or sends it back', async ({
  page: phone,
  browser,
}) => {
  test.setTimeout(300_000);
  const server = await SyncServer.start();
  const office = server.token('王主任', null);
  const context = await deskContext(browser);
  try {
    const desk = await context.newPage();
    await connect(desk, server, office);

    // The desk makes the village's token; its QR code reads back to the link.
    await desk.goto(`${server.url}/devices`);
    await expect(desk.getByRole('heading', { level: 1 })).toHaveText('设备与授权');
    await desk.getByLabel('巡查员姓名', { exact: true }).fill('张三');
    await desk.getByLabel('村（社区）', { exact: true }).fill('杨柳村');
    await desk.getByRole('button', { name: '生成令牌和二维码' }).click();
    const link = await desk.getByTestId('connect-link').inputValue();
    expect(await readQr(desk)).toBe(link);

    // The phone opens it and is connected.
    await phone.goto(link);
    await phone.getByRole('button', { name: '确认连接' }).click();
    await expect(phone.getByTestId('sync-connection')).toHaveText('在线');
    await expect(phone.getByText(/^上次同步：/)).toBeVisible({ timeout: 30_000 });

    // The desk records a problem for 杨柳村: dispatched by the township.
    await fillNew(desk, {
      kind: '排污口',
      fill: { 问题描述: '沿河餐馆污水直排', '村（社区）': '杨柳村', 责任人: '严文斌', 联系电话: '13800001234' },
    });
    await save(desk);
    await expect(desk.locator('.detail-head .badge.dispatched')).toHaveText('乡镇交办');
    await syncNow(desk);

    // The phone pulls it, marked new until it is opened.
    await syncNow(phone);
    const badge = row(phone, '沿河餐馆污水直排').getByTestId('dispatched');
    await expect(badge).toHaveText('新交办');
    await row(phone, '沿河餐馆污水直排').click();
    await expect(phone.locator('.detail-head .badge.dispatched')).toHaveText('乡镇交办');
    await expect(phone.getByRole('main').getByText('交办', { exact: true }).locator('xpath=following-sibling::dd[1]')).toContainText('王主任');
    await showList(phone);
    await expect(badge).toHaveText('乡镇交办');

    await markFixed(phone, '沿河餐馆污水直排', 51);

    // The desk checks it on its follow-up screen and closes it (销号).
    await syncNow(desk);
    await row(desk, '沿河餐馆污水直排').click();
    await expect(desk.locator('.detail-head .status')).toHaveText('已整改');
    await desk.getByRole('link', { name: '复查' }).click();
    await expect(desk.getByTestId('who-closes')).toContainText('退回');
    await desk.getByLabel('复查后状态', { exact: true }).selectOption({ label: '已销号' });
    await desk.getByLabel('复查情况', { exact: true }).fill('验收合格');
    await desk.getByRole('button', { name: '保存复查' }).click();
    await expect(desk.locator('.detail-head .status')).toHaveText('已销号');
    await expect(desk.getByTestId('history-item').last()).toContainText('乡镇销号 · 已整改 → 已销号');
    await syncNow(desk);

    // The phone sees it closed, both steps in its history.
    await syncNow(phone);
    await row(phone, '沿河餐馆污水直排').click();
    await expect(phone.locator('.detail-head .status')).toHaveText('已销号');
    const history = phone.getByTestId('history-item');
    await expect(history).toHaveCount(3);
    await expect(history.nth(1)).toContainText('复查 · 待整改 → 已整改');
    await expect(history.nth(2)).toContainText('乡镇销号 · 已整改 → 已销号');
    await expect(history.nth(2)).toContainText('王主任');

    // Again, and this time the desk sends it back with a reason.
    await fillNew(desk, { kind: '垃圾点', fill: { 问题描述: '桥下堆放建筑垃圾', '村（社区）': '杨柳村' } });
    await save(desk);
    await syncNow(desk);
    await syncNow(phone);
    await markFixed(phone, '桥下堆放建筑垃圾', 52);
    await syncNow(desk);
    await row(desk, '桥下堆放建筑垃圾').click();
    await desk.getByRole('link', { name: '复查' }).click();
    await desk.getByLabel('复查后状态', { exact: true }).selectOption({ label: '待整改' });
    // Sending back needs the reason.
    await desk.getByRole('button', { name: '保存复查' }).click();
    await expect(desk.locator('.follow-up-form .field-error').filter({ hasText: /\S/ })).toHaveText(['必填']);
    await expect(desk.getByLabel('复查情况', { exact: true })).toBeFocused();
    await desk.getByLabel('复查情况', { exact: true }).fill('桥下仍有碎砖，请清运干净');
    await desk.getByRole('button', { name: '保存复查' }).click();
    await expect(desk.locator('.detail-head .status')).toHaveText('待整改');
    await syncNow(desk);

    await syncNow(phone);
    await row(phone, '桥下堆放建筑垃圾').click();
    await expect(phone.locator('.detail-head .status')).toHaveText('待整改');
    const sentBack = phone.getByTestId('history-item').last();
    await expect(sentBack).toContainText('乡镇退回 · 已整改 → 待整改');
    await expect(sentBack).toContainText('桥下仍有碎砖，请清运干净');

    // On the server: both problems dispatched, each check a review visit of the office's.
    const held = await server.records(office);
    expect(held).toHaveLength(2);
    for (const { record } of held) {
      expect(record.dispatched?.by).toBe('王主任');
      const last = record.visits.at(-1);
      expect([last.review, last.author, last.from]).toEqual([true, '王主任', 'fixed']);
      expect(record.visits[0].photos).toHaveLength(1);
    }
  } finally {
    await context.close();
    await server.stop();
  }
});
