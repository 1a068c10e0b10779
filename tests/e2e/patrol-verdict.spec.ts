// Issue 25, valid patrols (有效巡河) and patrol statistics (巡河统计): a patrol is judged by
// the township's rule, 15 minutes and 1 km unless the township's server sets another, and the
// phone says valid or not, and why. Statistics count patrols per month, village and official,
// on screen and as a CSV. The rule's arithmetic (speeds, jumps, midnight) is tested natively
// in crates/core/tests/patrol_rule.rs; here, what the officer sees.
import { test, expect, type BrowserContext, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { SyncServer, connect } from './sync-server';
import { point, walkTo } from './walk';
import { controlled } from './pwa-helpers';

/** Starts a patrol on 清水河 at the start of the walk, walks `steps` steps, and ends it. */
async function shortPatrol(context: BrowserContext, page: Page, steps: number) {
  await context.setGeolocation(point(0));
  await page.getByRole('navigation').getByRole('link', { name: '巡河' }).click();
  await page.getByLabel('河流', { exact: true }).fill('清水河');
  await page.getByLabel('河段', { exact: true }).fill('杨柳村段');
  await page.getByRole('button', { name: '开始巡河' }).click();
  await expect(page.getByTestId('patrol-bar')).toContainText('巡河中');
  await expect.poll(async () => page.evaluate(() => Object.keys(localStorage).some((k) => k.startsWith('rp/v1/patrol/')))).toBe(true);
  for (let i = 0; i <= steps; i++) await walkTo(context, page, i);
  await page.getByTestId('patrol-bar').getByRole('button', { name: '结束巡河' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: '结束巡河' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('清水河 · 杨柳村段');
}

test('a short patrol is not valid by the usual rule, and says why; statistics count it', async ({ page, context }) => {
  test.setTimeout(60_000);
  await context.grantPermissions(['geolocation']);
  await page.goto('/settings');
  await page.getByLabel('巡查人姓名').fill('张三');
  await page.getByLabel('所在村（社区）').fill('杨柳村');
  await page.getByRole('button', { name: '保存设置' }).click();

  await shortPatrol(context, page, 2);
  await expect(page.getByTestId('patrol-verdict')).toContainText('未达有效巡河');
  const findings = page.getByTestId('patrol-findings').getByRole('listitem');
  await expect(findings).toHaveCount(2);
  await expect(findings.nth(0)).toHaveText('时长 0 分钟，不足 15 分钟');
  await expect(findings.nth(1)).toHaveText(/^计入里程 11\d 米，不足 1\.00 公里$/);
  await expect(page.getByTestId('patrol-rule')).toHaveText('有效巡河须至少 15 分钟、1.00 公里（乡镇规定）');

  await page.getByRole('link', { name: '返回巡河记录' }).click();
  await expect(page.getByTestId('patrol-list')).toContainText('未达有效巡河');

  await page.getByRole('navigation').getByRole('link', { name: '统计' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('统计');
  await expect(page.getByRole('heading', { level: 2, name: '巡河统计' })).toBeVisible();
  const month = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date());
  const rows = page.getByTestId('patrol-stats').getByRole('listitem');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(`${month} · 杨柳村 · 张三`);
  await expect(rows.first()).toContainText('巡河 1 次，有效 0 次');
  await expect(page.getByTestId('patrol-totals')).toContainText('巡河 1 次，有效 0 次');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: '导出巡河统计（CSV）' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^巡河统计-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
  expect(csv[0]).toBe('月份,村,河长/巡河人,巡河次数,有效巡河,公里,小时,发现问题,跟进次数');
  expect(csv[1]).toMatch(new RegExp(`^${month},杨柳村,张三,1,0,0\\.1,0\\.0,0,0$`));
});

test("the township's server sets the rule: the same short patrol is valid by it", async ({ page, context }) => {
  test.setTimeout(60_000);
  const server = await SyncServer.start(['--patrol-min-minutes', '0', '--patrol-min-metres', '50']);
  try {
    await context.grantPermissions(['geolocation']);
    await connect(page, server, server.token('张三', '杨柳村'));
    await shortPatrol(context, page, 2);
    await expect(page.getByTestId('patrol-rule')).toHaveText('有效巡河须至少 0 分钟、50 米（乡镇规定）');
    await expect(page.getByTestId('patrol-verdict')).toHaveText('有效巡河');
    await expect(page.getByTestId('patrol-findings').getByRole('listitem')).toHaveCount(0);
    // Kept on the phone: offline after a reload, the township's rule still applies.
    await controlled(page);
    await context.setOffline(true);
    await page.reload();
    await expect(page.getByTestId('patrol-verdict')).toHaveText('有效巡河');
  } finally {
    await context.setOffline(false);
    await server.stop();
  }
});
