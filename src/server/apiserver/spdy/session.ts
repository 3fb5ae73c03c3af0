/**
 * A server-side SPDY/3.1 session: the streams a client opens over one upgraded connection (or over
 * any byte stream, e.g. SPDY tunnelled in WebSocket messages), each answered with SYN_REPLY and
 * handed out as a SpdyStream. PINGs are answered; closing flushes what is queued, then resets the
 * streams still open and sends GOAWAY.
 */
import { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import type transport from "spdy-transport";
import { createServerConnection, isPlaceholderHeader, RECEIVE_WINDOW_BYTES } from "./connection.js";
import { SpdyStream } from "./stream.js";
import { TransportGate } from "./transport-gate.js";

/**
 * Bytes one stream may hold unread before the session stops reading the transport. Flow-controlled
 * clients stop at the stream window (RECEIVE_WINDOW_BYTES) by themselves; this bounds memory for a
 * client that ignores windows (kubectl), one TCP read past it at most.
 */
const STREAM_RECEIVE_BACKLOG_LIMIT = RECEIVE_WINDOW_BYTES;

/** How often close() looks whether queued frames have reached the transport. */
const FLUSH_POLL_MS = 10;

/**
 * Longest close() waits for queued data to leave before resetting what is left: a client that
 * stopped reading (or a flow-controlled one with a closed window) must not keep a session forever.
 */
const FLUSH_TIMEOUT_MS = 10_000;

export interface SpdySessionEvents {
  stream: [SpdyStream];
  close: [];
}

/** Client headers as the session user sees them: lower-case names, one string per name, no placeholders. */
function publicHeaders(headers: Record<string, string | string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (isPlaceholderHeader(name, value)) continue;
    out[name] = Array.isArray(value) ? value.join(",") : value;
  }
  return out;
}

export class SpdySession extends EventEmitter<SpdySessionEvents> {
  private readonly gate: TransportGate;
  private readonly connection: transport.Connection;
  private readonly streams = new Set<SpdyStream>();
  private closing = false;
  private closed = false;

  /**
   * @param transport the byte stream after the upgrade (socket, or a tunnel's stream).
   * @param protocol the negotiated `X-Stream-Protocol-Version` ("" when none was negotiated).
   */
  constructor(
    transportStream: Duplex,
    readonly protocol: string,
  ) {
    super();
    this.gate = new TransportGate(transportStream, () => this.receiveBacklogChanged());
    this.connection = createServerConnection(this.gate);
    // Protocol and socket errors end the session; "close" tells the user.
    this.connection.on("error", () => this.destroy());
    this.connection.on("stream", (inner: transport.Stream) => this.accept(inner));
    this.gate.once("close", () => {
      this.closed = true;
      for (const s of this.streams) s.destroy();
      this.emit("close");
    });
  }

  /** Whether the transport is gone. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Ends the session gracefully: waits until queued data has been handed to the transport, resets
   * streams still open, sends GOAWAY and ends the transport.
   * @example for (const s of streams) s.end(); session.close();
   */
  close(): void {
    if (this.closing || this.closed) return;
    this.closing = true;
    const deadline = Date.now() + FLUSH_TIMEOUT_MS;
    const attempt = (): void => {
      if (this.closed) return;
      if (!this.flushed() && Date.now() < deadline) {
        setTimeout(attempt, FLUSH_POLL_MS).unref();
        return;
      }
      for (const s of this.streams) s.reset();
      // GOAWAY, then (spdy-transport) the transport is ended once the reset streams are gone. A
      // peer that never spoke SPDY gets no GOAWAY (there is no version to frame it in): the timer ends it.
      this.connection.end();
      setTimeout(() => this.destroy(), FLUSH_TIMEOUT_MS).unref();
    };
    attempt();
  }

  /** Tears the session down at once (no GOAWAY). */
  destroy(): void {
    this.closing = true;
    this.gate.destroy();
  }

  /** Called when a stream's unread backlog changed: holds or releases reading from the transport. */
  receiveBacklogChanged(): void {
    let over = false;
    for (const s of this.streams) {
      if (s.receiveBacklog > STREAM_RECEIVE_BACKLOG_LIMIT) {
        over = true;
        break;
      }
    }
    if (over) this.gate.hold();
    else this.gate.release();
  }

  private accept(inner: transport.Stream): void {
    if (this.closing) {
      inner.abort("REFUSED_STREAM");
      return;
    }
    const stream = new SpdyStream(inner, publicHeaders(inner.headers), this);
    inner.respond(200, {}, () => stream.replyQueued());
    this.streams.add(stream);
    stream.once("close", () => {
      this.streams.delete(stream);
      this.receiveBacklogChanged();
    });
    this.emit("stream", stream);
  }

  /** Nothing written by a stream is still on its way to the transport. */
  private flushed(): boolean {
    for (const s of this.streams) {
      // A reply still being compressed would otherwise come after the GOAWAY, or be dropped.
      if (!s.isReplied) return false;
      if (s.wasReset) continue;
      if (s.pendingWriteBytes > 0) return false;
      // end() was called but the FIN has not been scheduled yet.
      if (s.writableEnded && !s.writableFinished) return false;
    }
    const framer = this.connection._spdyState.framer;
    return framer.count === 0 && framer._readableState.length === 0 && this.gate.writableLength === 0;
  }
}
