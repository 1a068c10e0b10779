// The map (地图, 一张图): every problem with a place is a marker over the township's own tiles,
// found and worked like a button (its name is the problem's description and status), opening a
// card that leads to the problem. The list's search and filters narrow the map too; many
// problems in one place are one numbered marker; and the map opens with no signal once the app
// is installed.
import { test, expect } from '@playwright/test';
import { rmSync } from 'node:fs';
import { day } from './helpers';
import { HERE, Problem, markersOf, openMap, seed, tileFolder } from './map-helpers';
import { controlled } from './pwa-helpers';
import { SyncServer, connect } from './sync-server';

const THREE: Problem[] = [
  { title: '生活污水直排', at: [30.5930, 114.3050], deadline: day(-3) },
  { title: '粪污未处理', status: 'rectifying', at: [30.5960, 114.3110] },
  { title: '标志牌缺失', status: 'fixed', at: [30.5900, 114.2990] },
  { title: '桥下垃圾' },
];

test('each placed problem is a marker over the township tiles; worked, it opens the problem; offline too', async ({ page, context }) => {
  const tiles = tileFolder();
  const server = await SyncServer.start(['--tiles', tiles]);
  try {
    await connect(page, server, server.token('张三', '杨柳村'));
    const ids = await seed(page, THREE);
    const tileServed = page.waitForResponse((r) => r.url().startsWith(`${server.url}/api/v1/tiles/`) && r.status() === 200);
    await openMap(page);

    // One button per placed problem, named by what a user reads: description, status, overdue.
    const map = markersOf(page);
    await expect(map.getByRole('button', { name: '生活污水直排 · 待整改 · 逾期 3 天' })).toBeVisible();
    await expect(map.getByRole('button', { name: /^粪污未处理 · 整改中/ })).toBeVisible();
    await expect(map.getByRole('button', { name: /^标志牌缺失 · 已整改/ })).toBeVisible();
    await expect(map.getByRole('button', { name: /桥下垃圾/ })).toHaveCount(0);
    await expect(page.getByText('地图上 3 个问题。 另有 1 个没有位置，只在列表中。')).toBeVisible();
    // The basemap is the township's own tiles, from its sync server.
    await tileServed;
    await expect(page.getByTestId('river-map').locator('img.leaflet-tile-loaded').first()).toBeVisible();
    await expect(page.getByText('乡镇还没有设置底图')).toHaveCount(0);
    // Leaflet's zoom buttons, named in the app's language, drawn at their size for a finger
    // (its stylesheet is bundled cut to the parts the map uses: xtask/map-part.mjs).
    const zoomIn = page.getByTestId('river-map').getByRole('button', { name: '放大' });
    await expect(zoomIn).toBeVisible();
    await expect(page.getByTestId('river-map').getByRole('button', { name: '缩小' })).toBeVisible();
    expect((await zoomIn.boundingBox())!.height).toBeGreaterThanOrEqual(30);

    // Worked by keyboard or tap, a marker shows its card; the card opens the problem.
    await map.getByRole('button', { name: /^粪污未处理/ }).focus();
    await page.keyboard.press('Enter');
    const card = page.getByTestId('map-card');
    await expect(card).toContainText('粪污未处理');
    await expect(card).toContainText('整改中');
    await map.getByRole('button', { name: /^生活污水直排/ }).click();
    await expect(card).toContainText('生活污水直排');
    await expect(card).toContainText('逾期 3 天');
    await card.click();
    await expect(page).toHaveURL(new RegExp(`/records/${ids[0]}$`));
    await expect(page.getByText('生活污水直排').first()).toBeVisible();

    // No signal: the installed app still draws the map and its markers (tiles not stored are
    // blank).
    await controlled(page);
    await context.setOffline(true);
    await page.reload();
    await openMap(page);
    await expect(map.getByRole('button', { name: /^标志牌缺失/ })).toBeVisible();
    await expect(page.getByText('地图还没有下载到手机上')).toHaveCount(0);
    await context.setOffline(false);
  } finally {
    await server.stop();
    rmSync(tiles, { recursive: true, force: true });
  }
});

test('the list search and filters narrow the map, and stay set on the list', async ({ page }) => {
  await page.goto('/');
  await seed(page, THREE);
  await openMap(page);
  const map = markersOf(page);
  const markers = map.getByRole('button');
  await expect(markers).toHaveCount(3);
  // Without a basemap from the township the map is a grid with a scale, and says so.
  await expect(page.getByText('乡镇还没有设置底图：地图上显示方格和比例尺，问题点照常显示。')).toBeVisible();

  await page.getByText('筛选', { exact: true }).click();
  await page.getByRole('combobox', { name: '整改状态' }).selectOption({ label: '已整改' });
  await expect(markers).toHaveCount(1);
  await expect(markers).toHaveAccessibleName(/^标志牌缺失/);
  await expect(page.getByText('地图上 1 个问题。')).toBeVisible();
  await page.getByRole('combobox', { name: '整改状态' }).selectOption({ label: '全部' });
  await page.getByLabel('搜索').fill('粪污');
  await expect(markers).toHaveCount(1);
  await expect(markers).toHaveAccessibleName(/^粪污未处理/);

  // The same search is on the list.
  await page.getByRole('link', { name: '记录' }).click();
  await expect(page.getByLabel('搜索')).toHaveValue('粪污');
  await expect(page.locator('.record-row .row-title')).toHaveText(['粪污未处理']);
});

test('many problems at one spot are one numbered marker: worked, it zooms in, then lists them', async ({ page }) => {
  await page.goto('/');
  // Forty problems recorded at one outfall (the same fix each time), and one far off.
  const crowd: Problem[] = Array.from({ length: 40 }, (_, i) => ({
    title: `河道垃圾 ${i + 1}`,
    at: [HERE.lat, HERE.lon],
  }));
  crowd.push({ title: '远处的排污口', at: [HERE.lat + 0.02, HERE.lon + 0.02] });
  await seed(page, crowd);
  await openMap(page);
  const map = markersOf(page);
  await expect(map.getByRole('button', { name: '远处的排污口 · 待整改' })).toBeVisible();
  const cluster = map.getByRole('button', { name: '40 个问题，点开查看' });
  await expect(cluster).toBeVisible();
  await expect(map.getByRole('button', { name: /^河道垃圾/ })).toHaveCount(0);

  // Worked, it zooms in to the spot (the far problem leaves the view)…
  await cluster.click();
  await expect(map.getByRole('button', { name: /远处的排污口/ })).toHaveCount(0);
  // …where they still stand together: worked again, it lists them, each opening its problem.
  await cluster.click();
  const list = page.getByTestId('map-cards');
  await expect(list.getByRole('heading')).toHaveText('这里有 40 个问题');
  await expect(list.getByTestId('map-card')).toHaveCount(40);
  await list.getByTestId('map-card').filter({ hasText: '河道垃圾 17' }).click();
  await expect(page).toHaveURL(/\/records\/[0-9a-f-]{36}$/);
  await expect(page.getByText('河道垃圾 17').first()).toBeVisible();
});
