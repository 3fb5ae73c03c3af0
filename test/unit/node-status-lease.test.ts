import { test } from "node:test";
import assert from "node:assert/strict";
import { ApiError, alreadyExists, conflict, notFound } from "../../src/shared/api/status.js";
import type { KubeList, KubeObject } from "../../src/shared/api/types.js";
import type { ApiClient, ResourceRef } from "../../src/shared/client/types.js";
import { NodeLease } from "../../src/agent/kubelet/lease/node-lease.js";
import { rootLogger } from "../../src/shared/log.js";

const log = rootLogger.child({ component: "test" });
log.level = "silent";

/** An in-memory API with resourceVersion compare-and-swap, and a switch to make it unreachable. */
class MemoryApi implements ApiClient {
  readonly objects = new Map<string, KubeObject>();
  rv = 1;
  down = 0;
  writes = 0;

  private key(ref: ResourceRef, ns: string, name: string): string {
    return `${ref.plural}/${ns}/${name}`;
  }
  private gate(): void {
    if (this.down > 0) {
      this.down--;
      throw new Error("connect ECONNREFUSED");
    }
  }
  async get(ref: ResourceRef, ns: string, name: string): Promise<KubeObject> {
    this.gate();
    const o = this.objects.get(this.key(ref, ns, name));
    if (!o) throw notFound(ref.group, ref.plural, name);
    return structuredClone(o);
  }
  async list(): Promise<KubeList> {
    throw new Error("not used");
  }
  async create(ref: ResourceRef, ns: string, obj: KubeObject): Promise<KubeObject> {
    this.gate();
    const k = this.key(ref, ns, obj.metadata.name!);
    if (this.objects.has(k)) throw alreadyExists(ref.group, ref.plural, obj.metadata.name!);
    this.writes++;
    const stored = { ...structuredClone(obj), metadata: { ...obj.metadata, namespace: ns || undefined, uid: `uid-${obj.metadata.name}`, resourceVersion: String(++this.rv) } };
    this.objects.set(k, stored);
    return structuredClone(stored);
  }
  async update(ref: ResourceRef, ns: string, obj: KubeObject): Promise<KubeObject> {
    this.gate();
    const k = this.key(ref, ns, obj.metadata.name!);
    const cur = this.objects.get(k);
    if (!cur) throw notFound(ref.group, ref.plural, obj.metadata.name!);
    if (obj.metadata.resourceVersion !== cur.metadata.resourceVersion) throw conflict(ref.group, ref.plural, obj.metadata.name!);
    this.writes++;
    const stored = { ...structuredClone(obj), metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } };
    this.objects.set(k, stored);
    return structuredClone(stored);
  }
  async delete(ref: ResourceRef, ns: string, name: string): Promise<void> {
    this.objects.delete(this.key(ref, ns, name));
  }
  async watch(): Promise<{ close(): void }> {
    throw new Error("not used");
  }
}

const LEASE_KEY = "leases/kube-node-lease/n1";
const spec = (api: MemoryApi) => api.objects.get(LEASE_KEY)!.spec as { holderIdentity: string; leaseDurationSeconds: number; renewTime: string };

test("first sync creates the lease; later syncs renew it with one write each", async () => {
  const api = new MemoryApi();
  let now = 1_764_241_062_000_000;
  const lease = new NodeLease(api, "n1", { log, nowMicros: () => now });
  await lease.sync();
  assert.deepEqual(spec(api), { holderIdentity: "n1", leaseDurationSeconds: 40, renewTime: "2025-11-27T10:57:42.000000Z" });
  assert.equal(api.writes, 1);
  now += 10_000_123;
  await lease.sync();
  assert.equal(spec(api).renewTime, "2025-11-27T10:57:52.000123Z");
  assert.equal(api.writes, 2, "a renewal is one write, no read");
});

test("the owner reference to the Node is added once the Node exists", async () => {
  const api = new MemoryApi();
  const lease = new NodeLease(api, "n1", { log });
  await lease.sync();
  assert.equal(api.objects.get(LEASE_KEY)!.metadata.ownerReferences, undefined);
  await api.create({ group: "", plural: "nodes" }, "", { metadata: { name: "n1" } });
  await lease.sync();
  assert.deepEqual(api.objects.get(LEASE_KEY)!.metadata.ownerReferences, [{ apiVersion: "v1", kind: "Node", name: "n1", uid: "uid-n1" }]);
});

test("a conflicting writer or a deleted lease: the next sync reads or recreates it and renews", async () => {
  const api = new MemoryApi();
  const lease = new NodeLease(api, "n1", { log });
  await lease.sync();
  const cur = api.objects.get(LEASE_KEY)!;
  await api.update({ group: "coordination.k8s.io", plural: "leases" }, "kube-node-lease", { ...cur, spec: { ...(cur.spec as object), holderIdentity: "other" } });
  await lease.sync();
  assert.equal(spec(api).holderIdentity, "n1");
  await api.delete({ group: "coordination.k8s.io", plural: "leases" }, "kube-node-lease", "n1");
  await lease.sync();
  assert.equal(spec(api).holderIdentity, "n1");
});

test("an unreachable API is retried with back-off until it answers", async () => {
  const api = new MemoryApi();
  api.down = 3; // three refused calls, then it answers
  const lease = new NodeLease(api, "n1", { log });
  const started = Date.now();
  await lease.sync();
  assert.equal(spec(api).holderIdentity, "n1");
  assert.ok(Date.now() - started >= 200 + 400 + 800 - 50, "200 ms doubling back-off");
});

test("a renewal that keeps failing is retried a few times, reports repeated failure, and the loop survives", async () => {
  const api = new MemoryApi();
  const failures: Error[] = [];
  await api.create({ group: "", plural: "nodes" }, "", { metadata: { name: "n1" } });
  const lease = new NodeLease(api, "n1", { log, onRepeatedFailure: (e) => failures.push(e) });
  await lease.sync();
  api.down = 5; // every one of the five quick retries is refused
  await assert.rejects(lease.sync(), /ECONNREFUSED/);
  assert.equal(failures.length, 4, "every retry after the first reports");
  await lease.sync();
  assert.equal(spec(api).holderIdentity, "n1");
  assert.ok(!(failures[0] instanceof ApiError));
});

test("stop() ends a back-off wait at once", async () => {
  const api = new MemoryApi();
  api.down = 100;
  const lease = new NodeLease(api, "n1", { log });
  const started = Date.now();
  const sync = lease.sync();
  await new Promise((r) => setTimeout(r, 300));
  lease.stop();
  await assert.rejects(sync, /stopped/);
  assert.ok(Date.now() - started < 1000);
});
