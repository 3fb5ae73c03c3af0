/**
 * What one benchmark run measured, and the acceptance targets it is judged against.
 */
import type { LoadResult } from "./load.js";
import type { MachineInfo } from "./machine.js";
import type { ProcessMemory } from "./memory.js";
import type { SchedulerBenchRow } from "./scheduler.js";
import type { PodStartResult } from "./pod-start.js";
import type { SimNodesResult } from "./sim-nodes.js";
import type { StoreSizeResult } from "./store-size.js";
import type { WatchLatencyResult } from "./watch-latency.js";

export interface ThroughputRow {
  op: "create" | "get";
  concurrency: number;
  ours: LoadResult;
  baseline: LoadResult;
}

export interface MemoryResults {
  objects: number;
  settleMs: number;
  /** Fresh server, only the bootstrap objects. */
  empty: ProcessMemory;
  /** After creating `objects` ConfigMaps and idling `settleMs`. */
  loaded: ProcessMemory;
  /** The same server after `longIdleMs` of idling (V8 has shrunk its heap by then). */
  longIdleMs: number;
  settled: ProcessMemory;
  /** After the whole load run (throughput and watch), and the peak (VmHWM) until then. */
  afterLoadRssBytes: number;
  peakRssBytes: number;
  /** The bare Node HTTPS server, idle. */
  baseline: ProcessMemory;
}

export interface BenchResults {
  machine: MachineInfo;
  /** A shortened run (--quick): numbers are for trying the benchmark, not for the record. */
  quick: boolean;
  requestsPerLevel: number;
  /** Rounds per level (the median round is in `throughput`). */
  rounds: number;
  throughput: ThroughputRow[];
  watch: { ours: WatchLatencyResult; baseline: WatchLatencyResult };
  store: StoreSizeResult;
  storeKeys: number;
  storeWritesPerKey: number;
  memory: MemoryResults;
  /** Rows of the scheduler benchmark (test/bench/scheduler.ts). */
  scheduler: SchedulerBenchRow[];
  /** Pod start latency and agent RSS on Docker (test/bench/pod-start.ts); absent without a Docker engine. */
  podStart?: PodStartResult;
  /** Scale with simulated nodes in one agent process (test/bench/sim-nodes.ts); absent in results from before it existed. */
  simNodes?: SimNodesResult;
  durationMs: number;
}

/** The acceptance targets (upstream's SLO for single-object calls is 1 s; k3s idles at 300–565 MB). */
export const TARGETS = {
  /** p99 of single-object writes at concurrency 16. */
  writeP99Ms: 50,
  /** p99 of single-object reads at concurrency 16. */
  readP99Ms: 10,
  /** Creates per second (best concurrency level). */
  createsPerSecond: 1000,
  /** RSS idle with 1,000 objects. */
  idleRssBytes: 100 * 1024 * 1024,
  /** The concurrency the latency targets are stated at. */
  latencyConcurrency: 16,
  /** Pod start (create → Running) p50 ≤ 1.3 × raw `docker run` + 300 ms. */
  podStartRatio: 1.3,
  podStartOverheadMs: 300,
  /** Agent RSS with 20 pods (the k3s agent uses about 270 MB). */
  agentRssBytes: 50 * 1024 * 1024,
} as const;

/** Upstream's API call latency SLO for single-object calls (p99 over 5 minutes). */
export const UPSTREAM_SLO_MS = 1000;
/** Upstream's scheduler throughput floor in its CI, as test/bench/scheduler.ts quotes it. */
export const UPSTREAM_SCHEDULER_FLOOR = "upstream CI floor 680 pods/s at 5,000 nodes";
/** k3s's idle server RSS, as the acceptance text quotes it. */
export const K3S_IDLE_RSS_MB = "300–565 MB";

export interface TargetCheck {
  name: string;
  target: string;
  measured: string;
  met: boolean;
  /** What to compare with: upstream's SLO, k3s, the bare Node server of the same run. */
  reference: string;
}

/**
 * Judges a run against TARGETS.
 *
 * @example checkTargets(results).every((t) => t.met)
 */
