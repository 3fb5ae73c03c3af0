/**
 * Object semantics over the real HTTPS API: generateName, generation, paging, dryRun, finalizers and
 * deletionTimestamp, propagationPolicy through the garbage collector, status and scale subresources,
 * watch timeouts, server-side apply conflicts.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "./harness.js";

let server: TestServer;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server.stop();
  server.cleanup();
});

type Obj = { metadata: Record<string, unknown> & { name: string; uid: string; resourceVersion: string; generation?: number }; [k: string]: unknown };

async function call(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await server.request(method, path, body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body), body === undefined ? {} : { "Content-Type": contentType });
  return { status: r.status, body: r.body ? JSON.parse(r.body) : {} };
}

/** Controllers act asynchronously; a loaded CI machine (two suites at once) gets a generous deadline. */
async function waitUntil(what: string, fn: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) {
      const controllerLines = server.logs().split("\n").filter((l) => /"controller"|garbage|warn|error/i.test(l)).slice(-40).join("\n");
      throw new Error(`timed out waiting for ${what}\n--- controller log lines:\n${controllerLines}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

const CM = "/api/v1/namespaces/default/configmaps";
const DEPLOY = "/apis/apps/v1/namespaces/default/deployments";
const RS = "/apis/apps/v1/namespaces/default/replicasets";

function deployment(name: string, replicas = 1): unknown {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "busybox" }] } } },
  };
}

test("generateName, uid, creationTimestamp and generation bumps on spec changes only", async () => {
  const r = await call("POST", CM, { metadata: { generateName: "gen-" } });
  assert.equal(r.status, 201);
  const meta = r.body.metadata as Obj["metadata"];
  assert.match(meta.name, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.match(meta.uid, /^[0-9a-f-]{36}$/);
  assert.match(String(meta.creationTimestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const d = await call("POST", DEPLOY, deployment("gen-d"));
  assert.equal((d.body.metadata as Obj["metadata"]).generation, 1);
  const labelled = await call("PATCH", `${DEPLOY}/gen-d`, { metadata: { labels: { x: "y" } } }, "application/merge-patch+json");
  assert.equal((labelled.body.metadata as Obj["metadata"]).generation, 1, "metadata changes keep the generation");
  const scaled = await call("PATCH", `${DEPLOY}/gen-d`, { spec: { replicas: 3 } }, "application/strategic-merge-patch+json");
  assert.equal((scaled.body.metadata as Obj["metadata"]).generation, 2);
  // The no-op check uses the ConfigMap: the deployment controller may write the Deployment's status
  // between two patches, which would move its resourceVersion for reasons of its own.
  const first = await call("PATCH", `${CM}/${meta.name}`, { data: { k: "v" } }, "application/merge-patch+json");
  const same = await call("PATCH", `${CM}/${meta.name}`, { data: { k: "v" } }, "application/merge-patch+json");
  assert.equal((same.body.metadata as Obj["metadata"]).resourceVersion, (first.body.metadata as Obj["metadata"]).resourceVersion, "a no-op patch writes nothing");
});

test("limit and continue page through a list; remainingItemCount counts the rest", async () => {
  // Its own namespace; the controller-made kube-root-ca.crt is waited for, so the count is fixed.
  await call("POST", "/api/v1/namespaces", { metadata: { name: "paging" } });
  await waitUntil("root CA config map", async () => (await call("GET", "/api/v1/namespaces/paging/configmaps/kube-root-ca.crt")).status === 200);
  for (let i = 0; i < 7; i++) await call("POST", "/api/v1/namespaces/paging/configmaps", { metadata: { name: `page-${i}` } });
  const names: string[] = [];
  let cont = "";
  let pages = 0;
  do {
    const r = await call("GET", `/api/v1/namespaces/paging/configmaps?limit=3${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`);
    const list = r.body as { metadata: { continue?: string; remainingItemCount?: number }; items: Obj[] };
    names.push(...list.items.map((i) => i.metadata.name));
    if (pages === 0) assert.equal(list.metadata.remainingItemCount, 5);
    cont = list.metadata.continue ?? "";
    pages++;
  } while (cont);
  assert.equal(pages, 3);
  assert.deepEqual(names, ["kube-root-ca.crt", ...[0, 1, 2, 3, 4, 5, 6].map((i) => `page-${i}`)]);
  const bad = await call("GET", "/api/v1/namespaces/paging/configmaps?limit=3&continue=garbage");
  assert.equal(bad.status, 400);
});

test("dryRun=All validates and answers but stores nothing", async () => {
  const r = await call("POST", `${CM}?dryRun=All`, { metadata: { name: "dry" }, data: { a: "b" } });
  assert.equal(r.status, 201);
  assert.equal((await call("GET", `${CM}/dry`)).status, 404);
  await call("POST", CM, { metadata: { name: "dry2" }, data: { a: "b" } });
  const p = await call("PATCH", `${CM}/dry2?dryRun=All`, { data: { a: "c" } }, "application/merge-patch+json");
  assert.deepEqual(p.body.data, { a: "c" });
  assert.deepEqual((await call("GET", `${CM}/dry2`)).body.data, { a: "b" });
  const del = await call("DELETE", `${CM}/dry2?dryRun=All`);
  assert.equal(del.status, 200);
  assert.equal((await call("GET", `${CM}/dry2`)).status, 200);
});

test("finalizers hold a deleted object until removed", async () => {
  await call("POST", CM, { metadata: { name: "fin", finalizers: ["example.com/hold"] } });
  const del = await call("DELETE", `${CM}/fin`);
  assert.equal(del.status, 200);
  const held = await call("GET", `${CM}/fin`);
  assert.equal(held.status, 200);
  assert.ok((held.body.metadata as Obj["metadata"]).deletionTimestamp);
  const release = await call("PATCH", `${CM}/fin`, [{ op: "remove", path: "/metadata/finalizers" }], "application/json-patch+json");
  assert.equal(release.status, 200);
  assert.equal((await call("GET", `${CM}/fin`)).status, 404);
});

async function ownedReplicaSet(owner: Obj, name: string): Promise<void> {
  const rs = {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    // Labels matching the owner's selector: otherwise its Deployment controller releases it (as upstream does).
    metadata: { name, labels: { app: owner.metadata.name }, ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true }] },
    // An old ReplicaSet of the owner: selected by its selector (else the controller releases it), another template.
    spec: { replicas: 0, selector: { matchLabels: { app: owner.metadata.name } }, template: { metadata: { labels: { app: owner.metadata.name } }, spec: { containers: [{ name: "c", image: "busybox:old" }] } } },
  };
  const r = await call("POST", RS, rs);
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

test("propagationPolicy: Background deletes dependents, Orphan keeps them, Foreground waits for them", async () => {
  for (const policy of ["Background", "Orphan", "Foreground"]) {
    const owner = (await call("POST", DEPLOY, deployment(`own-${policy.toLowerCase()}`))).body as Obj;
    const dep = `dep-${policy.toLowerCase()}`;
    await ownedReplicaSet(owner, dep);
    const del = await call("DELETE", `${DEPLOY}/${owner.metadata.name}`, { propagationPolicy: policy });
    assert.equal(del.status, 200);
    await waitUntil(`owner ${owner.metadata.name} gone`, async () => (await call("GET", `${DEPLOY}/${owner.metadata.name}`)).status === 404);
    if (policy === "Orphan") {
      const rs = await call("GET", `${RS}/${dep}`);
      assert.equal(rs.status, 200);
      assert.equal((rs.body.metadata as Obj["metadata"]).ownerReferences, undefined, "orphaned dependents lose the owner reference");
    } else {
      await waitUntil(`dependent ${dep} gone`, async () => (await call("GET", `${RS}/${dep}`)).status === 404);
    }
  }
});

test("status and scale subresources", async () => {
  await call("POST", DEPLOY, deployment("sub", 2));
  const st = await call("PUT", `${DEPLOY}/sub/status`, { ...(deployment("sub", 9) as object), status: { replicas: 2, readyReplicas: 1 } });
  assert.equal(st.status, 200);
  assert.deepEqual(st.body.status, { replicas: 2, readyReplicas: 1 });
  assert.equal((st.body.spec as { replicas: number }).replicas, 2, "a status write leaves spec alone");
  const main = await call("PUT", `${DEPLOY}/sub`, { ...(deployment("sub", 2) as object), status: { replicas: 99 } });
  // The deployment controller owns status from here on, so only check that the main write did not set it.
  assert.notEqual((main.body.status as { replicas?: number } | undefined)?.replicas, 99, "a main-resource write leaves status alone");
  const scale = await call("GET", `${DEPLOY}/sub/scale`);
  assert.equal(scale.body.kind, "Scale");
  assert.deepEqual(scale.body.spec, { replicas: 2 });
  assert.equal((scale.body.status as { selector: string }).selector, "app=sub");
  const scaled = await call("PATCH", `${DEPLOY}/sub/scale`, { spec: { replicas: 5 } }, "application/merge-patch+json");
  assert.deepEqual(scaled.body.spec, { replicas: 5 });
  assert.equal(((await call("GET", `${DEPLOY}/sub`)).body.spec as { replicas: number }).replicas, 5);
});

test("watch honours timeoutSeconds and label selectors", async () => {
  const list = await call("GET", CM);
  const rv = (list.body.metadata as { resourceVersion: string }).resourceVersion;
  const pending = server.request("GET", `${CM}?watch=true&resourceVersion=${rv}&timeoutSeconds=2&labelSelector=team%3Dblue`);
  await new Promise((r) => setTimeout(r, 200));
  await call("POST", CM, { metadata: { name: "blue", labels: { team: "blue" } } });
  await call("POST", CM, { metadata: { name: "red", labels: { team: "red" } } });
  const t0 = Date.now();
  const r = await pending;
  assert.ok(Date.now() - t0 < 4000, "the stream ends at the timeout");
  const events = r.body.trim().split("\n").map((l) => JSON.parse(l) as { type: string; object: Obj });
  assert.deepEqual(events.map((e) => `${e.type}:${e.object.metadata.name}`), ["ADDED:blue"]);
});

test("server-side apply conflicts with another manager unless forced", () => {
  const manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa-conflict\ndata:\n  k: first\n";
  const r1 = server.kubectl(["apply", "--server-side", "-f", "-"], { input: manifest });
  assert.equal(r1.status, 0, r1.stderr);
  const second = manifest.replace("first", "second");
  const r2 = server.kubectl(["apply", "--server-side", "--field-manager=other", "-f", "-"], { input: second });
  assert.notEqual(r2.status, 0);
  assert.match(r2.stderr, /Apply failed with 1 conflict: conflict with "kubectl"/);
  assert.match(r2.stderr, /\.data\.k/);
  const r3 = server.kubectl(["apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", "-"], { input: second });
  assert.equal(r3.status, 0, r3.stderr);
  const got = JSON.parse(server.kubectl(["get", "cm", "ssa-conflict", "-o", "json"]).stdout);
  assert.equal(got.data.k, "second");
});

test("every namespace gets the default ServiceAccount and the kube-root-ca.crt ConfigMap", async () => {
  assert.equal((await call("POST", "/api/v1/namespaces", { metadata: { name: "fresh" } })).status, 201);
  await waitUntil("default service account", async () => (await call("GET", "/api/v1/namespaces/fresh/serviceaccounts/default")).status === 200);
  await waitUntil("root CA config map", async () => (await call("GET", "/api/v1/namespaces/fresh/configmaps/kube-root-ca.crt")).status === 200);
  const cm = await call("GET", "/api/v1/namespaces/fresh/configmaps/kube-root-ca.crt");
  assert.equal((cm.body.data as Record<string, string>)["ca.crt"], server.caPem);
  // Deleting the default service account brings it back.
  assert.equal((await call("DELETE", "/api/v1/namespaces/fresh/serviceaccounts/default")).status, 200);
  await waitUntil("default service account again", async () => (await call("GET", "/api/v1/namespaces/fresh/serviceaccounts/default")).status === 200);
});

test("resourceVersionMatch=Exact lists the state at that revision; deletecollection honours selectors", async () => {
  const ns = "/api/v1/namespaces/kube-public/configmaps";
  const created = await call("POST", ns, { metadata: { name: "history", labels: { batch: "x" } }, data: { v: "1" } });
  const rv1 = (created.body.metadata as Obj["metadata"]).resourceVersion;
  await call("PATCH", `${ns}/history`, { data: { v: "2" } }, "application/merge-patch+json");
  const old = await call("GET", `${ns}?resourceVersion=${rv1}&resourceVersionMatch=Exact&labelSelector=batch%3Dx`);
  assert.deepEqual((old.body.items as Obj[]).map((i) => i.data), [{ v: "1" }]);
  assert.equal((old.body.metadata as { resourceVersion: string }).resourceVersion, rv1);
  const now = await call("GET", `${ns}?labelSelector=batch%3Dx`);
  assert.deepEqual((now.body.items as Obj[]).map((i) => i.data), [{ v: "2" }]);
  const future = await call("GET", `${ns}?resourceVersion=999999999&resourceVersionMatch=Exact`);
  assert.equal(future.status, 504);

  await call("POST", ns, { metadata: { name: "sweep-1", labels: { sweep: "yes" } } });
  await call("POST", ns, { metadata: { name: "sweep-2", labels: { sweep: "yes" } } });
  const del = await call("DELETE", `${ns}?labelSelector=sweep%3Dyes`);
  assert.equal(del.status, 200);
  assert.deepEqual((del.body.items as Obj[]).map((i) => i.metadata.name).sort(), ["sweep-1", "sweep-2"]);
  assert.equal((await call("GET", `${ns}/history`)).status, 200, "objects outside the selector stay");
  assert.equal((await call("GET", `${ns}/sweep-1`)).status, 404);
});
