import { test, expect, type Page } from '@playwright/test';
import { save, shown, storedRecords } from './helpers';

// The GPS block of the record form (src/pages/position.rs) with Chromium's geolocation
// emulation: the live fix and its accuracy, taking it, the poor-fix confirmation, and what
// happens without a position.

const here = { latitude: 31.251055, longitude: 107.541573 };

function gps(page: Page) {
  return page.getByRole('group', { name: 'GPS 定位' });
}

function coordinates(page: Page) {
  const form = page.getByRole('main');
  return {
    lat: form.getByLabel('纬度', { exact: true }),
    lon: form.getByLabel('经度', { exact: true }),
  };
}

test('a good fix shows its accuracy and age, and taking it fills the coordinates', async ({ context, page }) => {
  await context.grantPermissions(['geolocation']);
  await context.setGeolocation({ ...here, accuracy: 12 });
  await page.goto('/new/sewage_outfall');
  const block = gps(page);
  const { lat, lon } = coordinates(page);
  await expect(block.getByText('±12 米', { exact: true })).toBeVisible();
  await expect(block.getByText('精度较差')).toHaveCount(0);
  // The age moves on by itself.
  await expect(block.getByText(/^[2-9] 秒前$/)).toBeVisible({ timeout: 5_000 });
  await expect(lat).toHaveValue('');
  await expect(lon).toHaveValue('');

  await block.getByRole('button', { name: '使用当前位置' }).click();
  await expect(lat).toHaveValue('31.251055');
  await expect(lon).toHaveValue('107.541573');
  await expect(block.getByText('下方坐标取自定位（±12 米）')).toBeVisible();
  await expect(block.getByRole('button', { name: '重新定位' })).toBeVisible();
  await expect(block.locator('.position-live')).toHaveText('已填入当前位置');

  await page.getByLabel('村（社区）', { exact: true }).fill('杨柳村');
  await save(page);
  await expect(shown(page, '定位精度')).toHaveText('±12 米');
  await expect(shown(page, '定位方式')).toHaveText('GPS 定位');
  const [record] = await storedRecords(page);
  expect(record.position).toMatchObject({ ...here, accuracy_m: 12, source: 'gps' });
});

test('a poor fix is flagged and is taken only once confirmed', async ({ context, page }) => {
  await context.grantPermissions(['geolocation']);
  await context.setGeolocation({ ...here, accuracy: 12 });
  await page.goto('/new/sewage_outfall');
  const block = gps(page);
  const { lat, lon } = coordinates(page);
  await block.getByRole('button', { name: '使用当前位置' }).click();
  await expect(lat).toHaveValue('31.251055');

  await context.setGeolocation({ latitude: 31.2521, longitude: 107.5432, accuracy: 200 });
  await expect(block.getByText('±200 米', { exact: true })).toBeVisible();
  await expect(block.getByText('精度较差', { exact: true })).toBeVisible();
  await expect(block.locator('.position-live')).toHaveText('当前定位精度较差');

  // Retaking asks first; declining keeps what was there.
  await block.getByRole('button', { name: '重新定位' }).click();
  const question = block.getByRole('group', { name: '精度较差（±200 米），仍然使用？' });
  await expect(question).toBeVisible();
  await expect(question.getByRole('button', { name: '不使用' })).toBeFocused();
  await expect(lat).toHaveValue('31.251055');
  await question.getByRole('button', { name: '不使用' }).click();
  await expect(question).toBeHidden();
  await expect(lat).toHaveValue('31.251055');
  await expect(lon).toHaveValue('107.541573');

  // Confirming takes it.
  await block.getByRole('button', { name: '重新定位' }).click();
  await question.getByRole('button', { name: '仍然使用' }).click();
  await expect(question).toBeHidden();
  await expect(lat).toHaveValue('31.252100');
  await expect(lon).toHaveValue('107.543200');
  await expect(block.getByText('下方坐标取自定位（±200 米）')).toBeVisible();

  await page.getByLabel('村（社区）', { exact: true }).fill('杨柳村');
  await save(page);
  await expect(shown(page, '定位精度')).toHaveText('±200 米');
  const [record] = await storedRecords(page);
  expect(record.position).toMatchObject({ latitude: 31.2521, longitude: 107.5432, accuracy_m: 200 });
});

