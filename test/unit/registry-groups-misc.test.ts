import { test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../src/shared/api/types.js";
import type { StatusCause } from "../../src/shared/api/status.js";
import type { HookContext } from "../../src/server/registry/types.js";
import { leases } from "../../src/server/registry/groups/leases.js";
import { endpointslices } from "../../src/server/registry/groups/endpointslices.js";
import { priorityclasses } from "../../src/server/registry/groups/priorityclasses.js";
import { runtimeclasses } from "../../src/server/registry/groups/runtimeclasses.js";
import { poddisruptionbudgets } from "../../src/server/registry/groups/poddisruptionbudgets.js";

const CREATE: HookContext = { operation: "create", subresource: "", dryRun: false };
const UPDATE: HookContext = { operation: "update", subresource: "", dryRun: false };
const NOW = Date.parse("2025-01-01T12:00:00Z");
const CREATED = "2025-01-01T11:00:00Z";

function fields(causes: StatusCause[]): string[] {
  return causes.map((c) => `${c.field}: ${c.message}`);
}

test("lease: node heartbeat lease is valid; bad durations rejected; table shows holder", () => {
  const lease: KubeObject = {
    metadata: { name: "node-1", namespace: "kube-node-lease", creationTimestamp: CREATED },
    spec: { holderIdentity: "node-1", leaseDurationSeconds: 40, renewTime: "2025-01-01T11:59:50.000000Z" },
  };
  assert.deepEqual(leases.validate!(lease, undefined, CREATE), []);
  assert.deepEqual(leases.table!.cells(lease, NOW), ["node-1", "node-1", "60m"]);
  const bad: KubeObject = { metadata: { name: "x", namespace: "default" }, spec: { leaseDurationSeconds: 0, leaseTransitions: -1, preferredHolder: "a" } };
  assert.deepEqual(fields(leases.validate!(bad, undefined, CREATE)), [
    "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0",
    "spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0",
    "spec.preferredHolder: Forbidden: may only be specified if `strategy` is defined",
  ]);
  assert.equal(leases.generationTracksSpec, false);
});

test("endpointslice: defaults, validation, table", () => {
  const eps: KubeObject = {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: "web-abc12", namespace: "default", creationTimestamp: CREATED },
    addressType: "IPv4",
    endpoints: [
      { addresses: ["10.42.0.5"], conditions: { ready: true }, nodeName: "node-1" },
      { addresses: ["10.42.0.6"], conditions: { ready: true } },
      { addresses: ["10.42.1.7"] },
      { addresses: ["10.42.1.8"] },
    ],
    ports: [{ port: 80 }, { name: "https", port: 443 }],
  };
  endpointslices.defaults!(eps);
  assert.deepEqual(eps.ports, [
    { port: 80, name: "", protocol: "TCP" },
    { name: "https", port: 443, protocol: "TCP" },
  ]);
  assert.deepEqual(endpointslices.validate!(eps, undefined, CREATE), []);
  assert.deepEqual(endpointslices.table!.cells(eps, NOW), ["web-abc12", "IPv4", "80,443", "10.42.0.5,10.42.0.6,10.42.1.7 + 1 more...", "60m"]);
  const empty: KubeObject = { metadata: { name: "e", namespace: "default" }, addressType: "IPv4", endpoints: [] };
  assert.deepEqual(endpointslices.table!.cells(empty, NOW).slice(2, 4), ["<unset>", "<unset>"]);
  const bad: KubeObject = {
    metadata: { name: "b", namespace: "default" },
    addressType: "IPv4",
    endpoints: [{ addresses: [] }, { addresses: ["fe80::1", "127.0.0.1"] }],
    ports: [{ name: "http", port: 80, protocol: "TCP" }, { name: "http", port: 81, protocol: "ICMP" }],
  };
  assert.deepEqual(fields(endpointslices.validate!(bad, undefined, CREATE)), [
    "endpoints[0].addresses: Required value: must contain at least 1 address",
    'endpoints[1].addresses[0]: Invalid value: "fe80::1": must be a valid IPv4 address',
    // Upstream also runs the endpoint-IP check on any parsable IP.
    'endpoints[1].addresses[0]: Invalid value: "fe80::1": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
    'endpoints[1].addresses[1]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    'ports[1].name: Duplicate value: "http"',
    'ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
  ]);
  const next = structuredClone(eps);
  next.addressType = "IPv6";
  next.endpoints = [{ addresses: ["fd00::5"] }];
  assert.deepEqual(fields(endpointslices.validate!(next, eps, UPDATE)), ["addressType: Invalid value: \"IPv6\": field is immutable"]);
});

