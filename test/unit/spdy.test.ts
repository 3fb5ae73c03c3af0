/**
 * The SPDY/3.1 session layer against a client built on spdy-transport in client mode, in two
 * flavours: a flow-controlled SPDY/3.1 client, and one that behaves like kubectl's spdystream (no
 * pseudo-headers on SYN_STREAM, no SETTINGS, no WINDOW_UPDATE, windows ignored).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import http, { type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import transport from "spdy-transport";
import { ApiError } from "../../src/shared/api/status.js";
import { acceptSpdyUpgrade, negotiateProtocol, type SpdySession, type SpdyStream } from "../../src/server/apiserver/spdy/index.js";
import { openStream, spdyClient } from "./spdy-client.js";
import { requestUpgrade, type UpgradeResult } from "./upgrade-request.js";

const SUPPORTED = ["v4.channel.k8s.io", "v3.channel.k8s.io"];

interface Harness {
  url: string;
  sessions: SpdySession[];
  serverSockets: Duplex[];
  onSession(handler: (s: SpdySession) => void): void;
  close(): Promise<void>;
}

async function startHarness(): Promise<Harness> {
  const sessions: SpdySession[] = [];
  const serverSockets: Duplex[] = [];
  let handler: (s: SpdySession) => void = () => undefined;
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      const session = acceptSpdyUpgrade(req, socket, head, SUPPORTED);
      sessions.push(session);
      serverSockets.push(socket);
      handler(session);
    } catch (err) {
      const e = err as ApiError;
      const body = JSON.stringify(e.toStatus());
      socket.end(`HTTP/1.1 ${e.code} X\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sessions,
    serverSockets,
    onSession: (h) => (handler = h),
    close: async () => {
      for (const s of sessions) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function upgrade(url: string, protocols: string | undefined): Promise<UpgradeResult> {
  const headers: Record<string, string> = { Connection: "Upgrade", Upgrade: "SPDY/3.1" };
  if (protocols !== undefined) headers["X-Stream-Protocol-Version"] = protocols;
  return requestUpgrade(`${url}/exec`, { method: "POST", headers });
}

function nextStream(session: SpdySession): Promise<SpdyStream> {
  return new Promise((resolve) => session.once("stream", resolve));
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.once("end", () => resolve(Buffer.concat(chunks)));
    stream.once("error", reject);
  });
}

const sha = (b: Buffer): string => createHash("sha256").update(b).digest("hex");

async function connect(h: Harness, spdystream: boolean): Promise<{ client: transport.Connection; session: SpdySession; socket: Duplex }> {
  const sessionReady = new Promise<SpdySession>((r) => h.onSession(r));
  const up = await upgrade(h.url, "v5.channel.k8s.io, v4.channel.k8s.io");
  assert.equal(up.status, 101);
  const client = spdyClient(up.socket!, { spdystream });
  return { client, session: await sessionReady, socket: up.socket! };
}

test("negotiation takes the client's first supported protocol; no match is upstream's 403", () => {
  assert.equal(negotiateProtocol(["v5.channel.k8s.io", "v3.channel.k8s.io", "v4.channel.k8s.io"], SUPPORTED), "v3.channel.k8s.io");
  assert.equal(negotiateProtocol([], SUPPORTED), "");
  assert.throws(
    () => negotiateProtocol(["v9"], SUPPORTED),
    (e: unknown) => e instanceof ApiError && e.code === 403 && e.message === "unable to upgrade: unable to negotiate protocol: client supports [v9], server accepts [v4.channel.k8s.io v3.channel.k8s.io]",
  );
});

test("the upgrade answers 101 with the chosen protocol, or without one when none was offered; a mismatch is a 403 Status", async () => {
  const h = await startHarness();
  try {
    const ok = await upgrade(h.url, "v5.channel.k8s.io, v4.channel.k8s.io, v3.channel.k8s.io");
    assert.equal(ok.status, 101);
    assert.equal(ok.headers.upgrade, "SPDY/3.1");
    assert.equal(ok.headers.connection, "Upgrade");
    assert.equal(ok.headers["x-stream-protocol-version"], "v4.channel.k8s.io");
    assert.equal(h.sessions[0]?.protocol, "v4.channel.k8s.io");
    ok.socket!.destroy();

    const none = await upgrade(h.url, undefined);
    assert.equal(none.status, 101);
    assert.equal(none.headers["x-stream-protocol-version"], undefined);
    assert.equal(h.sessions[1]?.protocol, "");
    none.socket!.destroy();

    const bad = await upgrade(h.url, "v1.example");
    assert.equal(bad.status, 403);
    const status = JSON.parse(bad.body!) as { reason: string; message: string };
    assert.equal(status.reason, "Forbidden");
    assert.match(status.message, /client supports \[v1\.example\], server accepts \[v4\.channel\.k8s\.io v3\.channel\.k8s\.io\]/);
  } finally {
    await h.close();
  }
});

test("streams without :method/:path are accepted; headers, data both ways and half-close work", async () => {
  const h = await startHarness();
  try {
    const { client, session } = await connect(h, true);
    const serverSide = nextStream(session);
    const c = await openStream(client, { streamtype: "stdin", requestid: "7" });
    const s = await serverSide;
    assert.deepEqual(s.headers, { streamtype: "stdin", requestid: "7" });
    // The client's FIN ends our readable side; we can still write (half-closed remote).
    c.end("hello from the client");
    assert.equal((await readAll(s)).toString(), "hello from the client");
    const reply = readAll(c);
    s.end("and back");
    assert.equal((await reply).toString(), "and back");
  } finally {
    await h.close();
  }
});

for (const spdystream of [false, true]) {
  test(`3 MiB echoed through one stream arrives intact (${spdystream ? "client without flow control, like spdystream" : "flow-controlled SPDY/3.1 client"})`, async () => {
    const h = await startHarness();
    try {
      const { client, session } = await connect(h, spdystream);
      session.on("stream", (s) => s.pipe(s));
      const c = await openStream(client, { streamtype: "data" });
      const payload = randomBytes(3 * 1024 * 1024);
      const echoed = readAll(c);
      c.end(payload);
      const back = await echoed;
      assert.equal(back.length, payload.length);
      assert.equal(sha(back), sha(payload));
    } finally {
      await h.close();
    }
  });
}

test("a flow-controlled client is held at the stream window while the server does not read", async () => {
  const h = await startHarness();
  try {
    const { client, session, socket } = await connect(h, false);
    const serverSide = nextStream(session);
    const c = await openStream(client, { streamtype: "data" });
    const s = await serverSide;
    s.pause();
    const payload = randomBytes(4 * 1024 * 1024);
    c.end(payload);
    await new Promise((r) => setTimeout(r, 300));
    // The client sent no more than our window (256 KiB) plus what sits in buffers on the way.
    assert.ok((socket as unknown as { bytesWritten: number }).bytesWritten < 1024 * 1024, `client wrote ${(socket as unknown as { bytesWritten: number }).bytesWritten} bytes`);
    s.resume();
    assert.equal(sha(await readAll(s)), sha(payload));
  } finally {
    await h.close();
  }
});

test("a client that ignores windows is slowed by TCP: the server stops reading while a stream's reader lags", async () => {
  const h = await startHarness();
  try {
    const { client, session } = await connect(h, true);
    const serverSide = nextStream(session);
    const c = await openStream(client, { streamtype: "data" });
    const s = await serverSide;
    s.pause();
    const payload = randomBytes(16 * 1024 * 1024);
    c.end(payload);
    await new Promise((r) => setTimeout(r, 500));
    const read = (h.serverSockets[0] as unknown as { bytesRead: number }).bytesRead;
    assert.ok(read < 8 * 1024 * 1024, `server read ${read} bytes while the stream was not consumed`);
    s.resume();
    assert.equal(sha(await readAll(s)), sha(payload));
  } finally {
    await h.close();
  }
});

test("PINGs are answered", async () => {
  const h = await startHarness();
  try {
    const { client } = await connect(h, true);
    await new Promise<void>((resolve, reject) => client.ping((err) => (err ? reject(err) : resolve())));
  } finally {
    await h.close();
  }
});

test("reset() resets one stream; a client's reset closes the server's stream", async () => {
  const h = await startHarness();
  try {
    const { client, session } = await connect(h, true);
    let serverSide = nextStream(session);
    const c1 = await openStream(client, { streamtype: "a" });
    const s1 = await serverSide;
    const c1Closed = new Promise((r) => c1.once("close", r));
    s1.reset();
    await c1Closed;
    assert.equal(c1._spdyState.aborted, true);

    serverSide = nextStream(session);
    const c2 = await openStream(client, { streamtype: "b" });
    const s2 = await serverSide;
    const s2Closed = new Promise((r) => s2.once("close", r));
    c2.abort();
    await s2Closed;
    assert.equal(s2.wasReset, true);
  } finally {
    await h.close();
  }
});

test("a stream reset as soon as it arrives is still answered first (SYN_REPLY, then RST)", async () => {
  const h = await startHarness();
  try {
    const { client, session } = await connect(h, true);
    session.on("stream", (s) => s.reset());
    const c = await openStream(client, { streamtype: "data", port: "0" });
    await new Promise<void>((resolve) => {
      if (c._spdyState.aborted) resolve();
      else c.once("close", () => resolve());
    });
    assert.equal(c._spdyState.aborted, true);
  } finally {
    await h.close();
  }
});

test("close() right in the stream handler still answers the stream and delivers what was written", async () => {
  const h = await startHarness();
  try {
    const { client, session } = await connect(h, true);
    session.on("stream", (s) => {
      s.end("bye");
      session.close();
    });
    const c = await openStream(client, { streamtype: "stdout" });
    assert.equal((await readAll(c)).toString(), "bye");
  } finally {
    await h.close();
  }
});

test("close() delivers queued data first, then resets open streams, sends GOAWAY and the session closes", async () => {
  const h = await startHarness();
  try {
    const { client, session, socket } = await connect(h, true);
    const serverSide = nextStream(session);
    const c = await openStream(client, { streamtype: "stdout" });
    const s = await serverSide;
    const received: Buffer[] = [];
    c.on("data", (d: Buffer) => received.push(d));
    const goaway = new Promise<void>((r) => client.on("frame", (f: { type: string }) => f.type === "GOAWAY" && r()));
    const serverClosed = new Promise<void>((r) => session.once("close", () => r()));
    const socketClosed = new Promise<void>((r) => socket.once("close", () => r()));
    const payload = randomBytes(1024 * 1024);
    s.write(payload);
    session.close();
    await goaway;
    // (spdy-transport's client closes its socket on GOAWAY when no stream is left.)
    await socketClosed;
    assert.equal(sha(Buffer.concat(received)), sha(payload));
    await serverClosed;
    assert.equal(session.isClosed, true);
  } finally {
    await h.close();
  }
});
