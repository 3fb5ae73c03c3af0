/**
 * The agent's end of the tunnel: join (first start) or load node credentials, dial
 * `wss://server/v1-kube-lite/connect` with them, and keep the connection up — waiting with back-off
 * while the server is down, reconnecting when the tunnel drops. API calls go out on "api" streams
 * through `httpAgent`; the server's kubelet streams come in through `onKubeletStream`, after
 * `authorizeServerStream`.
 */
import { EventEmitter } from "node:events";
import http from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket } from "ws";
import { rfc3339 } from "../../shared/api/time.js";
import type { Logger } from "../../shared/log.js";
import { MAX_MESSAGE_BYTES, TUNNEL_PATH, TunnelClosedError, TunnelSession, type NodeCredentials, type TunnelStream } from "../../shared/tunnel/index.js";
import { authorizeServerStream, type KubeletStreamRequest } from "./authorize.js";
import { backoffDelay } from "./backoff.js";
import { loadNodeCredentials, saveNodeCredentials } from "./credentials.js";
import { fetchPinnedCa, pinnedCaHash, requestNodeCredentials, TunnelJoinError } from "./join.js";
import { connectPinnedTls } from "./pinned-tls.js";

/** The WebSocket handshake (TCP + TLS + upgrade) must finish within this, or the attempt is retried. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * An API request waits this long for the tunnel to come (back) up before failing, so a short
 * reconnect is invisible to the kubelet while a long outage still surfaces as an error it retries.
 */
export const API_DIAL_TIMEOUT_MS = 10_000;

/** Renew the node certificate (with itself, no token) when it expires within this many days. */
const RENEW_BEFORE_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** "waiting for server" lines repeat at most this often while the server stays down (every attempt would flood the log). */
const WAITING_LOG_INTERVAL_MS = 30_000;

/** Pooled "api" streams; each costs one stream window at most. */
const API_MAX_SOCKETS = 64;
/**
 * Idle "api" streams kept for reuse after a burst. A node's steady traffic (a watch or two, a lease
 * renewal, status patches) needs a handful; http.Agent's default of 256 kept ~50 per node open after
 * pod churn (seen with 10 simulated nodes), each holding buffers on both ends of the tunnel.
 */
const API_MAX_FREE_SOCKETS = 8;

export interface ConnectTunnelOptions {
  /** The server, `https://host:port`. */
  server: string;
  /** The join token; needed on first join (and to re-join), not once credentials are stored. */
  token?: string;
  /** The agent's data directory; credentials go to `<dataDir>/agent/`. */
  dataDir: string;
  nodeName: string;
  logger: Logger;
  /** Session ping tuning (tests). */
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
}

export type KubeletStreamHandler = (stream: TunnelStream, request: KubeletStreamRequest) => void;

/** A refused WebSocket upgrade. */
class UpgradeRefused extends Error {
  constructor(readonly status: number) {
    super(`the server refused the tunnel (HTTP ${status})`);
  }
}

