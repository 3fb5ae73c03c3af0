/**
 * A Swagger 2.0 document as gnostic's `openapi_v2.Document` protobuf: what kube-openapi's
 * `ToProtoBinary` produces upstream (gnostic `ParseDocument` of the JSON, then `proto.Marshal`).
 *
 * Shapes that matter to clients:
 * - maps become ordered `(name, value)` lists (`NamedSchema`, `NamedPathItem`, …) in document order;
 * - `x-…` keys become `vendor_extension` entries whose value is `Any{yaml: "<YAML text>"}`; kubectl
 *   reads them with go-yaml v2 (YAML 1.1), so the text is written with YAML 1.1 quoting (`"yes"`);
 * - `type` is a `TypeItem` list, `items` an `ItemsItem` list, `additionalProperties` a schema-or-bool;
 * - parameters are `Parameter{body_parameter}` or `Parameter{non_body_parameter{query|path…}}`.
 */
import { stringify as yamlStringify } from "yaml";
import { gnosticType } from "./v2-gnostic.js";
import type { SwaggerDocument, SwaggerOperation, SwaggerParameter, SwaggerPathItem, SwaggerSchema } from "./v2-swagger.js";

type Msg = Record<string, unknown>;

/** Schema keywords that map one-to-one onto a gnostic `Schema` field of the same (camelCase) name. */
const SCHEMA_SCALARS = [
  "format",
  "title",
  "description",
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
  "readOnly",
];
const PATH_ITEM_METHODS = ["get", "put", "post", "delete", "options", "head", "patch"];

/** YAML text by JSON text: extension values repeat thousands of times (the GVK of every operation). */
const yamlCache = new Map<string, string>();

/** gnostic's `Any`: a JSON value as YAML text (go-yaml v2 reads YAML 1.1, where `yes`/`on` are booleans unless quoted). */
function anyOf(value: unknown): Msg {
  const key = JSON.stringify(value);
  let yaml = yamlCache.get(key);
  if (yaml === undefined) {
    yaml = yamlStringify(value, { version: "1.1" });
    yamlCache.set(key, yaml);
  }
  return { yaml };
}

/** The `x-…` keys of a Swagger object as gnostic vendor extensions. */
function vendorExtensions(obj: Record<string, unknown>): Msg[] {
  return Object.keys(obj)
    .filter((k) => k.startsWith("x-") && obj[k] !== undefined)
    .map((k) => ({ name: k, value: anyOf(obj[k]) }));
}

/** Copies the defined `keys` of `from` onto a new message. */
function pick(from: Record<string, unknown>, keys: readonly string[]): Msg {
  const out: Msg = {};
  for (const k of keys) if (from[k] !== undefined) out[k] = from[k];
  return out;
}

function schemaMessage(s: SwaggerSchema): Msg {
  const m = pick(s, SCHEMA_SCALARS);
  if (typeof s.$ref === "string") m.ref = s.$ref;
  if (s.default !== undefined) m.default = anyOf(s.default);
  if (s.example !== undefined) m.example = anyOf(s.example);
  if (Array.isArray(s.required) && s.required.length) m.required = s.required;
  if (Array.isArray(s.enum)) m.enum = s.enum.map(anyOf);
  if (s.type !== undefined) m.type = { value: Array.isArray(s.type) ? s.type : [s.type] };
  if (s.items !== undefined) m.items = { schema: (Array.isArray(s.items) ? s.items : [s.items]).map((i) => schemaMessage(i as SwaggerSchema)) };
  if (Array.isArray(s.allOf)) m.allOf = s.allOf.map((x) => schemaMessage(x as SwaggerSchema));
  if (s.properties !== undefined) {
    const props = s.properties as Record<string, SwaggerSchema>;
    m.properties = { additionalProperties: Object.keys(props).map((name) => ({ name, value: schemaMessage(props[name]) })) };
  }
  if (typeof s.additionalProperties === "boolean") m.additionalProperties = { boolean: s.additionalProperties };
  else if (s.additionalProperties !== undefined) m.additionalProperties = { schema: schemaMessage(s.additionalProperties as SwaggerSchema) };
  const ext = vendorExtensions(s);
  if (ext.length) m.vendorExtension = ext;
  return m;
}

