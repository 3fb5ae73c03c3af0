// The kubelet's event recorder under concurrency: records of one event that overlap (a pod worker's
// back-to-back syncs in a CrashLoopBackOff window) aggregate into one Event with a count, as
// upstream's correlator does, instead of racing into two Events.
import { test } from "node:test";
import assert from "node:assert/strict";
import { pino } from "pino";
import type { Pod } from "kubernetes-types/core/v1.js";
import type { KubeObject } from "../../src/shared/api/types.js";
import type { ApiClient } from "../../src/shared/client/types.js";
import { KubeletEventRecorder } from "../../src/agent/kubelet/pod-workers/events.js";

const quiet = pino({ level: "silent" });
const pod: Pod = { metadata: { name: "crasher", namespace: "default", uid: "u1", resourceVersion: "3" }, spec: { containers: [{ name: "crash" }] } };
const BACKOFF = "Back-off restarting failed container crash in pod crasher_default(u1)";

/** An API whose writes take a while, as through the tunnel, so overlapping records really overlap. */
function slowApi(created: KubeObject[], updated: KubeObject[], inFlight = { now: 0, max: 0 }): ApiClient {
  const later = async () => {
    inFlight.max = Math.max(inFlight.max, ++inFlight.now);
    await new Promise((r) => setTimeout(r, 20));
    inFlight.now--;
  };
  return {
    async create(_ref: unknown, _ns: string, obj: KubeObject) {
      await later();
      const o = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(created.length + updated.length + 1) } };
      created.push(o);
      return o;
    },
    async update(_ref: unknown, _ns: string, obj: KubeObject) {
      await later();
      const o = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(created.length + updated.length + 1) } };
      updated.push(o);
      return o;
    },
  } as unknown as ApiClient;
}

test("overlapping records of one event become one Event whose count is the number of records", async () => {
  const created: KubeObject[] = [];
  const updated: KubeObject[] = [];
  const rec = new KubeletEventRecorder(slowApi(created, updated), "n1", quiet);
  await Promise.all([1, 2, 3].map(() => rec.record(pod, "Warning", "BackOff", BACKOFF, "crash")));
  assert.equal(created.length, 1, "one Event object");
  assert.deepEqual(updated.map((e) => (e as unknown as { count: number }).count), [2, 3]);
  // A later repeat keeps counting on the same object.
  await rec.record(pod, "Warning", "BackOff", BACKOFF, "crash");
  assert.equal(created.length, 1);
  assert.equal((updated.at(-1) as unknown as { count: number; metadata: { name: string } }).count, 4);
  assert.equal((updated.at(-1) as unknown as { metadata: { name: string } }).metadata.name, created[0]!.metadata!.name);
});

test("different events do not wait for each other", async () => {
  const created: KubeObject[] = [];
  const inFlight = { now: 0, max: 0 };
  const rec = new KubeletEventRecorder(slowApi(created, [], inFlight), "n1", quiet);
  await Promise.all([
    rec.record(pod, "Warning", "BackOff", BACKOFF, "crash"),
    rec.record(pod, "Normal", "Pulled", 'Container image "busybox" already present on machine', "crash"),
    rec.record(pod, "Normal", "Created", "Created container crash", "crash"),
  ]);
  assert.equal(created.length, 3);
  assert.equal(inFlight.max, 3, "the three writes were in flight together");
});
