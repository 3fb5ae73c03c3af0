/**
 * SPDY/3.1 on the API server, for the Kubernetes streaming subresources (exec, attach,
 * port-forward) that kubectl frames in SPDY. See upgrade.ts for the entry points.
 */
export { acceptSpdyUpgrade, isSpdyUpgrade, negotiateProtocol, offeredProtocols, spdySessionOver, SPDY_UPGRADE } from "./upgrade.js";
export { SpdySession } from "./session.js";
export { SpdyStream } from "./stream.js";
