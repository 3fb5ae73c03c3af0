/**
 * exec/attach over SPDY without Docker: a real HTTP server with attachExecUpgrade, a client on
 * spdy-transport that behaves like kubectl's spdystream (streams with only a `streamtype` header,
 * no flow control), the agent's kubelet stream handler on an in-memory stream pair, and a runtime
 * whose exec runs a local process. Covers v4 (JSON Status), v3 (text errors), stdin EOF, large
 * output, tty resize, the refusals before the upgrade, and the stream creation timeout (over
 * spdySessionOver on an in-memory pair).
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import type { Pod } from "kubernetes-types/core/v1.js";
import { pino } from "pino";
import transport from "spdy-transport";
import { spdySessionOver } from "../../src/server/apiserver/spdy/index.js";
import { relaySpdyExecSession } from "../../src/server/apiserver/spdy/remotecommand.js";
import { duplexPair } from "./duplex-pair.js";
import { rigPod, startExecRig, type ExecRig } from "./exec-endpoint-rig.js";
import { replied, spdyClient } from "./spdy-client.js";
import { requestUpgrade, type UpgradeResult } from "./upgrade-request.js";

const quiet = pino({ level: "silent" });
const TOKEN = "spdy-exec-token";
const KUBECTL_PROTOCOLS = "v4.channel.k8s.io, v3.channel.k8s.io, v2.channel.k8s.io, channel.k8s.io";

const pods: Record<string, Pod> = { web: rigPod("web", "Running", ["app"]), finished: rigPod("finished", "Succeeded", ["app"]) };

let rig: ExecRig;
let port = 0;

before(async () => {
  rig = await startExecRig({ token: TOKEN, pods, containers: [{ containerName: "app", state: "running" }] });
  port = rig.port;
});

after(() => rig.close());

function upgrade(path: string, protocols: string | undefined): Promise<UpgradeResult> {
  const headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}`, Connection: "Upgrade", Upgrade: "SPDY/3.1" };
  if (protocols !== undefined) headers["X-Stream-Protocol-Version"] = protocols;
  return requestUpgrade(`http://127.0.0.1:${port}/api/v1/namespaces/default/pods/${path}`, { method: "POST", headers });
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.once("end", () => resolve(Buffer.concat(chunks)));
    stream.once("close", () => resolve(Buffer.concat(chunks)));
  });
}

interface ExecSession {
  protocol: string;
  streams: Map<string, transport.Stream>;
  output: Map<string, Promise<Buffer>>;
  socketClosed: Promise<void>;
}

/** Upgrades and opens the streams in kubectl's order (error first), as kubectl's remotecommand client does. */
async function execOverSpdy(path: string, types: string[], protocols = KUBECTL_PROTOCOLS): Promise<ExecSession> {
  const up = await upgrade(path, protocols);
  assert.equal(up.status, 101, up.body);
  const socketClosed = new Promise<void>((r) => up.socket!.once("close", () => r()));
  const client = spdyClient(up.socket!, { spdystream: true });
  const streams = new Map<string, transport.Stream>();
  const output = new Map<string, Promise<Buffer>>();
  for (const type of types) {
    // Like kubectl, each stream waits for its SYN_REPLY before the next is created.
    const s = client.request({ method: "POST", path: "/", headers: { streamtype: type } });
    s.on("error", () => undefined);
    streams.set(type, s);
    output.set(type, readAll(s));
    await replied(s);
  }
  return { protocol: String(up.headers["x-stream-protocol-version"]), streams, output, socketClosed };
}

const out = async (s: ExecSession, type: string): Promise<string> => (await s.output.get(type)!).toString();
const query = (command: string[], flags: string): string => `${command.map((c) => `command=${encodeURIComponent(c)}`).join("&")}&container=app&${flags}`;

test("v4: stdin and its FIN, stdout and stderr apart, the exit Status as JSON on the error stream", async () => {
  const s = await execOverSpdy(`web/exec?${query(["sh", "-c", "cat; echo oops >&2; exit 2"], "stdin=true&stdout=true&stderr=true")}`, ["error", "stdin", "stdout", "stderr"]);
  assert.equal(s.protocol, "v4.channel.k8s.io");
  s.streams.get("stdin")!.write("hello ");
  s.streams.get("stdin")!.end("stdin\n");
  assert.equal(await out(s, "stdout"), "hello stdin\n");
  assert.equal(await out(s, "stderr"), "oops\n");
  const status = JSON.parse(await out(s, "error"));
  assert.equal(status.status, "Failure");
  assert.equal(status.reason, "NonZeroExitCode");
  assert.deepEqual(status.details.causes, [{ reason: "ExitCode", message: "2" }]);
  await s.socketClosed;
});

