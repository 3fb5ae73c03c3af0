/**
 * The real server's Deployment and ReplicaSet controllers with the real kubectl: `create deployment`
 * makes pods owned by a `<deployment>-<hash>` ReplicaSet; with the kubelet's part played over HTTP
 * (pods marked Ready through the status subresource, since no node runs here) `rollout status`
 * completes, `scale`, `set image`, `rollout history` and `rollout undo` work.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "./harness.js";

let server: TestServer;
const NS = "default";
const WAIT_MS = 15_000;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server.stop();
  server.cleanup();
});

interface Obj {
  metadata: { name: string; uid: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[]; deletionTimestamp?: string };
  spec?: { replicas?: number; template?: { spec?: { containers: { image: string }[] } } };
  status?: { conditions?: { type: string; status: string }[] };
}

function kubectl(args: string[]): string {
  const r = server.kubectl(args);
  assert.equal(r.status, 0, `kubectl ${args.join(" ")} failed (${r.status}):\n${r.stderr}\n${r.stdout}\n--- server log tail:\n${server.logs().slice(-3000)}`);
  return r.stdout;
}

async function list(path: string): Promise<Obj[]> {
  const r = await server.request("GET", path);
  assert.equal(r.status, 200, r.body);
  return (JSON.parse(r.body) as { items: Obj[] }).items;
}

const pods = () => list(`/api/v1/namespaces/${NS}/pods`);
const replicaSets = () => list(`/apis/apps/v1/namespaces/${NS}/replicasets`);

async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n--- server log tail:\n${server.logs().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The kubelet's part: every live pod becomes Running and Ready. */
async function markAllReady(): Promise<void> {
  for (const p of await pods()) {
    if (p.metadata.deletionTimestamp || p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")) continue;
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const body = { ...p, status: { phase: "Running", conditions: [{ type: "Ready", status: "True", lastTransitionTime: now }] } };
    await server.request("PUT", `/api/v1/namespaces/${NS}/pods/${p.metadata.name}/status`, JSON.stringify(body), { "content-type": "application/json" });
  }
}

/** Marks pods ready until `kubectl rollout status` would be satisfied, then runs it for real. */
async function rollout(name: string, replicas: number): Promise<string> {
  await eventually(`${name} to have ${replicas} ready pods`, async () => {
    await markAllReady();
    const live = (await pods()).filter((p) => !p.metadata.deletionTimestamp);
    const d = JSON.parse((await server.request("GET", `/apis/apps/v1/namespaces/${NS}/deployments/${name}`)).body) as { metadata: { generation: number }; status?: Record<string, number> };
    const s = d.status ?? {};
    return live.length === replicas && (s.observedGeneration ?? 0) >= d.metadata.generation && (s.updatedReplicas ?? 0) === replicas && (s.availableReplicas ?? 0) === replicas && (s.replicas ?? 0) === replicas;
  });
  return kubectl(["rollout", "status", `deployment/${name}`, "--timeout=20s"]);
}

test("kubectl create deployment gives pods owned by its ReplicaSet, and rollout status, scale, set image, history and undo work", async () => {
  kubectl(["create", "deployment", "web", "--image=registry.example/web:1", "--replicas=2"]);
  await eventually("2 pods", async () => (await pods()).length === 2);
  const [rs, ...more] = await replicaSets();
  assert.equal(more.length, 0);
  const hash = rs!.metadata.labels!["pod-template-hash"]!;
  assert.equal(rs!.metadata.name, `web-${hash}`);
  assert.equal(rs!.metadata.ownerReferences?.[0]?.kind, "Deployment");
  for (const p of await pods()) {
    assert.ok(p.metadata.name.startsWith(`web-${hash}-`), p.metadata.name);
    assert.deepEqual(
      p.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]),
      [["ReplicaSet", rs!.metadata.name, rs!.metadata.uid, true]],
    );
  }

  assert.match(await rollout("web", 2), /deployment "web" successfully rolled out/);
  assert.match(kubectl(["get", "deployment", "web"]), /^web\s+2\/2\s+2\s+2\s/m);

  const described = kubectl(["describe", "deployment", "web"]);
  assert.match(described, new RegExp(`NewReplicaSet:\\s+web-${hash} \\(2/2 replicas created\\)`));
  assert.match(described, new RegExp(`ScalingReplicaSet\\s+.*Scaled up replica set web-${hash} from 0 to 2`));
  assert.match(described, /Available\s+True\s+MinimumReplicasAvailable/);
  assert.match(described, /Progressing\s+True\s+NewReplicaSetAvailable/);

  kubectl(["scale", "deployment/web", "--replicas=3"]);
  await rollout("web", 3);

  kubectl(["set", "image", "deployment/web", "web=registry.example/web:2"]);
  assert.match(await rollout("web", 3), /successfully rolled out/);
  const rss = await replicaSets();
  assert.equal(rss.length, 2);
  const history = kubectl(["rollout", "history", "deployment/web"]);
  assert.match(history, /^1\s/m);
  assert.match(history, /^2\s/m);

  kubectl(["rollout", "undo", "deployment/web"]);
  await rollout("web", 3);
  const images = (await pods()).filter((p) => !p.metadata.deletionTimestamp).map((p) => (p as { spec?: { containers: { image: string }[] } }).spec?.containers[0]?.image);
  assert.deepEqual([...new Set(images)], ["registry.example/web:1"]);
  // The first ReplicaSet came back as revision 3.
  const back = (await replicaSets()).find((r) => r.metadata.name === `web-${hash}`)!;
  assert.equal(back.metadata.annotations?.["deployment.kubernetes.io/revision"], "3");

  kubectl(["delete", "deployment", "web"]);
  await eventually("ReplicaSets and pods collected", async () => (await replicaSets()).length === 0 && (await pods()).length === 0);
});
