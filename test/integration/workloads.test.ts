// The ReplicaSet, ReplicationController and Deployment controllers over the in-process control plane on a
// temporary SQLite store. No kubelet runs: the test plays its part by writing pods' Ready condition
// through the status subresource, and pods without a node are deleted at once (as upstream).
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import type { Deployment, ReplicaSet } from "kubernetes-types/apps/v1.js";
import type { Pod } from "kubernetes-types/core/v1.js";
import { openStore } from "../../src/server/storage/index.js";
import { buildControlPlane } from "../../src/server/control-plane.js";
import { LocalClient } from "../../src/server/local-client.js";
import { Informer } from "../../src/shared/client/informer.js";
import type { KubeObject } from "../../src/shared/api/types.js";
import { REPLICA_SET_KIND, REPLICATION_CONTROLLER_KIND, ReplicaSetController } from "../../src/server/controllers/replicaset-controller.js";
import { DeploymentController } from "../../src/server/controllers/deployment-controller.js";
import { POD_TEMPLATE_HASH_LABEL } from "../../src/server/controllers/pod-template-hash.js";

const quiet = pino({ level: "silent" });
const PODS = { group: "", plural: "pods" };
const RS = { group: "apps", plural: "replicasets" };
const RC = { group: "", plural: "replicationcontrollers" };
const DEPLOY = { group: "apps", plural: "deployments" };
const NS = "default";
const WAIT_MS = 8000;

interface Env {
  client: LocalClient;
  pods(): Promise<Pod[]>;
  replicaSets(): Promise<ReplicaSet[]>;
  deployment(name: string): Promise<Deployment>;
}

async function setUp(t: TestContext): Promise<Env> {
  const dataDir = mkdtempSync(join(tmpdir(), "kube-lite-workloads-"));
  const store = await openStore({ dataDir, logger: quiet });
  const cp = await buildControlPlane({ store, log: quiet });
  const client = new LocalClient(cp);
  await client.create({ group: "", plural: "namespaces" }, "", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
  const pods = new Informer(client, PODS, quiet);
  const rsInformer = new Informer(client, RS, quiet);
  const rcInformer = new Informer(client, RC, quiet);
  const deployInformer = new Informer(client, DEPLOY, quiet);
  const rsc = new ReplicaSetController(client, REPLICA_SET_KIND, rsInformer, pods, quiet);
  const rcc = new ReplicaSetController(client, REPLICATION_CONTROLLER_KIND, rcInformer, pods, quiet);
  const dc = new DeploymentController(client, deployInformer, rsInformer, pods, quiet);
  for (const i of [pods, rsInformer, rcInformer, deployInformer]) i.start();
  void rsc.run();
  void rcc.run();
  void dc.run();
  t.after(async () => {
    rsc.stop();
    rcc.stop();
    dc.stop();
    for (const i of [pods, rsInformer, rcInformer, deployInformer]) i.stop();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    client,
    pods: async () => (await client.list(PODS, NS)).items as unknown as Pod[],
    replicaSets: async () => (await client.list(RS, NS)).items as unknown as ReplicaSet[],
    deployment: async (name) => (await client.get(DEPLOY, NS, name)) as unknown as Deployment,
  };
}

/** Polls `check` (which may act, e.g. mark pods ready) until it returns true. */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 30));
  }
}

/** The kubelet's part: pods become Running and Ready. */
async function markReady(env: Env, filter: (p: Pod) => boolean = () => true): Promise<void> {
  for (const p of await env.pods()) {
    if (p.metadata?.deletionTimestamp || !filter(p)) continue;
    if (p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")) continue;
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const status = { phase: "Running", conditions: [{ type: "Ready", status: "True", lastTransitionTime: now }] };
    try {
      await env.client.update(PODS, NS, { ...(p as unknown as KubeObject), status }, "status");
    } catch {
      // Changed or deleted meanwhile: the next poll sees the new state.
    }
  }
}

function template(labels: Record<string, string>, image: string) {
  return { metadata: { labels }, spec: { containers: [{ name: "app", image }] } };
}

function deploymentObject(name: string, replicas: number, image: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: NS },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: template({ app: name }, image), ...spec },
  };
}

