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
  const [record] = await storedRecords(page);
  expect(record.position).toMatchObject({ ...here, accuracy_m: 12 });
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
  await expect(block.getByText('可以在下方手动填写纬度和经度；不填位置也可以保存记录。')).toBeVisible();
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
  await expect(gps(page).getByText('可以在下方手动填写纬度和经度；不填位置也可以保存记录。')).toBeVisible();

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
});
