/**
 * The port-forward endpoint without Docker: a real HTTP server with PodPortForwardEndpoint wired
 * through attachExecUpgrade, the agent's kubelet stream handler on the other end of in-memory
 * stream pairs, and a runtime whose portForward connects to a local TCP server standing in for the
 * pod. Clients: a SPDY/3.1 client (spdy-transport) opening error/data pairs, a WebSocket client
 * speaking v4.channel.k8s.io, and raw upgrade requests for the refusals.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { Pod } from "kubernetes-types/core/v1.js";
import { pino } from "pino";
import transport from "spdy-transport";
import { WebSocket } from "ws";
import { attachExecUpgrade, type PodExecEndpoint } from "../../src/server/apiserver/pod-exec.js";
import { PodPortForwardEndpoint } from "../../src/server/apiserver/pod-port-forward.js";
import { kubeletStreamHandler } from "../../src/agent/kubelet/streaming/index.js";
import type { ContainerRuntime, SandboxInfo } from "../../src/agent/kubelet/runtime/types.js";
import type { KubeletEndpoint } from "../../src/agent/tunnel/index.js";
import type { TunnelStream } from "../../src/shared/tunnel/index.js";
import type { KubeObject } from "../../src/shared/api/types.js";
import { notFound } from "../../src/shared/api/status.js";
import { duplexPair } from "./duplex-pair.js";
import { openStream, spdyClient } from "./spdy-client.js";
import { requestUpgrade, type UpgradeResult } from "./upgrade-request.js";

const quiet = pino({ level: "silent" });
const TOKEN = "port-forward-token";
const PAGE = "HTTP/1.0 200 OK\r\n\r\nhello from the pod\n";
/** Every test is bounded: a regression must fail, not hang the whole unit run. */
const bounded = { timeout: 20_000 };

let podServer: net.Server;
let podPort = 0;
let closedPort = 0;
const podSockets = new Set<net.Socket>();
let server: http.Server;
let execEndpoint: PodExecEndpoint;
let portForward: PodPortForwardEndpoint;
let base = "";
let kubeletStreamsOpened = 0;

const runtime = {
  async listPodSandboxes(): Promise<SandboxInfo[]> {
    return [{ sandboxId: "s1", podUid: "u1", namespace: "default", podName: "web", attempt: 0, ip: "127.0.0.1", state: "ready", labels: {} }];
  },
  async portForward(sandboxId: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: "127.0.0.1", port });
      socket.once("error", (err) => reject(new Error(`error forwarding port ${port} to pod sandbox ${sandboxId}: ${err.message}`)));
      socket.once("connect", () => resolve(socket));
    });
  },
} as unknown as ContainerRuntime;

const pods: Record<string, Pod> = {
  web: { metadata: { name: "web", namespace: "default" }, spec: { nodeName: "n1", containers: [{ name: "app" }] }, status: { phase: "Running" } },
  pending: { metadata: { name: "pending", namespace: "default" }, spec: { containers: [{ name: "app" }] }, status: { phase: "Pending" } },
};

before(async () => {
  podServer = net.createServer({ allowHalfOpen: true }, (s) => {
    podSockets.add(s);
    s.on("close", () => podSockets.delete(s));
    s.on("error", () => undefined);
    let got = "";
    s.on("data", (d: Buffer) => {
      got += d.toString();
      if (got.includes("\r\n\r\n")) s.end(PAGE);
    });
  });
  await new Promise<void>((r) => podServer.listen(0, "127.0.0.1", r));
  podPort = (podServer.address() as AddressInfo).port;
  const tmp = net.createServer();
  await new Promise<void>((r) => tmp.listen(0, "127.0.0.1", r));
  closedPort = (tmp.address() as AddressInfo).port;
  await new Promise((r) => tmp.close(r));

  const agentHandler = kubeletStreamHandler(runtime, quiet);
  const opts = {
    authenticate: (req: http.IncomingMessage) => (req.headers.authorization === `Bearer ${TOKEN}` ? { username: "admin", groups: [] } : undefined),
    pods: {
      async get(_namespace: string, name: string) {
        const p = pods[name];
        if (!p) throw notFound("", "pods", name);
        return p as unknown as KubeObject;
      },
    },
    tunnel: {
      openKubeletStream(node: string, meta: { path: string }) {
        assert.equal(node, "n1");
        kubeletStreamsOpened++;
        const [serverEnd, agentEnd] = duplexPair();
        agentHandler(agentEnd as unknown as TunnelStream, { endpoint: meta.path.split("/")[1]!.split("?")[0] as KubeletEndpoint, path: meta.path });
        return serverEnd as unknown as TunnelStream;
      },
    },
    log: quiet,
  };
  server = http.createServer((_req, res) => res.writeHead(404).end());
  portForward = new PodPortForwardEndpoint(opts);
  execEndpoint = attachExecUpgrade(server, opts, [portForward]);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  portForward.close();
  execEndpoint.close();
  server.closeAllConnections();
  server.close();
  for (const s of podSockets) s.destroy();
  podServer.close();
});

