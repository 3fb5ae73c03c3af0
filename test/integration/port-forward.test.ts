/**
 * `kubectl port-forward` and client-node's PortForward against a server with its embedded agent on
 * a real Docker engine, through the agent tunnel: kubectl 1.32 (SPDY tunnelled in a WebSocket),
 * kubectl 1.32 with KUBECTL_PORT_FORWARD_WEBSOCKETS=false and kubectl 1.28 (raw SPDY), parallel
 * connections, a download much larger than the tunnel and SPDY windows, a port nothing listens on,
 * and @kubernetes/client-node 1.4 (WebSocket v4.channel.k8s.io).
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import * as k8s from "@kubernetes/client-node";
import { clusterCidr, kubectlBinary, startServer, type TestServer } from "./harness.js";
import { dockerSkip, removeNodeFromDocker, TEST_IMAGE } from "./docker-node.js";

const IMAGE = TEST_IMAGE;
const skip = dockerSkip;

const NODE = `pf-${process.pid}`;
const POD = "web";
const PAGE = "hello from kube-lite\n";
/** Lines of `seq 1 N` served as /big: about 6.9 MB, far more than one tunnel (256 KiB) or SPDY window. */
const BIG_LINES = 1_000_000;
/** The pod's second container counts what a connection sends and answers with the count once the client half-closes. */
const UPLOAD_PORT = 9000;
/** Upload size: many tunnel and SPDY windows in the client-to-pod direction. */
const UPLOAD_BYTES = 5_000_000;
/** A port nothing in the pod listens on. */
const CLOSED_PORT = 9999;

let server: TestServer;
let home = "";
const forwards: ChildProcess[] = [];

function diagnostics(): string {
  return `\n--- server:\n${server.logs().slice(-4000)}`;
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${diagnostics()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

before(async () => {
  if (skip) return;
  server = await startServer({ embeddedAgentNode: NODE, args: ["--cluster-cidr", clusterCidr()] });
  home = mkdtempSync(path.join(os.tmpdir(), "kube-lite-pf-home-"));
  const script = `mkdir -p /www && echo '${PAGE.trim()}' > /www/index.html && seq 1 ${BIG_LINES} > /www/big && exec httpd -f -p 8080 -h /www`;
  const manifest = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: POD, namespace: "default" },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [
        { name: "web", image: IMAGE, imagePullPolicy: "Never", command: ["sh", "-c", script], ports: [{ containerPort: 8080 }], readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 } },
        { name: "counter", image: IMAGE, imagePullPolicy: "Never", command: ["nc", "-ll", "-p", String(UPLOAD_PORT), "-e", "wc", "-c"], readinessProbe: { tcpSocket: { port: UPLOAD_PORT }, periodSeconds: 1 } },
      ],
    },
  };
  const r = server.kubectl(["apply", "-f", "-"], { input: JSON.stringify(manifest) });
  assert.equal(r.status, 0, r.stderr);
  // Ready once httpd and nc listen (writing /www/big before httpd starts takes a moment).
  await waitFor("the pod to be ready", () => server.kubectl(["get", "pod", POD, "-o", 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']).stdout === "True", 90_000);
});

after(async () => {
  if (skip) return;
  for (const p of forwards) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
  await server.stop();
  server.cleanup();
  if (home) rmSync(home, { recursive: true, force: true });
  removeNodeFromDocker(NODE);
});

interface Forward {
  /** Local port of the first remote port. */
  localPort: number;
  /** Local port of each remote port. */
  localPorts: Map<number, number>;
  proc: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Starts `kubectl port-forward pod/web :<remote>…` and resolves once kubectl prints its local ports. */
async function portForward(remotes: number | number[], opts: { minor?: number; env?: Record<string, string> } = {}): Promise<Forward> {
  const ports = Array.isArray(remotes) ? remotes : [remotes];
  const proc = spawn(kubectlBinary(opts.minor), ["port-forward", "--address", "127.0.0.1", `pod/${POD}`, ...ports.map((p) => `:${p}`)], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, KUBECONFIG: server.kubeconfig, KUBECACHEDIR: path.join(home, "cache"), ...(opts.env ?? {}) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  forwards.push(proc);
  let out = "";
  proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  const pattern = (remote: number): RegExp => new RegExp(`Forwarding from 127\\.0\\.0\\.1:(\\d+) -> ${remote}\\n`);
  const deadline = Date.now() + 30_000;
  while (!ports.every((p) => pattern(p).test(out))) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`kubectl port-forward did not start:\n${out}${diagnostics()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    localPort: Number(pattern(ports[0]!).exec(out)![1]),
    localPorts: new Map(ports.map((p) => [p, Number(pattern(p).exec(out)![1])])),
    proc,
    output: () => out,
    exited,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      await exited;
    },
  };
}

/** GET http://127.0.0.1:<port><path>; resolves with status and body. */
function get(port: number, urlPath = "/"): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path: urlPath, agent: false, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${urlPath} timed out`)));
    req.on("error", (err) => reject(new Error(`GET ${urlPath} through port ${port}: ${err.message}`)));
  });
}

/** Sends `bytes` bytes to the local port, half-closes, and resolves with the answer (the pod's byte count). */
function upload(port: number, bytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    let answer = "";
    socket.setTimeout(60_000, () => socket.destroy(new Error("upload timed out")));
    socket.on("data", (d: Buffer) => (answer += d.toString()));
    socket.once("end", () => resolve(answer));
    socket.once("error", (err) => reject(new Error(`upload through port ${port}: ${err.message}`)));
    socket.once("connect", () => socket.end(Buffer.alloc(bytes, 0x61)));
  });
}

