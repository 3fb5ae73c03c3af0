// bindPod, the code path of pods/binding, against the real pod store: what it writes (nodeName,
// annotations, PodScheduled) and upstream's refusals (already bound, being deleted, gated, wrong UID).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { openSqliteDriver } from "../../src/server/storage/sqlite-driver.js";
import { RevisionLog } from "../../src/server/storage/revision-log.js";
import { GenericStore } from "../../src/server/registry/generic-store.js";
import { coreV1Resources } from "../../src/server/registry/core-v1/index.js";
import { bindPod } from "../../src/server/apiserver/pod-binding.js";
import { ApiError } from "../../src/shared/api/status.js";
import type { KubeObject } from "../../src/shared/api/types.js";

const quiet = pino({ level: "silent" });

async function podStore(t: { after(fn: () => void | Promise<void>): void }): Promise<GenericStore> {
  const dir = mkdtempSync(join(tmpdir(), "kube-lite-binding-"));
  const log = new RevisionLog(await openSqliteDriver({ dir, logger: quiet }), { logger: quiet });
  t.after(async () => {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return new GenericStore(coreV1Resources.find((r) => r.plural === "pods")!, log);
}

function pod(name: string, extra: { finalizers?: string[]; schedulingGates?: { name: string }[] } = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, finalizers: extra.finalizers },
    spec: { containers: [{ name: "app", image: "nginx:1.27" }], schedulingGates: extra.schedulingGates },
  };
}

async function conflictMessage(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.code, 409);
    return e.message;
  }
  assert.fail("expected a 409");
}

test("binding sets nodeName, copies annotations, marks PodScheduled, keeps managedFields", async (t) => {
  const pods = await podStore(t);
  const created = await pods.create("default", pod("web"), { fieldManager: "kubectl-client-side-apply" });
  const bound = await bindPod(pods, { namespace: "default", name: "web", nodeName: "pi-1", uid: created.metadata.uid, annotations: { "scheduler.example/score": "97" } });
  assert.equal((bound.spec as any).nodeName, "pi-1");
  assert.equal(bound.metadata.annotations!["scheduler.example/score"], "97");
  const cond = ((bound.status as any).conditions as any[]).find((c) => c.type === "PodScheduled");
  assert.equal(cond.status, "True");
  assert.equal(cond.lastProbeTime, null);
  assert.ok(cond.lastTransitionTime);
  assert.deepEqual(bound.metadata.managedFields, created.metadata.managedFields, "a binding is not a field manager's write");
  assert.equal((bound.status as any).phase, "Pending");
});

test("refusals: already bound, being deleted, gated, UID mismatch, missing pod", async (t) => {
  const pods = await podStore(t);
  await pods.create("default", pod("web"));
  await bindPod(pods, { namespace: "default", name: "web", nodeName: "pi-1" });
  assert.equal(await conflictMessage(bindPod(pods, { namespace: "default", name: "web", nodeName: "pi-2" })), 'Operation cannot be fulfilled on pods/binding "web": pod web is already assigned to node "pi-1"');

  await pods.create("default", pod("leaving", { finalizers: ["example.com/hold"] }));
  await pods.delete("default", "leaving");
  assert.equal(await conflictMessage(bindPod(pods, { namespace: "default", name: "leaving", nodeName: "pi-1" })), 'Operation cannot be fulfilled on pods/binding "leaving": pod leaving is being deleted, cannot be assigned to a host');

  await pods.create("default", pod("gated", { schedulingGates: [{ name: "example.com/quota" }] }));
  assert.equal(await conflictMessage(bindPod(pods, { namespace: "default", name: "gated", nodeName: "pi-1" })), 'Operation cannot be fulfilled on pods/binding "gated": pod gated has non-empty .spec.schedulingGates');

  const other = await pods.create("default", pod("other"));
  assert.match(await conflictMessage(bindPod(pods, { namespace: "default", name: "other", nodeName: "pi-1", uid: "not-the-uid" })), new RegExp(`Precondition failed: UID in precondition: not-the-uid, UID in object meta: ${other.metadata.uid}`));

  await assert.rejects(bindPod(pods, { namespace: "default", name: "ghost", nodeName: "pi-1" }), (e: unknown) => e instanceof ApiError && e.code === 404 && e.message === 'pods "ghost" not found');
});

test("dry run changes nothing", async (t) => {
  const pods = await podStore(t);
  await pods.create("default", pod("web"));
  const result = await bindPod(pods, { namespace: "default", name: "web", nodeName: "pi-1" }, { dryRun: true });
  assert.equal((result.spec as any).nodeName, "pi-1");
  assert.equal(((await pods.get("default", "web")).spec as any).nodeName, undefined);
});
