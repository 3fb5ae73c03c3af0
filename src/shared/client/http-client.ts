/**
 * `ApiClient` over HTTPS: what agents (kubelet, proxy) use to reach the API server, directly or
 * through the tunnel (pass an `http.Agent` whose connections are tunnel streams). Same semantics as
 * the in-process client: objects in, objects out, failures as `ApiError` with the server's Status.
 */
import http from "node:http";
import https from "node:https";
import type { ApiError } from "../api/status.js";
import type { KubeList, KubeObject } from "../api/types.js";
import { KUBE_LITE_VERSION } from "../version.js";
import { apiErrorFromResponse } from "./http-errors.js";
import { listQueryString, resourcePath } from "./resource-paths.js";
import type { ApiClient, ClientDeleteOptions, ClientListOptions, ClientPatchOptions, ClientWatchEvent, PatchType, ResourceRef } from "./types.js";
import { WatchDecoder } from "./watch-decoder.js";

/**
 * A request (not a watch) that has sent nothing for this long is abandoned. The API server answers
 * in milliseconds; a silent peer means a dead connection or tunnel, and a kubelet loop must not
 * hang on it forever.
 */
const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** Attempts of a request the server keeps answering with 429/5xx + Retry-After (client-go's `maxRetries`). */
const MAX_RETRY_AFTER_ATTEMPTS = 10;
/** The longest single Retry-After wait honoured, so a confused server cannot park a caller for hours. */
const MAX_RETRY_AFTER_SECONDS = 30;
/** Idle sockets the keep-alive agent holds open: the kubelet's steady traffic needs a few at most. */
const KEEP_ALIVE_MAX_FREE_SOCKETS = 4;
/** TCP keep-alive probe delay on pooled sockets, so a vanished server is noticed on long watches. */
const TCP_KEEP_ALIVE_MS = 30_000;

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
};

export interface HttpApiClientOptions {
  /** Base URL of the API server, e.g. `https://10.0.0.1:6443` (`http://` only for a local endpoint). */
  server: string;
  /** Bearer token. */
  token?: string;
  /** Client certificate and key (PEM), the other way to authenticate. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** CA bundle (PEM) the server certificate must chain to. */
  ca?: string | Buffer;
  /** Name to verify the server certificate against when it differs from the URL's host (also sent as SNI). */
  servername?: string;
  /**
   * Connections come from this agent; else a keep-alive agent of our own. Node checks that the agent
   * speaks the URL's protocol: the tunnel's plain `http.Agent` (TLS-free api streams) goes with
   * `server: "http://api"`, an `https.Agent` with `https://…`.
   */
  agent?: http.Agent;
  userAgent?: string;
  requestTimeoutMs?: number;
}

interface Body {
  data: string;
  contentType: string;
}

/**
 * @example
 * const client = new HttpApiClient({ server: "https://127.0.0.1:6443", token, ca: caPem });
 * const pods = await client.list({ group: "", plural: "pods" }, "default", { labelSelector: "app=web" });
 * const w = await client.watch({ group: "", plural: "pods" }, "default", { resourceVersion: pods.metadata.resourceVersion }, onEvent, onEnd);
 * w.close();
 */
export class HttpApiClient implements ApiClient {
  private readonly url: URL;
  private readonly basePath: string;
  private readonly transport: typeof http | typeof https;
  private readonly agent: http.Agent;
  private readonly ownsAgent: boolean;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  /** Preferred version per group, discovered once (a failed discovery is retried on the next call). */
  private readonly versions = new Map<string, Promise<string>>();

