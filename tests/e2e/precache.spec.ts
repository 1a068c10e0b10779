import { test, expect } from '@playwright/test';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { precacheOf } from './pwa-helpers';

// Issue 5, acceptance 4: the precache list the build wrote into sw.js is exactly the build.

/** The files of the build, without the server's pre-compressed copies (`x.br`, `x.gz`). */
function builtFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && !/\.(br|gz)$/.test(e.name))
    .map((e) => '/' + relative('dist', join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

test('every file of the build is listed with its hash, and every listed file is served as built', async ({ baseURL }) => {
  const list = await precacheOf(baseURL!);
  const built = builtFiles('dist');
  expect(built).toContain('/sw.js');
  // Every built file but the worker itself is listed, and nothing else.
  expect(list.files.map((f) => f.url).sort()).toEqual(built.filter((f) => f !== '/sw.js'));
  for (const file of list.files) {
    const bytes = readFileSync(join('dist', file.url));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (file.sha256 === undefined) {
      // Listed by URL alone: the name carries the first 12 hex digits of the content's hash.
      const named = /-([0-9a-f]{12})\.[a-z]+$/.exec(file.url);
      expect(named, file.url).not.toBeNull();
      expect(sha256.startsWith(named![1]), file.url).toBe(true);
    } else {
      // Listed with the first 32 hex digits (128 bits) of its hash, which the worker checks.
      expect(file.sha256, file.url).toMatch(/^[0-9a-f]{32}$/);
      expect(sha256.startsWith(file.sha256), file.url).toBe(true);
    }
    // What the server hands out is what the worker will check.
    const served = Buffer.from(await (await fetch(`${baseURL}${file.url}`)).arrayBuffer());
    expect(createHash('sha256').update(served).digest('hex'), `${file.url} served`).toBe(sha256);
  }
  // The parts are listed by name (about 150 of them would make sw.js 5 KB larger).
  expect(list.files.filter((f) => f.sha256 === undefined).length).toBeGreaterThan(20);
  // The server's brotli and gzip copies hold exactly the built bytes.
  const copies = readdirSync('dist', { recursive: true }).map(String).filter((f) => /\.(br|gz)$/.test(f));
  expect(copies.some((f) => f.endsWith('_bg.wasm.br'))).toBe(true);
  for (const copy of copies) {
    const packed = readFileSync(join('dist', copy));
    const bytes = copy.endsWith('.br') ? brotliDecompressSync(packed) : gunzipSync(packed);
    expect(bytes.equals(readFileSync(join('dist', copy.replace(/\.(br|gz)$/, '')))), copy).toBe(true);
  }
  expect(list.version).toMatch(/^[0-9a-f]{16}$/);
  // Hashed names stay hashed: the app's wasm, JS and CSS carry Trunk's content hash.
  for (const ext of ['_bg.wasm', '.js', '.css']) {
    expect(list.files.some((f) => new RegExp(`-[0-9a-f]{10,16}${ext.replace('.', '\\.')}$`).test(f.url)), ext).toBe(true);
  }
});
