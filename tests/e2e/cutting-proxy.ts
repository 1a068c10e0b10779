// A TCP proxy in front of the reference server that serves the phone everything (the app and
// the API, so the page's origin and Content-Security-Policy are the proxy's own) and drops the
// connection in the middle of chosen requests: as a mobile network does when the phone leaves
// coverage halfway through a photo upload.
import net from 'node:net';

export class CuttingProxy {
  /** How many requests were cut so far. */
  cuts = 0;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    private readonly open: Set<net.Socket>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * Forwards to 127.0.0.1:`target`. The first `times` requests whose bytes contain `marker`
   * (e.g. `PUT /api/v1/photos/`) are cut `after` bytes past it, into their body: the server
   * gets a torn request and the phone a dropped connection.
   */
  static async start(target: number, marker: string, times: number, after: number): Promise<CuttingProxy> {
    const needle = Buffer.from(marker);
    let proxy: CuttingProxy | undefined;
    const open = new Set<net.Socket>();
    const server = net.createServer((phone) => {
      const upstream = net.connect(target, '127.0.0.1');
      open.add(phone);
      phone.on('close', () => open.delete(phone));
      // Bytes still to pass before this connection is cut; null while no cut is planned.
      let left: number | null = null;
      const drop = () => {
        upstream.destroy();
        phone.destroy();
      };
      phone.on('data', (chunk: Buffer) => {
        if (left === null && proxy!.cuts < times) {
          const at = chunk.indexOf(needle);
          if (at >= 0) {
            proxy!.cuts += 1;
            left = at + after;
          }
        }
        if (left === null) {
          upstream.write(chunk);
        } else if (chunk.length < left) {
          upstream.write(chunk);
          left -= chunk.length;
        } else {
          upstream.write(chunk.subarray(0, left), drop);
        }
      });
      upstream.on('data', (chunk: Buffer) => phone.write(chunk));
      phone.on('end', () => upstream.end());
      upstream.on('end', () => phone.end());
      phone.on('error', drop);
      upstream.on('error', drop);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new CuttingProxy(server, (server.address() as net.AddressInfo).port, open);
    return proxy;
  }

  async stop(): Promise<void> {
    // The browser keeps connections open; they go with the proxy.
    for (const socket of this.open) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
