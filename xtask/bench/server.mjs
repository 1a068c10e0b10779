// The release reference server as the benchmarks start it: its own temporary data folder and
// a random port on 127.0.0.1, its log kept (shown only when a benchmark fails), and removed
// again by stop(). With `databaseUrl` its records go to that database (PostgreSQL) instead of
// SQLite in the data folder; with `data` it shares another instance's data folder (the
// photos), which then stays when it stops.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function startServer(binary, dist, { name, firstPort, databaseUrl, data: shared }) {
  const data = shared ?? mkdtempSync(join(tmpdir(), `rp-bench-${name}-`));
  const database = databaseUrl ? ['--database-url', databaseUrl] : [];
  const port = firstPort + Math.floor(Math.random() * 100);
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(binary, ['serve', '--host', '127.0.0.1', '--port', String(port), '--dist', dist, '--data', data, ...database], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (d) => (log = (log + d).slice(-20_000)));
  const server = {
    url,
    data,
    log: () => `${log}\nthe server's log ends here`,
    /** A token for one village, or for every village (`null`), made with the admin command. */
    token(village) {
      const args = ['token', 'create', '--data', data, ...database, '--officer', 'bench'];
      args.push(...(village === null ? ['--all-villages'] : ['--village', village]));
      const out = execFileSync(binary, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      // The token is the only thing on stdout (what it is for goes to stderr).
      const found = out.trim().split('\n').pop()?.trim();
      if (!found) throw new Error(`no token in: ${out}`);
      return found;
    },
    stop() {
      child.kill('SIGKILL');
      if (!shared) rmSync(data, { recursive: true, force: true });
    },
  };
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/api/v1/health`)).ok) return server;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  server.stop();
  throw new Error(`server did not start\n${log}`);
}
