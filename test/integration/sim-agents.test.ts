/**
 * The simulated runtime end to end: the bundled server (control plane only) and ONE
 * `kube-lite agent --runtime sim --sim-nodes 5` process hosting five nodes, each with its own tunnel
 * and kubelet. A Deployment of 20 replicas becomes available across the nodes with pod IPs from each
 * node's pod CIDR, scales to zero, and SIGTERM ends the agent with exit code 0. Docker is never used.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BUNDLE, DOCKER, startServer, type TestServer } from "./harness.js";
import { ipv4ToInt } from "../../src/shared/api/ipv4.js";

const NODES = 5;
const REPLICAS = 20;
const BASE = `it-sim-${process.pid}`;
const NODE_NAMES = Array.from({ length: NODES }, (_v, i) => `${BASE}-${i}`);

let server: TestServer;
let agent: ChildProcess | undefined;
let agentLog = "";
let agentDir = "";

function ok(args: string[]): string {
  const r = server.kubectl(args);
  assert.equal(r.status, 0, `kubectl ${args.join(" ")}: ${r.stderr}\n--- server:\n${server.logs().slice(-2000)}\n--- agent:\n${agentLog.slice(-2000)}`);
  return r.stdout;
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n--- server:\n${server.logs().slice(-3000)}\n--- agent:\n${agentLog.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function inCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split("/");
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return ((ipv4ToInt(ip) & mask) >>> 0) === ((ipv4ToInt(net!) & mask) >>> 0);
}

before(async () => {
  server = await startServer();
  agentDir = mkdtempSync(path.join(os.tmpdir(), "kube-lite-sim-agent-"));
});

after(async () => {
  if (agent && agent.exitCode === null && agent.signalCode === null) agent.kill("SIGKILL");
  await server?.stop();
  server?.cleanup();
  if (agentDir) rmSync(agentDir, { recursive: true, force: true });
});

test("one agent process hosts 5 simulated nodes: a 20-replica Deployment runs across them, scales to 0, SIGTERM exits 0", async () => {
  const token = readFileSync(path.join(server.dataDir, "server", "token"), "utf8").trim();
  agent = spawn(process.execPath, [BUNDLE, "agent", "--join", `https://127.0.0.1:${server.port}`, "--token", token, "--node-name", BASE, "--data-dir", agentDir, "--runtime", "sim", "--sim-nodes", String(NODES)], {
    stdio: ["ignore", "pipe", "pipe"],
    // No Docker to reach even if the code tried: a socket that does not exist.
    env: { ...process.env, DOCKER_HOST: "unix:///nonexistent/docker.sock" },
  });
  agent.stdout!.on("data", (d: Buffer) => (agentLog += d.toString()));
  agent.stderr!.on("data", (d: Buffer) => (agentLog += d.toString()));
  const exited = new Promise<number | null>((resolve) => agent!.once("exit", (code) => resolve(code)));

  await waitFor(`${NODES} Ready nodes`, () => {
    const r = server.kubectl(["get", "nodes", "--no-headers"]);
    return r.status === 0 && NODE_NAMES.every((n) => new RegExp(`^${n}\\s+Ready\\s`, "m").test(r.stdout));
  });
  const nodes = JSON.parse(ok(["get", "nodes", "-l", "node.kube-lite.io/simulated=true", "-o", "json"])) as { items: { metadata: { name: string }; spec: { podCIDR: string; taints?: unknown[] }; status: { nodeInfo: { containerRuntimeVersion: string } } }[] };
  assert.deepEqual(nodes.items.map((n) => n.metadata.name).sort(), NODE_NAMES);
  const podCidrs = new Map(nodes.items.map((n) => [n.metadata.name, n.spec.podCIDR]));
  for (const n of nodes.items) {
    assert.match(n.status.nodeInfo.containerRuntimeVersion, /^sim:\/\//);
    assert.equal(n.spec.taints, undefined, "simulated nodes are not tainted");
    // Each node keeps its own credentials under DATA/sim/<node>.
    assert.ok(existsSync(path.join(agentDir, "sim", n.metadata.name, "agent", "client-node.crt")), `credentials of ${n.metadata.name}`);
  }
  assert.equal(new Set(podCidrs.values()).size, NODES, "every node has a pod CIDR of its own");

  // An image no registry has: the simulated runtime never pulls.
  ok(["create", "deployment", "web", "--image=registry.invalid/web:1", `--replicas=${REPLICAS}`]);
  await waitFor(`${REPLICAS} available replicas`, () => server.kubectl(["get", "deployment", "web", "-o", "jsonpath={.status.availableReplicas}"]).stdout === String(REPLICAS));
  const pods = JSON.parse(ok(["get", "pods", "-l", "app=web", "-o", "json"])) as { items: { metadata: { name: string }; spec: { nodeName: string }; status: { phase: string; podIP: string; conditions: { type: string; status: string }[] } }[] };
  assert.equal(pods.items.length, REPLICAS);
  const perNode = new Map<string, number>();
  const ips = new Set<string>();
  for (const p of pods.items) {
    assert.equal(p.status.phase, "Running", p.metadata.name);
    assert.ok(p.status.conditions.some((c) => c.type === "Ready" && c.status === "True"), `${p.metadata.name} Ready`);
    const cidr = podCidrs.get(p.spec.nodeName);
    assert.ok(cidr, `${p.metadata.name} is on a simulated node (${p.spec.nodeName})`);
    assert.ok(inCidr(p.status.podIP, cidr!), `${p.metadata.name}: pod IP ${p.status.podIP} in ${p.spec.nodeName}'s ${cidr}`);
    ips.add(p.status.podIP);
    perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
  }
  assert.equal(ips.size, REPLICAS, "pod IPs are unique");
  assert.equal(perNode.size, NODES, `replicas spread over every node: ${JSON.stringify([...perNode])}`);

  ok(["scale", "deployment", "web", "--replicas=0"]);
  await waitFor("no pods left", () => {
    const r = server.kubectl(["get", "pods", "-l", "app=web", "-o", "name"]);
    return r.status === 0 && r.stdout.trim() === "";
  });

  // Docker never saw these nodes.
  if (existsSync(DOCKER)) {
    for (const node of NODE_NAMES) {
      const r = spawnSync(DOCKER, ["ps", "-aq", "--filter", `label=io.kube-lite.node=${node}`], { encoding: "utf8" });
      if (r.status === 0) assert.equal(r.stdout.trim(), "", `no container of ${node}`);
    }
  }
  assert.doesNotMatch(agentLog, /docker/i, "the agent never mentions Docker");

  agent.kill("SIGTERM");
  assert.equal(await exited, 0, agentLog.slice(-2000));
});
