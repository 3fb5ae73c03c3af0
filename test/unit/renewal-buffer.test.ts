import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openStore } from "../../src/server/storage/index.js";
import { GenericStore } from "../../src/server/registry/generic-store.js";
import { leases } from "../../src/server/registry/groups/leases.js";
import { RenewalBuffer, isRenewalOnly } from "../../src/server/registry/renewal-buffer.js";
import type { KubeObject } from "../../src/shared/api/types.js";

const lease = (ns: string, renewTime: string, holder = "node-1"): KubeObject => ({
  apiVersion: "coordination.k8s.io/v1",
  kind: "Lease",
  metadata: { name: "node-1", namespace: ns },
  spec: { holderIdentity: holder, leaseDurationSeconds: 40, renewTime },
});

test("only an update that changes nothing but spec.renewTime is a renewal", () => {
  const live = lease("kube-node-lease", "2026-11-27T10:00:00.000000Z");
  assert.equal(isRenewalOnly(lease("kube-node-lease", "2026-11-27T10:00:10.000000Z"), live), true);
  assert.equal(isRenewalOnly(lease("kube-node-lease", "2026-11-27T10:00:00.000000Z"), live), false, "no change is no renewal");
  assert.equal(isRenewalOnly(lease("kube-node-lease", "2026-11-27T10:00:10.000000Z", "node-2"), live), false, "a new holder is a real write");
  const b = new RenewalBuffer(() => 0);
  b.hold("k", "t1");
  assert.deepEqual((b.overlay("k", live).spec as { renewTime: string }).renewTime, "t1");
  assert.deepEqual(b.due(1000), []);
  assert.deepEqual(b.due(1000, true), ["k"]);
});

test("node lease renewals stay in memory, are visible to reads, and reach storage when flushed", async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "kube-lite-renewals-"));
  const store = await openStore({ dataDir: dir });
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const leasesStore = new GenericStore(leases, store);
  const created = await leasesStore.create("kube-node-lease", lease("kube-node-lease", "2026-11-27T10:00:00.000000Z"));
  const revision = store.currentRevision();
  let last = created;
  for (let i = 1; i <= 5; i++) {
    const next = { ...last, spec: { ...(last.spec as object), renewTime: `2026-11-27T10:00:${String(i * 10).padStart(2, "0")}.000000Z` } };
    last = (await leasesStore.update("kube-node-lease", "node-1", next, "")).object;
    assert.equal(last.metadata.resourceVersion, created.metadata.resourceVersion, "a renewal keeps the resourceVersion");
  }
  assert.equal(store.currentRevision(), revision, "renewals write nothing");
  const read = await leasesStore.get("kube-node-lease", "node-1");
  assert.equal((read.spec as { renewTime: string }).renewTime, "2026-11-27T10:00:50.000000Z");
  const listed = await leasesStore.list("kube-node-lease");
  assert.equal((listed.items[0]!.spec as { renewTime: string }).renewTime, "2026-11-27T10:00:50.000000Z");

  assert.equal(await leasesStore.flushRenewals(true), 1);
  assert.equal(store.currentRevision(), revision + 1, "one write for five renewals");
  const stored = JSON.parse((await store.get("/registry/coordination.k8s.io/leases/kube-node-lease/node-1"))!.value);
  assert.equal(stored.spec.renewTime, "2026-11-27T10:00:50.000000Z");

  // Leases elsewhere (leader election) and real changes are written at once.
  const other = await leasesStore.create("default", lease("default", "2026-11-27T10:00:00.000000Z"));
  const before = store.currentRevision();
  await leasesStore.update("default", "node-1", { ...other, spec: { ...(other.spec as object), renewTime: "2026-11-27T10:01:00.000000Z" } }, "");
  assert.equal(store.currentRevision(), before + 1);
  const fresh = await leasesStore.get("kube-node-lease", "node-1");
  await leasesStore.update("kube-node-lease", "node-1", { ...fresh, spec: { ...(fresh.spec as object), holderIdentity: "node-9" } }, "");
  assert.equal(store.currentRevision(), before + 2);
});
