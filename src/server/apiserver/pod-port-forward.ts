/**
 * `…/pods/<name>/portforward`: authenticates the upgrade like any API request, checks the pod as
 * upstream's pod REST does (it exists, it has a node, the `ports` query is valid), then serves the
 * three client transports, opening one kubelet stream through the agent tunnel per forwarded
 * connection (`/portForward/<namespace>/<pod>?port=N`, src/agent/kubelet/streaming/port-forward.ts):
 *
 * - WebSocket `v4.channel.k8s.io` (@kubernetes/client-node): one connection per requested port,
 *   channels 2i data and 2i+1 error, each starting with the port (port-forward-channels.ts);
 * - SPDY/3.1 (`POST`, `Upgrade: SPDY/3.1`, `X-Stream-Protocol-Version: portforward.k8s.io`; every
 *   kubectl, and the fallback of 1.31+): one `error` + `data` stream pair per local connection
 *   (port-forward-pairs.ts);
 * - the same SPDY inside binary WebSocket messages (`Sec-WebSocket-Protocol:
 *   SPDY/3.1+portforward.k8s.io`, kubectl 1.31+ by default).
 *
 * A connection the pod refuses is reported as text on that connection's error stream or channel and
 * ends only that connection, as upstream's kubelet does.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Pod } from "kubernetes-types/core/v1.js";
import { createWebSocketStream, WebSocketServer, type WebSocket } from "ws";
import { badRequest, unauthorized } from "../../shared/api/status.js";
import type { KubeObject } from "../../shared/api/types.js";
import type { Logger } from "../../shared/log.js";
import type { TunnelStream } from "../../shared/tunnel/index.js";
import type { UserInfo } from "./auth.js";
import { openKubeletSession, type KubeletStreams } from "./kubelet-session.js";
import { dataChannel, errorChannel, MAX_WEBSOCKET_PORTS, parsePortsQuery, PORT_FORWARD_CHANNEL_PROTOCOL, portPrefix, WebSocketChannelStream } from "./port-forward-channels.js";
import { StreamPairs, type PortForwardStream, type StreamPair } from "./port-forward-pairs.js";
import { relay } from "../../shared/stream-relay.js";
import { asApiError, rejectUpgrade } from "./upgrade-reply.js";
import { channelMessage, offeredSubprotocols, parseChannelMessage } from "./ws-channels.js";
import { acceptSpdyUpgrade, spdySessionOver, type SpdySession, type SpdyStream } from "./spdy/index.js";

export interface PodPortForwardOptions {
  /** The API server's authenticator (`Authenticator.authenticate`). */
  authenticate(req: IncomingMessage): UserInfo | undefined;
  /** The pods store (`cp.store("", "pods")`): get throws the upstream 404. */
  pods: { get(namespace: string, name: string): Promise<KubeObject> };
  /** The tunnel endpoint. */
  tunnel: KubeletStreams;
  log: Logger;
}

/** The port-forward subprotocol of SPDY (`X-Stream-Protocol-Version`), upstream's only version. */
export const PORT_FORWARD_SPDY_PROTOCOL = "portforward.k8s.io";

/** The WebSocket subprotocol of SPDY tunnelled in WebSocket messages (client-go's tunneling dialer). */
export const PORT_FORWARD_TUNNEL_PROTOCOL = `SPDY/3.1+${PORT_FORWARD_SPDY_PROTOCOL}`;

/** Matches the subresource path; groups: namespace, pod. */
const PORT_FORWARD_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward$/;

/**
 * Largest client WebSocket message: client-node sends a local socket's chunks (64 KiB), client-go's
 * tunnel one SPDY frame per message (data frames are at most 16 MiB by the protocol, kubectl's are
 * 32 KiB).
 */
const MAX_CLIENT_MESSAGE_BYTES = 1024 * 1024;

/**
 * After a v4 client has closed its WebSocket, how long a connection may still take to flush what
 * the client sent to the pod before it is torn down. The pod usually closes first (a request
 * answered); a pod that waits for more input would otherwise hold the connection forever.
 */
