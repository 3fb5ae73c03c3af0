import { test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../src/shared/api/types.js";
import type { StatusCause } from "../../src/shared/api/status.js";
import type { HookContext, ResourceType } from "../../src/server/registry/types.js";
import { deployments } from "../../src/server/registry/groups/deployments.js";
import { replicasets } from "../../src/server/registry/groups/replicasets.js";
import { daemonsets } from "../../src/server/registry/groups/daemonsets.js";
import { statefulsets } from "../../src/server/registry/groups/statefulsets.js";
import { controllerrevisions } from "../../src/server/registry/groups/controllerrevisions.js";

const CREATE: HookContext = { operation: "create", subresource: "", dryRun: false };
const UPDATE: HookContext = { operation: "update", subresource: "", dryRun: false };
const NOW = Date.parse("2025-01-01T12:00:00Z");
const CREATED = "2025-01-01T11:55:00Z"; // 5m before NOW

function template(labels: Record<string, string>): Record<string, unknown> {
  return { metadata: { labels }, spec: { containers: [{ name: "web", image: "nginx:1.27" }, { name: "log", image: "busybox" }] } };
}

function workload(kind: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: "apps/v1", kind, metadata: { name: "web", namespace: "default", creationTimestamp: CREATED }, spec };
}

/** Defaults then validates, as the API layer does on create. */
function created(rt: ResourceType, obj: KubeObject): StatusCause[] {
  rt.defaults?.(obj);
  rt.prepareForCreate?.(obj);
  return rt.validate?.(obj, undefined, CREATE) ?? [];
}

function fields(causes: StatusCause[]): string[] {
  return causes.map((c) => `${c.field}: ${c.message}`);
}

test("deployment: upstream defaults, pod template included", () => {
  const d = workload("Deployment", { selector: { matchLabels: { app: "web" } }, template: template({ app: "web" }) });
  assert.deepEqual(created(deployments, d), []);
  const spec = d.spec as Record<string, any>;
  assert.equal(spec.replicas, 1);
  assert.deepEqual(spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } });
  assert.equal(spec.revisionHistoryLimit, 10);
  assert.equal(spec.progressDeadlineSeconds, 600);
  assert.equal(spec.template.spec.restartPolicy, "Always");
  assert.equal(spec.template.spec.containers[0].imagePullPolicy, "IfNotPresent");
  assert.equal(spec.template.spec.containers[1].imagePullPolicy, "Always");
  assert.deepEqual(d.status, {});
});

test("deployment: Recreate keeps no rollingUpdate; explicit values survive defaulting", () => {
  const d = workload("Deployment", { replicas: 0, strategy: { type: "Recreate" }, selector: { matchLabels: { app: "web" } }, template: template({ app: "web" }) });
  assert.deepEqual(created(deployments, d), []);
  assert.deepEqual((d.spec as any).strategy, { type: "Recreate" });
  assert.equal((d.spec as any).replicas, 0);
});

test("deployment: selector must exist and match the template labels", () => {
  const noSel = workload("Deployment", { template: template({ app: "web" }) });
  const msgs = fields(created(deployments, noSel));
  assert.ok(msgs.includes("spec.selector: Required value"), msgs.join("\n"));
  const mismatch = workload("Deployment", { selector: { matchLabels: { app: "api" } }, template: template({ app: "web" }) });
  assert.deepEqual(fields(created(deployments, mismatch)), ['spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`']);
  const empty = workload("Deployment", { selector: {}, template: template({ app: "web" }) });
  assert.deepEqual(fields(created(deployments, empty)), ["spec.selector: Invalid value: {}: empty selector is invalid for deployment"]);
  const expr = workload("Deployment", { selector: { matchExpressions: [{ key: "app", operator: "In", values: ["web", "api"] }] }, template: template({ app: "web" }) });
  assert.deepEqual(created(deployments, expr), []);
});

