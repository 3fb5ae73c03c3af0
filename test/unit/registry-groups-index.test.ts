import { test } from "node:test";
import assert from "node:assert/strict";
import { ALL_VERBS, type HookContext } from "../../src/server/registry/types.js";
import { groupResources } from "../../src/server/registry/groups/index.js";

/** Discovery facts of a real 1.32 apiserver (`kubectl api-resources -o wide`) for the kinds we serve. */
const EXPECTED: Record<string, { kind: string; namespaced: boolean; shortNames: string[]; categories: string[]; subresources: string[] }> = {
  "apps/v1/deployments": { kind: "Deployment", namespaced: true, shortNames: ["deploy"], categories: ["all"], subresources: ["status", "scale"] },
  "apps/v1/replicasets": { kind: "ReplicaSet", namespaced: true, shortNames: ["rs"], categories: ["all"], subresources: ["status", "scale"] },
  "apps/v1/daemonsets": { kind: "DaemonSet", namespaced: true, shortNames: ["ds"], categories: ["all"], subresources: ["status"] },
  "apps/v1/statefulsets": { kind: "StatefulSet", namespaced: true, shortNames: ["sts"], categories: ["all"], subresources: ["status", "scale"] },
  "apps/v1/controllerrevisions": { kind: "ControllerRevision", namespaced: true, shortNames: [], categories: [], subresources: [] },
  "batch/v1/jobs": { kind: "Job", namespaced: true, shortNames: [], categories: ["all"], subresources: ["status"] },
  "batch/v1/cronjobs": { kind: "CronJob", namespaced: true, shortNames: ["cj"], categories: ["all"], subresources: ["status"] },
  "autoscaling/v2/horizontalpodautoscalers": { kind: "HorizontalPodAutoscaler", namespaced: true, shortNames: ["hpa"], categories: ["all"], subresources: ["status"] },
  "autoscaling/v1/horizontalpodautoscalers": { kind: "HorizontalPodAutoscaler", namespaced: true, shortNames: ["hpa"], categories: ["all"], subresources: ["status"] },
  "policy/v1/poddisruptionbudgets": { kind: "PodDisruptionBudget", namespaced: true, shortNames: ["pdb"], categories: [], subresources: ["status"] },
  "networking.k8s.io/v1/ingresses": { kind: "Ingress", namespaced: true, shortNames: ["ing"], categories: [], subresources: ["status"] },
  "networking.k8s.io/v1/ingressclasses": { kind: "IngressClass", namespaced: false, shortNames: [], categories: [], subresources: [] },
  "networking.k8s.io/v1/networkpolicies": { kind: "NetworkPolicy", namespaced: true, shortNames: ["netpol"], categories: [], subresources: [] },
  "storage.k8s.io/v1/storageclasses": { kind: "StorageClass", namespaced: false, shortNames: ["sc"], categories: [], subresources: [] },
  "storage.k8s.io/v1/volumeattachments": { kind: "VolumeAttachment", namespaced: false, shortNames: [], categories: [], subresources: ["status"] },
  "storage.k8s.io/v1/csidrivers": { kind: "CSIDriver", namespaced: false, shortNames: [], categories: [], subresources: [] },
  "storage.k8s.io/v1/csinodes": { kind: "CSINode", namespaced: false, shortNames: [], categories: [], subresources: [] },
  "rbac.authorization.k8s.io/v1/roles": { kind: "Role", namespaced: true, shortNames: [], categories: [], subresources: [] },
  "rbac.authorization.k8s.io/v1/clusterroles": { kind: "ClusterRole", namespaced: false, shortNames: [], categories: [], subresources: [] },
  "rbac.authorization.k8s.io/v1/rolebindings": { kind: "RoleBinding", namespaced: true, shortNames: [], categories: [], subresources: [] },
  "rbac.authorization.k8s.io/v1/clusterrolebindings": { kind: "ClusterRoleBinding", namespaced: false, shortNames: [], categories: [], subresources: [] },
  "coordination.k8s.io/v1/leases": { kind: "Lease", namespaced: true, shortNames: [], categories: [], subresources: [] },
  "discovery.k8s.io/v1/endpointslices": { kind: "EndpointSlice", namespaced: true, shortNames: [], categories: [], subresources: [] },
  "events.k8s.io/v1/events": { kind: "Event", namespaced: true, shortNames: ["ev"], categories: [], subresources: [] },
  "scheduling.k8s.io/v1/priorityclasses": { kind: "PriorityClass", namespaced: false, shortNames: ["pc"], categories: [], subresources: [] },
  "node.k8s.io/v1/runtimeclasses": { kind: "RuntimeClass", namespaced: false, shortNames: [], categories: [], subresources: [] },
};

