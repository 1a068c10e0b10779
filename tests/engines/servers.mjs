// The servers the engine smoke suite talks to, started and stopped by the suite itself: the
// release reference server (serving dist/ and the sync API, with a data folder of its own), and
// a TCP proxy in front of it that the test can cut. WebDriver (classic and BiDi) has no network
// emulation, so "offline" here is what a phone out of coverage gets: connections to the app's
// origin are refused. Each flow gets a proxy on a port of its own, so each starts on a fresh
// origin (empty storage, no service worker yet) in a browser that stays open.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TARGET = process.env.CARGO_TARGET_DIR ?? 'target';
/** The release server `cargo build --release -p river-patrol-server` made (RP_SERVER_BIN: another). */
export const SERVER_BIN = process.env.RP_SERVER_BIN ?? `${TARGET}/release/river-patrol-server`;

/**
 * The suite's ports: RP_ENGINES_PORT (default 8300) for the app server, +1 for the sync
 * server, +2 for WebKitWebDriver, +10 and up for the flows' proxies. Clear of Playwright's
 * (8091, 8191 and up for its own servers, 8200-8279 for its sync servers).
 */
export const BASE_PORT = Number(process.env.RP_ENGINES_PORT ?? 8300);

/** The release server on 127.0.0.1:`port`, serving dist/ with an empty data folder. */
export class Server {
  /** @param {number} port */
  constructor(port) {
    this.port = port;
    this.data = mkdtempSync(join(tmpdir(), 'rp-engines-'));
    this.child = null;
    this.log = '';
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** @param {number} port */
  static async start(port) {
    const server = new Server(port);
    const child = spawn(
      SERVER_BIN,
      ['serve', '--host', '127.0.0.1', '--port', String(port), '--dist', 'dist', '--data', server.data],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    server.child = child;
    child.stderr.on('data', (d) => (server.log = (server.log + d).slice(-4000)));
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null) throw new Error(`${SERVER_BIN} exited (${child.exitCode}): ${server.log}`);
      try {
        if ((await fetch(`${server.url}/api/v1/health`)).ok) return server;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${SERVER_BIN} did not answer on port ${port}: ${server.log}`);
  }

  /** A device token from the server's admin command, as the township office makes one. */
  token(officer, village) {
    const run = spawnSync(SERVER_BIN, ['token', 'create', '--data', this.data, '--officer', officer, '--village', village], {
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`token create failed: ${run.stderr}`);
    // The token is the only thing on stdout.
    const token = run.stdout.trim().split('\n').pop()?.trim();
    if (!token) throw new Error(`no token in: ${run.stdout} ${run.stderr}`);
    return token;
  }

  /** Every record the server holds for `token`, through the sync API's pull. */
  async records(token) {
    const seen = new Map();
    let since;
    for (;;) {
      const query = since === undefined ? '' : `&since=${encodeURIComponent(since)}`;
      const res = await fetch(`${this.url}/api/v1/records?limit=1000${query}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (!res.ok) throw new Error(`pull: ${res.status} ${await res.text()}`);
      const page = await res.json();
      for (const change of page.changes) seen.set(change.record.id, change.record);
      since = page.cursor;
      if (!page.more) return [...seen.values()];
    }
  }

  /** SHA-256 (hex) of the photo the server holds for `token`, or null if it has none. */
  async photoSha256(token, id) {
    const res = await fetch(`${this.url}/api/v1/photos/${id}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`photo: ${res.status}`);
    return createHash('sha256').update(Buffer.from(await res.arrayBuffer())).digest('hex');
  }

  async stop() {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
    rmSync(this.data, { recursive: true, force: true });
  }
}

/**
 * A TCP proxy on 127.0.0.1:`port` forwarding to 127.0.0.1:`target`. `offline()` drops every
 * open connection and refuses new ones (they are closed at once, before a byte is read), as a
 * phone sees a network that is gone; `online()` lets them through again.
 */
export class Proxy {
  constructor(server, port) {
    this.server = server;
    this.port = port;
    this.open = new Set();
    this.cut = false;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** @param {number} port @param {number} target */
  static async start(port, target) {
    /** @type {Proxy} */
    let proxy;
    const server = net.createServer((phone) => {
      if (proxy.cut) {
        phone.destroy();
        return;
      }
      const upstream = net.connect(target, '127.0.0.1');
      proxy.open.add(phone);
      proxy.open.add(upstream);
      const drop = () => {
        upstream.destroy();
        phone.destroy();
      };
      phone.on('close', () => proxy.open.delete(phone));
      upstream.on('close', () => proxy.open.delete(upstream));
      phone.pipe(upstream);
      upstream.pipe(phone);
      phone.on('error', drop);
      upstream.on('error', drop);
    });
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    proxy = new Proxy(server, port);
    return proxy;
  }

  offline() {
    this.cut = true;
    for (const socket of this.open) socket.destroy();
  }

  online() {
    this.cut = false;
  }

  async stop() {
    this.offline();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
