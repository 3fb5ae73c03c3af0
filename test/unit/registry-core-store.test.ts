// The core/v1 entries through the real generic store over a SQLite revision log: hook order
// (prepareForCreate, defaults, validate), immutability rules on update, graceful and finalized deletes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { openSqliteDriver } from "../../src/server/storage/sqlite-driver.js";
import { RevisionLog } from "../../src/server/storage/revision-log.js";
import { GenericStore } from "../../src/server/registry/generic-store.js";
import { ApiError } from "../../src/shared/api/status.js";
import { coreV1Resources } from "../../src/server/registry/core-v1/index.js";

const quiet = pino({ level: "silent" });

async function openRegistry(t: { after(fn: () => void | Promise<void>): void }) {
  const dir = mkdtempSync(join(tmpdir(), "kube-lite-core-"));
  const driver = await openSqliteDriver({ dir, logger: quiet });
  const log = new RevisionLog(driver, { logger: quiet });
  t.after(async () => {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return (plural: string) => {
    const rt = coreV1Resources.find((r) => r.plural === plural);
    assert.ok(rt, plural);
    return new GenericStore(rt, log);
  };
}

async function rejects(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e));
    return e;
  }
  assert.fail("expected an ApiError");
}

test("pod create and update through the store", async (t) => {
  const pods = (await openRegistry(t))("pods");
  const created = await pods.create("default", {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web" },
    spec: { containers: [{ name: "web", image: "nginx:1.27", resources: { limits: { cpu: "1", memory: "1Gi" } } }] },
    status: { phase: "Running" },
  });
  const spec = created.spec as Record<string, any>;
  assert.equal(spec.restartPolicy, "Always");
  assert.equal(spec.containers[0].imagePullPolicy, "IfNotPresent");
  assert.deepEqual(spec.containers[0].resources.requests, { cpu: "1", memory: "1Gi" });
  assert.deepEqual(created.status, { phase: "Pending", qosClass: "Guaranteed" }, "status a client sends on create is replaced");

  const newImage = structuredClone(created);
  (newImage.spec as any).containers[0].image = "nginx:1.28";
  const updated = await pods.update("default", "web", newImage, "");
  assert.equal((updated.object.spec as any).containers[0].image, "nginx:1.28");

  const changed = structuredClone(updated.object);
  (changed.spec as any).containers[0].ports = [{ containerPort: 80 }];
  const err = await rejects(pods.update("default", "web", changed, ""));
  assert.equal(err.code, 422);
  assert.match(err.message, /^Pod "web" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`/);

  const unscheduled = await pods.list("default", { fieldSelector: "spec.nodeName=" });
  assert.deepEqual(unscheduled.items.map((p) => p.metadata.name), ["web"]);
  const gone = await pods.delete("default", "web");
  assert.equal(gone.deleted, true, "a pod on no node is deleted at once");
});

test("a bound pod is deleted gracefully", async (t) => {
  const pods = (await openRegistry(t))("pods");
  await pods.create("default", { apiVersion: "v1", kind: "Pod", metadata: { name: "web" }, spec: { nodeName: "pi-1", containers: [{ name: "web", image: "nginx" }] } });
  const res = await pods.delete("default", "web");
  assert.equal(res.deleted, false);
  assert.equal(res.object.metadata.deletionGracePeriodSeconds, 30);
  const forced = await pods.delete("default", "web", { gracePeriodSeconds: 0 });
  assert.equal(forced.deleted, true);
});

test("namespace lifecycle through the store", async (t) => {
  const namespaces = (await openRegistry(t))("namespaces");
  const ns = await namespaces.create("", { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a" } });
  assert.deepEqual(ns.status, { phase: "Active" });
  assert.deepEqual((ns.spec as any).finalizers, ["kubernetes"]);
  assert.equal(ns.metadata.labels!["kubernetes.io/metadata.name"], "team-a");
  const bad = await rejects(namespaces.create("", { apiVersion: "v1", kind: "Namespace", metadata: { name: "team.b" } }));
  assert.match(bad.message, /metadata.name: Invalid value: "team.b": must not contain dots/);

  const del = await namespaces.delete("", "team-a");
  assert.equal(del.deleted, false);
  assert.equal((del.object.status as any).phase, "Terminating");
  const live = await namespaces.get("", "team-a");
  const finalized = await namespaces.update("", "team-a", { ...live, spec: { finalizers: [] } }, "finalize");
  assert.ok(finalized.object, "finalize returns the namespace");
  await rejects(namespaces.get("", "team-a"));
});

test("service update keeps the allocated cluster IP; config map immutability", async (t) => {
  const open = await openRegistry(t);
  const services = open("services");
  const svc = await services.create("default", { apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: { clusterIP: "10.43.0.50", selector: { app: "web" }, ports: [{ port: 80 }] } });
  assert.deepEqual((svc.spec as any).clusterIPs, ["10.43.0.50"]);
  const applied = await services.update("default", "web", { apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: { selector: { app: "web2" }, ports: [{ port: 80 }] } }, "");
  assert.equal((applied.object.spec as any).clusterIP, "10.43.0.50");
  const moved = await rejects(services.update("default", "web", { ...applied.object, spec: { ...(applied.object.spec as object), clusterIP: "10.43.0.51", clusterIPs: ["10.43.0.51"] } }, ""));
  assert.match(moved.message, /spec.clusterIP: Invalid value: "10.43.0.51": field is immutable/);

  const cms = open("configmaps");
  const cm = await cms.create("default", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg" }, data: { a: "1" }, immutable: true });
  assert.equal(cm.metadata.generation, undefined);
  const err = await rejects(cms.update("default", "cfg", { ...cm, data: { a: "2" } }, ""));
  assert.match(err.message, /data: Forbidden: field is immutable when `immutable` is set/);
});
