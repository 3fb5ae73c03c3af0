/**
 * `…/pods/<name>/exec` and `…/pods/<name>/attach` over WebSocket (`v5.channel.k8s.io`, or
 * `v4.channel.k8s.io` for older clients): authenticates the upgrade like any API request, checks
 * the pod and container as upstream's pod REST does, opens a kubelet stream to the pod's node
 * through the agent tunnel, then relays channel messages both ways with backpressure. The node
 * ends the session with one Status on channel 3; the WebSocket is closed after it.
 *
 * SPDY/3.1 (kubectl ≤ 1.29, and 1.30+'s fallback after a failed WebSocket upgrade) gets the same
 * checks, then the `v4/v3/v2.channel.k8s.io` stream protocols (spdy/remotecommand.ts) on the same
 * node session.
 */
import type { IncomingMessage, Server as HttpServer } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import type { Pod } from "kubernetes-types/core/v1.js";
import { WebSocketServer, type WebSocket } from "ws";
import { ApiError, badRequest, unauthorized } from "../../shared/api/status.js";
import type { KubeObject } from "../../shared/api/types.js";
import type { Logger } from "../../shared/log.js";
import { ExecChannel, ExecFrameDecoder, encodeExecFrame, failureStatus, type ExecFrame } from "../../shared/tunnel/exec-frames.js";
import type { TunnelStream } from "../../shared/tunnel/index.js";
import { TUNNEL_PATH } from "../../shared/tunnel/protocol.js";
import type { UserInfo } from "./auth.js";
import { logContainer } from "./pod-log.js";
import { asApiError, rejectUpgrade } from "./upgrade-reply.js";
import { openKubeletSession, type KubeletStreams } from "./kubelet-session.js";
import { channelMessage, offeredSubprotocols, parseChannelMessage, pickChannelProtocol, supportsCloseSignal } from "./ws-channels.js";
import { acceptSpdyUpgrade, isSpdyUpgrade, negotiateProtocol, offeredProtocols, type SpdySession } from "./spdy/index.js";
import { relaySpdyExecSession, SPDY_REMOTE_COMMAND_PROTOCOLS } from "./spdy/remotecommand.js";

export interface PodExecOptions {
  /** The API server's authenticator (`Authenticator.authenticate`). */
  authenticate(req: IncomingMessage): UserInfo | undefined;
  /** The pods store (`cp.store("", "pods")`): get throws the upstream 404. */
  pods: { get(namespace: string, name: string): Promise<KubeObject> };
  /** The tunnel endpoint. */
  tunnel: KubeletStreams;
  log: Logger;
}

/**
 * Stop reading from the node while this much is queued for the client's socket; a slow client
 * then slows the container's output instead of growing the server's memory.
 */
const CLIENT_SEND_HIGH_WATER = 256 * 1024;

/** Largest client message accepted: kubectl sends stdin in 32 KiB chunks, resizes are tiny. */
const MAX_CLIENT_MESSAGE_BYTES = 1024 * 1024;

/** Matches the subresource paths; groups: namespace, pod, subresource. */
const EXEC_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach)$/;

/** Query flags passed on to the kubelet (PodExecOptions / PodAttachOptions). */
const FLAGS = ["stdin", "stdout", "stderr", "tty"] as const;

export interface ExecTarget {
  kind: "exec" | "attach";
  namespace: string;
  pod: string;
  container: string;
  node: string;
  /** The kubelet path to open on the node. */
  kubeletPath: string;
}

function flag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === "true" || v === "1";
}

/**
 * Validates an exec/attach request against the pod as upstream does (options, completed pods,
 * container name, assigned node) and builds the kubelet path. Throws ApiError.
 *
 * @example const t = execTarget(pod, "exec", new URLSearchParams("command=date&stdout=true")); t.kubeletPath // "/exec/default/web/app?command=date&stdout=true"
 */
export function execTarget(pod: Pod, kind: "exec" | "attach", query: URLSearchParams): ExecTarget {
  const namespace = pod.metadata?.namespace ?? "default";
  const name = pod.metadata?.name ?? "";
  const command = query.getAll("command");
  if (kind === "exec" && command.length === 0) throw badRequest("you must specify at least 1 command");
  if (!FLAGS.slice(0, 3).some((f) => flag(query, f))) throw badRequest("you must specify at least one of stdin, stdout, stderr");
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") throw badRequest(`cannot ${kind} into a container in a completed pod; current phase is ${phase}`);
  const container = logContainer(pod, query.get("container"));
  const node = pod.spec?.nodeName;
  if (!node) throw badRequest(`pod ${name} does not have a host assigned`);
  const q = new URLSearchParams();
  if (kind === "exec") for (const c of command) q.append("command", c);
  for (const f of FLAGS) if (flag(query, f)) q.set(f, "true");
  return { kind, namespace, pod: name, container, node, kubeletPath: `/${kind}/${namespace}/${name}/${container}?${q}` };
}