/** Sends an upgrade request; resolves with the 101 and its socket, or the refusal and its body. */
function upgrade(path: string, headers: Record<string, string>, token = TOKEN): Promise<UpgradeResult> {
  return requestUpgrade(`http://${base}${path}`, { method: headers.Upgrade === "websocket" ? "GET" : "POST", headers: { Authorization: `Bearer ${token}`, Connection: "Upgrade", ...headers } });
}

const SPDY = { Upgrade: "SPDY/3.1", "X-Stream-Protocol-Version": "portforward.k8s.io" };
const wsHeaders = (protocol: string): Record<string, string> => ({ Upgrade: "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": randomBytes(16).toString("base64"), "Sec-WebSocket-Protocol": protocol });

function readAll(s: Duplex): Promise<string> {
  return new Promise((resolve) => {
    let out = "";
    s.on("data", (d: Buffer) => (out += d.toString()));
    s.once("end", () => resolve(out));
    s.once("close", () => resolve(out));
  });
}

/** One forwarded connection the way kubectl opens it: error stream, then data stream, same request id. */
async function forwardOnce(client: transport.Connection, requestId: string, port: number, request: string): Promise<{ data: string; error: string }> {
  const error = await openStream(client, { streamtype: "error", port: String(port), requestid: requestId });
  error.end(); // kubectl never writes on it
  const errorText = readAll(error);
  const data = await openStream(client, { streamtype: "data", port: String(port), requestid: requestId });
  const answer = readAll(data);
  data.write(request);
  const text = await answer;
  data.end();
  return { data: text, error: await errorText };
}

test("raw SPDY: the 101 names portforward.k8s.io; pairs are forwarded, concurrently, one kubelet stream each", bounded, async () => {
  const r = await upgrade("/api/v1/namespaces/default/pods/web/portforward", SPDY);
  assert.equal(r.status, 101, r.body);
  assert.equal(r.headers["x-stream-protocol-version"], "portforward.k8s.io");
  const client = spdyClient(r.socket!, { spdystream: false });
  const opened = kubeletStreamsOpened;
  const results = await Promise.all([0, 1, 2].map((i) => forwardOnce(client, String(i), podPort, "GET / HTTP/1.0\r\n\r\n")));
  for (const res of results) assert.deepEqual(res, { data: PAGE, error: "" });
  assert.equal(kubeletStreamsOpened - opened, 3);
  r.socket!.destroy();
});

test("raw SPDY: a refused connection is text on that pair's error stream; the session goes on", bounded, async () => {
  const r = await upgrade("/api/v1/namespaces/default/pods/web/portforward", SPDY);
  const client = spdyClient(r.socket!, { spdystream: false });
  const refused = await forwardOnce(client, "0", closedPort, "GET / HTTP/1.0\r\n\r\n");
  assert.equal(refused.data, "");
  assert.match(refused.error, new RegExp(`error forwarding port ${closedPort} to pod sandbox s1: connect ECONNREFUSED`));
  assert.deepEqual(await forwardOnce(client, "1", podPort, "GET / HTTP/1.0\r\n\r\n"), { data: PAGE, error: "" });
  r.socket!.destroy();
});

test("raw SPDY: a stream with a bad port header is refused, the next pair still works", bounded, async () => {
  const r = await upgrade("/api/v1/namespaces/default/pods/web/portforward", SPDY);
  const client = spdyClient(r.socket!, { spdystream: false });
  const bad = await openStream(client, { streamtype: "data", port: "0", requestid: "7" });
  // The server answers, then resets it (RST_STREAM), as upstream refuses a stream with bad headers.
  await new Promise<void>((resolve) => {
    if (bad._spdyState.aborted) resolve();
    else bad.once("close", () => resolve());
  });
  assert.equal(bad._spdyState.aborted, true);
  assert.deepEqual(await forwardOnce(client, "8", podPort, "GET / HTTP/1.0\r\n\r\n"), { data: PAGE, error: "" });
  r.socket!.destroy();
});

