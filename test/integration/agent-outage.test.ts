/**
 * A server outage of 30 s: the agent keeps its pods running, waits for the server with back-off, and
 * is connected and Ready again within 10 s of the server's return, with no pod restarted.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BUNDLE, clusterCidr, startServer, stopProcess } from "./harness.js";
import { DOCKER, dockerSkip, removeNodeFromDocker, TEST_IMAGE } from "./docker-node.js";

const IMAGE = TEST_IMAGE;
const skip = dockerSkip;
/** The outage the acceptance text asks for. */
const OUTAGE_MS = 30_000;

test("stop the server for 30 s: pods keep running and the agent is back within 10 s of its return", { skip, timeout: 240_000 }, async () => {
  const node = `outage-${process.pid}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "kube-lite-outage-"));
  const agentDir = mkdtempSync(path.join(os.tmpdir(), "kube-lite-outage-agent-"));
  const cidr = clusterCidr();
  let server = await startServer({ dataDir, args: ["--cluster-cidr", cidr] });
  const port = server.port;
  let agentLog = "";
  const agent = spawn(process.execPath, [BUNDLE, "agent", "--join", `https://127.0.0.1:${port}`, "--token", readFileSync(path.join(dataDir, "server", "token"), "utf8").trim(), "--node-name", node, "--data-dir", agentDir], { stdio: ["ignore", "pipe", "pipe"] });
  agent.stdout!.on("data", (d: Buffer) => (agentLog += d.toString()));
  agent.stderr!.on("data", (d: Buffer) => (agentLog += d.toString()));
  const waitFor = async (what: string, check: () => boolean, timeoutMs: number): Promise<number> => {
    const t0 = Date.now();
    while (!check()) {
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}\n--- agent:\n${agentLog.slice(-3000)}\n--- server:\n${server.logs().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return Date.now() - t0;
  };
  try {
    await waitFor("the node to be Ready", () => /\sReady\s/.test(server.kubectl(["get", "node", node, "--no-headers"]).stdout), 60_000);
    const run = server.kubectl(["run", "steady", `--image=${IMAGE}`, "--image-pull-policy=IfNotPresent", "--", "sleep", "3600"]);
    assert.equal(run.status, 0, run.stderr);
    await waitFor("the pod to run", () => server.kubectl(["get", "pod", "steady", "-o", "jsonpath={.status.phase}"]).stdout === "Running", 60_000);
    const before = JSON.parse(server.kubectl(["get", "pod", "steady", "-o", "json"]).stdout);
    const containerId = String(before.status.containerStatuses[0].containerID).replace("docker://", "");

    assert.equal(await server.stop(), 0);
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    assert.equal(spawnSync(DOCKER, ["inspect", "-f", "{{.State.Running}}", containerId], { encoding: "utf8" }).stdout.trim(), "true", "the pod's container ran through the outage");
    assert.match(agentLog, /waiting for server|tunnel to server lost|reconnect/i, "the agent says it is waiting");

    const connectsBefore = agentLog.split("tunnel connected").length;
    server = await startServer({ dataDir, port, args: ["--cluster-cidr", cidr] });
    const back = await waitFor("the agent to reconnect", () => agentLog.split("tunnel connected").length > connectsBefore, 10_000);
    assert.ok(back <= 10_000, `reconnected after ${back} ms`);
    await waitFor("the node to be Ready again", () => /\sReady\s/.test(server.kubectl(["get", "node", node, "--no-headers"]).stdout), 10_000);
    const after = JSON.parse(server.kubectl(["get", "pod", "steady", "-o", "json"]).stdout);
    assert.equal(after.status.containerStatuses[0].restartCount, 0);
    assert.equal(String(after.status.containerStatuses[0].containerID).replace("docker://", ""), containerId, "no pod restarted");
  } finally {
    await stopProcess(agent);
    await server.stop();
    server.cleanup();
    removeNodeFromDocker(node);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(agentDir, { recursive: true, force: true });
  }
});
