/**
 * A tunnel session: many independent streams over one WebSocket (the agent's connection to the
 * server). Either side opens streams; the client (agent) uses odd ids and the server even ids, so
 * both may open at once without colliding. The session pings its peer and declares the connection
 * dead when nothing comes back in time, and when it ends — closed, dropped or timed out — every
 * stream ends with an error, so nothing waits forever on a dead tunnel.
 */
import { EventEmitter } from "node:events";
import type { WebSocket } from "ws";
import type { Logger } from "../log.js";
import { decodeFrame, encodeFrame, FrameType, MAX_CONTROL_PAYLOAD, ProtocolError, type Frame } from "./frames.js";
import { TunnelStream, type StreamLink, type StreamMeta } from "./stream.js";

/**
 * Send a Ping this often. Ten seconds keeps NAT and firewall state alive (most expire idle TCP after
 * 30 s or more) at a negligible cost on an idle link.
 */
export const PING_INTERVAL_MS = 10_000;

/**
 * Declare the session dead when nothing at all (any frame counts) arrived this long after a Ping.
 * Generous, because a busy peer's reply queues behind up to a socket high-water mark of data on a
 * slow link; a dropped TCP connection without FIN/RST is still noticed within 25 s.
 */
export const PING_TIMEOUT_MS = 15_000;

/**
 * Streams wait when the WebSocket has this much queued and unsent. Bounds the session's send buffer
 * (all streams together) while keeping enough in flight to fill a LAN link.
 */
export const SOCKET_HIGH_WATER = 1024 * 1024;

/** Streams resume once the send buffer drains below this (hysteresis avoids waking on every frame). */
const SOCKET_LOW_WATER = 256 * 1024;

/**
 * Most streams a peer may have open on one session. Each may pin one window (256 KiB) of memory, so
 * this bounds a misbehaving peer's claim on us.
 */
export const MAX_STREAMS = 1024;

/** WebSocket close code for a clean close (RFC 6455). */
const CLOSE_NORMAL = 1000;
/** WebSocket close code for a protocol violation (RFC 6455). */
const CLOSE_PROTOCOL_ERROR = 1002;

/** The session ended; every stream open at that moment fails with this. */
export class TunnelClosedError extends Error {
  override name = "TunnelClosedError";
  readonly code = "ERR_TUNNEL_CLOSED";
}

export type SessionRole = "client" | "server";

export interface TunnelSessionOptions {
  /** The agent is the client (odd stream ids), the server the server (even ids). */
  role: SessionRole;
  /** Called for each stream the peer opens; without it, peer-opened streams are reset. */
  onStream?: (stream: TunnelStream) => void;
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  maxStreams?: number;
  logger?: Logger;
}

/** The WebSocket's remote address, when it runs over a TCP socket. */
function socketAddress(ws: WebSocket): string | undefined {
  const raw = (ws as unknown as { _socket?: { remoteAddress?: string } })._socket;
  return raw?.remoteAddress;
}

/**
 * Wraps an open WebSocket. Events: "close" (err?: Error) once, when the session has ended.
 * @example
 * const session = new TunnelSession(ws, { role: "client", onStream: (s) => serve(s) });
 * const api = session.open({ kind: "api" });
 * api.end("GET /version HTTP/1.1\r\nHost: x\r\n\r\n");
 */
export class TunnelSession extends EventEmitter {
  private readonly streams = new Map<number, TunnelStream>();
  private nextId: number;
  private highestPeerId = 0;
  private readonly drainWaiters: (() => void)[] = [];
  private ended: Error | undefined | null = null; // null while open
  private readonly pingTimer: NodeJS.Timeout;
  private pingDeadline: NodeJS.Timeout | undefined;
  private lastHeard = Date.now();
  private readonly pingTimeoutMs: number;
  private readonly maxStreams: number;
  private onStream: ((stream: TunnelStream) => void) | undefined;
  private readonly link: StreamLink;
  private readonly endPromise: Promise<Error | undefined>;

