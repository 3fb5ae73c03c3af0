import { test } from "node:test";
import assert from "node:assert/strict";
import { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS } from "../../src/server/apiserver/patch/json-patch.js";
import { applyMergePatch } from "../../src/server/apiserver/patch/merge-patch.js";
import { ApiError } from "../../src/shared/api/status.js";

const deployment = () => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", labels: { app: "web", tier: "frontend" } },
  spec: { replicas: 1, template: { spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] } } },
});

function expectApiError(fn: () => unknown, code: number, reason: string, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.reason, reason);
    if (typeof message === "string") assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

test("json patch: test + replace, add to a list end, remove; the input is not modified", () => {
  const live = deployment();
  const out = applyJsonPatch(live, [
    { op: "test", path: "/spec/replicas", value: 1 },
    { op: "replace", path: "/spec/replicas", value: 3 },
    { op: "add", path: "/spec/template/spec/containers/-", value: { name: "sidecar", image: "busybox" } },
    { op: "remove", path: "/metadata/labels/tier" },
  ]);
  assert.equal(out.spec.replicas, 3);
  assert.deepEqual(out.spec.template.spec.containers.map((c) => c.name), ["nginx", "sidecar"]);
  assert.deepEqual(out.metadata.labels, { app: "web" });
  assert.deepEqual(live, deployment());
});

test("json patch: failing operations are 422 Invalid with upstream's generic message", () => {
  const generic = "the server rejected our request due to an error in our request";
  // A failed test op: the whole patch is rejected.
  expectApiError(() => applyJsonPatch(deployment(), [{ op: "test", path: "/spec/replicas", value: 2 }, { op: "replace", path: "/spec/replicas", value: 5 }]), 422, "Invalid", generic);
  expectApiError(() => applyJsonPatch(deployment(), [{ op: "replace", path: "/spec/missing", value: 1 }]), 422, "Invalid", generic);
  expectApiError(() => applyJsonPatch(deployment(), [{ op: "remove", path: "/metadata/annotations/x" }]), 422, "Invalid", generic);
  expectApiError(() => applyJsonPatch(deployment(), [{ op: "frobnicate", path: "/spec" }]), 422, "Invalid", generic);
  expectApiError(() => applyJsonPatch(deployment(), [{ op: "add", path: "/__proto__/polluted", value: true }]), 422, "Invalid", generic);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  // Replacing the root with a non-object cannot decode into the kind.
  expectApiError(() => applyJsonPatch(deployment(), [{ op: "replace", path: "", value: [1] }]), 422, "Invalid", /^ "" is invalid: patch: Invalid value: /);
});

test("json patch: malformed documents are 400, oversized ones 413", () => {
  expectApiError(() => applyJsonPatch(deployment(), { op: "add" }), 400, "BadRequest", "json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  expectApiError(() => applyJsonPatch(deployment(), ["add"]), 400, "BadRequest", "json: cannot unmarshal string into Go value of type jsonpatch.Operation");
  const many = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: "test", path: "/kind", value: "Deployment" }));
  expectApiError(() => applyJsonPatch(deployment(), many), 413, "RequestEntityTooLarge", `The allowed maximum operations in a JSON patch is 10000, got 10001`);
});

test("merge patch: kubectl label / annotate / scale bodies", () => {
  const live = deployment();
  const labelled = applyMergePatch(live, { metadata: { labels: { tier: null, track: "stable" } } });
  assert.deepEqual(labelled.metadata.labels, { app: "web", track: "stable" });
  const annotated = applyMergePatch(live, { metadata: { annotations: { note: "hi" } } }) as ReturnType<typeof deployment> & { metadata: { annotations: unknown } };
  assert.deepEqual(annotated.metadata.annotations, { note: "hi" });
  const scaled = applyMergePatch(live, { spec: { replicas: 4 } });
  assert.equal(scaled.spec.replicas, 4);
  assert.deepEqual(scaled.spec.template, live.spec.template);
  assert.deepEqual(live, deployment(), "input untouched");
});

test("merge patch: arrays replace, nulls inside new values are dropped, null patch is 400, array patch is 422", () => {
  const live = deployment();
  const out = applyMergePatch(live, { spec: { template: { spec: { containers: [{ name: "x", image: "y", args: null }] } } }, status: { a: { b: null, c: 1 } } }) as Record<string, any>;
  assert.deepEqual(out.spec.template.spec.containers, [{ name: "x", image: "y" }]);
  assert.deepEqual(out.status, { a: { c: 1 } });
  expectApiError(() => applyMergePatch(live, null), 400, "BadRequest", "Invalid JSON Patch");
  expectApiError(() => applyMergePatch(live, "str"), 400, "BadRequest", "Invalid JSON Patch");
  expectApiError(() => applyMergePatch(live, [1, 2]), 422, "Invalid", /^ "" is invalid: patch: Invalid value: "\[1,2\]"/);
});
