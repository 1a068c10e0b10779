import { expect, type Page, type Locator } from '@playwright/test';
import { join } from 'node:path';

/** What one record's form gets: text inputs, selects (by option label) and ticked checkboxes. */
export interface Entry {
  kind: string;
  fill?: Record<string, string>;
  select?: Record<string, string>;
  check?: string[];
  /** Rows the detail screen must show afterwards (label → text), beyond `fill` and `select`. */
  shows?: Record<string, string | RegExp>;
}

/** Starts a new record of `kind` from the bottom navigation and fills it in. */
export async function fillNew(page: Page, entry: Entry) {
  await page.getByRole('navigation').getByRole('link', { name: /新建|New/ }).click();
  await page.getByRole('link', { name: entry.kind, exact: true }).click();
  await fillForm(page, entry);
}

export async function fillForm(page: Page, entry: Entry) {
  const form = page.getByRole('main');
  for (const [label, value] of Object.entries(entry.fill ?? {})) {
    await form.getByLabel(label, { exact: true }).fill(value);
  }
  for (const [label, option] of Object.entries(entry.select ?? {})) {
    await form.getByLabel(label, { exact: true }).selectOption({ label: option });
  }
  for (const label of entry.check ?? []) {
    await form.getByLabel(label, { exact: true }).check();
  }
}

export async function save(page: Page) {
  await page.getByRole('button', { name: /^(保存|Save)$/ }).click();
}

/** The value shown next to `label` on a record's detail screen. */
export function shown(page: Page, label: string): Locator {
  return page
    .getByRole('main')
    .getByText(label, { exact: true })
    .locator('xpath=following-sibling::dd[1]');
}

/** Checks every field of `entry` on the open detail screen. */
export async function expectShown(page: Page, entry: Entry) {
  const rows: Record<string, string | RegExp> = {
    ...(entry.fill ?? {}),
    ...(entry.select ?? {}),
    ...Object.fromEntries((entry.check ?? []).map((l) => [l, /^(是|Yes)$/])),
    ...(entry.shows ?? {}),
  };
  delete rows['问题描述'];
  delete rows['Problem'];
  for (const [label, value] of Object.entries(rows)) {
    await expect(shown(page, label), `row ${label}`).toHaveText(value);
  }
  const title = entry.fill?.['问题描述'] ?? entry.fill?.['Problem'];
  if (title) {
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  }
}

/** Goes to the records list through the bottom navigation. */
export async function showList(page: Page) {
  await page.getByRole('navigation').getByRole('link', { name: /记录|Records/ }).click();
}

/** Opens the record whose list row mentions `text`. */
export async function openFromList(page: Page, text: string) {
  await showList(page);
  await page.getByRole('link').filter({ hasText: text }).click();
}

/** Fills localStorage until the browser refuses, keeping what was there; returns filler keys. */
export async function fillStorage(page: Page): Promise<number> {
  return page.evaluate(() => {
    let chunk = 'x'.repeat(1 << 20);
    let n = 0;
    while (chunk.length > 0) {
      try {
        localStorage.setItem(`filler/${n}`, chunk);
        n += 1;
      } catch {
        chunk = chunk.slice(0, chunk.length >> 1);
      }
    }
    return n;
  });
}

export async function freeStorage(page: Page) {
  await page.evaluate(() => {
    for (const key of Object.keys(localStorage)) {
      if (key.startsWith('filler/')) localStorage.removeItem(key);
    }
  });
}

/** Every stored record entry, parsed. */
export async function storedRecords(page: Page): Promise<any[]> {
  // Sorted by key: localStorage's own key order can change when a record is written again.
  return page.evaluate(() =>
    Object.keys(localStorage)
      .filter((k) => k.startsWith('rp/v1/record/'))
      .sort()
      .map((k) => JSON.parse(localStorage.getItem(k)!)),
  );
}

/** A 4000×3000 camera-like JPEG (noise, so it cannot compress to nothing), made in the page. */
export async function twelveMegapixelJpeg(page: Page): Promise<Buffer> {
  const base64 = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(4000, 3000);
    const ctx = canvas.getContext('2d')!;
    const sky = ctx.createLinearGradient(0, 0, 0, 3000);
    sky.addColorStop(0, '#5d8fc7');
    sky.addColorStop(1, '#4d6b2f');
    ctx.fillStyle = sky;
    ctx.fillRect(0, 0, 4000, 3000);
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < 6000; i++) {
      ctx.fillStyle = `rgba(${rnd() * 255 | 0},${rnd() * 255 | 0},${rnd() * 255 | 0},0.5)`;
      ctx.beginPath();
      ctx.arc(rnd() * 4000, rnd() * 3000, 4 + rnd() * 60, 0, Math.PI * 2);
      ctx.fill();
    }
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(text);
  });
  return Buffer.from(base64, 'base64');
}

/** Local noon `days` from today. */
export function noon(days: number): Date {
  const d = new Date();
  d.setHours(12, 0, 0, 0);
  d.setDate(d.getDate() + days);
  return d;
}

