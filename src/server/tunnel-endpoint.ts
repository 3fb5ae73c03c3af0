/**
 * The server end of the agent tunnel, on the API server's HTTPS port:
 *  - `GET /cacerts`: the cluster CA, unauthenticated, so a joining agent can check it against the hash
 *    in its join token before it sends any secret (as k3s serves it);
 *  - `POST /v1-kube-lite/node-credentials`: join token (or the node's current certificate) → a client
 *    certificate for `system:node:<name>`;
 *  - `wss://…/v1-kube-lite/connect`: the tunnel itself, for a node certificate. Agent-opened "api"
 *    streams carry plain HTTP/1.1 into the API handler as that node; `openKubeletStream` opens
 *    streams the other way for the kubelet's streaming endpoints.
 */
import { EventEmitter } from "node:events";
import http, { type IncomingMessage, type RequestListener, type ServerResponse } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { ApiError, unauthorized } from "../shared/api/status.js";
import type { Logger } from "../shared/log.js";
import { CACERTS_PATH, MAX_MESSAGE_BYTES, NODE_CREDENTIALS_PATH, NODE_NAME_HEADER, TUNNEL_PATH, TunnelSession, type NodeCredentials, type StreamMeta, type TunnelStream } from "../shared/tunnel/index.js";
import { bearerToken, mayIssueNodeCredentials, NODE_GROUP, NODE_USER_PREFIX, nodeOfCertificate, verifiedPeerCertificate } from "./tunnel/authorize.js";
import { bindTunnelUser } from "./tunnel/identity.js";
import { NodeCredentialRegistry } from "./tunnel/node-credentials.js";

export { tunnelUser } from "./tunnel/identity.js";

/**
 * Idle keep-alive time of an "api" stream's HTTP connection. Matches the HTTPS server's 65 s, so an
 * agent's pooled connection is never closed under a request it is about to send.
 */
const API_KEEP_ALIVE_TIMEOUT_MS = 65_000;

export interface TunnelEndpointOptions {
  /** Cluster CA (its key signs node certificates). */
  tls: { caCertPem: string; caKeyPem?: string };
  /** The cluster join token (`K10<hash>::server:<secret>`). */
  joinToken: string;
  /** The API server's request listener (`ApiHandler.listener`), used for "api" streams. */
  listener: RequestListener;
  /** Data directory: node credential records go to `<dataDir>/server/tunnel/`. */
  dataDir: string;
  logger: Logger;
  /** Session ping tuning (tests). */
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
}

/** No tunnel from that node right now. */
export class NodeNotConnectedError extends ApiError {
  constructor(node: string) {
    super(503, "ServiceUnavailable", `node "${node}" is not connected to the server (no tunnel)`);
  }
}

/**
 * Events: "connect" (nodeName), "disconnect" (nodeName, reason?: Error).
 */
