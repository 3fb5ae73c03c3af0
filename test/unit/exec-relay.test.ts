/**
 * The exec path without Docker: a real HTTP server with attachExecUpgrade, a real WebSocket client
 * speaking v5/v4.channel.k8s.io, the agent's kubelet stream handler on the other end of an
 * in-memory stream pair, and a runtime whose exec runs a local process.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { Pod } from "kubernetes-types/core/v1.js";
import { WebSocket } from "ws";
import { rigPod, startExecRig, type ExecRig } from "./exec-endpoint-rig.js";

const TOKEN = "exec-relay-token";

const pods: Record<string, Pod> = { web: rigPod("web", "Running", ["app", "done"]), finished: rigPod("finished", "Succeeded", ["app"]) };

let rig: ExecRig;
let base = "";

before(async () => {
  rig = await startExecRig({ token: TOKEN, pods, containers: [{ containerName: "app", state: "running" }, { containerName: "done", state: "exited" }] });
  base = `ws://127.0.0.1:${rig.port}/api/v1/namespaces/default/pods`;
});

after(() => rig.close());

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
  rig.resizes.length = 0;
  const before = rig.children.length;
  const s = await open("web/exec?command=sleep&command=30&stdin=true&stdout=true&tty=true&container=app");
  s.ws.send(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":100,"Height":30}\n')]));
  const deadline = Date.now() + 5000;
  while (rig.resizes.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(rig.resizes, [{ width: 100, height: 30 }]);
  const child = rig.children[before]!;
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
  const port = rig.port;
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