  constructor(private readonly opts: HttpApiClientOptions) {
    this.url = new URL(opts.server);
    if (this.url.protocol !== "https:" && this.url.protocol !== "http:") throw new Error(`unsupported API server URL ${opts.server}: want https://HOST:PORT`);
    this.basePath = this.url.pathname.replace(/\/+$/, "");
    this.transport = this.url.protocol === "https:" ? https : http;
    this.ownsAgent = !opts.agent;
    this.agent =
      opts.agent ??
      (this.transport === https
        ? new https.Agent({ keepAlive: true, keepAliveMsecs: TCP_KEEP_ALIVE_MS, maxFreeSockets: KEEP_ALIVE_MAX_FREE_SOCKETS, ca: opts.ca, cert: opts.cert, key: opts.key, servername: opts.servername })
        : new http.Agent({ keepAlive: true, keepAliveMsecs: TCP_KEEP_ALIVE_MS, maxFreeSockets: KEEP_ALIVE_MAX_FREE_SOCKETS }));
    this.headers = { Accept: "application/json", "User-Agent": opts.userAgent ?? `kube-lite/${KUBE_LITE_VERSION} (${process.platform}/${process.arch})` };
    if (opts.token) this.headers.Authorization = `Bearer ${opts.token}`;
    this.timeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** Closes pooled connections when the agent is ours; open watches end with an error. */
  destroy(): void {
    if (this.ownsAgent) this.agent.destroy();
  }

  /**
   * The version to use for a group: the ref's own, "v1" for core, else the group's preferred version
   * from `GET /apis/<group>`, asked once.
   *
   * @example await client.versionFor({ group: "coordination.k8s.io", plural: "leases" }) === "v1"
   */
  versionFor(ref: ResourceRef): Promise<string> {
    if (ref.version) return Promise.resolve(ref.version);
    if (!ref.group) return Promise.resolve("v1");
    let p = this.versions.get(ref.group);
    if (!p) {
      p = this.requestJson<{ preferredVersion?: { version?: string }; versions?: { version: string }[] }>("GET", `/apis/${ref.group}`).then((g) => {
        const v = g.preferredVersion?.version ?? g.versions?.[0]?.version;
        if (!v) throw new Error(`API group ${ref.group} lists no versions`);
        return v;
      });
      p.catch(() => this.versions.delete(ref.group));
      this.versions.set(ref.group, p);
    }
    return p;
  }

  private async path(ref: ResourceRef, namespace: string | undefined, name?: string, subresource?: string): Promise<string> {
    const version = await this.versionFor(ref);
    return resourcePath({ group: ref.group, version, plural: ref.plural, namespace, name, subresource });
  }

  async get(ref: ResourceRef, namespace: string, name: string): Promise<KubeObject> {
    return this.requestJson("GET", await this.path(ref, namespace, name));
  }

  async list(ref: ResourceRef, namespace?: string, opts: ClientListOptions = {}): Promise<KubeList> {
    const { timeoutSeconds: _t, allowWatchBookmarks: _b, ...listOpts } = opts;
    return this.requestJson("GET", (await this.path(ref, namespace)) + listQueryString(listOpts));
  }

  async create(ref: ResourceRef, namespace: string, obj: KubeObject, fieldManager?: string): Promise<KubeObject> {
    return this.requestJson("POST", (await this.path(ref, namespace)) + managerQuery(fieldManager), jsonBody(obj));
  }

  async update(ref: ResourceRef, namespace: string, obj: KubeObject, subresource: "" | "status" | "finalize" = "", fieldManager?: string): Promise<KubeObject> {
    const name = obj.metadata.name;
    if (!name) throw new Error("update needs metadata.name");
    return this.requestJson("PUT", (await this.path(ref, namespace, name, subresource || undefined)) + managerQuery(fieldManager), jsonBody(obj));
  }

  /**
   * @example await client.patch({ group: "", plural: "nodes" }, "", "node-1", { metadata: { labels: { a: "b" } } }, "merge")
   */
  async patch(ref: ResourceRef, namespace: string, name: string, patch: unknown, type: PatchType, opts: ClientPatchOptions = {}): Promise<KubeObject> {
    if (type === "apply" && !opts.fieldManager) throw new Error("server-side apply needs a fieldManager");
    const q = new URLSearchParams();
    if (opts.fieldManager) q.set("fieldManager", opts.fieldManager);
    if (opts.force) q.set("force", "true");
    const qs = q.toString();
    const path = (await this.path(ref, namespace, name, opts.subresource)) + (qs ? `?${qs}` : "");
    return this.requestJson("PATCH", path, { data: JSON.stringify(patch), contentType: PATCH_CONTENT_TYPES[type] });
  }

  async delete(ref: ResourceRef, namespace: string, name: string, opts: ClientDeleteOptions = {}): Promise<void> {
    const body = { kind: "DeleteOptions", apiVersion: "v1", ...opts };
    await this.requestJson("DELETE", await this.path(ref, namespace, name), jsonBody(body));
  }

  /**
   * Streams events until `close()`. Resolves once the server accepted the watch (HTTP 200); a refused
   * watch rejects with its `ApiError`. `onEnd` fires exactly once if the stream then ends by itself
   * (server timeout, error, broken connection), and never after `close()`.
   */
  async watch(ref: ResourceRef, namespace: string | undefined, opts: ClientListOptions, onEvent: (ev: ClientWatchEvent) => void, onEnd: (err?: Error) => void): Promise<{ close(): void }> {
    const path = (await this.path(ref, namespace)) + listQueryString({ ...opts, watch: true });
    return new Promise((resolve, reject) => {
      let accepted = false;
      let closed = false;
      let ended = false;
      const finish = (err?: Error): void => {
        if (closed || ended) return;
        ended = true;
        // A cleanly ended response leaves its keep-alive socket to the pool; a broken one is dropped.
        if (err) req.destroy();
        onEnd(err);
      };
      const handle = {
        close(): void {
          if (closed || ended) return;
          closed = true;
          req.destroy();
        },
      };
      const deliver = (events: ClientWatchEvent[]): void => {
        for (const ev of events) {
          if (closed || ended) return;
          onEvent(ev);
        }
      };
      const req = this.start("GET", path, undefined, (res) => {
        if (res.statusCode !== 200) {
          readAll(res).then((text) => reject(apiErrorFromResponse(res.statusCode ?? 0, text, header(res, "retry-after"))), reject);
          return;
        }
        accepted = true;
        resolve(handle);
        const decoder = new WatchDecoder();
        res.on("data", (chunk: Buffer) => {
          try {
            deliver(decoder.write(chunk));
          } catch (err) {
            finish(err as Error);
          }
        });
        res.on("end", () => {
          try {
            deliver(decoder.end());
            finish();
          } catch (err) {
            finish(err as Error);
          }
        });
        res.on("error", (err) => finish(err));
        res.on("close", () => {
          if (!res.complete) finish(new Error("watch stream closed before it ended"));
        });
      });
      req.on("error", (err) => (accepted ? finish(err) : reject(err)));
      req.end();
    });
  }

  /**
   * One request whose answer is JSON (or empty), for paths outside the resource model too
   * (`/version`, `/apis/<group>`).
   *
   * @example const info = await client.requestJson<{ gitVersion: string }>("GET", "/version");
   */
  async requestJson<T>(method: string, path: string, body?: Body): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.requestOnce<T>(method, path, body);
      } catch (err) {
        const wait = err instanceof RetryAfter ? err.seconds : undefined;
        if (wait === undefined) throw err;
        if (attempt + 1 >= MAX_RETRY_AFTER_ATTEMPTS) throw (err as RetryAfter).apiError;
        await new Promise((r) => setTimeout(r, Math.min(wait, MAX_RETRY_AFTER_SECONDS) * 1000));
      }
    }
  }

  private requestOnce<T>(method: string, path: string, body?: Body): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const req = this.start(method, path, body, (res) => {
        readAll(res).then((text) => {
          const code = res.statusCode ?? 0;
          if (code < 200 || code > 299) {
            const retryAfter = header(res, "retry-after");
            const apiError = apiErrorFromResponse(code, text, retryAfter);
            // As client-go's checkWait: a 429 or 5xx with Retry-After means "ask again then".
            if ((code === 429 || code >= 500) && retryAfter && /^\d+$/.test(retryAfter)) return reject(new RetryAfter(Number(retryAfter), apiError));
            return reject(apiError);
          }
          if (!text) return resolve(undefined as T);
          try {
            resolve(JSON.parse(text) as T);
          } catch (err) {
            reject(new Error(`${method} ${path}: the server sent malformed JSON: ${(err as Error).message}`));
          }
        }, reject);
      });
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`${method} ${path}: no answer from the API server in ${this.timeoutMs} ms`)));
      req.on("error", reject);
      if (body) req.write(body.data);
      req.end();
    });
  }

  private start(method: string, path: string, body: Body | undefined, onResponse: (res: http.IncomingMessage) => void): http.ClientRequest {
    const headers: Record<string, string> = { ...this.headers };
    if (body) {
      headers["Content-Type"] = body.contentType;
      headers["Content-Length"] = String(Buffer.byteLength(body.data));
    }
    const o = this.opts;
    return this.transport.request(
      {
        protocol: this.url.protocol,
        hostname: this.url.hostname.replace(/^\[|\]$/g, ""),
        port: this.url.port || (this.transport === https ? 443 : 80),
        method,
        path: this.basePath + path,
        headers,
        agent: this.agent,
        // With a caller's agent these still reach its createConnection (TLS over a tunnel stream).
        ca: o.ca,
        cert: o.cert,
        key: o.key,
        servername: o.servername,
      },
      onResponse,
    );
  }
}

/** A refusal that asked to be retried after `seconds`; carries the error to give up with. */
class RetryAfter extends Error {
  constructor(
    readonly seconds: number,
    readonly apiError: ApiError,
  ) {
    super(apiError.message);
  }
}

function jsonBody(v: unknown): Body {
  return { data: JSON.stringify(v), contentType: "application/json" };
}

function managerQuery(fieldManager?: string): string {
  return fieldManager ? `?fieldManager=${encodeURIComponent(fieldManager)}` : "";
}

function header(res: http.IncomingMessage, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function readAll(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c));
    res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    res.on("error", reject);
    res.on("close", () => {
      if (!res.complete) reject(new Error("the API server closed the connection mid-answer"));
    });
  });
}