  constructor(
    private readonly ws: WebSocket,
    private readonly opts: TunnelSessionOptions,
  ) {
    super();
    if (ws.readyState !== ws.OPEN) throw new Error("the WebSocket must be open");
    this.nextId = opts.role === "client" ? 1 : 2;
    this.pingTimeoutMs = opts.pingTimeoutMs ?? PING_TIMEOUT_MS;
    this.maxStreams = opts.maxStreams ?? MAX_STREAMS;
    this.onStream = opts.onStream;
    this.endPromise = new Promise((resolve) => this.once("close", resolve));
    const remoteAddress = socketAddress(ws);
    this.link = {
      send: (type, id, payload) => this.send(type, id, payload),
      socketWritable: () => this.ws.bufferedAmount < SOCKET_HIGH_WATER,
      whenSocketWritable: (fn) => this.drainWaiters.push(fn),
      alive: () => this.ended === null,
      forget: (stream) => {
        if (this.streams.get(stream.id) === stream) this.streams.delete(stream.id);
      },
      remoteAddress,
    };
    ws.on("message", (data, isBinary) => this.receive(data, isBinary));
    ws.on("close", (code, reason) => this.finish(code === CLOSE_NORMAL && this.ended === null ? new TunnelClosedError("tunnel closed by peer") : new TunnelClosedError(`tunnel connection lost (code ${code}${reason.length ? `: ${reason.toString()}` : ""})`)));
    ws.on("error", (err) => opts.logger?.debug({ err }, "tunnel websocket error"));
    this.pingTimer = setInterval(() => this.ping(), opts.pingIntervalMs ?? PING_INTERVAL_MS);
    this.pingTimer.unref();
  }

  /** Streams currently open. */
  get streamCount(): number {
    return this.streams.size;
  }

  /** True until the session has ended. */
  get open(): boolean {
    return this.ended === null;
  }

  /** Resolves when the session has ended, with the reason (undefined after our own close()). */
  whenClosed(): Promise<Error | undefined> {
    return this.endPromise;
  }

  /** Sets (or replaces) the handler for peer-opened streams. */
  setStreamHandler(handler: (stream: TunnelStream) => void): void {
    this.onStream = handler;
  }

  /**
   * Opens a stream. It is usable at once: the first window's worth of data may be written before
   * the peer has even seen the Open; a refusal arrives as a StreamResetError.
   * @example const s = session.openStream({ kind: "kubelet", node: "pi1", path: "/containerLogs/default/web/nginx" })
   */
  openStream(meta: StreamMeta): TunnelStream {
    if (this.ended !== null) throw new TunnelClosedError("tunnel session is closed");
    if (this.nextId > 0xffff_ffff) throw new TunnelClosedError("tunnel session ran out of stream ids; reconnect");
    const json = Buffer.from(JSON.stringify(meta));
    if (json.length > MAX_CONTROL_PAYLOAD) throw new RangeError(`stream metadata is ${json.length} bytes; at most ${MAX_CONTROL_PAYLOAD} are allowed`);
    const id = this.nextId;
    this.nextId += 2;
    const stream = new TunnelStream(this.link, id, meta);
    this.streams.set(id, stream);
    this.send(FrameType.Open, id, json);
    return stream;
  }

  /**
   * Closes the session cleanly: every open stream fails with TunnelClosedError and the WebSocket is
   * closed with code 1000.
   * @example session.close("agent shutting down")
   */
  close(reason = "closed"): void {
    if (this.ended !== null) return;
    this.ws.close(CLOSE_NORMAL, reason.slice(0, 120));
    this.finish(undefined, new TunnelClosedError(`tunnel session closed: ${reason}`));
  }

  /** Ends the session at once without a closing handshake (dead peer, protocol error). */
  private abort(err: Error): void {
    if (this.ended !== null) return;
    this.opts.logger?.warn({ err: err.message }, "tunnel session aborted");
    if (err instanceof ProtocolError) this.ws.close(CLOSE_PROTOCOL_ERROR, err.message.slice(0, 120));
    this.ws.terminate();
    this.finish(err);
  }

  private finish(reason: Error | undefined, streamError?: Error): void {
    if (this.ended !== null) return;
    this.ended = reason;
    clearInterval(this.pingTimer);
    if (this.pingDeadline) clearTimeout(this.pingDeadline);
    const err = streamError ?? reason ?? new TunnelClosedError("tunnel session closed");
    for (const s of [...this.streams.values()]) s.handleSessionEnd(err);
    this.streams.clear();
    for (const fn of this.drainWaiters.splice(0)) fn();
    this.emit("close", reason);
  }