/**
 * Read, change, update, again on a conflict, as client-go's retry.RetryOnConflict: the deployment
 * controller may write the Deployment's status between the read and the update.
 */
async function updateDeployment(env: Env, name: string, change: (d: Deployment) => void): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const d = await env.deployment(name);
    change(d);
    try {
      await env.client.update(DEPLOY, NS, d as unknown as KubeObject);
      return;
    } catch (err) {
      if ((err as { code?: number }).code !== 409 || attempt === 5) throw err;
    }
  }
}

async function setImage(env: Env, name: string, image: string, more: (d: Deployment) => void = () => {}): Promise<void> {
  await updateDeployment(env, name, (d) => {
    d.spec!.template.spec!.containers[0]!.image = image;
    more(d);
  });
}

async function setReplicas(env: Env, name: string, replicas: number): Promise<void> {
  await updateDeployment(env, name, (d) => {
    d.spec!.replicas = replicas;
  });
}

function activePodsOf(pods: Pod[], owner: { metadata?: { uid?: string } }): Pod[] {
  return pods.filter((p) => !p.metadata?.deletionTimestamp && p.metadata?.ownerReferences?.some((r) => r.uid === owner.metadata?.uid && r.controller));
}

/** What `kubectl rollout status` waits for (kubectl polymorphichelpers/rollout_status.go). */
function rolloutDone(d: Deployment): boolean {
  const s = d.status ?? {};
  const want = d.spec?.replicas ?? 1;
  return (
    (d.metadata?.generation ?? 0) <= (s.observedGeneration ?? 0) &&
    (s.updatedReplicas ?? 0) >= want &&
    (s.replicas ?? 0) <= (s.updatedReplicas ?? 0) &&
    (s.availableReplicas ?? 0) >= (s.updatedReplicas ?? 0)
  );
}

function condition(d: Deployment, type: string) {
  return d.status?.conditions?.find((c) => c.type === type);
}

