import { test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../src/shared/api/types.js";
import type { HookContext, ResourceType } from "../../src/server/registry/types.js";
import { coreV1Resources } from "../../src/server/registry/core-v1/index.js";
import { configMaps } from "../../src/server/registry/core-v1/configmaps.js";
import { secrets } from "../../src/server/registry/core-v1/secrets.js";
import { namespaces } from "../../src/server/registry/core-v1/namespaces.js";
import { nodes } from "../../src/server/registry/core-v1/nodes.js";
import { events } from "../../src/server/registry/core-v1/events.js";
import { replicationControllers } from "../../src/server/registry/core-v1/replicationcontrollers.js";
import { persistentVolumes } from "../../src/server/registry/core-v1/persistentvolumes.js";
import { persistentVolumeClaims } from "../../src/server/registry/core-v1/persistentvolumeclaims.js";
import { resourceQuotas } from "../../src/server/registry/core-v1/resourcequotas.js";
import { limitRanges } from "../../src/server/registry/core-v1/limitranges.js";
import { podTemplates } from "../../src/server/registry/core-v1/podtemplates.js";
import { bindings } from "../../src/server/registry/core-v1/bindings.js";
import { serviceAccounts } from "../../src/server/registry/core-v1/serviceaccounts.js";

const NOW = Date.parse("2026-01-01T12:00:00Z");
const at = (msAgo: number) => new Date(NOW - msAgo).toISOString();
const create: HookContext = { operation: "create", subresource: "", dryRun: false };
const update: HookContext = { operation: "update", subresource: "", dryRun: false };
const DAY = 86_400_000;

function made(rt: ResourceType, obj: Partial<KubeObject>): KubeObject {
  const o = { metadata: { name: "x", namespace: "default", creationTimestamp: at(2 * DAY) }, ...obj } as KubeObject;
  rt.prepareForCreate?.(o);
  rt.defaults?.(o);
  return o;
}

function messages(causes: { field?: string; message?: string }[]): string[] {
  return causes.map((c) => `${c.field}: ${c.message}`);
}

test("discovery facts of every core/v1 kind", () => {
  const byPlural = new Map(coreV1Resources.map((r) => [r.plural, r]));
  const expect: [string, string, boolean, string[], string[]][] = [
    ["pods", "Pod", true, ["po"], ["attach", "binding", "ephemeralcontainers", "eviction", "exec", "log", "portforward", "proxy", "status"]],
    ["services", "Service", true, ["svc"], ["proxy", "status"]],
    ["endpoints", "Endpoints", true, ["ep"], []],
    ["configmaps", "ConfigMap", true, ["cm"], []],
    ["secrets", "Secret", true, [], []],
    ["namespaces", "Namespace", false, ["ns"], ["finalize", "status"]],
    ["nodes", "Node", false, ["no"], ["proxy", "status"]],
    ["persistentvolumes", "PersistentVolume", false, ["pv"], ["status"]],
    ["persistentvolumeclaims", "PersistentVolumeClaim", true, ["pvc"], ["status"]],
    ["resourcequotas", "ResourceQuota", true, ["quota"], ["status"]],
    ["limitranges", "LimitRange", true, ["limits"], []],
    ["replicationcontrollers", "ReplicationController", true, ["rc"], ["scale", "status"]],
    ["serviceaccounts", "ServiceAccount", true, ["sa"], ["token"]],
    ["events", "Event", true, ["ev"], []],
    ["podtemplates", "PodTemplate", true, [], []],
    ["bindings", "Binding", true, [], []],
  ];
  assert.equal(coreV1Resources.length, expect.length);
  for (const [plural, kind, namespaced, shortNames, subs] of expect) {
    const rt = byPlural.get(plural);
    assert.ok(rt, plural);
    assert.equal(rt.kind, kind);
    assert.equal(rt.group, "");
    assert.equal(rt.version, "v1");
    assert.equal(rt.namespaced, namespaced, plural);
    assert.deepEqual(rt.shortNames, shortNames, plural);
    assert.deepEqual(rt.subresources.map((s) => s.name).sort(), subs, plural);
    assert.deepEqual(rt.categories, ["pods", "services", "replicationcontrollers"].includes(plural) ? ["all"] : [], plural);
    assert.equal(rt.hasStatus, subs.includes("status"), plural);
    if (rt.table) {
      // One cell per column, even for a bare object (the server always prints the wide set).
      const bare = { metadata: { name: "bare", creationTimestamp: at(1000) } };
      assert.equal(rt.table.cells(bare, NOW).length, rt.table.columns.length, plural);
    }
  }
  assert.deepEqual(coreV1Resources.filter((r) => r.generationTracksSpec !== false).map((r) => r.plural), ["replicationcontrollers"], "only RCs carry metadata.generation in core/v1");
  assert.equal(byPlural.get("endpoints")!.singular, "endpoints");
  assert.deepEqual(byPlural.get("bindings")!.verbs, ["create"]);
  assert.ok(!byPlural.get("namespaces")!.verbs.includes("deletecollection"), "namespaces have no deletecollection upstream");
  assert.deepEqual(byPlural.get("replicationcontrollers")!.subresources.find((s) => s.name === "scale"), { name: "scale", group: "autoscaling", version: "v1", kind: "Scale", verbs: ["get", "patch", "update"] });
  assert.deepEqual(byPlural.get("serviceaccounts")!.subresources[0], { name: "token", group: "authentication.k8s.io", version: "v1", kind: "TokenRequest", verbs: ["create"] });
});

test("configmaps: keys, size, immutable, DATA column", () => {
  const cm = made(configMaps, { data: { "app.properties": "a=b", ".env": "X=1" }, binaryData: { logo: Buffer.from("png").toString("base64") } });
  assert.deepEqual(configMaps.validate!(cm, undefined, create), []);
  assert.deepEqual(configMaps.table!.cells(cm, NOW), ["x", 3, "2d"]);
  const bad = made(configMaps, { data: { "a/b": "1", "..": "2", dup: "3" }, binaryData: { dup: "AA==" } });
  const got = messages(configMaps.validate!(bad, undefined, create));
  assert.ok(got.some((m) => m.startsWith('data[a/b]: Invalid value: "a/b": a valid config key must consist of alphanumeric characters')), got.join("\n"));
  assert.ok(got.includes(`data[..]: Invalid value: "..": must not be '..'`), got.join("\n"));
  assert.ok(got.includes('binaryData[dup]: Invalid value: "dup": duplicate of key present in data'), got.join("\n"));
  const big = made(configMaps, { data: { big: "x".repeat(1024 * 1024 + 1) } });
  assert.deepEqual(messages(configMaps.validate!(big, undefined, create)), [": Too long: may not be more than 1048576 bytes"]);
  const frozen = made(configMaps, { data: { a: "1" }, immutable: true });
  const edited = { ...structuredClone(frozen), data: { a: "2" } };
  assert.deepEqual(messages(configMaps.validate!(edited, frozen, update)), ["data: Forbidden: field is immutable when `immutable` is set"]);
  const unfrozen = { ...structuredClone(frozen), immutable: false };
  assert.deepEqual(messages(configMaps.validate!(unfrozen, frozen, update)), ["immutable: Forbidden: field is immutable when `immutable` is set"]);
  assert.equal(configMaps.generationTracksSpec, false);
});

test("secrets: stringData, type default, typed keys, immutable type", () => {
  const s = made(secrets, { stringData: { password: "s3cret" }, data: { user: Buffer.from("admin").toString("base64") } });
  assert.equal(s.type, "Opaque");
  assert.equal(s.stringData, undefined);
  assert.deepEqual(s.data, { user: "YWRtaW4=", password: "czNjcmV0" });
  assert.deepEqual(secrets.table!.cells(s, NOW), ["x", "Opaque", 2, "2d"]);
  assert.equal(secrets.fieldSelectors!.type!(s), "Opaque");
  const tls = made(secrets, { type: "kubernetes.io/tls", data: { "tls.crt": "AA==" } });
  assert.deepEqual(messages(secrets.validate!(tls, undefined, create)), ["data[tls.key]: Required value"]);
  const sat = made(secrets, { type: "kubernetes.io/service-account-token" });
  assert.deepEqual(messages(secrets.validate!(sat, undefined, create)), ["metadata.annotations[kubernetes.io/service-account.name]: Required value"]);
  const docker = made(secrets, { type: "kubernetes.io/dockerconfigjson", data: { ".dockerconfigjson": Buffer.from("{not json").toString("base64") } });
  assert.equal(secrets.validate!(docker, undefined, create)[0]!.field, "data[.dockerconfigjson]");
  const retyped = { ...structuredClone(s), type: "kubernetes.io/basic-auth" };
  assert.ok(messages(secrets.validate!(retyped, s, update)).includes('type: Invalid value: "kubernetes.io/basic-auth": field is immutable'), "expected condition failed");
});

test("namespaces: Active with the kubernetes finalizer, name label, Terminating on delete", () => {
  const ns = made(namespaces, { metadata: { name: "team-a", creationTimestamp: at(5 * 60_000) } });
  assert.deepEqual(ns.status, { phase: "Active" });
  assert.deepEqual((ns.spec as { finalizers: string[] }).finalizers, ["kubernetes"]);
  assert.equal(ns.metadata.labels!["kubernetes.io/metadata.name"], "team-a");
  assert.deepEqual(namespaces.table!.cells(ns, NOW), ["team-a", "Active", "5m"]);
  assert.deepEqual(namespaces.validate!(ns, undefined, create), []);
  assert.equal(namespaces.blocksDeletion!(ns), true);
  namespaces.prepareForDelete!(ns);
  assert.equal(namespaces.fieldSelectors!["status.phase"]!(ns), "Terminating");
  assert.deepEqual(namespaces.nameValidator!("team.a"), ["must not contain dots"], "namespace names are DNS labels");
  assert.deepEqual(namespaces.nameValidator!("team-", true), [], "generateName prefixes may end in a dash");
  const tried = structuredClone(ns);
  (tried.spec as { finalizers: string[] }).finalizers = [];
  namespaces.prepareForUpdate!(tried, ns);
  assert.deepEqual((tried.spec as { finalizers: string[] }).finalizers, ["kubernetes"], "finalizers change only through /finalize");
});

test("nodes: STATUS, ROLES, wide cells, taints, pod CIDR rules", () => {
  const node = made(nodes, {
    metadata: { name: "pi-1", creationTimestamp: at(9 * DAY), labels: { "node-role.kubernetes.io/control-plane": "", "node-role.kubernetes.io/master": "true" } },
    spec: { unschedulable: true, podCIDR: "10.42.0.0/24" },
    status: {
      conditions: [{ type: "Ready", status: "True" }],
      addresses: [{ type: "InternalIP", address: "192.168.1.10" }, { type: "Hostname", address: "pi-1" }],
      nodeInfo: { kubeletVersion: "v1.32.0+kube-lite", osImage: "Debian GNU/Linux 12 (bookworm)", kernelVersion: "6.1.0-rpi7", containerRuntimeVersion: "docker://24.0.5" },
      capacity: { cpu: "4", memory: "8Gi", pods: "110" },
    },
  });
  assert.deepEqual(nodes.table!.cells(node, NOW), ["pi-1", "Ready,SchedulingDisabled", "control-plane,master", "9d", "v1.32.0+kube-lite", "192.168.1.10", "<none>", "Debian GNU/Linux 12 (bookworm)", "6.1.0-rpi7", "docker://24.0.5"]);
  assert.deepEqual((node.spec as { podCIDRs: string[] }).podCIDRs, ["10.42.0.0/24"]);
  assert.deepEqual((node.status as { allocatable: unknown }).allocatable, { cpu: "4", memory: "8Gi", pods: "110" });
  assert.equal(nodes.fieldSelectors!["spec.unschedulable"]!(node), "true");
  assert.deepEqual(nodes.validate!(node, undefined, create), []);
  const noStatus = made(nodes, { metadata: { name: "pi-2" } });
  assert.equal(nodes.table!.cells(noStatus, NOW)[1], "Unknown");

  const tainted = structuredClone(node);
  (tainted.spec as Record<string, unknown>).taints = [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }, { key: "dedicated", value: "x", effect: "NoSchedule" }, { key: "k", effect: "Sometimes" }];
  const got = messages(nodes.validate!(tainted, undefined, create));
  assert.ok(got.includes("spec.taints[1]: Duplicate value: taints must be unique by key and effect pair"), got.join("\n"));
  assert.ok(got.includes('spec.taints[2].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'), got.join("\n"));
  const moved = structuredClone(node);
  (moved.spec as Record<string, unknown>).podCIDRs = ["10.42.1.0/24"];
  (moved.spec as Record<string, unknown>).podCIDR = "10.42.1.0/24";
  assert.deepEqual(messages(nodes.validate!(moved, node, update)), ['spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid']);
});

