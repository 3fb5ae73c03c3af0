// The scheduler end to end over the real API layer: a control plane on a SQLite revision log, the
// pods/binding subresource served over HTTP by the API handler, and the scheduler over the in-process
// client. Three nodes with capacity and taints; pods that fit, pods that do not (PodScheduled condition
// and FailedScheduling event), a pod that becomes schedulable when a node joins, and a ReplicaSet's
// replicas spread over nodes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { openSqliteDriver } from "../../src/server/storage/sqlite-driver.js";
import { RevisionLog } from "../../src/server/storage/revision-log.js";
import { buildControlPlane, type ControlPlane } from "../../src/server/control-plane.js";
import { LocalClient } from "../../src/server/local-client.js";
import { ApiHandler } from "../../src/server/apiserver/api-handler.js";
import { Authenticator } from "../../src/server/apiserver/auth.js";
import { legacyBindingsHandler, podBindingHandler } from "../../src/server/apiserver/pod-binding.js";
import { Scheduler } from "../../src/server/scheduler/scheduler.js";
import { localBinder } from "../../src/server/scheduler/binder.js";
import type { KubeObject } from "../../src/shared/api/types.js";

const quiet = pino({ level: "silent" });
const TOKEN = "scheduler-test-token";
const PODS = { group: "", plural: "pods" };
const NODES = { group: "", plural: "nodes" };
const EVENTS = { group: "", plural: "events" };

interface Env {
  cp: ControlPlane;
  client: LocalClient;
  scheduler: Scheduler;
  http(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

async function setUp(t: { after(fn: () => void | Promise<void>): void }, opts: { startScheduler?: boolean } = {}): Promise<Env> {
  const dir = mkdtempSync(join(tmpdir(), "kube-lite-sched-"));
  const driver = await openSqliteDriver({ dir, logger: quiet });
  const store = new RevisionLog(driver, { logger: quiet });
  const cp = await buildControlPlane({ store, log: quiet });
  // What control-plane.ts will wire: the binding subresource and the legacy bindings collection.
  cp.subresourceHandlers.set("/pods/binding", podBindingHandler);
  cp.virtualCreate.set("/v1/bindings", legacyBindingsHandler(() => cp.store("", "pods")));
  const client = new LocalClient(cp);
  await client.create({ group: "", plural: "namespaces" }, "", { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } });
  const handler = new ApiHandler({
    registry: cp.registry,
    stores: cp.stores,
    authenticator: new Authenticator([{ token: TOKEN, user: { username: "admin", groups: ["system:masters"] } }]),
    log: quiet,
    serverAddress: "127.0.0.1:0",
    subresourceHandlers: cp.subresourceHandlers,
    virtualCreate: cp.virtualCreate,
    ready: () => true,
  });
  const server = createServer(handler.listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const scheduler = new Scheduler(client, localBinder(cp), quiet);
  if (opts.startScheduler !== false) scheduler.start();
  t.after(async () => {
    scheduler.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const http = (method: string, path: string, body?: unknown) =>
    new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, method, path, headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString() || "null") }));
      });
      req.on("error", reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  return { cp, client, scheduler, http };
}

function node(name: string, opts: { cpu?: string; memory?: string; pods?: string; taints?: object[]; labels?: Record<string, string>; unschedulable?: boolean } = {}): KubeObject {
  const resources = { cpu: opts.cpu ?? "4", memory: opts.memory ?? "8Gi", pods: opts.pods ?? "110", "ephemeral-storage": "50Gi" };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "arm64", ...(opts.labels ?? {}) } },
    spec: { taints: opts.taints, unschedulable: opts.unschedulable },
    status: { capacity: resources, allocatable: resources, conditions: [{ type: "Ready", status: "True" }] },
  };
}

function pod(name: string, opts: { cpu?: string; memory?: string; labels?: Record<string, string>; owner?: { name: string; uid: string }; tolerations?: object[] } = {}): KubeObject {
  const requests: Record<string, string> = {};
  if (opts.cpu) requests.cpu = opts.cpu;
  if (opts.memory) requests.memory = opts.memory;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      labels: opts.labels,
      ownerReferences: opts.owner ? [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: opts.owner.name, uid: opts.owner.uid, controller: true }] : undefined,
    },
    spec: { containers: [{ name: "app", image: "nginx:1.27", resources: { requests } }], tolerations: opts.tolerations },
  };
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function boundNode(env: Env, name: string): Promise<string> {
  return waitFor(`${name} to be bound`, async () => {
    const p = await env.client.get(PODS, "default", name);
    return ((p.spec as any).nodeName as string | undefined) || undefined;
  });
}