test("priorityclass: defaults, reserved names and values, immutable value", () => {
  const pc: KubeObject = { metadata: { name: "high-priority", creationTimestamp: CREATED }, value: 1000000, globalDefault: false, description: "for critical apps" };
  priorityclasses.defaults!(pc);
  assert.equal(pc.preemptionPolicy, "PreemptLowerPriority");
  assert.deepEqual(priorityclasses.validate!(pc, undefined, CREATE), []);
  assert.deepEqual(priorityclasses.table!.cells(pc, NOW), ["high-priority", 1000000, false, "60m", "PreemptLowerPriority"]);
  const sys: KubeObject = { metadata: { name: "system-node-critical" }, value: 2000001000 };
  assert.deepEqual(priorityclasses.validate!(sys, undefined, CREATE), []);
  const fake: KubeObject = { metadata: { name: "system-mine" }, value: 5 };
  assert.deepEqual(fields(priorityclasses.validate!(fake, undefined, CREATE)), [
    "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class",
  ]);
  const huge: KubeObject = { metadata: { name: "huge" }, value: 1000000001, preemptionPolicy: "Sometimes" };
  assert.deepEqual(fields(priorityclasses.validate!(huge, undefined, CREATE)), [
    "value: Forbidden: maximum allowed value of a user defined priority is 1000000000",
    'preemptionPolicy: Unsupported value: "Sometimes": supported values: "PreemptLowerPriority", "Never"',
  ]);
  const next = structuredClone(pc);
  next.value = 5;
  assert.deepEqual(fields(priorityclasses.validate!(next, pc, UPDATE)), ["value: Forbidden: may not be changed in an update."]);
  assert.deepEqual(priorityclasses.shortNames, ["pc"]);
});

test("runtimeclass: handler is a DNS label and immutable", () => {
  const rc: KubeObject = { metadata: { name: "gvisor", creationTimestamp: CREATED }, handler: "runsc" };
  assert.deepEqual(runtimeclasses.validate!(rc, undefined, CREATE), []);
  assert.deepEqual(runtimeclasses.table!.cells(rc, NOW), ["gvisor", "runsc", "60m"]);
  const next = structuredClone(rc);
  next.handler = "kata";
  assert.deepEqual(fields(runtimeclasses.validate!(next, rc, UPDATE)), ["handler: Invalid value: \"kata\": field is immutable"]);
  const bad: KubeObject = { metadata: { name: "x" }, handler: "Run_SC" };
  assert.equal(fields(runtimeclasses.validate!(bad, undefined, CREATE)).length, 1);
});

test("poddisruptionbudget: validation, fresh status and table", () => {
  const pdb: KubeObject = { metadata: { name: "web", namespace: "default", creationTimestamp: CREATED }, spec: { minAvailable: "50%", selector: { matchLabels: { app: "web" } } }, status: { disruptionsAllowed: 9 } };
  poddisruptionbudgets.prepareForCreate!(pdb);
  assert.deepEqual(pdb.status, { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 });
  assert.deepEqual(poddisruptionbudgets.validate!(pdb, undefined, CREATE), []);
  (pdb.status as any).disruptionsAllowed = 1;
  assert.deepEqual(poddisruptionbudgets.table!.cells(pdb, NOW), ["web", "50%", "N/A", 1, "60m"]);
  const bad: KubeObject = { metadata: { name: "x", namespace: "default" }, spec: { minAvailable: 1, maxUnavailable: "120%", unhealthyPodEvictionPolicy: "Never" } };
  assert.deepEqual(fields(poddisruptionbudgets.validate!(bad, undefined, CREATE)), [
    'spec: Invalid value: {"minAvailable":1,"maxUnavailable":"120%","unhealthyPodEvictionPolicy":"Never"}: minAvailable and maxUnavailable cannot be both set',
    'spec.maxUnavailable: Invalid value: "120%": must not be greater than 100%',
    'spec.unhealthyPodEvictionPolicy: Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"',
  ]);
  assert.deepEqual(poddisruptionbudgets.shortNames, ["pdb"]);
  assert.equal(poddisruptionbudgets.hasStatus, true);
});
