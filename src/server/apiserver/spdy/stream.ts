/**
 * One SPDY stream as a node Duplex: its DATA in both directions with backpressure, the client's
 * headers, and half-close (the client's FIN ends our readable side; `end()` sends our FIN).
 */
import { Duplex } from "node:stream";
import type transport from "spdy-transport";

/** What a stream asks of its session: a look at the receive backlog after it changed. */
export interface StreamOwner {
  receiveBacklogChanged(): void;
}

export class SpdyStream extends Duplex {
  /** The stream id (odd: opened by the client). */
  readonly id: number;
  /** Whether our SYN_REPLY is queued; a reset must not overtake it (RST is framed at once, the reply after header compression). */
  private replied = false;
  private resetWhenReplied = false;

  /**
   * @param headers the client's SYN_STREAM headers, lower-case names (`streamtype`, `port`, …).
   */
  constructor(
    private readonly inner: transport.Stream,
    readonly headers: Record<string, string>,
    private readonly owner: StreamOwner,
  ) {
    super({ allowHalfOpen: true });
    this.id = inner.id;
    inner.on("data", (chunk: Buffer) => {
      if (!this.push(chunk)) inner.pause();
      owner.receiveBacklogChanged();
    });
    inner.once("end", () => this.push(null));
    // A reset (RST_STREAM from the peer, or the session going away) ends the stream at once; the
    // reason is not an error of ours to raise on whoever holds the stream.
    inner.on("error", () => undefined);
    inner.on("close", () => {
      if (this.wasReset) this.destroy();
      owner.receiveBacklogChanged();
    });
  }

  /** Called by the session once the SYN_REPLY is queued. */
  replyQueued(): void {
    this.replied = true;
    if (this.resetWhenReplied) this.inner.abort();
  }

  /** Whether the SYN_REPLY has been queued. */
  get isReplied(): boolean {
    return this.replied;
  }

  /** Bytes received from the client that our reader has not taken yet (in spdy-transport's buffer). */
  get receiveBacklog(): number {
    return this.inner.readableLength;
  }

  /** Whether the stream was reset (by the peer, by reset(), or because the session went away). */
  get wasReset(): boolean {
    return this.inner._spdyState.aborted;
  }

  /** Bytes written but not yet handed to the session's frame queue. */
  get pendingWriteBytes(): number {
    return this.inner._writableState.length;
  }

  /**
   * Resets the stream (RST_STREAM CANCEL): refuses it or abandons it in both directions.
   * @example session.on("stream", (s) => { if (!wanted(s.headers)) s.reset(); })
   */
  reset(): void {
    this.destroy();
  }

  override _read(): void {
    if (this.inner.isPaused()) this.inner.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    if (this.wasReset) return callback();
    this.inner.write(chunk, (err?: Error | null) => {
      callback();
      // The only write error is a reset stream; the reset itself is reported by closing.
      if (err) this.destroy();
    });
  }

  override _final(callback: (err?: Error | null) => void): void {
    if (this.wasReset || this.inner._writableState.finished) return callback();
    // spdy-transport schedules the FIN frame in its own "finish" listener, which runs before this one.
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      callback();
    };
    this.inner.once("finish", finish);
    this.inner.once("close", finish);
    this.inner.end();
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    // A stream closed in both directions is not reset: abort() does nothing for it.
    if (this.replied) this.inner.abort();
    else this.resetWhenReplied = true;
    callback(err);
  }
}