const CONTROL_PLANE_TAINT = { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" };

test("binds pods that fit, explains pods that do not, and retries when a node joins", async (t) => {
  const env = await setUp(t);
  await env.client.create(NODES, "", node("cp-1", { taints: [CONTROL_PLANE_TAINT], labels: { "node-role.kubernetes.io/control-plane": "" } }));
  await env.client.create(NODES, "", node("cp-2", { taints: [CONTROL_PLANE_TAINT] }));
  await env.client.create(NODES, "", node("worker-1", { cpu: "2", memory: "4Gi" }));

  // A pod that fits goes to the only untainted node, with the condition and event upstream writes.
  await env.client.create(PODS, "default", pod("small", { cpu: "500m", memory: "256Mi" }));
  assert.equal(await boundNode(env, "small"), "worker-1");
  await waitFor("PodScheduled=True on small", async () => {
    const p = await env.client.get(PODS, "default", "small");
    return ((p.status as any).conditions as any[] | undefined)?.find((c) => c.type === "PodScheduled" && c.status === "True");
  });
  const okEvent = await waitFor("Scheduled event", async () => {
    const list = await env.client.list(EVENTS, "default");
    return list.items.find((e: any) => e.reason === "Scheduled" && e.involvedObject.name === "small");
  });
  assert.equal((okEvent as any).message, "Successfully assigned default/small to worker-1");
  assert.equal((okEvent as any).type, "Normal");
  assert.equal((okEvent as any).source.component, "default-scheduler");

  // Too much cpu for the worker, and the control-plane nodes are tainted.
  await env.client.create(PODS, "default", pod("big", { cpu: "3" }));
  const expected =
    "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. " +
    "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.";
  const cond = await waitFor("PodScheduled=False on big", async () => {
    const p = await env.client.get(PODS, "default", "big");
    return ((p.status as any).conditions as any[] | undefined)?.find((c) => c.type === "PodScheduled" && c.status === "False");
  });
  assert.equal(cond.reason, "Unschedulable");
  assert.equal(cond.message, expected);
  const failEvent = await waitFor("FailedScheduling event", async () => {
    const list = await env.client.list(EVENTS, "default");
    return list.items.find((e: any) => e.reason === "FailedScheduling" && e.involvedObject.name === "big");
  });
  assert.equal((failEvent as any).type, "Warning");
  assert.equal((failEvent as any).message, expected);
  assert.equal((failEvent as any).source.component, "default-scheduler");
  assert.equal((failEvent as any).reportingComponent, "default-scheduler");
  assert.equal(((await env.client.get(PODS, "default", "big")).spec as any).nodeName, undefined);

  // A bigger worker joins: the pending pod is retried and lands there.
  await env.client.create(NODES, "", node("worker-2", { cpu: "8", memory: "16Gi" }));
  assert.equal(await boundNode(env, "big"), "worker-2");
  // The condition follows the binding in its own status write (see bindPod).
  await waitFor("PodScheduled=True on big", async () => {
    const p = await env.client.get(PODS, "default", "big");
    return ((p.status as any).conditions as any[] | undefined)?.find((c) => c.type === "PodScheduled" && c.status === "True");
  });

  // A pod tolerating the control-plane taint may go there; one for a missing label goes nowhere.
  const withSelector = pod("picky");
  (withSelector.spec as any).nodeSelector = { disktype: "ssd" };
  await env.client.create(PODS, "default", withSelector);
  const picky = await waitFor("picky unschedulable", async () => {
    const p = await env.client.get(PODS, "default", "picky");
    return ((p.status as any).conditions as any[] | undefined)?.find((c) => c.type === "PodScheduled" && c.status === "False");
  });
  assert.equal(
    picky.message,
    "0/4 nodes are available: 2 node(s) didn't match Pod's node affinity/selector, 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.",
  );
  // Labelling a node is a node update that can help: the pod is retried and bound.
  const w1 = await env.client.get(NODES, "", "worker-1");
  w1.metadata.labels = { ...w1.metadata.labels, disktype: "ssd" };
  await env.client.update(NODES, "", w1);
  assert.equal(await boundNode(env, "picky"), "worker-1");
});

test("spreads a ReplicaSet's replicas over the nodes", async (t) => {
  const env = await setUp(t);
  for (const n of ["a", "b", "c"]) await env.client.create(NODES, "", node(`node-${n}`));
  const owner = { name: "web-5d4f", uid: "6f1c2a3e-0000-4000-8000-000000000001" };
  for (let i = 0; i < 9; i++) await env.client.create(PODS, "default", pod(`web-5d4f-${i}`, { cpu: "100m", memory: "64Mi", labels: { app: "web" }, owner }));
  const perNode = new Map<string, number>();
  for (let i = 0; i < 9; i++) {
    const n = await boundNode(env, `web-5d4f-${i}`);
    perNode.set(n, (perNode.get(n) ?? 0) + 1);
  }
  assert.deepEqual([...perNode.values()].sort(), [3, 3, 3], `replicas per node: ${JSON.stringify([...perNode])}`);
});

test("anti-affinity keeps replicas apart; a deleted pod makes room for a waiting one", async (t) => {
  const env = await setUp(t);
  for (const n of ["a", "b", "c"]) await env.client.create(NODES, "", node(`node-${n}`, { cpu: "1" }));
  const apart = (name: string) => {
    const p = pod(name, { cpu: "100m", labels: { app: "etcd" } });
    (p.spec as any).affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "etcd" } }, topologyKey: "kubernetes.io/hostname" }] } };
    return p;
  };
  for (let i = 0; i < 3; i++) await env.client.create(PODS, "default", apart(`etcd-${i}`));
  const hosts = new Set<string>();
  for (let i = 0; i < 3; i++) hosts.add(await boundNode(env, `etcd-${i}`));
  assert.equal(hosts.size, 3, "one replica per node");
  await env.client.create(PODS, "default", apart("etcd-3"));
  const cond = await waitFor("etcd-3 unschedulable", async () => {
    const p = await env.client.get(PODS, "default", "etcd-3");
    return ((p.status as any).conditions as any[] | undefined)?.find((c) => c.type === "PodScheduled" && c.status === "False");
  });
  assert.equal(
    cond.message,
    "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
  );

  // Each node has 1 cpu; fill node-a, then a pod needing 950m waits until node-a's hog goes away.
  const full = await env.client.get(PODS, "default", "etcd-0");
  const host = (full.spec as any).nodeName as string;
  const hog = pod("hog", { cpu: "850m" });
  (hog.spec as any).nodeName = host;
  await env.client.create(PODS, "default", hog);
  const others = ["node-a", "node-b", "node-c"].filter((n) => n !== host);
  for (const n of others) {
    const filler = pod(`filler-${n}`, { cpu: "850m" });
    (filler.spec as any).nodeName = n;
    await env.client.create(PODS, "default", filler);
  }
  await env.client.create(PODS, "default", pod("waiting", { cpu: "500m" }));
  await waitFor("waiting unschedulable", async () => {
    const p = await env.client.get(PODS, "default", "waiting");
    return ((p.status as any).conditions as any[] | undefined)?.find((c) => c.type === "PodScheduled" && c.status === "False" && c.message.startsWith("0/3 nodes are available: 3 Insufficient cpu."));
  });
  await env.client.delete(PODS, "default", "hog", { gracePeriodSeconds: 0 });
  assert.equal(await boundNode(env, "waiting"), host);
});

