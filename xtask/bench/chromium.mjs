// Debian's headless Chromium as the benchmarks launch it: the same flags as the browser tests
// (tests/chromium-flags.json says why each).
import { readFileSync } from 'node:fs';
import { chromium } from '@playwright/test';

const CHROMIUM = JSON.parse(readFileSync(new URL('../../tests/chromium-flags.json', import.meta.url), 'utf8'));

export function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM.args,
  });
}
