/**
 * `kubectl exec` and `kubectl cp` with the real kubectl 1.32 (WebSocket, v5.channel.k8s.io) against
 * a server with its embedded agent on a real Docker engine: output, exit codes, stdin with EOF,
 * copies both ways (larger than one tunnel window), a tty with resize, attach, and upstream's errors
 * for a bad container.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import https from "node:https";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { clusterCidr, kubectlBinary, startServer, type TestServer } from "./harness.js";
import { dockerSkip, removeNodeFromDocker, runTickerPod } from "./docker-node.js";

const skip = dockerSkip;

const NODE = `exec-${process.pid}`;
const CLUSTER_CIDR = clusterCidr();
const POD = "execpod";

let server: TestServer;
let work = "";

function diagnostics(): string {
  return `\n--- server:\n${server.logs().slice(-3000)}`;
}

/** Sends a WebSocket exec upgrade for a pod that does not exist: a wired server answers the pod's 404. */
function probeExecUpgrade(): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: "127.0.0.1",
      port: server.port,
      path: "/api/v1/namespaces/default/pods/no-such-pod/exec?command=true&stdout=true",
      ca: server.caPem,
      headers: { Authorization: `Bearer ${server.token}`, Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": randomBytes(16).toString("base64"), "Sec-WebSocket-Protocol": "v5.channel.k8s.io" },
    });
    req.on("response", (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve(body));
    });
    req.on("upgrade", (_res, socket) => {
      socket.destroy();
      resolve("upgraded");
    });
    req.on("error", reject);
    req.end();
  });
}

before(async () => {
  if (skip) return;
  server = await startServer({ embeddedAgentNode: NODE, args: ["--cluster-cidr", CLUSTER_CIDR] });
  work = mkdtempSync(path.join(os.tmpdir(), "kube-lite-exec-"));
  // The server serves exec upgrades: a pod that does not exist is a NotFound Status, not a 404 path.
  const probe = await probeExecUpgrade();
  assert.ok(probe.includes('pods \\"no-such-pod\\" not found') || probe.includes('pods "no-such-pod" not found'), `exec upgrade probe answered: ${probe.slice(0, 300)}`);
  await runTickerPod(server, POD);
});

after(async () => {
  if (skip) return;
  await server.stop();
  server.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
  // Containers and the Docker network of this test node are not left behind.
  removeNodeFromDocker(NODE);
});

/** kubectl with WebSockets only: a fallback to SPDY would hide a broken WebSocket path. */
function kubectl(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  return server.kubectl(args, { input, timeoutMs: 30_000 });
}



test("kubectl exec prints the command's output", { skip }, () => {
  const r = kubectl(["exec", POD, "--", "echo", "hi"]);
  assert.equal(r.status, 0, r.stderr + diagnostics());
  assert.equal(r.stdout, "hi\n");
});

test("kubectl exec propagates a non-zero exit code and keeps stdout and stderr apart", { skip }, () => {
  const r = kubectl(["exec", POD, "--", "sh", "-c", "echo out; echo err >&2; exit 3"]);
  assert.equal(r.status, 3, r.stderr + diagnostics());
  assert.equal(r.stdout, "out\n");
  assert.match(r.stderr, /^err$/m);
  assert.match(r.stderr, /command terminated with exit code 3/);
});

test("kubectl exec -i passes stdin through and its EOF ends the command", { skip }, () => {
  const data = "data\n" + "x".repeat(100_000) + "\nlast line\n";
  const r = kubectl(["exec", "-i", POD, "--", "cat"], data);
  assert.equal(r.status, 0, r.stderr + diagnostics());
  assert.equal(r.stdout, data);
});

test("kubectl cp copies a file into the pod and back", { skip }, () => {
  // Larger than one tunnel stream window (256 KiB), so flow control is on the path.
  const content = randomBytes(600 * 1024).toString("base64");
  const local = path.join(work, "in.txt");
  writeFileSync(local, content);
  const up = kubectl(["cp", local, `${POD}:/tmp/in.txt`]);
  assert.equal(up.status, 0, up.stderr + diagnostics());
  const size = kubectl(["exec", POD, "--", "wc", "-c", "/tmp/in.txt"]);
  assert.equal(size.stdout.trim().split(/\s+/)[0], String(Buffer.byteLength(content)));
  const back = path.join(work, "out.txt");
  const down = kubectl(["cp", `${POD}:/tmp/in.txt`, back]);
  assert.equal(down.status, 0, down.stderr + diagnostics());
  assert.equal(readFileSync(back, "utf8"), content);
});

const hasScript = spawnSync("script", ["--version"], { stdio: "ignore" }).status === 0;

test("kubectl exec -it gets a terminal of the client's size (resize channel)", { skip: skip || (hasScript ? false : "no script(1) to give kubectl a terminal") }, () => {
  // script(1) runs kubectl on a pseudo-terminal of a known size; kubectl sends it on the resize channel.
  // The sleep: Docker API < 1.42 can only resize an exec after it started, so a command reading its
  // size at once may still see 0x0 (as with `docker exec -it` itself).
  const r = spawnSync("script", ["-qec", `stty cols 91 rows 33; ${kubectlBinary()} exec -it ${POD} -- sh -c 'tty; sleep 1; stty size'`, "/dev/null"], {
    encoding: "utf8",
    timeout: 30_000,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: work, KUBECONFIG: server.kubeconfig, KUBECACHEDIR: path.join(work, "cache") },
  });
  assert.equal(r.status, 0, r.stdout + r.stderr + diagnostics());
  // (script(1) may echo the end of its own empty stdin as ^@ or ^D in between.)
  assert.match(r.stdout.replace(/\^[@D]/g, ""), /^\/dev\/pts\/\d+\r\n33 91\r\n$/);
});

test("kubectl attach streams the running container's output", { skip }, () => {
  // attach follows until interrupted: let it run for a few ticks, then stop it.
  const r = server.kubectl(["attach", POD], { timeoutMs: 3500 });
  assert.match(r.stdout, /^tick\n/, r.stderr + diagnostics());
});

test("exec into an unknown container fails with upstream's message", { skip }, () => {
  const r = kubectl(["exec", POD, "-c", "nope", "--", "true"]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /container nope is not valid for pod execpod/);
});
