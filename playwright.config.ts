import { defineConfig } from '@playwright/test';
// The flags every launch of Debian's Chromium in this project takes, and why.
import CHROMIUM from './tests/chromium-flags.json';

// Browser tests against the release build (dist/) served by the release reference server.
// Run them with `cargo xtask test --e2e-only`, which builds both first; or, once built,
// `npx playwright test` (add `-g "title"` for one test).
// Another checkout on the same machine can pick another port: RP_E2E_PORT=8092.
const PORT = Number(process.env.RP_E2E_PORT ?? 8091);
// The server binary is where cargo built it (CARGO_TARGET_DIR, like cargo, else target/).
const TARGET = process.env.CARGO_TARGET_DIR ?? 'target';

/** Recording a problem, following it up to closed, and a patrol. */
const MAIN_FLOWS = /\/(records|workflow|patrols)\.spec\.ts$/;
/** The release bundle's one file (`cargo xtask release`, issue 28). */
const ONE_FILE = /\/one-file\.spec\.ts$/;

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: false,
  workers: 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  timeout: 30_000,
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    locale: 'zh-CN',
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's Chromium (`cargo xtask test` installs it); Playwright downloads no browser.
      executablePath: '/usr/bin/chromium',
      args: CHROMIUM.args,
    },
  },
  projects: [
    {
      name: 'phone',
      testIgnore: ONE_FILE,
      use: {
        browserName: 'chromium',
        viewport: { width: 360, height: 640 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
      },
    },
    // The main flows again on the smallest phone in use and on the office's desktop (issue 7).
    {
      name: 'small-phone',
      testMatch: MAIN_FLOWS,
      use: {
        browserName: 'chromium',
        viewport: { width: 320, height: 568 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
      },
    },
    {
      name: 'desktop',
      testMatch: MAIN_FLOWS,
      use: { browserName: 'chromium', viewport: { width: 1280, height: 800 } },
    },
    // The one-file server (issue 28) last, alone: it builds a second server, which takes a core.
    {
      name: 'one-file',
      testMatch: ONE_FILE,
      dependencies: ['phone', 'small-phone', 'desktop'],
      fullyParallel: false,
      use: { browserName: 'chromium', viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true },
    },
  ],
  webServer: {
    // Its own data folder (SQLite + photos), apart from `cargo xtask run`'s data/.
    command: `${TARGET}/release/river-patrol-server --port ${PORT} --dist dist --data ${TARGET}/e2e-data-${PORT}`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 30_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
