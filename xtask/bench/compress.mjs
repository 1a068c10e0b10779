// Photo compression benchmark, run by `cargo xtask bench` (xtask/bench/src/compress.rs).
//
//   node xtask/bench/compress.mjs <dist-dir> <width> <height> <runs>
//
// Serves <dist-dir> (a `trunk build --release --features bench` of the app) on a free
// loopback port, opens it in Debian's headless Chromium and calls the app's own
// `bench_compress` (src/bench.rs): a synthetic camera JPEG of width×height is put through the
// app's photo pipeline `runs` times as it was before the watermark (`median_ms`, `runs_ms`)
// and `runs` times as "add photo" runs it now, with the EXIF read from the original and the
// watermark stamped (`watermark_median_ms`, `watermark_runs_ms`). Prints one line of JSON on
// stdout.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { launchChromium } from './chromium.mjs';

const [dist, width, height, runs] = process.argv.slice(2);
if (!dist || !width || !height || !runs) {
  console.error('usage: node xtask/bench/compress.mjs <dist-dir> <width> <height> <runs>');
  process.exit(2);
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
};

const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
  // Client routes (no extension) get index.html, as the reference server does.
  const file = extname(path) ? path : '/index.html';
  try {
    const body = await readFile(join(dist, file));
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const url = `http://127.0.0.1:${server.address().port}/`;

const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForFunction(() => typeof window.wasmBindings?.bench_compress === 'function', null, {
    timeout: 60_000,
  });
  const result = await page.evaluate(
    ([w, h, n]) => window.wasmBindings.bench_compress(w, h, n),
    [Number(width), Number(height), Number(runs)],
  );
  result.browser = `Chromium ${browser.version()} (headless)`;
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  server.close();
}
