// /openapi/v2: the Swagger 2.0 document and its gnostic protobuf form, decoded back with the same
// message schema and checked the way client-go and kube-openapi read it (kubectl 1.27/1.28).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { parse as parseYaml } from "yaml";
import { generateSchemas } from "../../build/gen-schemas.mjs";
import type { ResourceType } from "../../src/server/registry/types.js";

type Msg = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let resources: ResourceType[] = [];
let v2: typeof import("../../src/server/apiserver/openapi/v2.js");
let gnostic: typeof import("../../src/server/apiserver/openapi/v2-gnostic.js");
let proto: typeof import("../../src/server/apiserver/openapi/v2-proto.js");
let swagger: typeof import("../../src/server/apiserver/openapi/v2-swagger.js");
let doc: Msg;

before(async () => {
  await generateSchemas({ quiet: true });
  resources = (await import("../../src/server/registry/index.js")).allResources();
  v2 = await import("../../src/server/apiserver/openapi/v2.js");
  gnostic = await import("../../src/server/apiserver/openapi/v2-gnostic.js");
  proto = await import("../../src/server/apiserver/openapi/v2-proto.js");
  swagger = await import("../../src/server/apiserver/openapi/v2-swagger.js");
  const Document = gnostic.gnosticType("Document");
  doc = Document.toObject(Document.decode(v2.openApiV2Protobuf(resources).body), { defaults: false, arrays: true });
});

/** A vendor extension's value as go-yaml v2 would read it (YAML 1.1). */
function ext(list: Msg[] | undefined, name: string): unknown {
  const hit = (list ?? []).find((e) => e.name === name);
  return hit ? parseYaml(hit.value.yaml, { version: "1.1" }) : undefined;
}

function definition(name: string): Msg {
  const hit = doc.definitions.additionalProperties.find((d: Msg) => d.name === name);
  assert.ok(hit, `definition ${name}`);
  return hit.value;
}

function property(schema: Msg, name: string): Msg {
  const hit = schema.properties.additionalProperties.find((p: Msg) => p.name === name);
  assert.ok(hit, `property ${name}`);
  return hit.value;
}

function pathItem(name: string): Msg {
  const hit = doc.paths.path.find((p: Msg) => p.name === name);
  assert.ok(hit, `path ${name}`);
  return hit.value;
}

function queryParamNames(op: Msg): string[] {
  return (op.parameters ?? []).map((p: Msg) => p.parameter?.nonBodyParameter?.queryParameterSubSchema?.name).filter(Boolean);
}

/** client-go's query-param verifier: the first path whose PATCH carries the kind decides. */
function supportsFieldValidation(gvk: { group: string; version: string; kind: string }): boolean | undefined {
  for (const p of doc.paths.path) {
    const patch = p.value.patch;
    const g = ext(patch?.vendorExtension, "x-kubernetes-group-version-kind") as Msg | undefined;
    if (!g || g.group !== gvk.group || g.version !== gvk.version || g.kind !== gvk.kind) continue;
    return queryParamNames(patch).includes("fieldValidation");
  }
  return undefined;
}

test("document header and definitions as upstream publishes them", () => {
  assert.equal(doc.swagger, "2.0");
  assert.deepEqual([doc.info.title, doc.info.version], ["Kubernetes", "v1.32.0"]);
  const deployment = definition("io.k8s.api.apps.v1.Deployment");
  assert.deepEqual(ext(deployment.vendorExtension, "x-kubernetes-group-version-kind"), [{ group: "apps", kind: "Deployment", version: "v1" }]);
  assert.deepEqual(deployment.type, { value: ["object"] });
  // v3's allOf-wrapped reference becomes a plain $ref beside the description, with no type.
  const spec = property(deployment, "spec");
  assert.equal(spec.ref, "#/definitions/io.k8s.api.apps.v1.DeploymentSpec");
  assert.equal(spec.description, "Specification of the desired behavior of the Deployment.");
  assert.equal(spec.type, undefined);
  const core = ext(definition("io.k8s.api.core.v1.ConfigMap").vendorExtension, "x-kubernetes-group-version-kind");
  assert.deepEqual(core, [{ group: "", kind: "ConfigMap", version: "v1" }]);
});

test("strategic-merge-patch and list extensions survive on properties", () => {
  const containers = property(definition("io.k8s.api.core.v1.PodSpec"), "containers");
  assert.deepEqual(containers.type, { value: ["array"] });
  assert.equal(containers.items.schema.length, 1);
  assert.equal(containers.items.schema[0].ref, "#/definitions/io.k8s.api.core.v1.Container");
  assert.equal(ext(containers.vendorExtension, "x-kubernetes-patch-merge-key"), "name");
  assert.equal(ext(containers.vendorExtension, "x-kubernetes-patch-strategy"), "merge");
  assert.equal(ext(containers.vendorExtension, "x-kubernetes-list-type"), "map");
  assert.deepEqual(ext(containers.vendorExtension, "x-kubernetes-list-map-keys"), ["name"]);
  const ports = property(definition("io.k8s.api.core.v1.Container"), "ports");
  assert.equal(ext(ports.vendorExtension, "x-kubernetes-patch-merge-key"), "containerPort");
  assert.deepEqual(ext(ports.vendorExtension, "x-kubernetes-list-map-keys"), ["containerPort", "protocol"]);
  const labels = property(definition("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"), "labels");
  assert.deepEqual(labels.type, { value: ["object"] });
  assert.deepEqual(labels.additionalProperties.schema.type, { value: ["string"] });
});

