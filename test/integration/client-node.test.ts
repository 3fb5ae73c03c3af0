/**
 * @kubernetes/client-node 1.x against the real server: list, create, patch (its default JSON patch and
 * merge patch), delete, and a watch that resumes from a resourceVersion.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as k8s from "@kubernetes/client-node";
import { startServer, type TestServer } from "./harness.js";

let server: TestServer;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;

before(async () => {
  server = await startServer();
  kc = new k8s.KubeConfig();
  kc.loadFromFile(server.kubeconfig);
  core = kc.makeApiClient(k8s.CoreV1Api);
});

after(async () => {
  await server.stop();
  server.cleanup();
});

test("list, create, patch and delete with client-node", async () => {
  const nsList = await core.listNamespace();
  assert.ok(nsList.items.some((n) => n.metadata?.name === "kube-system"));
  const created = await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "cn", labels: { app: "cn" } }, data: { a: "1" } } });
  assert.equal(created.metadata?.name, "cn");
  const patched = await core.patchNamespacedConfigMap({ name: "cn", namespace: "default", body: [{ op: "replace", path: "/data/a", value: "2" }] });
  assert.equal(patched.data?.a, "2");
  const merged = await core.patchNamespacedConfigMap(
    { name: "cn", namespace: "default", body: { data: { b: "3" } } },
    k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
  );
  assert.deepEqual(merged.data, { a: "2", b: "3" });
  await assert.rejects(core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "cn" } } }), (err: { code?: number }) => err.code === 409);
  await core.deleteNamespacedConfigMap({ name: "cn", namespace: "default" });
  await assert.rejects(core.readNamespacedConfigMap({ name: "cn", namespace: "default" }), (err: { code?: number }) => err.code === 404);
});

test("watch resumes from a resourceVersion", async () => {
  const list = await core.listNamespacedConfigMap({ namespace: "default" });
  const rv = list.metadata!.resourceVersion!;
  await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "w1" } } });
  await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "w2" } } });
  const seen: string[] = [];
  const watch = new k8s.Watch(kc);
  let req: { abort(): void } | undefined;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`watch saw only ${seen.join(",")}`)), 10_000);
    watch
      .watch("/api/v1/namespaces/default/configmaps", { resourceVersion: rv, allowWatchBookmarks: true }, (type, obj) => {
        if (!obj.metadata?.name?.startsWith("w")) return; // only this test's objects
        seen.push(`${type}:${obj.metadata?.name}`);
        if (seen.includes("ADDED:w1") && seen.includes("ADDED:w2") && seen.includes("DELETED:w1")) {
          clearTimeout(timer);
          resolve();
        }
        if (seen.length === 2) void core.deleteNamespacedConfigMap({ name: "w1", namespace: "default" });
      }, (err) => {
        if (err && (err as Error).name !== "AbortError") reject(err);
      })
      .then((r) => (req = r as unknown as { abort(): void }), reject);
  });
  req?.abort();
  assert.deepEqual(seen.slice(0, 2), ["ADDED:w1", "ADDED:w2"], "events after the resourceVersion are replayed in order");
});
