// Sync against the real reference server (its own process, SQLite file and photo folder per
// test): records made offline arrive once online, photos byte-identical; an interrupted sync
// finishes by itself without duplicates; the township's changes come back, and a conflicting
// change is put to the user; a patrol walked offline reaches the server and a new phone.
import { test, expect, type Page } from '@playwright/test';
import { cameraJpeg, fillNew, inventory, save, showList, storedRecords, shown } from './helpers';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SyncServer, connect as connectTo } from './sync-server';
import { CuttingProxy } from './cutting-proxy';
import { controlled } from './pwa-helpers';

test.describe.configure({ mode: 'serial' });

/** Opens the office's connect link on the phone and confirms it; unless `install` is false (a
 * context without service workers), waits until the app is installed too. */
async function connect(page: Page, server: { url: string }, token: string, install = true) {
  await connectTo(page, server, token);
  await expect(page.getByTestId('sync-pending')).toHaveText('全部已同步');
  // Installed: the service worker holds every screen's code before the phone goes offline
  // (screens other than the list download on first use; src/on_demand.rs).
  if (install) await controlled(page);
}

/** Runs `body` with the phone connected, as 张三 of 杨柳村, to a fresh server of its own (also
 * holding an office token for every village), and stops the server after. */
async function onConnectedServer(
  page: Page,
  body: (s: { server: SyncServer; token: string; office: string }) => Promise<void>,
) {
  const server = await SyncServer.start();
  try {
    const token = server.token('张三', '杨柳村');
    const office = server.token('乡镇办', null);
    await connect(page, server, token);
    await body({ server, token, office });
  } finally {
    await server.stop();
  }
}

