// A real reference server for sync tests: its own port, its own data folder (SQLite file and
// photo folder), started and stopped by the test, with tokens made by its admin command.
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { expect, type Page } from '@playwright/test';

const TARGET = process.env.CARGO_TARGET_DIR ?? 'target';
// RP_SERVER_BIN: another build of the server (e.g. a debug one while iterating).
const BINARY = process.env.RP_SERVER_BIN ?? `${TARGET}/release/river-patrol-server`;

export interface ServerRecord {
  server_rev: number;
  record: any;
  /** The server's receipt of each photo of the record it holds; absent when none. */
  receipts?: { id: string; sha256: string; received_at: string }[];
}

export class SyncServer {
  private child?: ChildProcess;
  readonly data: string;

  private constructor(
    readonly port: number,
    private readonly options: string[],
  ) {
    this.data = mkdtempSync(join(tmpdir(), 'rp-sync-'));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts a server with an empty database on a port of its own; `options` are more of
   * `serve`'s flags (e.g. the township's patrol rule). */
  static async start(options: string[] = []): Promise<SyncServer> {
    // Workers and parallel checkouts each get their own range.
    const base = 8200 + (Number(process.env.TEST_PARALLEL_INDEX ?? 0) * 40) + Math.floor(Math.random() * 40);
    const server = new SyncServer(base, options);
    await server.restart();
    return server;
  }

  /** (Re)starts the process on the same port and data folder. */
  async restart(): Promise<void> {
    this.child = spawn(
      BINARY,
      ['serve', '--host', '127.0.0.1', '--port', String(this.port), '--dist', 'dist', '--data', this.data, ...this.options],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    this.child.stderr?.on('data', (d) => (log += d));
    for (let i = 0; i < 100; i++) {
      try {
        const res = await fetch(`${this.url}/api/v1/health`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (this.child.exitCode !== null) throw new Error(`server exited: ${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`server did not start: ${log}`);
  }

  /** kill -9: no clean shutdown. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.data, { recursive: true, force: true });
  }

  /** A new device token through the admin command (`village` null: the township office). */
  token(officer: string, village: string | null): string {
    return this.tokenWithId(officer, village).token;
  }

  /** Like `token`, with the id `token revoke` takes. */
  tokenWithId(officer: string, village: string | null): { token: string; id: number } {
    const args = ['token', 'create', '--data', this.data, '--officer', officer];
    args.push(...(village === null ? ['--all-villages'] : ['--village', village]));
    const run = spawnSync(BINARY, args, { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`token create failed: ${run.stderr}`);
    // The token is the only thing on stdout; what it is for (and its id) goes to stderr.
    const token = run.stdout.trim().split('\n').pop()?.trim();
    const id = Number(run.stderr.match(/token (\d+)/)?.[1]);
    if (!token || !id) throw new Error(`no token in: ${run.stdout} ${run.stderr}`);
    return { token, id };
  }

  /** Withdraws a token through the admin command. */
  revoke(id: number): void {
    execFileSync(BINARY, ['token', 'revoke', String(id), '--data', this.data], { stdio: 'ignore' });
  }

  /** Every record the token may see, newest server state of each. */
  async records(token: string): Promise<ServerRecord[]> {
    const seen = new Map<string, ServerRecord>();
    let since: string | undefined;
    for (;;) {
      const query = since === undefined ? '' : `&since=${encodeURIComponent(since)}`;
      const res = await fetch(`${this.url}/api/v1/records?limit=1000${query}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (!res.ok) throw new Error(`pull: ${res.status} ${await res.text()}`);
      const page = await res.json();
      for (const change of page.changes) seen.set(change.record.id, change);
      since = page.cursor;
      if (!page.more) return [...seen.values()];
    }
  }

  /** SHA-256 (hex) of the photo the server holds, or null if it has none. */
  async photoSha256(token: string, id: string): Promise<string | null> {
    const res = await fetch(`${this.url}/api/v1/photos/${id}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`photo: ${res.status}`);
    return createHash('sha256').update(Buffer.from(await res.arrayBuffer())).digest('hex');
  }

  /** Every patrol the server holds for `token`, through the patrol pull. */
  async patrols(token: string): Promise<any[]> {
    const seen = new Map<string, any>();
    let since: string | undefined;
    for (;;) {
      const query = since === undefined ? '' : `&since=${encodeURIComponent(since)}`;
      const res = await fetch(`${this.url}/api/v1/patrols?limit=100${query}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (!res.ok) throw new Error(`patrol pull: ${res.status} ${await res.text()}`);
      const page = await res.json();
      for (const patrol of page.patrols) seen.set(patrol.id, patrol);
      since = page.cursor;
      if (!page.more) return [...seen.values()];
    }
  }

  /** The ledger export as the office downloads it (text, byte-order mark included). */
  async csv(token: string): Promise<string> {
    const res = await fetch(`${this.url}/api/v1/export.csv`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`export: ${res.status}`);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    return new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
  }

  /** Imports a ledger file at the office (`POST /api/v1/import`), answering the counts. */
  async importLedger(token: string, csv: Buffer): Promise<{ imported: number; already: number; rejected: any[] }> {
    const res = await fetch(`${this.url}/api/v1/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body: csv,
    });
    if (!res.ok) throw new Error(`import: ${res.status} ${await res.text()}`);
    return res.json();
  }

  /** Pushes records as the office would, answering the results. */
  async push(token: string, records: { base_rev: number | null; record: any }[]): Promise<any[]> {
    const res = await fetch(`${this.url}/api/v1/records`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ records }),
    });
    if (!res.ok) throw new Error(`push: ${res.status} ${await res.text()}`);
    return (await res.json()).results;
  }
}

/** Opens the office's connect link on the phone and confirms it; waits until the phone is
 * in touch with the server. */
export async function connect(page: Page, server: { url: string }, token: string) {
  await page.goto(`${server.url}/connect#token=${token}`);
  await expect(page.getByTestId('connect-server')).toHaveText(server.url);
  await page.getByRole('button', { name: '确认连接' }).click();
  await expect(page.getByTestId('sync-connection')).toHaveText('在线');
}
