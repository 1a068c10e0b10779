// What the map's specs share: a township's tile folder for the reference server's `--tiles`,
// problems put on the phone as earlier patrols left them, and opening the map.
import { expect, Page } from '@playwright/test';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A 1×1 grey PNG: the tile the map draws (stretched to 256 px).
export const TILE = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg==',
  'base64',
);

// 杨柳村, on the Han river.
export const HERE = { lat: 30.593, lon: 114.305 };

/** The slippy-map tile holding (lat, lon) at zoom z. */
export function tileOf(lat: number, lon: number, z: number): [number, number] {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const rad = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n);
  return [x, y];
}

/**
 * A township's tile folder (z/x/y.png) covering the village at every zoom the map uses, each
 * tile `tile` (a tiny grey one unless told).
 */
export function tileFolder(tile: Buffer = TILE): string {
  const dir = mkdtempSync(join(tmpdir(), 'rp-tiles-'));
  for (let z = 3; z <= 19; z++) {
    const [cx, cy] = tileOf(HERE.lat, HERE.lon, z);
    for (let x = cx - 3; x <= cx + 3; x++) {
      mkdirSync(join(dir, String(z), String(x)), { recursive: true });
      for (let y = cy - 3; y <= cy + 3; y++) writeFileSync(join(dir, String(z), String(x), `${y}.png`), tile);
    }
  }
  return dir;
}

export interface Problem {
  title: string;
  status?: string;
  at?: [number, number];
  deadline?: string;
}

/** Puts `problems` on the phone as records of 杨柳村 (as after earlier patrols), then reloads. */
export async function seed(page: Page, problems: Problem[]): Promise<string[]> {
  const ids = await page.evaluate((problems) => {
    return problems.map((p, i) => {
      const at = new Date(Date.UTC(2026, 5, 1) + i * 60_000).toISOString();
      const id = crypto.randomUUID();
      const record: any = {
        id, schema: 1, revision: 1, details: { kind: 'other' }, title: p.title, village: '杨柳村',
        status: p.status ?? 'open', created_at: at, updated_at: at,
      };
      if (p.deadline) record.deadline = p.deadline;
      if (p.at) record.position = { latitude: p.at[0], longitude: p.at[1], accuracy_m: 8, taken_at: at };
      localStorage.setItem(`rp/v1/record/${id}`, JSON.stringify(record));
      return id;
    });
  }, problems);
  await page.reload();
  return ids;
}

/** The map's markers (Leaflet's zoom buttons are buttons too). */
export function markersOf(page: Page) {
  return page.getByTestId('river-map').locator('.leaflet-marker-pane');
}

export async function openMap(page: Page) {
  await page.getByRole('link', { name: '地图' }).click();
  await expect(page.getByRole('heading', { level: 1, name: '地图', exact: true })).toBeVisible();
}

/** Unfolds the offline map area under the map (its code downloads then) and returns it. */
export async function openOfflineArea(page: Page) {
  await page.getByRole('button', { name: '离线地图：选范围下载…' }).click();
  return page.getByTestId('map-area');
}
