// A walk north along a straight line, for the patrol tests: Chromium's geolocation emulation
// moves the phone in steps of 0.0005° of latitude (≈ 55.6 m each), and each step waits until
// the patrol's stored track has kept the fix.
import { expect, type BrowserContext, type Page } from '@playwright/test';

export const start = { latitude: 31.25, longitude: 107.54 };
export const STEP = 0.0005;

export function point(i: number) {
  return { latitude: start.latitude + STEP * i, longitude: start.longitude, accuracy: 8 };
}

/** The patrols as stored on the phone. */
export async function storedPatrols(page: Page): Promise<any[]> {
  return page.evaluate(() =>
    Object.keys(localStorage)
      .filter((k) => k.startsWith('rp/v1/patrol/'))
      .map((k) => JSON.parse(localStorage.getItem(k)!)),
  );
}

/** Moves to point `i` and waits until the patrol's stored track has `i + 1` fixes. */
export async function walkTo(context: BrowserContext, page: Page, i: number) {
  await context.setGeolocation(point(i));
  await expect
    .poll(async () => (await storedPatrols(page))[0]?.track?.length, { message: `fix ${i} kept` })
    .toBe(i + 1);
}
