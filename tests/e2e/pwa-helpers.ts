import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';

/** Where cargo put the release server and the xtask (CARGO_TARGET_DIR, like cargo). */
export const TARGET = process.env.CARGO_TARGET_DIR ?? 'target';
const BASE_PORT = Number(process.env.RP_E2E_PORT ?? 8091);
const SERVER = `${TARGET}/release/river-patrol-server`;
let takesData: boolean | undefined;

/** Does this server build have a `--data` folder option (the sync API's database)? */
function serverTakesData(): boolean {
  takesData ??= execFileSync(SERVER, ['--help']).toString().includes('--data');
  return takesData;
}

/**
 * A port of its own for a spec that starts its own server (so it can stop it, or switch
 * builds): RP_E2E_PORT + 100 + n, clear of the shared test server and of other checkouts.
 */
export function ownPort(n: number): number {
  return BASE_PORT + 100 + n;
}

/** The release server on 127.0.0.1:`port` serving `dist`, started and stopped by a test. */
export class AppServer {
  private constructor(
    private child: ChildProcess,
    readonly origin: string,
    private data: string | undefined,
  ) {}

  static async start(dist: string, port: number): Promise<AppServer> {
    const args = ['--port', String(port), '--dist', dist];
    // A server with the sync API keeps a data folder (database, photos): a fresh one each time.
    const data = serverTakesData() ? mkdtempSync(join(tmpdir(), 'rp-data-')) : undefined;
    if (data) args.push('--data', data);
    const child = spawn(SERVER, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    const server = new AppServer(child, `http://127.0.0.1:${port}`, data);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`river-patrol-server exited (${code})`))),
    );
    const up = (async () => {
      for (;;) {
        try {
          if ((await fetch(`${server.origin}/sw.js`)).ok) return;
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await Promise.race([up, exited]);
    return server;
  }

  /** Stops the server and waits until it is gone: nothing answers on its port any more. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const gone = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      await gone;
    }
    if (this.data) rmSync(this.data, { recursive: true, force: true });
  }
}

/** A copy of dist/ in a temporary folder (removed by `removeCopy`), without the server's
 * pre-compressed copies (`x.br`, `x.gz`): a test changes or removes files in it, and a stale
 * copy would be sent instead. */
export function copyDist(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `rp-${name}-`));
  cpSync('dist', dir, { recursive: true, filter: (src) => !/\.(br|gz)$/.test(src) });
  return dir;
}

export function removeCopy(dir: string) {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Marks every file of `dir` as changed a few seconds from now. The server's Last-Modified has
 * whole seconds, so a build copied in the same second as the one before would be answered
 * "304 Not Modified" to the browser's revalidation, and the browser would keep the old files.
 */
/** Marks the build in `dir` as another one: a `<meta name="rp-test-build">` in its index.html
 * (minified: no `<head>` tag, so before `</head>`). The precache list is the caller's. */
export function markBuild(dir: string, marker: string) {
  const index = join(dir, 'index.html');
  const html = readFileSync(index, 'utf8');
  const marked = html.replace('</head>', `<meta name="rp-test-build" content="${marker}"></head>`);
  expect(marked, 'index.html has its </head>').not.toBe(html);
  writeFileSync(index, marked);
}

export function markNewer(dir: string) {
  const later = Date.now() / 1000 + 5;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) utimesSync(join(entry.parentPath, entry.name), later, later);
  }
}

/** Rewrites `dir`/sw.js's precache list for the files now in `dir` (the build's own step). */
export function regeneratePrecache(dir: string) {
  // No pre-compressed copies: the server compresses this throwaway build on the fly.
  execFileSync(`${TARGET}/debug/xtask`, ['precache', dir, '--no-copies'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** The precache list the server's sw.js carries. */
export async function precacheOf(origin: string): Promise<{ version: string; files: { url: string; sha256?: string }[] }> {
  const sw = await (await fetch(`${origin}/sw.js`)).text();
  const line = sw.split('\n').find((l) => l.startsWith('self.PRECACHE = '));
  expect(line, 'sw.js has its precache line').toBeTruthy();
  return JSON.parse(line!.slice('self.PRECACHE = '.length).replace(/;$/, ''));
}

/** Waits until the service worker has installed this build and controls the page. */
export async function controlled(page: Page) {
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
}

/** The names of the app's caches in the page's origin. */
export async function cacheNames(page: Page): Promise<string[]> {
  return page.evaluate(() => caches.keys());
}

/** dist/ as the next release would be: `marker` in its index.html, its own precache list and
 * newer dates. A temporary folder: `removeCopy` it after. */
export function nextBuild(marker: string): string {
  const dir = copyDist(marker);
  markBuild(dir, marker);
  regeneratePrecache(dir);
  markNewer(dir);
  return dir;
}

/** The phone comes back in range while a new version is served: the app finds it and offers
 * it, and accepting runs the build marked `marker`. */
export async function acceptUpdate(page: Page, marker: string) {
  await page.context().setOffline(true);
  await page.waitForTimeout(500);
  await page.context().setOffline(false);
  const banner = page.locator('.update-banner');
  await expect(banner).toHaveText(/新版本可用/, { timeout: 60_000 });
  await banner.getByRole('button', { name: '重新加载' }).click();
  await expect(page.locator('meta[name="rp-test-build"]')).toHaveAttribute('content', marker, { timeout: 20_000 });
}
