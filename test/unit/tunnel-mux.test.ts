import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { once } from "node:events";
import { WebSocket, WebSocketServer } from "ws";
import { TunnelSession, TunnelStream, StreamResetError, TunnelClosedError, STREAM_WINDOW, SOCKET_HIGH_WATER, MAX_MESSAGE_BYTES, type TunnelSessionOptions } from "../../src/shared/tunnel/index.js";
import { encodeFrame, FrameType, decodeFrame } from "../../src/shared/tunnel/frames.js";

interface Pair {
  client: TunnelSession;
  server: TunnelSession;
  clientWs: WebSocket;
  serverWs: WebSocket;
  close(): Promise<void>;
}

/** Two sessions joined by a real WebSocket over loopback. */
async function pair(opts: { client?: Partial<TunnelSessionOptions>; server?: Partial<TunnelSessionOptions> } = {}): Promise<Pair> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, maxPayload: MAX_MESSAGE_BYTES });
  await once(wss, "listening");
  const port = (wss.address() as AddressInfo).port;
  const accepted = once(wss, "connection") as Promise<[WebSocket]>;
  const clientWs = new WebSocket(`ws://127.0.0.1:${port}`, { maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false });
  await once(clientWs, "open");
  const [serverWs] = await accepted;
  const server = new TunnelSession(serverWs, { role: "server", ...opts.server });
  const client = new TunnelSession(clientWs, { role: "client", ...opts.client });
  return {
    client,
    server,
    clientWs,
    serverWs,
    async close() {
      client.close("test done");
      server.close("test done");
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}

async function readAll(stream: TunnelStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function sha(b: Buffer): string {
  return createHash("sha256").update(b).digest("hex");
}

const echo = (s: TunnelStream): void => {
  s.pipe(s);
};

test("many concurrent streams each carry their own bytes both ways", async () => {
  const p = await pair({ server: { onStream: echo } });
  try {
    const payloads = Array.from({ length: 64 }, (_, i) => randomBytes(10_000 + i * 1_500));
    const results = await Promise.all(
      payloads.map(async (data, i) => {
        const s = p.client.openStream({ kind: "echo", index: i });
        const got = readAll(s);
        // Interleaved writes in small pieces so frames of different streams mix on the socket.
        for (let off = 0; off < data.length; off += 4096) s.write(data.subarray(off, off + 4096));
        s.end();
        return got;
      }),
    );
    results.forEach((r, i) => assert.equal(sha(r), sha(payloads[i]!), `stream ${i} echoed intact`));
    assert.equal(p.client.streamCount, 0, "finished streams are forgotten");
  } finally {
    await p.close();
  }
});

test("stream metadata reaches the other side and either side may open", async () => {
  const seen: unknown[] = [];
  const p = await pair({
    client: {
      onStream: (s) => {
        seen.push(s.meta);
        s.resume();
        s.end("from agent");
      },
    },
    server: { onStream: echo },
  });
  try {
    const s = p.server.openStream({ kind: "kubelet", path: "/containerLogs/a/b/c" });
    s.end();
    assert.equal((await readAll(s)).toString(), "from agent");
    assert.deepEqual(seen, [{ kind: "kubelet", path: "/containerLogs/a/b/c" }]);
    assert.equal(s.id % 2, 0, "server-opened streams have even ids");
    const c = p.client.openStream({ kind: "x" });
    assert.equal(c.id % 2, 1, "client-opened streams have odd ids");
    c.destroy();
  } finally {
    await p.close();
  }
});

test("a slow reader bounds memory on both sides; every byte still arrives in order", async () => {
  let serverSide: TunnelStream | undefined;
  const p = await pair({
    server: {
      onStream: (s) => {
        serverSide = s;
        s.pause(); // reads nothing until the test says so
      },
    },
  });
  try {
    const total = 16 * 1024 * 1024;
    const data = randomBytes(total);
    const s = p.client.openStream({ kind: "bulk" });
    let written = 0;
    let maxWritable = 0;
    let maxSocketBuffered = 0;
    // Producer that honours backpressure, as pipe() does.
    const produce = new Promise<void>((resolve) => {
      const pump = (): void => {
        while (written < total) {
          const n = Math.min(65_536, total - written);
          const ok = s.write(data.subarray(written, written + n));
          written += n;
          maxWritable = Math.max(maxWritable, s.writableLength);
          maxSocketBuffered = Math.max(maxSocketBuffered, p.clientWs.bufferedAmount);
          if (!ok) {
            s.once("drain", pump);
            return;
          }
        }
        s.end();
        resolve();
      };
      pump();
    });
    // While the reader is paused, the sender stalls after one window.
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(serverSide, "the server saw the stream");
    assert.ok(serverSide.readableLength <= STREAM_WINDOW, `receiver holds at most one window (${serverSide.readableLength})`);
    assert.ok(written < 2 * STREAM_WINDOW, `sender stopped early instead of buffering: wrote ${written} of ${total}`);
    assert.ok(maxWritable <= 2 * 65_536 + 65_536, `sender's write buffer stayed bounded (${maxWritable})`);

    // Now read slowly, in bursts.
    const chunks: Buffer[] = [];
    let maxUnread = 0;
    const reader = serverSide;
    const readDone = new Promise<void>((resolve) => {
      reader.on("end", () => resolve());
      const tick = (): void => {
        maxUnread = Math.max(maxUnread, reader.readableLength);
        let c: Buffer | null;
        let got = 0;
        while (got < 512 * 1024 && (c = reader.read() as Buffer | null) !== null) {
          chunks.push(c);
          got += c.length;
        }
        if (!reader.readableEnded) setTimeout(tick, 2);
      };
      tick();
    });
    await produce;
    await readDone;
    // Finish the exchange: the reader ends its side too, and both streams close cleanly.
    const clientClosed = once(s, "close");
    s.resume();
    reader.end();
    await clientClosed;
    const received = Buffer.concat(chunks);
    assert.equal(received.length, total);
    assert.equal(sha(received), sha(data));
    assert.ok(maxUnread <= STREAM_WINDOW, `receiver never held more than a window (${maxUnread})`);
    assert.ok(maxSocketBuffered <= SOCKET_HIGH_WATER + MAX_MESSAGE_BYTES * 2, `socket buffer bounded (${maxSocketBuffered})`);
  } finally {
    await p.close();
  }
});

test("half-close: one side ends, the other keeps writing until it ends too", async () => {
  let serverEnded = false;
  const p = await pair({
    server: {
      onStream: (s) => {
        s.resume();
        s.on("end", () => {
          serverEnded = true;
          // The client's side is closed for writing, ours is still open.
          setTimeout(() => {
            s.write("late ");
            s.end("reply");
          }, 50);
        });
      },
    },
  });
  try {
    const s = p.client.openStream({ kind: "half" });
    s.end("request");
    const reply = await readAll(s);
    assert.equal(serverEnded, true);
    assert.equal(reply.toString(), "late reply");
    if (!s.closed) await once(s, "close");
    assert.equal(s.destroyed, true);
    assert.equal(p.client.streamCount, 0);
  } finally {
    await p.close();
  }
});

test("reset: destroying a stream with an error fails the other side with the reason", async () => {
  let resolveStream!: (s: TunnelStream) => void;
  const gotStream = new Promise<TunnelStream>((resolve) => (resolveStream = resolve));
  const p = await pair({ server: { onStream: (s) => resolveStream(s) } });
  try {
    const s = p.client.openStream({ kind: "r" });
    s.write("hello");
    const serverStream = await gotStream;
    const failed = once(serverStream, "error") as Promise<[Error]>;
    const localError = once(s, "error") as Promise<[Error]>;
    s.destroy(new Error("client gave up"));
    assert.equal((await localError)[0].message, "client gave up", "the local side sees its own error, as net.Socket does");
    const [err] = await failed;
    assert.ok(err instanceof StreamResetError);
    assert.match(err.message, /stream reset by peer: client gave up/);
    assert.equal(p.server.streamCount, 0);
  } finally {
    await p.close();
  }
});

test("a stream the peer does not accept is reset with its reason", async () => {
  const p = await pair({
    server: {
      onStream: (s) => {
        s.reset(`kind ${s.meta.kind} is not allowed`);
      },
    },
  });
  const p2 = await pair(); // no handler at all
  try {
    const s = p.client.openStream({ kind: "forbidden" });
    const [err] = (await once(s, "error")) as [Error];
    assert.match(err.message, /kind forbidden is not allowed/);
    const s2 = p2.client.openStream({ kind: "any" });
    const [err2] = (await once(s2, "error")) as [Error];
    assert.match(err2.message, /accepts no streams/);
  } finally {
    await p.close();
    await p2.close();
  }
});

test("a peer that stops answering pings is declared dead and every stream fails", async () => {
  const p = await pair({ client: { pingIntervalMs: 50, pingTimeoutMs: 150 }, server: { onStream: (s) => s.resume().on("error", () => {}) } });
  try {
    const s = p.client.openStream({ kind: "idle" });
    const streamError = once(s, "error") as Promise<[Error]>;
    s.write("x");
    await new Promise((r) => setTimeout(r, 100));
    // The server process freezes: it stops reading its socket, so no Pong comes back.
    (p.serverWs as unknown as { _socket: { pause(): void } })._socket.pause();
    const started = Date.now();
    const [reason] = (await once(p.client, "close")) as [Error];
    assert.ok(reason instanceof TunnelClosedError);
    assert.match(reason.message, /did not answer/);
    assert.ok(Date.now() - started < 2_000, "declared dead promptly");
    assert.match((await streamError)[0].message, /did not answer/);
    assert.equal(p.client.open, false);
    assert.throws(() => p.client.openStream({ kind: "later" }), TunnelClosedError);
  } finally {
    await p.close();
  }
});

test("an answering peer keeps the session alive across many ping intervals", async () => {
  const p = await pair({ client: { pingIntervalMs: 20, pingTimeoutMs: 60 }, server: { pingIntervalMs: 20, pingTimeoutMs: 60 } });
  try {
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(p.client.open, true);
    assert.equal(p.server.open, true);
  } finally {
    await p.close();
  }
});

test("closing the session ends every stream on both sides", async () => {
  const serverStreams: TunnelStream[] = [];
  const p = await pair({
    server: {
      onStream: (s) => {
        serverStreams.push(s);
        s.on("error", () => {});
      },
    },
  });
  try {
    const streams = [1, 2, 3].map((i) => p.client.openStream({ kind: "k", i }));
    const errors = streams.map((s) => once(s, "error") as Promise<[Error]>);
    for (const s of streams) s.write("data");
    while (serverStreams.length < 3) await new Promise((r) => setTimeout(r, 5));
    const serverClosed = once(p.server, "close");
    p.client.close("agent stopping");
    for (const e of errors) assert.ok((await e)[0] instanceof TunnelClosedError);
    await serverClosed;
    await Promise.all(serverStreams.map((s) => (s.closed ? Promise.resolve() : once(s, "close"))));
    assert.equal(p.server.streamCount, 0);
    assert.equal(await p.client.whenClosed(), undefined, "our own close is not an error");
  } finally {
    await p.close();
  }
});

test("protocol violations: a data frame beyond the window resets the stream; garbage closes the session", async () => {
  const p = await pair({ server: { onStream: (s) => s.pause() } });
  try {
    // Speak raw frames on the client's WebSocket, bypassing flow control.
    const raw = p.clientWs;
    let serverStream: TunnelStream | undefined;
    const serverErrors: Error[] = [];
    p.server.setStreamHandler((s) => {
      serverStream = s;
      s.pause();
      s.on("error", (e) => serverErrors.push(e));
    });
    const resets: string[] = [];
    raw.on("message", (m: Buffer) => {
      const f = decodeFrame(m);
      if (f.type === FrameType.Reset) resets.push(f.payload.toString());
    });
    raw.send(encodeFrame(FrameType.Open, 101, Buffer.from(JSON.stringify({ kind: "raw" }))));
    const chunk = Buffer.alloc(32 * 1024);
    for (let sent = 0; sent <= STREAM_WINDOW; sent += chunk.length) raw.send(encodeFrame(FrameType.Data, 101, chunk));
    while (resets.length === 0) await new Promise((r) => setTimeout(r, 5));
    assert.match(resets[0]!, /flow-control window/);
    assert.equal(serverStream?.destroyed, true);
    assert.match(serverErrors[0]?.message ?? "", /flow-control window/);

    const closed = once(p.server, "close") as Promise<[Error]>;
    raw.send(Buffer.from([0xff, 0, 0]));
    const [err] = await closed;
    assert.match(err.message, /shorter than its header/);
  } finally {
    await p.close();
  }
});

test("frames round-trip and malformed ones are rejected", () => {
  const f = decodeFrame(encodeFrame(FrameType.Data, 7, Buffer.from("abc")));
  assert.deepEqual([f.type, f.streamId, f.payload.toString()], [FrameType.Data, 7, "abc"]);
  const bad = encodeFrame(FrameType.Data, 7, Buffer.from("abc"));
  assert.throws(() => decodeFrame(bad.subarray(0, bad.length - 1)), /does not match/);
  const unknown = encodeFrame(FrameType.Data, 1);
  unknown[0] = 42;
  assert.throws(() => decodeFrame(unknown), /unknown frame type 42/);
});