/** Makes a record with one photo; returns its title. */
async function recordWithPhoto(page: Page, title: string, seed: number) {
  const jpeg = await cameraJpeg(page, seed);
  await fillNew(page, { kind: '排污口', fill: { 问题描述: title, '村（社区）': '杨柳村' } });
  await page.getByLabel('从相册选').setInputFiles({ name: `IMG_${seed}.jpg`, mimeType: 'image/jpeg', buffer: jpeg });
  await expect(page.getByRole('group', { name: /照片/ }).getByText('1 / 6 张')).toBeVisible({ timeout: 20_000 });
  await save(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
}

/** The server holds exactly the phone's records, each once, with byte-identical photos. */
async function expectServerHasPhoneRecords(page: Page, server: SyncServer, token: string, count: number) {
  const local = (await storedRecords(page)).filter((r) => !r.deleted_at);
  const remote = await server.records(token);
  expect(local).toHaveLength(count);
  expect(remote).toHaveLength(count);
  for (const record of local) {
    const there = remote.filter((r) => r.record.id === record.id);
    expect(there, `record ${record.title} once on the server`).toHaveLength(1);
    expect(there[0].record).toEqual(record);
    for (const photo of record.photos) {
      expect(await server.photoSha256(token, photo.id), `photo of ${record.title}`).toBe(photo.sha256);
    }
  }
}

test('three records with photos made offline reach the server once online, and show as synced', async ({
  page,
  context,
}) => {
  test.setTimeout(120_000);
  await onConnectedServer(page, async ({ server, token }) => {

    await context.setOffline(true);
    for (const n of [1, 2, 3]) await recordWithPhoto(page, `离线记录 ${n}`, n);
    await showList(page);
    await expect(page.getByTestId('sync-connection')).toHaveText('离线');
    await expect(page.getByTestId('sync-pending')).toHaveText('3 条待同步');
    await expect(page.getByTestId('sync-badge').filter({ hasText: '待同步' })).toHaveCount(3);
    expect(await server.records(token)).toHaveLength(0);

    await context.setOffline(false);
    await expect(page.getByTestId('sync-pending')).toHaveText('全部已同步', { timeout: 30_000 });
    // A screen reader says so too: the line is a polite live region.
    await expect(page.getByTestId('sync-pending').locator('xpath=ancestor::*[@aria-live="polite"]')).toHaveCount(1);
    await expect(page.getByTestId('sync-badge').filter({ hasText: '已同步' })).toHaveCount(3);
    await expectServerHasPhoneRecords(page, server, token, 3);

    // The office's spreadsheet has them (UTF-8 with a byte-order mark, so Excel reads Chinese).
    const csv = await server.csv(token);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    for (const n of [1, 2, 3]) expect(csv).toContain(`离线记录 ${n}`);
  });
});

test('a sync cut off midway (server killed, an answer lost) completes by itself with nothing missing or doubled', async ({
  page,
  context,
}) => {
  test.setTimeout(120_000);
  await onConnectedServer(page, async ({ server, token }) => {
    await context.setOffline(true);
    for (const n of [4, 5, 6]) await recordWithPhoto(page, `中断记录 ${n}`, n);
    const before = await inventory(page);
    expect(before).toEqual({ records: 3, visits: 0, patrols: 0, photos: 3, setAside: 0 });

    // The second photo upload finds the server dead (kill -9); it comes back a moment later.
    let uploads = 0;
    await page.route('**/api/v1/photos/*', async (route) => {
      uploads += 1;
      if (uploads === 2) {
        await server.kill();
        setTimeout(() => void server.restart(), 1_000);
      }
      await route.continue();
    });
    // The first push reaches the server, which stores the batch, but its answer is lost.
    let pushes = 0;
    await page.route('**/api/v1/records', async (route) => {
      if (route.request().method() === 'POST' && ++pushes === 1) {
        await route.fetch();
        await route.abort('connectionreset');
        return;
      }
      await route.continue();
    });

    await context.setOffline(false);
    await showList(page);
    await expect(page.getByTestId('sync-pending')).toHaveText('全部已同步', { timeout: 60_000 });
    expect(uploads).toBeGreaterThan(3);
    expect(pushes).toBeGreaterThan(1);
    await expect(page.getByTestId('sync-badge').filter({ hasText: '已同步' })).toHaveCount(3);
    await expectServerHasPhoneRecords(page, server, token, 3);
    expect(await inventory(page)).toEqual(before);
  });
});

test('the network dropping in the middle of photo uploads: retried until each photo and record is on the server once', async ({
  page,
  context,
}) => {
  test.setTimeout(120_000);
  const server = await SyncServer.start();
  // The phone reaches the server through a network that drops the first two photo uploads
  // some 20 KB into the photo's bytes.
  const network = await CuttingProxy.start(server.port, 'PUT /api/v1/photos/', 2, 20_000);
  try {
    const token = server.token('张三', '杨柳村');
    await connect(page, network, token);
    await context.setOffline(true);
    for (const n of [9, 10]) await recordWithPhoto(page, `断网记录 ${n}`, n);
    const before = await storedRecords(page);
    const counted = await inventory(page);
    expect(counted).toEqual({ records: 2, visits: 0, patrols: 0, photos: 2, setAside: 0 });
    // Each photo is well over the 20 KB the cut lets through: the cut falls inside its bytes.
    for (const r of before) expect(r.photos[0].bytes).toBeGreaterThan(40_000);

    await context.setOffline(false);
    await showList(page);
    await expect(page.getByTestId('sync-pending')).toHaveText('全部已同步', { timeout: 60_000 });
    expect(network.cuts).toBe(2);
    // The phone holds what it held, and the server each record once with its photo intact.
    expect(await storedRecords(page)).toEqual(before);
    await expectServerHasPhoneRecords(page, server, token, 2);
    // Nothing torn was kept beside them: the photo folder holds the two photos, no more.
    const photos = before.flatMap((r) => r.photos.map((p: { id: string }) => `${p.id}.jpg`));
    expect(readdirSync(join(server.data, 'photos')).sort()).toEqual(photos.sort());
    expect(await inventory(page)).toEqual(counted);
  } finally {
    await network.stop();
    await server.stop();
  }
});

test('a server answering garbage is told to the user and retried; nothing is lost or doubled', async ({
  page,
  context,
}) => {
  test.setTimeout(120_000);
  // The page's own clock, so the backoff between retries (src/sync.rs) can be skipped below.
  await page.clock.install();
  await onConnectedServer(page, async ({ server, token }) => {
    await context.setOffline(true);
    for (const n of [7, 8]) await recordWithPhoto(page, `乱码记录 ${n}`, n);
    const before = await storedRecords(page);
    const counted = await inventory(page);
    expect(counted).toEqual({ records: 2, visits: 0, patrols: 0, photos: 2, setAside: 0 });

    // A broken proxy in front of the server: a web page instead of JSON, JSON of the wrong
    // shape, a truncated body, each once, on pushes, pulls and photo uploads alike.
    const garbage = [
      { status: 200, contentType: 'text/html', body: '<html><body>502 Bad Gateway</body></html>' },
      { status: 200, contentType: 'application/json', body: '{"results": 5}' },
      { status: 200, contentType: 'application/json', body: '{"changes": [{"server_rev": ' },
    ];
    const answered: Record<string, number> = {};
    for (const pattern of ['**/api/v1/records**', '**/api/v1/photos/*']) {
      await page.route(pattern, async (route) => {
        const n = (answered[pattern] = (answered[pattern] ?? 0) + 1);
        if (n <= garbage.length) await route.fulfill(garbage[n - 1]);
        else await route.continue();
      });
    }

    await context.setOffline(false);
    await showList(page);
    // Said, in the user's language, and the records stay waiting on the phone.
    await expect(page.locator('.sync-problem')).toContainText('服务器出错，稍后自动重试');
    expect(await storedRecords(page)).toEqual(before);
    // Then the retries get through by themselves. Each garbage answer is a failed sync, and
    // the waits between them grow (up to minutes): the clock skips the waits, the app's own
    // timers start each retry.
    await expect(async () => {
      await page.clock.fastForward('05:00');
      await expect(page.getByTestId('sync-pending')).toHaveText('全部已同步', { timeout: 3_000 });
    }).toPass({ timeout: 60_000 });
    await expect(page.locator('.sync-problem')).toHaveText('');
    // Every garbage answer was met, and more requests came after them.
    for (const pattern of Object.keys(answered)) expect(answered[pattern], pattern).toBeGreaterThan(garbage.length);
    expect(Object.keys(answered)).toHaveLength(2);
    await expectServerHasPhoneRecords(page, server, token, 2);
    expect(await inventory(page)).toEqual(counted);
  });
});

test("a proxy's page answering a photo upload is not taken for the server's word: the record stays waiting until the photo really arrives", async ({
  page,
  context,
}) => {
  test.setTimeout(120_000);
  await onConnectedServer(page, async ({ server, token }) => {
    await context.setOffline(true);
    await recordWithPhoto(page, '被代理吞掉的照片', 9);
    const [record] = await storedRecords(page);

    // A captive portal (or a broken proxy) in front of the server answers every photo upload
    // with its own page and status 200; the photo never reaches the server. One record push
    // in between is answered by it too, so a sync ends after the server has seen the record.
    let photoPuts = 0;
    let eating = true;
    await page.route('**/api/v1/photos/*', async (route) => {
      if (route.request().method() !== 'PUT' || !eating) return route.continue();
      photoPuts += 1;
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<html><body>请登录 Wi-Fi</body></html>' });
    });
    let pushes = 0;
    await page.route('**/api/v1/records', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      pushes += 1;
      if (pushes === 2) await route.fulfill({ status: 200, contentType: 'text/html', body: '<html></html>' });
      else await route.continue();
    });

    await context.setOffline(false);
    await showList(page);
    await expect(page.locator('.sync-problem')).toContainText('服务器出错，稍后自动重试');
    // The phone keeps trying to send the photo by itself, and keeps the record waiting.
    await expect.poll(() => photoPuts, { timeout: 45_000 }).toBeGreaterThanOrEqual(3);
    await expect(page.getByTestId('sync-pending')).toHaveText('1 条待同步');
    await expect(page.getByTestId('sync-badge')).toHaveText(/待同步/);
    expect(await server.photoSha256(token, record.photos[0].id)).toBeNull();

    // The portal goes away: the photo arrives, and only then is the record synced.
    eating = false;
    await page.getByRole('button', { name: '立即同步' }).click();
    await expect(page.getByTestId('sync-pending')).toHaveText('全部已同步', { timeout: 30_000 });
    await expectServerHasPhoneRecords(page, server, token, 1);
  });
});

