/**
 * The API server's request pipeline: health endpoints, authentication, non-resource paths
 * (version, discovery, OpenAPI) and resource requests, with every failure answered as a
 * `metav1.Status`. Built on node:http types so the same handler serves HTTPS and the agent tunnel.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, internalError, pathNotFound, unauthorized } from "../../shared/api/status.js";
import type { Logger } from "../../shared/log.js";
import { versionInfo } from "../../shared/version.js";
import { sqliteWasmHeapBytes } from "../storage/wasm-memory.js";
import type { GenericStore } from "../registry/generic-store.js";
import type { Registry } from "../registry/registry.js";
import type { ResourceType } from "../registry/types.js";
import { isPublicPath, type Authenticator, type UserInfo } from "./auth.js";
import { Discovery, aggregatedContentType } from "./discovery.js";
import { negotiateDiscovery } from "./negotiation.js";
import { OPENAPI_V2_PROTOBUF_CONTENT_TYPE, negotiateOpenApiV2, openApiV2Json, openApiV2Protobuf, openApiV3Document, openApiV3Index } from "./openapi/index.js";
import { parseRequestInfo } from "./request-info.js";
import { handleResource, writeJson, type SubresourceHandler } from "./resource-handler.js";

export interface ApiHandlerOptions {
  registry: Registry;
  stores: Map<ResourceType, GenericStore>;
  authenticator: Authenticator;
  log: Logger;
  /** host:port clients reach us at, for `/api`'s serverAddressByClientCIDRs. */
  serverAddress: string;
  subresourceHandlers?: Map<string, SubresourceHandler>;
  /** Virtual create-only resources (access reviews …): `group/version/plural` → handler. */
  virtualCreate?: Map<string, VirtualCreateHandler>;
  /** Readiness: false until storage and bootstrap objects are in place. */
  ready(): boolean;
}

export type VirtualCreateHandler = (req: IncomingMessage, res: ServerResponse, user: UserInfo, namespace: string) => Promise<void>;

/**
 * Process memory for diagnostics and benchmarks: RSS split into the V8 heap, SQLite's wasm heap and
 * the rest (code, buffers, native allocations).
 */
function memoryReport(): Record<string, number | null> {
  const m = process.memoryUsage();
  const wasm = sqliteWasmHeapBytes();
  return {
    rssBytes: m.rss,
    v8HeapTotalBytes: m.heapTotal,
    v8HeapUsedBytes: m.heapUsed,
    wasmHeapBytes: wasm ?? null,
    arrayBuffersBytes: m.arrayBuffers,
    externalBytes: m.external,
    restBytes: m.rss - m.heapTotal - (wasm ?? 0),
  };
}

export function writeStatus(res: ServerResponse, err: ApiError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  writeJson(res, err.code, err.toStatus());
}

function writeText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" });
  res.end(text);
}

export class ApiHandler {
  private readonly discovery: Discovery;
  private readonly subresourceHandlers: Map<string, SubresourceHandler>;

  constructor(private readonly opts: ApiHandlerOptions) {
    this.discovery = new Discovery(opts.registry);
    this.subresourceHandlers = opts.subresourceHandlers ?? new Map();
  }

