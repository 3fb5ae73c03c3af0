/**
 * `kubectl exec`, `cp` and `attach` over SPDY/3.1 with the real kubectl against a server with its
 * embedded agent on a real Docker engine: kubectl 1.28 (SPDY only) and kubectl 1.32 with
 * KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false. Output, exit codes, stdin with EOF, copies both ways
 * larger than any SPDY or tunnel window (kubectl's SPDY library does no flow control at all), a tty
 * with its size, and attach; exec with kubectl 1.27 and 1.29 too. test/integration/exec.test.ts has
 * the WebSocket versions.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { clusterCidr, kubectlBinary, startServer, type TestServer } from "./harness.js";
import { dockerSkip, removeNodeFromDocker, runTickerPod } from "./docker-node.js";

const skip = dockerSkip;

const NODE = `exec-spdy-${process.pid}`;
const CLUSTER_CIDR = clusterCidr();
const POD = "spdypod";

/** The SPDY clients: kubectl 1.28 knows nothing else; 1.32 is told not to try WebSocket. */
const CLIENTS = [
  { name: "kubectl 1.28", minor: 28, env: {} as Record<string, string> },
  { name: "kubectl 1.32 (KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false)", minor: 32, env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: "false" } },
];
type Client = (typeof CLIENTS)[number];

let server: TestServer;
let work = "";

function diagnostics(): string {
  return `\n--- server:\n${server.logs().slice(-3000)}`;
}

before(async () => {
  if (skip) return;
  server = await startServer({ embeddedAgentNode: NODE, args: ["--cluster-cidr", CLUSTER_CIDR] });
  work = mkdtempSync(path.join(os.tmpdir(), "kube-lite-exec-spdy-"));
  await runTickerPod(server, POD);
});

after(async () => {
  if (skip) return;
  await server.stop();
  server.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
  removeNodeFromDocker(NODE);
});

function kubectl(client: Client, args: string[], input?: string, timeoutMs = 30_000): { status: number | null; stdout: string; stderr: string } {
  return server.kubectl(args, { minor: client.minor, env: client.env, input, timeoutMs });
}

for (const client of CLIENTS) {
  test(`${client.name}: exec speaks SPDY/3.1 and prints the command's output`, { skip }, () => {
    // -v=8 logs the upgrade's answer: a SPDY/3.1 101 with the negotiated v4 stream protocol.
    const r = kubectl(client, ["-v=8", "exec", POD, "--", "echo", "hi"]);
    assert.equal(r.status, 0, r.stderr + diagnostics());
    assert.equal(r.stdout, "hi\n");
    assert.match(r.stderr, /POST \S+\/exec\?/);
    assert.match(r.stderr, /101 Switching Protocols/);
    assert.match(r.stderr, /Upgrade: SPDY\/3\.1/);
    assert.doesNotMatch(r.stderr, /GET \S+\/exec\?/);
  });

  test(`${client.name}: exec propagates a non-zero exit code and keeps stdout and stderr apart`, { skip }, () => {
    const r = kubectl(client, ["exec", POD, "--", "sh", "-c", "echo out; echo err >&2; exit 3"]);
    assert.equal(r.status, 3, r.stderr + diagnostics());
    assert.equal(r.stdout, "out\n");
    assert.match(r.stderr, /^err$/m);
    assert.match(r.stderr, /command terminated with exit code 3/);
  });

  test(`${client.name}: exec -i passes stdin through and its EOF ends the command`, { skip }, () => {
    const data = "data\n" + "x".repeat(100_000) + "\nlast line\n";
    const r = kubectl(client, ["exec", "-i", POD, "--", "cat"], data);
    assert.equal(r.status, 0, r.stderr + diagnostics());
    assert.equal(r.stdout, data);
  });

  test(`${client.name}: cp copies a 2 MB file into the pod and back`, { skip }, () => {
    const content = randomBytes(1536 * 1024).toString("base64");
    const local = path.join(work, `in-${client.minor}.txt`);
    writeFileSync(local, content);
    const up = kubectl(client, ["cp", local, `${POD}:/tmp/in-${client.minor}.txt`], undefined, 60_000);
    assert.equal(up.status, 0, up.stderr + diagnostics());
    const size = kubectl(client, ["exec", POD, "--", "wc", "-c", `/tmp/in-${client.minor}.txt`]);
    assert.equal(size.stdout.trim().split(/\s+/)[0], String(Buffer.byteLength(content)), size.stderr);
    const back = path.join(work, `out-${client.minor}.txt`);
    const down = kubectl(client, ["cp", `${POD}:/tmp/in-${client.minor}.txt`, back], undefined, 60_000);
    assert.equal(down.status, 0, down.stderr + diagnostics());
    assert.equal(readFileSync(back, "utf8"), content);
  });

  test(`${client.name}: exec -it gets a terminal of the client's size (resize stream)`, { skip: skip || (hasScript() ? false : "no script(1) to give kubectl a terminal") }, () => {
    // script(1) runs kubectl on a pseudo-terminal of a known size; kubectl sends it on the resize stream.
    const r = spawnSync("script", ["-qec", `stty cols 91 rows 33; ${kubectlBinary(client.minor)} exec -it ${POD} -- sh -c 'tty; sleep 1; stty size'`, "/dev/null"], {
      encoding: "utf8",
      timeout: 30_000,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: work, KUBECONFIG: server.kubeconfig, KUBECACHEDIR: path.join(work, "cache"), ...client.env },
    });
    assert.equal(r.status, 0, r.stdout + r.stderr + diagnostics());
    assert.match(r.stdout.replace(/\^[@D]/g, ""), /^\/dev\/pts\/\d+\r\n33 91\r\n$/);
  });

  test(`${client.name}: attach streams the running container's output`, { skip }, () => {
    // attach follows until interrupted: let it run for a few ticks, then stop it.
    const r = kubectl(client, ["attach", POD], undefined, 3500);
    assert.match(r.stdout, /^tick\n/, r.stderr + diagnostics());
  });
}

test("kubectl 1.27 and 1.29 (1.29 offers v5.channel.k8s.io first over SPDY): exec with stdin and an exit code", { skip }, () => {
  for (const minor of [27, 29]) {
    const r = server.kubectl(["exec", "-i", POD, "--", "sh", "-c", "cat; exit 4"], { minor, input: "through stdin\n", timeoutMs: 30_000 });
    assert.equal(r.status, 4, `kubectl 1.${minor}: ${r.stderr}${diagnostics()}`);
    assert.equal(r.stdout, "through stdin\n");
    assert.match(r.stderr, /command terminated with exit code 4/);
  }
});

function hasScript(): boolean {
  return spawnSync("script", ["--version"], { stdio: "ignore" }).status === 0;
}