test("the township's new deadline reaches the phone; a conflicting change is put to the user", async ({
  page,
  context,
}) => {
  test.setTimeout(120_000);
  await onConnectedServer(page, async ({ server, token, office }) => {
    await fillNew(page, { kind: '垃圾点', fill: { 问题描述: '桥下垃圾堆', '村（社区）': '杨柳村' } });
    await save(page);
    await showList(page);
    await expect(page.getByTestId('sync-pending')).toHaveText('全部已同步', { timeout: 30_000 });

    // The office sets a deadline.
    const [held] = await server.records(office);
    const withDeadline = { ...held.record, deadline: '2027-01-15', revision: held.record.revision + 1 };
    const [set] = await server.push(office, [{ base_rev: held.server_rev, record: withDeadline }]);
    expect(set.outcome).toBe('accepted');

    await page.getByRole('button', { name: '立即同步' }).click();
    await page.getByRole('link').filter({ hasText: '桥下垃圾堆' }).click();
    await expect(shown(page, '整改时限')).toHaveText('2027年1月15日');
    await expect(page.getByTestId('sync-badge')).toHaveText('已同步');

    // Offline, the phone changes the notes; meanwhile the office moves the deadline again.
    await context.setOffline(true);
    await page.getByRole('link', { name: '修改' }).click();
    await page.getByLabel('备注', { exact: true }).fill('已通知村里清运');
    await save(page);
    const [now] = await server.records(office);
    const moved = { ...now.record, deadline: '2027-02-01', revision: now.record.revision + 1 };
    expect((await server.push(office, [{ base_rev: now.server_rev, record: moved }]))[0].outcome).toBe('accepted');

    await context.setOffline(false);
    const conflict = page.getByTestId('conflict');
    await expect(conflict).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('sync-badge')).toHaveText('有冲突');
    // Both versions are shown; nothing was overwritten.
    await expect(conflict.getByRole('row', { name: /整改时限/ })).toContainText('2027年1月15日');
    await expect(conflict.getByRole('row', { name: /整改时限/ })).toContainText('2027年2月1日');
    await expect(conflict.getByRole('row', { name: /备注/ })).toContainText('已通知村里清运');
    expect((await storedRecords(page))[0].notes).toBe('已通知村里清运');
    expect((await server.records(office))[0].record.deadline).toBe('2027-02-01');

    // The user keeps the phone's version: it goes to the server.
    await conflict.getByRole('button', { name: '保留本机的' }).click();
    await expect(conflict).toBeHidden();
    await expect(page.getByTestId('sync-badge')).toHaveText('已同步', { timeout: 30_000 });
    const [after] = await server.records(office);
    expect(after.record.notes).toBe('已通知村里清运');
  });
});

