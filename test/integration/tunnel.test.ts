/**
 * The agent ↔ server tunnel end to end: a real HTTPS API server (storage, TLS, tokens, ApiHandler) with
 * the tunnel endpoint attached, and the agent's connectTunnel against it over loopback.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, statSync, existsSync, readFileSync } from "node:fs";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import type { AddressInfo, Socket } from "node:net";
import { pino, type Logger } from "pino";
import { openStore } from "../../src/server/storage/index.js";
import { loadOrCreateTls } from "../../src/server/tls/index.js";
import { loadOrCreateServerTokens } from "../../src/server/auth/tokens.js";
import { Authenticator, type UserInfo } from "../../src/server/apiserver/auth.js";
import { ApiHandler } from "../../src/server/apiserver/api-handler.js";
import { buildControlPlane } from "../../src/server/control-plane.js";
import { attachTunnelEndpoint, tunnelUser, type TunnelEndpoint } from "../../src/server/tunnel-endpoint.js";
import { connectTunnel, CREDENTIAL_FILES, type TunnelClient } from "../../src/agent/tunnel/index.js";
import { freePort } from "./harness.js";

const silent = pino({ level: "silent" });

/**
 * The Authenticator with the tunnel hook the server will have (see the tunnel report): a request that
 * came through a node's tunnel and carries no bearer token is that node.
 */
class TunnelAwareAuthenticator extends Authenticator {
  override authenticate(req: IncomingMessage): UserInfo | undefined {
    const node = req.headers.authorization ? undefined : tunnelUser(req);
    return node ? { ...node, groups: [...node.groups, "system:authenticated"] } : super.authenticate(req);
  }
}

interface TestApiServer {
  port: number;
  joinToken: string;
  adminToken: string;
  caPem: string;
  caHash: string;
  endpoint: TunnelEndpoint;
  /** Paths of plain requests the server saw (to prove what an agent did or did not send). */
  requests: { path: string; authorization: boolean }[];
  /** Stops abruptly, as a killed process would: every connection is cut. */
  kill(): Promise<void>;
}

async function startApiServer(dataDir: string, port = 0): Promise<TestApiServer> {
  const store = await openStore({ dataDir, logger: silent });
  const tls = await loadOrCreateTls({ dir: path.join(dataDir, "server", "tls") });
  const tokens = await loadOrCreateServerTokens({ dir: dataDir, caHash: tls.caHash });
  const cp = await buildControlPlane({ store, log: silent });
  const handler = new ApiHandler({
    registry: cp.registry,
    stores: cp.stores,
    authenticator: new TunnelAwareAuthenticator([{ token: tokens.adminToken, user: { username: "system:admin", groups: ["system:masters"] } }]),
    log: silent,
    serverAddress: `127.0.0.1:${port}`,
    subresourceHandlers: cp.subresourceHandlers,
    virtualCreate: cp.virtualCreate,
    ready: () => true,
  });
  const requests: TestApiServer["requests"] = [];
  let endpoint: TunnelEndpoint | undefined;
  const server = https.createServer({ cert: tls.certPem, key: tls.keyPem, ca: tls.caCertPem, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    requests.push({ path: req.url ?? "", authorization: req.headers.authorization !== undefined });
    if (endpoint?.handleRequest(req, res)) return;
    handler.listener(req, res);
  });
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  endpoint = await attachTunnelEndpoint(server, { tls, joinToken: tokens.joinToken, listener: handler.listener, dataDir, logger: silent, pingIntervalMs: 200, pingTimeoutMs: 600 });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    joinToken: tokens.joinToken,
    adminToken: tokens.adminToken,
    caPem: tls.caCertPem,
    caHash: tls.caHash,
    endpoint,
    requests,
    async kill() {
      server.close();
      for (const s of sockets) s.destroy();
      endpoint!.close();
      await store.close();
    },
  };
}

/** A logger whose lines the test can read. */
function capturingLogger(): { logger: Logger; lines: () => string[] } {
  const lines: string[] = [];
  const logger = pino({ level: "debug" }, { write: (s: string) => void lines.push(s) });
  return { logger, lines: () => lines };
}

function tempDir(t: { after: (fn: () => void) => void }, prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A request through the tunnel's http.Agent. */
function apiRequest(client: TunnelClient, method: string, urlPath: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({ agent: client.httpAgent, host: "kube-lite-api", method, path: urlPath, headers: data ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(data) } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString() || "{}") as Record<string, unknown> }));
    });
    req.on("error", reject);
    req.end(data);
  });
}

