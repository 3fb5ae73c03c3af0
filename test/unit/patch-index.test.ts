import { test } from "node:test";
import assert from "node:assert/strict";
import { applyPatch, patchMediaType } from "../../src/server/apiserver/patch/index.js";
import { ApiError } from "../../src/shared/api/status.js";
import type { KubeObject } from "../../src/shared/api/types.js";

const T0 = "2026-11-27T10:00:00Z";

function pod(): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default", uid: "u", resourceVersion: "7", labels: { app: "web", tier: "frontend" } },
    spec: { containers: [{ name: "c", image: "nginx" }] },
  };
}

function errorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${String(e)}`);
    return e;
  }
  assert.fail("expected an error");
}

test("dispatches on the media type, ignoring parameters", () => {
  assert.equal(patchMediaType("application/merge-patch+json; charset=utf-8"), "application/merge-patch+json");
  const opts = { kind: "Pod", apiVersion: "v1", now: T0 };
  const merged = applyPatch("application/merge-patch+json; charset=utf-8", pod(), '{"metadata":{"labels":{"tier":null}}}', opts);
  assert.deepEqual(merged.object.metadata.labels, { app: "web" });
  assert.equal(merged.created, false);

  const json = applyPatch("application/json-patch+json", pod(), Buffer.from('[{"op":"replace","path":"/spec/containers/0/image","value":"nginx:2"}]'), opts);
  assert.equal((json.object.spec as any).containers[0].image, "nginx:2");

  const smp = applyPatch("application/strategic-merge-patch+json", pod(), '{"spec":{"containers":[{"name":"d","image":"busybox"}]}}', opts);
  assert.deepEqual((smp.object.spec as any).containers.map((c: { name: string }) => c.name), ["d", "c"]);
});

test("non-apply patches record an Update entry when a manager is given", () => {
  const res = applyPatch("application/merge-patch+json", pod(), '{"metadata":{"labels":{"tier":"backend"}}}', { kind: "Pod", apiVersion: "v1", manager: "kubectl-label", now: T0 });
  assert.deepEqual(res.managedFields, [
    { manager: "kubectl-label", operation: "Update", apiVersion: "v1", time: T0, fieldsType: "FieldsV1", fieldsV1: { "f:metadata": { "f:labels": { "f:tier": {} } } } },
  ]);
  assert.deepEqual(res.object.metadata.managedFields, res.managedFields);
});

test("apply patches are YAML (or JSON), create when there is no live object, and update otherwise", () => {
  const yaml = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: cm", "data:", "  a: '1'", ""].join("\n");
  const created = applyPatch("application/apply-patch+yaml", undefined, yaml, { kind: "ConfigMap", apiVersion: "v1", manager: "kubectl", now: T0 });
  assert.equal(created.created, true);
  assert.deepEqual((created.object as any).data, { a: "1" });
  assert.equal(created.managedFields?.[0].operation, "Apply");

  const updated = applyPatch("application/apply-patch+yaml", created.object, JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" }, data: { b: "2" } }), {
    kind: "ConfigMap",
    apiVersion: "v1",
    manager: "kubectl",
    now: T0,
  });
  assert.equal(updated.created, false);
  assert.deepEqual((updated.object as any).data, { b: "2" }, "a key the same manager applied before and omits now is removed");
});

test("unsupported media types are 415 with upstream's message; SMP is refused for custom resources", () => {
  const e1 = errorOf(() => applyPatch("application/json", pod(), "{}", { kind: "Pod", apiVersion: "v1" }));
  assert.equal(e1.code, 415);
  assert.equal(e1.reason, "UnsupportedMediaType");
  assert.equal(
    e1.message,
    "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml",
  );
  const e2 = errorOf(() => applyPatch("application/strategic-merge-patch+json", pod(), "{}", { kind: "CronTab", apiVersion: "stable.example.com/v1", builtinKind: false }));
  assert.equal(e2.code, 415);
  assert.equal(e2.message, "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
});

test("bad bodies are 400; a non-apply patch of a missing object is 404", () => {
  const e1 = errorOf(() => applyPatch("application/merge-patch+json", pod(), "{not json", { kind: "Pod", apiVersion: "v1" }));
  assert.equal(e1.code, 400);
  assert.equal(e1.message, "invalid JSON patch");
  const e2 = errorOf(() => applyPatch("application/apply-patch+yaml", undefined, "- a\n- b\n", { kind: "Pod", apiVersion: "v1", manager: "kubectl" }));
  assert.equal(e2.code, 400);
  assert.equal(e2.message, "error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}");
  const e3 = errorOf(() => applyPatch("application/apply-patch+yaml", undefined, "a: [", { kind: "Pod", apiVersion: "v1", manager: "kubectl" }));
  assert.equal(e3.code, 400);
  assert.match(e3.message, /^error encoding patch: /);
  const e4 = errorOf(() => applyPatch("application/merge-patch+json", undefined, "{}", { kind: "Pod", apiVersion: "v1", group: "", resource: "pods", name: "p" }));
  assert.equal(e4.code, 404);
  assert.equal(e4.message, 'pods "p" not found');
});

test('a "__proto__" data key is an ordinary key for every patch type', () => {
  const cm = (): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" }, data: { a: "1" } } as KubeObject);
  const opts = { kind: "ConfigMap", apiVersion: "v1", manager: "m", now: T0 };
  for (const [type, body] of [
    ["application/merge-patch+json", '{"data":{"__proto__":"x"}}'],
    ["application/strategic-merge-patch+json", '{"data":{"__proto__":"x"}}'],
    ["application/json-patch+json", '[{"op":"add","path":"/data/__proto__","value":"x"}]'],
  ] as const) {
    let out: KubeObject | undefined;
    try {
      out = applyPatch(type, cm(), body, opts).object;
    } catch (e) {
      // fast-json-patch refuses __proto__ paths outright: a 422, never a polluted object.
      assert.ok(e instanceof ApiError && e.code === 422, `${type}: ${String(e)}`);
      continue;
    }
    const data = out.data as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(data), Object.prototype, type);
    assert.ok(Object.hasOwn(data, "__proto__"), type);
    assert.equal(JSON.parse(JSON.stringify(out)).data.__proto__, "x", type);
  }
  const applied = applyPatch("application/apply-patch+yaml", undefined, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},"data":{"__proto__":"y"}}', opts).object;
  assert.ok(Object.hasOwn(applied.data as object, "__proto__"));
  assert.equal(Object.getPrototypeOf(applied.data), Object.prototype);
  assert.equal(({} as Record<string, unknown>).y, undefined);
});
