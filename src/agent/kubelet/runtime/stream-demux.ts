/**
 * Docker's stream framing for containers without a TTY: every chunk of output is an 8-byte header
 * (stream type: 0 stdin, 1 stdout, 2 stderr; three zero bytes; payload length, big endian) and the
 * payload. `DockerDemux` splits such a byte stream into its stdout and stderr payloads, with
 * back-pressure: it stops reading from Docker while a destination is full.
 */
import { PassThrough, Writable, type Readable } from "node:stream";

const HEADER_SIZE = 8;
export const STREAM_STDOUT = 1;
export const STREAM_STDERR = 2;

/** Where each stream's payload goes; `null` drops it. Both may be the same stream (merged logs). */
export interface DemuxTargets {
  stdout: PassThrough | null;
  stderr: PassThrough | null;
}

/**
 * A Writable that demultiplexes Docker's framed output into `targets`, ending them when it ends.
 *
 * @example const out = new PassThrough(); dockerResponse.pipe(new DockerDemux({ stdout: out, stderr: out }));
 */
export class DockerDemux extends Writable {
  private pending: Buffer = Buffer.alloc(0);
  /** Payload bytes still to come for the frame being read, and where they go. */
  private remaining = 0;
  private current: PassThrough | null = null;

  constructor(private readonly targets: DemuxTargets) {
    super();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    let full = false;
    const send = (part: Buffer) => {
      if (this.current && part.length && !this.current.write(part)) full = true;
    };
    while (buf.length) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, buf.length);
        send(buf.subarray(0, n));
        this.remaining -= n;
        buf = buf.subarray(n);
        continue;
      }
      if (buf.length < HEADER_SIZE) {
        this.pending = Buffer.from(buf);
        break;
      }
      const type = buf[0];
      this.remaining = buf.readUInt32BE(4);
      this.current = type === STREAM_STDERR ? this.targets.stderr : type === STREAM_STDOUT ? this.targets.stdout : null;
      buf = buf.subarray(HEADER_SIZE);
    }
    if (!full) return done();
    // Wait until every full destination drains (or goes away) before reading more from Docker.
    const waitOn = new Set([this.targets.stdout, this.targets.stderr].filter((t): t is PassThrough => !!t && t.writableNeedDrain));
    if (!waitOn.size) return done();
    let left = waitOn.size;
    for (const t of waitOn) {
      const settle = () => {
        t.off("drain", settle);
        t.off("close", settle);
        if (--left === 0) done();
      };
      t.on("drain", settle);
      t.on("close", settle);
    }
  }

  override _final(done: (err?: Error | null) => void): void {
    this.endTargets();
    done();
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.endTargets();
    done(err);
  }

  private endTargets(): void {
    for (const t of new Set([this.targets.stdout, this.targets.stderr])) if (t && !t.writableEnded) t.end();
  }
}

/**
 * Pipes `source` into `dest` and ends `dest` however the source stops: at its end, when it is
 * destroyed (a caller closing a session) or on a connection error. Consumers always see an end,
 * never an 'error' they might not listen for (an unhandled one would take the agent down); what
 * arrived before the break is delivered.
 *
 * @example pipeEnding(socket, new PassThrough())
 */
export function pipeEnding<T extends Writable>(source: Readable, dest: T): T {
  const finish = () => {
    if (!dest.writableEnded && !dest.destroyed) dest.end();
  };
  source.on("error", finish);
  source.on("close", finish);
  source.pipe(dest);
  return dest;
}

/**
 * Pipes Docker's framed `source` into fresh stdout/stderr streams (or one merged stream).
 *
 * @example const { stdout, stderr } = demux(socket, { merged: false });
 */
export function demux(source: Readable, opts: { merged: boolean }): { stdout: PassThrough; stderr: PassThrough } {
  const stdout = new PassThrough();
  const stderr = opts.merged ? stdout : new PassThrough();
  pipeEnding(source, new DockerDemux({ stdout, stderr }));
  return { stdout, stderr };
}
