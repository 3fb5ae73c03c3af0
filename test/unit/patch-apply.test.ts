import { test } from "node:test";
import assert from "node:assert/strict";
import { applyServerSide, updateManagedFields } from "../../src/server/apiserver/patch/server-side-apply.js";
import { FieldSet, formatPath } from "../../src/server/apiserver/patch/field-set.js";
import { ApiError } from "../../src/shared/api/status.js";
import type { KubeObject } from "../../src/shared/api/types.js";

const T0 = "2026-11-27T10:00:00Z";
const T1 = "2026-11-27T10:01:00Z";
const T2 = "2026-11-27T10:02:00Z";

interface ConfigOpts {
  replicas?: number;
  env?: { name: string; value: string }[];
  labels?: Record<string, string>;
  containers?: string[];
}

/** An applied Deployment configuration like `kubectl apply --server-side -f` sends. */
function config(o: ConfigOpts = {}): KubeObject {
  const spec: Record<string, unknown> = {
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: {
        containers: (o.containers ?? ["nginx"]).map((name) => ({
          name,
          image: `${name}:1`,
          ports: name === "nginx" ? [{ containerPort: 80 }] : undefined,
          env: name === "nginx" ? (o.env ?? [{ name: "A", value: "1" }]) : undefined,
        })),
      },
    },
  };
  if (o.replicas !== undefined) spec.replicas = o.replicas;
  return JSON.parse(JSON.stringify({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", labels: o.labels ?? { app: "web" } }, spec })) as KubeObject;
}

function apply(live: KubeObject | undefined, applied: KubeObject, manager = "kubectl", force = false, now = T0) {
  return applyServerSide({ live, applied, manager, force, apiVersion: "apps/v1", now });
}

function conflictOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${String(e)}`);
    return e;
  }
  assert.fail("expected a conflict");
}

const spec = (o: KubeObject) => o.spec as any;

test("apply creates the object and records an Apply entry in upstream's FieldsV1 format", () => {
  const { object, managedFields } = apply(undefined, config({ replicas: 2 }));
  assert.equal(spec(object).replicas, 2);
  assert.deepEqual(managedFields, [
    {
      manager: "kubectl",
      operation: "Apply",
      apiVersion: "apps/v1",
      time: T0,
      fieldsType: "FieldsV1",
      fieldsV1: {
        "f:metadata": { "f:labels": { "f:app": {} } },
        "f:spec": {
          "f:replicas": {},
          "f:selector": {},
          "f:template": {
            "f:metadata": { "f:labels": { "f:app": {} } },
            "f:spec": {
              "f:containers": {
                'k:{"name":"nginx"}': {
                  ".": {},
                  "f:env": { 'k:{"name":"A"}': { ".": {}, "f:name": {}, "f:value": {} } },
                  "f:image": {},
                  "f:name": {},
                  "f:ports": { 'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} } },
                },
              },
            },
          },
        },
      },
    },
  ]);
  assert.deepEqual(object.metadata.managedFields, managedFields);
});

test("re-applying without a field removes it; fields nobody applied stay", () => {
  const first = apply(undefined, config({ replicas: 2, env: [{ name: "A", value: "1" }, { name: "B", value: "2" }], labels: { app: "web", team: "a" } })).object;
  // Something the applier never owned (a defaulted field) must survive the prune.
  spec(first).template.spec.containers[0].imagePullPolicy = "IfNotPresent";
  spec(first).progressDeadlineSeconds = 600;
  const second = apply(first, config({ replicas: 2, env: [{ name: "A", value: "1" }] }), "kubectl", false, T1).object;
  assert.deepEqual(spec(second).template.spec.containers[0].env, [{ name: "A", value: "1" }]);
  assert.deepEqual(second.metadata.labels, { app: "web" });
  assert.equal(spec(second).template.spec.containers[0].imagePullPolicy, "IfNotPresent");
  assert.equal(spec(second).progressDeadlineSeconds, 600);
  assert.equal(second.metadata.managedFields?.[0].time, T1);

  // Dropping replicas entirely from the config removes it too.
  const third = apply(second, config({ env: [{ name: "A", value: "1" }] }), "kubectl", false, T2).object;
  assert.equal("replicas" in spec(third), false);
});

test("a field another manager also owns is kept when the applier drops it", () => {
  const first = apply(undefined, config({ replicas: 2 }), "kubectl").object;
  // A second applier sets the same value: shared ownership, no conflict.
  const shared = apply(first, config({ replicas: 2 }), "other-applier").object;
  const owners = (shared.metadata.managedFields ?? []).filter((m) => JSON.stringify(m.fieldsV1).includes('"f:replicas"')).map((m) => m.manager);
  assert.deepEqual(owners.sort(), ["kubectl", "other-applier"]);
  const dropped = apply(shared, config({}), "kubectl", false, T1).object;
  assert.equal(spec(dropped).replicas, 2);
});

test("changing a field an Update manager owns is a 409 FieldManagerConflict, as kubectl shows it", () => {
  const created = apply(undefined, config({ replicas: 2 })).object;
  const edited = structuredClone(created);
  spec(edited).replicas = 5;
  const recorded = updateManagedFields({ old: created, updated: edited, manager: "kubectl-client-side-apply", apiVersion: "apps/v1", now: T1 }).object;
  const entries = recorded.metadata.managedFields ?? [];
  assert.deepEqual(
    entries.map((e) => [e.manager, e.operation]),
    [
      ["kubectl", "Apply"],
      ["kubectl-client-side-apply", "Update"],
    ],
  );
  assert.deepEqual(entries[1].fieldsV1, { "f:spec": { "f:replicas": {} } });
  assert.equal(JSON.stringify(entries[0].fieldsV1).includes("f:replicas"), false, "the update took the field from the applier");

  const err = conflictOf(() => apply(recorded, config({ replicas: 3 }), "kubectl", false, T2));
  assert.equal(err.code, 409);
  assert.equal(err.reason, "Conflict");
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
  assert.deepEqual(err.details, { causes: [{ reason: "FieldManagerConflict", message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: ".spec.replicas" }] });
  assert.deepEqual(err.toStatus().details?.causes?.[0].field, ".spec.replicas");

  // Applying the value it already has is not a conflict.
  assert.doesNotThrow(() => apply(recorded, config({ replicas: 5 }), "kubectl", false, T2));
});

test("force=true takes the conflicting fields over", () => {
  const created = apply(undefined, config({ replicas: 2 })).object;
  const edited = structuredClone(created);
  spec(edited).replicas = 5;
  const recorded = updateManagedFields({ old: created, updated: edited, manager: "kubectl-client-side-apply", apiVersion: "apps/v1", now: T1 }).object;
  const { object, managedFields } = apply(recorded, config({ replicas: 3 }), "kubectl", true, T2);
  assert.equal(spec(object).replicas, 3);
  assert.deepEqual(
    managedFields.map((m) => m.manager),
    ["kubectl"],
    "the updater owned nothing else and its entry is gone",
  );
  assert.deepEqual((managedFields[0].fieldsV1 as any)["f:spec"]["f:replicas"], {});
});

test("conflicts between appliers: no apiVersion in the message; several conflicts are listed per manager", () => {
  const a = apply(undefined, config({ replicas: 2, labels: { app: "web" } }), "alice").object;
  const one = conflictOf(() => apply(a, config({ replicas: 4, labels: { app: "web" } }), "bob"));
  assert.equal(one.message, 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas');

  const many = conflictOf(() => apply(a, config({ replicas: 4, labels: { app: "api" } }), "bob"));
  assert.equal(many.message, 'Apply failed with 2 conflicts: conflicts with "alice":\n- .metadata.labels.app\n- .spec.replicas');
  assert.deepEqual(
    many.details?.causes?.map((c) => c.field),
    [".metadata.labels.app", ".spec.replicas"],
  );
});

test("conflict paths name list items by their keys", () => {
  const a = apply(undefined, config({}), "alice").object;
  const bobConfig = config({});
  spec(bobConfig).template.spec.containers[0].image = "nginx:2";
  const err = conflictOf(() => apply(a, bobConfig, "bob"));
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "alice": .spec.template.spec.containers[name="nginx"].image');
});

test("associative lists merge by key with structured-merge-diff's ordering", () => {
  const first = apply(undefined, config({ containers: ["nginx", "sidecar"] }), "kubectl").object;
  // Another writer adds a container the applier does not know about.
  const withDebug = structuredClone(first);
  spec(withDebug).template.spec.containers.push({ name: "debug", image: "busybox" });
  const recorded = updateManagedFields({ old: first, updated: withDebug, manager: "kubectl-debug", apiVersion: "apps/v1", now: T1 }).object;
  const reapplied = apply(recorded, config({ containers: ["sidecar", "nginx"] }), "kubectl", false, T2).object;
  assert.deepEqual(
    spec(reapplied).template.spec.containers.map((c: { name: string }) => c.name),
    // Upstream's merge walks both lists: shared items in the configuration's order, live-only
    // items where the walk meets them.
    ["sidecar", "debug", "nginx"],
  );
  // Dropping "sidecar" from the configuration removes it; "debug" belongs to someone else.
  const dropped = apply(reapplied, config({ containers: ["nginx"] }), "kubectl", false, T2).object;
  assert.deepEqual(
    spec(dropped).template.spec.containers.map((c: { name: string }) => c.name),
    ["debug", "nginx"],
  );
});

test("set lists are owned per value (v: elements)", () => {
  const cfg = config({});
  cfg.metadata.finalizers = ["example.com/a", "example.com/b"];
  const { managedFields } = apply(undefined, cfg);
  assert.deepEqual((managedFields[0].fieldsV1 as any)["f:metadata"]["f:finalizers"], { 'v:"example.com/a"': {}, 'v:"example.com/b"': {} });
});

test("apply rejects a wrong apiVersion, managedFields in the body, and list items without their key", () => {
  const wrong = config({});
  wrong.apiVersion = "apps/v1beta1";
  const e1 = conflictOf(() => apply(undefined, wrong));
  assert.equal(e1.code, 400);
  assert.equal(e1.message, "Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, expected: apps/v1");

  const noVersion = config({});
  delete noVersion.apiVersion;
  assert.equal(conflictOf(() => apply(undefined, noVersion)).message, "Incorrect version specified in apply patch. Specified patch version: , expected: apps/v1");

  const withMf = config({});
  withMf.metadata.managedFields = [];
  const e2 = conflictOf(() => apply(undefined, withMf));
  assert.equal(e2.code, 400);
  assert.equal(e2.message, "metadata.managedFields must be nil");

  const noKey = config({});
  delete spec(noKey).template.spec.containers[0].name;
  const e3 = conflictOf(() => apply(undefined, noKey));
  assert.equal(e3.code, 500);
  assert.match(e3.message, /\.spec\.template\.spec\.containers: element 0: associative list with keys has an element that omits key field "name"/);
});

test("ignored fields (status on the main resource) are not recorded", () => {
  const cfg = config({ replicas: 1 });
  (cfg as any).status = { replicas: 1 };
  const { managedFields } = applyServerSide({ live: undefined, applied: cfg, manager: "kubectl", force: false, apiVersion: "apps/v1", ignoredFields: [["status"]], now: T0 });
  assert.equal(JSON.stringify(managedFields).includes("f:status"), false);
});

test("updateManagedFields: create records an Update entry in place; a no-op adds nothing; [] clears tracking", () => {
  const created: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "cm", namespace: "default", uid: "u1", resourceVersion: "5", creationTimestamp: T0, labels: { app: "x" } },
    data: { key: "value" },
  };
  const res = updateManagedFields({ old: undefined, updated: created, manager: "kubectl-create", apiVersion: "v1", now: T0 });
  assert.equal(res.object, created, "set in place on the object passed in");
  assert.deepEqual(created.metadata.managedFields, [
    {
      manager: "kubectl-create",
      operation: "Update",
      apiVersion: "v1",
      time: T0,
      fieldsType: "FieldsV1",
      fieldsV1: { "f:data": { ".": {}, "f:key": {} }, "f:metadata": { "f:labels": { ".": {}, "f:app": {} } } },
    },
  ]);

  const same = structuredClone(created);
  updateManagedFields({ old: created, updated: same, manager: "kubectl-edit", apiVersion: "v1", now: T1 });
  assert.deepEqual(same.metadata.managedFields, created.metadata.managedFields);

  const labelled = structuredClone(created);
  labelled.metadata.labels = { app: "x", tier: "db" };
  updateManagedFields({ old: created, updated: labelled, manager: "kubectl-label", apiVersion: "v1", now: T1 });
  assert.deepEqual(
    labelled.metadata.managedFields?.map((m) => [m.manager, m.fieldsV1]),
    [
      ["kubectl-create", { "f:data": { ".": {}, "f:key": {} }, "f:metadata": { "f:labels": { ".": {}, "f:app": {} } } }],
      ["kubectl-label", { "f:metadata": { "f:labels": { "f:tier": {} } } }],
    ],
  );

  const cleared = structuredClone(labelled);
  cleared.metadata.managedFields = [];
  updateManagedFields({ old: labelled, updated: cleared, manager: "kubectl-replace", apiVersion: "v1", now: T2 });
  assert.equal(cleared.metadata.managedFields, undefined);
});

test("FieldSet: FieldsV1 round trip and path formatting", () => {
  const fields = {
    "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
    "f:spec": { "f:ports": { 'k:{"port":80,"protocol":"TCP"}': { ".": {}, "f:port": {} } }, "f:finalizers": { 'v:"a"': {} } },
  };
  const set = FieldSet.fromFieldsV1(fields);
  assert.equal(set.size, 5);
  assert.ok(set.has(["f:metadata", "f:labels"]));
  assert.ok(!set.has(["f:metadata"]));
  assert.deepEqual(set.toFieldsV1(), fields);
  assert.equal(formatPath(["f:spec", "f:ports", 'k:{"port":80,"protocol":"TCP"}', "f:port"]), '.spec.ports[port=80,protocol="TCP"].port');
  assert.equal(formatPath(["f:spec", "f:finalizers", 'v:"a"']), '.spec.finalizers[="a"]');
  assert.throws(() => FieldSet.fromFieldsV1({ "x:bad": {} }));
});

test("updateManagedFields: undecodable entries in the write fall back to the stored ones; removed fields leave every entry", () => {
  const stored = apply(undefined, config({ replicas: 2, labels: { app: "web", team: "a" } })).object;
  const garbage = structuredClone(stored);
  garbage.metadata.managedFields = [{ manager: "x", operation: "Update", fieldsType: "FieldsV1", fieldsV1: { "bogus": {} } as any }];
  delete (garbage.metadata.labels as Record<string, string>).team;
  updateManagedFields({ old: stored, updated: garbage, manager: "kubectl-edit", apiVersion: "apps/v1", now: T1 });
  const entries = garbage.metadata.managedFields ?? [];
  assert.deepEqual(entries.map((e) => e.manager), ["kubectl"], "the stored Apply entry survives; the edit only removed a field");
  assert.deepEqual((entries[0].fieldsV1 as any)["f:metadata"], { "f:labels": { "f:app": {} } });
});

test("updateManagedFields on a subresource records the subresource and ignores managedFields in the body", () => {
  const stored = apply(undefined, config({ replicas: 2 })).object;
  const withStatus = structuredClone(stored) as KubeObject & { status?: unknown };
  withStatus.status = { replicas: 2, conditions: [{ type: "Available", status: "True" }] };
  withStatus.metadata.managedFields = [];
  const { managedFields } = updateManagedFields({ old: stored, updated: withStatus, manager: "kube-controller-manager", apiVersion: "apps/v1", subresource: "status", now: T1 });
  assert.deepEqual(
    managedFields.map((m) => [m.manager, m.operation, m.subresource ?? ""]),
    [
      ["kubectl", "Apply", ""],
      ["kube-controller-manager", "Update", "status"],
    ],
  );
  assert.deepEqual(managedFields[1].fieldsV1, {
    "f:status": { "f:conditions": { ".": {}, 'k:{"type":"Available"}': { ".": {}, "f:status": {}, "f:type": {} } }, "f:replicas": {} },
  });
});

test("duplicate keys: rejected in the configuration, kept where they are in the live list", () => {
  const dup = config({ env: [{ name: "A", value: "1" }, { name: "A", value: "2" }] });
  const err = conflictOf(() => apply(undefined, dup));
  assert.equal(err.code, 500);
  assert.match(err.message, /\.spec\.template\.spec\.containers\[name="nginx"\]\.env: duplicate entries for key \[name="A"\]/);

  const live = apply(undefined, config({})).object;
  spec(live).template.spec.containers[0].env.push({ name: "X", value: "1" }, { name: "X", value: "2" });
  const out = apply(live, config({ env: [{ name: "A", value: "9" }] }), "kubectl", false, T1).object;
  assert.deepEqual(spec(out).template.spec.containers[0].env, [
    { name: "A", value: "9" },
    { name: "X", value: "1" },
    { name: "X", value: "2" },
  ]);
});

test("kubectl migrating from client-side apply: conflicts the last-applied annotation still explains are taken over", () => {
  const lastApplied = config({ replicas: 2 });
  const created = structuredClone(lastApplied);
  created.metadata.annotations = { "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify(lastApplied) + "\n" };
  created.metadata.uid = "u1";
  updateManagedFields({ old: undefined, updated: created, manager: "kubectl-client-side-apply", apiVersion: "apps/v1", now: T0 });

  // Live replicas (2) still equal the annotation: kubectl's server-side apply takes the field.
  const { object } = apply(created, config({ replicas: 3 }), "kubectl", false, T1);
  assert.equal(spec(object).replicas, 3);
  const annotation = object.metadata.annotations?.["kubectl.kubernetes.io/last-applied-configuration"] ?? "";
  assert.ok(annotation.endsWith("\n"));
  assert.equal(JSON.parse(annotation).spec.replicas, 3, "the annotation follows the applied configuration");
  assert.equal(annotation.includes("last-applied-configuration"), false, "the annotation never nests itself");
  assert.ok(annotation.indexOf('"apiVersion"') < annotation.indexOf('"kind"') && annotation.indexOf('"kind"') < annotation.indexOf('"metadata"'), "sorted keys");

  // Any other manager name gets the conflict.
  const other = conflictOf(() => apply(created, config({ replicas: 3 }), "my-tool"));
  assert.equal(other.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');

  // Once the live value differs from the annotation, kubectl conflicts too.
  const drifted = structuredClone(created);
  spec(drifted).replicas = 4;
  updateManagedFields({ old: created, updated: drifted, manager: "kubectl-client-side-apply", apiVersion: "apps/v1", now: T1 });
  const err = conflictOf(() => apply(drifted, config({ replicas: 3 }), "kubectl", false, T2));
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
});

test("a dropped list item goes even if another manager changed a field inside it", () => {
  const first = apply(undefined, config({ containers: ["nginx", "sidecar"] })).object;
  const edited = structuredClone(first);
  spec(edited).template.spec.containers[1].image = "sidecar:2";
  const recorded = updateManagedFields({ old: first, updated: edited, manager: "kubectl-set", apiVersion: "apps/v1", now: T1 }).object;
  const { object, managedFields } = apply(recorded, config({ containers: ["nginx"] }), "kubectl", false, T2);
  assert.deepEqual(spec(object).template.spec.containers.map((c: { name: string }) => c.name), ["nginx"]);
  assert.deepEqual(managedFields.map((m) => m.manager), ["kubectl"], "the setter's field went with the item");
});

test("Update entries mark new lists and maps with '.', except fields Go always serializes (PodSpec.containers)", () => {
  const created = config({ replicas: 1 });
  const { managedFields } = updateManagedFields({ old: undefined, updated: created, manager: "kubectl-client-side-apply", apiVersion: "apps/v1", now: T0 });
  const podSpec = (managedFields[0].fieldsV1 as any)["f:spec"]["f:template"]["f:spec"];
  assert.equal("." in podSpec["f:containers"], false);
  const container = podSpec["f:containers"]['k:{"name":"nginx"}'];
  assert.deepEqual(Object.keys(container), [".", "f:env", "f:image", "f:name", "f:ports"]);
  assert.deepEqual(container["f:env"], { ".": {}, 'k:{"name":"A"}': { ".": {}, "f:name": {}, "f:value": {} } });
  assert.deepEqual((managedFields[0].fieldsV1 as any)["f:metadata"], { "f:labels": { ".": {}, "f:app": {} } });
});

test("ignored fields neither conflict nor lose their owners", () => {
  const created = apply(undefined, config({ replicas: 1 })).object;
  const withStatus = structuredClone(created) as KubeObject & { status?: unknown };
  withStatus.status = { replicas: 1 };
  const recorded = updateManagedFields({ old: created, updated: withStatus, manager: "kube-controller-manager", apiVersion: "apps/v1", subresource: "status", now: T1 }).object;
  const cfg = config({ replicas: 1 }) as KubeObject & { status?: unknown };
  cfg.status = { replicas: 7 };
  const main = { ignoredFields: [["status"]] };
  const { managedFields } = applyServerSide({ live: recorded, applied: cfg, manager: "kubectl", force: false, apiVersion: "apps/v1", now: T2, ...main });
  const status = managedFields.find((m) => m.subresource === "status");
  assert.deepEqual(status?.fieldsV1, { "f:status": { "f:replicas": {} } });
  // Without the reset rule the same apply is a conflict on .status.replicas.
  const err = conflictOf(() => applyServerSide({ live: recorded, applied: cfg, manager: "kubectl", force: false, apiVersion: "apps/v1", now: T2 }));
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "kube-controller-manager" with subresource "status" using apps/v1: .status.replicas');
});

test("more than 10 Update managers: the oldest are merged into ancient-changes", () => {
  let obj: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" }, data: {} };
  for (let i = 0; i < 12; i++) {
    const next = structuredClone(obj) as KubeObject & { data: Record<string, string> };
    next.data[`k${i}`] = "v";
    obj = updateManagedFields({ old: obj, updated: next, manager: `writer-${i}`, apiVersion: "v1", now: new Date(Date.parse(T0) + i * 1000) }).object;
  }
  const entries = obj.metadata.managedFields ?? [];
  assert.equal(entries.length, 10);
  const ancient = entries.find((e) => e.manager === "ancient-changes");
  assert.ok(ancient, "a bucket entry exists");
  // data existed (empty) before the first writer, so no entry owns the map itself.
  assert.deepEqual(ancient.fieldsV1, { "f:data": { "f:k0": {}, "f:k1": {}, "f:k2": {} } });
  assert.equal(ancient.time, "2026-11-27T10:00:02Z");
  assert.deepEqual(
    entries.filter((e) => e.manager !== "ancient-changes").map((e) => e.manager),
    ["writer-3", "writer-4", "writer-5", "writer-6", "writer-7", "writer-8", "writer-9", "writer-10", "writer-11"],
  );
});
