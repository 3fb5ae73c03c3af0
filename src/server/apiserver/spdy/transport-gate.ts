/**
 * The byte stream a SPDY connection reads and writes, with a valve on the reading side. SPDY flow
 * control cannot slow a client that ignores it (kubectl's spdystream does), so when a stream's
 * reader falls behind the session stops reading the transport and TCP slows the client instead.
 * spdy-transport pipes the gate into its parser and its framer into the gate.
 */
import { Duplex } from "node:stream";

/**
 * How long a closing session waits for the peer to close the transport after our FIN before it is
 * destroyed: spdystream closes at once on GOAWAY; a peer that does not must not pin the socket.
 */
const CLOSE_LINGER_MS = 5_000;

export class TransportGate extends Duplex {
  private held = false;

  /** @param afterChunk called after each chunk read from the transport was handed on. */
  constructor(
    private readonly inner: Duplex,
    private readonly afterChunk: () => void,
  ) {
    super({ allowHalfOpen: true });
    inner.on("data", (chunk: Buffer) => {
      if (!this.push(chunk)) inner.pause();
      this.afterChunk();
    });
    inner.once("end", () => this.push(null));
    inner.once("close", () => this.destroy());
    inner.on("error", (err: Error) => this.destroy(err));
    // An upgraded socket may have been left paused by the HTTP server.
    inner.resume();
  }

  /** Stops reading from the transport until release(). */
  hold(): void {
    if (this.held) return;
    this.held = true;
    this.inner.pause();
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    this.inner.resume();
  }

  get isHeld(): boolean {
    return this.held;
  }

  /** Ends our side after what is queued, then destroys once the peer closed or after a grace time (net.Socket's contract). */
  destroySoon(): void {
    if (this.destroyed) return;
    const timer = setTimeout(() => this.destroy(), CLOSE_LINGER_MS);
    timer.unref();
    this.once("close", () => clearTimeout(timer));
    this.end();
  }

  override _read(): void {
    if (!this.held) this.inner.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    if (this.inner.write(chunk)) callback();
    else this.inner.once("drain", () => callback());
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.inner.end();
    callback();
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.inner.destroy();
    callback(err);
  }
}
