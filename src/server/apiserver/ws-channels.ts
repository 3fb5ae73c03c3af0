/**
 * The Kubernetes remote-command WebSocket subprotocols (apimachinery `wsstream`): every binary
 * message is one channel byte followed by the payload. `v5.channel.k8s.io` adds the close signal
 * `[255, channel]` (kubectl 1.30+ needs it for stdin EOF); `v4.channel.k8s.io` is what older
 * clients and @kubernetes/client-node settle on. The base64 variants are used by no client we
 * support and are not offered.
 */
import type { IncomingMessage } from "node:http";

export const CHANNEL_PROTOCOL_V5 = "v5.channel.k8s.io";
export const CHANNEL_PROTOCOL_V4 = "v4.channel.k8s.io";

/** Subprotocols we speak, most preferred first. */
export const CHANNEL_PROTOCOLS = [CHANNEL_PROTOCOL_V5, CHANNEL_PROTOCOL_V4] as const;

/**
 * Picks the subprotocol to echo in the 101 answer, or false when the client offers none we speak.
 * @example pickChannelProtocol(new Set(["v5.channel.k8s.io", "v4.channel.k8s.io"])) // "v5.channel.k8s.io"
 */
export function pickChannelProtocol(offered: Set<string>): string | false {
  for (const p of CHANNEL_PROTOCOLS) if (offered.has(p)) return p;
  return false;
}

/** Whether the protocol understands the `[255, channel]` close signal. */
export function supportsCloseSignal(protocol: string): boolean {
  return protocol === CHANNEL_PROTOCOL_V5;
}

/**
 * One channel message as sent to the client.
 * @example ws.send(channelMessage(1, Buffer.from("hi\n")))
 */
export function channelMessage(channel: number, payload: Uint8Array): Buffer {
  const m = Buffer.allocUnsafe(1 + payload.length);
  m[0] = channel;
  m.set(payload, 1);
  return m;
}

/**
 * Splits a client message into channel and payload; undefined for an empty message (upstream ignores those).
 * @example parseChannelMessage(Buffer.from([0, 104, 105])) // { channel: 0, payload: <"hi"> }
 */
export function parseChannelMessage(data: Buffer): { channel: number; payload: Buffer } | undefined {
  if (data.length === 0) return undefined;
  return { channel: data[0]!, payload: data.subarray(1) };
}

/**
 * The subprotocols a WebSocket upgrade offers, in order, read from the raw header (the `ws` package
 * would refuse `SPDY/3.1+portforward.k8s.io` as no token before a handler sees it).
 *
 * @example offeredSubprotocols(req) // ["v5.channel.k8s.io", "v4.channel.k8s.io"]
 */
export function offeredSubprotocols(req: IncomingMessage): string[] {
  return String(req.headers["sec-websocket-protocol"] ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
}