/** A request over HTTPS with the admin token (not through the tunnel). */
function adminRequest(srv: TestApiServer, method: string, urlPath: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = https.request(
      { host: "127.0.0.1", port: srv.port, method, path: urlPath, ca: srv.caPem, headers: { Authorization: `Bearer ${srv.adminToken}`, "Content-Type": "application/json" } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

async function waitFor(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test("join with the token: credentials are stored, API calls go through the tunnel as the node", async (t) => {
  const serverDir = tempDir(t, "kube-lite-tunnel-srv-");
  const agentDir = tempDir(t, "kube-lite-tunnel-agent-");
  const srv = await startApiServer(serverDir);
  t.after(() => srv.kill());
  const client = await connectTunnel({ server: `https://127.0.0.1:${srv.port}`, token: srv.joinToken, dataDir: agentDir, nodeName: "n1", logger: silent });
  t.after(() => client.close());

  for (const f of Object.values(CREDENTIAL_FILES)) assert.equal(statSync(path.join(agentDir, f)).mode & 0o777, 0o600, `${f} is private`);
  const cert = new X509Certificate(readFileSync(path.join(agentDir, CREDENTIAL_FILES.cert)));
  assert.match(cert.subject, /CN=system:node:n1/);
  assert.match(cert.subject, /O=system:nodes/);
  assert.equal(readFileSync(path.join(agentDir, CREDENTIAL_FILES.ca), "utf8"), readFileSync(path.join(serverDir, "server", "tls", "server-ca.crt"), "utf8"));
  assert.deepEqual(srv.endpoint.connectedNodes(), ["n1"]);

  const list = await apiRequest(client, "GET", "/api/v1/namespaces");
  assert.equal(list.status, 200);
  assert.equal(list.json.kind, "NamespaceList");
  const who = await apiRequest(client, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" });
  assert.equal(who.status, 201);
  const userInfo = (who.json.status as { userInfo: { username: string; groups: string[] } }).userInfo;
  assert.equal(userInfo.username, "system:node:n1");
  assert.ok(userInfo.groups.includes("system:nodes"));
  // Many requests at once share pooled streams.
  const many = await Promise.all(Array.from({ length: 20 }, () => apiRequest(client, "GET", "/version")));
  assert.ok(many.every((r) => r.status === 200));

  // A large response (several stream windows) and a watch (a long streaming response) both flow.
  const openapi = await apiRequest(client, "GET", "/openapi/v2");
  assert.equal(openapi.status, 200);
  assert.ok(JSON.stringify(openapi.json).length > 1024 * 1024, "bigger than a few windows");
  const events: string[] = [];
  const watch = http.get({ agent: client.httpAgent, host: "kube-lite-api", path: "/api/v1/namespaces?watch=1" });
  const watching = new Promise<void>((resolve, reject) => {
    watch.on("error", reject);
    watch.on("response", (res) => {
      res.on("data", (c: Buffer) => {
        events.push(c.toString());
        if (events.join("").includes("from-admin")) resolve();
      });
    });
  });
  await new Promise((r) => setTimeout(r, 200));
  const created = await adminRequest(srv, "POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "from-admin" } });
  assert.equal(created, 201);
  await watching;
  watch.destroy();

  // A restart needs no token: the stored certificate is enough.
  client.close();
  const again = await connectTunnel({ server: `https://127.0.0.1:${srv.port}`, dataDir: agentDir, nodeName: "n1", logger: silent });
  t.after(() => again.close());
  assert.equal((await apiRequest(again, "GET", "/api/v1/namespaces")).status, 200);
});

test("a wrong join token and a wrong CA hash each fail at once with a clear message", async (t) => {
  const srv = await startApiServer(tempDir(t, "kube-lite-tunnel-srv-"));
  t.after(() => srv.kill());
  const server = `https://127.0.0.1:${srv.port}`;

  const wrongSecret = srv.joinToken.replace(/::server:.*/, "::server:not-the-secret");
  const dir1 = tempDir(t, "kube-lite-tunnel-agent-");
  let started = Date.now();
  await assert.rejects(connectTunnel({ server, token: wrongSecret, dataDir: dir1, nodeName: "n1", logger: silent }), /rejected the join token for node "n1"/);
  assert.ok(Date.now() - started < 5_000);
  assert.equal(existsSync(path.join(dir1, CREDENTIAL_FILES.cert)), false, "nothing stored");

  const before = srv.requests.length;
  const wrongHash = `K10${"0".repeat(64)}::server:${srv.joinToken.split("::server:")[1]}`;
  started = Date.now();
  await assert.rejects(
    connectTunnel({ server, token: wrongHash, dataDir: tempDir(t, "kube-lite-tunnel-agent-"), nodeName: "n1", logger: silent }),
    (err: Error) => /presents a CA with sha256 [0-9a-f]{64}, but the join token pins 0{64}/.test(err.message) && /token was not sent/.test(err.message),
  );
  assert.ok(Date.now() - started < 5_000);
  const seen = srv.requests.slice(before);
  assert.deepEqual(seen.map((r) => r.path), ["/cacerts"], "only the CA was fetched");
  assert.equal(seen.some((r) => r.authorization), false, "the secret never left the agent");

  await assert.rejects(connectTunnel({ server, token: "just-a-secret", dataDir: tempDir(t, "kube-lite-tunnel-agent-"), nodeName: "n1", logger: silent }), /must be the full token/);
  await assert.rejects(connectTunnel({ server, dataDir: tempDir(t, "kube-lite-tunnel-agent-"), nodeName: "n1", logger: silent }), /no join token: pass --token/);
  await assert.rejects(connectTunnel({ server, token: srv.joinToken, dataDir: tempDir(t, "kube-lite-tunnel-agent-"), nodeName: "Not_A_Name", logger: silent }), /rejected the join token/);
});

test("server down: the agent says it is waiting, then connects when the server starts", async (t) => {
  const serverDir = tempDir(t, "kube-lite-tunnel-srv-");
  // The token comes from a first start; then the server is down when the agent starts.
  const first = await startApiServer(serverDir);
  const token = first.joinToken;
  const port = first.port;
  await first.kill();

  const { logger, lines } = capturingLogger();
  let client: TunnelClient | undefined;
  const connecting = connectTunnel({ server: `https://127.0.0.1:${port}`, token, dataDir: tempDir(t, "kube-lite-tunnel-agent-"), nodeName: "n2", logger }).then((c) => (client = c));
  t.after(() => client?.close());
  await waitFor("the waiting line", () => lines().some((l) => l.includes(`waiting for server at https://127.0.0.1:${port}`)), 5_000);
  assert.equal(client, undefined, "not connected while the server is down");
  await new Promise((r) => setTimeout(r, 700)); // a few back-off rounds

  const srv = await startApiServer(serverDir, port);
  t.after(() => srv.kill());
  const started = Date.now();
  await connecting;
  assert.ok(Date.now() - started < 6_000, "connected within one capped back-off of the server's return");
  assert.deepEqual(srv.endpoint.connectedNodes(), ["n2"]);
  assert.equal((await apiRequest(client!, "GET", "/api/v1/namespaces")).status, 200);
});

test("killing and restarting the server: the agent reconnects by itself", async (t) => {
  const serverDir = tempDir(t, "kube-lite-tunnel-srv-");
  let srv = await startApiServer(serverDir);
  const port = srv.port;
  const { logger, lines } = capturingLogger();
  const client = await connectTunnel({ server: `https://127.0.0.1:${port}`, token: srv.joinToken, dataDir: tempDir(t, "kube-lite-tunnel-agent-"), nodeName: "n3", logger, pingIntervalMs: 200, pingTimeoutMs: 600 });
  t.after(() => client.close());
  let disconnected = false;
  client.once("disconnected", () => (disconnected = true));
  // Leave keep-alive streams in the http.Agent's pool: the kill must not crash them into the process.
  assert.equal((await apiRequest(client, "GET", "/version")).status, 200);

  await srv.kill();
  await waitFor("the agent to notice", () => disconnected, 3_000);
  assert.equal(client.connected, false);
  assert.ok(lines().some((l) => l.includes("tunnel to server lost")));
  // A request made during the outage waits for the tunnel instead of failing at once.
  const duringOutage = apiRequest(client, "GET", "/api/v1/namespaces");
  await new Promise((r) => setTimeout(r, 1_000));

  srv = await startApiServer(serverDir, port);
  t.after(() => srv.kill());
  const back = Date.now();
  await waitFor("the agent to reconnect", () => client.connected && srv.endpoint.isConnected("n3"), 8_000);
  assert.ok(Date.now() - back < 8_000);
  assert.equal((await duringOutage).status, 200);
  assert.equal((await apiRequest(client, "GET", "/api/v1/namespaces")).status, 200, "pooled streams from the old tunnel were dropped, new ones work");
});

test("server-opened streams: the node's kubelet endpoints work, anything else is refused", async (t) => {
  const srv = await startApiServer(tempDir(t, "kube-lite-tunnel-srv-"));
  t.after(() => srv.kill());
  const client = await connectTunnel({ server: `https://127.0.0.1:${srv.port}`, token: srv.joinToken, dataDir: tempDir(t, "kube-lite-tunnel-agent-"), nodeName: "n4", logger: silent });
  t.after(() => client.close());
  client.onKubeletStream((stream, request) => {
    stream.resume();
    stream.end(`kubelet ${request.endpoint} ${request.path}`);
  });

  const ok = srv.endpoint.openKubeletStream("n4", { path: "/containerLogs/default/web/nginx?follow=true" });
  ok.end();
  const chunks: Buffer[] = [];
  for await (const c of ok) chunks.push(c as Buffer);
  assert.equal(Buffer.concat(chunks).toString(), "kubelet containerLogs /containerLogs/default/web/nginx?follow=true");

  for (const p of ["/run/default/web/nginx", "/containerLogs/../../etc/passwd", "/exec/default/web/%2e%2e"]) {
    const refused = srv.endpoint.openKubeletStream("n4", { path: p });
    refused.resume();
    const [err] = (await new Promise((resolve) => refused.once("error", (e) => resolve([e])))) as [Error];
    assert.match(err.message, /stream reset by peer: .*not allowed/, p);
  }
  assert.throws(() => srv.endpoint.openKubeletStream("nobody", { path: "/stats/summary" }), /node "nobody" is not connected/);
});

test("a reinstalled node re-joins with the token; its old certificate stops working", async (t) => {
  const srv = await startApiServer(tempDir(t, "kube-lite-tunnel-srv-"));
  t.after(() => srv.kill());
  const server = `https://127.0.0.1:${srv.port}`;
  const oldDir = tempDir(t, "kube-lite-tunnel-old-");
  const old = await connectTunnel({ server, token: srv.joinToken, dataDir: oldDir, nodeName: "n5", logger: silent });
  old.close();

  const reinstalled = await connectTunnel({ server, token: srv.joinToken, dataDir: tempDir(t, "kube-lite-tunnel-new-"), nodeName: "n5", logger: silent });
  t.after(() => reinstalled.close());
  assert.equal((await apiRequest(reinstalled, "GET", "/api/v1/namespaces")).status, 200);

  await assert.rejects(connectTunnel({ server, dataDir: oldDir, nodeName: "n5", logger: silent }), /refused this node's stored credentials; join again with --token/);
});

test("a node renews its certificate with the current one, for its own name only", async (t) => {
  const srv = await startApiServer(tempDir(t, "kube-lite-tunnel-srv-"));
  t.after(() => srv.kill());
  const agentDir = tempDir(t, "kube-lite-tunnel-agent-");
  const client = await connectTunnel({ server: `https://127.0.0.1:${srv.port}`, token: srv.joinToken, dataDir: agentDir, nodeName: "n6", logger: silent });
  client.close();
  const read = (f: string): string => readFileSync(path.join(agentDir, f), "utf8");
  const renew = (node: string): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const req = https.request(
        { host: "127.0.0.1", port: srv.port, method: "POST", path: "/v1-kube-lite/node-credentials", ca: read(CREDENTIAL_FILES.ca), cert: read(CREDENTIAL_FILES.cert), key: read(CREDENTIAL_FILES.key), headers: { "x-kube-lite-node-name": node } },
        (res) => {
          let body = "";
          res.on("data", (c: Buffer) => (body += c.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on("error", reject);
      req.end();
    });
  assert.equal((await renew("n7")).status, 401, "not for another node");
  const renewed = await renew("n6");
  assert.equal(renewed.status, 200);
  const creds = JSON.parse(renewed.body) as { nodeName: string; certPem: string };
  assert.equal(creds.nodeName, "n6");
  assert.notEqual(creds.certPem, read(CREDENTIAL_FILES.cert));
  assert.match(new X509Certificate(creds.certPem).subject, /CN=system:node:n6/);
  assert.equal((await renew("n6")).status, 401, "the certificate it replaced no longer counts");
});
