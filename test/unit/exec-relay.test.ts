/**
 * The exec path without Docker: a real HTTP server with attachExecUpgrade, a real WebSocket client
 * speaking v5/v4.channel.k8s.io, the agent's kubelet stream handler on the other end of an
 * in-memory stream pair, and a runtime whose exec runs a local process.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Pod } from "kubernetes-types/core/v1.js";
import { pino } from "pino";
import { WebSocket } from "ws";
import { attachExecUpgrade, type PodExecEndpoint } from "../../src/server/apiserver/pod-exec.js";
import { kubeletStreamHandler } from "../../src/agent/kubelet/streaming/index.js";
import type { ContainerRuntime, ExecOptions, StreamSession } from "../../src/agent/kubelet/runtime/types.js";
import type { KubeletEndpoint } from "../../src/agent/tunnel/index.js";
import type { TunnelStream } from "../../src/shared/tunnel/index.js";
import type { KubeObject } from "../../src/shared/api/types.js";
import { notFound } from "../../src/shared/api/status.js";
import { duplexPair } from "./duplex-pair.js";

const quiet = pino({ level: "silent" });
const TOKEN = "exec-relay-token";

/** Runtime calls the exec path makes, backed by local processes. */
const resizes: { width: number; height: number }[] = [];
const children: ChildProcess[] = [];
const runtime = {
  async listPodContainers() {
    return [{ podUid: "u1", namespace: "default", name: "web", sandboxes: [], containers: [{ containerName: "app", id: "c1", state: "running", restartCount: 0 }, { containerName: "done", id: "c2", state: "exited", restartCount: 0 }] }];
  },
  async exec(_id: string, o: ExecOptions): Promise<StreamSession> {
    if (o.command[0] === "no-such-binary") throw new Error('exec: "no-such-binary": executable file not found in $PATH');
    return runLocal(o);
  },
  async attach(_id: string, o: { stdin?: boolean; stdout?: boolean; stderr?: boolean }): Promise<StreamSession> {
    return runLocal({ ...o, command: ["sh", "-c", "echo attached; echo to-stderr >&2"] });
  },
} as unknown as ContainerRuntime;

function runLocal(o: ExecOptions): StreamSession {
  const child = spawn(o.command[0]!, o.command.slice(1), { stdio: "pipe" });
  children.push(child);
  const exitCode = new Promise<number>((resolve) => child.once("close", (code, signal) => resolve(code ?? (signal ? 137 : 1))));
  return {
    stdin: o.stdin ? child.stdin : null,
    stdout: o.stdout ? child.stdout : null,
    stderr: o.stderr && !o.tty ? child.stderr : null,
    resize: async (size) => {
      resizes.push(size);
    },
    exitCode,
    close: () => child.kill("SIGKILL"),
  };
}

function pod(name: string, phase: string): Pod {
  return { metadata: { name, namespace: "default" }, spec: { nodeName: "n1", containers: [{ name: "app" }, ...(name === "web" ? [{ name: "done" }] : [])] }, status: { phase } };
}
const pods: Record<string, Pod> = { web: pod("web", "Running"), finished: pod("finished", "Succeeded") };

let server: http.Server;
let endpoint: PodExecEndpoint;
let base = "";

before(async () => {
  const agentHandler = kubeletStreamHandler(runtime, quiet);
  server = http.createServer((_req, res) => res.writeHead(404).end());
  endpoint = attachExecUpgrade(server, {
    authenticate: (req) => (req.headers.authorization === `Bearer ${TOKEN}` ? { username: "admin", groups: [] } : undefined),
    pods: {
      async get(namespace: string, name: string) {
        const p = pods[name];
        if (!p) throw notFound("", "pods", name);
        return p as unknown as KubeObject;
      },
    },
    tunnel: {
      openKubeletStream(node: string, meta: { path: string }) {
        assert.equal(node, "n1");
        const [serverEnd, agentEnd] = duplexPair();
        agentHandler(agentEnd as unknown as TunnelStream, { endpoint: meta.path.split("/")[1] as KubeletEndpoint, path: meta.path });
        return serverEnd as unknown as TunnelStream;
      },
    },
    log: quiet,
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/namespaces/default/pods`;
});

after(() => {
  endpoint.close();
  server.close();
  for (const c of children) c.kill("SIGKILL");
});

interface Session {
  ws: WebSocket;
  channels: Map<number, Buffer>;
  closed: Promise<number>;
}

function open(path: string, protocols = ["v5.channel.k8s.io"], token = TOKEN): Promise<Session> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base}/${path}`, protocols, { headers: { Authorization: `Bearer ${token}` } });
    const channels = new Map<number, Buffer>();
    ws.on("message", (data: Buffer) => channels.set(data[0]!, Buffer.concat([channels.get(data[0]!) ?? Buffer.alloc(0), data.subarray(1)])));
    const closed = new Promise<number>((r) => ws.once("close", (code) => r(code)));
    ws.once("open", () => resolve({ ws, channels, closed }));
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => reject(Object.assign(new Error(body), { statusCode: res.statusCode, body })));
    });
    ws.once("error", reject);
  });
}

const text = (s: Session, ch: number): string => s.channels.get(ch)?.toString() ?? "";