test("a Deployment of 3 gets a ReplicaSet with 3 owned pods and the status rollout status waits for", async (t) => {
  const env = await setUp(t);
  await env.client.create(DEPLOY, NS, deploymentObject("web", 3, "nginx:1"));

  await eventually("3 pods", async () => (await env.pods()).length === 3);
  const [rs, ...others] = await env.replicaSets();
  assert.equal(others.length, 0);
  const hash = rs!.metadata!.labels![POD_TEMPLATE_HASH_LABEL]!;
  assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(rs!.metadata!.name, `web-${hash}`);
  assert.equal(rs!.spec!.selector.matchLabels![POD_TEMPLATE_HASH_LABEL], hash);
  assert.equal(rs!.spec!.template!.metadata!.labels![POD_TEMPLATE_HASH_LABEL], hash);
  assert.equal(rs!.metadata!.annotations!["deployment.kubernetes.io/revision"], "1");
  assert.equal(rs!.metadata!.annotations!["deployment.kubernetes.io/desired-replicas"], "3");
  assert.equal(rs!.metadata!.annotations!["deployment.kubernetes.io/max-replicas"], "4");
  const d = await env.deployment("web");
  assert.deepEqual(rs!.metadata!.ownerReferences, [{ apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: d.metadata!.uid, controller: true, blockOwnerDeletion: true }]);
  for (const p of await env.pods()) {
    assert.ok(p.metadata!.name!.startsWith(`web-${hash}-`), p.metadata!.name);
    assert.equal(p.metadata!.labels![POD_TEMPLATE_HASH_LABEL], hash);
    assert.deepEqual(p.metadata!.ownerReferences, [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: rs!.metadata!.name, uid: rs!.metadata!.uid, controller: true, blockOwnerDeletion: true }]);
  }
  // Not ready yet: counted but not available.
  await eventually("replicas counted", async () => (await env.deployment("web")).status?.replicas === 3);
  let dep = await env.deployment("web");
  assert.equal(dep.status?.availableReplicas ?? 0, 0);
  assert.equal(condition(dep, "Available")?.status, "False");
  assert.equal(condition(dep, "Available")?.reason, "MinimumReplicasUnavailable");
  assert.equal(rolloutDone(dep), false);

  await eventually("rollout complete", async () => {
    await markReady(env);
    const cur = await env.deployment("web");
    return rolloutDone(cur) && condition(cur, "Progressing")?.reason === "NewReplicaSetAvailable";
  });
  dep = await env.deployment("web");
  assert.equal(dep.status?.observedGeneration, dep.metadata?.generation);
  assert.equal(dep.status?.replicas, 3);
  assert.equal(dep.status?.updatedReplicas, 3);
  assert.equal(dep.status?.readyReplicas, 3);
  assert.equal(dep.status?.availableReplicas, 3);
  assert.equal(dep.status?.unavailableReplicas, undefined);
  assert.equal(condition(dep, "Available")?.status, "True");
  assert.equal(condition(dep, "Available")?.reason, "MinimumReplicasAvailable");
  assert.equal(condition(dep, "Progressing")?.status, "True");
  assert.equal(condition(dep, "Progressing")?.message, `ReplicaSet "web-${hash}" has successfully progressed.`);
  assert.equal(dep.metadata?.annotations?.["deployment.kubernetes.io/revision"], "1");
  // What `kubectl describe` lists: the Deployment scaled its ReplicaSet, which created pods.
  const events = (await env.client.list({ group: "", plural: "events" }, NS)).items as unknown as { involvedObject: { kind: string; uid: string }; reason: string; message: string }[];
  assert.ok(events.some((e) => e.involvedObject.kind === "Deployment" && e.involvedObject.uid === dep.metadata?.uid && e.reason === "ScalingReplicaSet" && e.message === `Scaled up replica set web-${hash} from 0 to 3`));
  assert.equal(events.filter((e) => e.involvedObject.kind === "ReplicaSet" && e.reason === "SuccessfulCreate" && e.message.startsWith(`Created pod: web-${hash}-`)).length, 3);
  // Settled: no controller keeps writing (every write costs the SD card).
  const versions = async () => [(await env.deployment("web")).metadata?.resourceVersion, ...(await env.replicaSets()).map((r) => r.metadata?.resourceVersion)];
  const before = await versions();
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(await versions(), before);
  const rsNow = (await env.replicaSets())[0]!;
  assert.deepEqual(
    { replicas: rsNow.status?.replicas, fullyLabeledReplicas: rsNow.status?.fullyLabeledReplicas, readyReplicas: rsNow.status?.readyReplicas, availableReplicas: rsNow.status?.availableReplicas, observedGeneration: rsNow.status?.observedGeneration },
    { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: rsNow.metadata?.generation },
  );
});

test("a new image rolls out through a new ReplicaSet within maxSurge and maxUnavailable", async (t) => {
  const env = await setUp(t);
  await env.client.create(DEPLOY, NS, deploymentObject("web", 3, "nginx:1"));
  await eventually("first rollout", async () => {
    await markReady(env);
    return rolloutDone(await env.deployment("web"));
  });
  const [first] = await env.replicaSets();
  await setImage(env, "web", "nginx:2");

  // 25%/25% of 3: one pod above spec.replicas, none below.
  let sawBoth = false;
  await eventually("second rollout", async () => {
    const pods = (await env.pods()).filter((p) => !p.metadata?.deletionTimestamp);
    assert.ok(pods.length <= 4, `at most replicas + maxSurge pods, saw ${pods.length}`);
    const rss = await env.replicaSets();
    if (rss.filter((r) => (r.spec?.replicas ?? 0) > 0).length === 2) sawBoth = true;
    await markReady(env);
    const d = await env.deployment("web");
    return rolloutDone(d) && condition(d, "Progressing")?.reason === "NewReplicaSetAvailable";
  });
  assert.ok(sawBoth, "old and new ReplicaSets ran side by side during the rollout");
  const rss = await env.replicaSets();
  assert.equal(rss.length, 2);
  const old = rss.find((r) => r.metadata?.uid === first!.metadata?.uid)!;
  const current = rss.find((r) => r.metadata?.uid !== first!.metadata?.uid)!;
  assert.equal(old.spec?.replicas, 0);
  assert.equal(current.spec?.replicas, 3);
  assert.equal(current.spec?.template?.spec?.containers[0]?.image, "nginx:2");
  assert.equal(old.metadata?.annotations?.["deployment.kubernetes.io/revision"], "1");
  assert.equal(current.metadata?.annotations?.["deployment.kubernetes.io/revision"], "2");
  assert.equal((await env.deployment("web")).metadata?.annotations?.["deployment.kubernetes.io/revision"], "2");
  const pods = await env.pods();
  assert.equal(activePodsOf(pods, current).length, 3);
  assert.equal(activePodsOf(pods, old).length, 0);

  // `kubectl rollout restart`: a template annotation makes a third ReplicaSet.
  await setImage(env, "web", "nginx:2", (d) => {
    d.spec!.template.metadata!.annotations = { "kubectl.kubernetes.io/restartedAt": new Date().toISOString() };
  });
  await eventually("restart rollout", async () => {
    await markReady(env);
    const d = await env.deployment("web");
    return rolloutDone(d) && d.metadata?.annotations?.["deployment.kubernetes.io/revision"] === "3";
  });
  assert.equal((await env.replicaSets()).length, 3);
});