test("every group entry matches upstream discovery", () => {
  const keys = groupResources.map((r) => `${r.group}/${r.version}/${r.plural}`);
  assert.deepEqual([...keys].sort(), Object.keys(EXPECTED).sort());
  for (const r of groupResources) {
    const want = EXPECTED[`${r.group}/${r.version}/${r.plural}`]!;
    const label = `${r.group}/${r.version}/${r.plural}`;
    assert.equal(r.kind, want.kind, label);
    assert.equal(r.listKind, `${want.kind}List`, label);
    assert.equal(r.singular, want.kind.toLowerCase(), label);
    assert.equal(r.namespaced, want.namespaced, label);
    assert.deepEqual(r.shortNames, want.shortNames, label);
    assert.deepEqual(r.categories, want.categories, label);
    assert.deepEqual(r.subresources.map((s) => s.name), want.subresources, label);
    assert.equal(r.hasStatus, want.subresources.includes("status"), label);
    assert.deepEqual(r.verbs, ALL_VERBS, label);
  }
});

test("autoscaling/v2 is listed before v1 (preferred version first)", () => {
  const versions = groupResources.filter((r) => r.group === "autoscaling").map((r) => r.version);
  assert.deepEqual(versions, ["v2", "v1"]);
});

test("every entry has a table whose rows have one cell per column, even for a bare object", () => {
  const ctx: HookContext = { operation: "create", subresource: "", dryRun: false };
  for (const r of groupResources) {
    const obj = { apiVersion: r.group ? `${r.group}/${r.version}` : r.version, kind: r.kind, metadata: { name: "x", namespace: r.namespaced ? "default" : undefined } };
    assert.ok(r.table, `${r.plural} has a table`);
    assert.equal(r.table.cells(obj, Date.now()).length, r.table.columns.length, r.plural);
    // Hooks must cope with a bare object (the API layer validates whatever a client sends).
    r.defaults?.(obj);
    assert.ok(Array.isArray(r.validate?.(obj, undefined, ctx) ?? []), r.plural);
    assert.equal(r.table.cells(obj, Date.now()).length, r.table.columns.length, `${r.plural} after defaults`);
  }
});

test("kinds with a non-default name rule carry it (RBAC path segments, StatefulSet DNS labels)", () => {
  const byPlural = new Map(groupResources.map((r) => [`${r.group}/${r.plural}`, r]));
  for (const plural of ["roles", "clusterroles", "rolebindings", "clusterrolebindings"]) {
    const v = byPlural.get(`rbac.authorization.k8s.io/${plural}`)!.nameValidator!;
    assert.deepEqual(v("system:controller:deployment-controller"), [], plural);
    assert.deepEqual(v("a/b"), ["may not contain '/'"], plural);
  }
  const sts = byPlural.get("apps/statefulsets")!.nameValidator!;
  assert.deepEqual(sts("web"), []);
  assert.deepEqual(sts("web.db"), ["must not contain dots"]);
  assert.equal(byPlural.get("apps/deployments")!.nameValidator, undefined);
});
