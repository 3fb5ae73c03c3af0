/**
 * Test fixture: SPDY/3.1 clients on spdy-transport in client mode, for the server's SPDY layer. With
 * `spdystream: true` the client behaves like kubectl's SPDY library (moby/spdystream): streams carry
 * only their own headers (no `:method`/`:path`), and it sends no SETTINGS and no WINDOW_UPDATE.
 */
import { Duplex, type Readable } from "node:stream";
import transport from "spdy-transport";

/** Longest the socket's close is held back for frames still being parsed (normally a few ms). */
const PARSE_GRACE_MS = 5000;

/**
 * `socket` as spdy-transport should see it: its "close" held back until every frame that arrived
 * before it has been parsed. spdy-transport tears all streams down on the socket's close, while its
 * parser may still be inflating a SYN_REPLY's header block (zlib, off the main thread), so a server
 * that writes its last frames and closes at once — as upstream's kubelet and ours do after an exec —
 * would look as if it never replied. kubectl's SPDY library reads frames in order up to EOF and
 * loses nothing; with this wrapper neither does the test client.
 */
function closeAfterParsing(socket: Duplex): { transportSocket: Duplex; watch(parser: Readable): void } {
  const transportSocket = new Duplex({
    allowHalfOpen: true,
    autoDestroy: false,
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, done) {
      socket.write(chunk, done);
    },
    final(done) {
      socket.end();
      done();
    },
    destroy(err, done) {
      socket.destroy();
      done(err);
    },
  });
  socket.on("data", (chunk: Buffer) => {
    if (!transportSocket.push(chunk)) socket.pause();
  });
  socket.once("end", () => transportSocket.push(null));
  socket.once("error", (err) => transportSocket.destroy(err));
  return {
    transportSocket,
    watch(parser) {
      socket.once("close", () => {
        if (transportSocket.destroyed) return;
        if (!transportSocket.readableEnded) transportSocket.push(null);
        if (parser.readableEnded || parser.destroyed) return void transportSocket.destroy();
        const timer = setTimeout(() => transportSocket.destroy(), PARSE_GRACE_MS);
        const done = (): void => {
          clearTimeout(timer);
          transportSocket.destroy();
        };
        parser.once("end", done);
        parser.once("close", done);
      });
    },
  };
}

/** A spdy-transport client over `socket` (after the 101); `spdystream: true` makes it behave like kubectl's SPDY library. */
export function spdyClient(socket: Duplex, opts: { spdystream: boolean }): transport.Connection {
  const { transportSocket, watch } = closeAfterParsing(socket);
  const client = transport.connection.create(transportSocket, { protocol: "spdy", isServer: false });
  watch((client as unknown as { _spdyState: { parser: Readable } })._spdyState.parser);
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

/** Resolves at the server's SYN_REPLY for `stream`; rejects if the stream closes without one (never hangs on a lost reply). */
export function replied(stream: transport.Stream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once("response", () => resolve());
    stream.once("close", () => reject(new Error(`stream ${stream.id} closed before the server replied`)));
  });
}

/** Opens a stream with these headers; resolves once the server replied. */
export async function openStream(client: transport.Connection, headers: Record<string, string>): Promise<transport.Stream> {
  let failed: Error | undefined;
  const s = client.request({ method: "POST", path: "/", headers }, (err) => {
    if (err) failed = err;
  });
  s.on("error", () => undefined);
  try {
    await replied(s);
  } catch (err) {
    throw failed ?? err;
  }
  return s;
}
