import { test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../src/shared/api/types.js";
import type { StatusCause } from "../../src/shared/api/status.js";
import type { HookContext } from "../../src/server/registry/types.js";
import { roles } from "../../src/server/registry/groups/roles.js";
import { clusterroles } from "../../src/server/registry/groups/clusterroles.js";
import { rolebindings } from "../../src/server/registry/groups/rolebindings.js";
import { clusterrolebindings } from "../../src/server/registry/groups/clusterrolebindings.js";

const CREATE: HookContext = { operation: "create", subresource: "", dryRun: false };
const UPDATE: HookContext = { operation: "update", subresource: "", dryRun: false };
const NOW = Date.parse("2025-01-01T12:00:00Z");

function fields(causes: StatusCause[]): string[] {
  return causes.map((c) => `${c.field}: ${c.message}`);
}

test("role: rule checks and the default Name / Created At table", () => {
  const role: KubeObject = {
    metadata: { name: "pod-reader", namespace: "default", creationTimestamp: "2025-01-01T11:00:00.123Z" },
    rules: [{ apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list", "watch"] }],
  };
  assert.deepEqual(roles.validate!(role, undefined, CREATE), []);
  assert.deepEqual(roles.table!.columns.map((c) => `${c.name}:${c.type}`), ["Name:string", "Created At:date"]);
  assert.deepEqual(roles.table!.cells(role, NOW), ["pod-reader", "2025-01-01T11:00:00Z"]);
  const bad: KubeObject = { metadata: { name: "x", namespace: "default" }, rules: [{ resources: ["pods"] }, { verbs: ["get"], nonResourceURLs: ["/healthz"] }] };
  assert.deepEqual(fields(roles.validate!(bad, undefined, CREATE)), [
    "rules[0].verbs: Required value: verbs must contain at least one value",
    "rules[0].apiGroups: Required value: resource rules must supply at least one api group",
    'rules[1].nonResourceURLs: Invalid value: ["/healthz"]: namespaced rules cannot apply to non-resource URLs',
  ]);
  assert.equal(roles.generationTracksSpec, false);
});

test("clusterrole: non-resource URLs allowed, not mixed; aggregation rule needs selectors", () => {
  const cr: KubeObject = { metadata: { name: "health" }, rules: [{ verbs: ["get"], nonResourceURLs: ["/healthz", "/readyz"] }] };
  assert.deepEqual(clusterroles.validate!(cr, undefined, CREATE), []);
  const mixed: KubeObject = { metadata: { name: "x" }, rules: [{ verbs: ["get"], nonResourceURLs: ["/metrics"], resources: ["pods"] }], aggregationRule: {} };
  assert.deepEqual(fields(clusterroles.validate!(mixed, undefined, CREATE)), [
    'rules[0].nonResourceURLs: Invalid value: ["/metrics"]: rules cannot apply to both regular resources and non-resource URLs',
    "aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil",
  ]);
  assert.equal(clusterroles.namespaced, false);
});

test("rolebinding: defaults apiGroups, validates subjects, roleRef immutable, table", () => {
  const rb: KubeObject = {
    metadata: { name: "read-pods", namespace: "default", creationTimestamp: "2025-01-01T11:00:00Z" },
    roleRef: { kind: "Role", name: "pod-reader" },
    subjects: [
      { kind: "User", name: "jane" },
      { kind: "Group", name: "devs" },
      { kind: "ServiceAccount", name: "builder", namespace: "ci" },
      { kind: "User", name: "joe" },
    ],
  };
  rolebindings.defaults!(rb);
  assert.equal((rb.roleRef as any).apiGroup, "rbac.authorization.k8s.io");
  assert.deepEqual((rb.subjects as any[]).map((s) => s.apiGroup), ["rbac.authorization.k8s.io", "rbac.authorization.k8s.io", "", "rbac.authorization.k8s.io"]);
  assert.deepEqual(rolebindings.validate!(rb, undefined, CREATE), []);
  assert.deepEqual(rolebindings.table!.columns.map((c) => `${c.name}/${c.priority}`), ["Name/0", "Role/0", "Age/0", "Users/1", "Groups/1", "ServiceAccounts/1"]);
  assert.deepEqual(rolebindings.table!.cells(rb, NOW), ["read-pods", "Role/pod-reader", "60m", "jane, joe", "devs", "ci/builder"]);
  const next = structuredClone(rb);
  (next.roleRef as any).name = "admin";
  (next.roleRef as any).kind = "ClusterRole";
  assert.deepEqual(fields(rolebindings.validate!(next, rb, UPDATE)), ['roleRef: Invalid value: {"kind":"ClusterRole","name":"admin","apiGroup":"rbac.authorization.k8s.io"}: cannot change roleRef']);
  const bad: KubeObject = { metadata: { name: "x", namespace: "default" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Secret", name: "" }, subjects: [{ kind: "Robot", name: "r2" }, { kind: "User", name: "u", apiGroup: "" }] };
  assert.deepEqual(fields(rolebindings.validate!(bad, undefined, CREATE)), [
    'roleRef.kind: Unsupported value: "Secret": supported values: "Role", "ClusterRole"',
    "roleRef.name: Required value",
    'subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
    'subjects[1].apiGroup: Unsupported value: "": supported values: "rbac.authorization.k8s.io"',
  ]);
});

test("clusterrolebinding: only ClusterRoles; service accounts need a namespace", () => {
  const crb: KubeObject = {
    metadata: { name: "admins" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "x" },
    subjects: [{ kind: "ServiceAccount", name: "default" }],
  };
  clusterrolebindings.defaults!(crb);
  assert.deepEqual(fields(clusterrolebindings.validate!(crb, undefined, CREATE)), [
    'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
    "subjects[0].namespace: Required value",
  ]);
  assert.equal(clusterrolebindings.table!.columns[3]!.description, "Users in the clusterRoleBinding");
});