test("one-of scalars are strings in v2, as upstream publishes IntOrString and Quantity", () => {
  const ios = definition("io.k8s.apimachinery.pkg.util.intstr.IntOrString");
  assert.deepEqual(ios.type, { value: ["string"] });
  assert.equal(ios.format, "int-or-string");
  assert.deepEqual(definition("io.k8s.apimachinery.pkg.api.resource.Quantity").type, { value: ["string"] });
});

test("every schema obeys kube-openapi's v2 parser rules (no dangling or typed refs, one type, one array item)", () => {
  const names = new Set(doc.definitions.additionalProperties.map((d: Msg) => d.name));
  const problems: string[] = [];
  const walk = (s: Msg, path: string): void => {
    if (s.ref) {
      if (!s.ref.startsWith("#/definitions/") || !names.has(s.ref.slice("#/definitions/".length))) problems.push(`${path}: dangling ${s.ref}`);
      if (s.type?.value?.length) problems.push(`${path}: typed reference`);
      if (s.properties?.additionalProperties?.length) problems.push(`${path}: reference with properties`);
      return;
    }
    const types: string[] = s.type?.value ?? [];
    if (types.length > 1) problems.push(`${path}: several types`);
    if (types[0] === "array" && s.items?.schema?.length !== 1) problems.push(`${path}: array without exactly one item schema`);
    if (types.length === 1 && !["object", "array", "string", "integer", "number", "boolean"].includes(types[0])) problems.push(`${path}: unknown type ${types[0]}`);
    for (const p of s.properties?.additionalProperties ?? []) walk(p.value, `${path}.${p.name}`);
    for (const i of s.items?.schema ?? []) walk(i, `${path}[]`);
    if (s.additionalProperties?.schema) walk(s.additionalProperties.schema, `${path}{}`);
  };
  for (const d of doc.definitions.additionalProperties) walk(d.value, d.name);
  for (const p of doc.paths.path) {
    for (const method of ["get", "put", "post", "delete", "patch"]) {
      const op = p.value[method];
      if (!op) continue;
      for (const param of op.parameters ?? []) if (param.parameter?.bodyParameter) walk(param.parameter.bodyParameter.schema, `${p.name} ${method} body`);
      for (const r of op.responses.responseCode) if (r.value.response.schema) walk(r.value.response.schema.schema, `${p.name} ${method} ${r.name}`);
    }
  }
  assert.deepEqual(problems, []);
  // The closure holds every kind we serve that has a schema, and nothing unreachable such as other versions.
  assert.ok(names.has("io.k8s.api.apps.v1.Deployment") && names.has("io.k8s.api.core.v1.Pod") && names.has("io.k8s.apimachinery.pkg.apis.meta.v1.Status"));
});