  /** The node:http request listener. Never throws: every error becomes a Status response. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    this.handle(req, res).catch((err: unknown) => {
      if (err instanceof ApiError) {
        writeStatus(res, err);
        return;
      }
      this.opts.log.error({ err, method: req.method, url: req.url }, "request failed");
      writeStatus(res, internalError((err as Error)?.message ?? String(err)));
    });
  };

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "https://localhost");
    const pathname = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
    if (pathname === "/healthz" || pathname === "/livez" || pathname.startsWith("/livez/") || pathname.startsWith("/healthz/")) return writeText(res, 200, "ok");
    if (pathname === "/readyz" || pathname.startsWith("/readyz/")) return this.opts.ready() ? writeText(res, 200, "ok") : writeText(res, 500, "[-]storage not ready\nreadyz check failed");
    const user = this.opts.authenticator.authenticate(req);
    if (!user && !isPublicPath(pathname)) throw unauthorized();
    if (pathname === "/version") return writeJson(res, 200, versionInfo(), { pretty: true });
    if (pathname === "/debug/kube-lite/memory") return writeJson(res, 200, memoryReport(), { pretty: true });
    if (pathname === "/api" || pathname === "/apis") return this.serveRootDiscovery(req, res, pathname === "/api");
    if (pathname === "/openapi/v2" || pathname === "/swagger-2.0.0.pb-v1") return this.serveOpenApiV2(req, res, pathname !== "/openapi/v2");
    if (pathname === "/openapi/v3") return writeJson(res, 200, openApiV3Index(this.opts.registry.resources));
    if (pathname.startsWith("/openapi/v3/")) return this.serveOpenApi(req, res, pathname.slice("/openapi/v3/".length));
    const info = parseRequestInfo(req.method ?? "GET", pathname, url.searchParams);
    if (!info.isResourceRequest) return this.serveGroupDiscovery(res, info.apiPrefix, info.group, info.version, pathname);
    const virtual = this.opts.virtualCreate?.get(`${info.group}/${info.version}/${info.resource}`);
    if (virtual) {
      if (req.method !== "POST" || info.name) throw new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
      return virtual(req, res, user!, info.namespace);
    }
    const rt = this.opts.registry.lookup(info.group, info.version, info.resource);
    if (!rt) throw pathNotFound();
    const store = this.opts.stores.get(rt)!;
    await handleResource({ req, res, info, query: url.searchParams, rt, store, log: this.opts.log, subresourceHandlers: this.subresourceHandlers });
  }

  private serveRootDiscovery(req: IncomingMessage, res: ServerResponse, core: boolean): void {
    const format = negotiateDiscovery(req.headers.accept);
    if (format !== "legacy") {
      res.writeHead(200, { "Content-Type": aggregatedContentType(format), Vary: "Accept", "Cache-Control": "no-cache, private" });
      res.end(this.discovery.aggregated(core, format));
      return;
    }
    const body = core ? this.discovery.apiVersions(this.opts.serverAddress) : this.discovery.apiGroupList();
    res.writeHead(200, { "Content-Type": "application/json", Vary: "Accept" });
    res.end(body);
  }

  private serveGroupDiscovery(res: ServerResponse, prefix: string, group: string, version: string, pathname: string): void {
    let body: string | undefined;
    if (prefix === "api" && version) body = this.discovery.resourceList("", version);
    else if (prefix === "apis" && group && version) body = this.discovery.resourceList(group, version);
    else if (prefix === "apis" && !version) {
      const g = pathname.split("/")[2];
      if (g) body = this.discovery.apiGroup(g);
    }
    if (body === undefined) throw pathNotFound();
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(body);
  }

  private serveOpenApiV2(req: IncomingMessage, res: ServerResponse, protobufOnly: boolean): void {
    const form = protobufOnly ? "protobuf" : negotiateOpenApiV2(req.headers.accept);
    if (!form) throw new ApiError(406, "NotAcceptable", `only application/json and ${OPENAPI_V2_PROTOBUF_CONTENT_TYPE} are served`);
    const doc = form === "protobuf" ? openApiV2Protobuf(this.opts.registry.resources) : openApiV2Json(this.opts.registry.resources);
    const etag = `"${doc.etag}"`;
    if (req.headers["if-none-match"] === etag) {
      res.writeHead(304, { ETag: etag, Vary: "Accept" });
      res.end();
      return;
    }
    res.writeHead(200, { "Content-Type": form === "protobuf" ? OPENAPI_V2_PROTOBUF_CONTENT_TYPE : "application/json", ETag: etag, Vary: "Accept" });
    res.end(doc.body);
  }

  private serveOpenApi(req: IncomingMessage, res: ServerResponse, gvPath: string): void {
    const doc = openApiV3Document(gvPath, this.opts.registry.resources);
    if (!doc) throw pathNotFound();
    const etag = `"${doc.etag}"`;
    if (req.headers["if-none-match"] === etag) {
      res.writeHead(304, { ETag: etag });
      res.end();
      return;
    }
    res.writeHead(200, { "Content-Type": "application/json", ETag: etag, "Cache-Control": "public, immutable", Vary: "Accept" });
    res.end(doc.body);
  }
}