export function checkTargets(r: BenchResults): TargetCheck[] {
  const at = (op: "create" | "get", c: number): LoadResult | undefined => r.throughput.find((t) => t.op === op && t.concurrency === c)?.ours;
  const writes = at("create", TARGETS.latencyConcurrency);
  const reads = at("get", TARGETS.latencyConcurrency);
  const creates = r.throughput.filter((t) => t.op === "create").map((t) => t.ours);
  const bestCreates = creates.reduce<LoadResult | undefined>((best, t) => (!best || t.perSecond > best.perSecond ? t : best), undefined);
  const rss = r.memory.loaded.rssBytes;
  const bareAt = (op: "create" | "get", c: number): LoadResult | undefined => r.throughput.find((t) => t.op === op && t.concurrency === c)?.baseline;
  const bare = (x: LoadResult | undefined, f: (l: LoadResult) => string): string => (x ? `; bare node ${f(x)}` : "");
  return [
    {
      name: `create p99 at concurrency ${TARGETS.latencyConcurrency}`,
      target: `≤ ${TARGETS.writeP99Ms} ms`,
      measured: writes ? `${ms(writes.latency.p99)} ms` : "not run",
      met: !!writes && writes.errors === 0 && writes.latency.p99 <= TARGETS.writeP99Ms,
      reference: `upstream SLO ${UPSTREAM_SLO_MS / 1000} s${bare(bareAt("create", TARGETS.latencyConcurrency), (l) => `${ms(l.latency.p99)} ms`)}`,
    },
    {
      name: `get p99 at concurrency ${TARGETS.latencyConcurrency}`,
      target: `≤ ${TARGETS.readP99Ms} ms`,
      measured: reads ? `${ms(reads.latency.p99)} ms` : "not run",
      met: !!reads && reads.errors === 0 && reads.latency.p99 <= TARGETS.readP99Ms,
      reference: `upstream SLO ${UPSTREAM_SLO_MS / 1000} s${bare(bareAt("get", TARGETS.latencyConcurrency), (l) => `${ms(l.latency.p99)} ms`)}`,
    },
    {
      name: "creates per second (best level)",
      target: `≥ ${TARGETS.createsPerSecond}`,
      measured: bestCreates ? `${Math.round(bestCreates.perSecond)} at concurrency ${bestCreates.concurrency}` : "not run",
      met: !!bestCreates && bestCreates.perSecond >= TARGETS.createsPerSecond,
      reference: bestCreates ? `bare node ${Math.round(bareAt("create", bestCreates.concurrency)?.perSecond ?? Number.NaN)} at concurrency ${bestCreates.concurrency}` : "",
    },
    {
      name: `idle RSS with ${r.memory.objects} objects`,
      target: `≤ ${mib(TARGETS.idleRssBytes)} MiB`,
      measured: `${mib(rss)} MiB`,
      met: rss <= TARGETS.idleRssBytes,
      reference: `k3s idles at ${K3S_IDLE_RSS_MB}; bare node ${mib(r.memory.baseline.rssBytes)} MiB`,
    },
    ...r.scheduler
      .filter((row) => row.target !== undefined)
      .map((row) => ({ name: row.metric, target: row.target!, measured: `${row.value} ${row.unit}`, met: row.ok === true, reference: row.unit === "pods/s" ? UPSTREAM_SCHEDULER_FLOOR : "" })),
    ...(r.podStart ? podStartTargets(r.podStart) : []),
  ];
}

function podStartTargets(p: PodStartResult): TargetCheck[] {
  const limit = p.dockerRun.p50 * TARGETS.podStartRatio + TARGETS.podStartOverheadMs;
  return [
    {
      name: `pod start p50 (create → Running, ${p.pods} pods)`,
      target: `≤ ${TARGETS.podStartRatio}× docker run + ${TARGETS.podStartOverheadMs} ms`,
      measured: `${ms(p.kubeLite.p50)} ms (${p.ratioP50.toFixed(2)}×, +${ms(p.overheadP50Ms)} ms)`,
      met: p.kubeLite.p50 <= limit,
      reference: `docker run p50 ${ms(p.dockerRun.p50)} ms, so ≤ ${ms(limit)} ms`,
    },
    {
      name: `agent RSS with ${p.agentRssPods} pods`,
      target: `≤ ${mib(TARGETS.agentRssBytes)} MiB`,
      measured: `${mib(p.agentRssBytes)} MiB`,
      met: p.agentRssBytes <= TARGETS.agentRssBytes,
      reference: `the k3s agent uses about 270 MB; bare node ${mib(p.bareNodeRssBytes)} MiB`,
    },
  ];
}

/** Milliseconds with precision that suits their size. */
export function ms(v: number): string {
  if (!Number.isFinite(v)) return "–";
  return v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0);
}

/** Bytes in MiB with one decimal. */
export function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}
