/**
 * Test fixture: SPDY/3.1 clients on spdy-transport in client mode, for the server's SPDY layer. With
 * `spdystream: true` the client behaves like kubectl's SPDY library (moby/spdystream): streams carry
 * only their own headers (no `:method`/`:path`), and it sends no SETTINGS and no WINDOW_UPDATE.
 */
import type { Duplex } from "node:stream";
import transport from "spdy-transport";

/** A spdy-transport client over `socket` (after the 101); `spdystream: true` makes it behave like kubectl's SPDY library. */
export function spdyClient(socket: Duplex, opts: { spdystream: boolean }): transport.Connection {
  const client = transport.connection.create(socket, { protocol: "spdy", isServer: false });
  client.on("error", () => undefined);
  if (opts.spdystream) {
    const internals = client as unknown as {
      _spdyState: { framer: Record<string, unknown>; streamWindow: { send: { setMax(n: number): void } } };
      _setDefaultWindow: () => void;
    };
    const framer = internals._spdyState.framer as {
      headersToDict: (h: unknown, pre: ((h: Record<string, unknown>) => void) | null, cb: unknown) => void;
      settingsFrame: unknown;
      windowUpdateFrame: unknown;
    };
    const headersToDict = framer.headersToDict;
    framer.headersToDict = function (h, pre, cb) {
      return headersToDict.call(this, h, (dict) => {
        pre?.(dict);
        for (const k of Object.keys(dict)) if (k.startsWith(":")) delete dict[k];
      }, cb);
    };
    const skip = (_f: unknown, cb?: () => void): void => void (cb && process.nextTick(cb));
    framer.settingsFrame = skip;
    framer.windowUpdateFrame = skip;
    internals._spdyState.streamWindow.send.setMax(2 ** 31 - 1);
    internals._setDefaultWindow = () => undefined;
  }
  client.start(3.1);
  return client;
}

/** Opens a stream with these headers; resolves once the server replied. */
export function openStream(client: transport.Connection, headers: Record<string, string>): Promise<transport.Stream> {
  return new Promise((resolve, reject) => {
    const s = client.request({ method: "POST", path: "/", headers }, (err) => {
      if (err) reject(err);
    });
    s.on("error", () => undefined);
    s.once("response", () => resolve(s));
  });
}
