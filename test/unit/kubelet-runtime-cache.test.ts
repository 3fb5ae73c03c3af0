// The kubelet's runtime listing cache (engine listed only after a runtime event or the kubelet's own
// change, concurrent callers share a listing) and its event recorder (aggregation, spam filter), over
// fake clients and runtimes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { pino } from "pino";
import type { Pod } from "kubernetes-types/core/v1.js";
import type { KubeObject } from "../../src/shared/api/types.js";
import type { ApiClient } from "../../src/shared/client/types.js";
import type { ContainerRuntime, RuntimeEvent, RuntimePod } from "../../src/agent/kubelet/runtime/types.js";
import { Kubelet, invalidatingRuntime } from "../../src/agent/kubelet/pod-workers/kubelet.js";
import { EVENT_SPAM_BURST, EVENT_SPAM_REFILL_MS, KubeletEventRecorder } from "../../src/agent/kubelet/pod-workers/events.js";

const quiet = pino({ level: "silent" });

function fakeApi(created: KubeObject[] = [], updated: KubeObject[] = []): ApiClient {
  return {
    async get() {
      return { metadata: { name: "n1" }, status: { addresses: [{ type: "InternalIP", address: "192.168.1.5" }] } };
    },
    async list() {
      return { apiVersion: "v1", kind: "PodList", metadata: { resourceVersion: "1" }, items: [] };
    },
    async watch() {
      return { close() {} };
    },
    async create(_ref: unknown, _ns: string, obj: KubeObject) {
      const o = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(created.length + 1) } };
      created.push(o);
      return o;
    },
    async update(_ref: unknown, _ns: string, obj: KubeObject) {
      updated.push(obj);
      return obj;
    },
  } as unknown as ApiClient;
}

test("runtime listings are cached until a runtime event; concurrent callers share one", async () => {
  let listings = 0;
  let emit: ((e: RuntimeEvent) => void) | undefined;
  const pods: RuntimePod[] = [{ podUid: "u1", namespace: "default", name: "web", sandboxes: [], containers: [] }];
  const runtime = {
    async listPodContainers() {
      listings++;
      await new Promise((r) => setTimeout(r, 10));
      return pods;
    },
    async watchEvents(onEvent: (e: RuntimeEvent) => void) {
      emit = onEvent;
      return { stop() {} };
    },
  } as unknown as ContainerRuntime;
  const kubelet = new Kubelet({ nodeName: "n1", client: fakeApi(), runtime, dataDir: "/nonexistent", logger: quiet });
  await kubelet.start();
  try {
    const base = listings; // the start-up housekeeping listed once
    assert.equal(base, 1);
    const [a, b] = await Promise.all([kubelet.runtimePods(), kubelet.runtimePods()]);
    assert.equal(a, b);
    assert.ok(a.has("u1"));
    assert.equal(listings, base, "nothing changed since the housekeeping listing: cached");
    emit!({ id: "c1", kind: "container", action: "died", podUid: "u1", time: new Date() });
    await Promise.all([kubelet.runtimePods(), kubelet.runtimePods(), kubelet.runtimePods()]);
    assert.equal(listings, base + 1, "one listing after the event, shared");
    await kubelet.runtimePods();
    assert.equal(listings, base + 1);
  } finally {
    kubelet.stop();
  }
});

test("invalidatingRuntime reports every mutating call, even a failed one, and passes reads through", async () => {
  let changes = 0;
  const calls: string[] = [];
  const base = {
    async createContainer() {
      calls.push("create");
      return "id1";
    },
    async startContainer() {
      calls.push("start");
      throw new Error("boom");
    },
    async inspectContainer() {
      calls.push("inspect");
      return { id: "id1" };
    },
  } as unknown as ContainerRuntime;
  const r = invalidatingRuntime(base, () => changes++);
  assert.equal(await r.createContainer("sb", {} as never, {} as never), "id1");
  assert.equal(changes, 1);
  await assert.rejects(r.startContainer("id1"), /boom/);
  assert.equal(changes, 2);
  await r.inspectContainer("id1");
  assert.equal(changes, 2, "reads do not invalidate");
  assert.deepEqual(calls, ["create", "start", "inspect"]);
});

const pod: Pod = { metadata: { name: "web", namespace: "default", uid: "u1", resourceVersion: "7" }, spec: { containers: [{ name: "app" }] } };

test("events: upstream shape, repeats aggregate into a count, source kubelet on the node", async () => {
  const created: KubeObject[] = [];
  const updated: KubeObject[] = [];
  const rec = new KubeletEventRecorder(fakeApi(created, updated), "n1", quiet);
  await rec.record(pod, "Warning", "BackOff", "Back-off restarting failed container app in pod web_default(u1)", "app");
  await rec.record(pod, "Warning", "BackOff", "Back-off restarting failed container app in pod web_default(u1)", "app");
  await rec.record(pod, "Normal", "Scheduled", "other");
  assert.equal(created.length, 2);
  const e = created[0] as unknown as Record<string, any>;
  assert.match(e.metadata.name, /^web\.[0-9a-f]+$/);
  assert.deepEqual(e.involvedObject, { kind: "Pod", apiVersion: "v1", namespace: "default", name: "web", uid: "u1", resourceVersion: "7", fieldPath: "spec.containers{app}" });
  assert.deepEqual(e.source, { component: "kubelet", host: "n1" });
  assert.equal(e.reportingComponent, "kubelet");
  assert.equal(e.reportingInstance, "n1");
  assert.equal(e.type, "Warning");
  assert.equal(e.count, 1);
  assert.equal(updated.length, 1);
  assert.equal((updated[0] as unknown as { count: number }).count, 2);
  assert.equal((created[1] as unknown as { involvedObject: { fieldPath?: string } }).involvedObject.fieldPath, undefined);
});

test("events: a pod gets a burst of 25, then one per 5 minutes", () => {
  const rec = new KubeletEventRecorder(fakeApi(), "n1", quiet);
  const t0 = 1_000_000;
  let allowed = 0;
  for (let i = 0; i < 40; i++) if (rec.allow("u1", t0)) allowed++;
  assert.equal(allowed, EVENT_SPAM_BURST);
  assert.equal(rec.allow("u2", t0), true, "other pods have their own bucket");
  assert.equal(rec.allow("u1", t0 + EVENT_SPAM_REFILL_MS / 2), false);
  assert.equal(rec.allow("u1", t0 + EVENT_SPAM_REFILL_MS), true);
  assert.equal(rec.allow("u1", t0 + EVENT_SPAM_REFILL_MS), false);
});