test('a withdrawn token stops the sync and asks for a new one; a record the server refuses is kept with its reason', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const server = await SyncServer.start();
  try {
    const first = server.tokenWithId('张三', '杨柳村');
    await connect(page, server, first.token);
    server.revoke(first.id);

    await fillNew(page, { kind: '垃圾点', fill: { 问题描述: '令牌停用后记的', '村（社区）': '杨柳村' } });
    await save(page);
    await showList(page);
    await expect(page.getByText('访问令牌无效或已停用')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('sync-pending')).toHaveText('1 条待同步');
    expect(await storedRecords(page)).toHaveLength(1);

    // A new token from the office, typed in settings: the record goes.
    const second = server.token('张三', '杨柳村');
    await page.getByRole('link', { name: '填写访问令牌' }).click();
    await page.getByLabel('访问令牌', { exact: true }).fill(second);
    await page.getByRole('button', { name: '保存同步设置' }).click();
    await showList(page);
    await expect(page.getByTestId('sync-pending')).toHaveText('全部已同步', { timeout: 30_000 });

    // A record of another village: this token may not send it; it stays, with the reason.
    await fillNew(page, { kind: '垃圾点', fill: { 问题描述: '邻村的垃圾点', '村（社区）': '白沙村' } });
    await save(page);
    await expect(page.getByTestId('sync-badge')).toHaveText('未被接受', { timeout: 30_000 });
    await expect(page.getByTestId('rejected')).toContainText('这条记录属于别的村');
    await showList(page);
    await expect(page.getByText('1 条记录需要你处理')).toBeVisible();
    expect(await storedRecords(page)).toHaveLength(2);
    expect((await server.records(second)).map((r) => r.record.title)).toEqual(['令牌停用后记的']);
  } finally {
    await server.stop();
  }
});

