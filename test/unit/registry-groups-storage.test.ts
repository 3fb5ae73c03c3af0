import { test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../src/shared/api/types.js";
import type { StatusCause } from "../../src/shared/api/status.js";
import type { HookContext } from "../../src/server/registry/types.js";
import { storageclasses } from "../../src/server/registry/groups/storageclasses.js";
import { volumeattachments } from "../../src/server/registry/groups/volumeattachments.js";
import { csidrivers } from "../../src/server/registry/groups/csidrivers.js";
import { csinodes } from "../../src/server/registry/groups/csinodes.js";

const CREATE: HookContext = { operation: "create", subresource: "", dryRun: false };
const UPDATE: HookContext = { operation: "update", subresource: "", dryRun: false };
const NOW = Date.parse("2025-01-01T12:00:00Z");
const CREATED = "2025-01-01T11:00:00Z";

function fields(causes: StatusCause[]): string[] {
  return causes.map((c) => `${c.field}: ${c.message}`);
}

test("storageclass: defaults, default-class marker in the table", () => {
  const sc: KubeObject = {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: "local-path", creationTimestamp: CREATED, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
    provisioner: "rancher.io/local-path",
  };
  storageclasses.defaults!(sc);
  assert.equal(sc.reclaimPolicy, "Delete");
  assert.equal(sc.volumeBindingMode, "Immediate");
  assert.deepEqual(storageclasses.validate!(sc, undefined, CREATE), []);
  assert.deepEqual(storageclasses.table!.columns.map((c) => c.name), ["Name", "Provisioner", "ReclaimPolicy", "VolumeBindingMode", "AllowVolumeExpansion", "Age"]);
  assert.deepEqual(storageclasses.table!.cells(sc, NOW), ["local-path (default)", "rancher.io/local-path", "Delete", "Immediate", false, "60m"]);
  assert.deepEqual(storageclasses.shortNames, ["sc"]);
  assert.equal(storageclasses.namespaced, false);
});

test("storageclass: validation and frozen fields on update", () => {
  const bad: KubeObject = { metadata: { name: "x" }, reclaimPolicy: "Recycle", volumeBindingMode: "Later" };
  assert.deepEqual(fields(storageclasses.validate!(bad, undefined, CREATE)), [
    "provisioner: Required value",
    'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"',
    'volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"',
  ]);
  const old: KubeObject = { metadata: { name: "fast" }, provisioner: "csi.example.com", parameters: { type: "ssd" }, reclaimPolicy: "Delete", volumeBindingMode: "Immediate" };
  const next = structuredClone(old);
  next.parameters = { type: "hdd" };
  next.provisioner = "csi.other.com";
  next.reclaimPolicy = "Retain";
  next.volumeBindingMode = "WaitForFirstConsumer";
  next.allowVolumeExpansion = true;
  assert.deepEqual(fields(storageclasses.validate!(next, old, UPDATE)), [
    "parameters: Forbidden: updates to parameters are forbidden.",
    "provisioner: Forbidden: updates to provisioner are forbidden.",
    "reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.",
    "volumeBindingMode: Invalid value: \"WaitForFirstConsumer\": field is immutable",
  ]);
});

test("volumeattachment: source rules, immutable spec, status reset and table", () => {
  const va: KubeObject = {
    metadata: { name: "csi-123", creationTimestamp: CREATED },
    spec: { attacher: "csi.example.com", nodeName: "node-1", source: { persistentVolumeName: "pv-1" } },
    status: { attached: true },
  };
  volumeattachments.prepareForCreate!(va);
  assert.deepEqual(va.status, { attached: false });
  assert.deepEqual(volumeattachments.validate!(va, undefined, CREATE), []);
  va.status = { attached: true };
  assert.deepEqual(volumeattachments.table!.cells(va, NOW), ["csi-123", "csi.example.com", "pv-1", "node-1", true, "60m"]);
  const moved = structuredClone(va);
  (moved.spec as any).nodeName = "node-2";
  assert.deepEqual(fields(volumeattachments.validate!(moved, va, UPDATE)).map((m) => m.replace(/Invalid value: .*: /, "")), ["spec: field is immutable"]);
  const empty: KubeObject = { metadata: { name: "x" }, spec: { source: {} } };
  const emptyMsgs = fields(volumeattachments.validate!(empty, undefined, CREATE));
  assert.deepEqual(emptyMsgs.slice(0, 2), ["spec.attacher: Required value", "spec.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName"]);
  // Upstream checks nodeName as a node name (DNS subdomain), so an empty one fails the format.
  assert.ok(emptyMsgs[2]!.startsWith('spec.nodeName: Invalid value: "": a lowercase RFC 1123 subdomain'), emptyMsgs.join("\n"));
  assert.equal(emptyMsgs.length, 3);
  assert.equal(volumeattachments.hasStatus, true);
});

test("csidriver: defaults, immutability and table", () => {
  const d: KubeObject = { metadata: { name: "csi.example.com", creationTimestamp: CREATED }, spec: {} };
  csidrivers.defaults!(d);
  assert.deepEqual(d.spec, {
    attachRequired: true,
    podInfoOnMount: false,
    storageCapacity: false,
    fsGroupPolicy: "ReadWriteOnceWithFSType",
    volumeLifecycleModes: ["Persistent"],
    requiresRepublish: false,
    seLinuxMount: false,
  });
  assert.deepEqual(csidrivers.validate!(d, undefined, CREATE), []);
  assert.deepEqual(csidrivers.table!.cells(d, NOW), ["csi.example.com", true, false, false, "<unset>", false, "Persistent", "60m"]);
  const next = structuredClone(d);
  (next.spec as any).attachRequired = false;
  (next.spec as any).podInfoOnMount = true;
  assert.deepEqual(fields(csidrivers.validate!(next, d, UPDATE)), ["spec.attachedRequired: Invalid value: false: field is immutable"]);
  const bad: KubeObject = { metadata: { name: "csi.example.com" }, spec: { podInfoOnMount: false, volumeLifecycleModes: ["Forever"], tokenRequests: [{ audience: "a", expirationSeconds: 60 }, { audience: "a" }] } };
  assert.deepEqual(fields(csidrivers.validate!(bad, undefined, CREATE)), [
    "spec.attachedRequired: Required value",
    "spec.storageCapacity: Required value",
    "spec.tokenRequests[0].expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes",
    'spec.tokenRequests[1].audience: Duplicate value: "a"',
    'spec.volumeLifecycleModes: Unsupported value: "Forever": supported values: "Persistent", "Ephemeral"',
    "spec.seLinuxMount: Required value",
  ]);
});

test("csinode: drivers validated and counted", () => {
  const n: KubeObject = {
    metadata: { name: "node-1", creationTimestamp: CREATED },
    spec: { drivers: [{ name: "csi.example.com", nodeID: "node-1", topologyKeys: ["topology.kubernetes.io/zone"] }, { name: "csi.example.com", nodeID: "" }] },
  };
  assert.deepEqual(fields(csinodes.validate!(n, undefined, CREATE)), ["spec.drivers[1].nodeID: Required value", 'spec.drivers[1].name: Duplicate value: "csi.example.com"']);
  assert.deepEqual(csinodes.table!.cells(n, NOW), ["node-1", 2, "60m"]);
  const old: KubeObject = { metadata: { name: "node-1" }, spec: { drivers: [{ name: "csi.example.com", nodeID: "node-1" }] } };
  const moved = structuredClone(old);
  (moved.spec as any).drivers[0].nodeID = "node-9";
  (moved.spec as any).drivers.push({ name: "csi.other.io", nodeID: "n" });
  assert.deepEqual(fields(csinodes.validate!(moved, old, UPDATE)), ["spec.drivers: field is immutable"]);
});