test("pods/binding subresource and the legacy bindings collection over HTTP", async (t) => {
  const env = await setUp(t, { startScheduler: false });
  await env.client.create(NODES, "", node("pi-1"));
  await env.client.create(PODS, "default", pod("manual"));
  const binding = { apiVersion: "v1", kind: "Binding", metadata: { name: "manual" }, target: { apiVersion: "v1", kind: "Node", name: "pi-1" } };
  const ok = await env.http("POST", "/api/v1/namespaces/default/pods/manual/binding", binding);
  assert.equal(ok.status, 201);
  assert.deepEqual(ok.body, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });
  const bound = await env.client.get(PODS, "default", "manual");
  assert.equal((bound.spec as any).nodeName, "pi-1");
  assert.equal(((bound.status as any).conditions as any[]).find((c) => c.type === "PodScheduled").status, "True");

  const again = await env.http("POST", "/api/v1/namespaces/default/pods/manual/binding", { ...binding, target: { kind: "Node", name: "pi-2" } });
  assert.equal(again.status, 409);
  assert.equal(again.body.reason, "Conflict");
  assert.equal(again.body.message, 'Operation cannot be fulfilled on pods/binding "manual": pod manual is already assigned to node "pi-1"');
  assert.deepEqual(again.body.details, { name: "manual", group: "", kind: "pods/binding" });

  const mismatch = await env.http("POST", "/api/v1/namespaces/default/pods/manual/binding", { ...binding, metadata: { name: "other" } });
  assert.equal(mismatch.status, 400);
  assert.equal(mismatch.body.message, "name in URL does not match name in Binding object");

  const noTarget = await env.http("POST", "/api/v1/namespaces/default/pods/manual/binding", { ...binding, target: { kind: "Node" } });
  assert.equal(noTarget.status, 422);
  assert.match(noTarget.body.message, /target\.name: Required value/);

  const missing = await env.http("POST", "/api/v1/namespaces/default/pods/ghost/binding", { ...binding, metadata: { name: "ghost" } });
  assert.equal(missing.status, 404);
  assert.equal(missing.body.message, 'pods "ghost" not found');

  await env.client.create(PODS, "default", pod("legacy"));
  const legacy = await env.http("POST", "/api/v1/namespaces/default/bindings", { ...binding, metadata: { name: "legacy" } });
  assert.equal(legacy.status, 201);
  assert.equal(((await env.client.get(PODS, "default", "legacy")).spec as any).nodeName, "pi-1");

  await env.client.create(PODS, "default", pod("dry"));
  const dry = await env.http("POST", "/api/v1/namespaces/default/pods/dry/binding?dryRun=All", { ...binding, metadata: { name: "dry" } });
  assert.equal(dry.status, 201);
  assert.equal(((await env.client.get(PODS, "default", "dry")).spec as any).nodeName, undefined, "dry run leaves the pod unbound");
});