/** Serves exec and attach upgrades; see attachExecUpgrade for the wiring. */
export class PodExecEndpoint {
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: MAX_CLIENT_MESSAGE_BYTES,
    handleProtocols: (offered) => pickChannelProtocol(offered),
  });
  private readonly spdySessions = new Set<SpdySession>();

  constructor(private readonly opts: PodExecOptions) {}

  /**
   * Takes the upgrade when its path is a pod's exec or attach; returns false for any other path.
   * @example server.on("upgrade", (req, socket, head) => { if (!execEndpoint.handleUpgrade(req, socket, head)) socket.destroy() })
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? "/", "http://localhost");
    const m = EXEC_PATH.exec(url.pathname);
    if (!m) return false;
    // Errors of a socket nobody owns yet must not crash the server.
    socket.on("error", () => undefined);
    const [, namespace, name, kind] = m as unknown as [string, string, string, "exec" | "attach"];
    this.serve(req, socket, head, decodeURIComponent(namespace), decodeURIComponent(name), kind, url.searchParams).catch((err: unknown) => {
      this.opts.log.warn({ err: (err as Error).message }, "exec upgrade failed");
      if (!socket.destroyed) rejectUpgrade(socket, asApiError(err, "exec failed"));
    });
    return true;
  }

  /** Closes every exec WebSocket and SPDY session (server shutdown). */
  close(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
    for (const session of this.spdySessions) session.destroy();
  }

  private async serve(req: IncomingMessage, socket: Duplex, head: Buffer, namespace: string, name: string, kind: "exec" | "attach", query: URLSearchParams): Promise<void> {
    const user = this.opts.authenticate(req);
    if (!user) return rejectUpgrade(socket, unauthorized());
    const isWebSocket = (req.headers.upgrade ?? "").toLowerCase() === "websocket";
    const pod = (await this.opts.pods.get(namespace, name)) as unknown as Pod;
    const target = execTarget(pod, kind, query);
    if (!isWebSocket) {
      if (!isSpdyUpgrade(req)) return rejectUpgrade(socket, badRequest(`unable to upgrade: ${kind} needs a WebSocket (v5.channel.k8s.io, v4.channel.k8s.io) or SPDY/3.1 upgrade`));
      return this.serveSpdy(req, socket, head, target, query);
    }
    if (!pickChannelProtocol(new Set(offeredSubprotocols(req)))) {
      return rejectUpgrade(socket, badRequest("no supported subprotocol offered; expected v5.channel.k8s.io or v4.channel.k8s.io"));
    }
    const stream = await this.openNodeSession(target, socket);
    if (!stream) return;
    this.wss.handleUpgrade(req, socket, head, (ws) => relayExecSession(ws, stream, this.opts.log.child({ pod: `${namespace}/${name}`, container: target.container, kind })));
  }

  /**
   * The SPDY path: negotiates the stream protocol before anything starts on the node (so a mismatch
   * is an HTTP error, as upstream's handshake), then upgrades and relays.
   */
  private async serveSpdy(req: IncomingMessage, socket: Duplex, head: Buffer, target: ExecTarget, query: URLSearchParams): Promise<void> {
    const offered = offeredProtocols(req);
    if (offered.length === 0) throw badRequest("unable to upgrade: X-Stream-Protocol-Version is required");
    negotiateProtocol(offered, SPDY_REMOTE_COMMAND_PROTOCOLS);
    const stream = await this.openNodeSession(target, socket);
    if (!stream) return;
    const session = acceptSpdyUpgrade(req, socket, head, SPDY_REMOTE_COMMAND_PROTOCOLS);
    this.spdySessions.add(session);
    session.once("close", () => this.spdySessions.delete(session));
    const tty = flag(query, "tty");
    const options = { stdin: flag(query, "stdin"), stdout: flag(query, "stdout"), stderr: flag(query, "stderr") && !tty, tty };
    relaySpdyExecSession(session, stream, options, this.opts.log.child({ pod: `${target.namespace}/${target.pod}`, container: target.container, kind: target.kind, protocol: session.protocol }));
  }

  /**
   * Opens the kubelet stream for the session on the pod's node and reads its header; resolves with
   * the stream once the node accepted, undefined when the client went away meanwhile. Throws the
   * node's refusal as an ApiError.
   */
  private async openNodeSession(target: ExecTarget, socket: Duplex): Promise<TunnelStream | undefined> {
    const stream = await openKubeletSession(this.opts.tunnel, {
      node: target.node,
      path: target.kubeletPath,
      failure: `starting the ${target.kind} session on node ${target.node} failed`,
      refusal: `the kubelet refused the ${target.kind} request`,
      client: socket,
    });
    if (socket.destroyed) {
      stream.destroy();
      return undefined;
    }
    return stream;
  }
}