  private send(type: FrameType, id: number, payload?: Uint8Array): void {
    if (this.ended !== null) return;
    this.ws.send(encodeFrame(type, id, payload), { binary: true }, (err) => {
      if (err) return; // the close event follows
      if (this.drainWaiters.length && this.ws.bufferedAmount < SOCKET_LOW_WATER) this.wakeWriters();
    });
  }

  private wakeWriters(): void {
    // Each waiter may send and fill the buffer again; later ones then re-queue themselves.
    for (const fn of this.drainWaiters.splice(0)) fn();
  }

  private ping(): void {
    if (this.ended !== null) return;
    const sentAt = Date.now();
    const nonce = Buffer.allocUnsafe(8);
    nonce.writeDoubleBE(sentAt, 0);
    this.send(FrameType.Ping, 0, nonce);
    if (this.pingDeadline) return; // an earlier ping's deadline is still running
    this.pingDeadline = setTimeout(() => {
      this.pingDeadline = undefined;
      if (this.lastHeard < sentAt) this.abort(new TunnelClosedError(`tunnel peer did not answer for ${this.pingTimeoutMs / 1000}s; connection declared dead`));
    }, this.pingTimeoutMs);
    this.pingDeadline.unref();
  }

  private receive(data: WebSocket.RawData, isBinary: boolean): void {
    if (this.ended !== null) return;
    this.lastHeard = Date.now();
    if (!isBinary || !Buffer.isBuffer(data)) {
      this.abort(new ProtocolError("the tunnel carries binary frames only"));
      return;
    }
    let frame: Frame;
    try {
      frame = decodeFrame(data);
    } catch (err) {
      this.abort(err as Error);
      return;
    }
    switch (frame.type) {
      case FrameType.Ping:
        this.send(FrameType.Pong, 0, frame.payload);
        return;
      case FrameType.Pong:
        return;
      case FrameType.Open:
        this.accept(frame);
        return;
    }
    const stream = this.streams.get(frame.streamId);
    if (!stream) return; // frames racing a reset or close: harmless
    switch (frame.type) {
      case FrameType.Data:
        stream.handleData(frame.payload);
        return;
      case FrameType.Window:
        if (frame.payload.length !== 4) return this.abort(new ProtocolError("window frame without a 4-byte increment"));
        stream.handleWindow(frame.payload.readUInt32BE(0));
        return;
      case FrameType.Fin:
        stream.handleFin();
        return;
      case FrameType.Reset:
        stream.handleReset(frame.payload.toString("utf8"));
        return;
    }
  }

  /** A peer-opened stream: checks the id and metadata, then hands it to the stream handler. */
  private accept(frame: Frame): void {
    const id = frame.streamId;
    const peerParity = this.opts.role === "client" ? 0 : 1;
    if (id === 0 || id % 2 !== peerParity || id <= this.highestPeerId) {
      this.abort(new ProtocolError(`peer opened stream ${id}, which is not a fresh id of its own`));
      return;
    }
    this.highestPeerId = id;
    let meta: StreamMeta;
    try {
      meta = parseMeta(frame.payload);
    } catch (err) {
      this.send(FrameType.Reset, id, Buffer.from(`invalid stream metadata: ${(err as Error).message}`));
      return;
    }
    if (this.streams.size >= this.maxStreams) {
      this.send(FrameType.Reset, id, Buffer.from(`too many open streams (limit ${this.maxStreams})`));
      return;
    }
    const stream = new TunnelStream(this.link, id, meta);
    this.streams.set(id, stream);
    if (!this.onStream) {
      stream.reset("this side accepts no streams");
      return;
    }
    try {
      this.onStream(stream);
    } catch (err) {
      stream.destroy(err as Error);
    }
  }
}

function parseMeta(payload: Buffer): StreamMeta {
  if (payload.length > MAX_CONTROL_PAYLOAD) throw new Error("too large");
  const value: unknown = JSON.parse(payload.toString("utf8"));
  if (typeof value !== "object" || value === null || Array.isArray(value) || typeof (value as { kind?: unknown }).kind !== "string") {
    throw new Error("expected a JSON object with a string kind");
  }
  return value as StreamMeta;
}
