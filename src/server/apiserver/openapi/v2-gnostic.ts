/**
 * The protobuf messages of gnostic's OpenAPI v2 model (package `openapi.v2`, google/gnostic
 * `openapiv2/OpenAPIv2.proto`) that a Kubernetes swagger document uses. client-go fetches
 * `/openapi/v2` as `application/com.github.proto-openapi.spec.v2@v1.0+protobuf` and hands the body
 * to `proto.Unmarshal` into `openapi_v2.Document`, so the field numbers below are the wire contract.
 *
 * Only the messages and fields we emit are declared (forms, headers, examples, XML, OAuth flows are
 * left out); a decoder skips what it does not know, so the subset decodes with the full schema too.
 * Field names are ours (camelCase, `ref` for gnostic's `_ref`); only numbers and types matter on the wire.
 */
import protobuf from "protobufjs/light.js";

/** `[field number, type]` or `[field number, type, "repeated"]`. */
type FieldDecl = [number, string] | [number, string, "repeated"];

function message(fields: Record<string, FieldDecl>): protobuf.INamespace & { fields: Record<string, protobuf.IField & { rule?: string }> } {
  const out: Record<string, protobuf.IField & { rule?: string }> = {};
  for (const [name, [id, type, rule]] of Object.entries(fields)) out[name] = rule ? { id, type, rule } : { id, type };
  return { fields: out };
}

/** `vendor_extension` lists: `x-…` keys with YAML-encoded values. */
const ext = (id: number): FieldDecl => [id, "NamedAny", "repeated"];

