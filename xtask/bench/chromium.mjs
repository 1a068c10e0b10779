// Debian's headless Chromium as the benchmarks launch it: the same flags as the browser tests
// (playwright.config.ts); without the background-networking ones Chromium keeps trying hosts
// this machine cannot reach.
import { chromium } from '@playwright/test';

export function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