test("events: table cells and the field selectors describe uses", () => {
  const e = made(events, {
    metadata: { name: "web.17a", namespace: "default", creationTimestamp: at(600_000) },
    involvedObject: { kind: "Pod", namespace: "default", name: "web", uid: "u-1", fieldPath: "spec.containers{web}" },
    reason: "BackOff",
    message: "Back-off restarting failed container\n",
    type: "Warning",
    source: { component: "kubelet", host: "pi-1" },
    firstTimestamp: at(600_000),
    lastTimestamp: at(30_000),
    count: 7,
  });
  assert.deepEqual(events.table!.cells(e, NOW), ["30s", "Warning", "BackOff", "pod/web", "spec.containers{web}", "kubelet, pi-1", "Back-off restarting failed container", "10m", 7, "web.17a"]);
  assert.deepEqual(events.table!.columns.filter((c) => c.priority === 0).map((c) => c.name), ["Last Seen", "Type", "Reason", "Object", "Message"]);
  assert.equal(events.fieldSelectors!["involvedObject.uid"]!(e), "u-1");
  assert.equal(events.fieldSelectors!["involvedObject.name"]!(e), "web");
  assert.equal(events.fieldSelectors!.source!(e), "kubelet");
  assert.deepEqual(events.validate!(e, undefined, create), []);
  const wrongNs = structuredClone(e);
  wrongNs.metadata.namespace = "kube-system";
  assert.deepEqual(messages(events.validate!(wrongNs, undefined, create)), ['involvedObject.namespace: Invalid value: "default": does not match event.namespace']);
  const nodeEvent = made(events, { metadata: { name: "n", namespace: "default" }, involvedObject: { kind: "Node", name: "pi-1" }, eventTime: at(5000) });
  assert.deepEqual(events.table!.cells(nodeEvent, NOW).slice(0, 4), ["5s", "", "", "node/pi-1"]);
  assert.equal(events.table!.cells(nodeEvent, NOW)[8], 1);
});

