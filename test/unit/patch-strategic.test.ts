import { test } from "node:test";
import assert from "node:assert/strict";
import { applyStrategicMergePatch } from "../../src/server/apiserver/patch/strategic-merge-patch.js";
import { ApiError } from "../../src/shared/api/status.js";

type Obj = Record<string, unknown>;

/** Fails when any `$…` key survives anywhere in the value. */
function assertNoDirectives(v: unknown, path = ""): void {
  if (Array.isArray(v)) v.forEach((e, i) => assertNoDirectives(e, `${path}[${i}]`));
  else if (v && typeof v === "object") {
    for (const [k, e] of Object.entries(v)) {
      assert.ok(!k.startsWith("$"), `directive ${k} left at ${path}`);
      assertNoDirectives(e, `${path}.${k}`);
    }
  }
}

function expectApiError(fn: () => unknown, code: number, message?: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (typeof message === "string") assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}

test("the real kubectl apply patch of §5.2 (setElementOrder, retainKeys, deleteFromPrimitiveList, atomic tolerations)", () => {
  const live = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "d", finalizers: ["example.com/a", "example.com/b"] },
    spec: {
      replicas: 1,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      template: {
        spec: {
          containers: [{ name: "c", image: "busybox", args: ["a"], imagePullPolicy: "Always" }],
          tolerations: [{ key: "k1", operator: "Exists" }],
          volumes: [{ name: "data", emptyDir: {} }],
        },
      },
    },
  };
  const patch = {
    metadata: { "$deleteFromPrimitiveList/finalizers": ["example.com/b"], "$setElementOrder/finalizers": ["example.com/a"] },
    spec: {
      strategy: { $retainKeys: ["type"], rollingUpdate: null, type: "Recreate" },
      template: {
        spec: {
          "$setElementOrder/containers": [{ name: "c" }],
          "$setElementOrder/volumes": [{ name: "data" }],
          containers: [{ args: ["b"], name: "c" }],
          tolerations: [{ key: "k2", operator: "Exists" }],
          volumes: [{ $retainKeys: ["hostPath", "name"], emptyDir: null, hostPath: { path: "/data" }, name: "data" }],
        },
      },
    },
  };
  const before = structuredClone(live);
  const out = applyStrategicMergePatch(live, patch, "Deployment");
  assert.deepEqual(out, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "d", finalizers: ["example.com/a"] },
    spec: {
      replicas: 1,
      strategy: { type: "Recreate" },
      template: {
        spec: {
          containers: [{ name: "c", image: "busybox", args: ["b"], imagePullPolicy: "Always" }],
          tolerations: [{ key: "k2", operator: "Exists" }],
          volumes: [{ name: "data", hostPath: { path: "/data" } }],
        },
      },
    },
  });
  assertNoDirectives(out);
  assert.deepEqual(live, before, "the live object is not modified");
});

test("kubectl set image / rollout restart / cordon patches", () => {
  const live = {
    metadata: { name: "web" },
    spec: {
      unschedulable: true,
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.27" }, { name: "sidecar", image: "busybox" }] } },
    },
  };
  const setImage = applyStrategicMergePatch(
    live,
    { spec: { template: { spec: { "$setElementOrder/containers": [{ name: "nginx" }, { name: "sidecar" }], containers: [{ image: "nginx:1.28", name: "nginx" }] } } } },
    "Deployment",
  ) as Obj;
  assert.deepEqual((setImage.spec as any).template.spec.containers, [
    { name: "nginx", image: "nginx:1.28" },
    { name: "sidecar", image: "busybox" },
  ]);

  const restart = applyStrategicMergePatch(live, { spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "2026-11-27T10:00:00Z" } } } } }, "Deployment") as any;
  assert.deepEqual(restart.spec.template.metadata, { labels: { app: "web" }, annotations: { "kubectl.kubernetes.io/restartedAt": "2026-11-27T10:00:00Z" } });

  const uncordon = applyStrategicMergePatch(live, { spec: { unschedulable: null } }, "Node") as any;
  assert.equal("unschedulable" in uncordon.spec, false);
});