test("v4: a clean exit writes a Success Status", async () => {
  const s = await execOverSpdy(`web/exec?${query(["echo", "hi"], "stdout=true")}`, ["error", "stdout"]);
  assert.equal(await out(s, "stdout"), "hi\n");
  assert.deepEqual(JSON.parse(await out(s, "error")), { metadata: {}, status: "Success" });
});

test("v3: failures are plain text on the error stream, success writes nothing", async () => {
  const failed = await execOverSpdy(`web/exec?${query(["sh", "-c", "exit 3"], "stdout=true")}`, ["error", "stdout"], "v3.channel.k8s.io");
  assert.equal(failed.protocol, "v3.channel.k8s.io");
  assert.match(await out(failed, "error"), /^command terminated with non-zero exit code: .*exited with 3$/);
  const ok = await execOverSpdy(`web/exec?${query(["true"], "stdout=true")}`, ["error", "stdout"], "v3.channel.k8s.io");
  assert.equal(await out(ok, "error"), "");
});

test("output much larger than any window arrives whole", async () => {
  const s = await execOverSpdy(`web/exec?${query(["head", "-c", "3000000", "/dev/zero"], "stdout=true")}`, ["error", "stdout"]);
  assert.equal((await s.output.get("stdout")!).length, 3_000_000);
  assert.equal(JSON.parse(await out(s, "error")).status, "Success");
});

test("stdin much larger than any window arrives whole", async () => {
  const s = await execOverSpdy(`web/exec?${query(["wc", "-c"], "stdin=true&stdout=true")}`, ["error", "stdin", "stdout"]);
  s.streams.get("stdin")!.end(Buffer.alloc(3_000_000, 7));
  assert.equal((await out(s, "stdout")).trim(), "3000000");
});

test("tty: resize lines reach the session (v4 opens a resize stream, no stderr)", async () => {
  rig.resizes.length = 0;
  const s = await execOverSpdy(`web/exec?${query(["sleep", "1"], "stdin=true&stdout=true&tty=true")}`, ["error", "stdin", "stdout", "resize"]);
  s.streams.get("resize")!.write('{"Width":100,"Height":30}\n{"Width":120,');
  s.streams.get("resize")!.write('"Height":40}\n');
  assert.deepEqual(JSON.parse(await out(s, "error")), { metadata: {}, status: "Success" });
  assert.deepEqual(rig.resizes, [{ width: 100, height: 30 }, { width: 120, height: 40 }]);
});

test("attach streams the container's output", async () => {
  const s = await execOverSpdy("web/attach?container=app&stdout=true&stderr=true", ["error", "stdout", "stderr"]);
  assert.equal(await out(s, "stdout"), "attached\n");
  assert.equal(await out(s, "stderr"), "to-stderr\n");
});

test("refusals come before the upgrade: completed pod, no protocol, no common protocol", async () => {
  const finished = await upgrade(`finished/exec?${query(["ls"], "stdout=true")}`, KUBECTL_PROTOCOLS);
  assert.equal(finished.status, 400);
  assert.match(finished.body!, /cannot exec into a container in a completed pod/);
  const none = await upgrade(`web/exec?${query(["ls"], "stdout=true")}`, undefined);
  assert.equal(none.status, 400);
  assert.match(none.body!, /X-Stream-Protocol-Version is required/);
  const v1 = await upgrade(`web/exec?${query(["ls"], "stdout=true")}`, "channel.k8s.io");
  assert.equal(v1.status, 403);
  assert.match(v1.body!, /unable to negotiate protocol: client supports \[channel\.k8s\.io\], server accepts \[v4\.channel\.k8s\.io v3\.channel\.k8s\.io v2\.channel\.k8s\.io\]/);
});

test("a client that does not open every expected stream in time gets a clear error and the session closes", async () => {
  const [serverEnd, clientEnd] = duplexPair();
  const [nodeEnd] = duplexPair();
  const session = spdySessionOver(serverEnd, "v4.channel.k8s.io");
  const closed = new Promise<void>((r) => session.once("close", () => r()));
  relaySpdyExecSession(session, nodeEnd, { stdin: true, stdout: true, stderr: false, tty: false }, quiet, 200);
  const client = spdyClient(clientEnd, { spdystream: true });
  const error = client.request({ method: "POST", path: "/", headers: { streamtype: "error" } });
  error.on("error", () => undefined);
  const status = JSON.parse((await readAll(error)).toString()) as { status: string; message: string };
  assert.equal(status.status, "Failure");
  assert.match(status.message, /timed out waiting for client to create streams \(got error of error, stdin, stdout\)/);
  assert.equal(nodeEnd.destroyed, true);
  clientEnd.destroy();
  await closed;
});
