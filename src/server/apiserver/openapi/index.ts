/**
 * OpenAPI v3 as upstream serves it: `GET /openapi/v3` lists one document per group-version with a
 * content hash, and `GET /openapi/v3/<apis/group/version>?hash=…` returns that document, whose
 * `components.schemas` (generated at build time from kubernetes-types) feed `kubectl explain` and
 * client-side apply, and whose PATCH operations tell kubectl to leave field validation to us.
 * `/openapi/v2` (Swagger 2.0, JSON or gnostic protobuf for client-go) is built in v2.ts from the same sources.
 *
 * Routing (in the HTTP layer):
 *   GET /openapi/v3          → 200 JSON openApiV3Index(resources)
 *   GET /openapi/v3/<gvPath> → openApiV3Document(gvPath, resources): 200 with `ETag: "<etag>"` (304
 *                              when If-None-Match equals it), or 404 when undefined.
 */
import { createHash } from "node:crypto";
import type { ResourceType } from "../../registry/types.js";
import { componentSchemas, schemaNameForKind, type OpenApiSchema } from "../../../shared/api/schema-validation.js";
import { KUBE_MAJOR, KUBE_MINOR } from "../../../shared/version.js";
import { DELETE_OPTIONS_SCHEMA, PATCH_SCHEMA, STATUS_SCHEMA, groupVersionPrefix, resourcePaths, type OpenApiPathItem } from "./paths.js";

export { groupVersionPrefix } from "./paths.js";
export { OPENAPI_V2_PROTOBUF_CONTENT_TYPE, negotiateOpenApiV2, openApiV2Json, openApiV2Protobuf } from "./v2.js";

export interface OpenApiDocument {
  /** The serialised document. */
  body: string;
  /** Entity tag: the content hash; the ETag header carries it quoted (`ETag: "<etag>"`), as upstream sends it. */
  etag: string;
  /** Upper-case hex SHA-512 of `body`, used as `?hash=` in the index. */
  hash: string;
}

const REF_PREFIX = "#/components/schemas/";
/** Schemas every document carries for its generic operations (delete bodies, error responses, patch bodies). */
const COMMON_SCHEMAS = [STATUS_SCHEMA, DELETE_OPTIONS_SCHEMA, PATCH_SCHEMA];

/** Documents computed so far, keyed by group-version path; rebuilt only when that GV's resources change. */
const documentCache = new Map<string, { signature: string; doc: OpenApiDocument }>();

/** Group-version path as the index names it: `api/v1`, `apis/apps/v1`. */
function gvPathOf(rt: ResourceType): string {
  return groupVersionPrefix(rt.group, rt.version).slice(1);
}

/** Accepts `apis/apps/v1`, `/apis/apps/v1` or `/openapi/v3/apis/apps/v1` (a query string is ignored). */
function normaliseGvPath(p: string): string {
  let s = p.split("?")[0];
  s = s.replace(/^\/+/, "").replace(/\/+$/, "");
  if (s.startsWith("openapi/v3/")) s = s.slice("openapi/v3/".length);
  return s;
}

function resourcesByGroupVersion(resources: ResourceType[]): Map<string, ResourceType[]> {
  const out = new Map<string, ResourceType[]>();
  for (const rt of resources) {
    const key = gvPathOf(rt);
    const list = out.get(key);
    if (list) list.push(rt);
    else out.set(key, [rt]);
  }
  return out;
}

/** What the document depends on: enough to notice a resource being added, removed or changed. */
function signatureOf(list: ResourceType[]): string {
  return JSON.stringify(
    list.map((r) => [r.kind, r.listKind, r.plural, r.namespaced, r.verbs, r.subresources, r.returnDeletedObject ?? false]),
  );
}

/** Every schema name reachable from `roots` through `$ref`s. */
function schemaClosure(roots: string[]): string[] {
  const seen = new Set<string>();
  const stack = roots.filter((r) => componentSchemas[r]);
  while (stack.length) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    collectRefs(componentSchemas[name], stack);
  }
  return [...seen].sort();
}

function collectRefs(s: unknown, out: string[]): void {
  if (Array.isArray(s)) {
    for (const x of s) collectRefs(x, out);
  } else if (s && typeof s === "object") {
    for (const [k, v] of Object.entries(s)) {
      if (k === "$ref" && typeof v === "string" && v.startsWith(REF_PREFIX)) out.push(v.slice(REF_PREFIX.length));
      else if (typeof v === "object") collectRefs(v, out);
    }
  }
}

function buildDocument(list: ResourceType[]): OpenApiDocument {
  const paths: Record<string, OpenApiPathItem> = {};
  for (const rt of [...list].sort((a, b) => a.plural.localeCompare(b.plural))) Object.assign(paths, resourcePaths(rt, schemaNameForKind));
  const roots = [...COMMON_SCHEMAS];
  collectRefs(paths, roots);
  const schemas: Record<string, OpenApiSchema> = {};
  for (const name of schemaClosure(roots)) schemas[name] = componentSchemas[name];
  const doc = {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: `v${KUBE_MAJOR}.${KUBE_MINOR}.0` },
    paths: Object.fromEntries(Object.keys(paths).sort().map((k) => [k, paths[k]])),
    components: { schemas },
  };
  const body = JSON.stringify(doc);
  const hash = createHash("sha512").update(body).digest("hex").toUpperCase();
  return { body, hash, etag: hash };
}

function documentFor(gvPath: string, list: ResourceType[]): OpenApiDocument {
  const signature = signatureOf(list);
  const hit = documentCache.get(gvPath);
  if (hit && hit.signature === signature) return hit.doc;
  const doc = buildDocument(list);
  documentCache.set(gvPath, { signature, doc });
  return doc;
}

/**
 * The `/openapi/v3` discovery index: one entry per group-version present in `resources`.
 *
 * @example
 *   openApiV3Index(registry.all())
 *   // { paths: { "api/v1": { serverRelativeURL: "/openapi/v3/api/v1?hash=4F2A…" }, "apis/apps/v1": { … } } }
 */
export function openApiV3Index(resources: ResourceType[]): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  const groups = resourcesByGroupVersion(resources);
  for (const gvPath of [...groups.keys()].sort()) {
    const doc = documentFor(gvPath, groups.get(gvPath)!);
    paths[gvPath] = { serverRelativeURL: `/openapi/v3/${gvPath}?hash=${doc.hash}` };
  }
  return { paths };
}

/**
 * The OpenAPI v3 document of one group-version (`api/v1`, `apis/apps/v1`), or undefined when no
 * resource in `resources` belongs to it (answer 404). Serialised once per process and reused while
 * that group-version's resources stay the same.
 *
 * @example
 *   const doc = openApiV3Document("apis/apps/v1", registry.all());
 *   if (!doc) throw pathNotFound();
 *   res.writeHead(200, { "Content-Type": "application/json", ETag: `"${doc.etag}"` }).end(doc.body);
 */
export function openApiV3Document(gvPath: string, resources: ResourceType[]): OpenApiDocument | undefined {
  const key = normaliseGvPath(gvPath);
  const list = resources.filter((rt) => gvPathOf(rt) === key);
  if (list.length === 0) return undefined;
  return documentFor(key, list);
}
