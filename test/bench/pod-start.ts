/**
 * Pod start latency and agent memory, on the real Docker engine: a server (control plane only) and
 * one `kube-lite agent` process; pods are created one at a time and timed from the create request to
 * a watch event showing them Running. In the same run, the same image is started with raw
 * `docker run -d` the same number of times, so the ratio (target ≤ 1.3× plus a fixed ≤ 300 ms) is
 * measured against a baseline on the same machine. Then the agent's RSS with the pods running.
 *
 * Standalone: node --import tsx test/bench/pod-start.ts [--quick]
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BUNDLE, clusterCidr, REPO, startServer, stopProcess, type TestServer } from "../integration/harness.js";
import { rssBytes } from "./memory.js";
import { request, watchFirstRunning } from "./pods.js";
import { summarize, type LatencySummary } from "./stats.js";
import { DOCKER, removeNodeFromDocker } from "../integration/docker-node.js";

/** Quiet time before the agent's RSS is read (its pods are running, nothing else happens). */
const AGENT_SETTLE_MS = 15_000;
/**
 * The agent's RSS is then read this many times, 2 s apart, and the median reported: a steady agent's
 * RSS still moves by about 1.5 MiB between young-generation collections and its idle trim (traced over
 * a minute with 20 pods), so one reading picked a point of that cycle at random.
 */
const AGENT_RSS_READINGS = 11;
const AGENT_RSS_READING_GAP_MS = 2_000;
export const POD_BENCH_IMAGE = "kube-lite-test/busybox:latest";

/** The agent's systemd unit, whose environment the benchmark gives the agent. */
const AGENT_UNIT = path.join(REPO, "packaging", "kube-lite-agent.service");

/**
 * The variables a systemd unit sets with `Environment=` lines (assignments separated by spaces, each
 * possibly in double or single quotes, as systemd reads them; a later one wins).
 * @example unitEnvironment('Environment="NODE_OPTIONS=--a --b" X=1') // { NODE_OPTIONS: "--a --b", X: "1" }
 */
export function unitEnvironment(unitText: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of unitText.split("\n")) {
    const m = /^Environment=(.*)$/.exec(line.trim());
    if (!m) continue;
    for (const word of m[1]!.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
      const assignment = word[1] ?? word[2] ?? word[3]!;
      const eq = assignment.indexOf("=");
      if (eq > 0) env[assignment.slice(0, eq)] = assignment.slice(eq + 1);
    }
  }
  return env;
}

/**
 * The environment the agent runs with here: as installed by packaging/install.sh, i.e. its unit's
 * `Environment=` lines (NODE_OPTIONS with the agent's V8 sizing) on top of this process's environment,
 * less what a host sets for its own Node tools: an installed agent's environment is systemd's plus
 * /etc/default/kube-lite-agent, so it never inherits them. NODE_EXTRA_CA_CERTS matters most: on our
 * build machines it names the system CA bundle, and Node then parses about 140 extra certificates
 * into every process at start (measured: +1.7 MB RSS for a bare `node`).
 *
 * @example spawn(process.execPath, args, { env: serviceEnvironment() })
 */
export function serviceEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_OPTIONS;
  return { ...env, ...unitEnvironment(readFileSync(AGENT_UNIT, "utf8")), ...extra };
}

/**
 * RSS of an idle bare Node process (same executable and environment as the agent), read after a
 * second: what any Node program costs before it does anything, to read the agent's RSS against.
 */
async function bareNodeRssBytes(env: NodeJS.ProcessEnv): Promise<number> {
  const bare = spawn(process.execPath, ["-e", "setInterval(() => {}, 1 << 30)"], { stdio: "ignore", env });
  try {
    await new Promise((r) => setTimeout(r, 1000));
    return rssBytes(bare.pid!);
  } finally {
    bare.kill("SIGKILL");
  }
}

export interface PodStartOptions {
  pods: number;
  /** Pods running when the agent's memory is read (the acceptance text says 20). */
  rssPods: number;
  /** The bundle the agent runs (default dist/kube-lite.cjs), to compare builds side by side. */
  agentBundle?: string;
  /** Extra environment for the agent process (e.g. NODE_OPTIONS for a measurement hook). */
  agentEnv?: Record<string, string>;
  /** Called with the agent's pid when its RSS is read (rssPods running, quiet), e.g. to read /proc/PID/smaps. */
  inspectAgent?: (pid: number) => void | Promise<void>;
}

export const POD_START_FULL: PodStartOptions = { pods: 30, rssPods: 20 };
export const POD_START_QUICK: PodStartOptions = { pods: 5, rssPods: 5 };

export interface PodStartResult {
  pods: number;
  kubeLite: LatencySummary;
  dockerRun: LatencySummary;
  /** p50 ratio and the fixed overhead at p50 (kube-lite − docker run). */
  ratioP50: number;
  overheadP50Ms: number;
  agentRssBytes: number;
  agentRssPods: number;
  /** RSS of an idle bare `node` in the agent's environment, read in the same run. */
  bareNodeRssBytes: number;
  /** The largest of the agent's RSS readings (agentRssBytes is their median). */
  agentRssMaxBytes: number;
}

export function dockerAvailable(): boolean {
  return spawnSync(DOCKER, ["image", "inspect", POD_BENCH_IMAGE], { stdio: "ignore" }).status === 0;
}

