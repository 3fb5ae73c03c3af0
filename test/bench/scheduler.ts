/**
 * Scheduler throughput: 100 Node objects (no agents) and 3,000 pending pods in 30 ReplicaSets' worth of
 * replicas, all in the real control plane over SQLite; the clock runs from starting the scheduler until
 * every pod is bound through the pods/binding code path (each bind a durable write, plus its PodScheduled
 * condition and Scheduled event). Target ≥ 1,000 pods/s (upstream's CI floor is 680 pods/s at 5,000 nodes).
 *
 *   node --import tsx test/bench/scheduler.ts            # prints the rows
 *   import { benchScheduler } from "./scheduler.js";     # from run.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pino } from "pino";
import { openSqliteDriver } from "../../src/server/storage/sqlite-driver.js";
import { RevisionLog } from "../../src/server/storage/revision-log.js";
import { buildControlPlane } from "../../src/server/control-plane.js";
import { LocalClient } from "../../src/server/local-client.js";
import { Scheduler } from "../../src/server/scheduler/scheduler.js";
import { localBinder } from "../../src/server/scheduler/binder.js";
import type { KubeObject } from "../../src/shared/api/types.js";

export interface SchedulerBenchOptions {
  nodes: number;
  pods: number;
  /** Replicas per owner (pods of one owner are spread by the default topology spreading). */
  podsPerOwner: number;
  /** Pods created at once while setting up (only the setup, not the measured part). */
  createConcurrency: number;
  /** Give up waiting for the binds after this long. */
  timeoutMs: number;
  /** Override the scheduler's bindings in flight (default: the scheduler's own default). */
  bindConcurrency?: number;
}

export const SCHEDULER_BENCH_FULL: SchedulerBenchOptions = { nodes: 100, pods: 3000, podsPerOwner: 100, createConcurrency: 32, timeoutMs: 120_000 };
export const SCHEDULER_BENCH_QUICK: SchedulerBenchOptions = { ...SCHEDULER_BENCH_FULL, pods: 500 };

/** The acceptance target (issue 3). */
export const SCHEDULER_TARGET_PODS_PER_SECOND = 1000;

export interface SchedulerBenchRow {
  metric: string;
  value: number;
  unit: string;
  /** Human-readable target, when the row has one. */
  target?: string;
  /** Whether the row meets its target (undefined when it has none). */
  ok?: boolean;
}

const quiet = pino({ level: "silent" });

function benchNode(i: number): KubeObject {
  const resources = { cpu: "16", memory: "64Gi", pods: "110", "ephemeral-storage": "100Gi" };
  const name = `sim-node-${String(i).padStart(3, "0")}`;
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "arm64", "topology.kubernetes.io/zone": `zone-${i % 3}` } },
    status: { capacity: resources, allocatable: resources, conditions: [{ type: "Ready", status: "True" }] },
  };
}

function benchPod(i: number, owner: { name: string; uid: string }): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `${owner.name}-${i}`, namespace: "default", labels: { app: owner.name }, ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: owner.name, uid: owner.uid, controller: true }] },
    spec: { containers: [{ name: "app", image: "registry.local/app:1", resources: { requests: { cpu: "100m", memory: "128Mi" } } }] },
  };
}

async function inBatches(n: number, concurrency: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

/**
 * Runs the scheduler benchmark and returns its rows.
 *
 * @example const rows = await benchScheduler(); // [{ metric: "scheduler throughput", value: 1234, unit: "pods/s", … }, …]
 */
export async function benchScheduler(opts: SchedulerBenchOptions = SCHEDULER_BENCH_FULL): Promise<SchedulerBenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "kube-lite-bench-sched-"));
  const driver = await openSqliteDriver({ dir, logger: quiet });
  const store = new RevisionLog(driver, { logger: quiet });
  let scheduler: Scheduler | undefined;
  try {
    const cp = await buildControlPlane({ store, log: quiet });
    const client = new LocalClient(cp);
    await client.create({ group: "", plural: "namespaces" }, "", { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } });
    for (let i = 0; i < opts.nodes; i++) await client.create({ group: "", plural: "nodes" }, "", benchNode(i));
    const owners = Array.from({ length: Math.ceil(opts.pods / opts.podsPerOwner) }, (_v, i) => ({ name: `app-${i}`, uid: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}` }));
    await inBatches(opts.pods, opts.createConcurrency, (i) => client.create({ group: "", plural: "pods" }, "default", benchPod(i, owners[i % owners.length]!)));

    scheduler = new Scheduler(client, localBinder(cp), quiet, { bindConcurrency: opts.bindConcurrency });
    const started = performance.now();
    scheduler.start();
    await scheduler.waitForSync();
    const synced = performance.now();
    const deadline = started + opts.timeoutMs;
    while (scheduler.scheduledCount < opts.pods) {
      if (performance.now() > deadline) throw new Error(`scheduler bound ${scheduler.scheduledCount}/${opts.pods} pods in ${opts.timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const done = performance.now();
    // Check through the API that every pod is bound, and how evenly.
    const pods = await client.list({ group: "", plural: "pods" }, "default");
    const perNode = new Map<string, number>();
    for (const p of pods.items) {
      const n = (p.spec as { nodeName?: string }).nodeName;
      if (!n) throw new Error(`pod ${p.metadata.name} is not bound`);
      perNode.set(n, (perNode.get(n) ?? 0) + 1);
    }
    const counts = [...perNode.values()];
    const seconds = (done - synced) / 1000;
    const rate = opts.pods / seconds;
    return [
      { metric: `scheduler throughput (${opts.nodes} nodes, ${opts.pods} pods)`, value: Math.round(rate), unit: "pods/s", target: `≥ ${SCHEDULER_TARGET_PODS_PER_SECOND}`, ok: rate >= SCHEDULER_TARGET_PODS_PER_SECOND },
      { metric: "time to bind all pods (after informer sync)", value: Math.round(done - synced), unit: "ms" },
      { metric: "informer sync (list of nodes and pods)", value: Math.round(synced - started), unit: "ms" },
      { metric: "pods per node, min–max", value: Math.min(...counts), unit: `–${Math.max(...counts)} over ${perNode.size} nodes` },
    ];
  } finally {
    scheduler?.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run directly: print the rows.
if (process.argv[1] && /scheduler\.ts$/.test(process.argv[1])) {
  const quick = process.argv.includes("--quick");
  benchScheduler(quick ? SCHEDULER_BENCH_QUICK : SCHEDULER_BENCH_FULL).then(
    (rows) => {
      for (const r of rows) console.log(`${r.metric}: ${r.value} ${r.unit}${r.target ? ` (target ${r.target}${r.ok ? ", met" : ", NOT met"})` : ""}`);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