function expectedBig(): string {
  let s = "";
  for (let i = 1; i <= BIG_LINES; i++) s += `${i}\n`;
  return s;
}

/** The server log's port-forward session lines name the transport each client used. */
function transports(): string[] {
  return [...server.logs().matchAll(/"transport":"([^"]+)"[^\n]*port-forward session/g)].map((m) => m[1]!);
}

/** Download and upload speed through one forward, for the test's diagnostics. */
interface Speeds {
  downloadMBps: number;
  uploadMBps?: number;
}

async function checkForward(f: Forward): Promise<Speeds> {
  try {
    return await fetchThrough(f);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- kubectl:\n${f.output()}${diagnostics()}`);
  }
}

async function fetchThrough(f: Forward): Promise<Speeds> {
  const page = await get(f.localPort);
  assert.equal(page.status, 200, f.output());
  assert.equal(page.body, PAGE);
  // Two connections at once: one stream pair (one kubelet stream) each.
  const [a, b] = await Promise.all([get(f.localPort, "/index.html"), get(f.localPort)]);
  assert.equal(a.body, PAGE);
  assert.equal(b.body, PAGE);
  let started = performance.now();
  const big = await get(f.localPort, "/big");
  const downloadMBps = big.body.length / 1e6 / ((performance.now() - started) / 1000);
  assert.equal(big.body.length, expectedBig().length, "the whole large download arrives");
  assert.equal(big.body, expectedBig());
  // Client to pod: a large upload, then the client's half-close reaches the pod, which still answers.
  const uploadPort = f.localPorts.get(UPLOAD_PORT);
  if (!uploadPort) return { downloadMBps };
  started = performance.now();
  assert.equal((await upload(uploadPort, UPLOAD_BYTES)).trim(), String(UPLOAD_BYTES));
  return { downloadMBps, uploadMBps: UPLOAD_BYTES / 1e6 / ((performance.now() - started) / 1000) };
}

function report(t: { diagnostic(message: string): void }, speeds: Speeds): void {
  t.diagnostic(`download ${speeds.downloadMBps.toFixed(1)} MB/s, upload ${speeds.uploadMBps?.toFixed(1) ?? "-"} MB/s`);
}

test("kubectl 1.32 port-forward (SPDY in a WebSocket): GET, parallel GETs, a large download and upload with half-close", { skip }, async (t) => {
  const before = transports().length;
  const f = await portForward([8080, UPLOAD_PORT]);
  try {
    report(t, await checkForward(f));
  } finally {
    await f.stop();
  }
  assert.equal(transports()[before], "spdy-in-websocket", diagnostics());
  assert.match(f.output(), /Handling connection for \d+/);
});

test("kubectl 1.32 with KUBECTL_PORT_FORWARD_WEBSOCKETS=false (raw SPDY)", { skip }, async (t) => {
  const before = transports().length;
  const f = await portForward([8080, UPLOAD_PORT], { env: { KUBECTL_PORT_FORWARD_WEBSOCKETS: "false" } });
  try {
    report(t, await checkForward(f));
  } finally {
    await f.stop();
  }
  assert.equal(transports()[before], "spdy", diagnostics());
});

test("kubectl 1.28 port-forward (raw SPDY)", { skip }, async (t) => {
  const before = transports().length;
  const f = await portForward([8080, UPLOAD_PORT], { minor: 28 });
  try {
    report(t, await checkForward(f));
  } finally {
    await f.stop();
  }
  assert.equal(transports()[before], "spdy", diagnostics());
});

test("a port nothing listens on: kubectl reports the refused connection, the pod is unharmed", { skip }, async () => {
  for (const minor of [undefined, 28]) {
    const f = await portForward(CLOSED_PORT, { minor });
    await assert.rejects(get(f.localPort));
    const code = await Promise.race([f.exited, new Promise<"running">((r) => setTimeout(() => r("running"), 15_000))]);
    if (code === "running") await f.stop();
    assert.match(f.output(), new RegExp(`an error occurred forwarding \\d+ -> ${CLOSED_PORT}: error forwarding port ${CLOSED_PORT} to pod`), f.output());
    assert.match(f.output(), /ECONNREFUSED|connection refused/);
  }
  assert.equal(server.kubectl(["get", "pod", POD, "-o", "jsonpath={.status.phase}"]).stdout, "Running");
  const again = await portForward(8080);
  try {
    assert.equal((await get(again.localPort)).body, PAGE);
  } finally {
    await again.stop();
  }
});

test("@kubernetes/client-node 1.4 PortForward (WebSocket v4.channel.k8s.io) gets the page", { skip }, async () => {
  const before = transports().length;
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(server.kubeconfig);
  const forward = new k8s.PortForward(kc);
  const sockets = new Set<net.Socket>();
  const local = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    forward.portForward("default", POD, [8080], socket, null, socket).catch((err: unknown) => socket.destroy(err as Error));
  });
  await new Promise<void>((r) => local.listen(0, "127.0.0.1", () => r()));
  try {
    const page = await get((local.address() as AddressInfo).port);
    assert.equal(page.status, 200);
    assert.equal(page.body, PAGE);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((r) => local.close(r));
  }
  assert.equal(transports()[before], "websocket", diagnostics());
});
