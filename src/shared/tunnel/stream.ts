/**
 * One multiplexed stream: a node Duplex whose bytes travel as Data frames over the session's
 * WebSocket, with credit-based flow control in each direction.
 *
 * Receiving: the peer may have at most STREAM_WINDOW bytes in flight or unread here; we grant more
 * (Window frames) only as the application consumes what it has, so a slow reader bounds this
 * stream's memory to one window. Sending: we write only as much as the peer granted, and only while
 * the WebSocket's send buffer is below the session's high-water mark; until then the Duplex's write
 * callback waits, so `write()` returns false and a well-behaved producer stops.
 */
import { Duplex } from "node:stream";
import { FrameType, MAX_DATA_PAYLOAD, u32 } from "./frames.js";

/**
 * Per-stream receive window. 256 KiB keeps a LAN link busy (bandwidth × RTT of 100 Mbit/s × 20 ms is
 * 250 KB) while capping what one stalled reader can pin in memory.
 */
export const STREAM_WINDOW = 256 * 1024;

/**
 * Grant credit once the reader has consumed this much: batching Window frames (one per 64 KiB instead
 * of one per Data frame) keeps the control traffic small without starving the sender.
 */
const WINDOW_UPDATE_THRESHOLD = STREAM_WINDOW / 4;

/** Bytes the Duplex buffers before `write()` returns false (on top of what the window lets out). */
const WRITE_HIGH_WATER = 64 * 1024;

/** Stream metadata sent with Open: `kind` says what the stream carries ("api", "kubelet", …). */
export interface StreamMeta {
  kind: string;
  [key: string]: unknown;
}

/** What a stream needs from its session. */
export interface StreamLink {
  send(type: FrameType, streamId: number, payload?: Uint8Array): void;
  /** True when the socket's send buffer is below the high-water mark. */
  socketWritable(): boolean;
  /** Calls `fn` once when the socket's send buffer has drained. */
  whenSocketWritable(fn: () => void): void;
  /** The session is open (frames may still be sent). */
  alive(): boolean;
  forget(stream: TunnelStream): void;
  remoteAddress: string | undefined;
}

/** The stream was reset by the other side (or refused when opened). */
export class StreamResetError extends Error {
  override name = "StreamResetError";
  readonly code = "ERR_TUNNEL_STREAM_RESET";
}

interface PendingWrite {
  chunk: Buffer;
  offset: number;
  callback: (err?: Error | null) => void;
}

export class TunnelStream extends Duplex {
  /** Bytes we may still send before the peer grants more. */
  private sendCredit = STREAM_WINDOW;
  /** Total bytes received, and total credit granted to the peer (starting with the implicit first window). */
  private received = 0;
  private granted = STREAM_WINDOW;
  private pending: PendingWrite | undefined;
  private waitingForSocket = false;
  private finSent = false;
  private finReceived = false;
  private resetReceived = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private idleMs = 0;
  private resetReason: string | undefined;

  constructor(
    private readonly link: StreamLink,
    readonly id: number,
    readonly meta: StreamMeta,
  ) {
    super({ allowHalfOpen: true, readableHighWaterMark: STREAM_WINDOW, writableHighWaterMark: WRITE_HIGH_WATER });
  }

  // --- net.Socket look-alikes, so node:http clients and servers can use a stream as their socket ---

  /** The peer's address as the session's WebSocket sees it. */
  get remoteAddress(): string | undefined {
    return this.link.remoteAddress;
  }

