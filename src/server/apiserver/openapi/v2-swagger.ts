/**
 * The Swagger 2.0 document upstream serves at `/openapi/v2`, built from the same operations
 * (paths.ts) and generated component schemas as our OpenAPI v3 documents, so v2 and v3 never
 * disagree. The conversion is mechanical:
 *
 * - schemas: `#/components/schemas/X` → `#/definitions/X`; a v3 `allOf: [{$ref}]` wrapper (used to
 *   attach a description to a reference) becomes a plain `$ref` beside the description; `oneOf`
 *   scalars (IntOrString, Quantity) become `type: string`, as upstream publishes them in v2;
 * - operations: `requestBody` becomes an `in: body` parameter plus `consumes`; a parameter's
 *   `schema` is flattened into the parameter (`type`, `uniqueItems`); a response's content schema
 *   becomes its `schema`; `produces` and `schemes` are listed per operation.
 *
 * kubectl 1.27/1.28 read this document (through its protobuf form) for `apply`/`create` validation,
 * `explain`, and the strategic-merge-patch metadata of client-side apply; kube-openapi's v2 parser
 * rejects a whole document for one dangling `$ref` or a typed `$ref`, so every reference made here
 * resolves inside `definitions`.
 */
import type { ResourceType } from "../../registry/types.js";
import { componentSchemas, schemaNameForKind, type OpenApiSchema } from "../../../shared/api/schema-validation.js";
import { KUBE_MAJOR, KUBE_MINOR } from "../../../shared/version.js";
import { DELETE_OPTIONS_SCHEMA, PATCH_SCHEMA, STATUS_SCHEMA, resourcePaths, type OpenApiPathItem } from "./paths.js";

export type SwaggerSchema = Record<string, unknown>;
export type SwaggerParameter = Record<string, unknown>;
export type SwaggerOperation = Record<string, unknown>;
export type SwaggerPathItem = Record<string, unknown>;

export interface SwaggerDocument {
  swagger: "2.0";
  info: { title: string; version: string };
  paths: Record<string, SwaggerPathItem>;
  definitions: Record<string, SwaggerSchema>;
  securityDefinitions: Record<string, Record<string, string>>;
  security: Record<string, string[]>[];
}

const V3_REF_PREFIX = "#/components/schemas/";
const V2_REF_PREFIX = "#/definitions/";
/** HTTP methods of a path item, in the order upstream's generator writes them. */
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch"] as const;
/** Response media types of every operation (upstream: JSON, YAML and Kubernetes protobuf). */
const PRODUCES = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"];
/** Lists and watches may also stream events. */
const PRODUCES_WATCHABLE = [...PRODUCES, "application/json;stream=watch", "application/vnd.kubernetes.protobuf;stream=watch"];
/** Transfer protocols of every operation: the API is served over TLS only. */
const SCHEMES = ["https"];
/** Schemas every document carries for its generic operations (delete bodies, error responses, patch bodies). */
const COMMON_SCHEMAS = [STATUS_SCHEMA, DELETE_OPTIONS_SCHEMA, PATCH_SCHEMA];
/** JSON-Schema keywords that Swagger 2.0 schemas share with OpenAPI v3 and that we carry over unchanged. */
const SHARED_KEYWORDS = [
  "format",
  "title",
  "description",
  "default",
  "multipleOf",
  "maximum",
  "exclusiveMaximum",
  "minimum",
  "exclusiveMinimum",
  "maxLength",
  "minLength",
  "pattern",
  "maxItems",
  "minItems",
  "uniqueItems",
  "maxProperties",
  "minProperties",
  "required",
  "enum",
  "type",
  "readOnly",
  "example",
];

function v2Ref(ref: string): string {
  return ref.startsWith(V3_REF_PREFIX) ? V2_REF_PREFIX + ref.slice(V3_REF_PREFIX.length) : ref;
}

function sortedRecord<T>(rec: Record<string, T>, map: (v: T) => T = (v) => v): Record<string, T> {
  return Object.fromEntries(Object.keys(rec).sort().map((k) => [k, map(rec[k])]));
}

/**
 * An OpenAPI v3 schema as a Swagger 2.0 schema.
 *
 * @example
 *   toSwaggerSchema({ allOf: [{ $ref: "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec" }], description: "Spec." })
 *   // { $ref: "#/definitions/io.k8s.api.apps.v1.DeploymentSpec", description: "Spec." }
 */
export function toSwaggerSchema(s: OpenApiSchema): SwaggerSchema {
  const out: SwaggerSchema = {};
  const wrapped = s.allOf?.length === 1 && s.allOf[0].$ref ? s.allOf[0].$ref : undefined;
  const ref = s.$ref ?? wrapped;
  if (ref) out.$ref = v2Ref(ref);
  for (const k of SHARED_KEYWORDS) if (s[k] !== undefined) out[k] = s[k];
  // A `$ref` never carries a type (kube-openapi's parser refuses one); v2 has no oneOf, and upstream
  // publishes its one-of scalars (IntOrString, Quantity) as strings there.
  if (ref) delete out.type;
  else if (!out.type && s.oneOf?.length) out.type = s.oneOf.some((o) => o.type === "string") ? "string" : s.oneOf[0].type;
  if (s.properties) out.properties = sortedRecord(s.properties as Record<string, OpenApiSchema>, (p) => toSwaggerSchema(p) as OpenApiSchema);
  if (s.items) out.items = toSwaggerSchema(s.items);
  if (s.additionalProperties !== undefined) {
    out.additionalProperties = typeof s.additionalProperties === "boolean" ? s.additionalProperties : toSwaggerSchema(s.additionalProperties);
  }
  if (s.allOf && !wrapped) out.allOf = s.allOf.map(toSwaggerSchema);
  for (const k of Object.keys(s).sort()) if (k.startsWith("x-")) out[k] = s[k];
  return out;
}