test("scaling a Deployment to 5 and to 0, and deleting it leaves owner references the garbage collector follows", async (t) => {
  const env = await setUp(t);
  await env.client.create(DEPLOY, NS, deploymentObject("web", 2, "nginx:1"));
  await eventually("2 ready", async () => {
    await markReady(env);
    return rolloutDone(await env.deployment("web"));
  });
  await setReplicas(env, "web", 5);
  await eventually("5 ready", async () => {
    await markReady(env);
    const d = await env.deployment("web");
    return rolloutDone(d) && d.status?.availableReplicas === 5 && (await env.pods()).length === 5;
  });
  const [rs] = await env.replicaSets();
  assert.equal(rs!.metadata?.annotations?.["deployment.kubernetes.io/desired-replicas"], "5");
  assert.equal(rs!.metadata?.annotations?.["deployment.kubernetes.io/max-replicas"], "7");

  await setReplicas(env, "web", 0);
  await eventually("0 pods", async () => {
    const d = await env.deployment("web");
    return (await env.pods()).length === 0 && d.status?.replicas === undefined && d.status?.observedGeneration === d.metadata?.generation;
  });
  const d = await env.deployment("web");
  assert.equal(condition(d, "Available")?.status, "True");
  assert.equal((await env.replicaSets())[0]!.spec?.replicas, 0);

  // Deleting the Deployment: its ReplicaSet names it as controlling owner, so the server's GC removes it.
  const owner = (await env.replicaSets())[0]!.metadata?.ownerReferences?.[0];
  assert.equal(owner?.uid, d.metadata?.uid);
  assert.equal(owner?.blockOwnerDeletion, true);
});

test("Recreate scales the old ReplicaSet to zero before the new one starts", async (t) => {
  const env = await setUp(t);
  await env.client.create(DEPLOY, NS, deploymentObject("db", 2, "pg:1", { strategy: { type: "Recreate" } }));
  await eventually("first rollout", async () => {
    await markReady(env);
    return rolloutDone(await env.deployment("db"));
  });
  const [first] = await env.replicaSets();
  await setImage(env, "db", "pg:2");
  await eventually("second rollout", async () => {
    const pods = (await env.pods()).filter((p) => !p.metadata?.deletionTimestamp);
    const images = new Set(pods.map((p) => p.spec?.containers[0]?.image));
    assert.ok(images.size <= 1, "old and new pods never run together");
    await markReady(env);
    const d = await env.deployment("db");
    return rolloutDone(d) && d.metadata?.annotations?.["deployment.kubernetes.io/revision"] === "2";
  });
  const old = (await env.replicaSets()).find((r) => r.metadata?.uid === first!.metadata?.uid)!;
  assert.equal(old.spec?.replicas, 0);
});