test("a follow-up visit with its photo reaches the server and its ledger; the office's visit comes back into the history", async ({
  page,
}) => {
  test.setTimeout(120_000);
  await onConnectedServer(page, async ({ server, office }) => {
    await fillNew(page, { kind: '垃圾点', fill: { 问题描述: '桥头垃圾', '村（社区）': '杨柳村' } });
    await save(page);

    await page.getByRole('link', { name: '复查' }).click();
    await page.getByLabel('复查后状态', { exact: true }).selectOption({ label: '已整改' });
    const jpeg = await cameraJpeg(page, 41);
    await page.getByLabel('从相册选').setInputFiles({ name: 'IMG_41.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    await expect(page.getByRole('group', { name: /照片/ }).getByText('1 / 6 张')).toBeVisible({ timeout: 20_000 });
    await page.getByLabel('复查情况', { exact: true }).fill('已清运');
    await page.getByRole('button', { name: '保存复查' }).click();
    await expect(page.getByTestId('sync-badge')).toHaveText('已同步', { timeout: 30_000 });

    const [held] = await server.records(office);
    expect(held.record.status).toBe('fixed');
    expect(held.record.visits).toHaveLength(1);
    const visit = held.record.visits[0];
    expect([visit.from, visit.to, visit.notes, visit.author]).toEqual(['open', 'fixed', '已清运', held.record.author]);
    expect(await server.photoSha256(office, visit.photos[0].id)).toBe(visit.photos[0].sha256);
    const csv = (await server.csv(office)).split('\r\n');
    const header = csv[0].replace('\ufeff', '').split(',');
    const row = csv[1].split(',');
    expect(row[header.indexOf('整改状态')]).toBe('已整改');
    expect(row[header.indexOf('整改完成时间')]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    expect(row[header.indexOf('复查次数')]).toBe('1');
    expect(row[header.indexOf('照片数')]).toBe('1');
    // The server's receipt of the photo: when it came (China time, to the second) and the start
    // of its hash, as the pull carries it.
    expect(held.receipts?.map((r) => [r.id, r.sha256])).toEqual([[visit.photos[0].id, visit.photos[0].sha256]]);
    expect(row[header.indexOf('照片送达')]).toMatch(new RegExp(`^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} ${visit.photos[0].sha256.slice(0, 12)}$`));

    // The office checks it on site and closes it (销号): a second visit, made elsewhere.
    const closing = {
      id: '0f0e0d0c-0b0a-4909-8807-060504030201',
      at: new Date().toISOString(),
      author: '乡镇办',
      from: 'fixed',
      to: 'closed',
      notes: '验收合格',
      photos: [],
    };
    const closed = { ...held.record, status: 'closed', visits: [...held.record.visits, closing], revision: held.record.revision + 1 };
    expect((await server.push(office, [{ base_rev: held.server_rev, record: closed }]))[0].outcome).toBe('accepted');

    await showList(page);
    await page.getByRole('button', { name: '立即同步' }).click();
    await page.getByRole('link').filter({ hasText: '桥头垃圾' }).click();
    await expect(page.locator('.detail-head .status')).toHaveText('已销号');
    const items = page.getByTestId('history-item');
    await expect(items).toHaveCount(3);
    await expect(items.nth(2)).toContainText('复查 · 已整改 → 已销号');
    await expect(items.nth(2)).toContainText('乡镇办');
    await expect(items.nth(1).getByRole('button', { name: '查看第 1 张照片（共 1 张）' })).toBeVisible();
    // The phone keeps the township's receipt for the photo it sent: in the visit's history,
    // and in the phone's own CSV, as the office's has it.
    await expect(items.nth(1).getByTestId('photo-receipt')).toHaveText(
      new RegExp(`^第 1 张照片已送达乡镇：.+ · 指纹 ${visit.photos[0].sha256.slice(0, 12)}$`),
    );
    await expect(items.nth(0).getByTestId('photo-receipt')).toHaveCount(0);
    await showList(page);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: '导出整改台账（CSV）' }).click(),
    ]);
    const phoneCsv = readFileSync(await download.path(), 'utf8').split('\r\n');
    const phoneRow = phoneCsv[1].split(',');
    expect(phoneRow[header.indexOf('照片送达')]).toBe(row[header.indexOf('照片送达')]);
  });
});

