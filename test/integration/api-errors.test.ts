/**
 * Bad input gets upstream-style Status errors, stores nothing, and never takes the server down.
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

const CM = "/api/v1/namespaces/default/configmaps";

async function status(method: string, path: string, body?: string | Buffer, contentType = "application/json"): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await server.request(method, path, body, body === undefined ? {} : { "Content-Type": contentType });
  return { status: r.status, body: JSON.parse(r.body) };
}

async function configMapNames(): Promise<string[]> {
  const r = await status("GET", CM);
  // kube-root-ca.crt is published by a controller at its own pace: not part of what a test changes.
  return (r.body.items as { metadata: { name: string } }[]).map((i) => i.metadata.name).filter((n) => n !== "kube-root-ca.crt");
}

test("requests without or with a bad token get 401; health endpoints need none", async () => {
  const anon = await server.request("GET", "/api/v1/namespaces", undefined, { Authorization: "" });
  assert.equal(anon.status, 401);
  assert.equal(JSON.parse(anon.body).reason, "Unauthorized");
  const bad = await server.request("GET", "/api/v1/namespaces", undefined, { Authorization: "Bearer wrong" });
  assert.equal(bad.status, 401);
  for (const p of ["/healthz", "/livez", "/readyz"]) {
    const r = await server.request("GET", p, undefined, { Authorization: "" });
    assert.equal(r.status, 200, p);
  }
});

test("invalid names and label keys are 422 Invalid with field causes", async () => {
  const before = await configMapNames();
  let r = await status("POST", CM, JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "Bad_Name" } }));
  assert.equal(r.status, 422);
  assert.equal(r.body.reason, "Invalid");
  assert.equal((r.body.details as { causes: { field: string }[] }).causes[0]!.field, "metadata.name");
  r = await status("POST", CM, JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ok", labels: { "bad key!": "v" } } }));
  assert.equal(r.status, 422);
  assert.match(String(r.body.message), /metadata.labels/);
  r = await status("POST", CM, JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x".repeat(254) } }));
  assert.equal(r.status, 422);
  assert.deepEqual(await configMapNames(), before);
});

test("unknown fields: Strict rejects with 400, Warn warns, neither stores the field", async () => {
  const body = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "strict" }, bogusField: 1 });
  const strict = await status("POST", `${CM}?fieldValidation=Strict`, body);
  assert.equal(strict.status, 400);
  assert.equal(strict.body.reason, "BadRequest");
  assert.match(String(strict.body.message), /unknown field "bogusField"/);
  assert.ok(!(await configMapNames()).includes("strict"));
  const warn = await server.request("POST", `${CM}?fieldValidation=Warn`, body.replace("strict", "warned"), { "Content-Type": "application/json" });
  assert.equal(warn.status, 201);
  assert.match(String(warn.headers.warning), /unknown field/);
  assert.equal(JSON.parse(warn.body).bogusField, undefined);
});

test("a stale resourceVersion on update is 409 Conflict", async () => {
  const created = await status("POST", CM, JSON.stringify({ metadata: { name: "rv" }, data: { a: "1" } }));
  assert.equal(created.status, 201);
  const meta = created.body.metadata as { resourceVersion: string };
  const ok = await status("PUT", `${CM}/rv`, JSON.stringify({ metadata: { name: "rv", resourceVersion: meta.resourceVersion }, data: { a: "2" } }));
  assert.equal(ok.status, 200);
  const stale = await status("PUT", `${CM}/rv`, JSON.stringify({ metadata: { name: "rv", resourceVersion: meta.resourceVersion }, data: { a: "3" } }));
  assert.equal(stale.status, 409);
  assert.equal(stale.body.reason, "Conflict");
  const now = await status("GET", `${CM}/rv`);
  assert.deepEqual(now.body.data, { a: "2" });
});

test("malformed JSON and YAML are 400; unsupported media types 415", async () => {
  const before = await configMapNames();
  let r = await status("POST", CM, "{not json");
  assert.equal(r.status, 400);
  r = await status("POST", CM, "metadata: [unclosed", "application/yaml");
  assert.equal(r.status, 400);
  r = await status("POST", CM, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  a: b\n", "application/yaml");
  assert.equal(r.status, 201);
  r = await status("POST", CM, "<xml/>", "application/xml");
  assert.equal(r.status, 415);
  r = await status("PATCH", `${CM}/from-yaml`, "{}", "text/plain");
  assert.equal(r.status, 415);
  assert.deepEqual((await configMapNames()).sort(), [...before, "from-yaml"].sort());
});

test("oversized bodies are refused with 413", async () => {
  const huge = JSON.stringify({ metadata: { name: "huge" }, data: { a: "x".repeat(4 * 1024 * 1024) } });
  const r = await server.request("POST", CM, huge, { "Content-Type": "application/json" });
  assert.equal(r.status, 413);
  assert.ok(!(await configMapNames()).includes("huge"));
});

test("unknown kinds and paths are 404; duplicates 409 AlreadyExists; server still healthy", async () => {
  let r = await status("GET", "/apis/example.com/v1/widgets");
  assert.equal(r.status, 404);
  r = await status("GET", "/api/v1/namespaces/default/nonsense");
  assert.equal(r.status, 404);
  r = await status("POST", "/apis/apps/v1/namespaces/default/deployments", JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "wrongkind" } }));
  assert.equal(r.status, 400);
  await status("POST", CM, JSON.stringify({ metadata: { name: "dup" } }));
  r = await status("POST", CM, JSON.stringify({ metadata: { name: "dup" } }));
  assert.equal(r.status, 409);
  assert.equal(r.body.reason, "AlreadyExists");
  r = await status("GET", `${CM}/missing`);
  assert.equal(r.status, 404);
  assert.equal(r.body.message, 'configmaps "missing" not found');
  r = await status("POST", "/api/v1/namespaces/nope/configmaps", JSON.stringify({ metadata: { name: "x" } }));
  assert.equal(r.status, 404);
  const health = await server.request("GET", "/readyz");
  assert.equal(health.status, 200);
});

test("kubectl prints upstream-style errors", () => {
  const dup = server.kubectl(["create", "namespace", "default"]);
  assert.notEqual(dup.status, 0);
  assert.match(dup.stderr, /Error from server \(AlreadyExists\): namespaces "default" already exists/);
  const missing = server.kubectl(["get", "deploy", "nope"]);
  assert.match(missing.stderr, /Error from server \(NotFound\): deployments.apps "nope" not found/);
});
