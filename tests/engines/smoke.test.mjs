// The smoke suite of the app's main flows in three browser engines (issue 24: officials' phones
// run Chrome or a Chromium-based browser, Firefox, or Safari's WebKit): the same flows
// (flows.mjs) in Debian's Chromium, Firefox ESR and WebKitGTK, one browser per engine, against
// the release build (dist/) served by the release reference server. Step 11 of
// `cargo xtask test` (or `cargo xtask test --engines-only`); once both are built, by hand:
//   node --test --test-reporter=spec tests/engines/
// RP_ENGINES=firefox,webkit picks engines; RP_ENGINES_PORT moves the ports (default 8300-8320).
import { after, before, describe, it } from 'node:test';
import { existsSync, mkdirSync } from 'node:fs';
import { BASE_PORT, SERVER_BIN, Server } from './servers.mjs';
import { ENGINES, chosenEngines, missingFor } from './drivers.mjs';
import { FLOWS, runFlow } from './flows.mjs';

const SHOTS = `${process.env.CARGO_TARGET_DIR ?? 'target'}/engines`;

/** @type {Server} */
let appServer;

before(async () => {
  for (const built of [SERVER_BIN, 'dist/index.html', 'dist/sw.js']) {
    if (!existsSync(built)) throw new Error(`${built} is missing: run \`cargo xtask test --engines-only\``);
  }
  mkdirSync(SHOTS, { recursive: true });
  appServer = await Server.start(BASE_PORT);
});

after(async () => {
  await appServer?.stop();
});

for (const engine of chosenEngines()) {
  describe(engine, () => {
    /** @type {any} */
    let d;

    before(async () => {
      const missing = missingFor(engine);
      if (missing.length) throw new Error(`${engine}: missing ${missing.join(', ')} (cargo xtask test installs it)`);
      d = await ENGINES[engine].launch(BASE_PORT + 2);
      console.log(`# ${engine}: ${await d.version()}`);
    });

    after(async () => {
      await d?.close();
    });

    FLOWS.forEach((flow, i) => {
      it(flow[0], { timeout: 120_000 }, async (t) => {
        await runFlow(d, t, flow, { port: BASE_PORT + 10 + i, appServer, syncPort: BASE_PORT + 1, shots: SHOTS });
      });
    });
  });
}
