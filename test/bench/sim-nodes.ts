/**
 * Scale with simulated nodes: a server (control plane only) and ONE `kube-lite agent --runtime sim
 * --sim-nodes 50` process — fifty full agents (tunnel, node status, Lease, kubelet) on the in-memory
 * runtime. Measured: how long the nodes take to join and be Ready, then, for 1,000 pods in a few
 * Deployments, the time from the first create to every pod seen Running through a watch (pods/s), and
 * the agent process's RSS per node, idle and with the pods running. The whole path is real (controllers,
 * scheduler, fifty kubelets writing status through their tunnels) except that no container starts.
 *
 *   node --import tsx test/bench/sim-nodes.ts [--quick]     # prints the result
 *   import { benchSimNodes } from "./sim-nodes.js";         # from run.ts
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { BUNDLE, startServer, type TestServer } from "../integration/harness.js";
import { rssBytes } from "./memory.js";
import { request, watchFirstRunning } from "./pods.js";

export interface SimNodesOptions {
  nodes: number;
  deployments: number;
  replicasPerDeployment: number;
  /** Quiet time before each RSS reading (start-up or pod churn settles, the idle trimmer may run). */
  settleMs: number;
  /** Give up waiting for nodes or pods after this long. */
  timeoutMs: number;
}

/** The scale run: 50 nodes, 1,000 pods in 10 Deployments. */
export const SIM_NODES_FULL: SimNodesOptions = { nodes: 50, deployments: 10, replicasPerDeployment: 100, settleMs: 15_000, timeoutMs: 300_000 };
/** `--quick`: small enough to try in well under a minute. */
export const SIM_NODES_QUICK: SimNodesOptions = { nodes: 10, deployments: 2, replicasPerDeployment: 50, settleMs: 2_000, timeoutMs: 120_000 };

export interface SimNodesResult {
  nodes: number;
  pods: number;
  deployments: number;
  /** From starting the agent process to every node Ready. */
  nodesReadyMs: number;
  /** From the first Deployment create to the last pod seen Running. */
  allRunningMs: number;
  podsPerSecond: number;
  /** Pods per node, fewest and most. */
  podsPerNodeMin: number;
  podsPerNodeMax: number;
  agentRssIdleBytes: number;
  agentRssLoadedBytes: number;
  /** The server's RSS with every pod running. */
  serverRssLoadedBytes: number;
  /** CPU time (user + system) each process used from the first create to the last pod Running. */
  agentCpuMs: number;
  serverCpuMs: number;
  /** The agent's CPU use once every pod runs and nothing changes (pod workers' periodic resyncs, node status, Leases), in % of one core. */
  agentIdleCpuPercent: number;
}

/** Linux's USER_HZ: /proc/PID/stat counts CPU time in these ticks per second. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * User + system CPU time of a process so far, in ms, from /proc/PID/stat (fields 14 and 15, counted
 * after the command name, which may itself contain spaces and parentheses).
 *
 * @example cpuMs(process.pid) // 1234
 */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Counts pods first seen Running, per node; `done` resolves when `want` of them have been. */
function watchRunning(server: TestServer, rv: string, want: number): { running(): number; done: Promise<number>; nodes: Map<string, number>; close(): void } {
  let running = 0;
  const nodes = new Map<string, number>();
  let resolveDone!: (t: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));
  const close = watchFirstRunning(server, rv, (pod, t) => {
    const node = pod.spec?.nodeName ?? "";
    nodes.set(node, (nodes.get(node) ?? 0) + 1);
    if (++running === want) resolveDone(t);
  });
  return { running: () => running, done, nodes, close };
}

async function readyNodes(server: TestServer): Promise<number> {
  const r = await request(server, "GET", "/api/v1/nodes?labelSelector=node.kube-lite.io%2Fsimulated%3Dtrue");
  if (r.status !== 200) return 0;
  const list = JSON.parse(r.body) as { items: { status?: { conditions?: { type: string; status: string }[] } }[] };
  return list.items.filter((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")).length;
}

function deployment(name: string, replicas: number): unknown {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: "app", image: "registry.invalid/app:1" }] } },
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the simulated-node benchmark.
 *
 * @example const r = await benchSimNodes(SIM_NODES_QUICK); // { nodes: 10, pods: 100, podsPerSecond: …, … }
 */
