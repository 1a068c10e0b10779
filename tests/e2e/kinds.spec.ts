import { test, expect } from '@playwright/test';
import { type Entry, expectShown, fillNew, openFromList, save, showList } from './helpers';

// One record of each of the eight kinds, with that kind's own fields.
const kinds: Entry[] = [
  {
    kind: '排污口',
    fill: { 问题描述: '餐饮废水经暗管入河', 受纳水体: '清水河', '村（社区）': '新民村' },
    select: { 排放类型: '餐饮废水', 排放状态: '正在排放', 颜色: '浑浊', 气味: '轻微异味' },
  },
  {
    kind: '养殖场',
    fill: { 问题描述: '粪污直排', 养殖场名称: '兴旺养猪场', 业主: '王大山', '存栏数量（头/只）': '300', '村（社区）': '红岩村' },
    select: { 养殖品种: '家禽', 粪污处理设施: '没有' },
    check: ['位于禁养区内'],
  },
  {
    kind: '标志牌',
    fill: { 问题描述: '水源地标志牌损坏', '村（社区）': '杨柳村' },
    select: { 标志牌类型: '警示牌', 标志牌现状: '损坏' },
  },
  {
    kind: '石料加工厂',
    fill: { 问题描述: '石料厂仍在生产', 加工厂名称: '青石料场', '村（社区）': '石门村' },
    select: { 生产状态: '仍在生产' },
    check: ['废水排入河道'],
  },
  {
    kind: '弃土堆',
    fill: { 问题描述: '弃土未清运', 所在路段: 'S302 线 K12 段', '估计方量（立方米）': '350.5', '村（社区）': '柳林村' },
    check: ['紧邻河道或水体'],
  },
  {
    kind: '垃圾点',
    fill: { 问题描述: '场镇无环保垃圾箱', '村（社区）': '场镇社区' },
    select: { 垃圾箱: '没有垃圾箱' },
    check: ['有垃圾入河'],
  },
  {
    kind: '水质检测点',
    fill: { 问题描述: '水源水质未检测', 水源名称: '龙潭水库', '村（社区）': '龙潭村' },
    select: { 水源类型: '水库', 水质检测: '已采样待结果' },
  },
  {
    kind: '其他问题',
    fill: { 问题描述: '河道内有废弃渔网', '村（社区）': '杨柳村', 备注: '约二十米长' },
  },
];

test('every kind is created with its own fields, edited, kept across reloads and deleted', async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto('/');
  for (const entry of kinds) {
    await fillNew(page, entry);
    await save(page);
    await expectShown(page, entry);
  }
  await page.reload();
  await showList(page);
  await expect(page.getByRole('main').getByRole('list').getByRole('link')).toHaveCount(8);
  for (const entry of kinds) {
    const title = entry.fill!['问题描述'];
    await openFromList(page, title);
    await expectShown(page, entry);
    await page.getByRole('link', { name: '修改' }).click();
    await page.getByLabel('具体位置', { exact: true }).fill(`${title}旁`);
    await save(page);
    await expect(page.getByText(`${title}旁`, { exact: true })).toBeVisible();
  }
  await page.reload();
  for (const entry of kinds) {
    const title = entry.fill!['问题描述'];
    await openFromList(page, title);
    await expectShown(page, { ...entry, shows: { 具体位置: `${title}旁` } });
    await page.getByRole('button', { name: '删除' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: '确认删除' }).click();
    await expect(page.getByRole('link').filter({ hasText: title })).toHaveCount(0);
  }
  await page.reload();
  await showList(page);
  await expect(page.getByRole('heading', { name: '还没有记录' })).toBeVisible();
});