test("revisionHistoryLimit keeps that many old ReplicaSets; paused Deployments do not roll out", async (t) => {
  const env = await setUp(t);
  await env.client.create(DEPLOY, NS, deploymentObject("web", 1, "img:1", { revisionHistoryLimit: 1 }));
  for (const image of ["img:2", "img:3"]) {
    await eventually(`rollout before ${image}`, async () => {
      await markReady(env);
      return rolloutDone(await env.deployment("web"));
    });
    await setImage(env, "web", image);
  }
  await eventually("old ReplicaSets cleaned up", async () => {
    await markReady(env);
    const d = await env.deployment("web");
    return rolloutDone(d) && (await env.replicaSets()).length === 2;
  });
  const revisions = (await env.replicaSets()).map((r) => r.metadata?.annotations?.["deployment.kubernetes.io/revision"]).sort();
  assert.deepEqual(revisions, ["2", "3"]);

  await updateDeployment(env, "web", (d) => {
    d.spec!.paused = true;
  });
  await eventually("paused condition", async () => condition(await env.deployment("web"), "Progressing")?.reason === "DeploymentPaused");
  await setImage(env, "web", "img:4");
  await eventually("generation observed", async () => {
    const cur = await env.deployment("web");
    return cur.status?.observedGeneration === cur.metadata?.generation;
  });
  await new Promise((r) => setTimeout(r, 200));
  const images = (await env.replicaSets()).map((r) => r.spec?.template?.spec?.containers[0]?.image);
  assert.ok(!images.includes("img:4"), "no new ReplicaSet while paused");
  assert.ok(images.includes("img:3"), "the running ReplicaSet stays");
  assert.equal(condition(await env.deployment("web"), "Progressing")?.status, "Unknown");
});

test("a rollout that makes no progress reports ProgressDeadlineExceeded", async (t) => {
  const env = await setUp(t);
  await env.client.create(DEPLOY, NS, deploymentObject("stuck", 1, "never:ready", { progressDeadlineSeconds: 1 }));
  await eventually("deadline exceeded", async () => condition(await env.deployment("stuck"), "Progressing")?.reason === "ProgressDeadlineExceeded", 6000);
  const c = condition(await env.deployment("stuck"), "Progressing")!;
  assert.equal(c.status, "False");
  assert.match(c.message ?? "", /has timed out progressing/);
});

test("a ReplicaSet adopts matching orphans, releases pods that stop matching and deletes unready pods first", async (t) => {
  const env = await setUp(t);
  const orphan = (await env.client.create(PODS, NS, { apiVersion: "v1", kind: "Pod", metadata: { name: "orphan", namespace: NS, labels: { app: "cache" } }, spec: { containers: [{ name: "c", image: "redis" }] } })) as unknown as Pod;
  const rs = (await env.client.create(RS, NS, {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: "cache", namespace: NS },
    spec: { replicas: 3, selector: { matchLabels: { app: "cache" } }, template: template({ app: "cache" }, "redis") },
  })) as unknown as ReplicaSet;
  await eventually("3 pods", async () => activePodsOf(await env.pods(), rs).length === 3);
  const adopted = (await env.pods()).find((p) => p.metadata?.uid === orphan.metadata?.uid)!;
  assert.equal(adopted.metadata?.ownerReferences?.[0]?.uid, rs.metadata?.uid, "the orphan was adopted, not duplicated");
  assert.equal((await env.pods()).length, 3);

  // Two ready pods, one not: scaling to 2 deletes the unready one.
  const created = (await env.pods()).filter((p) => p.metadata?.uid !== orphan.metadata?.uid);
  await markReady(env, (p) => p.metadata?.uid !== created[0]!.metadata?.uid);
  await eventually("ready counted", async () => ((await env.client.get(RS, NS, "cache")).status as ReplicaSet["status"])?.readyReplicas === 2);
  const cur = (await env.client.get(RS, NS, "cache")) as unknown as ReplicaSet;
  cur.spec!.replicas = 2;
  await env.client.update(RS, NS, cur as unknown as KubeObject);
  await eventually("2 pods", async () => (await env.pods()).length === 2);
  assert.ok(!(await env.pods()).some((p) => p.metadata?.uid === created[0]!.metadata?.uid), "the unready pod went first");

  // A pod relabelled out of the selector is released and replaced.
  const victim = (await env.pods())[0]!;
  victim.metadata!.labels = { app: "other" };
  await env.client.update(PODS, NS, victim as unknown as KubeObject);
  await eventually("released and replaced", async () => {
    const pods = await env.pods();
    const released = pods.find((p) => p.metadata?.uid === victim.metadata?.uid);
    return released !== undefined && !released.metadata?.ownerReferences?.length && activePodsOf(pods, rs).length === 2;
  });
  await eventually("status", async () => {
    const s = ((await env.client.get(RS, NS, "cache")).status ?? {}) as NonNullable<ReplicaSet["status"]>;
    return s.replicas === 2 && s.fullyLabeledReplicas === 2;
  });
});

