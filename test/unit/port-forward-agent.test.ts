/**
 * The agent's portForward kubelet endpoint without Docker: the path and sandbox choice, and a served
 * stream against a runtime whose portForward connects to a local TCP server standing in for the pod:
 * bytes both ways, half-close in each direction, a refused connection in the header, an unknown pod,
 * and a reset from the server tearing down the pod connection.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import net, { type AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { pino } from "pino";
import { parsePortForwardPath, pickSandbox, servePortForward } from "../../src/agent/kubelet/streaming/port-forward.js";
import { relay } from "../../src/shared/stream-relay.js";
import type { ContainerRuntime, SandboxInfo } from "../../src/agent/kubelet/runtime/types.js";
import { readStreamHeader } from "../../src/shared/tunnel/kubelet-stream.js";
import { duplexPair } from "./duplex-pair.js";

const quiet = pino({ level: "silent" });

function sandbox(over: Partial<SandboxInfo>): SandboxInfo {
  return { sandboxId: "s1", podUid: "u1", namespace: "default", podName: "web", attempt: 0, ip: "10.0.0.2", state: "ready", labels: {}, ...over };
}

test("portForward paths: namespace, pod and port, with upstream's port errors", () => {
  assert.deepEqual(parsePortForwardPath("/portForward/default/web?port=8080"), { namespace: "default", pod: "web", port: 8080 });
  assert.throws(() => parsePortForwardPath("/portForward/default/web"), /query parameter "port" is required/);
  assert.throws(() => parsePortForwardPath("/portForward/default/web?port=http"), /unable to parse "http" as a port/);
  assert.throws(() => parsePortForwardPath("/portForward/default/web?port=0"), /must be between 1 and 65535/);
  assert.throws(() => parsePortForwardPath("/portForward/default/web?port=65536"), /must be between 1 and 65535/);
  assert.throws(() => parsePortForwardPath("/portForward/default/web/extra?port=80"), /not a portForward path/);
  assert.throws(() => parsePortForwardPath("/exec/default/web?port=80"), /not a portForward path/);
});

test("the sandbox picked is the pod's running one, newest attempt first", () => {
  const list = [
    sandbox({ sandboxId: "old", attempt: 0, state: "notready" }),
    sandbox({ sandboxId: "a1", attempt: 1 }),
    sandbox({ sandboxId: "a2", attempt: 2 }),
    sandbox({ sandboxId: "other", podName: "db", attempt: 9 }),
    sandbox({ sandboxId: "elsewhere", namespace: "kube-system", attempt: 9 }),
  ];
  assert.equal(pickSandbox(list, "default", "web")?.sandboxId, "a2");
  assert.equal(pickSandbox([list[0]!], "default", "web"), undefined);
  assert.equal(pickSandbox(list, "default", "nope"), undefined);
});

/** The "pod": answers "you sent: <bytes>" once the client half-closes, or echoes lines with `echo` mode. */
let pod: net.Server;
let podPort = 0;
const podSockets = new Set<net.Socket>();
let freePort = 0;

before(async () => {
  pod = net.createServer({ allowHalfOpen: true }, (s) => {
    podSockets.add(s);
    s.on("close", () => podSockets.delete(s));
    s.on("error", () => undefined);
    let got = "";
    s.on("data", (d: Buffer) => {
      got += d.toString();
      if (got.startsWith("GET")) s.end(`HTTP/1.0 200 OK\r\n\r\nhello from the pod\n`);
    });
    s.on("end", () => {
      if (!s.writableEnded) s.end(`you sent: ${got}`);
    });
  });
  await new Promise<void>((r) => pod.listen(0, "127.0.0.1", r));
  podPort = (pod.address() as AddressInfo).port;
  // A port nothing listens on: bind one, note it, close it.
  const tmp = net.createServer();
  await new Promise<void>((r) => tmp.listen(0, "127.0.0.1", r));
  freePort = (tmp.address() as AddressInfo).port;
  await new Promise((r) => tmp.close(r));
});

after(() => {
  for (const s of podSockets) s.destroy();
  pod.close();
});

const runtime = {
  async listPodSandboxes(): Promise<SandboxInfo[]> {
    return [sandbox({ sandboxId: "s1" })];
  },
  async portForward(sandboxId: string, port: number): Promise<Duplex> {
    assert.equal(sandboxId, "s1");
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: "127.0.0.1", port });
      socket.once("error", (err) => reject(new Error(`error forwarding port ${port} to pod sandbox ${sandboxId}: ${err.message}`)));
      socket.once("connect", () => resolve(socket));
    });
  },
} as unknown as ContainerRuntime;

/** Opens a portForward stream as the server would and returns the server's end after the header. */
async function open(path: string): Promise<{ server: Duplex; header: Awaited<ReturnType<typeof readStreamHeader>>; served: Promise<void> }> {
  const [server, agent] = duplexPair();
  const served = servePortForward(agent, path, runtime, quiet);
  const header = await readStreamHeader(server);
  return { server, header, served };
}

function readAll(s: Duplex): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    s.on("data", (d: Buffer) => (out += d.toString()));
    s.once("end", () => resolve(out));
    s.once("error", reject);
  });
}

test("a forwarded connection: request in, answer out, the pod's close ends the stream", async () => {
  const { server, header, served } = await open(`/portForward/default/web?port=${podPort}`);
  assert.deepEqual(header, { ok: true });
  const answer = readAll(server);
  server.write("GET / HTTP/1.0\r\n\r\n");
  assert.equal(await answer, "HTTP/1.0 200 OK\r\n\r\nhello from the pod\n");
  server.end();
  await served;
});

test("half-close from the client: the pod sees EOF and can still answer", async () => {
  const { server, header, served } = await open(`/portForward/default/web?port=${podPort}`);
  assert.equal(header.ok, true);
  const answer = readAll(server);
  server.write("part one, ");
  server.end("part two");
  assert.equal(await answer, "you sent: part one, part two");
  await served;
});

test("a port nothing listens on: the header carries the refused connection", async () => {
  const { server, header } = await open(`/portForward/default/web?port=${freePort}`);
  assert.equal(header.ok, undefined);
  assert.match(header.message ?? "", new RegExp(`error forwarding port ${freePort} to pod sandbox s1: connect ECONNREFUSED`));
  server.destroy();
});

test("an unknown pod and a bad port are refused in the header", async () => {
  const unknown = await open(`/portForward/default/nope?port=${podPort}`);
  assert.equal(unknown.header.code, 404);
  assert.match(unknown.header.message ?? "", /default\/nope does not exist/);
  const bad = await open(`/portForward/default/web?port=99999`);
  assert.equal(bad.header.code, 400);
});

test("a reset from the server tears the pod connection down", async () => {
  const before = podSockets.size;
  const { server, served } = await open(`/portForward/default/web?port=${podPort}`);
  server.write("still talking");
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(podSockets.size, before + 1);
  server.destroy();
  await served;
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(podSockets.size, before, "the pod's side of the connection was closed");
});

test("relay: the first error is reported and both sides end up closed", async () => {
  const [a, aPeer] = duplexPair();
  const [b, bPeer] = duplexPair();
  const done = relay(a, b);
  aPeer.write("x");
  const got = await new Promise<Buffer>((r) => bPeer.once("data", r));
  assert.equal(got.toString(), "x");
  a.destroy(new Error("boom"));
  assert.equal((await done)?.message, "boom");
  assert.ok(b.destroyed);
});
