// The group entries through the real generic store over a SQLite revision log: the API layer's hook
// order (prepareForCreate, defaults, validate), shared storage between versions, and name rules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { openSqliteDriver } from "../../src/server/storage/sqlite-driver.js";
import { RevisionLog } from "../../src/server/storage/revision-log.js";
import { GenericStore } from "../../src/server/registry/generic-store.js";
import { ApiError } from "../../src/shared/api/status.js";
import { groupResources } from "../../src/server/registry/groups/index.js";
import type { ResourceType } from "../../src/server/registry/types.js";

const quiet = pino({ level: "silent" });

async function openRegistry(t: { after(fn: () => void | Promise<void>): void }) {
  const dir = mkdtempSync(join(tmpdir(), "kube-lite-groups-"));
  const driver = await openSqliteDriver({ dir, logger: quiet });
  const log = new RevisionLog(driver, { logger: quiet });
  t.after(async () => {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const find = (group: string, version: string, plural: string): ResourceType => {
    const rt = groupResources.find((r) => r.group === group && r.version === version && r.plural === plural);
    assert.ok(rt, `${group}/${version}/${plural}`);
    return rt;
  };
  return (group: string, version: string, plural: string) => new GenericStore(find(group, version, plural), log);
}

async function rejects(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e));
    return e;
  }
  assert.fail("expected an ApiError");
}

test("deployment create through the store: defaults, status reset, generation", async (t) => {
  const store = (await openRegistry(t))("apps", "v1", "deployments");
  const d = await store.create("default", {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } } },
    status: { replicas: 9 },
  });
  assert.equal((d.spec as any).replicas, 1);
  assert.equal((d.spec as any).strategy.rollingUpdate.maxSurge, "25%");
  assert.deepEqual(d.status, {});
  assert.equal(d.metadata.generation, 1);
  const err = await rejects(
    store.create("default", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "bad" }, spec: { selector: { matchLabels: { app: "x" } }, template: { metadata: { labels: { app: "y" } }, spec: { containers: [{ name: "c", image: "i" }] } } } }),
  );
  assert.equal(err.code, 422);
  assert.match(err.message, /Deployment.apps "bad" is invalid: spec.template.metadata.labels: Invalid value: .*`selector` does not match template `labels`/);
});

test("job create through the store gets a generated selector from its UID", async (t) => {
  const store = (await openRegistry(t))("batch", "v1", "jobs");
  const j = await store.create("default", {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { generateName: "pi-" },
    spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "pi", image: "perl:5.34" }] } } },
  });
  const uid = j.metadata.uid!;
  assert.deepEqual((j.spec as any).selector, { matchLabels: { "batch.kubernetes.io/controller-uid": uid } });
  assert.equal((j.spec as any).template.metadata.labels["batch.kubernetes.io/job-name"], j.metadata.name);
  // Like upstream, the Job itself carries the template's labels when it has none of its own.
  assert.equal(j.metadata.labels!["controller-uid"], uid);
  const got = await store.get("default", j.metadata.name!);
  (got.spec as any).template.spec.containers[0].image = "perl:5.36";
  const err = await rejects(store.update("default", got.metadata.name!, got, ""));
  assert.match(err.message, /spec.template: field is immutable/);
});

test("hpa: written as autoscaling/v1, read back as autoscaling/v2 from the shared storage", async (t) => {
  const open = await openRegistry(t);
  const v1 = open("autoscaling", "v1", "horizontalpodautoscalers");
  const v2 = open("autoscaling", "v2", "horizontalpodautoscalers");
  const created = await v1.create("default", {
    apiVersion: "autoscaling/v1",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: "web" },
    spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 70 },
  });
  assert.equal(created.apiVersion, "autoscaling/v1");
  const asV2 = await v2.get("default", "web");
  assert.equal(asV2.apiVersion, "autoscaling/v2");
  assert.deepEqual((asV2.spec as any).metrics, [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }]);
  (asV2.spec as any).metrics.push({ type: "Pods", pods: { metric: { name: "rps" }, target: { type: "AverageValue", averageValue: "10" } } });
  await v2.update("default", "web", asV2, "");
  const back = await v1.get("default", "web");
  assert.equal((back.spec as any).targetCPUUtilizationPercentage, 70);
  assert.deepEqual(JSON.parse(back.metadata.annotations!["autoscaling.alpha.kubernetes.io/metrics"]!), [{ type: "Pods", pods: { metricName: "rps", targetAverageValue: "10" } }]);
  assert.equal((await v2.list("default")).items.length, 1);
});

test("events.k8s.io events are stored as core/v1 events", async (t) => {
  const open = await openRegistry(t);
  const store = open("events.k8s.io", "v1", "events");
  await store.create("default", {
    apiVersion: "events.k8s.io/v1",
    kind: "Event",
    metadata: { name: "web-1.1" },
    eventTime: "2025-01-01T11:50:00.000000Z",
    reportingController: "kube-lite/scheduler",
    reportingInstance: "server-1",
    action: "Binding",
    reason: "Scheduled",
    type: "Normal",
    regarding: { kind: "Pod", namespace: "default", name: "web-1" },
    note: "assigned",
  });
  const listed = await store.list("default", { fieldSelector: "regarding.name=web-1,reason=Scheduled" });
  assert.equal(listed.items.length, 1);
  assert.equal(listed.items[0]!.note, "assigned");
  const none = await store.list("default", { fieldSelector: "regarding.name=other" });
  assert.equal(none.items.length, 0);
});

test("name rules: RBAC accepts colons, StatefulSets reject dots", async (t) => {
  const open = await openRegistry(t);
  const cr = await open("rbac.authorization.k8s.io", "v1", "clusterroles").create("", {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: "system:aggregate-to-view" },
    rules: [{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "watch"] }],
  });
  assert.equal(cr.metadata.name, "system:aggregate-to-view");
  const err = await rejects(
    open("apps", "v1", "statefulsets").create("default", {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "db.primary" },
      spec: { serviceName: "db", selector: { matchLabels: { app: "db" } }, template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "db", image: "postgres:16" }] } } },
    }),
  );
  assert.match(err.message, /metadata.name: Invalid value: "db.primary": must not contain dots/);
});
