import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRequestInfo } from "../../src/server/apiserver/request-info.js";
import { negotiateDiscovery, negotiateRepresentation } from "../../src/server/apiserver/negotiation.js";

const q = (s = "") => new URLSearchParams(s);

test("resource paths parse into group, version, namespace, resource, name, subresource and verb", () => {
  const cases: [string, string, string, Partial<ReturnType<typeof parseRequestInfo>>][] = [
    ["GET", "/api/v1/namespaces/default/pods", "", { group: "", version: "v1", namespace: "default", resource: "pods", name: "", verb: "list" }],
    ["GET", "/api/v1/namespaces/default/pods", "watch=true", { verb: "watch" }],
    ["GET", "/api/v1/watch/namespaces/default/pods", "", { verb: "watch", resource: "pods", namespace: "default" }],
    ["GET", "/api/v1/pods", "", { namespace: "", resource: "pods", verb: "list" }],
    ["GET", "/api/v1/namespaces", "", { resource: "namespaces", name: "", namespace: "", verb: "list" }],
    ["GET", "/api/v1/namespaces/kube-system", "", { resource: "namespaces", name: "kube-system", namespace: "", verb: "get" }],
    ["PUT", "/api/v1/namespaces/doomed/finalize", "", { resource: "namespaces", name: "doomed", subresource: "finalize", verb: "update" }],
    ["PATCH", "/api/v1/namespaces/x/status", "", { resource: "namespaces", name: "x", subresource: "status", verb: "patch" }],
    ["GET", "/apis/apps/v1/namespaces/default/deployments/web/scale", "", { group: "apps", resource: "deployments", name: "web", subresource: "scale", verb: "get" }],
    ["DELETE", "/apis/batch/v1/namespaces/default/jobs", "", { resource: "jobs", verb: "deletecollection" }],
    ["POST", "/api/v1/namespaces/default/pods", "", { verb: "create" }],
    ["GET", "/api/v1/nodes/n1/proxy/metrics/cadvisor", "", { resource: "nodes", name: "n1", subresource: "proxy", rest: ["metrics", "cadvisor"] }],
  ];
  for (const [method, path, query, want] of cases) {
    const info = parseRequestInfo(method, path, q(query));
    assert.equal(info.isResourceRequest, true, path);
    for (const [k, v] of Object.entries(want)) assert.deepEqual((info as unknown as Record<string, unknown>)[k], v, `${method} ${path} ${k}`);
  }
});

test("discovery paths are not resource requests", () => {
  for (const p of ["/api", "/apis", "/api/v1", "/apis/apps", "/apis/apps/v1", "/version", "/openapi/v3"]) {
    assert.equal(parseRequestInfo("GET", p, q()).isResourceRequest, false, p);
  }
});

test("Accept negotiation picks Table, partial metadata or the object; discovery format by preference", () => {
  assert.deepEqual(negotiateRepresentation("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"), { as: "Table", version: "v1" });
  assert.deepEqual(negotiateRepresentation("application/json;as=Table;v=v1beta1;g=meta.k8s.io"), { as: "Table", version: "v1beta1" });
  assert.deepEqual(negotiateRepresentation("application/json"), { as: "Object" });
  assert.deepEqual(negotiateRepresentation(undefined), { as: "Object" });
  assert.deepEqual(negotiateRepresentation("application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io"), { as: "PartialObjectMetadataList", version: "v1" });
  const agg = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
  assert.equal(negotiateDiscovery(agg), "v2");
  assert.equal(negotiateDiscovery("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"), "v2beta1");
  assert.equal(negotiateDiscovery("application/json"), "legacy");
});