function toSwaggerParameter(p: Record<string, unknown>): SwaggerParameter {
  const { schema, ...rest } = p as { schema?: Record<string, unknown> } & Record<string, unknown>;
  return { ...rest, ...(schema ?? {}) };
}

/** v3 `content: {type: {schema}}` → the first schema (every entry carries the same one). */
function contentSchema(content: unknown): SwaggerSchema | undefined {
  const entries = Object.values((content ?? {}) as Record<string, { schema?: OpenApiSchema }>);
  const schema = entries.find((e) => e.schema)?.schema;
  return schema ? toSwaggerSchema(schema) : undefined;
}

function toSwaggerOperation(op: Record<string, unknown>): SwaggerOperation {
  const { requestBody, responses, parameters, description, operationId, tags, ...extensions } = op as {
    requestBody?: { content?: Record<string, unknown>; required?: boolean };
    responses?: Record<string, { description?: string; content?: unknown }>;
    parameters?: Record<string, unknown>[];
  } & Record<string, unknown>;
  const out: SwaggerOperation = { description, consumes: undefined, produces: undefined, schemes: SCHEMES, tags, operationId };
  const params = (parameters ?? []).map(toSwaggerParameter);
  if (requestBody) {
    out.consumes = Object.keys(requestBody.content ?? {}).sort();
    const body: SwaggerParameter = { name: "body", in: "body", schema: contentSchema(requestBody.content) ?? { type: "object" } };
    if (requestBody.required) body.required = true;
    params.unshift(body);
  } else {
    delete out.consumes;
  }
  const action = extensions["x-kubernetes-action"];
  out.produces = action === "list" || action === "watch" ? PRODUCES_WATCHABLE : PRODUCES;
  if (params.length) out.parameters = params;
  const resp: Record<string, Record<string, unknown>> = {};
  for (const [code, r] of Object.entries(responses ?? {})) {
    const schema = contentSchema(r.content);
    resp[code] = schema ? { description: r.description, schema } : { description: r.description };
  }
  out.responses = resp;
  for (const k of Object.keys(extensions).sort()) out[k] = extensions[k];
  return out;
}

function toSwaggerPathItem(item: OpenApiPathItem): SwaggerPathItem {
  const out: SwaggerPathItem = {};
  for (const m of METHODS) if (item[m]) out[m] = toSwaggerOperation(item[m] as Record<string, unknown>);
  const params = item.parameters as Record<string, unknown>[] | undefined;
  if (params?.length) out.parameters = params.map(toSwaggerParameter);
  return out;
}

/** Every definition name a Swagger value references. */
function collectRefs(v: unknown, out: string[]): void {
  if (Array.isArray(v)) {
    for (const x of v) collectRefs(x, out);
  } else if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      if (k === "$ref" && typeof x === "string" && x.startsWith(V2_REF_PREFIX)) out.push(x.slice(V2_REF_PREFIX.length));
      else if (typeof x === "object") collectRefs(x, out);
    }
  }
}

/** The converted definitions reachable from `roots`; a name we have no schema for is left out (and never referenced). */
function definitionsClosure(roots: string[]): Record<string, SwaggerSchema> {
  const defs: Record<string, SwaggerSchema> = {};
  const stack = [...roots];
  while (stack.length) {
    const name = stack.pop()!;
    if (defs[name] || !componentSchemas[name]) continue;
    defs[name] = toSwaggerSchema(componentSchemas[name]);
    collectRefs(defs[name], stack);
  }
  return sortedRecord(defs);
}

/**
 * The Swagger 2.0 document of every served resource: one path entry per collection, item and
 * read/write subresource, and the definitions they reference.
 *
 * @example
 *   const doc = buildSwaggerDocument(registry.resources);
 *   doc.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"].patch["x-kubernetes-group-version-kind"]
 *   // { group: "apps", version: "v1", kind: "Deployment" }
 */
export function buildSwaggerDocument(resources: ResourceType[]): SwaggerDocument {
  const v3Paths: Record<string, OpenApiPathItem> = {};
  for (const rt of resources) Object.assign(v3Paths, resourcePaths(rt, schemaNameForKind));
  const paths = sortedRecord(v3Paths, (item) => toSwaggerPathItem(item));
  const roots = [...COMMON_SCHEMAS];
  collectRefs(paths, roots);
  return {
    swagger: "2.0",
    info: { title: "Kubernetes", version: `v${KUBE_MAJOR}.${KUBE_MINOR}.0` },
    paths,
    definitions: definitionsClosure(roots),
    securityDefinitions: { BearerToken: { type: "apiKey", name: "authorization", in: "header", description: "Bearer Token authentication" } },
    security: [{ BearerToken: [] }],
  };
}
