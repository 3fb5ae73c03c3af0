/**
 * REST verbs on resource paths: get, list, watch, create, update, patch, delete, deletecollection, and
 * the status and scale subresources — decoding bodies, negotiating Table output, field validation, and
 * turning registry results into upstream's response codes.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { KubeObject } from "../../shared/api/types.js";
import { ApiError, badRequest, methodNotAllowed, notFound, pathNotFound } from "../../shared/api/status.js";
import type { GenericStore, DeleteOptions, WriteOptions, FieldValidation } from "../registry/generic-store.js";
import type { ResourceType } from "../registry/types.js";
import { decodeObjectBody, readBody } from "./body.js";
import { negotiateRepresentation } from "./negotiation.js";
import type { RequestInfo } from "./request-info.js";
import { parseIncludeObject, partialObjectMetadata, toTable } from "./tables.js";
import { serveWatch } from "./watch.js";
import { enforceFieldValidation } from "./field-validation.js";
import { applyPatchRequest } from "./patch-request.js";
import { scaleSubresource } from "./scale.js";
import type { Logger } from "../../shared/log.js";

export interface ResourceRequest {
  req: IncomingMessage;
  res: ServerResponse;
  info: RequestInfo;
  query: URLSearchParams;
  rt: ResourceType;
  store: GenericStore;
  log: Logger;
  /** Handlers for subresources beyond status/scale/finalize, keyed `group/plural/subresource`. */
  subresourceHandlers: Map<string, SubresourceHandler>;
}

export type SubresourceHandler = (r: ResourceRequest, namespace: string) => Promise<void>;

export function writeJson(res: ServerResponse, code: number, body: unknown, opts: { pretty?: boolean; contentType?: string; warnings?: string[] } = {}): void {
  const text = opts.pretty ? JSON.stringify(body, null, 2) + "\n" : JSON.stringify(body);
  const headers: Record<string, string | string[]> = { "Content-Type": opts.contentType ?? "application/json", "Cache-Control": "no-cache, private" };
  if (opts.warnings?.length) headers.Warning = opts.warnings;
  res.writeHead(code, headers);
  res.end(text);
}

function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === "true" || v === "1";
}

function dryRunParam(q: URLSearchParams): boolean {
  const values = q.getAll("dryRun");
  for (const v of values) {
    if (v !== "All") throw badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  }
  return values.length > 0;
}

function fieldValidationParam(q: URLSearchParams): FieldValidation {
  const v = q.get("fieldValidation");
  if (v === null || v === "") return "Warn";
  if (v === "Strict" || v === "Warn" || v === "Ignore") return v;
  throw badRequest(`fieldValidation: Unsupported value: "${v}": supported values: "Ignore", "Strict", "Warn"`);
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw badRequest(`${name}: Invalid value: "${v}": must be an integer`);
  return n;
}

export function writeOptions(r: Pick<ResourceRequest, "query" | "req">): WriteOptions {
  const q = r.query;
  const fieldManager = q.get("fieldManager") ?? undefined;
  if (fieldManager && fieldManager.length > 128) throw badRequest(`fieldManager: Too long: may not be more than 128 bytes`);
  return { dryRun: dryRunParam(q), fieldManager: fieldManager ?? managerFromUserAgent(r.req.headers["user-agent"]) };
}

/** Upstream names an unnamed writer after its User-Agent up to the first "/" (`kubectl/v1.32 …` → `kubectl`). */
function managerFromUserAgent(userAgent: string | undefined): string {
  const prefix = (userAgent ?? "").split("/")[0]!.trim();
  return prefix ? prefix.slice(0, 128) : "unknown";
}

/** Responds with one object in the representation the client asked for (object, Table, partial metadata). */
function respondObject(r: ResourceRequest, code: number, obj: KubeObject, warnings?: string[]): void {
  const repr = negotiateRepresentation(r.req.headers.accept);
  const pretty = boolParam(r.query, "pretty");
  if (repr.as === "Table") {
    const table = toTable(r.rt, [obj], { include: parseIncludeObject(r.query.get("includeObject")), version: repr.version, listMeta: { resourceVersion: obj.metadata.resourceVersion } });
    return writeJson(r.res, code, table, { pretty, contentType: `application/json;as=Table;v=${repr.version};g=meta.k8s.io`, warnings });
  }
  if (repr.as === "PartialObjectMetadata") {
    return writeJson(r.res, code, partialObjectMetadata(obj, repr.version), { pretty, warnings });
  }
  writeJson(r.res, code, obj, { pretty, warnings });
}

async function readObject(r: ResourceRequest, kind: string): Promise<{ obj: KubeObject; json?: string }> {
  const body = await readBody(r.req);
  const decoded = decodeObjectBody(body, r.req.headers["content-type"], kind);
  return { obj: decoded.object as KubeObject, json: decoded.json };
}

