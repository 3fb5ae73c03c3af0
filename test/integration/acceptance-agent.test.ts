/**
 * Issue 3's first acceptance bullet, end to end on a real two-node cluster and only through the real
 * kubectl: a server with its embedded agent plus a second `kube-lite agent` process (own node name
 * and data dir, same Docker engine). It shows: both nodes Ready; a pod on the second node whose two
 * containers share localhost and an emptyDir (one writes, one serves with httpd); logs, exec -it and
 * cp in both directions through the second agent's tunnel; CrashLoopBackOff with growing back-off; a
 * liveness restart; readiness gating Ready; the upstream FailedScheduling reason for pods that fit
 * nowhere; and deletion that stops a SIGTERM-ignoring container within its grace period. Logs,
 * exec -it, cp and port-forward (HTTP GETs through it) run through kubectl 1.32 (WebSocket; SPDY in
 * a WebSocket or raw for port-forward) and kubectl 1.28 (SPDY/3.1).
 *
 * All pods are created at once after the nodes are Ready, so their slow parts (back-off, probes)
 * overlap; a background poller records the crash-looping pod's restarts while other tests run.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BUNDLE, clusterCidr, kubectlBinary, startServer, type KubectlResult, stopProcess, type TestServer } from "./harness.js";
import { DOCKER, dockerSkip, removeNodeFromDocker, TEST_IMAGE } from "./docker-node.js";

const IMAGE = TEST_IMAGE;
const skip = dockerSkip;
const hasScript = spawnSync("script", ["--version"], { stdio: "ignore" }).status === 0;

const suffix = `${process.pid}`;
const SERVER_NODE = `acc-server-${suffix}`;
const AGENT_NODE = `acc-agent-${suffix}`;
// A 10.X.0.0/16 no other test process holds, so the nodes' Docker networks never overlap theirs.
const CLUSTER_CIDR = clusterCidr();
/** The liveness and readiness probes tick every second, so their effects show within a few seconds. */
const PROBE_PERIOD_SECONDS = 1;
/** Long enough that an early SIGKILL would show, short enough to keep the file quick. */
const DOOMED_GRACE_SECONDS = 5;
/** kubectl start-up, the watch that `kubectl delete` waits on, and a loaded 2-core machine. */
const DELETE_SLACK_MS = 6_000;

let server: TestServer;
let agent: ChildProcess | undefined;
let agentLog = "";
let agentDir = "";
let work = "";

function diagnostics(): string {
  return `\n--- server log (tail):\n${server.logs().slice(-3000)}\n--- agent log (tail):\n${agentLog.slice(-3000)}`;
}

/** Runs kubectl 1.32 (or another minor) and asserts it succeeded, with its stderr and the logs. */
function ok(args: string[], opts: { minor?: number; input?: string } = {}): string {
  const r = server.kubectl(args, { ...opts, timeoutMs: 60_000 });
  assert.equal(r.status, 0, `kubectl ${args.join(" ")} exited ${r.status}: ${r.stderr}${diagnostics()}`);
  return r.stdout;
}

/** The environment the harness gives kubectl, for kubectl runs that do not go through it. */
function kubectlEnv(): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: work, KUBECONFIG: server.kubeconfig, KUBECACHEDIR: path.join(work, "cache") };
}