test("$setElementOrder keeps server-only items in their relative place (upstream cases)", () => {
  const cases: { current: unknown[]; order: unknown[]; patch?: unknown[]; result: unknown[] }[] = [
    // "set elements order in a list with server-only items"
    {
      current: [{ name: "1", other: "a" }, { name: "3", value: 3 }, { name: "4", value: 4 }, { name: "2", value: 2 }, { name: "9" }],
      order: [{ name: "4" }, { name: "2" }, { name: "3" }, { name: "1" }],
      result: [{ name: "4", value: 4 }, { name: "2", value: 2 }, { name: "3", value: 3 }, { name: "1", other: "a" }, { name: "9" }],
    },
    // "… with server-only items 2"
    {
      current: [{ name: "1", other: "a" }, { name: "2", value: 2 }, { name: "9" }, { name: "3", value: 3 }, { name: "4", value: 4 }],
      order: [{ name: "2" }, { name: "1" }, { name: "4" }, { name: "3" }],
      result: [{ name: "2", value: 2 }, { name: "1", other: "a" }, { name: "9" }, { name: "4", value: 4 }, { name: "3", value: 3 }],
    },
    // "… with server-only items 3"
    {
      current: [{ name: "1", other: "a" }, { name: "2", value: 2 }, { name: "7" }, { name: "9" }, { name: "8" }, { name: "3", value: 3 }, { name: "4", value: 4 }],
      order: [{ name: "2" }, { name: "1" }, { name: "4" }, { name: "3" }],
      result: [{ name: "2", value: 2 }, { name: "1", other: "a" }, { name: "7" }, { name: "9" }, { name: "8" }, { name: "4", value: 4 }, { name: "3", value: 3 }],
    },
    // "merge lists of maps": new items placed by the order list
    {
      current: [{ name: "1", other: "a" }, { name: "2", value: 2, other: "b" }],
      order: [{ name: "4" }, { name: "1" }, { name: "2" }, { name: "3" }],
      patch: [{ name: "4", value: 4 }, { name: "3", value: 3 }],
      result: [{ name: "4", value: 4 }, { name: "1", other: "a" }, { name: "2", value: 2, other: "b" }, { name: "3", value: 3 }],
    },
  ];
  for (const c of cases) {
    const live = { spec: { containers: c.current } };
    const patch: Obj = { "$setElementOrder/containers": c.order };
    if (c.patch) patch.containers = c.patch;
    const out = applyStrategicMergePatch(live, { spec: patch }, "Pod") as any;
    assert.deepEqual(out.spec.containers, c.result);
  }
});

test("primitive merge lists are unions, ordered by $setElementOrder; $deleteFromPrimitiveList removes and never creates", () => {
  const live = { metadata: { finalizers: ["a", "b", "d"] } };
  const out = applyStrategicMergePatch(live, { metadata: { "$setElementOrder/finalizers": ["a", "b", "c"], finalizers: ["c"] } }, "ConfigMap") as any;
  assert.deepEqual(out.metadata.finalizers, ["a", "b", "c", "d"]);

  const noList = applyStrategicMergePatch({ metadata: {} }, { metadata: { "$deleteFromPrimitiveList/finalizers": ["x"] } }, "Pod") as any;
  assert.deepEqual(noList.metadata, {});

  const podCIDRs = applyStrategicMergePatch({ spec: { podCIDRs: ["10.42.0.0/24"] } }, { spec: { podCIDRs: ["10.42.0.0/24", "fd00::/64"] } }, "Node") as any;
  assert.deepEqual(podCIDRs.spec.podCIDRs, ["10.42.0.0/24", "fd00::/64"]);

  // Without a strategy a primitive list is atomic.
  const args = applyStrategicMergePatch({ spec: { containers: [{ name: "c", args: ["a", "b"] }] } }, { spec: { containers: [{ name: "c", args: ["z"] }] } }, "Pod") as any;
  assert.deepEqual(args.spec.containers[0].args, ["z"]);
});

