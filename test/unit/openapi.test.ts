// OpenAPI v3: generated schemas, the /openapi/v3 index and per-group-version documents.
// openapi-kubectl.test.ts runs the real kubectl against them.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { generateSchemas } from "../../build/gen-schemas.mjs";
import { resourceType, type ResourceType } from "../../src/server/registry/types.js";

type OpenApiModule = typeof import("../../src/server/apiserver/openapi/index.js");
let openapi: OpenApiModule;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const RESOURCES: ResourceType[] = [
  resourceType({ group: "", version: "v1", kind: "Pod", plural: "pods", namespaced: true, shortNames: ["po"], hasStatus: true, returnDeletedObject: true, subresources: [{ name: "status", verbs: ["get", "patch", "update"] }, { name: "log", verbs: ["get"] }] }),
  resourceType({ group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false, shortNames: ["ns"] }),
  resourceType({ group: "", version: "v1", kind: "Service", plural: "services", namespaced: true, shortNames: ["svc"] }),
  resourceType({ group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true, shortNames: ["cm"] }),
  resourceType({
    group: "apps",
    version: "v1",
    kind: "Deployment",
    plural: "deployments",
    namespaced: true,
    shortNames: ["deploy"],
    hasStatus: true,
    subresources: [
      { name: "status", verbs: ["get", "patch", "update"] },
      { name: "scale", group: "autoscaling", version: "v1", kind: "Scale", verbs: ["get", "patch", "update"] },
    ],
  }),
  resourceType({ group: "batch", version: "v1", kind: "CronJob", plural: "cronjobs", namespaced: true, shortNames: ["cj"] }),
];

before(async () => {
  await generateSchemas({ quiet: true });
  openapi = await import("../../src/server/apiserver/openapi/index.js");
});

function schemas(): Record<string, Json> {
  return (JSON.parse(readFileSync(new URL("../../gen/openapi-schemas.json", import.meta.url), "utf8")) as Json).schemas;
}

test("generated schemas carry upstream names, types, descriptions and patch facts", () => {
  const s = schemas();
  const deploy = s["io.k8s.api.apps.v1.Deployment"];
  assert.deepEqual(deploy["x-kubernetes-group-version-kind"], [{ group: "apps", kind: "Deployment", version: "v1" }]);
  assert.match(deploy.description, /Deployment enables declarative updates/);
  assert.deepEqual(deploy.properties.spec.allOf, [{ $ref: "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec" }]);
  const spec = s["io.k8s.api.apps.v1.DeploymentSpec"];
  assert.equal(spec.properties.replicas.type, "integer");
  assert.equal(spec.properties.replicas.format, "int32");
  assert.deepEqual(spec.required, ["selector", "template"]);
  assert.deepEqual(s["io.k8s.api.core.v1.Container"].required, ["name"]);
  assert.equal(spec.properties.strategy["x-kubernetes-patch-strategy"], "retainKeys");

  const containers = s["io.k8s.api.core.v1.PodSpec"].properties.containers;
  assert.equal(containers.type, "array");
  assert.deepEqual(containers.items, { $ref: "#/components/schemas/io.k8s.api.core.v1.Container" });
  assert.equal(containers["x-kubernetes-patch-merge-key"], "name");
  assert.equal(containers["x-kubernetes-patch-strategy"], "merge");
  assert.equal(containers["x-kubernetes-list-type"], "map");
  assert.deepEqual(containers["x-kubernetes-list-map-keys"], ["name"]);
  assert.deepEqual(s["io.k8s.api.core.v1.Container"].properties.ports["x-kubernetes-list-map-keys"], ["containerPort", "protocol"]);

  const meta = s["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"];
  assert.deepEqual(meta.properties.labels, { type: "object", additionalProperties: { type: "string" }, description: meta.properties.labels.description });
  assert.equal(meta.properties.generation.format, "int64");
  assert.equal(meta.properties.finalizers["x-kubernetes-list-type"], "set");
  assert.equal(meta.properties.creationTimestamp.allOf[0].$ref, "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time");
  assert.equal(s["io.k8s.apimachinery.pkg.apis.meta.v1.Time"].format, "date-time");

  assert.equal(s["io.k8s.api.core.v1.ServicePort"].properties.targetPort.allOf[0].$ref, "#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString");
  assert.equal(s["io.k8s.apimachinery.pkg.util.intstr.IntOrString"].format, "int-or-string");
  assert.deepEqual(s["io.k8s.apimachinery.pkg.api.resource.Quantity"].oneOf, [{ type: "string" }, { type: "number" }]);
  assert.deepEqual(s["io.k8s.api.core.v1.ResourceRequirements"].properties.limits.additionalProperties, { $ref: "#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity" });
  assert.equal(s["io.k8s.apimachinery.pkg.runtime.RawExtension"]["x-kubernetes-preserve-unknown-fields"], true);
  assert.equal(s["io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"]["x-kubernetes-map-type"], "atomic");
  assert.equal(s["io.k8s.api.core.v1.ServiceSpec"].properties.selector["x-kubernetes-map-type"], "atomic");
  assert.deepEqual(s["io.k8s.api.core.v1.Pod"]["x-kubernetes-group-version-kind"], [{ group: "", kind: "Pod", version: "v1" }]);
});