test("v5: stdin, its close signal, stdout and stderr apart, and the exit Status", async () => {
  const cmd = ["sh", "-c", "cat; echo oops >&2; exit 2"].map((c) => `command=${encodeURIComponent(c)}`).join("&");
  const s = await open(`web/exec?${cmd}&container=app&stdin=true&stdout=true&stderr=true`);
  assert.equal(s.ws.protocol, "v5.channel.k8s.io");
  s.ws.send(Buffer.from([0, ...Buffer.from("hello ")]));
  s.ws.send(Buffer.from([0, ...Buffer.from("stdin\n")]));
  s.ws.send(Buffer.from([255, 0]));
  assert.equal(await s.closed, 1000);
  assert.equal(text(s, 1), "hello stdin\n");
  assert.equal(text(s, 2), "oops\n");
  const status = JSON.parse(text(s, 3));
  assert.equal(status.reason, "NonZeroExitCode");
  assert.deepEqual(status.details.causes, [{ reason: "ExitCode", message: "2" }]);
});

test("v4 clients are served (no close signal) and a clean exit is Success", async () => {
  const s = await open("web/exec?command=echo&command=hi&stdout=true&container=app", ["v4.channel.k8s.io", "v3.channel.k8s.io"]);
  assert.equal(s.ws.protocol, "v4.channel.k8s.io");
  assert.equal(await s.closed, 1000);
  assert.equal(text(s, 1), "hi\n");
  assert.deepEqual(JSON.parse(text(s, 3)), { metadata: {}, status: "Success" });
});

test("output larger than a socket buffer arrives whole", async () => {
  const s = await open("web/exec?command=head&command=-c&command=3000000&command=/dev/zero&stdout=true&container=app");
  assert.equal(await s.closed, 1000);
  assert.equal(s.channels.get(1)?.length, 3_000_000);
  assert.equal(JSON.parse(text(s, 3)).status, "Success");
});

test("resize messages reach the session with a tty; the client leaving ends the process", async () => {
  resizes.length = 0;
  const before = children.length;
  const s = await open("web/exec?command=sleep&command=30&stdin=true&stdout=true&tty=true&container=app");
  s.ws.send(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":100,"Height":30}\n')]));
  const deadline = Date.now() + 5000;
  while (resizes.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(resizes, [{ width: 100, height: 30 }]);
  const child = children[before]!;
  const exited = new Promise((r) => child.once("exit", r));
  s.ws.close();
  await exited;
  assert.equal(child.signalCode, "SIGKILL");
});

test("refusals before the upgrade are upstream Status errors", async () => {
  const fail = async (path: string, token?: string, protocols?: string[]): Promise<{ statusCode: number; body: string }> => {
    try {
      await open(path, protocols, token);
    } catch (err) {
      return err as { statusCode: number; body: string };
    }
    assert.fail(`upgrade of ${path} should have failed`);
  };
  assert.equal((await fail("web/exec?command=ls&stdout=true", "wrong")).statusCode, 401);
  const missing = await fail("nope/exec?command=ls&stdout=true");
  assert.equal(missing.statusCode, 404);
  assert.match(missing.body, /pods \\"nope\\" not found/);
  const done = await fail("finished/exec?command=ls&stdout=true");
  assert.equal(done.statusCode, 400);
  assert.match(done.body, /cannot exec into a container in a completed pod; current phase is Succeeded/);
  const stopped = await fail("web/exec?command=ls&stdout=true&container=done");
  assert.equal(stopped.statusCode, 400);
  assert.match(stopped.body, /container \\"done\\" in pod \\"web\\" is not running/);
  const noProtocol = await fail("web/exec?command=ls&stdout=true&container=app", undefined, ["base64.channel.k8s.io"]);
  assert.equal(noProtocol.statusCode, 400);
});

test("a SPDY upgrade gets the same checks as a WebSocket one before upgrading", async () => {
  const port = (server.address() as AddressInfo).port;
  const answer = (path: string): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port, method: "POST", path: `/api/v1/namespaces/default/pods/${path}`, headers: { Authorization: `Bearer ${TOKEN}`, Connection: "Upgrade", Upgrade: "SPDY/3.1", "X-Stream-Protocol-Version": "v4.channel.k8s.io" } });
      req.on("response", (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      req.end();
    });
  const finished = await answer("finished/exec?command=ls&stdout=true");
  assert.equal(finished.status, 400);
  assert.match(finished.body, /completed pod/);
  const unknown = await answer("web/exec?command=ls&stdout=true&container=nope");
  assert.equal(unknown.status, 400);
  assert.match(unknown.body, /container nope is not valid for pod web/);
});

test("a process that cannot start ends the session with an InternalError Status", async () => {
  const s = await open("web/exec?command=no-such-binary&stdout=true&container=app");
  assert.equal(await s.closed, 1000);
  const status = JSON.parse(text(s, 3));
  assert.equal(status.status, "Failure");
  assert.match(status.message, /error executing command in container: .*no-such-binary.*not found/);
});

test("attach streams the container's output the same way", async () => {
  const s = await open("web/attach?container=app&stdout=true&stderr=true");
  assert.equal(await s.closed, 1000);
  assert.equal(text(s, 1), "attached\n");
  assert.equal(text(s, 2), "to-stderr\n");
  assert.equal(JSON.parse(text(s, 3)).status, "Success");
});