/** The phone's local date `days` from today, as the date input takes it. */
export function day(days: number): string {
  const d = noon(days);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A small camera-like JPEG of one colour, made in the page. */
export async function colourJpeg(page: Page, colour: string): Promise<Buffer> {
  const base64 = await page.evaluate(async (colour) => {
    const canvas = new OffscreenCanvas(800, 600);
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = colour;
    ctx.fillRect(0, 0, 800, 600);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    return btoa(String.fromCharCode(...bytes));
  }, colour);
  return Buffer.from(base64, 'base64');
}

export async function addPhoto(page: Page, colour: string) {
  await page.getByLabel('从相册选').setInputFiles({ name: `${colour}.jpg`, mimeType: 'image/jpeg', buffer: await colourJpeg(page, colour) });
  await expect(page.getByRole('group', { name: /照片/ }).getByText('1 / 6 张')).toBeVisible({ timeout: 20_000 });
}

/** Every record and patrol as stored (key → text), and every photo's bytes (id → base64). */
export async function storedEverything(page: Page): Promise<{ entries: Record<string, string>; photos: Record<string, string> }> {
  return page.evaluate(async () => {
    const entries: Record<string, string> = {};
    for (const [k, v] of Object.entries(localStorage)) {
      if (k.startsWith('rp/v1/record/') || k.startsWith('rp/v1/patrol/')) entries[k] = v;
    }
    const photos: Record<string, string> = {};
    // Opening a database that is not there would make an empty one the app cannot use.
    if (!(await indexedDB.databases()).some((d) => d.name === 'river-patrol')) return { entries, photos };
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('river-patrol');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const all = await new Promise<{ key: string; value: any }[]>((resolve, reject) => {
      const out: { key: string; value: any }[] = [];
      const cursor = db.transaction('photos').objectStore('photos').openCursor();
      cursor.onsuccess = () => {
        const c = cursor.result;
        if (!c) return resolve(out);
        out.push({ key: String(c.key), value: c.value });
        c.continue();
      };
      cursor.onerror = () => reject(cursor.error);
    });
    db.close();
    for (const { key, value } of all) {
      const blob: Blob = value instanceof Blob ? value : value.blob;
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let text = '';
      for (const b of bytes) text += String.fromCharCode(b);
      photos[key] = btoa(text);
    }
    return { entries, photos };
  });
}

export function inventoryOf(all: { entries: Record<string, string>; photos: Record<string, string> }) {
  const values = Object.entries(all.entries);
  const records = values.filter(([k]) => k.startsWith('rp/v1/record/')).map(([, v]) => v);
  const visits = (text: string) => {
    try {
      return JSON.parse(text).visits?.length ?? 0;
    } catch {
      return 0; // unreadable: counted as a record, its visits unknown
    }
  };
  return {
    records: records.length,
    visits: records.reduce((n, r) => n + visits(r), 0),
    patrols: values.filter(([k]) => k.startsWith('rp/v1/patrol/')).length,
    photos: Object.keys(all.photos).length,
  };
}

/**
 * What the phone holds, counted: stored records (deleted ones included) and their visits,
 * patrols, photos, and entries set aside as unreadable. What each fault test checks before
 * and after: nothing lost, nothing doubled.
 */
export async function inventory(page: Page) {
  const all = await storedEverything(page);
  const setAside = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('rp/quarantine/')).length);
  return { ...inventoryOf(all), setAside };
}

/** A camera-like JPEG made in the page (noise, so it does not compress to nothing). */
export async function cameraJpeg(page: Page, seed: number): Promise<Buffer> {
  const base64 = await page.evaluate(async (seed) => {
    const canvas = new OffscreenCanvas(1200, 900);
    const ctx = canvas.getContext('2d')!;
    let s = seed;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < 3000; i++) {
      ctx.fillStyle = `rgb(${(rnd() * 255) | 0},${(rnd() * 255) | 0},${(rnd() * 255) | 0})`;
      ctx.fillRect(rnd() * 1200, rnd() * 900, 4 + rnd() * 40, 4 + rnd() * 40);
    }
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(text);
  }, seed);
  return Buffer.from(base64, 'base64');
}

/**
 * Starts noting every value the progress bar labelled `label` shows, as "value/max", however
 * briefly (a MutationObserver in the page: a bar of a fast local task may live for a few
 * frames only). Returns a function that reads what was seen so far.
 */
export async function watchProgress(page: Page, label: string): Promise<() => Promise<string[]>> {
  await page.evaluate((label) => {
    const seen: string[] = [];
    (window as any).__progress ??= {};
    (window as any).__progress[label] = seen;
    const note = () => {
      const bar = document.querySelector(`progress[aria-label="${label}"]`) as HTMLProgressElement | null;
      if (!bar) return;
      const now = `${bar.value}/${bar.max}`;
      if (seen.at(-1) !== now) seen.push(now);
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true });
  }, label);
  return () => page.evaluate((label) => (window as any).__progress[label] as string[], label);
}

/** Imports the 44-problem sample ledger (tests/fixtures/sample-ledger.csv) from /import, to the
 * end of its progress bar. */
export async function importSample(page: Page) {
  await page.goto('/import');
  await page.locator('#import-file').setInputFiles(join(__dirname, '..', 'fixtures', 'sample-ledger.csv'));
  await page.getByRole('button', { name: '导入 44 个新问题' }).click();
  await expect(page.getByTestId('import-done')).toContainText('已导入 44 个问题。');
}