/** Applies the fieldValidation mode; returns Warning header values. */
function validateFields(r: ResourceRequest, obj: KubeObject, json: string | undefined, mode: FieldValidation): string[] {
  return enforceFieldValidation(r.rt, obj, json, mode);
}

export async function handleResource(r: ResourceRequest): Promise<void> {
  const { info, rt } = r;
  if (rt.namespaced && !info.namespace && info.name) throw pathNotFound();
  if (!rt.namespaced && info.namespace && info.resource !== "namespaces") throw pathNotFound();
  const ns = rt.namespaced ? info.namespace : "";
  if (info.subresource) return handleSubresource(r, ns);
  const verb = info.verb;
  if (!rt.verbs.includes(verb as never)) throw methodNotAllowed();
  switch (verb) {
    case "get":
      return respondObject(r, 200, await r.store.get(ns, info.name));
    case "list":
      return handleList(r, ns || undefined);
    case "watch":
      return handleWatch(r, ns || undefined);
    case "create": {
      if (info.name) throw methodNotAllowed();
      const mode = fieldValidationParam(r.query);
      const { obj, json } = await readObject(r, rt.kind);
      const warnings = validateFields(r, obj, json, mode);
      const created = await r.store.create(ns, obj, writeOptions(r));
      return respondObject(r, 201, created, warnings);
    }
    case "update": {
      const mode = fieldValidationParam(r.query);
      const { obj, json } = await readObject(r, rt.kind);
      const warnings = validateFields(r, obj, json, mode);
      const result = await r.store.update(ns, info.name, obj, "", writeOptions(r));
      return respondObject(r, result.created ? 201 : 200, result.object, warnings);
    }
    case "patch": {
      const mode = fieldValidationParam(r.query);
      const result = await applyPatchRequest(r, ns, "", (obj) => validateFields(r, obj, undefined, mode));
      return respondObject(r, result.created ? 201 : 200, result.object, result.warnings);
    }
    case "delete":
      return handleDelete(r, ns);
    case "deletecollection":
      return handleDeleteCollection(r, ns || undefined);
    default:
      throw methodNotAllowed();
  }
}

async function handleList(r: ResourceRequest, ns: string | undefined): Promise<void> {
  const q = r.query;
  const list = await r.store.list(ns, {
    labelSelector: q.get("labelSelector") ?? undefined,
    fieldSelector: q.get("fieldSelector") ?? undefined,
    limit: intParam(q, "limit"),
    continue: q.get("continue") ?? undefined,
    resourceVersion: q.get("resourceVersion") ?? undefined,
    resourceVersionMatch: q.get("resourceVersionMatch") ?? undefined,
  });
  const repr = negotiateRepresentation(r.req.headers.accept);
  const pretty = boolParam(q, "pretty");
  if (repr.as === "Table") {
    const table = toTable(r.rt, list.items, { include: parseIncludeObject(q.get("includeObject")), version: repr.version, listMeta: list.metadata as Record<string, unknown> });
    return writeJson(r.res, 200, table, { pretty, contentType: `application/json;as=Table;v=${repr.version};g=meta.k8s.io` });
  }
  if (repr.as === "PartialObjectMetadata" || repr.as === "PartialObjectMetadataList") {
    return writeJson(r.res, 200, {
      kind: "PartialObjectMetadataList",
      apiVersion: `meta.k8s.io/${repr.version}`,
      metadata: list.metadata,
      items: list.items.map((o) => partialObjectMetadata(o, repr.version)),
    }, { pretty });
  }
  writeJson(r.res, 200, list, { pretty });
}

async function handleWatch(r: ResourceRequest, ns: string | undefined): Promise<void> {
  const q = r.query;
  const repr = negotiateRepresentation(r.req.headers.accept);
  const table = repr.as === "Table" ? { include: parseIncludeObject(q.get("includeObject")), version: repr.version } : undefined;
  await serveWatch(r.req, r.res, {
    store: r.store,
    namespace: ns,
    query: {
      labelSelector: q.get("labelSelector") ?? undefined,
      fieldSelector: q.get("fieldSelector") ?? undefined,
      resourceVersion: q.get("resourceVersion") ?? undefined,
      sendInitialEvents: boolParam(q, "sendInitialEvents"),
    },
    timeoutSeconds: intParam(q, "timeoutSeconds"),
    allowBookmarks: boolParam(q, "allowWatchBookmarks"),
    table,
    contentType: table ? `application/json;as=Table;v=${table.version};g=meta.k8s.io` : "application/json",
    onError: (err) => r.log.debug({ err: err.message, resource: r.rt.plural }, "watch ended by storage"),
  });
}