test("SPDY in a WebSocket: ws's subprotocol check is bypassed and the offer is echoed", bounded, async () => {
  const r = await upgrade("/api/v1/namespaces/default/pods/web/portforward", wsHeaders("SPDY/3.1+portforward.k8s.io"));
  assert.equal(r.status, 101, r.body);
  assert.equal(r.headers["sec-websocket-protocol"], "SPDY/3.1+portforward.k8s.io");
  r.socket!.destroy();
});

interface ChannelClient {
  ws: WebSocket;
  messages: { channel: number; payload: Buffer }[];
  closed: Promise<void>;
}

function openChannels(query: string): Promise<ChannelClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${base}/api/v1/namespaces/default/pods/web/portforward?${query}`, ["v5.channel.k8s.io", "v4.channel.k8s.io"], { headers: { Authorization: `Bearer ${TOKEN}` } });
    const messages: ChannelClient["messages"] = [];
    ws.on("message", (d: Buffer) => messages.push({ channel: d[0]!, payload: d.subarray(1) }));
    const closed = new Promise<void>((r) => ws.once("close", () => r()));
    ws.once("open", () => resolve({ ws, messages, closed }));
    ws.once("error", reject);
  });
}

function channelText(messages: ChannelClient["messages"], channel: number): string {
  return Buffer.concat(messages.filter((m) => m.channel === channel).map((m) => m.payload)).toString("latin1");
}

test("WebSocket v4.channel.k8s.io: port prefixes first, data both ways, the WebSocket closes when the pod does", bounded, async () => {
  const c = await openChannels(`ports=${podPort}`);
  assert.equal(c.ws.protocol, "v4.channel.k8s.io");
  c.ws.send(Buffer.concat([Buffer.from([0]), Buffer.from("GET / HTTP/1.0\r\n\r\n")]));
  await c.closed;
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16LE(podPort);
  const first = (ch: number) => c.messages.find((m) => m.channel === ch)!.payload;
  assert.deepEqual(first(0), prefix);
  assert.deepEqual(first(1), prefix);
  assert.equal(channelText(c.messages, 0), prefix.toString("latin1") + PAGE);
  assert.equal(channelText(c.messages, 1), prefix.toString("latin1"), "no error");
});

test("WebSocket v4: several ports, one refused: its error channel says so, the other port works", bounded, async () => {
  const c = await openChannels(`ports=${closedPort},${podPort}`);
  c.ws.send(Buffer.concat([Buffer.from([2]), Buffer.from("GET / HTTP/1.0\r\n\r\n")]));
  await c.closed;
  assert.match(channelText(c.messages, 1).slice(2), new RegExp(`error forwarding port ${closedPort} to pod sandbox s1: connect ECONNREFUSED`));
  assert.equal(channelText(c.messages, 2).slice(2), PAGE);
  assert.equal(channelText(c.messages, 3).slice(2), "");
});

test("refusals before the upgrade: upstream's Status codes and messages", bounded, async () => {
  const path = (pod: string, q = "") => `/api/v1/namespaces/default/pods/${pod}/portforward${q}`;
  const unauth = await upgrade(path("web"), SPDY, "wrong");
  assert.equal(unauth.status, 401);
  const missing = await upgrade(path("nope"), SPDY);
  assert.equal(missing.status, 404);
  assert.match(missing.body, /pods \\?"nope\\?" not found/);
  const noNode = await upgrade(path("pending"), SPDY);
  assert.equal(noNode.status, 400);
  assert.match(noNode.body, /pod pending does not have a host assigned/);
  const badPort = await upgrade(path("web", "?ports=0"), SPDY);
  assert.equal(badPort.status, 400);
  assert.match(badPort.body, /port \\?"0\\?" must be > 0/);
  const noPorts = await upgrade(path("web"), wsHeaders("v4.channel.k8s.io"));
  assert.equal(noPorts.status, 400);
  assert.match(noPorts.body, /query parameter \\?"ports\\?" is required/);
  const wrongProtocol = await upgrade(path("web", "?ports=80"), wsHeaders("base64.channel.k8s.io"));
  assert.equal(wrongProtocol.status, 400);
  assert.match(wrongProtocol.body, /requested protocol\(s\) are not supported/);
  const spdyExec = await upgrade(path("web"), { Upgrade: "SPDY/3.1", "X-Stream-Protocol-Version": "v4.channel.k8s.io" });
  assert.equal(spdyExec.status, 403);
  assert.match(spdyExec.body, /unable to negotiate protocol/);
});