test('without permission the form says so and the record saves without a position', async ({ context, page }) => {
  await context.clearPermissions();
  await page.goto('/new/sewage_outfall');
  const block = gps(page);
  await expect(block.getByText(/本应用没有获得定位权限/)).toBeVisible();
  await expect(block.getByText('可以在地图上选点，或在下方手动填写纬度和经度；不填位置也可以保存记录。')).toBeVisible();
  await expect(block.getByRole('button', { name: '再试一次' })).toBeVisible();
  await expect(block.getByRole('button', { name: '使用当前位置' })).toHaveCount(0);

  await page.getByLabel('村（社区）', { exact: true }).fill('杨柳村');
  await save(page);
  await expect(page.getByRole('status')).toHaveText('已保存');
  await expect(shown(page, '定位精度')).toHaveCount(0);
  const [record] = await storedRecords(page);
  expect(record.position ?? null).toBeNull();
});

test('once the position is allowed, trying again finds it', async ({ context, page }) => {
  await context.clearPermissions();
  await page.goto('/new/sewage_outfall');
  const block = gps(page);
  await expect(block.getByText(/本应用没有获得定位权限/)).toBeVisible();
  await context.grantPermissions(['geolocation']);
  await context.setGeolocation({ ...here, accuracy: 12 });
  await block.getByRole('button', { name: '再试一次' }).click();
  await expect(block.getByText('±12 米', { exact: true })).toBeVisible();
  await expect(block.getByText(/本应用没有获得定位权限/)).toHaveCount(0);
  await block.getByRole('button', { name: '使用当前位置' }).click();
  await expect(coordinates(page).lat).toHaveValue('31.251055');
});

test('a timeout and a browser without geolocation both leave the position to the user', async ({ page }) => {
  // A watch that reports a timeout (code 3), as a phone with no sky view does.
  await page.addInitScript(() => {
    const geolocation = navigator.geolocation;
    geolocation.watchPosition = (_ok, fail) => {
      setTimeout(() => fail?.({ code: 3, message: 'Timeout expired' } as GeolocationPositionError), 50);
      return 1;
    };
    geolocation.clearWatch = () => {};
  });
  await page.goto('/new/sewage_outfall');
  await expect(gps(page).getByText('还没有得到定位，仍在继续尝试。到开阔处会快一些。')).toBeVisible();
  await expect(gps(page).getByText('可以在地图上选点，或在下方手动填写纬度和经度；不填位置也可以保存记录。')).toBeVisible();

  const bare = await page.context().newPage();
  await bare.addInitScript(() => {
    delete (Navigator.prototype as any).geolocation;
  });
  await bare.goto('/new/sewage_outfall');
  await expect(gps(bare).getByText('这个浏览器不支持定位。')).toBeVisible();
  await expect(gps(bare).getByRole('button', { name: '再试一次' })).toHaveCount(0);
  await coordinates(bare).lat.fill('31.25');
  await coordinates(bare).lon.fill('107.54');
  await bare.getByLabel('村（社区）', { exact: true }).fill('杨柳村');
  await save(bare);
  await expect(shown(bare, '纬度')).toHaveText('31.25');
  await expect(shown(bare, '定位精度')).toHaveCount(0);
  await expect(shown(bare, '定位方式')).toHaveText('手动输入');
  const [record] = await storedRecords(bare);
  expect(record.position).toMatchObject({ latitude: 31.25, longitude: 107.54, accuracy_m: null, source: 'typed' });
});

