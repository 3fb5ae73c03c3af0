import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { NodeLease, LEASES, NODE_LEASE_NAMESPACE } from "../../src/agent/kubelet/lease/index.js";
import { NODES, NodeStatusReporter, readHostFacts, type NodeConfig, type NodeObject } from "../../src/agent/kubelet/node-status/index.js";
import { HttpApiClient } from "../../src/shared/client/http-client.js";
import { rootLogger } from "../../src/shared/log.js";
import { KUBE_GIT_VERSION } from "../../src/shared/version.js";
import { startServer, type TestServer } from "./harness.js";

let server: TestServer;
let client: HttpApiClient;
const log = rootLogger.child({ component: "node-heartbeat-test" });
log.level = "silent";

before(async () => {
  server = await startServer();
  client = new HttpApiClient({ server: `https://127.0.0.1:${server.port}`, token: server.token, ca: server.caPem });
});

after(() => {
  client?.destroy();
  server?.cleanup();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function cfg(name: string, over: Partial<NodeConfig> = {}): NodeConfig {
  return { nodeName: name, roles: ["control-plane"], podCIDRs: ["10.42.7.0/24"], containerRuntimeVersion: "docker://27.3.1", nodeIP: "127.0.0.1", ...over };
}

test("a registered node shows in kubectl get nodes as Ready with its roles and version", async () => {
  const reporter = new NodeStatusReporter(client, cfg("hb-node-1"), { dataDir: server.dataDir, log });
  try {
    const node = await reporter.start();
    assert.ok(node?.metadata.uid);
    const r = server.kubectl(["get", "nodes", "-o", "wide"]);
    assert.equal(r.status, 0, r.stderr);
    const [header, ...rows] = r.stdout.trim().split("\n");
    assert.match(header!, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME/);
    const row = rows.find((l) => l.startsWith("hb-node-1 "));
    assert.ok(row, r.stdout);
    const cells = row!.split(/\s{2,}/);
    assert.deepEqual([cells[0], cells[1], cells[2], cells[4], cells[5], cells[6]], ["hb-node-1", "Ready", "control-plane", KUBE_GIT_VERSION, "127.0.0.1", "<none>"]);
    assert.ok(row!.trimEnd().endsWith("docker://27.3.1"));

    const live = (await client.get(NODES, "", "hb-node-1")) as NodeObject;
    const facts = readHostFacts(server.dataDir);
    assert.equal(live.status.capacity?.memory, `${facts.memoryKi}Ki`);
    assert.equal(live.status.capacity?.pods, "110");
    assert.ok(live.status.capacity?.["ephemeral-storage"]);
    assert.equal(live.status.nodeInfo?.machineID, facts.machineID);
    assert.equal(live.metadata.labels?.["kubernetes.io/hostname"], "hb-node-1");
    assert.deepEqual(live.spec.podCIDRs, ["10.42.7.0/24"]);
    const d = server.kubectl(["describe", "node", "hb-node-1"]);
    assert.equal(d.status, 0, d.stderr);
    assert.match(d.stdout, /Ready\s+True\s+.*KubeletReady\s+kubelet is posting ready status/);
    assert.match(d.stdout, /MemoryPressure\s+False\s+.*KubeletHasSufficientMemory/);
  } finally {
    reporter.stop();
  }
});

test("status is written only when it changes or the report period passes; a readiness change shows at once", async () => {
  let reasons: string[] = [];
  const events: string[] = [];
  const reporter = new NodeStatusReporter(client, cfg("hb-node-2"), {
    dataDir: server.dataDir,
    log,
    notReadyReasons: () => reasons,
    updateIntervalMs: 100,
    reportIntervalMs: 60_000,
    recordEvent: (node, ev) => events.push(`${node.metadata.name} ${ev.reason}`),
  });
  try {
    await reporter.start();
    assert.deepEqual(events, ["hb-node-2 NodeHasSufficientMemory", "hb-node-2 NodeHasNoDiskPressure", "hb-node-2 NodeHasSufficientPID", "hb-node-2 NodeReady"]);
    const rv0 = (await client.get(NODES, "", "hb-node-2")).metadata.resourceVersion;
    await sleep(600); // about six sync rounds
    assert.equal((await client.get(NODES, "", "hb-node-2")).metadata.resourceVersion, rv0, "an unchanged status is not rewritten");
    assert.equal(await reporter.syncNodeStatus(), false);

    reasons = ["container runtime is down"];
    reporter.requestSync();
    const notReady = await waitFor("NotReady", async () => {
      const n = (await client.get(NODES, "", "hb-node-2")) as NodeObject;
      return n.status.conditions?.find((c) => c.type === "Ready" && c.status === "False") ? n : undefined;
    });
    const ready = notReady.status.conditions!.find((c) => c.type === "Ready")!;
    assert.equal(ready.reason, "KubeletNotReady");
    assert.equal(ready.message, "container runtime is down");
    assert.match(server.kubectl(["get", "node", "hb-node-2", "--no-headers"]).stdout, /^hb-node-2\s+NotReady\s/);
    assert.equal(events.at(-1), "hb-node-2 NodeNotReady");
  } finally {
    reporter.stop();
  }
  // A short report period rewrites an unchanged status (fresh heartbeats) on schedule.
  const periodic = new NodeStatusReporter(client, cfg("hb-node-2"), { dataDir: server.dataDir, log, updateIntervalMs: 100, reportIntervalMs: 300 });
  try {
    await periodic.start();
    const rv1 = (await client.get(NODES, "", "hb-node-2")).metadata.resourceVersion;
    await waitFor("a periodic status write", async () => ((await client.get(NODES, "", "hb-node-2")).metadata.resourceVersion !== rv1 ? true : undefined), 5000);
  } finally {
    periodic.stop();
  }
});

test("re-registering an existing node (a reinstall) updates its labels and status", async () => {
  const first = new NodeStatusReporter(client, cfg("hb-node-3", { roles: [] }), { dataDir: server.dataDir, log });
  await first.start();
  first.stop();
  const realFacts = readHostFacts(server.dataDir);
  const reinstalled = new NodeStatusReporter(client, cfg("hb-node-3", { roles: ["worker"], labels: { "example.com/zone": "attic" } }), {
    dataDir: server.dataDir,
    log,
    readFacts: () => ({ ...realFacts, machineID: "reinstalled-machine", bootID: "new-boot" }),
  });
  try {
    const node = await reinstalled.start();
    assert.equal(node?.status.nodeInfo?.machineID, "reinstalled-machine");
    const live = (await client.get(NODES, "", "hb-node-3")) as NodeObject;
    assert.equal(live.metadata.labels?.["node-role.kubernetes.io/worker"], "true");
    assert.equal(live.metadata.labels?.["example.com/zone"], "attic");
    assert.equal(live.status.nodeInfo?.bootID, "new-boot");
  } finally {
    reinstalled.stop();
  }
});

test("the node Lease is created, owned by the Node, and renewed with microsecond renewTimes", async () => {
  const reporter = new NodeStatusReporter(client, cfg("hb-node-4"), { dataDir: server.dataDir, log });
  await reporter.start();
  reporter.stop();
  const lease = new NodeLease(client, "hb-node-4", { log, renewIntervalMs: 200 });
  lease.start();
  try {
    const first = await waitFor("the lease", async () => {
      try {
        return await client.get(LEASES, NODE_LEASE_NAMESPACE, "hb-node-4");
      } catch {
        return undefined;
      }
    });
    const spec = first.spec as { holderIdentity: string; leaseDurationSeconds: number; renewTime: string };
    assert.equal(spec.holderIdentity, "hb-node-4");
    assert.equal(spec.leaseDurationSeconds, 40);
    assert.match(spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const node = await client.get(NODES, "", "hb-node-4");
    assert.deepEqual(first.metadata.ownerReferences?.map((o) => [o.kind, o.name, o.uid]), [["Node", "hb-node-4", node.metadata.uid]]);
    const renewed = await waitFor("a renewal", async () => {
      const l = await client.get(LEASES, NODE_LEASE_NAMESPACE, "hb-node-4");
      return (l.spec as { renewTime: string }).renewTime > spec.renewTime ? l : undefined;
    });
    // Renewals are held in memory by the server (renewal-buffer.ts): they move renewTime, not the
    // resourceVersion, and write nothing to storage.
    const ownerSet = first.metadata.resourceVersion;
    assert.ok(Number(renewed.metadata.resourceVersion) <= Number(ownerSet) + 1, "at most the owner-reference write, no write per renewal");
    const r = server.kubectl(["get", "leases", "-n", NODE_LEASE_NAMESPACE, "hb-node-4", "--no-headers"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^hb-node-4\s+hb-node-4\s/);

    // Someone else overwrites the lease: the next renewal re-reads it and takes it back.
    const l = await client.get(LEASES, NODE_LEASE_NAMESPACE, "hb-node-4");
    await client.update(LEASES, NODE_LEASE_NAMESPACE, { ...l, spec: { ...(l.spec as object), holderIdentity: "intruder" } });
    await waitFor("the lease taken back", async () => {
      const now = await client.get(LEASES, NODE_LEASE_NAMESPACE, "hb-node-4");
      return (now.spec as { holderIdentity: string }).holderIdentity === "hb-node-4" ? true : undefined;
    });
    // Deleted: it is created again.
    await client.delete(LEASES, NODE_LEASE_NAMESPACE, "hb-node-4");
    await waitFor("the lease recreated", async () => {
      try {
        return await client.get(LEASES, NODE_LEASE_NAMESPACE, "hb-node-4");
      } catch {
        return undefined;
      }
    });
  } finally {
    lease.stop();
  }
});

test("a node deleted under a running reporter is registered again", async () => {
  const reporter = new NodeStatusReporter(client, cfg("hb-node-5"), { dataDir: server.dataDir, log, updateIntervalMs: 100 });
  try {
    const created = await reporter.start();
    await client.delete(NODES, "", "hb-node-5");
    const again = await waitFor("re-registration", async () => {
      try {
        const n = await client.get(NODES, "", "hb-node-5");
        return n.metadata.uid !== created?.metadata.uid ? n : undefined;
      } catch {
        return undefined;
      }
    });
    assert.ok(again.metadata.uid);
  } finally {
    reporter.stop();
  }
});