test("deployment: replicas, strategy and progress deadline rules", () => {
  const d = workload("Deployment", {
    replicas: -1,
    minReadySeconds: 700,
    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "0%" } },
    selector: { matchLabels: { app: "web" } },
    template: template({ app: "web" }),
  });
  const msgs = fields(created(deployments, d));
  assert.ok(msgs.includes("spec.replicas: Invalid value: -1: must be greater than or equal to 0"), msgs.join("\n"));
  assert.ok(msgs.includes("spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"), msgs.join("\n"));
  assert.ok(msgs.includes("spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds"), msgs.join("\n"));
  const bad = workload("Deployment", {
    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "150%", maxSurge: "x" } },
    selector: { matchLabels: { app: "web" } },
    template: template({ app: "web" }),
  });
  const badMsgs = fields(created(deployments, bad));
  assert.ok(badMsgs.includes('spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%'), badMsgs.join("\n"));
  assert.ok(badMsgs.some((m) => m.startsWith('spec.strategy.rollingUpdate.maxSurge: Invalid value: "x": a valid percent string')), badMsgs.join("\n"));
  const recreate = workload("Deployment", { strategy: { type: "Recreate", rollingUpdate: {} }, selector: { matchLabels: { app: "web" } }, template: template({ app: "web" }) });
  assert.deepEqual(fields(created(deployments, recreate)), ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]);
  const other = workload("Deployment", { strategy: { type: "BlueGreen" }, selector: { matchLabels: { app: "web" } }, template: template({ app: "web" }) });
  assert.deepEqual(fields(created(deployments, other)), ['spec.strategy: Unsupported value: {"type":"BlueGreen"}: supported values: "Recreate", "RollingUpdate"']);
});

test("deployment: pod template must restart Always; selector immutable on update", () => {
  const tpl = template({ app: "web" }) as any;
  tpl.spec.restartPolicy = "Never";
  const d = workload("Deployment", { selector: { matchLabels: { app: "web" } }, template: tpl });
  assert.deepEqual(fields(created(deployments, d)), ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']);

  const old = workload("Deployment", { selector: { matchLabels: { app: "web" } }, template: template({ app: "web", v: "1" }) });
  deployments.defaults!(old);
  const next = structuredClone(old);
  (next.spec as any).selector = { matchLabels: { app: "web", v: "1" } };
  assert.deepEqual(fields(deployments.validate!(next, old, UPDATE)), ["spec.selector: field is immutable"]);
});

test("deployment: status writes are checked as status", () => {
  const d = workload("Deployment", { selector: { matchLabels: { app: "web" } }, template: template({ app: "web" }) });
  d.status = { replicas: 1, readyReplicas: 2, availableReplicas: 1 };
  const causes = deployments.validate!(d, d, { operation: "update", subresource: "status", dryRun: false });
  assert.deepEqual(fields(causes), ["status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas"]);
});

test("deployment: table columns and cells as kubectl shows them", () => {
  const d = workload("Deployment", { replicas: 3, selector: { matchLabels: { tier: "fe", app: "web" } }, template: template({ app: "web", tier: "fe" }) });
  d.status = { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 };
  const t = deployments.table!;
  assert.deepEqual(t.columns.map((c) => `${c.name}/${c.priority}`), ["Name/0", "Ready/0", "Up-to-date/0", "Available/0", "Age/0", "Containers/1", "Images/1", "Selector/1"]);
  assert.deepEqual(t.cells(d, NOW), ["web", "2/3", 3, 2, "5m", "web,log", "nginx:1.27,busybox", "app=web,tier=fe"]);
});

test("deployment: discovery facts", () => {
  assert.deepEqual(deployments.shortNames, ["deploy"]);
  assert.deepEqual(deployments.categories, ["all"]);
  assert.deepEqual(
    deployments.subresources.map((s) => [s.name, s.group ?? "", s.kind ?? "", s.verbs.join(",")]),
    [
      ["status", "", "", "get,patch,update"],
      ["scale", "autoscaling", "Scale", "get,patch,update"],
    ],
  );
  assert.equal(deployments.hasStatus, true);
});

test("replicaset: defaults, validation, table and status.replicas field selector", () => {
  const rs = workload("ReplicaSet", { selector: { matchLabels: { app: "web" } }, template: template({ app: "web" }) });
  assert.deepEqual(created(replicasets, rs), []);
  assert.equal((rs.spec as any).replicas, 1);
  rs.status = { replicas: 1, readyReplicas: 1 };
  assert.deepEqual(replicasets.table!.cells(rs, NOW), ["web", 1, 1, 1, "5m", "web,log", "nginx:1.27,busybox", "app=web"]);
  assert.equal(replicasets.fieldSelectors!["status.replicas"]!(rs), "1");
  assert.deepEqual(replicasets.shortNames, ["rs"]);
  const tpl = template({ app: "web" }) as any;
  tpl.spec.activeDeadlineSeconds = 10;
  const bad = workload("ReplicaSet", { selector: { matchLabels: { app: "web" } }, template: tpl });
  assert.deepEqual(fields(created(replicasets, bad)), ["spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported"]);
});

test("daemonset: defaults RollingUpdate 1/0 and history 10", () => {
  const ds = workload("DaemonSet", { selector: { matchLabels: { app: "agent" } }, template: template({ app: "agent" }) });
  assert.deepEqual(created(daemonsets, ds), []);
  const spec = ds.spec as any;
  assert.deepEqual(spec.updateStrategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.equal(spec.revisionHistoryLimit, 10);
  const od = workload("DaemonSet", { updateStrategy: { type: "OnDelete" }, selector: { matchLabels: { app: "agent" } }, template: template({ app: "agent" }) });
  assert.deepEqual(created(daemonsets, od), []);
  assert.deepEqual((od.spec as any).updateStrategy, { type: "OnDelete" });
});

test("daemonset: surge and unavailability rules, empty selector", () => {
  const both = workload("DaemonSet", {
    updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } },
    selector: { matchLabels: { app: "agent" } },
    template: template({ app: "agent" }),
  });
  assert.deepEqual(fields(created(daemonsets, both)), ["spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero"]);
  const none = workload("DaemonSet", {
    updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } },
    selector: { matchLabels: { app: "agent" } },
    template: template({ app: "agent" }),
  });
  assert.deepEqual(fields(created(daemonsets, none)), ["spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"]);
  const empty = workload("DaemonSet", { selector: {}, template: template({ app: "agent" }) });
  assert.deepEqual(fields(created(daemonsets, empty)), ["spec.selector: Invalid value: {}: empty selector is invalid for daemonset"]);
});

