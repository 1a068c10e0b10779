import { test, expect, chromium, type BrowserContext, type Page } from '@playwright/test';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fillNew, save } from './helpers';
import { TARGET, acceptUpdate, cacheNames, controlled, nextBuild, ownPort, precacheOf } from './pwa-helpers';
import { connect } from './sync-server';

// Issue 28: a township installs one file. The release bundle's server, copied alone into an
// empty folder, serves the app it carries (no dist/ anywhere near it), installable, offline
// after one visit, and syncing; a second such file with a newer app is offered and installed
// as an update is from a folder. This project runs after the others (playwright.config.ts):
// building the second file takes a core for a minute or two.

const BUNDLE = join(TARGET, 'release-bundle');
const PORT = ownPort(3);
const folders: string[] = [];
let running: OneFile | undefined;

test.afterEach(async () => {
  await running?.stop();
  running = undefined;
  folders.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

/** An empty temporary folder, removed after the test. */
function emptyFolder(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `rp-${name}-`));
  folders.push(dir);
  return dir;
}

/** The bundle's one file. */
function bundled(): string {
  const name = readdirSync(BUNDLE).find((n) => /^river-patrol-server-.+-linux-x86_64$/.test(n));
  expect(name, `a server file in ${BUNDLE} (cargo xtask release)`).toBeTruthy();
  return join(BUNDLE, name!);
}

/** `binary` copied alone into an empty folder; its path there. */
function alone(binary: string, name: string): string {
  const dir = emptyFolder(name);
  const copy = join(dir, 'river-patrol-server');
  copyFileSync(binary, copy);
  chmodSync(copy, 0o755);
  return copy;
}

/** A one-file server started in its own folder, with no --dist: the app it carries. */
class OneFile {
  private constructor(
    private child: ChildProcess,
    readonly origin: string,
    readonly binary: string,
    readonly data: string,
  ) {}

  static async start(binary: string, data: string): Promise<OneFile> {
    const child = spawn(binary, ['--port', String(PORT), '--data', data], {
      cwd: dirname(binary),
      // Its request log would drown the test's own output.
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    const server = new OneFile(child, `http://127.0.0.1:${PORT}`, binary, data);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`the one-file server exited (${code})`))),
    );
    const up = (async () => {
      for (;;) {
        try {
          if ((await fetch(`${server.origin}/api/v1/health`)).ok) return;
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await Promise.race([up, exited]);
    return server;
  }

  /** The township office's first token, as INSTALL.txt says to make it. */
  officeToken(): string {
    const out = execFileSync(this.binary, ['token', 'create', '--office', '--officer', '乡镇办公室', '--data', this.data], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.toString().trim();
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const gone = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      await gone;
    }
  }
}

/** A browser with a real profile: Chrome calls no incognito context installable. */
async function phone(): Promise<{ context: BrowserContext; page: Page }> {
  const profile = emptyFolder('profile');
  const context = await chromium.launchPersistentContext(profile, {
    ...test.info().project.use.launchOptions,
    viewport: { width: 360, height: 640 },
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
  });
  return { context, page: context.pages()[0] ?? (await context.newPage()) };
}

test('the bundle is checked by its SHA256SUMS and its server names the commit it was built from', () => {
  execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: BUNDLE, stdio: 'ignore' });
  const version = execFileSync(bundled(), ['--version']).toString();
  const head = execFileSync('git', ['rev-parse', 'HEAD']).toString().trim();
  expect(version).toContain(`commit ${head}`);
  const notes = readdirSync(BUNDLE);
  expect(notes).toEqual(expect.arrayContaining(['INSTALL.txt', 'RELEASE-NOTES.txt', 'SHA256SUMS']));
  expect(execFileSync('cat', [join(BUNDLE, 'RELEASE-NOTES.txt')]).toString()).toMatch(/glibc 2\.\d+ or newer/);
});

test('the one file alone in an empty folder serves the app: installable, offline after one visit, and syncing', async () => {
  test.setTimeout(120_000);
  const binary = alone(bundled(), 'one-file');
  const folder = dirname(binary);
  // Nothing but the file: no dist/ beside it, nor in the folder above.
  expect(readdirSync(folder)).toEqual(['river-patrol-server']);
  expect(existsSync(join(folder, 'dist'))).toBe(false);
  expect(existsSync(join(resolve(folder, '..'), 'dist'))).toBe(false);
  running = await OneFile.start(binary, join(folder, 'data'));
  const { context, page } = await phone();
  try {
    await page.goto(`${running.origin}/`);
    await controlled(page);
    const cdp = await context.newCDPSession(page);
    expect((await cdp.send('Page.getAppManifest')).errors).toEqual([]);
    await expect
      .poll(async () => (await cdp.send('Page.getInstallabilityErrors')).installabilityErrors)
      .toEqual([]);

    // A sync: the office's phone records a problem, and the server holds it.
    const token = running.officeToken();
    await connect(page, { url: running.origin }, token);
    await fillNew(page, { kind: '排污口', fill: { 问题描述: '一个文件的服务器收到了', '村（社区）': '杨柳村' } });
    await save(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('一个文件的服务器收到了');
    await expect
      .poll(async () => {
        const res = await fetch(`${running!.origin}/api/v1/records?limit=100`, { headers: { authorization: `Bearer ${token}` } });
        const pulled = await res.json();
        return pulled.changes.map((c: any) => c.record.title);
      }, { timeout: 30_000 })
      .toContain('一个文件的服务器收到了');

    // Offline: the server gone, the network off, the app still opens with the record.
    await running.stop();
    await context.setOffline(true);
    await page.goto(`${running.origin}/`);
    await expect(page.getByText('一个文件的服务器收到了')).toBeVisible();
    await page.getByRole('navigation').getByRole('link', { name: '新建' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('发现了什么问题？');
  } finally {
    await context.close();
  }
});

test('a newer one file offers its app as an update, and accepting runs it', async ({ page }) => {
  // Building the second file (the server with another app in it) takes a minute or two.
  test.setTimeout(600_000);
  const a = alone(bundled(), 'file-a');
  const b = alone(buildWithApp(nextApp('B')), 'file-b');
  const data = emptyFolder('data');

  running = await OneFile.start(a, data);
  const versionA = (await precacheOf(running.origin)).version;
  await page.goto(`${running.origin}/`);
  await controlled(page);
  const marker = page.locator('meta[name="rp-test-build"]');
  await expect(marker).toHaveCount(0);

  // The township replaces the file and restarts the service; the data folder stays.
  await running.stop();
  running = await OneFile.start(b, data);
  const versionB = (await precacheOf(running.origin)).version;
  expect(versionB).not.toBe(versionA);
  await acceptUpdate(page, 'B');
  await expect.poll(() => cacheNames(page)).toEqual([`river-patrol-${versionB}`]);
});

/** dist/ with `marker` in its index.html and its own precache list: the next release's app. */
function nextApp(marker: string): string {
  const dir = nextBuild(marker);
  folders.push(dir);
  return dir;
}

/** The release server with the app in `app` built into it (server/build.rs reads
 * RIVER_PATROL_APP_DIR); a copy of it, as the next release build puts dist/'s app back. */
function buildWithApp(app: string): string {
  execFileSync('cargo', ['build', '--release', '-p', 'river-patrol-server'], {
    env: { ...process.env, RIVER_PATROL_APP_DIR: app },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const copy = join(emptyFolder('built'), 'river-patrol-server');
  copyFileSync(join(TARGET, 'release', 'river-patrol-server'), copy);
  return copy;
}
