// Deployment arithmetic and bookkeeping: pod-template-hash, maxSurge/maxUnavailable rounding, the new
// ReplicaSet's next size, proportional scaling shares, annotations and conditions.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Deployment, DeploymentStatus, DeploymentStrategy, ReplicaSet } from "kubernetes-types/apps/v1.js";
import { canonicalJson, computePodTemplateHash, POD_TEMPLATE_HASH_LABEL, templatesEqualIgnoringHash } from "../../src/server/controllers/pod-template-hash.js";
import {
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  maxSurge,
  maxUnavailable,
  newCondition,
  newReplicaSetReplicas,
  replicaSetProportion,
  resolveFenceposts,
  scaledValue,
  setCondition,
  setNewReplicaSetAnnotations,
} from "../../src/server/controllers/deployment-util.js";

const template = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx:1" }] } };

function deployment(replicas: number, strategy: DeploymentStrategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } }): Deployment {
  return { metadata: { name: "web", generation: 1 }, spec: { replicas, selector: { matchLabels: { app: "web" } }, template, strategy, progressDeadlineSeconds: 600 } };
}

function rs(name: string, replicas: number, annotations: Record<string, string> = {}): ReplicaSet {
  return { metadata: { name, annotations }, spec: { replicas, selector: {}, template } };
}

test("pod-template-hash is stable, name-safe, changes with the template and the collision count", () => {
  const h = computePodTemplateHash(template);
  assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  assert.equal(computePodTemplateHash(structuredClone(template)), h);
  // Key order does not matter.
  assert.equal(computePodTemplateHash({ spec: template.spec, metadata: template.metadata }), h);
  assert.notEqual(computePodTemplateHash({ ...template, spec: { containers: [{ name: "c", image: "nginx:2" }] } }), h);
  assert.notEqual(computePodTemplateHash(template, 1), h);
  assert.notEqual(computePodTemplateHash(template, 1), computePodTemplateHash(template, 2));
  assert.equal(canonicalJson({ b: 1, a: [2, { d: undefined, c: 3 }] }), '{"a":[2,{"c":3}],"b":1}');
});

test("templates compare equal apart from the pod-template-hash label", () => {
  const withHash = { ...template, metadata: { labels: { app: "web", [POD_TEMPLATE_HASH_LABEL]: "abc" } } };
  assert.ok(templatesEqualIgnoringHash(withHash, template));
  assert.ok(!templatesEqualIgnoringHash(withHash, { ...template, metadata: { labels: { app: "other" } } }));
  // A template whose only label is the hash equals one without labels.
  assert.ok(templatesEqualIgnoringHash({ metadata: { labels: { [POD_TEMPLATE_HASH_LABEL]: "x" } } }, { metadata: {} }));
});

test("surge rounds up, unavailability rounds down, and both zero becomes one unavailable", () => {
  assert.equal(scaledValue("25%", 10, true), 3);
  assert.equal(scaledValue("25%", 10, false), 2);
  assert.equal(scaledValue(2, 10, true), 2);
  assert.equal(scaledValue(undefined, 10, true), 0);
  assert.throws(() => scaledValue("5", 10, true), /not a percentage/);
  assert.deepEqual(resolveFenceposts("25%", "25%", 3), { surge: 1, unavailable: 0 });
  assert.deepEqual(resolveFenceposts("25%", "25%", 4), { surge: 1, unavailable: 1 });
  assert.deepEqual(resolveFenceposts(0, "10%", 5), { surge: 0, unavailable: 1 });
  assert.deepEqual(resolveFenceposts("50%", 0, 5), { surge: 3, unavailable: 0 });
  assert.equal(maxSurge(deployment(10)), 3);
  assert.equal(maxUnavailable(deployment(10)), 2);
  // Recreate has neither; zero replicas means nothing may be unavailable; never more than spec.replicas.
  assert.equal(maxSurge(deployment(10, { type: "Recreate" })), 0);
  assert.equal(maxUnavailable(deployment(10, { type: "Recreate" })), 0);
  assert.equal(maxUnavailable(deployment(0)), 0);
  assert.equal(maxUnavailable(deployment(2, { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 5 } })), 2);
});

