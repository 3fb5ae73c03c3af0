import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ApiError } from "../../src/shared/api/status.js";
import type { KubeObject } from "../../src/shared/api/types.js";
import { HttpApiClient } from "../../src/shared/client/http-client.js";
import type { ClientWatchEvent } from "../../src/shared/client/types.js";
import { readFileSync } from "node:fs";
import path from "node:path";
import { issueClientCertificate } from "../../src/server/tls/certificates.js";
import { Informer } from "../../src/shared/client/informer.js";
import { rootLogger } from "../../src/shared/log.js";
import { startServer, type TestServer } from "./harness.js";

const CM = { group: "", plural: "configmaps" };
const NS = { group: "", plural: "namespaces" };
let server: TestServer;
let client: HttpApiClient;

before(async () => {
  server = await startServer();
  client = new HttpApiClient({ server: `https://127.0.0.1:${server.port}`, token: server.token, ca: server.caPem });
});

after(() => {
  client?.destroy();
  server?.cleanup();
});

function configMap(name: string, data: Record<string, string> = {}): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data };
}

/** Collects watch events until `until` says enough, or fails after a timeout. */
function collect(events: ClientWatchEvent[], until: (evs: ClientWatchEvent[]) => boolean, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = (): void => {
      if (until(events)) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out; got ${JSON.stringify(events.map((e) => [e.type, e.object.metadata?.name]))}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

test("create, get, list, update, patch, delete through HTTPS", async () => {
  await client.create(NS, "", { apiVersion: "v1", kind: "Namespace", metadata: { name: "hc-crud" } });
  const created = await client.create(CM, "hc-crud", configMap("one", { a: "1" }), "hc-test");
  assert.equal(created.metadata.namespace, "hc-crud");
  assert.ok(created.metadata.uid);
  const got = await client.get(CM, "hc-crud", "one");
  assert.equal(got.metadata.uid, created.metadata.uid);
  assert.deepEqual(got.data, { a: "1" });

  await client.create(CM, "hc-crud", { ...configMap("two"), metadata: { name: "two", labels: { tier: "web" } } });
  const all = await client.list(CM, "hc-crud");
  assert.equal(all.kind, "ConfigMapList");
  // The root CA publisher may add kube-root-ca.crt to the namespace at any moment.
  assert.deepEqual(all.items.map((i) => i.metadata.name).filter((n) => n !== "kube-root-ca.crt"), ["one", "two"]);
  const web = await client.list(CM, "hc-crud", { labelSelector: "tier=web" });
  assert.deepEqual(web.items.map((i) => i.metadata.name), ["two"]);

  // Pages: limit + continue.
  const page1 = await client.list(CM, "hc-crud", { limit: 1 });
  assert.equal(page1.items.length, 1);
  assert.ok(page1.metadata.continue);
  const page2 = await client.list(CM, "hc-crud", { limit: 1, continue: page1.metadata.continue });
  assert.notEqual(page2.items[0]!.metadata.name, page1.items[0]!.metadata.name);

  const updated = await client.update(CM, "hc-crud", { ...created, data: { a: "2" } });
  assert.deepEqual(updated.data, { a: "2" });
  // A stale resourceVersion is a 409 Conflict with the server's message.
  await assert.rejects(client.update(CM, "hc-crud", { ...created, data: { a: "3" } }), (e: unknown) => e instanceof ApiError && e.code === 409 && e.reason === "Conflict" && /has been modified/.test(e.message));

  const merged = await client.patch(CM, "hc-crud", "one", { data: { b: "x" } }, "merge");
  assert.deepEqual(merged.data, { a: "2", b: "x" });
  const jsonPatched = await client.patch(CM, "hc-crud", "one", [{ op: "remove", path: "/data/a" }], "json");
  assert.deepEqual(jsonPatched.data, { b: "x" });
  const smp = await client.patch(CM, "hc-crud", "one", { metadata: { labels: { x: "y" } } }, "strategic");
  assert.deepEqual(smp.metadata.labels, { x: "y" });

  await client.delete(CM, "hc-crud", "one");
  await assert.rejects(client.get(CM, "hc-crud", "one"), (e: unknown) => e instanceof ApiError && e.code === 404 && e.reason === "NotFound" && e.message === 'configmaps "one" not found');
  await assert.rejects(client.create(CM, "hc-crud", configMap("two")), (e: unknown) => e instanceof ApiError && e.code === 409 && e.reason === "AlreadyExists");
  await assert.rejects(
    client.create(CM, "hc-crud", configMap("Bad_Name")),
    (e: unknown) => e instanceof ApiError && e.code === 422 && e.reason === "Invalid" && (e.details?.causes?.length ?? 0) > 0,
  );
});

test("a group's version is discovered; a bad token is 401 Unauthorized", async () => {
  assert.equal(await client.versionFor({ group: "coordination.k8s.io", plural: "leases" }), "v1");
  const leases = await client.list({ group: "coordination.k8s.io", plural: "leases" }, "kube-node-lease");
  assert.equal(leases.kind, "LeaseList");
  await assert.rejects(client.list({ group: "no-such.example.com", plural: "things" }), (e: unknown) => e instanceof ApiError && e.code === 404);
  const bad = new HttpApiClient({ server: `https://127.0.0.1:${server.port}`, token: "wrong", ca: server.caPem });
  try {
    await assert.rejects(bad.list(CM, "default"), (e: unknown) => e instanceof ApiError && e.code === 401 && e.reason === "Unauthorized");
  } finally {
    bad.destroy();
  }
  // The wrong CA fails the TLS handshake rather than trusting the server.
  const untrusting = new HttpApiClient({ server: `https://127.0.0.1:${server.port}`, token: server.token });
  try {
    await assert.rejects(untrusting.list(CM, "default"), (e: unknown) => !(e instanceof ApiError));
  } finally {
    untrusting.destroy();
  }
});

test("a client certificate signed by the cluster CA authenticates", async () => {
  const tlsDir = path.join(server.dataDir, "server", "tls");
  const ca = { caCertPem: readFileSync(path.join(tlsDir, "server-ca.crt"), "utf8"), caKeyPem: readFileSync(path.join(tlsDir, "server-ca.key"), "utf8") };
  const { certPem, keyPem } = await issueClientCertificate(ca, { commonName: "hc-admin", organizations: ["system:masters"], days: 1 });
  const certClient = new HttpApiClient({ server: `https://127.0.0.1:${server.port}`, cert: certPem, key: keyPem, ca: server.caPem });
  try {
    const list = await certClient.list(NS);
    assert.ok(list.items.some((n) => n.metadata.name === "kube-node-lease"));
  } finally {
    certClient.destroy();
  }
});

test("watch sees changes in order, then resumes from the last resourceVersion with nothing lost or repeated", async () => {
  await client.create(NS, "", { apiVersion: "v1", kind: "Namespace", metadata: { name: "hc-watch" } });
  const start = await client.list(CM, "hc-watch");
  const events: ClientWatchEvent[] = [];
  const ends: (Error | undefined)[] = [];
  const w = await client.watch(CM, "hc-watch", { resourceVersion: start.metadata.resourceVersion, allowWatchBookmarks: true }, (ev) => events.push(ev), (err) => ends.push(err));
  await client.create(CM, "hc-watch", configMap("a"));
  const b = await client.create(CM, "hc-watch", configMap("b"));
  await client.update(CM, "hc-watch", { ...b, data: { v: "1" } });
  await client.delete(CM, "hc-watch", "a");
  const mine = (evs: ClientWatchEvent[]): ClientWatchEvent[] => evs.filter((e) => e.type !== "BOOKMARK" && e.object.metadata.name !== "kube-root-ca.crt");
  await collect(events, (evs) => mine(evs).length >= 4);
  assert.deepEqual(
    mine(events).map((e) => `${e.type} ${e.object.metadata.name}`),
    ["ADDED a", "ADDED b", "MODIFIED b", "DELETED a"],
  );
  const lastRv = events.at(-1)!.object.metadata.resourceVersion!;
  w.close();
  await client.create(CM, "hc-watch", configMap("c"));
  await client.delete(CM, "hc-watch", "b");

  const resumed: ClientWatchEvent[] = [];
  const w2 = await client.watch(CM, "hc-watch", { resourceVersion: lastRv }, (ev) => resumed.push(ev), (err) => ends.push(err));
  await collect(resumed, (evs) => mine(evs).length >= 2);
  assert.deepEqual(
    mine(resumed).map((e) => `${e.type} ${e.object.metadata.name}`),
    ["ADDED c", "DELETED b"],
  );
  w2.close();
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(ends, [], "close() never calls onEnd");
});

test("a watch with timeoutSeconds ends by itself, calling onEnd exactly once with no error", async () => {
  const ends: (Error | undefined)[] = [];
  const done = new Promise<void>((resolve) => {
    void client.watch(CM, "default", { resourceVersion: "0", timeoutSeconds: 1 }, () => {}, (err) => {
      ends.push(err);
      resolve();
    });
  });
  await done;
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(ends, [undefined]);
});

test("resourceVersion 0 starts with the current objects as ADDED events", async () => {
  await client.create(NS, "", { apiVersion: "v1", kind: "Namespace", metadata: { name: "hc-initial" } });
  await client.create(CM, "hc-initial", configMap("present"));
  const events: ClientWatchEvent[] = [];
  const w = await client.watch(CM, "hc-initial", { resourceVersion: "0", fieldSelector: "metadata.name=present" }, (ev) => events.push(ev), () => {});
  try {
    await collect(events, (evs) => evs.some((e) => e.type === "ADDED" && e.object.metadata.name === "present"));
  } finally {
    w.close();
  }
});

test("an Informer runs unchanged over the HTTP client", async () => {
  await client.create(NS, "", { apiVersion: "v1", kind: "Namespace", metadata: { name: "hc-informer" } });
  await client.create(CM, "hc-informer", configMap("before"));
  const inf = new Informer(client, CM, rootLogger.child({ component: "test" }), "hc-informer");
  const added: string[] = [];
  inf.addHandlers({ onAdd: (o) => added.push(o.metadata.name!) });
  inf.start();
  try {
    await inf.waitForSync();
    assert.ok(inf.get("hc-informer/before"));
    await client.create(CM, "hc-informer", configMap("after"));
    await collect([], () => added.includes("after"));
    assert.ok(inf.get("hc-informer/after"));
  } finally {
    inf.stop();
  }
});
