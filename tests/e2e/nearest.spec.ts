import { test, expect } from '@playwright/test';
import { fillNew, save, showList } from './helpers';

test.use({ permissions: ['geolocation'], geolocation: { latitude: 31.251, longitude: 107.5415, accuracy: 10 } });

test('nearest first finds the record at the spot where the official stands', async ({ page }) => {
  await page.goto('/');
  const sites = [
    { title: '上游养殖场', lat: '31.300000', lon: '107.600000' },
    { title: '桥头排污口', lat: '31.251100', lon: '107.541600' },
    { title: '没有坐标的问题', lat: '', lon: '' },
  ];
  for (const site of sites) {
    await fillNew(page, {
      kind: '其他问题',
      fill: { 问题描述: site.title, '村（社区）': '杨柳村', 纬度: site.lat, 经度: site.lon },
    });
    await save(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(site.title);
  }
  await showList(page);
  const rows = page.getByRole('main').getByRole('list').getByRole('link');
  await expect(rows.first()).toContainText('没有坐标的问题');

  const order = page.getByRole('group', { name: '排序' });
  await order.getByRole('button', { name: '离我最近' }).click();
  await expect(order.getByRole('button', { name: '离我最近' })).toHaveAttribute('aria-pressed', 'true');
  await expect(rows.nth(0)).toContainText('桥头排污口');
  await expect(rows.nth(0)).toContainText(/约 \d+ 米/);
  await expect(rows.nth(1)).toContainText('上游养殖场');
  await expect(rows.nth(1)).toContainText(/约 [\d.]+ 公里/);
  await expect(rows.nth(2)).toContainText('没有坐标的问题');

  await order.getByRole('button', { name: '最新' }).click();
  await expect(rows.first()).toContainText('没有坐标的问题');
});

test.describe('without permission to locate', () => {
  test.use({ permissions: [] });
  test('the list says so and keeps the newest first', async ({ page }) => {
    await page.goto('/');
    await fillNew(page, { kind: '其他问题', fill: { 问题描述: '河道垃圾', '村（社区）': '杨柳村' } });
    await save(page);
    await showList(page);
    await page.getByRole('group', { name: '排序' }).getByRole('button', { name: '离我最近' }).click();
    await expect(page.getByText('暂时无法定位，仍按最新排序。')).toBeVisible();
    await expect(page.getByRole('main').getByRole('list').getByRole('link')).toContainText('河道垃圾');
  });
});
