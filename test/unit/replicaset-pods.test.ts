// Pod facts the ReplicaSet controller decides on: activity, readiness and availability, the order in
// which surplus pods are deleted, expectations, and pods made from a template.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Pod } from "kubernetes-types/core/v1.js";
import { isPodActive, isPodAvailable, isPodReady, rankByNode, rankPodsForDeletion } from "../../src/server/controllers/active-pods.js";
import { ControllerExpectations, EXPECTATIONS_TTL_MS } from "../../src/server/controllers/controller-expectations.js";
import { REPLICA_SET_KIND, REPLICATION_CONTROLLER_KIND, podFromTemplate } from "../../src/server/controllers/replicaset-controller.js";
import type { KubeObject } from "../../src/shared/api/types.js";

const T0 = "2026-01-01T00:00:00Z";
const T1 = "2026-01-01T00:01:00Z";
const T2 = "2026-01-01T00:02:00Z";

function pod(name: string, o: { node?: string; phase?: string; ready?: string; created?: string; restarts?: number; deleting?: boolean } = {}): Pod {
  return {
    metadata: { name, uid: name, creationTimestamp: o.created ?? T0, ...(o.deleting ? { deletionTimestamp: T2 } : {}) },
    spec: { containers: [], ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? "Running",
      conditions: o.ready ? [{ type: "Ready", status: "True", lastTransitionTime: o.ready }] : [{ type: "Ready", status: "False" }],
      containerStatuses: o.restarts ? [{ name: "c", image: "x", imageID: "", ready: true, restartCount: o.restarts }] : [],
    },
  };
}

test("active, ready and available pods", () => {
  assert.ok(isPodActive(pod("a")));
  assert.ok(!isPodActive(pod("b", { phase: "Succeeded" })));
  assert.ok(!isPodActive(pod("c", { phase: "Failed" })));
  assert.ok(!isPodActive(pod("d", { deleting: true })));
  assert.ok(isPodReady(pod("e", { ready: T0 })));
  assert.ok(!isPodReady(pod("f")));
  const readyAtT0 = pod("g", { ready: T0 });
  assert.ok(isPodAvailable(readyAtT0, 0, Date.parse(T0)));
  assert.ok(!isPodAvailable(readyAtT0, 60, Date.parse(T1)), "not yet ready for longer than minReadySeconds");
  assert.ok(isPodAvailable(readyAtT0, 60, Date.parse(T1) + 1));
  assert.ok(!isPodAvailable(pod("h"), 0, Date.parse(T2)));
});

test("surplus pods go in upstream's order: unscheduled, pending, not ready, doubled-up node, recently ready, restarts, newest", () => {
  const order = (pods: Pod[], rank?: (p: Pod) => number) => rankPodsForDeletion(pods, rank).map((p) => p.metadata!.name);
  assert.deepEqual(order([pod("bound", { node: "n1", ready: T0 }), pod("unbound", { ready: T0 })]), ["unbound", "bound"]);
  assert.deepEqual(order([pod("running", { node: "n", ready: T0 }), pod("pending", { node: "n", phase: "Pending" }), pod("unknown", { node: "n", phase: "Unknown" })]), ["pending", "unknown", "running"]);
  assert.deepEqual(order([pod("ready", { node: "n", ready: T0 }), pod("unready", { node: "n" })]), ["unready", "ready"]);
  assert.deepEqual(order([pod("old-ready", { node: "n", ready: T0 }), pod("new-ready", { node: "n", ready: T1 })]), ["new-ready", "old-ready"]);
  assert.deepEqual(order([pod("calm", { node: "n", ready: T0 }), pod("crashy", { node: "n", ready: T0, restarts: 4 })]), ["crashy", "calm"]);
  assert.deepEqual(order([pod("older", { node: "n", ready: T0, created: T0 }), pod("newer", { node: "n", ready: T0, created: T1 })]), ["newer", "older"]);
  // Two pods on n1, one on n2: one of n1's goes first.
  const pods = [pod("solo", { node: "n2", ready: T0 }), pod("pair-1", { node: "n1", ready: T0 }), pod("pair-2", { node: "n1", ready: T0, created: T1 })];
  assert.deepEqual(order(pods, rankByNode(pods)).slice(0, 1), ["pair-2"]);
  assert.equal(order(pods, rankByNode(pods))[2], "solo");
});

test("expectations hold a key until its creations and deletions are observed, or expire", () => {
  let now = 0;
  const e = new ControllerExpectations(() => now);
  assert.ok(e.satisfied("ns/rs"), "no record: free to sync");
  e.expect("ns/rs", 2, ["u1"]);
  assert.ok(!e.satisfied("ns/rs"));
  e.creationObserved("ns/rs");
  e.creationObserved("ns/rs");
  assert.ok(!e.satisfied("ns/rs"), "a deletion is still pending");
  e.deletionObserved("ns/rs", "u1");
  e.deletionObserved("ns/rs", "u1");
  assert.ok(e.satisfied("ns/rs"));
  e.expect("ns/rs", 1, []);
  now = EXPECTATIONS_TTL_MS + 1;
  assert.ok(e.satisfied("ns/rs"), "expired");
  e.forget("ns/rs");
  assert.ok(e.satisfied("ns/rs"));
});

test("pods from a template carry its labels, annotations and spec and a controller reference", () => {
  const rs: KubeObject = {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: "web-abc", namespace: "prod", uid: "rs-uid" },
    spec: { replicas: 1, template: { metadata: { labels: { app: "web" }, annotations: { a: "b" } }, spec: { containers: [{ name: "c", image: "nginx" }] } } },
  };
  const p = podFromTemplate(rs, REPLICA_SET_KIND);
  assert.equal(p.metadata.generateName, "web-abc-");
  assert.equal(p.metadata.namespace, "prod");
  assert.deepEqual(p.metadata.labels, { app: "web" });
  assert.deepEqual(p.metadata.annotations, { a: "b" });
  assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-abc", uid: "rs-uid", controller: true, blockOwnerDeletion: true }]);
  assert.deepEqual(p.spec, { containers: [{ name: "c", image: "nginx" }] });
  // The pod's spec is a copy: changing it leaves the template alone.
  (p.spec as { containers: { image: string }[] }).containers[0]!.image = "changed";
  assert.equal((rs.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!.image, "nginx");
  // ReplicationControllers select with a plain map; an empty one selects nothing.
  assert.ok(REPLICATION_CONTROLLER_KIND.selectorOf({ metadata: {}, spec: { selector: { app: "x" } } }).matches({ app: "x", b: "c" }));
  assert.ok(!REPLICATION_CONTROLLER_KIND.selectorOf({ metadata: {}, spec: { selector: {} } }).matches({ app: "x" }));
});
