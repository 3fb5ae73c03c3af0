import { test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../src/shared/api/types.js";
import type { StatusCause } from "../../src/shared/api/status.js";
import type { HookContext } from "../../src/server/registry/types.js";
import { coreEventToV1, eventV1ToCore, eventsV1 } from "../../src/server/registry/groups/events.js";

const CREATE: HookContext = { operation: "create", subresource: "", dryRun: false };
const UPDATE: HookContext = { operation: "update", subresource: "", dryRun: false };
const NOW = Date.parse("2025-01-01T12:00:00Z");

function fields(causes: StatusCause[]): string[] {
  return causes.map((c) => `${c.field}: ${c.message}`);
}

function event(extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "events.k8s.io/v1",
    kind: "Event",
    metadata: { name: "web-1.17a2b", namespace: "default", creationTimestamp: "2025-01-01T11:50:00Z" },
    eventTime: "2025-01-01T11:50:00.000000Z",
    reportingController: "kube-lite/scheduler",
    reportingInstance: "server-1",
    action: "Binding",
    reason: "Scheduled",
    type: "Normal",
    regarding: { kind: "Pod", namespace: "default", name: "web-1", uid: "u1", apiVersion: "v1", fieldPath: "spec.containers{web}" },
    note: "Successfully assigned default/web-1 to node-1 ",
    ...extra,
  };
}

test("events.k8s.io: a complete event is valid and prints with the event columns", () => {
  const ev = event();
  assert.deepEqual(eventsV1.validate!(ev, undefined, CREATE), []);
  const t = eventsV1.table!;
  assert.deepEqual(t.columns.map((c) => `${c.name}/${c.priority}`), [
    "Last Seen/0", "Type/0", "Reason/0", "Object/0", "Subobject/1", "Source/1", "Message/0", "First Seen/1", "Count/1", "Name/1",
  ]);
  assert.deepEqual(t.cells(ev, NOW), ["10m", "Normal", "Scheduled", "pod/web-1", "spec.containers{web}", "kube-lite/scheduler, server-1", "Successfully assigned default/web-1 to node-1", "10m", 1, "web-1.17a2b"]);
  const series = event({ series: { count: 5, lastObservedTime: "2025-01-01T11:59:00.000000Z" } });
  assert.deepEqual(t.cells(series, NOW).slice(0, 1).concat(t.cells(series, NOW).slice(8, 9)), ["60s", 5]);
});

test("events.k8s.io: strict validation with upstream field names", () => {
  const bad = event({ eventTime: undefined, type: "Info", deprecatedCount: 3, note: "x".repeat(1025), series: { count: 1 } });
  delete (bad as any).eventTime;
  const msgs = fields(eventsV1.validate!(bad, undefined, CREATE));
  assert.deepEqual(msgs, [
    'series.count: Invalid value: "": should be at least 2',
    "series.lastObservedTime: Required value",
    "eventTime: Required value",
    'type: Invalid value: "": has invalid value: Info',
    'count: Invalid value: "": needs to be unset',
  ]);
  const missing = event({ reportingController: "", action: "", reportingInstance: "" });
  const missingMsgs = fields(eventsV1.validate!(missing, undefined, CREATE));
  for (const m of ["reportingController: Required value", 'reportingController: Invalid value: "": name part must be non-empty', "reportingInstance: Required value", "action: Required value"]) {
    assert.ok(missingMsgs.includes(m), missingMsgs.join("\n"));
  }
  const otherNs = event({ regarding: { kind: "Node", name: "node-1" } });
  otherNs.metadata.namespace = "team-a";
  assert.deepEqual(fields(eventsV1.validate!(otherNs, undefined, CREATE)), ['involvedObject.namespace: Invalid value: "": does not match event.namespace']);
  const next = structuredClone(event());
  next.note = "changed";
  assert.deepEqual(fields(eventsV1.validate!(next, event(), UPDATE)), ["message: Invalid value: \"changed\": field is immutable"]);
  // An update may add a valid series (how event recorders count repeats) without the create-only checks.
  const counted = structuredClone(event());
  counted.series = { count: 2, lastObservedTime: "2025-01-01T11:55:00.000000Z" };
  assert.deepEqual(eventsV1.validate!(counted, event(), UPDATE), []);
});

test("events.k8s.io <-> core/v1 conversion and shared storage", () => {
  const core = eventV1ToCore(event({ deprecatedSource: { component: "kubelet", host: "node-1" } }));
  assert.equal(core.apiVersion, "v1");
  assert.equal(core.message, "Successfully assigned default/web-1 to node-1 ");
  assert.deepEqual(core.involvedObject, event().regarding);
  assert.equal(core.reportingComponent, "kube-lite/scheduler");
  assert.deepEqual(core.source, { component: "kubelet", host: "node-1" });
  assert.equal(core.note, undefined);
  const back = coreEventToV1(core);
  assert.deepEqual(back, event({ deprecatedSource: { component: "kubelet", host: "node-1" } }));
  assert.deepEqual([eventsV1.sharedStorage!.group, eventsV1.sharedStorage!.version, eventsV1.sharedStorage!.plural], ["", "v1", "events"]);
});

test("events.k8s.io: field selectors in events.k8s.io names", () => {
  const ev = event();
  const fs = eventsV1.fieldSelectors!;
  assert.equal(fs["regarding.name"]!(ev), "web-1");
  assert.equal(fs["regarding.kind"]!(ev), "Pod");
  assert.equal(fs["reason"]!(ev), "Scheduled");
  assert.equal(fs["reportingController"]!(ev), "kube-lite/scheduler");
  assert.equal(fs["source"]!(ev), "kube-lite/scheduler");
  assert.equal(fs["type"]!(ev), "Normal");
  assert.deepEqual(eventsV1.shortNames, ["ev"]);
});
