/**
 * `/openapi/v2` as upstream serves it: the Swagger 2.0 document of every served resource, as JSON
 * or as gnostic protobuf. client-go (kubectl ≤ 1.28 for `apply -f`/`create -f` validation,
 * `explain` and client-side apply) asks only for the protobuf form:
 * `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`, falling back to
 * `/swagger-2.0.0.pb-v1` on 404.
 *
 * Both forms are built on first use and cached for the process, rebuilt only when the served
 * resources change. They share one entity tag (upstream does the same: the responses differ by
 * `Vary: Accept`), the upper-case hex SHA-512 of the JSON form; the HTTP layer quotes it.
 *
 * Routing (in the HTTP layer):
 *   GET /openapi/v2, /swagger-2.0.0.pb-v1 → negotiateOpenApiV2(Accept):
 *     "protobuf" → 200 openApiV2Protobuf(resources).body, Content-Type OPENAPI_V2_PROTOBUF_CONTENT_TYPE
 *     "json"     → 200 openApiV2Json(resources).body, Content-Type application/json
 *     undefined  → 406 NotAcceptable
 *   with `ETag: "<etag>"`, `Vary: Accept`, and 304 when If-None-Match equals the quoted tag.
 */
import { createHash } from "node:crypto";
import type { ResourceType } from "../../registry/types.js";
import { encodeSwaggerProtobuf } from "./v2-proto.js";
import { buildSwaggerDocument, type SwaggerDocument } from "./v2-swagger.js";

/** The media type upstream answers the protobuf form with (kube-openapi's non-deprecated spelling). */
export const OPENAPI_V2_PROTOBUF_CONTENT_TYPE = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
/** Sub-types that select the protobuf form: client-go sends the deprecated `@v1.0` spelling. */
const PROTOBUF_SUBTYPES = new Set(["com.github.proto-openapi.spec.v2@v1.0+protobuf", "com.github.proto-openapi.spec.v2.v1.0+protobuf"]);

export interface OpenApiV2Json {
  body: string;
  /** Upper-case hex SHA-512 of the JSON body, unquoted. */
  etag: string;
}

export interface OpenApiV2Protobuf {
  body: Buffer;
  /** The same tag as the JSON form. */
  etag: string;
}

interface Cached {
  signature: string;
  json: OpenApiV2Json;
  protobuf?: OpenApiV2Protobuf;
  /** The built document, kept only until the protobuf form is encoded from it. */
  doc?: SwaggerDocument;
}

let cache: Cached | undefined;

/** What the document depends on: enough to notice a resource being added, removed or changed. */
function signatureOf(resources: ResourceType[]): string {
  return JSON.stringify(
    resources.map((r) => [r.group, r.version, r.kind, r.listKind, r.plural, r.namespaced, r.verbs, r.subresources, r.returnDeletedObject ?? false]),
  );
}

function current(resources: ResourceType[]): Cached {
  const signature = signatureOf(resources);
  if (cache?.signature === signature) return cache;
  const doc = buildSwaggerDocument(resources);
  const body = JSON.stringify(doc);
  const etag = createHash("sha512").update(body).digest("hex").toUpperCase();
  cache = { signature, json: { body, etag }, doc };
  return cache;
}

/**
 * The Swagger 2.0 document as JSON (what upstream answers to `Accept: application/json` or none).
 *
 * @example
 *   const doc = openApiV2Json(registry.resources);
 *   res.writeHead(200, { "Content-Type": "application/json", ETag: `"${doc.etag}"`, Vary: "Accept" }).end(doc.body);
 */
export function openApiV2Json(resources: ResourceType[]): OpenApiV2Json {
  return current(resources).json;
}

/**
 * The Swagger 2.0 document as gnostic `openapi_v2.Document` protobuf, which client-go decodes.
 *
 * @example
 *   const doc = openApiV2Protobuf(registry.resources);
 *   res.writeHead(200, { "Content-Type": OPENAPI_V2_PROTOBUF_CONTENT_TYPE, ETag: `"${doc.etag}"`, Vary: "Accept" }).end(doc.body);
 */
export function openApiV2Protobuf(resources: ResourceType[]): OpenApiV2Protobuf {
  const c = current(resources);
  if (!c.protobuf) {
    const bytes = encodeSwaggerProtobuf(c.doc ?? buildSwaggerDocument(resources));
    c.protobuf = { body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), etag: c.json.etag };
    delete c.doc;
  }
  return c.protobuf;
}

/**
 * Which form of `/openapi/v2` an Accept header asks for, as upstream negotiates it: the first
 * clause (by q-value, then order) naming JSON or the protobuf type, with `*` wildcards matching
 * JSON first; an absent header means any. Undefined when nothing fits (answer 406).
 *
 * @example
 *   negotiateOpenApiV2("application/com.github.proto-openapi.spec.v2@v1.0+protobuf") // "protobuf"
 *   negotiateOpenApiV2(undefined) // "json"
 */
export function negotiateOpenApiV2(accept: string | undefined): "json" | "protobuf" | undefined {
  const clauses = (accept?.trim() ? accept : "*/*")
    .split(",")
    .map((raw, index) => {
      const [mediaType, ...params] = raw.split(";").map((s) => s.trim());
      const q = params.find((p) => p.startsWith("q="));
      const [type, subtype = ""] = mediaType.toLowerCase().split("/");
      return { type, subtype, q: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((c) => c.type && c.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const c of clauses) {
    if (c.type !== "application" && c.type !== "*") continue;
    if (c.subtype === "json" || c.subtype === "*") return "json";
    if (PROTOBUF_SUBTYPES.has(c.subtype)) return "protobuf";
  }
  return undefined;
}