test('with the GPS denied, a point placed on the map is saved as the position, marked as placed by hand', async ({ context, page }) => {
  await context.clearPermissions();
  // An earlier problem of the village, so the map opens where the village is.
  await page.goto('/');
  await page.evaluate((here) => {
    const at = new Date(Date.UTC(2026, 5, 1)).toISOString();
    const id = crypto.randomUUID();
    const record = {
      id, schema: 1, revision: 1, details: { kind: 'other' }, title: '河道内有废弃渔网', village: '杨柳村',
      status: 'open', created_at: at, updated_at: at,
      position: { latitude: here.latitude, longitude: here.longitude, accuracy_m: 8, taken_at: at, source: 'gps' },
    };
    localStorage.setItem(`rp/v1/record/${id}`, JSON.stringify(record));
  }, here);
  await page.goto('/new/sewage_outfall');
  const block = gps(page);
  await expect(block.getByText(/本应用没有获得定位权限/)).toBeVisible();
  await block.getByRole('button', { name: '在地图上选点' }).click();

  const picker = page.getByRole('group', { name: '地图选点' });
  const map = picker.getByTestId('map-picker');
  const point = picker.locator('.map-picker-point');
  const pointAt = async () => {
    const text = (await point.textContent()) ?? '';
    const m = text.match(/(-?\d+\.\d{6}), (-?\d+\.\d{6})/);
    expect(m, text).not.toBeNull();
    return { lat: m![1], lon: m![2] };
  };
  // The map opens around the village's problem, the cross over it.
  await expect(point).toHaveText(/^十字处：31\.25\d{4}, 107\.54\d{4}$/);
  const first = await pointAt();

  // The arrow keys move the map under the cross (east here).
  await map.focus();
  await page.keyboard.press('ArrowRight');
  await expect.poll(async () => Number((await pointAt()).lon)).toBeGreaterThan(Number(first.lon));

  // A tap brings the tapped spot under the cross: north-east of where it was.
  const before = await pointAt();
  const box = (await map.boundingBox())!;
  await map.click({ position: { x: box.width / 2 + 60, y: box.height / 2 - 40 } });
  await expect.poll(async () => Number((await pointAt()).lat)).toBeGreaterThan(Number(before.lat));
  const chosen = await pointAt();
  expect(Number(chosen.lon)).toBeGreaterThan(Number(before.lon));

  await picker.getByRole('button', { name: '使用十字处的位置' }).click();
  await expect(picker).toHaveCount(0);
  const { lat, lon } = coordinates(page);
  await expect(lat).toHaveValue(chosen.lat);
  await expect(lon).toHaveValue(chosen.lon);
  await expect(block.getByText('下方坐标是在地图上手动选的点')).toBeVisible();
  await expect(block.locator('.position-live')).toHaveText('已填入地图上选的点');
  await expect(block.getByRole('button', { name: '在地图上选点' })).toBeFocused();

  await page.getByLabel('村（社区）', { exact: true }).fill('杨柳村');
  await save(page);
  await expect(shown(page, '纬度')).toHaveText(String(Number(chosen.lat)));
  await expect(shown(page, '定位方式')).toHaveText('地图选点');
  await expect(shown(page, '定位精度')).toHaveCount(0);
  const saved = (await storedRecords(page)).find((r) => r.title !== '河道内有废弃渔网');
  expect(saved.position).toMatchObject({
    latitude: Number(chosen.lat), longitude: Number(chosen.lon), accuracy_m: null, source: 'map',
  });
});

test('the map picker can be left without changing the coordinates', async ({ context, page }) => {
  await context.clearPermissions();
  await page.goto('/new/sewage_outfall');
  const { lat, lon } = coordinates(page);
  await lat.fill('31.25');
  await lon.fill('107.54');
  await gps(page).getByRole('button', { name: '在地图上选点' }).click();
  const picker = page.getByRole('group', { name: '地图选点' });
  // It opens at the coordinates already typed (to the map's pixel).
  await expect(picker.locator('.map-picker-point')).toHaveText(/^十字处：31\.250\d{3}, 107\.540\d{3}$/);
  await picker.getByRole('button', { name: '取消' }).click();
  await expect(picker).toHaveCount(0);
  await expect(gps(page).getByRole('button', { name: '在地图上选点' })).toBeFocused();
  await expect(lat).toHaveValue('31.25');
  await expect(lon).toHaveValue('107.54');
});
