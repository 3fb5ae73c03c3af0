/**
 * Framing of an exec/attach session on a kubelet tunnel stream (after the stream header line):
 * each frame is `[channel u8][length u32 big-endian][payload]`. The channels are the ones of the
 * Kubernetes remote-command WebSocket protocol (`v5.channel.k8s.io`), so the server relays frames
 * to and from the client's WebSocket messages without translating them; the length prefix is needed
 * only because the tunnel stream is a byte stream, not a message stream. The session's last frame
 * is the Status on channel 3 (ExecStatus), written by the node or, when the node is lost, by the server.
 */

/** Remote-command channels (apimachinery `remotecommand` constants, plus v5's close signal). */
export const ExecChannel = {
  stdin: 0,
  stdout: 1,
  stderr: 2,
  /** One JSON `metav1.Status` from the node: Success, NonZeroExitCode, or another failure. */
  status: 3,
  /** `{"Width":…,"Height":…}` from the client (tty only). */
  resize: 4,
  /** v5: the client closed the channel named by the payload's first byte (stdin EOF). */
  close: 255,
} as const;

export interface ExecFrame {
  channel: number;
  payload: Buffer;
}

/** Bytes before the payload: channel byte and a 32-bit length. */
const FRAME_HEADER_BYTES = 5;

/**
 * Largest payload accepted. A peer never needs more than one WebSocket message's worth (kubectl
 * writes stdin in 32 KiB chunks, our producers write what a pipe read returns); the cap keeps a
 * corrupt length from making the decoder buffer without bound.
 */
export const MAX_EXEC_FRAME_PAYLOAD = 1024 * 1024;

/**
 * One frame as bytes.
 * @example stream.write(encodeExecFrame(ExecChannel.stdout, Buffer.from("hi\n")))
 */
export function encodeExecFrame(channel: number, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  if (!Number.isInteger(channel) || channel < 0 || channel > 255) throw new RangeError(`exec channel must be a byte, got ${channel}`);
  if (payload.length > MAX_EXEC_FRAME_PAYLOAD) throw new RangeError(`exec frame payload of ${payload.length} bytes exceeds ${MAX_EXEC_FRAME_PAYLOAD}`);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame[0] = channel;
  frame.writeUInt32BE(payload.length, 1);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/**
 * Splits a byte stream into frames, whatever the chunk boundaries.
 * @example const d = new ExecFrameDecoder(); stream.on("data", (c) => { for (const f of d.push(c)) handle(f); });
 */
export class ExecFrameDecoder {
  private buffered: Buffer = Buffer.alloc(0);

  /** Adds bytes; returns the frames completed by them. Throws on an oversized frame (a broken peer). */
  push(chunk: Buffer): ExecFrame[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    const frames: ExecFrame[] = [];
    let offset = 0;
    while (this.buffered.length - offset >= FRAME_HEADER_BYTES) {
      const length = this.buffered.readUInt32BE(offset + 1);
      if (length > MAX_EXEC_FRAME_PAYLOAD) throw new RangeError(`exec frame of ${length} bytes exceeds ${MAX_EXEC_FRAME_PAYLOAD}`);
      const end = offset + FRAME_HEADER_BYTES + length;
      if (this.buffered.length < end) break;
      frames.push({ channel: this.buffered[offset]!, payload: this.buffered.subarray(offset + FRAME_HEADER_BYTES, end) });
      offset = end;
    }
    this.buffered = offset === this.buffered.length ? Buffer.alloc(0) : this.buffered.subarray(offset);
    return frames;
  }

  /** Bytes of an incomplete frame still waiting for the rest. */
  get pendingBytes(): number {
    return this.buffered.length;
  }
}

/** The `metav1.Status` sent on channel 3 when a session ends (as upstream's remotecommand server writes it). */
export interface ExecStatus {
  metadata: Record<string, never>;
  status: "Success" | "Failure";
  message?: string;
  reason?: string;
  details?: { causes: { reason: string; message: string }[] };
}

/**
 * A Status for a session that failed for another reason than its exit code (kubectl shows it as `error: …`).
 * @example encodeExecFrame(ExecChannel.status, Buffer.from(JSON.stringify(failureStatus("the node went away"))))
 */
export function failureStatus(message: string): ExecStatus {
  return { metadata: {}, status: "Failure", message, reason: "InternalError" };
}