test("daemonset: table shows counters and node selector", () => {
  const tpl = template({ app: "agent" }) as any;
  tpl.spec.nodeSelector = { "kubernetes.io/os": "linux" };
  const ds = workload("DaemonSet", { selector: { matchLabels: { app: "agent" } }, template: tpl });
  daemonsets.defaults!(ds);
  ds.status = { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 };
  const t = daemonsets.table!;
  assert.deepEqual(t.columns.map((c) => c.name), ["Name", "Desired", "Current", "Ready", "Up-to-date", "Available", "Node Selector", "Age", "Containers", "Images", "Selector"]);
  assert.deepEqual(t.cells(ds, NOW), ["web", 3, 3, 2, 3, 2, "kubernetes.io/os=linux", "5m", "web,log", "nginx:1.27,busybox", "app=agent"]);
});

test("statefulset: defaults", () => {
  const sts = workload("StatefulSet", { serviceName: "db", selector: { matchLabels: { app: "db" } }, template: template({ app: "db" }) });
  assert.deepEqual(created(statefulsets, sts), []);
  const spec = sts.spec as any;
  assert.equal(spec.podManagementPolicy, "OrderedReady");
  assert.deepEqual(spec.updateStrategy, { type: "RollingUpdate", rollingUpdate: { partition: 0 } });
  assert.deepEqual(spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
  assert.equal(spec.replicas, 1);
  assert.equal(spec.revisionHistoryLimit, 10);
});

test("statefulset: only some spec fields may change", () => {
  const old = workload("StatefulSet", { serviceName: "db", selector: { matchLabels: { app: "db" } }, template: template({ app: "db" }) });
  statefulsets.defaults!(old);
  const scaled = structuredClone(old);
  (scaled.spec as any).replicas = 3;
  (scaled.spec as any).template.spec.containers[0].image = "nginx:1.28";
  assert.deepEqual(statefulsets.validate!(scaled, old, UPDATE), []);
  const renamed = structuredClone(old);
  (renamed.spec as any).serviceName = "db2";
  assert.deepEqual(fields(statefulsets.validate!(renamed, old, UPDATE)), [
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  ]);
});

test("statefulset: policy checks and table", () => {
  const bad = workload("StatefulSet", {
    podManagementPolicy: "Random",
    updateStrategy: { type: "OnDelete", rollingUpdate: { partition: 1 } },
    selector: { matchLabels: { app: "db" } },
    template: template({ app: "db" }),
  });
  const msgs = fields(created(statefulsets, bad));
  assert.ok(msgs.includes(`spec.podManagementPolicy: Invalid value: "Random": must be 'OrderedReady' or 'Parallel'`), msgs.join("\n"));
  assert.ok(msgs.includes(`spec.updateStrategy.rollingUpdate: Invalid value: {"partition":1}: only allowed for updateStrategy 'RollingUpdate'`), msgs.join("\n"));
  const sts = workload("StatefulSet", { replicas: 3, selector: { matchLabels: { app: "db" } }, template: template({ app: "db" }) });
  sts.status = { readyReplicas: 1 };
  assert.deepEqual(statefulsets.table!.columns.map((c) => c.name), ["Name", "Ready", "Age", "Containers", "Images"]);
  assert.deepEqual(statefulsets.table!.cells(sts, NOW), ["web", "1/3", "5m", "web,log", "nginx:1.27,busybox"]);
  assert.deepEqual(statefulsets.shortNames, ["sts"]);
  assert.deepEqual(statefulsets.subresources.map((s) => s.name), ["status", "scale"]);
});

test("controllerrevision: data required and immutable; controller column", () => {
  const cr: KubeObject = {
    metadata: {
      name: "web-6d4b",
      namespace: "default",
      creationTimestamp: CREATED,
      ownerReferences: [{ apiVersion: "apps/v1", kind: "DaemonSet", name: "agent", uid: "u1", controller: true }],
    },
    data: { spec: { template: {} } },
    revision: 2,
  };
  assert.deepEqual(controllerrevisions.validate!(cr, undefined, CREATE), []);
  assert.deepEqual(controllerrevisions.table!.cells(cr, NOW), ["web-6d4b", "daemonset.apps/agent", 2, "5m"]);
  const changed = structuredClone(cr);
  changed.data = { spec: {} };
  assert.deepEqual(fields(controllerrevisions.validate!(changed, cr, UPDATE)), ["data: field is immutable"]);
  const noData: KubeObject = { metadata: { name: "x", namespace: "default" }, revision: -1 };
  assert.deepEqual(fields(controllerrevisions.validate!(noData, undefined, CREATE)), [
    "data: Required value: data is mandatory",
    "revision: Invalid value: -1: must be greater than or equal to 0",
  ]);
  assert.equal(controllerrevisions.generationTracksSpec, false);
});

test("statefulset: containers may mount volumes that exist only as volumeClaimTemplates", () => {
  const tpl = template({ app: "db" }) as any;
  tpl.spec.containers[0].volumeMounts = [{ name: "data", mountPath: "/var/lib/postgresql" }];
  const sts = workload("StatefulSet", {
    serviceName: "db",
    selector: { matchLabels: { app: "db" } },
    template: tpl,
    volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }],
  });
  assert.deepEqual(created(statefulsets, sts), []);
  const badLabels = workload("StatefulSet", { selector: { matchLabels: { app: "db" } }, template: template({ app: "db", "bad key!": "x" }) });
  const msgs = fields(created(statefulsets, badLabels));
  assert.ok(msgs.some((m) => m.startsWith('spec.template.labels: Invalid value: "bad key!"')), msgs.join("\n"));
});
