import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openStore } from "../../src/server/storage/index.js";
import { buildControlPlane } from "../../src/server/control-plane.js";
import { LocalClient } from "../../src/server/local-client.js";
import { NodeLifecycleController, evictionTime, TAINT_UNREACHABLE } from "../../src/server/controllers/node-lifecycle-controller.js";
import { componentLogger } from "../../src/shared/log.js";
import type { KubeObject } from "../../src/shared/api/types.js";

test("eviction time follows the pod's toleration of the taint", () => {
  const taint = { key: TAINT_UNREACHABLE, effect: "NoExecute" };
  assert.equal(evictionTime(undefined, taint, 1000), 1000, "no toleration: at once");
  assert.equal(evictionTime([{ key: TAINT_UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }], taint, 1000), 301_000);
  assert.equal(evictionTime([{ operator: "Exists" }], taint, 1000), undefined, "tolerates everything forever");
  assert.equal(evictionTime([{ key: "other", operator: "Exists" }], taint, 1000), 1000);
});

test("a silent node goes Unknown and unreachable; its pods are evicted when their toleration ends; a heartbeat heals it", async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "kube-lite-nlc-"));
  const store = await openStore({ dataDir: dir });
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const cp = await buildControlPlane({ store, log: componentLogger("test") });
  for (const name of ["default", "kube-node-lease"]) await cp.store("", "namespaces").create("", { metadata: { name } });
  const client = new LocalClient(cp);
  let now = Date.parse("2026-11-27T10:00:00Z");
  const nlc = new NodeLifecycleController(client, componentLogger("test"), () => now);
  const ready = { type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: "2026-11-27T10:00:00Z", lastTransitionTime: "2026-11-27T10:00:00Z" };
  await client.create({ group: "", plural: "nodes" }, "", { metadata: { name: "n1" }, status: { conditions: [ready] } });
  const lease = await client.create({ group: "coordination.k8s.io", plural: "leases" }, "kube-node-lease", { metadata: { name: "n1" }, spec: { holderIdentity: "n1", leaseDurationSeconds: 40, renewTime: "2026-11-27T10:00:00.000000Z" } });
  const pod = (name: string, tolerationSeconds?: number): KubeObject => ({
    metadata: { name },
    spec: { nodeName: "n1", containers: [{ name: "c", image: "busybox" }], ...(tolerationSeconds === undefined ? {} : { tolerations: [{ key: TAINT_UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds }] }) },
  });
  await client.create({ group: "", plural: "pods" }, "default", pod("short", 10));
  await client.create({ group: "", plural: "pods" }, "default", pod("long", 3600));

  await nlc.monitor();
  let node = await client.get({ group: "", plural: "nodes" }, "", "n1");
  assert.equal((node.spec as { taints?: unknown[] } | undefined)?.taints, undefined, "healthy: no taints");

  now += 41_000; // silent past the grace period
  await nlc.monitor();
  node = await client.get({ group: "", plural: "nodes" }, "", "n1");
  const conditions = (node.status as { conditions: { type: string; status: string; message: string }[] }).conditions;
  assert.deepEqual(conditions.map((c) => [c.type, c.status]), [["Ready", "Unknown"]]);
  assert.equal(conditions[0]!.message, "Kubelet stopped posting node status.");
  const taints = (node.spec as { taints: { key: string; effect: string }[] }).taints;
  assert.deepEqual(taints.map((x) => `${x.key}:${x.effect}`).sort(), [`${TAINT_UNREACHABLE}:NoExecute`, `${TAINT_UNREACHABLE}:NoSchedule`]);

  now += 11_000; // the short toleration has run out; the long one has not
  await nlc.monitor();
  const pods = await client.list({ group: "", plural: "pods" }, "default");
  const byName = Object.fromEntries(pods.items.map((p) => [p.metadata.name, Boolean(p.metadata.deletionTimestamp)]));
  assert.deepEqual(byName, { long: false, short: true }, "only the pod whose toleration ended is evicted (graceful: marked for deletion)");

  // The node renews its lease again: taints go away.
  await client.update({ group: "coordination.k8s.io", plural: "leases" }, "kube-node-lease", { ...lease, spec: { ...(lease.spec as object), renewTime: "2026-11-27T10:01:00.000000Z" } });
  await nlc.monitor();
  node = await client.get({ group: "", plural: "nodes" }, "", "n1");
  assert.equal((node.spec as { taints?: unknown[] } | undefined)?.taints, undefined);
});