test("a patrol walked offline reaches the server with its track, and the officer's new phone gets it back", async ({
  browser,
  page,
  context,
}) => {
  test.setTimeout(120_000);
  await context.grantPermissions(['geolocation']);
  const at = (i: number) => ({ latitude: 31.25 + 0.0005 * i, longitude: 107.54, accuracy: 8 });
  await context.setGeolocation(at(0));
  await onConnectedServer(page, async ({ server, token, office }) => {
    await context.setOffline(true);
    await page.getByRole('navigation').getByRole('link', { name: '巡河' }).click();
    await page.getByLabel('河流', { exact: true }).fill('清水河');
    await page.getByLabel('河段', { exact: true }).fill('杨柳村段');
    await page.getByRole('button', { name: '开始巡河' }).click();
    const stored = () =>
      page.evaluate(() =>
        Object.keys(localStorage)
          .filter((k) => k.startsWith('rp/v1/patrol/'))
          .map((k) => JSON.parse(localStorage.getItem(k)!)),
      );
    for (let i = 1; i <= 3; i++) {
      await context.setGeolocation(at(i));
      await expect.poll(async () => (await stored())[0]?.track?.length).toBe(i + 1);
    }
    const bar = page.getByTestId('patrol-bar');
    await bar.getByRole('button', { name: '结束巡河' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: '结束巡河' }).click();
    await expect(shown(page, '上报乡镇')).toHaveText('待同步');
    expect(await server.patrols(token)).toHaveLength(0);

    // Back online: the summary says it has reached the township, which holds it whole.
    await context.setOffline(false);
    await expect(shown(page, '上报乡镇')).toHaveText('已同步', { timeout: 30_000 });
    const [mine] = await stored();
    const [held] = await server.patrols(office);
    expect(held).toEqual({ ...mine, village: '杨柳村' });
    expect(held.track).toHaveLength(4);
    expect(held.ended_at).toBeTruthy();

    // The same officer on a new phone: connecting brings the patrol back, with its track.
    const other = await browser.newContext({ locale: 'zh-CN', serviceWorkers: 'block' });
    try {
      const phone = await other.newPage();
      await connect(phone, server, token, false);
      await phone.getByRole('navigation').getByRole('link', { name: '巡河' }).click();
      const row = phone.getByTestId('patrol-list').getByRole('link');
      await expect(row).toHaveCount(1, { timeout: 30_000 });
      await expect(row).toContainText('清水河 · 杨柳村段');
      await expect(row).toContainText('167 米');
      await expect(row).toContainText('已同步');
    } finally {
      await other.close();
    }
  });
});

/** Chooses `file` on the import screen of the phone connected to `server` (the app as that
 * server serves it: another origin would be another phone); answers the preview's counts line. */
async function importOnPhone(page: Page, server: { url: string }, file: string): Promise<string> {
  await page.goto(`${server.url}/import`);
  await page.locator('#import-file').setInputFiles(join(__dirname, '..', 'fixtures', file));
  await expect(page.getByTestId('import-preview')).toBeVisible();
  return (await page.getByTestId('import-counts').textContent()) ?? '';
}