test("$patch: delete removes a list element by merge key; env and volumeMounts merge by their keys", () => {
  const live = {
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: "app",
              env: [{ name: "A", value: "1" }, { name: "B", value: "2" }],
              volumeMounts: [{ mountPath: "/data", name: "data" }],
              ports: [{ containerPort: 80, protocol: "TCP" }],
            },
          ],
        },
      },
    },
  };
  const out = applyStrategicMergePatch(
    live,
    {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: "app",
                env: [{ name: "B", $patch: "delete" }, { name: "C", value: "3" }],
                volumeMounts: [{ mountPath: "/data", readOnly: true }],
                ports: [{ containerPort: 80, name: "http" }],
              },
            ],
          },
        },
      },
    },
    "Deployment",
  ) as any;
  const c = out.spec.template.spec.containers[0];
  assert.deepEqual(c.env, [{ name: "C", value: "3" }, { name: "A", value: "1" }]);
  assert.deepEqual(c.volumeMounts, [{ mountPath: "/data", name: "data", readOnly: true }]);
  assert.deepEqual(c.ports, [{ containerPort: 80, protocol: "TCP", name: "http" }]);
  assertNoDirectives(out);
});

test("every PodSpec-bearing kind resolves containers as a merge list", () => {
  const container = { name: "c", image: "old", args: ["x"] };
  const change = { name: "c", image: "new" };
  const shapes: [string, (spec: unknown) => Obj][] = [
    ["Pod", (spec) => ({ spec })],
    ["Deployment", (spec) => ({ spec: { template: { spec } } })],
    ["ReplicaSet", (spec) => ({ spec: { template: { spec } } })],
    ["StatefulSet", (spec) => ({ spec: { template: { spec } } })],
    ["DaemonSet", (spec) => ({ spec: { template: { spec } } })],
    ["Job", (spec) => ({ spec: { template: { spec } } })],
    ["ReplicationController", (spec) => ({ spec: { template: { spec } } })],
    ["CronJob", (spec) => ({ spec: { jobTemplate: { spec: { template: { spec } } } } })],
    ["PodTemplate", (spec) => ({ template: { spec } })],
  ];
  for (const [kind, wrap] of shapes) {
    const out = applyStrategicMergePatch(wrap({ containers: [container] }), wrap({ containers: [change] }), kind);
    assert.deepEqual(out, wrap({ containers: [{ name: "c", image: "new", args: ["x"] }] }), kind);
  }
  // A kind without a table entry only gets metadata rules: its lists are atomic.
  const lease = applyStrategicMergePatch({ spec: { containers: [container] } }, { spec: { containers: [change] } }, "Lease");
  assert.deepEqual(lease, { spec: { containers: [change] } });
});

test("map directives: $patch replace and delete; null deletes; nulls in new values are dropped", () => {
  const live = { metadata: { labels: { a: "1", b: "2" }, annotations: { x: "y" } }, spec: { selector: { matchLabels: { app: "a" } } } };
  const replaced = applyStrategicMergePatch(live, { metadata: { labels: { $patch: "replace", c: "3" } } }, "Pod") as any;
  assert.deepEqual(replaced.metadata.labels, { c: "3" });

  const deleted = applyStrategicMergePatch(live, { metadata: { annotations: { $patch: "delete" } } }, "Pod") as any;
  assert.deepEqual(deleted.metadata.annotations, {});

  const nulls = applyStrategicMergePatch(live, { metadata: { labels: { a: null } }, spec: { nodeSelector: { disk: "ssd", gone: null } } }, "Pod") as any;
  assert.deepEqual(nulls.metadata.labels, { b: "2" });
  assert.deepEqual(nulls.spec.nodeSelector, { disk: "ssd" });

  // PodDisruptionBudgetSpec.selector has patchStrategy replace.
  const pdb = applyStrategicMergePatch({ spec: { selector: { matchLabels: { a: "1" }, matchExpressions: [] } } }, { spec: { selector: { matchLabels: { b: "2" } } } }, "PodDisruptionBudget") as any;
  assert.deepEqual(pdb.spec.selector, { matchLabels: { b: "2" } });
});

test("list-level {$patch: replace} replaces a merge list", () => {
  const live = { spec: { containers: [{ name: "a", image: "x" }, { name: "b", image: "y" }] } };
  const out = applyStrategicMergePatch(live, { spec: { containers: [{ $patch: "replace" }, { name: "c", image: "z" }] } }, "Pod") as any;
  assert.deepEqual(out.spec.containers, [{ name: "c", image: "z" }]);
});

