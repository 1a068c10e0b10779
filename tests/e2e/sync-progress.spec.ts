// Issue 27, acceptance 5: a sync with many photos on a thin link shows a progress bar in the
// sync status (photos and records sent, of all) that moves while they go and ends full. With
// every sync request the phone tells the server how many records still wait
// (X-Patrol-Unsent), and the office's list of tokens shows it.
import { test, expect } from '@playwright/test';
import { cameraJpeg, fillNew, save, showList } from './helpers';
import { SyncServer, connect } from './sync-server';
import { controlled } from './pwa-helpers';

test('a sync of 20 photos shows a progress bar that moves and reaches the end', async ({ page, context }) => {
  test.setTimeout(300_000);
  const server = await SyncServer.start();
  try {
    const token = server.token('张三', '杨柳村');
    const office = server.token('乡镇办', null);
    await connect(page, server, token);
    await expect(page.getByTestId('sync-pending')).toHaveText('全部已同步');
    await controlled(page);

    // 20 photos taken offline, on four problems (six is the most a record holds).
    await context.setOffline(true);
    let seed = 0;
    for (const [n, count] of [6, 6, 6, 2].entries()) {
      await fillNew(page, { kind: '排污口', fill: { 问题描述: `排口 ${n + 1}`, '村（社区）': '杨柳村' } });
      const files = [];
      for (let i = 0; i < count; i++) {
        seed += 1;
        files.push({ name: `IMG_${seed}.jpg`, mimeType: 'image/jpeg', buffer: await cameraJpeg(page, seed) });
      }
      await page.getByLabel('从相册选').setInputFiles(files);
      await expect(page.getByRole('group', { name: /照片/ }).getByText(`${count} / 6 张`)).toBeVisible({ timeout: 60_000 });
      await save(page);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(`排口 ${n + 1}`);
    }
    await showList(page);
    await expect(page.getByTestId('sync-pending')).toHaveText('4 条待同步');
    await expect(page.getByRole('progressbar')).toHaveCount(0);

    // A thin link: each photo takes a moment to go.
    await page.route('**/api/v1/photos/*', async (route) => {
      if (route.request().method() === 'PUT') await new Promise((r) => setTimeout(r, 400));
      await route.continue();
    });
    // Every value the bar shows, as the page shows it.
    const seen: number[] = [];
    const bar = page.getByRole('progressbar', { name: '发送进度' });
    await context.setOffline(false);
    await expect(bar).toBeVisible({ timeout: 30_000 });
    await expect(bar).toHaveAttribute('max', '24');
    await expect
      .poll(
        async () => {
          const value = Number((await bar.getAttribute('value')) ?? 0);
          if (seen.at(-1) !== value) seen.push(value);
          return value;
        },
        { timeout: 120_000, intervals: [100] },
      )
      .toBe(24);
    // It moved: the photos went one by one, never backwards.
    expect(seen.filter((v) => v > 0 && v < 24).length, `values seen: ${seen}`).toBeGreaterThanOrEqual(5);
    expect([...seen].sort((a, b) => a - b), `values seen: ${seen}`).toEqual(seen);
    await expect(page.getByTestId('sync-send')).toContainText('已发送：照片 20 张，记录 4 条');
    await expect(page.getByTestId('sync-pending')).toHaveText('全部已同步', { timeout: 30_000 });

    // Every photo arrived; the office sees nothing waiting on 张三's phone, synced just now.
    const records = await server.records(token);
    expect(records).toHaveLength(4);
    for (const { record } of records) {
      for (const photo of record.photos) expect(await server.photoSha256(token, photo.id)).toBe(photo.sha256);
    }
    const res = await fetch(`${server.url}/api/v1/tokens`, { headers: { authorization: `Bearer ${office}` } });
    expect(res.status).toBe(200);
    const { tokens } = await res.json();
    const phone = tokens.find((t: { officer: string }) => t.officer === '张三');
    expect(phone.unsent).toBe(0);
    expect(phone.last_sync_at).toBeTruthy();
  } finally {
    await server.stop();
  }
});
