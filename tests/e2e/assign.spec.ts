// Dispatching an existing problem (交办, issue 27: "or assigns an existing one"), with two
// browser contexts on a real server: a village's phone records a problem and syncs; the desk
// (the office's token) pulls it, dispatches it from its page with a responsible person and a
// deadline, offline first (saved on the desk, sent with its next sync); the phone pulls it
// marked 新交办, with that person and deadline. A village's phone is never offered 交办.
import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { day, fillNew, save, shown, showList } from './helpers';
import { deskContext } from './desk-helpers';
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

/** `2026-12-31` as the record's page shows it: 2026年12月31日. */
function chineseDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

test('the desk dispatches a problem a village recorded; the village phone gets it marked new, with the person and deadline', async ({
  page: phone,
  browser,
}) => {
  test.setTimeout(240_000);
  const server = await SyncServer.start();
  const office = server.token('王主任', null);
  const village = server.token('张三', '杨柳村');
  const context = await deskContext(browser);
  try {
    // The village records a problem and syncs it; its phone offers no 交办.
    await connect(phone, server, village);
    await fillNew(phone, { kind: '排污口', fill: { 问题描述: '桥头排口污水直排', '村（社区）': '杨柳村' } });
    await save(phone);
    await expect(phone.getByRole('heading', { level: 1 })).toHaveText('桥头排口污水直排');
    await expect(phone.getByRole('button', { name: '交办给村' })).toHaveCount(0);
    await syncNow(phone);
    await expect(row(phone, '桥头排口污水直排').getByTestId('dispatched')).toHaveCount(0);

    // The desk pulls it: not the township's yet, so 交办 is offered, prefilled from the record.
    const desk = await context.newPage();
    await connect(desk, server, office);
    await syncNow(desk);
    await row(desk, '桥头排口污水直排').click();
    await expect(desk.locator('.detail-head .badge.dispatched')).toHaveCount(0);
    await desk.getByRole('button', { name: '交办给村' }).click();
    const form = desk.getByRole('form', { name: '交办这个问题' });
    await expect(form).toContainText('杨柳村的手机下次同步时收到这个问题');
    await expect(form.getByLabel('责任人', { exact: true })).toHaveValue('');
    // Opened, the form has the focus (on a phone it is below the history), and passes axe-core.
    await expect(form.getByLabel('责任领导', { exact: true })).toBeFocused();
    const { violations } = await new AxeBuilder({ page: desk })
      .include('.dispatch-form')
      .options({ rules: { 'color-contrast-enhanced': { enabled: true } } })
      .analyze();
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);

    // A wrong phone number is told at its field and nothing is dispatched.
    await form.getByLabel('责任人', { exact: true }).fill('严文斌');
    await form.getByLabel('联系电话', { exact: true }).fill('12');
    await form.getByRole('button', { name: '确认交办' }).click();
    await expect(form.getByLabel('联系电话', { exact: true })).toBeFocused();
    await expect(form.locator('.field-error').filter({ hasText: /\S/ })).toHaveCount(1);
    await expect(desk.locator('.detail-head .badge.dispatched')).toHaveCount(0);

    const deadline = day(20);
    await form.getByLabel('联系电话', { exact: true }).fill('13800001234');
    await form.getByLabel('整改时限', { exact: true }).fill(deadline);
    await form.getByRole('button', { name: '确认交办' }).click();

    // Dispatched on the desk at once, offline first: the badge, who and when, the person.
    await expect(desk.locator('.detail-head .badge.dispatched')).toHaveText('乡镇交办');
    await expect(form).toHaveCount(0);
    await expect(desk.getByRole('button', { name: '交办给村' })).toHaveCount(0);
    await expect(shown(desk, '交办')).toContainText('王主任');
    await expect(shown(desk, '责任人')).toHaveText('严文斌');
    await expect(shown(desk, '整改时限')).toHaveText(chineseDate(deadline));
    await syncNow(desk);

    // The phone pulls it: new from the township until opened, with the person and deadline.
    await syncNow(phone);
    const badge = row(phone, '桥头排口污水直排').getByTestId('dispatched');
    await expect(badge).toHaveText('新交办');
    await row(phone, '桥头排口污水直排').click();
    await expect(phone.locator('.detail-head .badge.dispatched')).toHaveText('乡镇交办');
    await expect(shown(phone, '交办')).toContainText('王主任');
    await expect(shown(phone, '责任人')).toHaveText('严文斌');
    await expect(shown(phone, '联系电话')).toHaveText('13800001234');
    await expect(shown(phone, '整改时限')).toHaveText(chineseDate(deadline));
    await showList(phone);
    await expect(badge).toHaveText('乡镇交办');

    // The server holds it dispatched by the office's token holder.
    const held = await server.records(office);
    expect(held).toHaveLength(1);
    expect(held[0].record.dispatched?.by).toBe('王主任');
    expect(held[0].record.responsibility.person).toBe('严文斌');
    expect(held[0].record.deadline).toBe(deadline);
  } finally {
    await context.close();
    await server.stop();
  }
});