/** DeleteOptions from the body (kubectl, client-go) or from query parameters (curl, client-node). */
async function readDeleteOptions(r: ResourceRequest): Promise<DeleteOptions> {
  const body = await readBody(r.req);
  let opts: Record<string, unknown> = {};
  if (body.length > 0) {
    const decoded = decodeObjectBody(body, r.req.headers["content-type"] ?? "application/json", "DeleteOptions");
    opts = decoded.object;
  }
  const q = r.query;
  const grace = opts.gracePeriodSeconds ?? intParam(q, "gracePeriodSeconds");
  let policy = (opts.propagationPolicy ?? q.get("propagationPolicy") ?? undefined) as DeleteOptions["propagationPolicy"] | undefined;
  const orphan = opts.orphanDependents ?? (q.has("orphanDependents") ? boolParam(q, "orphanDependents") : undefined);
  if (policy === undefined && orphan !== undefined) policy = orphan ? "Orphan" : "Background";
  if (policy !== undefined && !["Orphan", "Background", "Foreground"].includes(policy)) {
    throw badRequest(`propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
  }
  if (grace !== undefined && (typeof grace !== "number" || !Number.isInteger(grace))) throw badRequest("gracePeriodSeconds must be an integer");
  const dryRun = Array.isArray(opts.dryRun) ? (opts.dryRun as string[]).includes("All") : dryRunParam(q);
  const pre = opts.preconditions as DeleteOptions["preconditions"] | undefined;
  return { gracePeriodSeconds: grace as number | undefined, propagationPolicy: policy, preconditions: pre, dryRun };
}

async function handleDelete(r: ResourceRequest, ns: string): Promise<void> {
  const opts = await readDeleteOptions(r);
  const { object, deleted } = await r.store.delete(ns, r.info.name, opts);
  const pretty = boolParam(r.query, "pretty");
  if (!deleted || r.rt.returnDeletedObject) return writeJson(r.res, 200, object, { pretty });
  writeJson(r.res, 200, {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Success",
    details: { name: object.metadata.name, group: r.rt.group, kind: r.rt.plural, uid: object.metadata.uid },
  }, { pretty });
}

async function handleDeleteCollection(r: ResourceRequest, ns: string | undefined): Promise<void> {
  const opts = await readDeleteOptions(r);
  const q = r.query;
  const list = await r.store.list(ns, { labelSelector: q.get("labelSelector") ?? undefined, fieldSelector: q.get("fieldSelector") ?? undefined });
  const items: KubeObject[] = [];
  for (const item of list.items) {
    try {
      const { object } = await r.store.delete(item.metadata.namespace ?? "", item.metadata.name!, opts);
      items.push(object);
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) continue;
      throw err;
    }
  }
  writeJson(r.res, 200, { kind: r.rt.listKind, apiVersion: r.store.apiVersion, metadata: { resourceVersion: list.metadata.resourceVersion }, items }, { pretty: boolParam(q, "pretty") });
}

async function handleSubresource(r: ResourceRequest, ns: string): Promise<void> {
  const { info, rt } = r;
  const sub = rt.subresources.find((s) => s.name === info.subresource);
  if (!sub) throw pathNotFound();
  if (!info.name) throw pathNotFound();
  if (sub.name === "status") {
    const verb = info.verb;
    if (verb === "get") return respondObject(r, 200, await r.store.get(ns, info.name));
    if (verb === "update") {
      const mode = fieldValidationParam(r.query);
      const { obj, json } = await readObject(r, rt.kind);
      const warnings = validateFields(r, obj, json, mode);
      const result = await r.store.update(ns, info.name, obj, "status", writeOptions(r));
      return respondObject(r, 200, result.object, warnings);
    }
    if (verb === "patch") {
      const mode = fieldValidationParam(r.query);
      const result = await applyPatchRequest(r, ns, "status", (obj) => validateFields(r, obj, undefined, mode));
      return respondObject(r, 200, result.object, result.warnings);
    }
    throw methodNotAllowed();
  }
  if (sub.name === "scale") return scaleSubresource(r, ns);
  if (sub.name === "finalize" && info.verb === "update") {
    const { obj } = await readObject(r, rt.kind);
    const result = await r.store.guaranteedUpdate(ns, info.name, "finalize", writeOptions(r), (live) => {
      const spec = (obj.spec ?? {}) as Record<string, unknown>;
      return { ...live, spec: { ...(live.spec as Record<string, unknown>), finalizers: spec.finalizers ?? [] } };
    });
    return respondObject(r, 200, result.object);
  }
  const handler = r.subresourceHandlers.get(`${rt.group}/${rt.plural}/${sub.name}`);
  if (handler) return handler(r, ns);
  throw notFound(rt.group, `${rt.plural}/${sub.name}`, info.name);
}