const GNOSTIC_V2 = {
  nested: {
    openapi: {
      nested: {
        v2: {
          nested: {
            Document: message({
              swagger: [1, "string"],
              info: [2, "Info"],
              host: [3, "string"],
              basePath: [4, "string"],
              schemes: [5, "string", "repeated"],
              consumes: [6, "string", "repeated"],
              produces: [7, "string", "repeated"],
              paths: [8, "Paths"],
              definitions: [9, "Definitions"],
              security: [12, "SecurityRequirement", "repeated"],
              securityDefinitions: [13, "SecurityDefinitions"],
              vendorExtension: ext(16),
            }),
            Info: message({ title: [1, "string"], version: [2, "string"], description: [3, "string"], vendorExtension: ext(7) }),
            Paths: message({ vendorExtension: ext(1), path: [2, "NamedPathItem", "repeated"] }),
            NamedPathItem: message({ name: [1, "string"], value: [2, "PathItem"] }),
            PathItem: message({
              ref: [1, "string"],
              get: [2, "Operation"],
              put: [3, "Operation"],
              post: [4, "Operation"],
              delete: [5, "Operation"],
              options: [6, "Operation"],
              head: [7, "Operation"],
              patch: [8, "Operation"],
              parameters: [9, "ParametersItem", "repeated"],
              vendorExtension: ext(10),
            }),
            Operation: message({
              tags: [1, "string", "repeated"],
              summary: [2, "string"],
              description: [3, "string"],
              operationId: [5, "string"],
              produces: [6, "string", "repeated"],
              consumes: [7, "string", "repeated"],
              parameters: [8, "ParametersItem", "repeated"],
              responses: [9, "Responses"],
              schemes: [10, "string", "repeated"],
              deprecated: [11, "bool"],
              vendorExtension: ext(13),
            }),
            // oneof: a parameter or a `$ref` to a global one.
            ParametersItem: message({ parameter: [1, "Parameter"], jsonReference: [2, "JsonReference"] }),
            JsonReference: message({ ref: [1, "string"], description: [2, "string"] }),
            // oneof: `in: body` or any other location.
            Parameter: message({ bodyParameter: [1, "BodyParameter"], nonBodyParameter: [2, "NonBodyParameter"] }),
            BodyParameter: message({
              description: [1, "string"],
              name: [2, "string"],
              in: [3, "string"],
              required: [4, "bool"],
              schema: [5, "Schema"],
              vendorExtension: ext(6),
            }),
            // oneof by location; header (1) and formData (2) are never used by Kubernetes operations.
            NonBodyParameter: message({ queryParameterSubSchema: [3, "QueryParameterSubSchema"], pathParameterSubSchema: [4, "PathParameterSubSchema"] }),
            QueryParameterSubSchema: message({
              required: [1, "bool"],
              in: [2, "string"],
              description: [3, "string"],
              name: [4, "string"],
              type: [6, "string"],
              format: [7, "string"],
              uniqueItems: [20, "bool"],
              vendorExtension: ext(23),
            }),
            PathParameterSubSchema: message({
              required: [1, "bool"],
              in: [2, "string"],
              description: [3, "string"],
              name: [4, "string"],
              type: [5, "string"],
              format: [6, "string"],
              uniqueItems: [19, "bool"],
              vendorExtension: ext(22),
            }),
            Responses: message({ responseCode: [1, "NamedResponseValue", "repeated"], vendorExtension: ext(2) }),
            NamedResponseValue: message({ name: [1, "string"], value: [2, "ResponseValue"] }),
            // oneof: a response or a `$ref`.
            ResponseValue: message({ response: [1, "Response"], jsonReference: [2, "JsonReference"] }),
            Response: message({ description: [1, "string"], schema: [2, "SchemaItem"], vendorExtension: ext(5) }),
            // oneof: schema (1) or file schema (2, unused).
            SchemaItem: message({ schema: [1, "Schema"] }),
            Definitions: message({ additionalProperties: [1, "NamedSchema", "repeated"] }),
            NamedSchema: message({ name: [1, "string"], value: [2, "Schema"] }),
            Schema: message({
              ref: [1, "string"],
              format: [2, "string"],
              title: [3, "string"],
              description: [4, "string"],
              default: [5, "Any"],
              multipleOf: [6, "double"],
              maximum: [7, "double"],
              exclusiveMaximum: [8, "bool"],
              minimum: [9, "double"],
              exclusiveMinimum: [10, "bool"],
              maxLength: [11, "int64"],
              minLength: [12, "int64"],
              pattern: [13, "string"],
              maxItems: [14, "int64"],
              minItems: [15, "int64"],
              uniqueItems: [16, "bool"],
              maxProperties: [17, "int64"],
              minProperties: [18, "int64"],
              required: [19, "string", "repeated"],
              enum: [20, "Any", "repeated"],
              additionalProperties: [21, "AdditionalPropertiesItem"],
              type: [22, "TypeItem"],
              items: [23, "ItemsItem"],
              allOf: [24, "Schema", "repeated"],
              properties: [25, "Properties"],
              discriminator: [26, "string"],
              readOnly: [27, "bool"],
              example: [30, "Any"],
              vendorExtension: ext(31),
            }),
            Properties: message({ additionalProperties: [1, "NamedSchema", "repeated"] }),
            ItemsItem: message({ schema: [1, "Schema", "repeated"] }),
            // oneof: a schema or `true`/`false`.
            AdditionalPropertiesItem: message({ schema: [1, "Schema"], boolean: [2, "bool"] }),
            TypeItem: message({ value: [1, "string", "repeated"] }),
            NamedAny: message({ name: [1, "string"], value: [2, "Any"] }),
            // Field 1 (google.protobuf.Any) is unused: gnostic carries every value as YAML text.
            Any: message({ yaml: [2, "string"] }),
            SecurityDefinitions: message({ additionalProperties: [1, "NamedSecurityDefinitionsItem", "repeated"] }),
            NamedSecurityDefinitionsItem: message({ name: [1, "string"], value: [2, "SecurityDefinitionsItem"] }),
            // oneof: basic (1), apiKey (2), OAuth flows (3–6, unused).
            SecurityDefinitionsItem: message({ basicAuthenticationSecurity: [1, "BasicAuthenticationSecurity"], apiKeySecurity: [2, "ApiKeySecurity"] }),
            BasicAuthenticationSecurity: message({ type: [1, "string"], description: [2, "string"], vendorExtension: ext(3) }),
            ApiKeySecurity: message({ type: [1, "string"], name: [2, "string"], in: [3, "string"], description: [4, "string"], vendorExtension: ext(5) }),
            SecurityRequirement: message({ additionalProperties: [1, "NamedStringArray", "repeated"] }),
            NamedStringArray: message({ name: [1, "string"], value: [2, "StringArray"] }),
            StringArray: message({ value: [1, "string", "repeated"] }),
          },
        },
      },
    },
  },
};

let root: protobuf.Root | undefined;

/**
 * A gnostic OpenAPI v2 message type by its short name (`Document`, `Schema`, …), for encoding and,
 * in tests, decoding.
 *
 * @example
 *   const Document = gnosticType("Document");
 *   const bytes = Document.encode(Document.fromObject(doc)).finish();
 */
export function gnosticType(name: string): protobuf.Type {
  root ??= protobuf.Root.fromJSON(GNOSTIC_V2);
  return root.lookupType(`openapi.v2.${name}`);
}