test("the PATCH operation of a kind carries its GVK, action, patch content types and fieldValidation", () => {
  const item = pathItem("/apis/apps/v1/namespaces/{namespace}/deployments/{name}");
  const patch = item.patch;
  assert.deepEqual(ext(patch.vendorExtension, "x-kubernetes-group-version-kind"), { group: "apps", kind: "Deployment", version: "v1" });
  assert.equal(ext(patch.vendorExtension, "x-kubernetes-action"), "patch");
  assert.deepEqual(patch.consumes, ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"]);
  assert.deepEqual(patch.schemes, ["https"]);
  const body = patch.parameters[0].parameter.bodyParameter;
  assert.deepEqual({ name: body.name, in: body.in, required: body.required, ref: body.schema.ref }, { name: "body", in: "body", required: true, ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch" });
  assert.deepEqual(queryParamNames(patch), ["dryRun", "fieldManager", "fieldValidation", "force"]);
  const fv = patch.parameters.find((p: Msg) => p.parameter?.nonBodyParameter?.queryParameterSubSchema?.name === "fieldValidation").parameter.nonBodyParameter.queryParameterSubSchema;
  assert.equal(fv.in, "query");
  assert.equal(fv.type, "string");
  assert.equal(fv.uniqueItems, true);
  const ok = patch.responses.responseCode.find((r: Msg) => r.name === "200").value.response;
  assert.equal(ok.schema.schema.ref, "#/definitions/io.k8s.api.apps.v1.Deployment");
  // Path-level parameters: name and namespace in the path, required.
  const pathParams = item.parameters.map((p: Msg) => p.parameter.nonBodyParameter.pathParameterSubSchema ?? p.parameter.nonBodyParameter.queryParameterSubSchema);
  assert.deepEqual(pathParams.map((p: Msg) => [p.name, p.in, p.required ?? false]), [["name", "path", true], ["namespace", "path", true], ["pretty", "query", false]]);
  // POST and PUT also take fieldValidation; POST consumes anything, lists may stream.
  const coll = pathItem("/apis/apps/v1/namespaces/{namespace}/deployments");
  assert.ok(queryParamNames(coll.post).includes("fieldValidation"));
  assert.deepEqual(coll.post.consumes, ["*/*"]);
  assert.ok(queryParamNames(item.put).includes("fieldValidation"));
  assert.ok(coll.get.produces.includes("application/json;stream=watch"));
  assert.equal(coll.get.operationId, "listAppsV1NamespacedDeployment");
});

test("client-go's query-param verifier finds fieldValidation for every patchable kind we serve", () => {
  const missing = resources.filter((r) => r.verbs.includes("patch")).filter((r) => supportsFieldValidation(r) !== true);
  assert.deepEqual(missing.map((r) => `${r.group}/${r.version}/${r.kind}`), []);
  assert.equal(supportsFieldValidation({ group: "example.com", version: "v1", kind: "Widget" }), undefined);
});

test("JSON and protobuf forms share one ETag, the SHA-512 of the JSON; both are cached", () => {
  const json = v2.openApiV2Json(resources);
  const pb = v2.openApiV2Protobuf(resources);
  assert.equal(json.etag, createHash("sha512").update(json.body).digest("hex").toUpperCase());
  assert.equal(pb.etag, json.etag);
  assert.equal(v2.openApiV2Protobuf(resources), pb);
  assert.equal(v2.openApiV2Json(resources), json);
  const parsed = JSON.parse(json.body);
  assert.equal(parsed.swagger, "2.0");
  assert.equal(parsed.definitions["io.k8s.api.apps.v1.Deployment"].properties.spec.$ref, "#/definitions/io.k8s.api.apps.v1.DeploymentSpec");
  assert.equal(Object.keys(parsed.paths).length, doc.paths.path.length);
  // Fewer resources: a different document and tag.
  const fewer = resources.filter((r) => r.kind !== "Deployment");
  const other = v2.openApiV2Protobuf(fewer);
  assert.notEqual(other.etag, pb.etag);
  assert.ok(other.body.length < pb.body.length);
  v2.openApiV2Protobuf(resources);
});

test("custom resources without a schema get a free-form object, never a dangling reference", () => {
  const widget: ResourceType = { ...resources.find((r) => r.kind === "ConfigMap")!, group: "example.com", version: "v1", kind: "Widget", listKind: "WidgetList", plural: "widgets", singular: "widget", shortNames: [] };
  const d = swagger.buildSwaggerDocument([widget]);
  const get = d.paths["/apis/example.com/v1/namespaces/{namespace}/widgets/{name}"].get as Msg;
  assert.deepEqual(get.responses["200"].schema, { type: "object", "x-kubernetes-preserve-unknown-fields": true });
  assert.ok(d.definitions["io.k8s.apimachinery.pkg.apis.meta.v1.Status"]);
});

test("vendor extension YAML is read back as strings by a YAML 1.1 reader", () => {
  const msg = proto.gnosticDocument({
    swagger: "2.0",
    info: { title: "t", version: "v" },
    paths: {},
    definitions: { X: { type: "object", properties: {}, "x-a": "on", "x-b": "yes", "x-c": "123", "x-d": ["name", "port"], "x-e": true } },
    securityDefinitions: {},
    security: [],
  });
  const x = msg.definitions.additionalProperties[0].value as Msg;
  assert.deepEqual(x.properties, { additionalProperties: [] });
  const values = Object.fromEntries(x.vendorExtension.map((e: Msg) => [e.name, parseYaml(e.value.yaml, { version: "1.1" })]));
  assert.deepEqual(values, { "x-a": "on", "x-b": "yes", "x-c": "123", "x-d": ["name", "port"], "x-e": true });
});

test("Accept negotiation follows upstream: protobuf only when asked, JSON for wildcards and no header", () => {
  assert.equal(v2.negotiateOpenApiV2("application/com.github.proto-openapi.spec.v2@v1.0+protobuf"), "protobuf");
  assert.equal(v2.negotiateOpenApiV2("application/com.github.proto-openapi.spec.v2.v1.0+protobuf"), "protobuf");
  assert.equal(v2.negotiateOpenApiV2(undefined), "json");
  assert.equal(v2.negotiateOpenApiV2("application/json, */*"), "json");
  assert.equal(v2.negotiateOpenApiV2("*/*"), "json");
  assert.equal(v2.negotiateOpenApiV2("application/json;q=0.5, application/com.github.proto-openapi.spec.v2@v1.0+protobuf"), "protobuf");
  assert.equal(v2.negotiateOpenApiV2("text/html"), undefined);
});