test("new list elements are cleaned of directives", () => {
  const out = applyStrategicMergePatch(
    { spec: { volumes: [] } },
    { spec: { "$setElementOrder/volumes": [{ name: "v" }], volumes: [{ $retainKeys: ["name", "configMap"], name: "v", configMap: { name: "cm", items: null } }] } },
    "Pod",
  ) as any;
  assert.deepEqual(out.spec.volumes, [{ name: "v", configMap: { name: "cm" } }]);
  assertNoDirectives(out);
});

test("malformed patches are rejected with upstream codes and messages", () => {
  const live = { spec: { containers: [{ name: "a" }], strategy: { type: "RollingUpdate" } } };
  expectApiError(() => applyStrategicMergePatch(live, [1], "Pod"), 400, "json: cannot unmarshal array into Go value of type map[string]interface {}");
  expectApiError(() => applyStrategicMergePatch(live, { spec: { containers: [{ image: "x" }] } }, "Pod"), 400, "map: map[image:x] does not contain declared merge key: name");
  expectApiError(() => applyStrategicMergePatch(live, { spec: { strategy: { $retainKeys: ["type"], rollingUpdate: {} } } }, "Deployment"), 400, "invalid patch format of retainKeys");
  expectApiError(() => applyStrategicMergePatch(live, { spec: { strategy: { $retainKeys: "type" } } }, "Deployment"), 400, "invalid patch format of retainKeys");
  expectApiError(() => applyStrategicMergePatch(live, { metadata: { "$deleteFromPrimitiveList/": ["x"] } }, "Pod"), 400, "invalid patch format of primitive list");
  expectApiError(() => applyStrategicMergePatch(live, { spec: { "$setElementOrder/containers": "a" } }, "Pod"), 400, "invalid patch format of setElementOrder list");
  expectApiError(() => applyStrategicMergePatch(live, { spec: { $patch: "bogus" } }, "Pod"), 400, /^unknown patch type: bogus in map: /);
  expectApiError(() => applyStrategicMergePatch({ metadata: { finalizers: [["a"]] } }, { metadata: { finalizers: [["b"]] } }, "Pod"), 422, "lists of lists are not supported");
  expectApiError(
    () => applyStrategicMergePatch(live, { spec: { "$setElementOrder/containers": [{ name: "a" }], containers: [{ name: "b" }] } }, "Pod"),
    400,
    /^The order in patch list:/,
  );
  expectApiError(() => applyStrategicMergePatch(live, { spec: { containers: [{ name: "a", $patch: "merge" }] } }, "Pod"), 400, "merging lists cannot yet be specified in the patch");
  expectApiError(() => applyStrategicMergePatch(live, { spec: { "$setElementOrder/containers": [{ name: "a" }], containers: null } }, "Pod"), 400, "expected a []interface {}, but received a <nil>");
});

test("deleting and adding in one patch orders like the apiserver's in-place merge", () => {
  // kubectl apply after renaming container "a" to "c", while the server added "d".
  const live = { spec: { containers: [{ name: "a", image: "x" }, { name: "b", image: "y" }, { name: "d", image: "z" }] } };
  const patch = { spec: { "$setElementOrder/containers": [{ name: "b" }, { name: "c" }], containers: [{ name: "c", image: "w" }, { name: "a", $patch: "delete" }] } };
  const out = applyStrategicMergePatch(live, patch, "Pod") as any;
  assert.deepEqual(
    out.spec.containers.map((c: { name: string }) => c.name),
    ["b", "d", "c"],
  );
  // Without the deletion there is no aliasing: server-only "d" goes after the listed ones it followed.
  const plain = applyStrategicMergePatch(live, { spec: { "$setElementOrder/containers": [{ name: "a" }, { name: "b" }, { name: "c" }], containers: [{ name: "c", image: "w" }] } }, "Pod") as any;
  assert.deepEqual(
    plain.spec.containers.map((c: { name: string }) => c.name),
    ["a", "b", "c", "d"],
  );
});