test("the new ReplicaSet grows up to spec.replicas + maxSurge in total", () => {
  const d = deployment(3); // surge 1
  const old = rs("old", 3);
  const fresh = rs("new", 0);
  assert.equal(newReplicaSetReplicas(d, [old, fresh], fresh), 1);
  assert.equal(newReplicaSetReplicas(d, [rs("old", 2), rs("new", 1)], rs("new", 1)), 2);
  // Already at the cap: stays.
  assert.equal(newReplicaSetReplicas(d, [rs("old", 3), rs("new", 1)], rs("new", 1)), 1);
  // Recreate goes straight to spec.replicas.
  assert.equal(newReplicaSetReplicas(deployment(3, { type: "Recreate" }), [fresh], fresh), 3);
});

test("scaling shares are proportional to the size at the last scale, rounded half away from zero", () => {
  const d = deployment(20); // surge 5 → 25 allowed
  // Scaled from 10 (max-replicas 13 = 10 + 3): a ReplicaSet of 6 grows to round(6 * 25 / 13) = 12.
  const a = rs("a", 6, { [MAX_REPLICAS_ANNOTATION]: "13" });
  assert.equal(replicaSetProportion(a, d, 12, 0), 6);
  // Never more than what is left to hand out.
  assert.equal(replicaSetProportion(a, d, 12, 10), 2);
  assert.equal(replicaSetProportion(rs("z", 0), d, 12, 0), 0);
  // Scaling to zero takes everything away.
  assert.equal(replicaSetProportion(a, deployment(0), -6, 0), -6);
});

test("new ReplicaSet annotations: copied Deployment annotations, revision and history, replica numbers", () => {
  const d = deployment(3);
  (d.metadata as { annotations?: Record<string, string> }).annotations = { team: "blue", "kubectl.kubernetes.io/last-applied-configuration": "{}", [REVISION_ANNOTATION]: "4" };
  const fresh = rs("new", 1);
  assert.ok(setNewReplicaSetAnnotations(d, fresh, 5, false));
  assert.deepEqual(fresh.metadata?.annotations, { team: "blue", [REVISION_ANNOTATION]: "5", [DESIRED_REPLICAS_ANNOTATION]: "3", [MAX_REPLICAS_ANNOTATION]: "4" });
  // An old ReplicaSet brought back (rollback) gets the new revision and remembers its old one.
  const back = rs("back", 0, { [REVISION_ANNOTATION]: "2", team: "blue" });
  assert.ok(setNewReplicaSetAnnotations(d, back, 5, true));
  assert.equal(back.metadata?.annotations?.[REVISION_ANNOTATION], "5");
  assert.equal(back.metadata?.annotations?.[REVISION_HISTORY_ANNOTATION], "2");
  assert.equal(back.metadata?.annotations?.[DESIRED_REPLICAS_ANNOTATION], undefined);
  assert.equal(setNewReplicaSetAnnotations(d, back, 5, true), false, "nothing left to change");
});

test("conditions keep their transition time while the status holds, and progress tests follow upstream", () => {
  const status: DeploymentStatus = {};
  const first = newCondition("Progressing", "True", "NewReplicaSetCreated", "created", new Date("2026-01-01T00:00:00Z"));
  setCondition(status, first);
  setCondition(status, newCondition("Progressing", "True", "ReplicaSetUpdated", "progressing", new Date("2026-01-01T00:05:00Z")));
  const c = status.conditions!.find((x) => x.type === "Progressing")!;
  assert.equal(c.reason, "ReplicaSetUpdated");
  assert.equal(c.lastTransitionTime, "2026-01-01T00:00:00Z");
  assert.equal(c.lastUpdateTime, "2026-01-01T00:05:00Z");
  assert.equal(status.conditions!.length, 1);

  const d = deployment(3);
  d.status = { replicas: 3, updatedReplicas: 1, readyReplicas: 2, availableReplicas: 2 };
  assert.ok(deploymentProgressing(d, { replicas: 3, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 }));
  assert.ok(!deploymentProgressing(d, { ...d.status }));
  assert.ok(deploymentComplete(d, { replicas: 3, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 1 }));
  assert.ok(!deploymentComplete(d, { replicas: 4, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 1 }));
  assert.ok(!deploymentComplete(d, { replicas: 3, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 0 }));
  const now = Date.parse("2026-01-01T00:20:00Z");
  assert.ok(deploymentTimedOut(d, status, now), "10 minutes after the last update");
  assert.ok(!deploymentTimedOut(d, status, Date.parse("2026-01-01T00:06:00Z")));
});
