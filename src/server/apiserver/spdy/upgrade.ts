/**
 * The HTTP side of a SPDY upgrade (`Connection: Upgrade`, `Upgrade: SPDY/3.1`): negotiation of the
 * stream protocol named in `X-Stream-Protocol-Version`, as apimachinery's `httpstream.Handshake`
 * does it, and the 101 answer.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { ApiError, badRequest } from "../../../shared/api/status.js";
import { SpdySession } from "./session.js";

export const SPDY_UPGRADE = "SPDY/3.1";
const PROTOCOL_VERSION_HEADER = "x-stream-protocol-version";

/** The protocols a client offers, in its order of preference (comma-separated, possibly repeated headers). */
export function offeredProtocols(req: IncomingMessage): string[] {
  const raw = req.headers[PROTOCOL_VERSION_HEADER];
  const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return values.flatMap((v) => v.split(",")).map((p) => p.trim()).filter(Boolean);
}

/**
 * The protocol to speak: the client's first offer that the server supports. "" when the client
 * offered none (pre-negotiation clients; the caller decides whether that is acceptable). Throws
 * upstream's 403 when nothing matches.
 *
 * @example negotiateProtocol(["v5.channel.k8s.io", "v4.channel.k8s.io"], ["v4.channel.k8s.io"]) // "v4.channel.k8s.io"
 */
export function negotiateProtocol(offered: string[], supported: string[]): string {
  if (offered.length === 0) return "";
  const chosen = offered.find((p) => supported.includes(p));
  if (chosen !== undefined) return chosen;
  throw new ApiError(403, "Forbidden", `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(" ")}], server accepts [${supported.join(" ")}]`);
}

/** Whether the request asks for a SPDY/3.1 upgrade. */
export function isSpdyUpgrade(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? "").toLowerCase() === SPDY_UPGRADE.toLowerCase();
}

/**
 * Completes a SPDY/3.1 upgrade: negotiates the stream protocol, answers 101 and returns the session
 * (`session.protocol` is the chosen protocol). Throws an ApiError, having written nothing, when the
 * request is not a SPDY upgrade or no protocol matches; the caller answers with its Status.
 *
 * @example const session = acceptSpdyUpgrade(req, socket, head, ["v4.channel.k8s.io", "v3.channel.k8s.io"]); session.on("stream", (s) => …)
 */
export function acceptSpdyUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, supported: string[]): SpdySession {
  if (!isSpdyUpgrade(req)) throw badRequest(`unable to upgrade: missing upgrade headers in request (expected Upgrade: ${SPDY_UPGRADE})`);
  const protocol = negotiateProtocol(offeredProtocols(req), supported);
  const lines = ["HTTP/1.1 101 Switching Protocols", "Connection: Upgrade", `Upgrade: ${SPDY_UPGRADE}`];
  if (protocol) lines.push(`X-Stream-Protocol-Version: ${protocol}`);
  socket.write(lines.join("\r\n") + "\r\n\r\n");
  if (head.length > 0) socket.unshift(head);
  (socket as Duplex & { setNoDelay?: (noDelay: boolean) => void }).setNoDelay?.(true);
  return new SpdySession(socket, protocol);
}

/**
 * A SPDY session over a byte stream that is already open, e.g. SPDY carried in the binary messages
 * of a WebSocket (`SPDY/3.1+portforward.k8s.io`).
 *
 * @example const session = spdySessionOver(createWebSocketStream(ws), "portforward.k8s.io")
 */
export function spdySessionOver(transport: Duplex, protocol = ""): SpdySession {
  return new SpdySession(transport, protocol);
}
