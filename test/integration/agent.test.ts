/**
 * The whole node path on a real Docker engine: a server with its embedded agent plus a second agent
 * process (own node name and data dir, same engine) — nodes Ready, pods scheduled and running as
 * containers, deletion stopping them; wrong tokens fail at once with a clear message.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BUNDLE, clusterCidr, startServer, stopProcess, type TestServer } from "./harness.js";
import { DOCKER, dockerSkip, removeNodeFromDocker, TEST_IMAGE } from "./docker-node.js";

const IMAGE = TEST_IMAGE;
const skip = dockerSkip;

const suffix = `${process.pid}`;
const SERVER_NODE = `it-server-${suffix}`;
const AGENT_NODE = `it-agent-${suffix}`;
const CLUSTER_CIDR = clusterCidr();

let server: TestServer;
let agent: ChildProcess | undefined;
let agentLog = "";
let agentDir = "";

function ok(args: string[]): string {
  const r = server.kubectl(args);
  assert.equal(r.status, 0, `kubectl ${args.join(" ")}: ${r.stderr}\n--- server:\n${server.logs().slice(-2000)}\n--- agent:\n${agentLog.slice(-2000)}`);
  return r.stdout;
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n--- server:\n${server.logs().slice(-3000)}\n--- agent:\n${agentLog.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function runAgentProcess(args: string[]): { proc: ChildProcess; done: Promise<{ code: number | null; output: string }> } {
  const proc = spawn(process.execPath, [BUNDLE, "agent", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  proc.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const done = new Promise<{ code: number | null; output: string }>((resolve) => proc.once("exit", (code) => resolve({ code, output })));
  return { proc, done };
}

before(async () => {
  if (skip) return;
  // A cluster CIDR of its own, so Docker networks of other clusters on this engine never overlap.
  server = await startServer({ embeddedAgentNode: SERVER_NODE, args: ["--cluster-cidr", CLUSTER_CIDR] });
  agentDir = mkdtempSync(path.join(os.tmpdir(), "kube-lite-agent-"));
});

after(async () => {
  if (skip) return;
  if (agent) await stopProcess(agent);
  await server.stop();
  server.cleanup();
  // Containers of these test nodes are not left behind.
  for (const node of [SERVER_NODE, AGENT_NODE]) {
    removeNodeFromDocker(node);
  }
  if (agentDir) rmSync(agentDir, { recursive: true, force: true });
});

test("a wrong join token and a wrong CA hash fail at once with a clear message", { skip }, async () => {
  const joinToken = readFileSync(path.join(server.dataDir, "server", "token"), "utf8").trim();
  const url = `https://127.0.0.1:${server.port}`;
  const wrongSecret = joinToken.replace(/:[^:]+$/, ":not-the-secret");
  const wrongCa = joinToken.replace(/^K10[0-9a-f]{64}/, `K10${"0".repeat(64)}`);
  for (const [label, token] of [["secret", wrongSecret], ["CA hash", wrongCa]] as const) {
    const dir = mkdtempSync(path.join(os.tmpdir(), "kube-lite-badjoin-"));
    try {
      const t0 = Date.now();
      const { done } = runAgentProcess(["--join", url, "--token", token, "--node-name", `bad-${suffix}`, "--data-dir", dir]);
      const r = await done;
      assert.notEqual(r.code, 0, `wrong ${label}: exit code`);
      assert.ok(Date.now() - t0 < 15_000, `wrong ${label} took ${Date.now() - t0} ms`);
      assert.match(r.output, label === "secret" ? /token|rejected|unauthori[sz]ed/i : /CA|certificate authority|hash/i, `wrong ${label}: ${r.output}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test("server with embedded agent plus a second agent: both nodes Ready, pods run as containers", { skip }, async () => {
  const joinToken = readFileSync(path.join(server.dataDir, "server", "token"), "utf8").trim();
  const a = runAgentProcess(["--join", `https://127.0.0.1:${server.port}`, "--token", joinToken, "--node-name", AGENT_NODE, "--data-dir", agentDir, "--node-label", "tier=edge"]);
  agent = a.proc;
  a.proc.stdout!.on("data", (d: Buffer) => (agentLog += d.toString()));
  a.proc.stderr!.on("data", (d: Buffer) => (agentLog += d.toString()));

  await waitFor("two Ready nodes", () => {
    const r = server.kubectl(["get", "nodes", "--no-headers"]);
    return r.status === 0 && [SERVER_NODE, AGENT_NODE].every((n) => new RegExp(`^${n}\\s+Ready\\s`, "m").test(r.stdout));
  });
  const nodes = ok(["get", "nodes", "--no-headers"]);
  assert.match(nodes, new RegExp(`^${SERVER_NODE}\\s+Ready\\s+control-plane\\s`, "m"));
  assert.equal(ok(["get", "node", AGENT_NODE, "-o", "jsonpath={.metadata.labels.tier}"]), "edge");

  // A pod for each node (nodeSelector), from the local image.
  for (const node of [SERVER_NODE, AGENT_NODE]) {
    ok(["run", `pod-${node}`, `--image=${IMAGE}`, "--image-pull-policy=IfNotPresent", `--overrides={"apiVersion":"v1","spec":{"nodeSelector":{"kubernetes.io/hostname":"${node}"}}}`, "--", "sh", "-c", "echo started; sleep 3600"]);
  }
  await waitFor("both pods Running", () => {
    const r = server.kubectl(["get", "pods", "-o", "jsonpath={range .items[*]}{.metadata.name}={.status.phase} {end}"]);
    return [SERVER_NODE, AGENT_NODE].every((n) => r.stdout.includes(`pod-${n}=Running`));
  });
  for (const node of [SERVER_NODE, AGENT_NODE]) {
    const pod = JSON.parse(ok(["get", "pod", `pod-${node}`, "-o", "json"]));
    assert.equal(pod.spec.nodeName, node);
    assert.ok(String(pod.status.podIP).startsWith(CLUSTER_CIDR.split(".").slice(0, 2).join(".") + "."), `pod IP ${pod.status.podIP} from ${CLUSTER_CIDR}`);
    const id = String(pod.status.containerStatuses[0].containerID).replace("docker://", "");
    const state = spawnSync(DOCKER, ["inspect", "-f", "{{.State.Running}}", id], { encoding: "utf8" }).stdout.trim();
    assert.equal(state, "true", `container of pod-${node} runs in Docker`);
  }

  // Logs come from each node's kubelet through its tunnel (no port open on the agents).
  for (const node of [SERVER_NODE, AGENT_NODE]) {
    await waitFor(`logs of pod-${node}`, () => server.kubectl(["logs", `pod-${node}`]).stdout.includes("started"), 15_000);
    assert.equal(ok(["logs", `pod-${node}`, "--tail=1"]).trim(), "started");
    assert.match(ok(["logs", `pod-${node}`, "--timestamps"]), /^\d{4}-\d\d-\d\dT[\d:.]+Z started\n$/);
  }
  const wrong = server.kubectl(["logs", `pod-${AGENT_NODE}`, "-c", "nope"]);
  assert.notEqual(wrong.status, 0);
  assert.match(wrong.stderr, /container nope is not valid for pod/);

  // SIGKILL the agent and start it again (no token: it has its credentials): the pod keeps running
  // in the same container and its status stays right.
  const before = JSON.parse(ok(["get", "pod", `pod-${AGENT_NODE}`, "-o", "json"]));
  const beforeId = before.status.containerStatuses[0].containerID;
  agent!.kill("SIGKILL");
  await new Promise((r) => agent!.once("exit", r));
  const again = runAgentProcess(["--join", `https://127.0.0.1:${server.port}`, "--node-name", AGENT_NODE, "--data-dir", agentDir]);
  agent = again.proc;
  again.proc.stdout!.on("data", (d: Buffer) => (agentLog += d.toString()));
  again.proc.stderr!.on("data", (d: Buffer) => (agentLog += d.toString()));
  await waitFor("the restarted agent to run", () => agentLog.split("agent is running").length > 2, 30_000);
  const after = JSON.parse(ok(["get", "pod", `pod-${AGENT_NODE}`, "-o", "json"]));
  assert.equal(after.status.containerStatuses[0].containerID, beforeId, "same container after the agent restart");
  assert.equal(after.status.containerStatuses[0].restartCount, 0);
  assert.equal(after.status.phase, "Running");
  assert.equal(ok(["logs", `pod-${AGENT_NODE}`]).trim(), "started", "logs still come through the new tunnel");

  // Deleting a pod stops its containers within the grace period.
  const pod = JSON.parse(ok(["get", "pod", `pod-${AGENT_NODE}`, "-o", "json"]));
  const id = String(pod.status.containerStatuses[0].containerID).replace("docker://", "");
  const t0 = Date.now();
  ok(["delete", "pod", `pod-${AGENT_NODE}`, "--grace-period=3"]);
  assert.ok(Date.now() - t0 < 15_000, `delete took ${Date.now() - t0} ms`);
  await waitFor("the container to stop", () => spawnSync(DOCKER, ["inspect", "-f", "{{.State.Running}}", id], { encoding: "utf8" }).stdout.trim() !== "true", 10_000);
});
