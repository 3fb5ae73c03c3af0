/**
 * Who is on the other end of a tunnel stream. The endpoint binds the node's identity to each "api"
 * stream it hands to the HTTP server; the Authenticator asks `tunnelUser(req)`. Only our own code can
 * put a socket in this map, so a request that arrived any other way (HTTPS from the network) can
 * never carry a tunnel identity.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { UserInfo } from "../apiserver/auth.js";

const identities = new WeakMap<object, UserInfo>();

/**
 * Marks `socket` (an "api" tunnel stream) as speaking for `user`.
 * @example bindTunnelUser(stream, { username: "system:node:pi1", groups: ["system:nodes"] })
 */
export function bindTunnelUser(socket: Duplex, user: UserInfo): void {
  identities.set(socket, user);
}

/**
 * The node a request came from when it arrived through the tunnel, else undefined. Groups are as
 * issued (without "system:authenticated"; the Authenticator adds it).
 * @example const node = tunnelUser(req) // { username: "system:node:pi1", groups: ["system:nodes"] }
 */
export function tunnelUser(req: IncomingMessage): UserInfo | undefined {
  return identities.get(req.socket);
}
