/**
 * The agent ↔ server tunnel's multiplexer, used by both ends: `TunnelSession` over one WebSocket,
 * `TunnelStream` (a Duplex) per stream.
 * @example
 * import { TunnelSession } from "../shared/tunnel/index.js";
 * const session = new TunnelSession(ws, { role: "server", onStream: (s) => httpServer.emit("connection", s) });
 */
export { TunnelSession, TunnelClosedError, PING_INTERVAL_MS, PING_TIMEOUT_MS, SOCKET_HIGH_WATER, MAX_STREAMS, type TunnelSessionOptions, type SessionRole } from "./session.js";
export { TunnelStream, StreamResetError, STREAM_WINDOW, type StreamMeta } from "./stream.js";
export { MAX_MESSAGE_BYTES, ProtocolError } from "./frames.js";
export { TUNNEL_PATH, CACERTS_PATH, NODE_CREDENTIALS_PATH, NODE_NAME_HEADER, type NodeCredentials } from "./protocol.js";