/** kubectl without blocking the event loop (for the background poller). */
function kubectlAsync(args: string[]): Promise<KubectlResult> {
  return new Promise((resolve) => {
    execFile(kubectlBinary(), args, { env: kubectlEnv(), timeout: 30_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 60_000, everyMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${diagnostics()}`);
    await sleep(everyMs);
  }
}

// The minimal slices of the Pod and Event JSON these tests read.
interface ContainerState {
  running?: { startedAt?: string };
  waiting?: { reason?: string; message?: string };
  terminated?: { exitCode?: number; reason?: string; startedAt?: string; finishedAt?: string };
}
interface ContainerStatus { name: string; ready: boolean; restartCount: number; containerID?: string; state?: ContainerState; lastState?: ContainerState }
interface Condition { type: string; status: string; reason?: string; message?: string }
interface PodJson {
  metadata: { name: string; uid: string };
  spec: { nodeName?: string };
  status: { phase?: string; podIP?: string; conditions?: Condition[]; containerStatuses?: ContainerStatus[] };
}
interface EventJson { reason?: string; type?: string; message?: string; count?: number; involvedObject?: { name?: string; uid?: string } }

function getPod(name: string): PodJson | undefined {
  const r = server.kubectl(["get", "pod", name, "-o", "json"]);
  return r.status === 0 ? (JSON.parse(r.stdout) as PodJson) : undefined;
}

function condition(pod: PodJson | undefined, type: string): Condition | undefined {
  return pod?.status.conditions?.find((c) => c.type === type);
}

function podEvents(name: string): EventJson[] {
  return (JSON.parse(ok(["get", "events", "--field-selector", `involvedObject.name=${name}`, "-o", "json"])) as { items: EventJson[] }).items;
}

/** `docker ps -a` rows (id and state) of every container, sandbox included, of one pod UID. */
function dockerContainersOf(uid: string): string[] {
  const r = spawnSync(DOCKER, ["ps", "-a", "--filter", `label=io.kubernetes.pod.uid=${uid}`, "--format", "{{.ID}} {{.State}}"], { encoding: "utf8" });
  return r.stdout.trim().split("\n").filter(Boolean);
}

const pinned = { nodeSelector: { "kubernetes.io/hostname": AGENT_NODE } };
const container = (name: string, command: string, extra: Record<string, unknown> = {}) => ({ name, image: IMAGE, imagePullPolicy: "IfNotPresent", command: ["sh", "-c", command], ...extra });
const pod = (name: string, spec: Record<string, unknown>) => ({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default" }, spec: { terminationGracePeriodSeconds: 1, ...spec } });

const PODS = [
  // One container writes a page into the emptyDir every second (atomically, via rename) and logs
  // what it wrote; the other serves the emptyDir over HTTP on the pod's shared localhost.
  pod("web", {
    ...pinned,
    volumes: [{ name: "shared", emptyDir: {} }],
    containers: [
      container("writer", 'i=0; while true; do i=$((i+1)); echo "written-by-writer $i" > /shared/.next && mv /shared/.next /shared/index.html; echo "wrote $i"; sleep 1; done', {
        volumeMounts: [{ name: "shared", mountPath: "/shared" }],
      }),
      container("server", "exec httpd -f -p 8080 -h /shared", {
        volumeMounts: [{ name: "shared", mountPath: "/shared" }],
        ports: [{ name: "http", containerPort: 8080 }],
        readinessProbe: { httpGet: { path: "/index.html", port: "http" }, periodSeconds: PROBE_PERIOD_SECONDS },
      }),
    ],
  }),
  pod("crasher", { ...pinned, containers: [container("crash", "echo crashing; exit 3")] }),
  pod("liveness", {
    ...pinned,
    containers: [container("app", "touch /tmp/healthy; sleep 2; rm /tmp/healthy; exec sleep 3600", {
      livenessProbe: { exec: { command: ["cat", "/tmp/healthy"] }, periodSeconds: PROBE_PERIOD_SECONDS, failureThreshold: 2 },
    })],
  }),
  pod("gated", {
    ...pinned,
    containers: [container("app", "exec sleep 3600", { readinessProbe: { exec: { command: ["cat", "/tmp/ready"] }, periodSeconds: PROBE_PERIOD_SECONDS } })],
  }),
  // Ignores SIGTERM, so only the SIGKILL at the end of the grace period stops it.
  pod("doomed", { ...pinned, terminationGracePeriodSeconds: DOOMED_GRACE_SECONDS, containers: [container("app", "trap '' TERM; while true; do sleep 0.2; done")] }),
  // Fits nowhere: a label no node has.
  pod("nowhere", { nodeSelector: { "kube-lite.test/nobody": "matches" }, containers: [container("app", "sleep 3600")] }),
  // Fits nowhere for two different reasons: only the agent's node is allowed, and it lacks the cpu.
  pod("toobig", {
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [AGENT_NODE] }] }] } } },
    containers: [container("app", "sleep 3600", { resources: { requests: { cpu: "1000" } } })],
  }),
];

/** What the background poller saw of the crash-looping container, by restart count. */
const crashSeen = new Map<number, ContainerStatus>();
let pollCrasher = true;
let crasherPoller: Promise<void> = Promise.resolve();

/** The restart counts the crash-loop test reads; the poller stops once it has seen them. */
const CRASH_RESTARTS_CHECKED = [1, 2, 3];

async function pollCrasherLoop(): Promise<void> {
  while (pollCrasher && !CRASH_RESTARTS_CHECKED.every((n) => crashSeen.has(n))) {
    const r = await kubectlAsync(["get", "pod", "crasher", "-o", "json"]);
    if (r.status === 0) {
      const s = (JSON.parse(r.stdout) as PodJson).status.containerStatuses?.[0];
      // Keep the first sighting with a back-off message per restart count: its lastState is the
      // instance that just died.
      if (s && s.state?.waiting?.reason === "CrashLoopBackOff" && !crashSeen.has(s.restartCount)) crashSeen.set(s.restartCount, s);
    }
    await sleep(700);
  }
}

before(async () => {
  if (skip) return;
  work = mkdtempSync(path.join(os.tmpdir(), "kube-lite-acc-"));
  server = await startServer({ embeddedAgentNode: SERVER_NODE, args: ["--cluster-cidr", CLUSTER_CIDR] });
  agentDir = mkdtempSync(path.join(os.tmpdir(), "kube-lite-acc-agent-"));
  const joinToken = readFileSync(path.join(server.dataDir, "server", "token"), "utf8").trim();
  agent = spawn(process.execPath, [BUNDLE, "agent", "--join", `https://127.0.0.1:${server.port}`, "--token", joinToken, "--node-name", AGENT_NODE, "--data-dir", agentDir], { stdio: ["ignore", "pipe", "pipe"] });
  agent.stdout!.on("data", (d: Buffer) => (agentLog += d.toString()));
  agent.stderr!.on("data", (d: Buffer) => (agentLog += d.toString()));
  await waitFor("two Ready nodes", () => {
    if (agent!.exitCode !== null || agent!.signalCode !== null) throw new Error(`the agent exited (${agent!.exitCode ?? agent!.signalCode}) before its node was Ready${diagnostics()}`);
    const r = server.kubectl(["get", "nodes", "--no-headers"]);
    return r.status === 0 && [SERVER_NODE, AGENT_NODE].every((n) => new RegExp(`^${n}\\s+Ready\\s`, "m").test(r.stdout));
  }, 90_000);
  ok(["apply", "-f", "-"], { input: JSON.stringify({ apiVersion: "v1", kind: "List", items: PODS }) });
  crasherPoller = pollCrasherLoop();
});

after(async () => {
  if (skip) return;
  pollCrasher = false;
  await crasherPoller;
  if (agent) await stopProcess(agent);
  if (server) {
    await server.stop();
    server.cleanup();
  }
  // Containers, volumes and networks of these test nodes are not left behind.
  for (const node of [SERVER_NODE, AGENT_NODE]) {
    removeNodeFromDocker(node);
  }
  for (const dir of [agentDir, work]) if (dir) rmSync(dir, { recursive: true, force: true });
});

test("both nodes are Ready: the server's own and the joined agent's", { skip }, () => {
  const nodes = ok(["get", "nodes", "--no-headers"]);
  assert.match(nodes, new RegExp(`^${SERVER_NODE}\\s+Ready\\s+control-plane\\s`, "m"));
  assert.match(nodes, new RegExp(`^${AGENT_NODE}\\s+Ready\\s+<none>\\s`, "m"));
  assert.equal(nodes.trim().split("\n").length, 2, nodes);
});

test("a pod on the second node: two containers share localhost and an emptyDir (one writes, one serves)", { skip }, async () => {
  const web = await waitFor("web Running and Ready", () => {
    const p = getPod("web");
    return p?.status.phase === "Running" && condition(p, "Ready")?.status === "True" ? p : undefined;
  }, 90_000);
  assert.equal(web.spec.nodeName, AGENT_NODE);
  assert.deepEqual(web.status.containerStatuses?.map((s) => [s.name, s.ready, s.restartCount]), [["writer", true, 0], ["server", true, 0]]);
  assert.ok(web.status.podIP?.startsWith(CLUSTER_CIDR.split(".").slice(0, 2).join(".") + "."), `pod IP ${web.status.podIP} from ${CLUSTER_CIDR}`);
  // A third path: a command run in the writer's container reaches the server container on 127.0.0.1,
  // which serves what the writer put into the shared emptyDir.
  const page = ok(["exec", "web", "-c", "writer", "--", "wget", "-qO-", "http://127.0.0.1:8080/index.html"]).trim();
  const n = /^written-by-writer (\d+)$/.exec(page)?.[1];
  assert.ok(n, `page served from the emptyDir: ${JSON.stringify(page)}`);
  // The writer logged that it wrote that very page (it logs right after the rename).
  await waitFor(`the writer's log line for write ${n}`, () => new RegExp(`^wrote ${n}$`, "m").test(ok(["logs", "web", "-c", "writer"])), 10_000);
});

/** kubectl 1.32 (the dispatcher /usr/bin/kubectl picks it from our /version) speaks WebSocket; 1.28 speaks SPDY/3.1. */
const KUBECTL_132 = undefined;
const KUBECTL_128 = 28;
const label = (minor: number | undefined) => `kubectl 1.${minor ?? 32}`;

for (const minor of [KUBECTL_132, KUBECTL_128]) {
  test(`${label(minor)}: logs of the pod on the second node, default container and -c`, { skip }, async () => {
    await waitFor("a few writes", () => /^wrote 3$/m.test(server.kubectl(["logs", "web", "-c", "writer"]).stdout), 20_000);
    // No -c: kubectl picks the first container and says so.
    const r = server.kubectl(["logs", "web", "--tail=2"], { minor });
    assert.equal(r.status, 0, r.stderr + diagnostics());
    assert.match(r.stderr, /Defaulted container "writer" out of: writer, server/);
    assert.match(r.stdout, /^wrote \d+\nwrote \d+\n$/);
    const lines = ok(["logs", "web", "-c", "writer"], { minor }).trim().split("\n");
    assert.deepEqual(lines.slice(0, 3), ["wrote 1", "wrote 2", "wrote 3"]);
    assert.match(ok(["logs", "web", "-c", "writer", "--tail=1", "--timestamps"], { minor }), /^\d{4}-\d\d-\d\dT[\d:.]+Z wrote \d+\n$/);
    // httpd -f logs nothing on success: the server container's log is empty, not an error.
    assert.equal(ok(["logs", "web", "-c", "server"], { minor }), "");
    const wrong = server.kubectl(["logs", "web", "-c", "nope"], { minor });
    assert.notEqual(wrong.status, 0);
    assert.match(wrong.stderr, /container nope is not valid for pod web/);
  });
}

for (const minor of [KUBECTL_132, KUBECTL_128]) {
  test(`${label(minor)}: exec -it with a command in the pod on the second node`, { skip: skip || (hasScript ? false : "no script(1) to give kubectl a terminal") }, () => {
    // script(1) runs kubectl on a pseudo-terminal of a known size, so kubectl asks for a tty and
    // sends its size on the resize channel.
    const r = spawnSync("script", ["-qec", `stty cols 97 rows 31; ${kubectlBinary(minor)} exec -it web -c server -- sh -c 'tty; sleep 1; stty size; cat /shared/index.html'`, "/dev/null"], {
      encoding: "utf8",
      timeout: 30_000,
      env: kubectlEnv(),
    });
    assert.equal(r.status, 0, r.stdout + r.stderr + diagnostics());
    // (script(1) may echo the end of its own empty stdin as ^@ or ^D in between.)
    assert.match(r.stdout.replace(/\^[@D]/g, ""), /^\/dev\/pts\/\d+\r\n31 97\r\nwritten-by-writer \d+\r\n$/);
  });

  test(`${label(minor)}: cp in both directions with the pod on the second node`, { skip }, () => {
    // Larger than one tunnel stream window (256 KiB), so flow control is on the path.
    const content = `uploaded with ${label(minor)} ${randomBytes(8).toString("hex")}\n` + "x".repeat(300 * 1024) + "\n";
    const name = `up-${minor ?? 32}.txt`;
    const local = path.join(work, name);
    writeFileSync(local, content);
    ok(["cp", local, `web:/shared/${name}`, "-c", "server"], { minor });
    // Copied into the emptyDir through one container, served by httpd from it, fetched from the other.
    assert.equal(ok(["exec", "web", "-c", "writer", "--", "wget", "-qO-", `http://127.0.0.1:8080/${name}`], { minor }), content);
    const back = path.join(work, `down-${minor ?? 32}.txt`);
    ok(["cp", `web:/shared/${name}`, back, "-c", "writer"], { minor });
    assert.equal(readFileSync(back, "utf8"), content);
    const page = path.join(work, `index-${minor ?? 32}.html`);
    ok(["cp", "web:/shared/index.html", page, "-c", "writer"], { minor });
    assert.match(readFileSync(page, "utf8"), /^written-by-writer \d+\n$/);
  });
}

/**
 * Runs `kubectl port-forward pod/web :8080` (a local port of kubectl's choice), GETs each path through
 * it, then stops kubectl. Resolves with the bodies; fails with kubectl's output if it does not start.
 */
async function portForwardGet(minor: number | undefined, paths: string[]): Promise<string[]> {
  const proc = spawn(kubectlBinary(minor), ["port-forward", "--address", "127.0.0.1", "pod/web", ":8080"], { env: kubectlEnv(), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise((r) => proc.once("exit", r));
  try {
    const port = await waitFor(`${label(minor)} port-forward to print its local port`, () => {
      if (proc.exitCode !== null) throw new Error(`kubectl port-forward exited ${proc.exitCode}:\n${out}${diagnostics()}`);
      return /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/.exec(out)?.[1];
    }, 20_000, 100);
    // Concurrent requests: one SPDY stream pair per connection, all in one port-forward session.
    return await Promise.all(paths.map(async (p) => {
      const res = await fetch(`http://127.0.0.1:${port}${p}`, { signal: AbortSignal.timeout(15_000) });
      assert.equal(res.status, 200, `GET ${p} through ${label(minor)} port-forward: ${res.status}\n${out}`);
      return res.text();
    }));
  } finally {
    proc.kill("SIGTERM");
    await exited;
  }
}

for (const minor of [KUBECTL_132, KUBECTL_128]) {
  test(`${label(minor)}: port-forward to the httpd container on the second node, HTTP GET through it`, { skip }, async () => {
    const [page, again, big] = await portForwardGet(minor, ["/index.html", "/index.html", `/up-32.txt`]);
    assert.match(page!, /^written-by-writer \d+\n$/);
    assert.match(again!, /^written-by-writer \d+\n$/);
    // The 300 KiB file kubectl cp put into the emptyDir, larger than one tunnel stream window.
    assert.equal(readFileSync(path.join(work, "up-32.txt"), "utf8"), big);
  });
}

test("a failing liveness probe restarts the container", { skip }, async () => {
  const s = await waitFor("a restart after the liveness failure", () => {
    const st = getPod("liveness")?.status.containerStatuses?.[0];
    return st && st.restartCount >= 1 && st.state?.running ? st : undefined;
  }, 60_000);
  assert.ok(s.lastState?.terminated, `the killed instance is the last state: ${JSON.stringify(s)}`);
  const events = podEvents("liveness");
  assert.match(events.find((e) => e.reason === "Unhealthy")?.message ?? "", /^Liveness probe failed: /, JSON.stringify(events));
  assert.equal(events.find((e) => e.reason === "Killing")?.message, "Container app failed liveness probe, will be restarted");
});

test("readiness gates the Ready condition", { skip }, async () => {
  await waitFor("gated Running", () => getPod("gated")?.status.containerStatuses?.[0]?.state?.running, 60_000);
  // Several probe periods with the probe failing: Running, not Ready.
  await sleep(3 * PROBE_PERIOD_SECONDS * 1000);
  const still = getPod("gated")!;
  assert.equal(still.status.phase, "Running");
  assert.deepEqual(condition(still, "Ready"), { ...condition(still, "Ready"), status: "False", reason: "ContainersNotReady", message: "containers with unready status: [app]" });
  assert.equal(still.status.containerStatuses?.[0]?.ready, false);
  assert.match(ok(["get", "pod", "gated", "--no-headers"]), /^gated\s+0\/1\s+Running\s+0\s/);
  ok(["exec", "gated", "--", "touch", "/tmp/ready"]);
  ok(["wait", "--for=condition=Ready", "pod/gated", "--timeout=20s"]);
  const ready = getPod("gated")!;
  assert.equal(ready.status.containerStatuses?.[0]?.ready, true);
  assert.equal(ready.status.containerStatuses?.[0]?.containerID, still.status.containerStatuses?.[0]?.containerID, "not restarted");
  assert.match(ok(["get", "pod", "gated", "--no-headers"]), /^gated\s+1\/1\s+Running\s+0\s/);
});

test("pods that fit nowhere show upstream's FailedScheduling reason", { skip }, async () => {
  const expected: Record<string, string> = {
    nowhere: "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    toobig: "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.",
  };
  for (const [name, message] of Object.entries(expected)) {
    const scheduled = await waitFor(`${name} PodScheduled=False`, () => {
      const c = condition(getPod(name), "PodScheduled");
      return c?.status === "False" ? c : undefined;
    }, 30_000);
    assert.equal(scheduled.reason, "Unschedulable");
    assert.equal(scheduled.message, message);
    const p = getPod(name)!;
    assert.equal(p.status.phase, "Pending");
    assert.equal(p.spec.nodeName, undefined);
    const failed = podEvents(name).filter((e) => e.reason === "FailedScheduling");
    assert.ok(failed.length >= 1, `a FailedScheduling event for ${name}`);
    assert.equal(failed[0]!.type, "Warning");
    assert.equal(failed[0]!.message, message);
  }
  assert.match(ok(["get", "pod", "nowhere", "--no-headers"]), /^nowhere\s+0\/1\s+Pending\s+0\s/);
});

test("deleting a pod stops its containers within its grace period", { skip }, async (t) => {
  const running = await waitFor("doomed Running", () => {
    const p = getPod("doomed");
    return p?.status.containerStatuses?.[0]?.state?.running ? p : undefined;
  }, 60_000);
  const uid = running.metadata.uid;
  assert.ok(dockerContainersOf(uid).some((row) => row.endsWith(" running")), `docker runs doomed: ${dockerContainersOf(uid).join(", ")}`);
  const t0 = Date.now();
  // kubectl delete waits until the pod is gone from the API, which the kubelet allows only once
  // the containers stopped.
  ok(["delete", "pod", "doomed"]);
  const took = Date.now() - t0;
  t.diagnostic(`kubectl delete of a pod with a ${DOOMED_GRACE_SECONDS} s grace period whose container ignores SIGTERM took ${took} ms`);
  assert.ok(took >= (DOOMED_GRACE_SECONDS - 1) * 1000, `the SIGTERM-ignoring container got its grace period (${took} ms)`);
  assert.ok(took <= DOOMED_GRACE_SECONDS * 1000 + DELETE_SLACK_MS, `stopped within the grace period plus slack (${took} ms)`);
  const left = dockerContainersOf(uid).filter((row) => row.endsWith(" running"));
  assert.deepEqual(left, [], "no container of the deleted pod runs");
  await waitFor("doomed's containers removed from Docker", () => dockerContainersOf(uid).length === 0, 15_000);
  assert.equal(server.kubectl(["get", "pod", "doomed"]).status, 1);
});

test("a crashing container goes to CrashLoopBackOff with growing back-off", { skip }, async (t) => {
  // Upstream's back-off doubles from 10 s: the third instance starts about 10 + 20 s after the first
  // death, so the poller has seen restart counts 1..3 within ~45 s of the pod's creation.
  await waitFor("restart counts 1, 2 and 3 in CrashLoopBackOff", () => CRASH_RESTARTS_CHECKED.every((n) => crashSeen.has(n)), 90_000);
  const uid = getPod("crasher")!.metadata.uid;
  const [s1, s2, s3] = [crashSeen.get(1)!, crashSeen.get(2)!, crashSeen.get(3)!];
  assert.equal(s1.state?.waiting?.message, `back-off 10s restarting failed container=crash pod=crasher_default(${uid})`);
  assert.equal(s2.state?.waiting?.message, `back-off 20s restarting failed container=crash pod=crasher_default(${uid})`);
  assert.equal(s3.state?.waiting?.message, `back-off 40s restarting failed container=crash pod=crasher_default(${uid})`);
  for (const s of [s1, s2, s3]) {
    assert.equal(s.lastState?.terminated?.exitCode, 3);
    assert.equal(s.lastState?.terminated?.reason, "Error");
  }
  // Later restarts come further apart: the pause between one instance's death and the next one's
  // start (RFC 3339 seconds) grows from ~10 s to ~20 s.
  const at = (t: string | undefined) => Date.parse(t ?? "");
  const gap1 = (at(s2.lastState?.terminated?.startedAt) - at(s1.lastState?.terminated?.finishedAt)) / 1000;
  const gap2 = (at(s3.lastState?.terminated?.startedAt) - at(s2.lastState?.terminated?.finishedAt)) / 1000;
  t.diagnostic(`pauses before restarts 2 and 3: ${gap1} s, ${gap2} s`);
  assert.ok(gap1 >= 9 && gap1 <= 18, `first back-off ~10 s, was ${gap1} s`);
  assert.ok(gap2 >= 19 && gap2 <= 30, `second back-off ~20 s, was ${gap2} s`);
  assert.ok(gap2 - gap1 >= 8, `the back-off grew: ${gap1} s then ${gap2} s`);
  assert.match(ok(["get", "pod", "crasher", "--no-headers"]), /^crasher\s+0\/1\s+(CrashLoopBackOff|Error|Completed|Running)\s+[3-9]\s/);
  // Repeats of the BackOff warning aggregate into one Event with a count ("x3 over 40s"), as upstream.
  const backoffs = podEvents("crasher").filter((e) => e.reason === "BackOff");
  assert.equal(backoffs.length, 1, `one BackOff Event: ${JSON.stringify(backoffs)}`);
  assert.equal(backoffs[0]!.type, "Warning");
  assert.equal(backoffs[0]!.message, `Back-off restarting failed container crash in pod crasher_default(${uid})`);
  assert.ok((backoffs[0]!.count ?? 0) >= 2, `BackOff count ${backoffs[0]!.count}`);
});