test("generation is skipped when the output is current", async () => {
  const r = await generateSchemas({ quiet: true });
  assert.equal(r.skipped, true);
});

test("index lists every group-version with a content hash", () => {
  const index = openapi.openApiV3Index(RESOURCES);
  assert.deepEqual(Object.keys(index.paths), ["api/v1", "apis/apps/v1", "apis/batch/v1"]);
  const url = index.paths["apis/apps/v1"].serverRelativeURL;
  assert.match(url, /^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}$/);
  const doc = openapi.openApiV3Document("apis/apps/v1", RESOURCES)!;
  assert.equal(url.split("hash=")[1], doc.hash);
  assert.equal(doc.etag, doc.hash);
});

test("a group-version document has kubectl's PATCH operation and the schemas it references", () => {
  const doc = openapi.openApiV3Document("/openapi/v3/apis/apps/v1?hash=x", RESOURCES)!;
  const body = JSON.parse(doc.body) as Json;
  assert.equal(body.openapi, "3.0.0");
  const item = body.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"];
  const patch = item.patch;
  assert.deepEqual(patch["x-kubernetes-group-version-kind"], { group: "apps", version: "v1", kind: "Deployment" });
  assert.equal(patch["x-kubernetes-action"], "patch");
  const params = patch.parameters.map((p: Json) => p.name);
  for (const name of ["fieldValidation", "dryRun", "fieldManager", "force"]) assert.ok(params.includes(name), name);
  assert.deepEqual(Object.keys(patch.requestBody.content).sort(), [
    "application/apply-patch+yaml",
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
  ]);
  assert.equal(item.get["x-kubernetes-action"], "get");
  assert.equal(item.put["x-kubernetes-action"], "put");
  assert.equal(item.delete["x-kubernetes-action"], "delete");
  assert.ok(item.put.parameters.some((p: Json) => p.name === "fieldValidation"));
  const coll = body.paths["/apis/apps/v1/namespaces/{namespace}/deployments"];
  assert.equal(coll.get["x-kubernetes-action"], "list");
  assert.equal(coll.post["x-kubernetes-action"], "post");
  assert.equal(coll.delete["x-kubernetes-action"], "deletecollection");
  assert.equal(body.paths["/apis/apps/v1/deployments"].get.operationId, "listAppsV1DeploymentForAllNamespaces");
  const scale = body.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"];
  assert.deepEqual(scale.patch["x-kubernetes-group-version-kind"], { group: "autoscaling", version: "v1", kind: "Scale" });

  const comps = body.components.schemas as Record<string, Json>;
  for (const name of [
    "io.k8s.api.apps.v1.Deployment",
    "io.k8s.api.apps.v1.DeploymentList",
    "io.k8s.api.core.v1.PodSpec",
    "io.k8s.api.autoscaling.v1.Scale",
    "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
    "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
    "io.k8s.apimachinery.pkg.api.resource.Quantity",
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
  ]) {
    assert.ok(comps[name], name);
  }
  assert.equal(comps["io.k8s.api.batch.v1.CronJob"], undefined, "other groups' kinds stay out");
  // Every reference resolves inside the document.
  const refs = [...doc.body.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
  for (const r of refs) assert.ok(comps[r], `dangling $ref ${r}`);
});

test("core documents use /api/v1 paths, cluster scope, and skip streaming subresources", () => {
  const body = JSON.parse(openapi.openApiV3Document("api/v1", RESOURCES)!.body) as Json;
  assert.ok(body.paths["/api/v1/namespaces/{name}"].patch);
  assert.ok(body.paths["/api/v1/namespaces/{namespace}/pods/{name}/status"].patch);
  assert.equal(body.paths["/api/v1/namespaces/{namespace}/pods/{name}/log"], undefined);
  assert.equal(body.paths["/api/v1/namespaces/{namespace}/pods/{name}"].patch.operationId, "patchCoreV1NamespacedPod");
  assert.equal(body.paths["/api/v1/namespaces/{name}"].get.operationId, "readCoreV1Namespace");
});

test("documents are cached and rebuilt only when the resources change; unknown GVs are undefined", () => {
  const a = openapi.openApiV3Document("apis/apps/v1", RESOURCES);
  const b = openapi.openApiV3Document("apis/apps/v1", RESOURCES);
  assert.equal(a, b);
  const readOnly = RESOURCES.map((r) => (r.kind === "Deployment" ? { ...r, verbs: ["get", "list", "watch"] as ResourceType["verbs"] } : r));
  const c = openapi.openApiV3Document("apis/apps/v1", readOnly)!;
  assert.notEqual(c.hash, a!.hash);
  assert.equal(JSON.parse(c.body).paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"].patch, undefined);
  assert.equal(openapi.openApiV3Document("apis/nope/v1", RESOURCES), undefined);
});
