/**
 * The tunnel's wire format: one binary WebSocket message carries exactly one frame,
 *
 *   byte 0      frame type (FrameType)
 *   bytes 1–4   stream id, u32 big-endian (0 = the session itself: pings)
 *   bytes 5–8   payload length, u32 big-endian (must equal the bytes that follow)
 *   bytes 9…    payload
 *
 * The explicit length is redundant with the WebSocket message length on purpose: a mismatch is a
 * broken peer, and we close the session instead of guessing.
 */

/** Frame kinds. Values are part of the protocol: never renumber. */
export const FrameType = {
  /** Opens a stream; payload is its metadata as UTF-8 JSON. */
  Open: 1,
  /** Stream bytes; payload size counts against the receiver's window. */
  Data: 2,
  /** Grants the sender more window; payload is a u32 increment. */
  Window: 3,
  /** The sender will write no more on this stream (half-close). */
  Fin: 4,
  /** Aborts the stream in both directions; payload is a UTF-8 reason. */
  Reset: 5,
  /** Liveness probe on stream 0; payload is echoed in the Pong. */
  Ping: 6,
  Pong: 7,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

export const FRAME_HEADER_BYTES = 9;

/**
 * Largest Data payload a sender puts in one frame. Small enough that streams sharing the socket
 * interleave (one stream's 10 MB transfer does not hold others back for long), large enough that the
 * 9-byte header is noise.
 */
export const MAX_DATA_PAYLOAD = 32 * 1024;

/** Largest Open metadata (JSON) or Reset reason accepted: both are small by design. */
export const MAX_CONTROL_PAYLOAD = 8 * 1024;

/** Largest WebSocket message either side accepts; anything bigger is a protocol error (ws closes with 1009). */
export const MAX_MESSAGE_BYTES = FRAME_HEADER_BYTES + Math.max(MAX_DATA_PAYLOAD, MAX_CONTROL_PAYLOAD);

export interface Frame {
  type: FrameType;
  streamId: number;
  payload: Buffer;
}

const KNOWN_TYPES = new Set<number>(Object.values(FrameType));

/** A peer that does not speak the protocol; the session closes when it sees one. */
export class ProtocolError extends Error {
  override name = "ProtocolError";
}

/**
 * Encodes one frame as a single buffer (header + payload).
 * @example ws.send(encodeFrame(FrameType.Data, 3, chunk))
 */
export function encodeFrame(type: FrameType, streamId: number, payload?: Uint8Array): Buffer {
  const length = payload?.length ?? 0;
  const buf = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
  buf.writeUInt8(type, 0);
  buf.writeUInt32BE(streamId >>> 0, 1);
  buf.writeUInt32BE(length, 5);
  if (payload && length) buf.set(payload, FRAME_HEADER_BYTES);
  return buf;
}

/**
 * Decodes one WebSocket message into a frame. The payload is a view into `message` (no copy).
 * Throws ProtocolError on a short message, an unknown type or a length mismatch.
 * @example const { type, streamId, payload } = decodeFrame(message)
 */
export function decodeFrame(message: Buffer): Frame {
  if (message.length < FRAME_HEADER_BYTES) throw new ProtocolError(`frame of ${message.length} bytes is shorter than its header`);
  const type = message.readUInt8(0);
  if (!KNOWN_TYPES.has(type)) throw new ProtocolError(`unknown frame type ${type}`);
  const streamId = message.readUInt32BE(1);
  const length = message.readUInt32BE(5);
  if (length !== message.length - FRAME_HEADER_BYTES) throw new ProtocolError(`frame length ${length} does not match the ${message.length - FRAME_HEADER_BYTES} payload bytes received`);
  return { type: type as FrameType, streamId, payload: message.subarray(FRAME_HEADER_BYTES) };
}

/**
 * A u32 payload (Window increments).
 * @example encodeFrame(FrameType.Window, id, u32(65536))
 */
export function u32(value: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(value >>> 0, 0);
  return b;
}