export async function benchSimNodes(opts: SimNodesOptions = SIM_NODES_FULL): Promise<SimNodesResult> {
  const pods = opts.deployments * opts.replicasPerDeployment;
  const server = await startServer();
  const agentDir = mkdtempSync(path.join(os.tmpdir(), "kube-lite-bench-sim-"));
  let agent: ChildProcess | undefined;
  let agentLog = "";
  const fail = (what: string): Error => new Error(`${what}\n--- agent:\n${agentLog.slice(-2000)}\n--- server:\n${server.logs().slice(-2000)}`);
  try {
    const token = readFileSync(path.join(server.dataDir, "server", "token"), "utf8").trim();
    const t0 = performance.now();
    agent = spawn(process.execPath, [BUNDLE, "agent", "--join", `https://127.0.0.1:${server.port}`, "--token", token, "--node-name", "bench-sim", "--data-dir", agentDir, "--runtime", "sim", "--sim-nodes", String(opts.nodes)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    agent.stdout!.on("data", (d: Buffer) => (agentLog = (agentLog + d.toString()).slice(-20_000)));
    agent.stderr!.on("data", (d: Buffer) => (agentLog = (agentLog + d.toString()).slice(-20_000)));
    while ((await readyNodes(server)) < opts.nodes) {
      if (performance.now() - t0 > opts.timeoutMs || agent.exitCode !== null) throw fail(`${opts.nodes} simulated nodes were not Ready in time`);
      await sleep(250);
    }
    const nodesReadyMs = performance.now() - t0;
    await sleep(opts.settleMs);
    const agentRssIdleBytes = rssBytes(agent.pid!);

    const list = JSON.parse((await request(server, "GET", "/api/v1/namespaces/default/pods")).body) as { metadata: { resourceVersion: string } };
    const watch = watchRunning(server, list.metadata.resourceVersion, pods);
    let allRunningMs: number;
    const cpuBefore = { agent: cpuMs(agent.pid!), server: cpuMs(server.proc.pid!) };
    const cpuAfter = { agent: 0, server: 0 };
    try {
      const started = performance.now();
      for (let i = 0; i < opts.deployments; i++) {
        const r = await request(server, "POST", "/apis/apps/v1/namespaces/default/deployments", deployment(`sim-${i}`, opts.replicasPerDeployment));
        if (r.status !== 201) throw fail(`creating Deployment sim-${i}: ${r.status} ${r.body}`);
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(fail(`only ${watch.running()}/${pods} pods Running after ${opts.timeoutMs / 1000} s`)), opts.timeoutMs)));
      try {
        allRunningMs = (await Promise.race([watch.done, timeout])) - started;
        cpuAfter.agent = cpuMs(agent.pid!);
        cpuAfter.server = cpuMs(server.proc.pid!);
      } finally {
        clearTimeout(timer);
      }
    } finally {
      watch.close();
    }
    const perNode = [...watch.nodes.values()];
    const settleStart = { at: performance.now(), cpu: cpuMs(agent.pid!) };
    await sleep(opts.settleMs);
    const agentIdleCpuPercent = ((cpuMs(agent.pid!) - settleStart.cpu) / (performance.now() - settleStart.at)) * 100;
    const agentRssLoadedBytes = rssBytes(agent.pid!);
    if (server.proc.exitCode !== null || server.proc.signalCode !== null) throw new Error(`the server exited (${server.proc.exitCode ?? server.proc.signalCode}):\n${server.logs().slice(-3000)}`);
    const serverRssLoadedBytes = rssBytes(server.proc.pid!);
    return {
      nodes: opts.nodes,
      pods,
      deployments: opts.deployments,
      nodesReadyMs,
      allRunningMs,
      podsPerSecond: pods / (allRunningMs / 1000),
      podsPerNodeMin: watch.nodes.size < opts.nodes ? 0 : Math.min(...perNode),
      podsPerNodeMax: Math.max(...perNode),
      agentRssIdleBytes,
      agentRssLoadedBytes,
      serverRssLoadedBytes,
      agentCpuMs: cpuAfter.agent - cpuBefore.agent,
      serverCpuMs: cpuAfter.server - cpuBefore.server,
      agentIdleCpuPercent,
    };
  } finally {
    if (agent && agent.exitCode === null) {
      const exited = new Promise((r) => agent!.once("exit", r));
      agent.kill("SIGTERM");
      await Promise.race([exited, sleep(10_000)]);
      if (agent.exitCode === null) agent.kill("SIGKILL");
    }
    await server.stop();
    server.cleanup();
    rmSync(agentDir, { recursive: true, force: true });
  }
}

// Run directly: print the result.
if (process.argv[1] && /sim-nodes\.ts$/.test(process.argv[1])) {
  benchSimNodes(process.argv.includes("--quick") ? SIM_NODES_QUICK : SIM_NODES_FULL).then(
    (r) => process.stdout.write(JSON.stringify(r, null, 2) + "\n"),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