export const CLIENT_GONE_LINGER_MS = 5_000;

/** What one forwarded connection is bound to. */
export interface PortForwardTarget {
  namespace: string;
  pod: string;
  node: string;
}

/**
 * Checks a port-forward request against its pod as upstream's pod REST does (a node is assigned)
 * and returns where its connections go. Throws ApiError.
 *
 * @example portForwardTarget(pod).node // "pi1"
 */
export function portForwardTarget(pod: Pod): PortForwardTarget {
  const name = pod.metadata?.name ?? "";
  const node = pod.spec?.nodeName;
  if (!node) throw badRequest(`pod ${name} does not have a host assigned`);
  return { namespace: pod.metadata?.namespace ?? "default", pod: name, node };
}

/** Serves port-forward upgrades; see attachExecUpgrade (pod-exec.ts) for the wiring. */
export class PodPortForwardEndpoint {
  /** Plain channel WebSockets (v4.channel.k8s.io, or no subprotocol). */
  private readonly channelWss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: MAX_CLIENT_MESSAGE_BYTES,
    handleProtocols: (offered) => (offered.has(PORT_FORWARD_CHANNEL_PROTOCOL) ? PORT_FORWARD_CHANNEL_PROTOCOL : false),
  });

  /**
   * SPDY tunnelled in WebSocket. `ws` refuses `SPDY/3.1+portforward.k8s.io` as a subprotocol (a `/`
   * is no RFC 7230 token character), so the offer is checked here, taken off the request before
   * ws sees it, and the chosen subprotocol is added to ws's answer (its "headers" event); kubectl
   * requires the echo.
   */
  private readonly tunnelWss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_CLIENT_MESSAGE_BYTES });

  private readonly sessions = new Set<SpdySession>();

  constructor(private readonly opts: PodPortForwardOptions) {
    this.tunnelWss.on("headers", (headers: string[]) => headers.push(`Sec-WebSocket-Protocol: ${PORT_FORWARD_TUNNEL_PROTOCOL}`));
  }

  /**
   * Takes the upgrade when its path is a pod's portforward; returns false for any other path.
   * @example server.on("upgrade", (req, socket, head) => { if (!portForward.handleUpgrade(req, socket, head)) socket.destroy() })
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? "/", "http://localhost");
    const m = PORT_FORWARD_PATH.exec(url.pathname);
    if (!m) return false;
    // Errors of a socket nobody owns yet must not crash the server.
    socket.on("error", () => undefined);
    const [, namespace, name] = m as unknown as [string, string, string];
    this.serve(req, socket, head, decodeURIComponent(namespace), decodeURIComponent(name), url.searchParams).catch((err: unknown) => {
      this.opts.log.warn({ err: (err as Error).message }, "port-forward upgrade failed");
      if (!socket.destroyed) rejectUpgrade(socket, asApiError(err, "port-forward failed"));
    });
    return true;
  }

  /** Closes every port-forward session (server shutdown). */
  close(): void {
    for (const s of this.sessions) s.close();
    for (const wss of [this.channelWss, this.tunnelWss]) {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    }
  }

  private async serve(req: IncomingMessage, socket: Duplex, head: Buffer, namespace: string, name: string, query: URLSearchParams): Promise<void> {
    const user = this.opts.authenticate(req);
    if (!user) return rejectUpgrade(socket, unauthorized());
    const ports = parsePortsQuery(query);
    const pod = (await this.opts.pods.get(namespace, name)) as unknown as Pod;
    const target = portForwardTarget(pod);
    const log = this.opts.log.child({ pod: `${namespace}/${name}` });
    const upgrade = String(req.headers.upgrade ?? "").toLowerCase();
    if (upgrade === "websocket") {
      const offered = offeredSubprotocols(req);
      if (offered.includes(PORT_FORWARD_TUNNEL_PROTOCOL)) {
        delete req.headers["sec-websocket-protocol"];
        log.info({ transport: "spdy-in-websocket", user: user.username }, "port-forward session");
        this.tunnelWss.handleUpgrade(req, socket, head, (ws) => this.serveSpdy(spdySessionOver(createWebSocketStream(ws), PORT_FORWARD_SPDY_PROTOCOL), target, log));
        return;
      }
      if (offered.length > 0 && !offered.includes(PORT_FORWARD_CHANNEL_PROTOCOL)) {
        throw badRequest(`requested protocol(s) are not supported: [${offered.join(" ")}]; supports [${PORT_FORWARD_CHANNEL_PROTOCOL} ${PORT_FORWARD_TUNNEL_PROTOCOL}]`);
      }
      // Upstream's kubelet needs the ports up front on a plain WebSocket: there are no stream headers.
      if (ports.length === 0) throw badRequest(`query parameter "ports" is required`);
      if (ports.length > MAX_WEBSOCKET_PORTS) throw badRequest(`at most ${MAX_WEBSOCKET_PORTS} ports can be forwarded over one WebSocket`);
      if (socket.destroyed) return;
      log.info({ transport: "websocket", protocol: PORT_FORWARD_CHANNEL_PROTOCOL, ports, user: user.username }, "port-forward session");
      this.channelWss.handleUpgrade(req, socket, head, (ws) => this.serveChannels(ws, ports, target, log));
      return;
    }
    if (upgrade.startsWith("spdy/3.1")) {
      if (socket.destroyed) return;
      const session = acceptSpdyUpgrade(req, socket, head, [PORT_FORWARD_SPDY_PROTOCOL]);
      log.info({ transport: "spdy", user: user.username }, "port-forward session");
      this.serveSpdy(session, target, log);
      return;
    }
    throw badRequest("port-forward needs a connection upgrade: WebSocket (v4.channel.k8s.io or SPDY/3.1+portforward.k8s.io) or SPDY/3.1");
  }

  /**
   * Opens one connection to `port` in the pod through the node's kubelet; rejects with the node's
   * message (e.g. the refused connection) when it cannot.
   */
  private connect(target: PortForwardTarget, port: number): Promise<TunnelStream> {
    return openKubeletSession(this.opts.tunnel, {
      node: target.node,
      path: `/portForward/${target.namespace}/${target.pod}?port=${port}`,
      failure: `forwarding port ${port} on node ${target.node} failed`,
      refusal: `the kubelet refused to forward port ${port}`,
    });
  }

  // ---- SPDY (raw or tunnelled) ----

  private serveSpdy(session: SpdySession, target: PortForwardTarget, log: Logger): void {
    this.sessions.add(session);
    const pairs = new StreamPairs<SpdyStream>(
      (pair, port) => {
        this.forwardPair(pair as Required<StreamPair<SpdyStream>>, port, target, log).catch((err: unknown) => log.warn({ err: (err as Error).message }, "port-forward connection failed"));
      },
      (pair) => {
        log.debug({ requestId: pair.requestId }, "port-forward stream pair incomplete");
        if (pair.error) pair.error.end(`(request=${pair.requestId}) timed out waiting for streams`);
        pair.data?.reset();
      },
    );
    session.on("stream", (stream: SpdyStream) => {
      stream.on("error", (err: Error) => log.debug({ err: err.message }, "port-forward client stream failed"));
      try {
        pairs.add(stream);
      } catch (err) {
        log.debug({ err: (err as Error).message, headers: stream.headers }, "refusing a port-forward stream");
        stream.reset();
      }
    });
    session.once("close", () => {
      this.sessions.delete(session);
      for (const p of pairs.clear()) {
        p.data?.reset();
        p.error?.reset();
      }
    });
  }

  /**
   * One forwarded connection: the client's data stream ⇄ a new node stream. Failures go as text on
   * the error stream, which is closed when the connection is over (kubectl reads it to its end).
   */
  private async forwardPair(pair: Required<StreamPair<SpdyStream>>, port: number, target: PortForwardTarget, log: Logger): Promise<void> {
    const { data, error } = pair;
    // The client never writes on the error stream (kubectl closes its side at once): drain it.
    error.resume();
    let node: TunnelStream;
    try {
      node = await this.connect(target, port);
    } catch (err) {
      log.debug({ port, requestId: pair.requestId, err: (err as Error).message }, "port-forward connection refused");
      error.end((err as Error).message);
      data.end();
      data.resume();
      return;
    }
    if (data.destroyed) {
      node.destroy();
      error.end();
      return;
    }
    let nodeError: Error | undefined;
    node.on("error", (err: Error) => (nodeError ??= err));
    await relay(data, node);
    if (!error.destroyed && !error.writableEnded) error.end(nodeError ? `error forwarding port ${port} to pod ${target.namespace}/${target.pod}: ${nodeError.message}` : undefined);
  }

  // ---- WebSocket channels (v4) ----

  private serveChannels(ws: WebSocket, ports: number[], target: PortForwardTarget, log: Logger): void {
    const data = ports.map((_, i) => new WebSocketChannelStream(ws, dataChannel(i)));
    for (const [i, port] of ports.entries()) {
      ws.send(channelMessage(dataChannel(i), portPrefix(port)), { binary: true });
      ws.send(channelMessage(errorChannel(i), portPrefix(port)), { binary: true });
    }
    ws.on("message", (message: Buffer, isBinary: boolean) => {
      const m = parseChannelMessage(isBinary ? message : Buffer.from(message));
      // Only data channels carry client bytes; anything else is ignored, as upstream's wsstream does.
      if (m && m.channel % 2 === 0) data[m.channel / 2]?.deliver(m.payload);
    });
    const nodes: (TunnelStream | undefined)[] = [];
    ws.once("close", () => {
      for (const d of data) d.clientClosed();
      // The client can take nothing more: give each connection a moment to flush what it sent, then end it.
      const linger = setTimeout(() => {
        for (const n of nodes) n?.destroy();
      }, CLIENT_GONE_LINGER_MS);
      linger.unref();
    });
    ws.on("error", (err) => log.debug({ err: err.message }, "port-forward client socket failed"));
    const sendError = (i: number, text: string): void => {
      if (ws.readyState === ws.OPEN) ws.send(channelMessage(errorChannel(i), Buffer.from(text)), { binary: true });
    };
    const forward = async (i: number, port: number): Promise<void> => {
      let node: TunnelStream;
      try {
        node = await this.connect(target, port);
      } catch (err) {
        sendError(i, (err as Error).message);
        // Nothing will read this port's channel: drop what arrives on it instead of pausing the WebSocket.
        data[i]!.destroy();
        if (ws.isPaused) ws.resume();
        return;
      }
      nodes[i] = node;
      if (ws.readyState !== ws.OPEN) {
        node.destroy();
        return;
      }
      let nodeError: Error | undefined;
      node.on("error", (err: Error) => (nodeError ??= err));
      // v4 cannot half-close a channel, and the node's pod connection closes once the pod ended its
      // side: the connection is over when the node's bytes have all gone to the client.
      const channel = data[i]!;
      const delivered = new Promise<void>((resolve) => {
        node.once("close", resolve);
        node.once("end", () => {
          if (channel.writableFinished || channel.destroyed) resolve();
          channel.once("finish", resolve);
          channel.once("close", resolve);
        });
      });
      void relay(channel, node);
      await delivered;
      if (nodeError) sendError(i, `error forwarding port ${port} to pod ${target.namespace}/${target.pod}: ${nodeError.message}`);
    };
    // The WebSocket closes once every port's connection is over, as upstream's handler returns then.
    Promise.all(ports.map((port, i) => forward(i, port))).then(
      () => {
        if (ws.readyState === ws.OPEN) ws.close(1000);
      },
      (err: unknown) => log.warn({ err: (err as Error).message }, "port-forward over WebSocket failed"),
    );
  }
}
