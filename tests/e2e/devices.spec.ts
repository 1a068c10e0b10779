// The township office's desk for devices and access (issue 27, src/pages/devices.rs), with two
// browser contexts on a real server: the desk, connected with an office token, makes a
// village's token and shows it once as a QR code, which this test reads back with jsQR to
// exactly the link shown; the phone opens that link and is connected; the desk's list shows
// the new token and, once the phone has synced, its last sync; revoked after a confirmation,
// the token leaves the list and the phone's next sync is refused. A village's phone is not
// offered the desk, and the desk refuses it.
import { test, expect, type Page } from '@playwright/test';
import { fillNew, save } from './helpers';
import { deskContext, readQr } from './desk-helpers';
import { SyncServer, connect } from './sync-server';

/** How far the page is wider than the screen, in CSS pixels (0 when it fits). */
function overflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

test('the desk makes a village token shown as a QR code, a phone connects with it and syncs, and a revoked token stops the phone', async ({
  page: phone,
  browser,
}) => {
  test.setTimeout(180_000);
  const server = await SyncServer.start();
  const context = await deskContext(browser);
  try {
    const desk = await context.newPage();
    await connect(desk, server, server.token('王主任', null));
    // A problem of 白沙村 on the desk: the village field offers it.
    await fillNew(desk, { kind: '垃圾点', fill: { 问题描述: '集镇垃圾箱缺失', '村（社区）': '白沙村' } });
    await save(desk);

    // Settings say whom the token was issued to, and lead an office token to the desk.
    await desk.getByRole('navigation').getByRole('link', { name: '设置' }).click();
    await expect(desk.getByTestId('token-holder')).toHaveText('本机的访问令牌发给：王主任（乡镇办公室）');
    await desk.getByRole('link', { name: '设备与授权' }).click();
    await expect(desk.getByRole('heading', { level: 1 })).toHaveText('设备与授权');
    const cards = desk.getByTestId('token');
    await expect(cards).toHaveCount(1);
    await expect(cards.first().getByTestId('token-village')).toHaveText('乡镇办公室');
    await expect(desk.locator('#device-villages option[value="白沙村"]')).toHaveCount(1);

    // Both fields are needed, and what is typed stays when a request fails:
    const officer = desk.getByLabel('巡查员姓名', { exact: true });
    const village = desk.getByLabel('村（社区）', { exact: true });
    await desk.getByRole('button', { name: '生成令牌和二维码' }).click();
    await expect(desk.locator('.devices-form .field-error').first()).toHaveText('必填');
    await officer.fill('张三');
    await village.fill('杨柳村');
    // the server refusing the name (400), told in the user's language;
    await desk.route('**/api/v1/tokens', (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({ status: 400, json: { error: { code: 'bad_request', message: "the officer's name is empty" } } })
        : route.fallback(),
    );
    await desk.getByRole('button', { name: '生成令牌和二维码' }).click();
    await expect(desk.getByRole('alert').filter({ hasText: '服务器不接受这个姓名或村名' })).toBeVisible();
    await expect(officer).toHaveValue('张三');
    await expect(village).toHaveValue('杨柳村');
    await desk.unroute('**/api/v1/tokens');
    // no connection at all.
    await context.setOffline(true);
    await desk.getByRole('button', { name: '生成令牌和二维码' }).click();
    await expect(desk.getByRole('alert').filter({ hasText: '连不上服务器' })).toBeVisible();
    await expect(officer).toHaveValue('张三');
    await expect(village).toHaveValue('杨柳村');
    await context.setOffline(false);
    await desk.getByRole('button', { name: '生成令牌和二维码' }).click();

    // The token, shown once: its QR code says exactly the link shown beside it.
    const made = desk.getByTestId('made-token');
    await expect(made.getByRole('heading')).toHaveText('张三（杨柳村）的连接二维码');
    await expect(made).toContainText('只显示这一次');
    const link = await desk.getByTestId('connect-link').inputValue();
    expect(link).toMatch(new RegExp(`^${server.url}/connect#token=rp_[0-9a-f]+$`));
    const box = await desk.getByTestId('connect-qr').boundingBox();
    expect(box!.width, 'a QR code a phone can scan from the screen').toBeGreaterThanOrEqual(256);
    expect(await readQr(desk)).toBe(link);
    await desk.getByRole('button', { name: '复制链接' }).click();
    await expect(made.getByRole('status')).toHaveText('链接已复制');
    expect(await desk.evaluate(() => navigator.clipboard.readText())).toBe(link);
    // Where the browser has no clipboard (plain HTTP), the link is selected to copy by hand.
    await desk.evaluate(() => Object.defineProperty(navigator, 'clipboard', { value: undefined }));
    await desk.getByRole('button', { name: '复制链接' }).click();
    await expect(made.getByRole('status')).toHaveText('无法自动复制，已选中链接，请手动复制。');
    const selected = await desk.getByTestId('connect-link').evaluate((el: HTMLInputElement) =>
      el.value.substring(el.selectionStart ?? 0, el.selectionEnd ?? 0),
    );
    expect(selected).toBe(link);
    expect(await overflow(desk)).toBeLessThanOrEqual(0);

    // The list has the new token, not yet synced.
    const zhang = cards.filter({ hasText: '张三' });
    await expect(zhang.getByTestId('token-village')).toHaveText('杨柳村');
    await expect(zhang.getByTestId('token-last-sync')).toHaveText('从未同步');
    await made.getByRole('button', { name: '完成，关闭二维码' }).click();
    await expect(desk.getByTestId('connect-qr')).toHaveCount(0);
    await expect(officer).toHaveValue('');

    // The phone opens the link (as its camera would) and is connected.
    await phone.goto(link);
    await expect(phone.getByTestId('connect-server')).toHaveText(server.url);
    await phone.getByRole('button', { name: '确认连接' }).click();
    await expect(phone.getByTestId('sync-connection')).toHaveText('在线');
    await expect(phone.getByTestId('sync-pending')).toHaveText('全部已同步');
    await expect(phone.getByText(/^上次同步：/)).toBeVisible({ timeout: 30_000 });

    // The desk sees its sync.
    await desk.getByRole('button', { name: '刷新' }).click();
    await expect(zhang.getByTestId('token-last-sync')).toHaveText(/^\d{4}年\d{1,2}月\d{1,2}日/);
    await expect(zhang.getByTestId('token-waiting')).toHaveText('0 条');

    // Revoke asks first; cancelling changes nothing.
    const revoke = zhang.getByRole('button', { name: '撤销 张三 的令牌' });
    await revoke.click();
    const dialog = desk.getByRole('alertdialog', { name: '撤销这个访问令牌？' });
    await expect(dialog).toContainText('张三 · 杨柳村');
    await dialog.getByRole('button', { name: '取消' }).click();
    await expect(dialog).toHaveCount(0);
    await expect(zhang).toHaveCount(1);
    await revoke.click();
    await dialog.getByRole('button', { name: '确认撤销' }).click();
    await expect(desk.getByRole('status').filter({ hasText: '已撤销 张三 的令牌' })).toBeVisible();
    await expect(zhang).toHaveCount(0);
    await expect(cards).toHaveCount(1);
    await expect(desk.getByText('已撤销的令牌（1）')).toBeVisible();

    // The phone's next sync is refused, with the app's message.
    await phone.getByRole('button', { name: '立即同步' }).click();
    await expect(phone.getByText('访问令牌无效或已停用')).toBeVisible({ timeout: 30_000 });
  } finally {
    await context.close();
    await server.stop();
  }
});

test("a village's phone is not offered the desk, and the desk refuses its token", async ({ page }) => {
  test.setTimeout(90_000);
  const server = await SyncServer.start();
  try {
    await connect(page, server, server.token('李四', '白沙村'));
    await page.getByRole('navigation').getByRole('link', { name: '设置' }).click();
    await expect(page.getByTestId('token-holder')).toHaveText('本机的访问令牌发给：李四（白沙村）');
    await expect(page.getByRole('link', { name: '设备与授权' })).toHaveCount(0);

    await page.goto(`${server.url}/devices`);
    await expect(page.getByTestId('devices-refused')).toHaveText(/只有乡镇办公室的访问令牌才能管理设备/);
    await expect(page.getByLabel('巡查员姓名', { exact: true })).toHaveCount(0);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
  } finally {
    await server.stop();
  }
});
