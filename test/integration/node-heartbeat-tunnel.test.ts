/**
 * The agent's real path: HttpApiClient over the tunnel's http.Agent (no inbound port, no TLS inside
 * the tunnel), registering a Node, renewing its Lease and watching, authenticated as the node.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { NodeLease, LEASES, NODE_LEASE_NAMESPACE } from "../../src/agent/kubelet/lease/index.js";
import { NODES, NodeStatusReporter } from "../../src/agent/kubelet/node-status/index.js";
import { connectTunnel, type TunnelClient } from "../../src/agent/tunnel/index.js";
import { HttpApiClient } from "../../src/shared/client/http-client.js";
import type { ClientWatchEvent } from "../../src/shared/client/types.js";
import { rootLogger } from "../../src/shared/log.js";
import { startServer, type TestServer } from "./harness.js";

const log = rootLogger.child({ component: "node-heartbeat-tunnel-test" });
log.level = "silent";
let server: TestServer;
let tunnel: TunnelClient;
let agentDir: string;
let client: HttpApiClient;

before(async () => {
  server = await startServer();
  agentDir = mkdtempSync(path.join(os.tmpdir(), "kube-lite-hb-agent-"));
  const token = readFileSync(path.join(server.dataDir, "server", "token"), "utf8").trim();
  tunnel = await connectTunnel({ server: `https://127.0.0.1:${server.port}`, token, dataDir: agentDir, nodeName: "tunnel-node", logger: log });
  // The host name is ignored: every connection is an "api" stream of the tunnel.
  client = new HttpApiClient({ server: "http://api", agent: tunnel.httpAgent });
});

after(() => {
  client?.destroy();
  tunnel?.close();
  server?.cleanup();
  if (agentDir) rmSync(agentDir, { recursive: true, force: true });
});

test("through the tunnel: the node registers, its lease renews, and watches stream", async () => {
  const reporter = new NodeStatusReporter(client, { nodeName: "tunnel-node", containerRuntimeVersion: "docker://27.3.1", nodeIP: "127.0.0.1" }, { dataDir: agentDir, log });
  const lease = new NodeLease(client, "tunnel-node", { log, renewIntervalMs: 200 });
  const events: ClientWatchEvent[] = [];
  const watch = await client.watch(LEASES, NODE_LEASE_NAMESPACE, { resourceVersion: "0", fieldSelector: "metadata.name=tunnel-node" }, (ev) => events.push(ev), () => {});
  try {
    const node = await reporter.start();
    assert.equal(node?.metadata.name, "tunnel-node");
    const r = server.kubectl(["get", "node", "tunnel-node", "--no-headers"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^tunnel-node\s+Ready\s+<none>\s/);
    lease.start();
    // The watch streams through the tunnel (ADDED); renewals themselves are held in memory by the
    // server (no watch event per heartbeat), so they are checked by reading the lease.
    const deadline = Date.now() + 10_000;
    const renewTimes = new Set<string>();
    while (events.length === 0 || renewTimes.size < 3) {
      if (Date.now() > deadline) throw new Error(`no lease renewals seen: events ${JSON.stringify(events.map((e) => e.type))}, renewTimes ${[...renewTimes].join(",")}`);
      try {
        const l = await client.get(LEASES, NODE_LEASE_NAMESPACE, "tunnel-node");
        renewTimes.add((l.spec as { renewTime: string }).renewTime);
      } catch {
        // not created yet
      }
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(events[0]!.type, "ADDED");
    const live = await client.get(NODES, "", "tunnel-node");
    assert.equal(live.metadata.labels?.["kubernetes.io/hostname"], "tunnel-node");
  } finally {
    watch.close();
    lease.stop();
    reporter.stop();
  }
});