/** TLS failures that mean "the server is not the one this node joined" rather than "the network is down". */
const TRUST_ERRORS = new Set(["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "SELF_SIGNED_CERT_IN_CHAIN", "DEPTH_ZERO_SELF_SIGNED_CERT", "CERT_SIGNATURE_FAILURE", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "UNABLE_TO_GET_ISSUER_CERT"]);

function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * An http.Agent whose connections are "api" tunnel streams: point any node:http client at it (the
 * host name is ignored; the stream always reaches the server's API, without TLS inside the tunnel).
 */
class TunnelHttpAgent extends http.Agent {
  constructor(private readonly client: TunnelClient) {
    super({ keepAlive: true, maxSockets: API_MAX_SOCKETS, maxFreeSockets: API_MAX_FREE_SOCKETS });
  }

  override createConnection(_options: http.ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    this.client.openApiStream().then(
      (stream) => callback?.(null, stream),
      (err: Error) => callback?.(err, undefined as unknown as Duplex),
    );
    return undefined;
  }
}

/**
 * Events: "connected", "disconnected" (reason?: Error).
 */
export class TunnelClient extends EventEmitter {
  /** Use with node:http: `http.get({ agent: client.httpAgent, host: "api", path: "/api/v1/namespaces" })`. */
  readonly httpAgent: http.Agent;
  private session: TunnelSession | undefined;
  private stopped = false;
  private kubeletHandler: KubeletStreamHandler | undefined;
  private wakeSleep: (() => void) | undefined;
  private readonly server: URL;
  private readonly log: Logger;

  constructor(private readonly opts: ConnectTunnelOptions) {
    super();
    this.server = new URL(opts.server);
    if (this.server.protocol !== "https:") throw new TunnelJoinError(`the server address must be https://host:port, not ${opts.server}`);
    this.log = opts.logger;
    this.httpAgent = new TunnelHttpAgent(this);
  }

  get nodeName(): string {
    return this.opts.nodeName;
  }

  /** True while a tunnel session is up. */
  get connected(): boolean {
    return this.session?.open === true;
  }

  /**
   * Handles server-opened streams that authorizeServerStream allows (this node's kubelet endpoints);
   * every other server-opened stream is reset.
   * @example client.onKubeletStream((stream, { endpoint, path }) => kubelet.serveStream(stream, path))
   */
  onKubeletStream(handler: KubeletStreamHandler): void {
    this.kubeletHandler = handler;
  }

  /**
   * Opens an "api" stream (raw HTTP/1.1 to the API server), waiting up to API_DIAL_TIMEOUT_MS for the
   * tunnel when it is down.
   * @example const s = await client.openApiStream(); s.end("GET /version HTTP/1.1\r\nHost: api\r\nConnection: close\r\n\r\n")
   */
  async openApiStream(): Promise<TunnelStream> {
    const session = this.session?.open ? this.session : await this.waitForSession(API_DIAL_TIMEOUT_MS);
    return session.openStream({ kind: "api" });
  }

  /** Stops reconnecting and closes the tunnel. */
  close(): void {
    this.stopped = true;
    this.wakeSleep?.();
    this.session?.close("agent stopping");
    this.httpAgent.destroy();
  }

  private waitForSession(timeoutMs: number): Promise<TunnelSession> {
    return new Promise((resolve, reject) => {
      if (this.stopped) return reject(new TunnelClosedError("the tunnel client is closed"));
      const timer = setTimeout(() => {
        this.off("connected", onConnected);
        reject(new TunnelClosedError(`tunnel to ${this.server.origin} is not connected (waited ${timeoutMs / 1000}s)`));
      }, timeoutMs);
      const onConnected = (): void => {
        clearTimeout(timer);
        resolve(this.session!);
      };
      this.once("connected", onConnected);
    });
  }

  /**
   * @internal Runs the connect/reconnect loop; resolves once the first tunnel is up, rejects on a
   * join error before that (wrong token, CA mismatch, refused credentials without a token).
   */
  run(): Promise<void> {
    return new Promise((resolveFirst, rejectFirst) => {
      let first = true;
      const loop = async (): Promise<void> => {
        let attempt = 0;
        let lastWaitingLog = 0;
        while (!this.stopped) {
          let session: TunnelSession;
          try {
            session = await this.establish();
          } catch (err) {
            if (this.stopped) break;
            if (err instanceof TunnelJoinError && first) {
              this.stopped = true;
              rejectFirst(err);
              return;
            }
            const delay = backoffDelay(attempt++);
            const now = Date.now();
            if (err instanceof TunnelJoinError) {
              this.log.error({ err: err.message }, "cannot rejoin the cluster; retrying");
            } else if (now - lastWaitingLog >= WAITING_LOG_INTERVAL_MS || attempt === 1) {
              lastWaitingLog = now;
              this.log.warn({ server: this.server.origin, err: (err as Error).message, retryInMs: delay }, `waiting for server at ${this.server.origin}`);
            }
            await this.sleep(delay);
            continue;
          }
          attempt = 0;
          lastWaitingLog = 0;
          this.session = session;
          this.log.info({ server: this.server.origin, node: this.opts.nodeName }, "tunnel connected");
          this.emit("connected");
          if (first) {
            first = false;
            resolveFirst();
          }
          const reason = await session.whenClosed();
          if (this.session === session) this.session = undefined;
          this.emit("disconnected", reason);
          if (this.stopped) break;
          this.log.warn({ server: this.server.origin, reason: reason?.message }, "tunnel to server lost; reconnecting");
          await this.sleep(backoffDelay(0));
        }
        if (first) rejectFirst(new TunnelClosedError("the tunnel client was closed before it connected"));
      };
      loop().catch((err: unknown) => {
        this.log.error({ err }, "tunnel loop failed");
        if (first) rejectFirst(err as Error);
      });
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleep = done;
    });
  }

  /** Credentials (stored, renewed or freshly joined), then the WebSocket. */
  private async establish(): Promise<TunnelSession> {
    let creds: NodeCredentials | undefined = await loadNodeCredentials(this.opts.dataDir);
    if (creds && creds.nodeName !== this.opts.nodeName) {
      this.log.warn({ stored: creds.nodeName, node: this.opts.nodeName }, "stored node credentials are for another node name; joining again");
      creds = undefined;
    }
    if (!creds) creds = await this.join();
    else creds = await this.renewIfExpiring(creds as NodeCredentials & { notAfter: Date });
    try {
      return await this.dial(creds);
    } catch (err) {
      const refused = err instanceof UpgradeRefused && (err.status === 401 || err.status === 403);
      const untrusted = TRUST_ERRORS.has(errorCode(err) ?? "");
      if (!refused && !untrusted) throw err;
      const why = refused ? "the server refused this node's stored credentials" : `the server's certificate is not signed by the CA this node joined (${errorCode(err)})`;
      if (!this.opts.token) throw new TunnelJoinError(`${why}; join again with --token`);
      this.log.warn({ reason: why }, "joining again with the join token");
      return this.dial(await this.join());
    }
  }

  private async join(): Promise<NodeCredentials> {
    if (!this.opts.token) throw new TunnelJoinError(`no node credentials in ${this.opts.dataDir} and no join token: pass --token to join the cluster`);
    const expected = pinnedCaHash(this.opts.token);
    const caPem = await fetchPinnedCa(this.server, expected);
    const creds = await requestNodeCredentials(this.server, { caPem, nodeName: this.opts.nodeName, token: this.opts.token });
    await saveNodeCredentials(this.opts.dataDir, creds);
    this.log.info({ node: this.opts.nodeName, server: this.server.origin }, "joined the cluster; node credentials stored");
    return creds;
  }

  private async renewIfExpiring(creds: NodeCredentials & { notAfter: Date }): Promise<NodeCredentials> {
    if (creds.notAfter.getTime() - Date.now() > RENEW_BEFORE_DAYS * DAY_MS) return creds;
    try {
      const renewed = await requestNodeCredentials(this.server, { caPem: creds.caCertPem, nodeName: creds.nodeName, clientCert: creds });
      await saveNodeCredentials(this.opts.dataDir, renewed);
      this.log.info({ node: creds.nodeName }, "renewed node credentials");
      return renewed;
    } catch (err) {
      this.log.warn({ err: (err as Error).message, notAfter: rfc3339(creds.notAfter) }, "renewing node credentials failed; using the current ones");
      return creds;
    }
  }

  /** The WebSocket, on a TLS connection verified against the pinned CA before anything is sent. */
  private async dial(creds: NodeCredentials): Promise<TunnelSession> {
    const url = new URL(TUNNEL_PATH, this.server);
    url.protocol = "wss:";
    const socket = await connectPinnedTls({
      server: url,
      caPem: creds.caCertPem,
      cert: creds.certPem,
      key: creds.keyPem,
      timeoutMs: HANDSHAKE_TIMEOUT_MS,
    });
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, {
        createConnection: () => socket,
        maxPayload: MAX_MESSAGE_BYTES,
        perMessageDeflate: false,
        handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      });
      ws.once("unexpected-response", (req, res) => {
        req.destroy();
        reject(new UpgradeRefused(res.statusCode ?? 0));
      });
      ws.once("error", reject);
      ws.once("open", () => {
        ws.off("error", reject);
        const session = new TunnelSession(ws, {
          role: "client",
          logger: this.log,
          pingIntervalMs: this.opts.pingIntervalMs,
          pingTimeoutMs: this.opts.pingTimeoutMs,
          onStream: (stream) => this.acceptServerStream(stream),
        });
        resolve(session);
      });
    });
  }

  /** Server-opened streams: only this node's kubelet endpoints, and only with a handler. */
  private acceptServerStream(stream: TunnelStream): void {
    const decision = authorizeServerStream(stream.meta, this.opts.nodeName);
    if (!decision.allowed) {
      this.log.warn({ kind: stream.meta.kind, reason: decision.reason }, "refused a server-opened stream");
      stream.reset(decision.reason);
      return;
    }
    if (!this.kubeletHandler) {
      stream.reset("this agent serves no kubelet streams yet");
      return;
    }
    this.kubeletHandler(stream, decision.request);
  }
}

/**
 * Connects the agent to the server: resolves once the tunnel is up (after joining if needed) and keeps
 * it up from then on; rejects with TunnelJoinError when joining cannot succeed (wrong token, CA
 * mismatch, credentials refused and no token) — never hangs on those. While the server is down it
 * logs "waiting for server at …" and retries with capped exponential back-off.
 * @example
 * const tunnel = await connectTunnel({ server: "https://10.0.0.1:6443", token, dataDir, nodeName: "pi1", logger: componentLogger("tunnel") });
 * http.get({ agent: tunnel.httpAgent, host: "api", path: "/api/v1/namespaces" }, (res) => …);
 */
export async function connectTunnel(opts: ConnectTunnelOptions): Promise<TunnelClient> {
  const client = new TunnelClient(opts);
  await client.run();
  return client;
}