test('the sample ledger imported twice on the phone and twice at the office is stored once on both', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const server = await SyncServer.start();
  try {
    // The township office's phone: its first sync tells it how the server makes import ids.
    const office = server.token('乡镇办', null);
    await connect(page, server, office);

    expect(await importOnPhone(page, server, 'sample-ledger.csv')).toBe('新问题 44 个，本机已有 0 个，有错误的行 0 个。');
    await page.getByRole('button', { name: '导入 44 个新问题' }).click();
    await expect(page.getByTestId('import-done')).toContainText('已导入 44 个问题。');
    await showList(page);
    await expect(page.getByTestId('sync-pending')).toHaveText('全部已同步', { timeout: 30_000 });
    expect(await server.records(office)).toHaveLength(44);

    // The office imports the same file (and its GB18030 copy) on the server: nothing new.
    const sample = readFileSync(join(__dirname, '..', 'fixtures', 'sample-ledger.csv'));
    const gb18030 = readFileSync(join(__dirname, '..', 'fixtures', 'sample-ledger-gb18030.csv'));
    expect(await server.importLedger(office, sample)).toEqual({ imported: 0, already: 44, rejected: [] });
    expect(await server.importLedger(office, gb18030)).toEqual({ imported: 0, already: 44, rejected: [] });

    // The phone again: every row is there already.
    expect(await importOnPhone(page, server, 'sample-ledger.csv')).toBe('新问题 0 个，本机已有 44 个，有错误的行 0 个。');
    await expect(page.getByRole('button', { name: '导入 0 个新问题' })).toBeDisabled();

    // Each problem once on the phone and once on the server, with the same ids.
    const local = await storedRecords(page);
    const remote = await server.records(office);
    expect(local).toHaveLength(44);
    expect(remote).toHaveLength(44);
    expect(remote.map((r) => r.record.id).sort()).toEqual(local.map((r) => r.id).sort());
  } finally {
    await server.stop();
  }
});

test('a phone with no token says it is not connected to the township, never that everything is synced', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('sync-connection')).toHaveText('未连接乡镇');
  await expect(page.getByTestId('sync-pending')).toHaveText('本机 0 条记录');
  await fillNew(page, { kind: '标志牌', fill: { 问题描述: '标志牌缺失', '村（社区）': '杨柳村' } });
  await save(page);
  await showList(page);
  await expect(page.getByTestId('sync-connection')).toHaveText('未连接乡镇');
  await expect(page.getByTestId('sync-pending')).toHaveText('1 条只在本机');
  await expect(page.getByText('还没有设置同步，记录照常保存在本机。')).toBeVisible();
  await expect(page.getByText('全部已同步')).toHaveCount(0);
});

test('connecting fills in the officer and village the token was issued to, never over what the user typed', async ({
  browser,
  page,
}) => {
  const server = await SyncServer.start();
  try {
    // A new phone: the link's token is 张三's of 红星村, and the settings were empty.
    await connect(page, server, server.token('张三', '红星村'), false);
    await page.getByRole('navigation').getByRole('link', { name: '设置' }).click();
    await expect(page.getByLabel('巡查人姓名')).toHaveValue('张三');
    await expect(page.getByLabel('所在村（社区）')).toHaveValue('红星村');
    await fillNew(page, { kind: '标志牌', fill: { 问题描述: '标志牌缺失' } });
    await expect(page.getByRole('main').getByLabel('村（社区）', { exact: true })).toHaveValue('红星村');
    // The new record carries both.
    await save(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('标志牌缺失');
    await expect(shown(page, '记录人')).toHaveText('张三');
    await expect(shown(page, '村（社区）')).toHaveText('红星村');

    // A phone whose officer typed a name first keeps it; only the empty village is filled in.
    const other = await browser.newContext({ locale: 'zh-CN', serviceWorkers: 'block' });
    try {
      const phone = await other.newPage();
      await phone.goto(`${server.url}/settings`);
      await phone.getByLabel('巡查人姓名').fill('王五');
      await phone.getByRole('button', { name: '保存设置' }).click();
      await connect(phone, server, server.token('王小五', '红星村'), false);
      await phone.getByRole('navigation').getByRole('link', { name: '设置' }).click();
      await expect(phone.getByLabel('所在村（社区）')).toHaveValue('红星村');
      await expect(phone.getByLabel('巡查人姓名')).toHaveValue('王五');
    } finally {
      await other.close();
    }
  } finally {
    await server.stop();
  }
});