/** Resolves `runningAt(name)` with the time the pod was first seen Running. */
function watchRunning(server: TestServer, rv: string): { runningAt(name: string): Promise<number>; close(): void } {
  const seen = new Map<string, number>();
  const waiters = new Map<string, (t: number) => void>();
  const close = watchFirstRunning(server, rv, (pod, t) => {
    seen.set(pod.metadata.name, t);
    waiters.get(pod.metadata.name)?.(t);
  });
  return {
    runningAt: (name) => {
      const t = seen.get(name);
      return t !== undefined ? Promise.resolve(t) : new Promise((resolve) => waiters.set(name, resolve));
    },
    close,
  };
}

function dockerRunLatencies(count: number): number[] {
  const out: number[] = [];
  const ids: string[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      const r = spawnSync(DOCKER, ["run", "-d", "--network", "none", POD_BENCH_IMAGE, "sleep", "3600"], { encoding: "utf8" });
      out.push(performance.now() - t0);
      if (r.status !== 0) throw new Error(`docker run failed: ${r.stderr}`);
      ids.push(r.stdout.trim());
    }
  } finally {
    if (ids.length) spawnSync(DOCKER, ["rm", "-f", ...ids], { stdio: "ignore" });
  }
  return out;
}

export async function benchPodStart(opts: PodStartOptions): Promise<PodStartResult> {
  const node = `bench-agent-${process.pid}`;
  const server = await startServer({ args: ["--cluster-cidr", clusterCidr()] });
  const agentDir = mkdtempSync(path.join(os.tmpdir(), "kube-lite-bench-agent-"));
  let agent: ChildProcess | undefined;
  try {
    const token = readFileSync(path.join(server.dataDir, "server", "token"), "utf8").trim();
    const agentEnv = serviceEnvironment(opts.agentEnv);
    agent = spawn(process.execPath, [opts.agentBundle ?? BUNDLE, "agent", "--join", `https://127.0.0.1:${server.port}`, "--token", token, "--node-name", node, "--data-dir", agentDir], { stdio: ["ignore", "pipe", "pipe"], env: agentEnv });
    let agentLog = "";
    agent.stdout!.on("data", (d: Buffer) => (agentLog += d.toString()));
    agent.stderr!.on("data", (d: Buffer) => (agentLog += d.toString()));
    const deadline = Date.now() + 60_000;
    while (!agentLog.includes("agent is running")) {
      if (Date.now() > deadline || agent.exitCode !== null) throw new Error(`agent did not start:\n${agentLog.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // A pod is never Running if the agent died (e.g. with V8 flags under test): fail instead of waiting forever.
    const running = agent;
    const agentGone = new Promise<never>((_resolve, reject) => running.once("exit", (code, signal) => reject(new Error(`the agent exited (${code ?? signal}):\n${agentLog.slice(-2000)}`))));
    agentGone.catch(() => undefined);
    const list = JSON.parse((await request(server, "GET", "/api/v1/namespaces/default/pods")).body) as { metadata: { resourceVersion: string } };
    const watch = watchRunning(server, list.metadata.resourceVersion);
    const latencies: number[] = [];
    let agentRss = 0;
    let bareRss = 0;
    let agentRssMax = 0;
    try {
      for (let i = 0; i < opts.pods; i++) {
        const name = `start-${i}`;
        const t0 = performance.now();
        const r = await request(server, "POST", "/api/v1/namespaces/default/pods", {
          metadata: { name },
          spec: { nodeName: undefined, nodeSelector: { "kubernetes.io/hostname": node }, terminationGracePeriodSeconds: 1, containers: [{ name: "c", image: POD_BENCH_IMAGE, imagePullPolicy: "IfNotPresent", command: ["sleep", "3600"] }] },
        });
        if (r.status !== 201) throw new Error(`creating ${name}: ${r.status} ${r.body}`);
        latencies.push((await Promise.race([watch.runningAt(name), agentGone])) - t0);
        if (i + 1 === opts.rssPods) {
          await new Promise((r) => setTimeout(r, AGENT_SETTLE_MS)); // let the agent go quiet before reading its memory
          const readings: number[] = [];
          for (let k = 0; k < AGENT_RSS_READINGS; k++) {
            if (k) await new Promise((r) => setTimeout(r, AGENT_RSS_READING_GAP_MS));
            readings.push(rssBytes(agent.pid!));
          }
          readings.sort((a, b) => a - b);
          agentRss = readings[readings.length >> 1]!;
          agentRssMax = readings[readings.length - 1]!;
          await opts.inspectAgent?.(agent.pid!);
          bareRss = await bareNodeRssBytes(agentEnv);
        }
      }
    } finally {
      watch.close();
    }
    const docker = dockerRunLatencies(opts.pods);
    const ours = summarize(latencies);
    const base = summarize(docker);
    return {
      pods: opts.pods,
      kubeLite: ours,
      dockerRun: base,
      ratioP50: ours.p50 / base.p50,
      overheadP50Ms: ours.p50 - base.p50,
      agentRssBytes: agentRss,
      agentRssPods: opts.rssPods,
      bareNodeRssBytes: bareRss,
      agentRssMaxBytes: agentRssMax,
    };
  } finally {
    if (agent) await stopProcess(agent);
    await server.stop();
    server.cleanup();
    removeNodeFromDocker(node);
    rmSync(agentDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const r = await benchPodStart(process.argv.includes("--quick") ? POD_START_QUICK : POD_START_FULL);
  process.stdout.write(JSON.stringify(r, null, 2) + "\n");
}