export class TunnelEndpoint extends EventEmitter {
  private readonly sessions = new Map<string, TunnelSession>();
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false });
  private readonly apiServer: http.Server;

  constructor(
    private readonly opts: TunnelEndpointOptions,
    private readonly nodes: NodeCredentialRegistry,
  ) {
    super();
    this.apiServer = http.createServer(opts.listener);
    this.apiServer.keepAliveTimeout = API_KEEP_ALIVE_TIMEOUT_MS;
  }

  /** Names of the nodes with a live tunnel. */
  connectedNodes(): string[] {
    return [...this.sessions.keys()];
  }

  /** Whether `node` has a live tunnel. */
  isConnected(node: string): boolean {
    return this.sessions.has(node);
  }

  /**
   * Opens a stream to a node's kubelet (logs, exec, attach, port-forward, stats); the stream carries
   * an HTTP/1.1 request for `path`. The agent refuses anything but its own kubelet endpoints.
   * Throws NodeNotConnectedError when the node has no tunnel.
   * @example const s = endpoint.openKubeletStream("pi1", { path: "/containerLogs/default/web/nginx?follow=true" })
   */
  openKubeletStream(nodeName: string, meta: { path: string; [key: string]: unknown }): TunnelStream {
    const session = this.sessions.get(nodeName);
    if (!session) throw new NodeNotConnectedError(nodeName);
    return session.openStream({ ...meta, kind: "kubelet", node: nodeName });
  }

  /**
   * Serves the endpoint's plain HTTP paths; returns false for any other request (the API handler's).
   * @example if (!tunnel.handleRequest(req, res)) handler.listener(req, res)
   */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean {
    const pathname = (req.url ?? "/").split("?")[0];
    if (pathname === CACERTS_PATH) {
      if (req.method !== "GET" && req.method !== "HEAD") return this.fail(res, new ApiError(405, "MethodNotAllowed", "only GET is allowed"));
      // The exact bytes of the CA file: agents hash them.
      res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(this.opts.tls.caCertPem) });
      res.end(req.method === "HEAD" ? undefined : this.opts.tls.caCertPem);
      return true;
    }
    if (pathname === NODE_CREDENTIALS_PATH) {
      this.issueCredentials(req, res).catch((err: unknown) => {
        this.opts.logger.error({ err }, "issuing node credentials failed");
        this.fail(res, err instanceof ApiError ? err : new ApiError(500, "InternalError", "issuing node credentials failed"));
      });
      return true;
    }
    return false;
  }

  /**
   * Takes WebSocket upgrades for the tunnel path; returns false for any other path.
   * @example server.on("upgrade", (req, socket, head) => { if (!tunnel.handleUpgrade(req, socket, head)) socket.destroy() })
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if ((req.url ?? "/").split("?")[0] !== TUNNEL_PATH) return false;
    const node = nodeOfCertificate(verifiedPeerCertificate(req), (n, fp) => this.nodes.isCurrent(n, fp));
    if (!node) {
      this.opts.logger.warn({ remoteAddress: req.socket.remoteAddress }, "tunnel connection refused: no current node certificate");
      rejectUpgrade(socket, unauthorized());
      return true;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.adopt(node, ws));
    return true;
  }

  /** Closes every tunnel (server shutdown). */
  close(): void {
    for (const s of this.sessions.values()) s.close("server shutting down");
    this.sessions.clear();
    this.wss.close();
    this.apiServer.close();
  }

  private adopt(node: string, ws: WebSocket): void {
    const user = { username: NODE_USER_PREFIX + node, groups: [NODE_GROUP] };
    const session = new TunnelSession(ws, {
      role: "server",
      logger: this.opts.logger,
      pingIntervalMs: this.opts.pingIntervalMs,
      pingTimeoutMs: this.opts.pingTimeoutMs,
      onStream: (stream) => this.serveAgentStream(node, user, stream),
    });
    const previous = this.sessions.get(node);
    this.sessions.set(node, session);
    // A node has one tunnel: a reconnecting agent's new session replaces its half-dead old one.
    if (previous) previous.close("replaced by a newer connection from the same node");
    this.opts.logger.info({ node, remoteAddress: remoteAddressOf(ws) }, "agent connected");
    this.emit("connect", node);
    session.once("close", (reason?: Error) => {
      if (this.sessions.get(node) !== session) return;
      this.sessions.delete(node);
      this.opts.logger.info({ node, reason: reason?.message }, "agent disconnected");
      this.emit("disconnect", node, reason);
    });
  }

  /** Agent-opened streams: only "api" (HTTP into the API server, as the node). */
  private serveAgentStream(node: string, user: { username: string; groups: string[] }, stream: TunnelStream): void {
    if (stream.meta.kind !== "api") {
      this.opts.logger.warn({ node, kind: stream.meta.kind }, "refused tunnel stream of unknown kind");
      stream.reset(`stream kind ${JSON.stringify(stream.meta.kind)} is not served`);
      return;
    }
    bindTunnelUser(stream, user);
    stream.on("error", () => undefined); // the HTTP server handles the request's fate; a reset is not a server error
    this.apiServer.emit("connection", stream);
  }

  private async issueCredentials(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST") throw new ApiError(405, "MethodNotAllowed", "only POST is allowed");
    req.resume();
    const nodeHeader = req.headers[NODE_NAME_HEADER];
    const nodeName = typeof nodeHeader === "string" ? nodeHeader.trim() : "";
    const certNode = nodeOfCertificate(verifiedPeerCertificate(req), (n, fp) => this.nodes.isCurrent(n, fp));
    const how = mayIssueNodeCredentials({ bearer: bearerToken(req), certNode }, nodeName, this.opts.joinToken);
    if (!how) {
      this.opts.logger.warn({ node: nodeName, remoteAddress: req.socket.remoteAddress }, "node credentials refused: join token or node name rejected");
      throw new ApiError(401, "Unauthorized", "join token rejected (or invalid node name)");
    }
    const issued = await this.nodes.issue(nodeName);
    this.opts.logger.info({ node: nodeName, via: how }, "issued node credentials");
    const body: NodeCredentials = { nodeName, certPem: issued.certPem, keyPem: issued.keyPem, caCertPem: this.opts.tls.caCertPem };
    res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store" });
    res.end(JSON.stringify(body));
  }

  private fail(res: ServerResponse, err: ApiError): true {
    if (!res.headersSent) {
      res.writeHead(err.code, { "Content-Type": "application/json" });
      res.end(JSON.stringify(err.toStatus()));
    } else res.destroy();
    return true;
  }
}

function remoteAddressOf(ws: WebSocket): string | undefined {
  return (ws as unknown as { _socket?: { remoteAddress?: string } })._socket?.remoteAddress;
}

/** Answers a refused upgrade with a Status body and closes the socket. */
function rejectUpgrade(socket: Duplex, err: ApiError): void {
  const body = JSON.stringify(err.toStatus());
  socket.end(`HTTP/1.1 ${err.code} ${http.STATUS_CODES[err.code] ?? ""}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/**
 * Creates the tunnel endpoint and wires its WebSocket upgrades on `server`; the caller routes plain
 * requests through `handleRequest` first (see the example).
 * @example
 * const tunnel = await attachTunnelEndpoint(server, { tls, joinToken: tokens.joinToken, listener: handler.listener, dataDir, logger: componentLogger("tunnel") });
 * // in the request listener: if (tunnel.handleRequest(req, res)) return; handler.listener(req, res);
 */
export async function attachTunnelEndpoint(server: HttpsServer, opts: TunnelEndpointOptions): Promise<TunnelEndpoint> {
  const nodes = await NodeCredentialRegistry.load(opts.dataDir, opts.tls);
  const endpoint = new TunnelEndpoint(opts, nodes);
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (endpoint.handleUpgrade(request, socket, head)) return;
    // Nobody else takes upgrades yet: answer instead of leaving the client hanging.
    if (server.listenerCount("upgrade") === 1) rejectUpgrade(socket, new ApiError(404, "NotFound", "the server could not find the requested resource"));
  });
  return endpoint;
}

export type { StreamMeta };