test("a ReplicationController keeps its replicas with a map selector", async (t) => {
  const env = await setUp(t);
  const rc = await env.client.create(RC, NS, {
    apiVersion: "v1",
    kind: "ReplicationController",
    metadata: { name: "legacy", namespace: NS },
    spec: { replicas: 2, selector: { app: "legacy" }, template: template({ app: "legacy" }, "busybox") },
  });
  await eventually("2 pods", async () => (await env.pods()).length === 2);
  for (const p of await env.pods()) {
    assert.deepEqual(p.metadata?.ownerReferences, [{ apiVersion: "v1", kind: "ReplicationController", name: "legacy", uid: rc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.ok(p.metadata?.name?.startsWith("legacy-"));
  }
  await eventually("status ready", async () => {
    await markReady(env);
    const s = ((await env.client.get(RC, NS, "legacy")).status ?? {}) as { readyReplicas?: number; availableReplicas?: number };
    return s.readyReplicas === 2 && s.availableReplicas === 2;
  });
});

test("scaling in the middle of a rollout spreads the change over both ReplicaSets", async (t) => {
  const env = await setUp(t);
  await env.client.create(DEPLOY, NS, deploymentObject("web", 4, "img:1", { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 2, maxUnavailable: 0 } } }));
  await eventually("first rollout", async () => {
    await markReady(env);
    return rolloutDone(await env.deployment("web"));
  });
  await setImage(env, "web", "img:2");
  // New pods stay unready, so the rollout holds at 4 old + 2 new.
  await eventually("surge", async () => (await env.replicaSets()).map((r) => r.spec?.replicas ?? 0).sort().join() === "2,4");
  await setReplicas(env, "web", 8);
  await eventually("proportional scale-up", async () => {
    const sizes = (await env.replicaSets()).map((r) => r.spec?.replicas ?? 0);
    return sizes.reduce((a, b) => a + b, 0) === 10 && sizes.every((n) => n > 2);
  });
  await eventually("rollout finishes at 8", async () => {
    await markReady(env);
    const d = await env.deployment("web");
    return rolloutDone(d) && d.status?.availableReplicas === 8;
  });
  const sizes = (await env.replicaSets()).map((r) => [r.spec?.template?.spec?.containers[0]?.image, r.spec?.replicas]).sort();
  assert.deepEqual(sizes, [["img:1", 0], ["img:2", 8]]);
});

test("a Deployment adopts an orphaned ReplicaSet of its template instead of making another", async (t) => {
  const env = await setUp(t);
  const labels = { app: "web", [POD_TEMPLATE_HASH_LABEL]: "kept" };
  const orphan = await env.client.create(RS, NS, {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: "web-kept", namespace: NS, labels, annotations: { "deployment.kubernetes.io/revision": "4" } },
    spec: { replicas: 2, selector: { matchLabels: labels }, template: template(labels, "nginx:1") },
  });
  await env.client.create(DEPLOY, NS, deploymentObject("web", 2, "nginx:1"));
  await eventually("adopted and rolled out", async () => {
    await markReady(env);
    return rolloutDone(await env.deployment("web"));
  });
  const rss = await env.replicaSets();
  assert.equal(rss.length, 1, "no second ReplicaSet");
  assert.equal(rss[0]!.metadata?.uid, orphan.metadata.uid);
  assert.equal(rss[0]!.metadata?.ownerReferences?.[0]?.name, "web");
  assert.equal((await env.deployment("web")).metadata?.annotations?.["deployment.kubernetes.io/revision"], "4");
});