function parameterMessage(p: SwaggerParameter): Msg {
  if (typeof p.$ref === "string") return { jsonReference: { ref: p.$ref } };
  const ext = vendorExtensions(p);
  const common = pick(p, ["required", "in", "description", "name"]);
  if (ext.length) common.vendorExtension = ext;
  if (p.in === "body") {
    return { parameter: { bodyParameter: { ...common, ...(p.schema ? { schema: schemaMessage(p.schema as SwaggerSchema) } : {}) } } };
  }
  const sub = { ...common, ...pick(p, ["type", "format", "uniqueItems"]) };
  if (p.in === "path") return { parameter: { nonBodyParameter: { pathParameterSubSchema: sub } } };
  if (p.in === "query") return { parameter: { nonBodyParameter: { queryParameterSubSchema: sub } } };
  throw new Error(`openapi v2: parameter ${String(p.name)} in ${String(p.in)} is not supported`);
}

function operationMessage(op: SwaggerOperation): Msg {
  const m = pick(op, ["tags", "summary", "description", "operationId", "produces", "consumes", "schemes", "deprecated"]);
  if (Array.isArray(op.parameters)) m.parameters = op.parameters.map((p) => parameterMessage(p as SwaggerParameter));
  const responses = (op.responses ?? {}) as Record<string, { description?: string; schema?: SwaggerSchema }>;
  m.responses = {
    responseCode: Object.keys(responses).map((code) => {
      const r = responses[code];
      const response: Msg = pick(r, ["description"]);
      if (r.schema) response.schema = { schema: schemaMessage(r.schema) };
      return { name: code, value: { response } };
    }),
  };
  const ext = vendorExtensions(op);
  if (ext.length) m.vendorExtension = ext;
  return m;
}

function pathItemMessage(item: SwaggerPathItem): Msg {
  const m: Msg = {};
  for (const method of PATH_ITEM_METHODS) if (item[method]) m[method] = operationMessage(item[method] as SwaggerOperation);
  if (Array.isArray(item.parameters)) m.parameters = item.parameters.map((p) => parameterMessage(p as SwaggerParameter));
  const ext = vendorExtensions(item);
  if (ext.length) m.vendorExtension = ext;
  return m;
}

/**
 * The gnostic `Document` message (as a plain object for protobufjs) of a Swagger document.
 *
 * @example gnosticDocument(buildSwaggerDocument(resources)).definitions.additionalProperties[0].name
 */
export function gnosticDocument(doc: SwaggerDocument): Msg & { definitions: { additionalProperties: Msg[] } } {
  return {
    swagger: doc.swagger,
    info: pick(doc.info, ["title", "version"]),
    paths: { path: Object.keys(doc.paths).map((name) => ({ name, value: pathItemMessage(doc.paths[name]) })) },
    definitions: { additionalProperties: Object.keys(doc.definitions).map((name) => ({ name, value: schemaMessage(doc.definitions[name]) })) },
    securityDefinitions: {
      additionalProperties: Object.entries(doc.securityDefinitions).map(([name, d]) => ({
        name,
        value: d.type === "apiKey" ? { apiKeySecurity: pick(d, ["type", "name", "in", "description"]) } : { basicAuthenticationSecurity: pick(d, ["type", "description"]) },
      })),
    },
    security: doc.security.map((req) => ({ additionalProperties: Object.entries(req).map(([name, scopes]) => ({ name, value: { value: scopes } })) })),
  };
}

/**
 * The Swagger document encoded as upstream serves it to
 * `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`.
 *
 * @example const bytes = encodeSwaggerProtobuf(buildSwaggerDocument(resources)); // Uint8Array
 */
export function encodeSwaggerProtobuf(doc: SwaggerDocument): Uint8Array {
  const Document = gnosticType("Document");
  return Document.encode(gnosticDocument(doc)).finish();
}