test("replication controllers: defaults, selector rules, table", () => {
  const rc = made(replicationControllers, {
    spec: { template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27" }, { name: "log", image: "busybox" }] } } },
    status: { replicas: 2, readyReplicas: 1 },
  });
  const spec = rc.spec as { replicas: number; selector: Record<string, string>; template: { spec: { restartPolicy: string } } };
  assert.equal(spec.replicas, 1);
  assert.deepEqual(spec.selector, { app: "web" });
  assert.deepEqual(rc.metadata.labels, { app: "web" });
  assert.equal(spec.template.spec.restartPolicy, "Always");
  assert.deepEqual(replicationControllers.validate!(rc, undefined, create), []);
  rc.status = { replicas: 2, readyReplicas: 1 };
  assert.deepEqual(replicationControllers.table!.cells(rc, NOW), ["x", 1, 2, 1, "2d", "web,log", "nginx:1.27,busybox", "app=web"]);
  const mismatched = structuredClone(rc);
  (mismatched.spec as { selector: Record<string, string> }).selector = { app: "db" };
  (mismatched.spec as { template: { spec: { restartPolicy: string } } }).template.spec.restartPolicy = "Never";
  const got = messages(replicationControllers.validate!(mismatched, undefined, create));
  assert.ok(got.includes('spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`'), got.join("\n"));
  assert.ok(got.includes('spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'), got.join("\n"));
});

test("persistent volumes and claims", () => {
  const pv = made(persistentVolumes, {
    metadata: { name: "pv-1", creationTimestamp: at(3 * 3600_000) },
    spec: { capacity: { storage: "10Gi" }, accessModes: ["ReadWriteMany", "ReadWriteOnce"], hostPath: { path: "/srv/pv-1" }, storageClassName: "local", claimRef: { namespace: "default", name: "data" } },
  });
  const pvSpec = pv.spec as Record<string, unknown>;
  assert.equal(pvSpec.persistentVolumeReclaimPolicy, "Retain");
  assert.equal(pvSpec.volumeMode, "Filesystem");
  assert.deepEqual(pv.status, { phase: "Pending" });
  assert.deepEqual(persistentVolumes.validate!(pv, undefined, create), []);
  assert.deepEqual(persistentVolumes.table!.cells(pv, NOW), ["pv-1", "10Gi", "RWO,RWX", "Retain", "Pending", "default/data", "local", "<unset>", "", "3h", "Filesystem"]);
  const noSource = made(persistentVolumes, { spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"] } });
  assert.deepEqual(messages(persistentVolumes.validate!(noSource, undefined, create)), ["spec: Required value: must specify a volume type"]);

  const pvc = made(persistentVolumeClaims, { metadata: { name: "data", namespace: "default", creationTimestamp: at(60_000) }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } });
  assert.deepEqual(persistentVolumeClaims.validate!(pvc, undefined, create), []);
  assert.deepEqual(persistentVolumeClaims.table!.cells(pvc, NOW), ["data", "Pending", "", "", "", "", "<unset>", "60s", "Filesystem"]);
  const noSize = made(persistentVolumeClaims, { spec: { accessModes: [] } });
  assert.deepEqual(messages(persistentVolumeClaims.validate!(noSize, undefined, create)), ["spec.accessModes: Required value: at least 1 access mode is required", "spec.resources[storage]: Required value"]);
  const bound = structuredClone(pvc);
  (bound.spec as Record<string, unknown>).volumeName = "pv-1";
  bound.status = { phase: "Bound", capacity: { storage: "10Gi" }, accessModes: ["ReadWriteOnce"] };
  assert.deepEqual(persistentVolumeClaims.validate!(bound, pvc, update), [], "binding fills volumeName");
  assert.deepEqual(persistentVolumeClaims.table!.cells(bound, NOW).slice(1, 5), ["Bound", "pv-1", "10Gi", "RWO"]);
  const reclassed = structuredClone(bound);
  (reclassed.spec as Record<string, unknown>).accessModes = ["ReadWriteMany"];
  assert.deepEqual(messages(persistentVolumeClaims.validate!(reclassed, bound, update)), ["spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"]);
});

test("resource quotas and limit ranges", () => {
  const q = made(resourceQuotas, { spec: { hard: { pods: "10", "requests.cpu": "2", "limits.memory": "4Gi" } } });
  assert.deepEqual(q.status, {});
  q.status = { hard: { pods: "10", "requests.cpu": "2", "limits.memory": "4Gi" }, used: { pods: "3", "requests.cpu": "500m" } };
  assert.deepEqual(resourceQuotas.table!.cells(q, NOW), ["x", "2d", "pods: 3/10, requests.cpu: 500m/2", "limits.memory: 0/4Gi"]);
  const neg = made(resourceQuotas, { spec: { hard: { pods: "-1" } } });
  assert.deepEqual(messages(resourceQuotas.validate!(neg, undefined, create)), ['spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0']);

  const lr = made(limitRanges, { spec: { limits: [{ type: "Container", max: { cpu: "1" }, min: { memory: "64Mi" } }] } });
  const item = (lr.spec as { limits: Record<string, unknown>[] }).limits[0]!;
  assert.deepEqual(item.default, { cpu: "1" });
  assert.deepEqual(item.defaultRequest, { cpu: "1", memory: "64Mi" });
  assert.deepEqual(limitRanges.validate!(lr, undefined, create), []);
  const inverted = made(limitRanges, { spec: { limits: [{ type: "Container", max: { cpu: "1" }, min: { cpu: "2" } }] } });
  assert.ok(messages(limitRanges.validate!(inverted, undefined, create)).includes('spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1'), "expected condition failed");
  assert.deepEqual(limitRanges.table!.cells(lr, NOW), ["x", at(2 * DAY)]);
});

test("pod templates, bindings, service accounts", () => {
  const pt = made(podTemplates, { template: { metadata: { labels: { app: "web", tier: "fe" } }, spec: { containers: [{ name: "web", image: "nginx" }] } } });
  assert.deepEqual(podTemplates.table!.cells(pt, NOW), ["x", "web", "nginx", "app=web,tier=fe"]);
  assert.deepEqual(podTemplates.validate!(pt, undefined, create), []);
  const noContainers = made(podTemplates, { template: { spec: { containers: [] } } });
  assert.deepEqual(messages(podTemplates.validate!(noContainers, undefined, create)), ["template.spec.containers: Required value"]);

  assert.deepEqual(bindings.validate!({ metadata: { name: "web" }, target: { kind: "Node", name: "pi-1" } }, undefined, create), []);
  assert.deepEqual(messages(bindings.validate!({ metadata: { name: "web" }, target: { kind: "Pod", name: "" } }, undefined, create)), [
    'target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"',
    "target.name: Required value",
  ]);

  const sa = made(serviceAccounts, { secrets: [{ name: "tok" }] });
  assert.deepEqual(serviceAccounts.table!.cells(sa, NOW), ["x", 1, "2d"]);
});
