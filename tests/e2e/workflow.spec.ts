// Editing a problem moves its status only as the rectification workflow allows.
import { test, expect } from '@playwright/test';
import { fillNew, save } from './helpers';

test('an edit offers only the statuses the workflow allows from the current one', async ({ page }) => {
  await page.goto('/');
  await fillNew(page, { kind: '其他问题', fill: { 问题描述: '河岸塌方', '村（社区）': '杨柳村' } });
  await save(page);
  const status = page.getByLabel('整改状态', { exact: true });

  await page.getByRole('link', { name: '修改' }).click();
  // Not yet reported fixed: it cannot be checked off.
  await expect(status.locator('option')).toHaveText(['待整改', '整改中', '已整改']);
  await status.selectOption({ label: '已整改' });
  await save(page);

  await page.getByRole('link', { name: '修改' }).click();
  // Fixed: it can be checked off, or reopened; not sent back to "being fixed".
  await expect(status.locator('option')).toHaveText(['待整改', '已整改', '已销号']);
});