  /** Emits "timeout" after `ms` without traffic, as net.Socket does (0 disables). */
  setTimeout(ms: number, callback?: () => void): this {
    this.idleMs = ms;
    if (callback) {
      if (ms === 0) this.removeListener("timeout", callback);
      else this.once("timeout", callback);
    }
    this.touch();
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  /** The session's socket keeps the process alive; a single stream cannot change that. */
  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  private touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.idleMs > 0 && !this.destroyed) {
      this.idleTimer = setTimeout(() => this.emit("timeout"), this.idleMs);
      this.idleTimer.unref();
    }
  }

  /**
   * Refuses or abandons the stream: the peer's side fails with `reason`, ours closes without an
   * error event (destroy(err) would also emit "error" here, which a refusing handler rarely wants).
   * @example if (!authorized(stream.meta)) stream.reset("stream kind not allowed")
   */
  reset(reason: string): void {
    this.resetReason = reason;
    this.destroy();
  }

  // --- frames from the session ---

  /** @internal Data from the peer. */
  handleData(payload: Buffer): void {
    if (this.destroyed) return;
    if (this.finReceived) {
      this.destroy(new StreamResetError("peer sent data after closing its side of the stream"));
      return;
    }
    if (this.received + payload.length > this.granted) {
      this.destroy(new StreamResetError("peer exceeded the stream's flow-control window"));
      return;
    }
    this.received += payload.length;
    this.touch();
    // Copy: the payload is a view into the WebSocket message, which must not be retained piecemeal.
    this.push(Buffer.from(payload));
    this.grantConsumed(); // a flowing reader may have taken it already
  }

  /** @internal The peer granted `increment` more bytes. */
  handleWindow(increment: number): void {
    this.sendCredit += increment;
    this.flush();
  }

  /** @internal The peer half-closed. */
  handleFin(): void {
    if (this.finReceived || this.destroyed) return;
    this.finReceived = true;
    this.push(null);
  }

  /** @internal The peer reset the stream. */
  handleReset(reason: string): void {
    this.resetReceived = true;
    this.destroy(new StreamResetError(reason ? `stream reset by peer: ${reason}` : "stream reset by peer"));
  }

  /** @internal The session ended: the stream ends with it. */
  handleSessionEnd(err: Error): void {
    this.resetReceived = true; // nothing can be sent any more
    this.destroy(err);
  }

  // --- Duplex implementation ---

  /**
   * Every way of consuming a Readable (read(), flowing mode, pipe, async iteration) goes through
   * read(), so this is where consumption becomes visible; _read alone is not enough, since node calls
   * it before taking bytes out of the buffer and not again until we push.
   */
  override read(size?: number): any {
    const chunk: unknown = super.read(size);
    this.grantConsumed();
    return chunk;
  }

  override _read(): void {
    this.grantConsumed();
  }

  /** Tells the peer about bytes the application has consumed, in batches. */
  private grantConsumed(): void {
    if (this.finReceived || this.destroyed) return;
    const consumed = this.received - this.readableLength;
    const target = consumed + STREAM_WINDOW;
    const increment = target - this.granted;
    if (increment >= WINDOW_UPDATE_THRESHOLD) {
      this.granted = target;
      this.link.send(FrameType.Window, this.id, u32(increment));
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.pending = { chunk, offset: 0, callback };
    this.touch();
    this.flush();
  }

  /** Sends as much of the pending write as credit and the socket allow; finishes it when all is out. */
  private flush(): void {
    const p = this.pending;
    if (!p || this.destroyed || this.waitingForSocket) return;
    while (p.offset < p.chunk.length) {
      const n = Math.min(p.chunk.length - p.offset, this.sendCredit, MAX_DATA_PAYLOAD);
      if (n === 0) return; // wait for a Window frame
      if (!this.link.socketWritable()) {
        this.waitingForSocket = true;
        this.link.whenSocketWritable(() => {
          this.waitingForSocket = false;
          this.flush();
        });
        return;
      }
      this.link.send(FrameType.Data, this.id, p.chunk.subarray(p.offset, p.offset + n));
      this.sendCredit -= n;
      p.offset += n;
    }
    this.pending = undefined;
    p.callback();
  }

  override _final(callback: (err?: Error | null) => void): void {
    if (!this.link.alive()) {
      callback(new StreamResetError("tunnel session closed"));
      return;
    }
    this.finSent = true;
    this.link.send(FrameType.Fin, this.id);
    callback();
  }

  override _destroy(err: Error | null, callback: (err: Error | null) => void): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.pending = undefined;
    const cleanlyDone = this.finSent && this.finReceived;
    if (!cleanlyDone && !this.resetReceived && this.link.alive()) {
      this.link.send(FrameType.Reset, this.id, Buffer.from(truncate(err?.message ?? this.resetReason ?? "cancelled")));
    }
    this.link.forget(this);
    callback(err);
  }
}

/** Reset reasons are informational; keep them well under the control-frame limit. */
const MAX_REASON_CHARS = 1024;

function truncate(s: string): string {
  return s.length > MAX_REASON_CHARS ? s.slice(0, MAX_REASON_CHARS) : s;
}