/**
 * Relays one session: client messages (stdin, resize, v5 close) become frames to the node, node
 * frames (stdout, stderr, the final Status) become client messages. Backpressure both ways: the
 * client's socket is paused while the tunnel stream is full, the tunnel stream is paused while the
 * client's socket has more than CLIENT_SEND_HIGH_WATER queued.
 */
export function relayExecSession(ws: WebSocket, stream: Duplex, log: Logger): void {
  const closeSignal = supportsCloseSignal(ws.protocol);
  let statusSent = false;

  ws.on("message", (data: Buffer, isBinary: boolean) => {
    const m = parseChannelMessage(isBinary ? data : Buffer.from(data));
    if (!m || stream.destroyed || stream.writableEnded) return;
    let frame: Buffer;
    if (m.channel === ExecChannel.stdin || m.channel === ExecChannel.resize) frame = encodeExecFrame(m.channel, m.payload);
    else if (m.channel === ExecChannel.close && closeSignal && m.payload.length > 0) frame = encodeExecFrame(ExecChannel.close, m.payload.subarray(0, 1));
    else return;
    if (!stream.write(frame)) {
      ws.pause();
      stream.once("drain", () => ws.resume());
    }
  });

  const send = (channel: number, payload: Buffer): void => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(channelMessage(channel, payload), { binary: true }, () => {
      if (stream.isPaused() && ws.bufferedAmount < CLIENT_SEND_HIGH_WATER) stream.resume();
    });
    if (ws.bufferedAmount >= CLIENT_SEND_HIGH_WATER) stream.pause();
  };

  const decoder = new ExecFrameDecoder();
  stream.on("data", (chunk: Buffer) => {
    let frames: ExecFrame[];
    try {
      frames = decoder.push(chunk);
    } catch (err) {
      log.warn({ err: (err as Error).message }, "malformed exec frames from the node");
      stream.destroy();
      return;
    }
    for (const f of frames) {
      if (f.channel === ExecChannel.stdout || f.channel === ExecChannel.stderr) send(f.channel, f.payload);
      else if (f.channel === ExecChannel.status && !statusSent) {
        statusSent = true;
        send(ExecChannel.status, f.payload);
      }
    }
  });

  const finish = (why: string): void => {
    if (!statusSent) {
      statusSent = true;
      send(ExecChannel.status, Buffer.from(JSON.stringify(failureStatus(why))));
    }
    // close() sends the close frame after everything already queued, so the client reads the Status first.
    if (ws.readyState === ws.OPEN) ws.close(1000);
  };
  stream.on("end", () => finish("the node ended the session without an exit status"));
  stream.on("close", () => finish("the connection to the node was lost"));
  stream.on("error", (err: Error) => log.debug({ err: err.message }, "exec stream to the node failed"));

  ws.on("close", () => {
    // The client went away (or the session is over): tear the node side down.
    if (!stream.destroyed) stream.destroy();
  });
  ws.on("error", (err) => log.debug({ err: err.message }, "exec client socket failed"));
}

/**
 * Wires exec/attach upgrades onto the API server. The tunnel endpoint's own upgrade listener takes
 * TUNNEL_PATH; this listener takes exec/attach and answers every other upgrade with 404, so no
 * client is left hanging.
 *
 * @example const exec = attachExecUpgrade(server, { authenticate: (r) => authenticator.authenticate(r), pods: cp.store("", "pods"), tunnel, log: componentLogger("exec") });
 */
export function attachExecUpgrade(server: HttpsServer | HttpServer, opts: PodExecOptions, others: { handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean }[] = []): PodExecEndpoint {
  const endpoint = new PodExecEndpoint(opts);
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (endpoint.handleUpgrade(req, socket, head)) return;
    if (others.some((o) => o.handleUpgrade(req, socket, head))) return;
    if ((req.url ?? "/").split("?")[0] === TUNNEL_PATH) return;
    rejectUpgrade(socket, new ApiError(404, "NotFound", "the server could not find the requested resource"));
  });
  return endpoint;
}
