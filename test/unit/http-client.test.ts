import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { ApiError } from "../../src/shared/api/status.js";
import { HttpApiClient } from "../../src/shared/client/http-client.js";
import { apiErrorFromResponse } from "../../src/shared/client/http-errors.js";
import { groupVersionPath, listQueryString, resourcePath } from "../../src/shared/client/resource-paths.js";
import { WatchDecodeError, WatchDecoder, parseWatchLine } from "../../src/shared/client/watch-decoder.js";
import type { ClientWatchEvent } from "../../src/shared/client/types.js";

test("paths: core under /api/v1, groups under /apis/<g>/<v>, namespaced, named, subresources", () => {
  assert.equal(groupVersionPath("", "v1"), "/api/v1");
  assert.equal(groupVersionPath("apps", "v1"), "/apis/apps/v1");
  assert.equal(resourcePath({ group: "", version: "v1", plural: "nodes" }), "/api/v1/nodes");
  assert.equal(resourcePath({ group: "", version: "v1", plural: "nodes", name: "n1", subresource: "status" }), "/api/v1/nodes/n1/status");
  assert.equal(resourcePath({ group: "", version: "v1", plural: "pods", namespace: "" }), "/api/v1/pods");
  assert.equal(
    resourcePath({ group: "coordination.k8s.io", version: "v1", plural: "leases", namespace: "kube-node-lease", name: "n1" }),
    "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1",
  );
  // A name cannot leave its segment.
  assert.equal(resourcePath({ group: "", version: "v1", plural: "pods", namespace: "a", name: "../x?y" }), "/api/v1/namespaces/a/pods/..%2Fx%3Fy");
  assert.throws(() => resourcePath({ group: "", version: "v1", plural: "pods", subresource: "status" }), /needs an object name/);
});

test("query strings carry the upstream parameter names", () => {
  assert.equal(listQueryString({}), "");
  assert.equal(listQueryString({ limit: 0 }), "");
  const q = new URLSearchParams(
    listQueryString({ labelSelector: "app in (a,b)", fieldSelector: "spec.nodeName=n1", limit: 500, continue: "tok", resourceVersion: "0", watch: true, timeoutSeconds: 300, allowWatchBookmarks: true }).slice(1),
  );
  assert.deepEqual(Object.fromEntries(q), {
    labelSelector: "app in (a,b)",
    fieldSelector: "spec.nodeName=n1",
    limit: "500",
    continue: "tok",
    resourceVersion: "0",
    watch: "true",
    timeoutSeconds: "300",
    allowWatchBookmarks: "true",
  });
});

test("errors: a Status body keeps its code, reason, message and details", () => {
  const body = JSON.stringify({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: 'pods "x" is invalid: spec.containers: Required value',
    reason: "Invalid",
    details: { name: "x", kind: "Pod", causes: [{ reason: "FieldValueRequired", field: "spec.containers", message: "Required value" }] },
    code: 422,
  });
  const e = apiErrorFromResponse(422, body);
  assert.ok(e instanceof ApiError);
  assert.equal(e.code, 422);
  assert.equal(e.reason, "Invalid");
  assert.equal(e.message, 'pods "x" is invalid: spec.containers: Required value');
  assert.deepEqual(e.details?.causes, [{ reason: "FieldValueRequired", field: "spec.containers", message: "Required value" }]);
  assert.equal(apiErrorFromResponse(429, JSON.stringify({ kind: "Status", code: 429, reason: "TooManyRequests", message: "slow down" }), "3").details?.retryAfterSeconds, 3);
});

test("errors: a non-Status body gets the code's generic reason", () => {
  const e = apiErrorFromResponse(503, "<html>bad gateway</html>");
  assert.equal(e.code, 503);
  assert.equal(e.reason, "ServiceUnavailable");
  assert.match(e.message, /currently unable to handle the request \(<html>bad gateway<\/html>\)/);
  const nf = apiErrorFromResponse(404, "");
  assert.equal(nf.reason, "NotFound");
  assert.equal(nf.message, "the server could not find the requested resource");
  assert.equal(apiErrorFromResponse(418, "").reason, "");
  assert.equal(apiErrorFromResponse(502, "").reason, "InternalError");
});

test("watch lines: events split across chunks, and inside a UTF-8 character, come out whole", () => {
  const lines = [
    JSON.stringify({ type: "ADDED", object: { kind: "ConfigMap", metadata: { name: "a", resourceVersion: "5" }, data: { k: "héllo ✓" } } }),
    JSON.stringify({ type: "MODIFIED", object: { kind: "ConfigMap", metadata: { name: "a", resourceVersion: "6" } } }),
    JSON.stringify({ type: "BOOKMARK", object: { kind: "ConfigMap", metadata: { resourceVersion: "9" } } }),
  ];
  const wire = Buffer.from(lines.join("\n") + "\n");
  // Every split point, including mid-character.
  for (let cut = 1; cut < wire.length; cut++) {
    const d = new WatchDecoder();
    const out = [...d.write(wire.subarray(0, cut)), ...d.write(wire.subarray(cut)), ...d.end()];
    assert.deepEqual(
      out.map((e) => e.type),
      ["ADDED", "MODIFIED", "BOOKMARK"],
      `cut at ${cut}`,
    );
    assert.deepEqual(out[0]!.object.data, { k: "héllo ✓" });
  }
  // One byte at a time.
  const d = new WatchDecoder();
  const out: ClientWatchEvent[] = [];
  for (const b of wire) out.push(...d.write(Buffer.from([b])));
  out.push(...d.end());
  assert.equal(out.length, 3);
  // A last line without its newline still counts.
  const d2 = new WatchDecoder();
  assert.deepEqual(d2.write(Buffer.from(lines[1]!)), []);
  assert.equal(d2.end()[0]!.type, "MODIFIED");
});

test("watch lines: malformed, unknown or oversized events are errors", () => {
  assert.throws(() => parseWatchLine("{nope"), WatchDecodeError);
  assert.throws(() => parseWatchLine('{"type":"SURPRISE","object":{}}'), /unknown type/);
  assert.throws(() => parseWatchLine('{"type":"ADDED"}'), /without an object/);
  const d = new WatchDecoder(64);
  assert.throws(() => d.write(Buffer.alloc(100, "x")), /larger than 64 bytes/);
  const d2 = new WatchDecoder();
  d2.write(Buffer.from('{"type":"ADDED","object":'));
  assert.throws(() => d2.end(), WatchDecodeError);
});

/** A tiny fake API server on 127.0.0.1 for client behaviour the real server cannot be made to show. */
async function fakeServer(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void>; server: http.Server }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

test("client: discovers a group's preferred version once, sends the token, maps errors", async () => {
  const seen: string[] = [];
  const srv = await fakeServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization}`);
    if (req.url === "/apis/example.com") {
      res.end(JSON.stringify({ kind: "APIGroup", name: "example.com", versions: [{ groupVersion: "example.com/v2", version: "v2" }, { version: "v1" }], preferredVersion: { version: "v2" } }));
    } else if (req.url === "/apis/example.com/v2/namespaces/ns/widgets/w") {
      res.end(JSON.stringify({ kind: "Widget", metadata: { name: "w" } }));
    } else {
      res.writeHead(404, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404, message: 'widgets.example.com "z" not found', details: { name: "z", group: "example.com", kind: "widgets" } }));
    }
  });
  const c = new HttpApiClient({ server: srv.url, token: "secret-token" });
  try {
    const ref = { group: "example.com", plural: "widgets" };
    assert.equal((await c.get(ref, "ns", "w")).metadata.name, "w");
    assert.equal((await c.get(ref, "ns", "w")).metadata.name, "w");
    await assert.rejects(c.get(ref, "ns", "z"), (e: unknown) => e instanceof ApiError && e.code === 404 && e.reason === "NotFound" && e.details?.name === "z");
    assert.equal(seen.filter((s) => s.startsWith("GET /apis/example.com ")).length, 1);
    assert.ok(seen.every((s) => s.endsWith("Bearer secret-token")));
  } finally {
    c.destroy();
    await srv.close();
  }
});

test("client: patch sends the patch media type, fieldManager and subresource", async () => {
  let got: { url?: string; type?: string; body?: string; method?: string } = {};
  const srv = await fakeServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      got = { url: req.url, type: req.headers["content-type"], body, method: req.method };
      res.end(JSON.stringify({ metadata: { name: "n1" } }));
    });
  });
  const c = new HttpApiClient({ server: srv.url });
  try {
    await c.patch({ group: "", plural: "nodes" }, "", "n1", { status: { phase: "x" } }, "strategic", { subresource: "status", fieldManager: "kubelet" });
    assert.deepEqual(got, { url: "/api/v1/nodes/n1/status?fieldManager=kubelet", type: "application/strategic-merge-patch+json", body: '{"status":{"phase":"x"}}', method: "PATCH" });
    await c.patch({ group: "", plural: "nodes" }, "", "n1", [{ op: "add", path: "/metadata/labels/a", value: "b" }], "json");
    assert.equal(got.type, "application/json-patch+json");
    await assert.rejects(c.patch({ group: "", plural: "nodes" }, "", "n1", {}, "apply"), /fieldManager/);
  } finally {
    c.destroy();
    await srv.close();
  }
});

test("watch: events written in odd chunks arrive whole; onEnd fires once when the server ends the stream", async () => {
  const events = [
    { type: "ADDED", object: { metadata: { name: "a", resourceVersion: "2" } } },
    { type: "MODIFIED", object: { metadata: { name: "a", resourceVersion: "3" } } },
  ];
  let query = "";
  const srv = await fakeServer((req, res) => {
    query = req.url ?? "";
    res.writeHead(200, { "Content-Type": "application/json" });
    res.flushHeaders();
    const wire = events.map((e) => JSON.stringify(e) + "\n").join("");
    // Three pieces, splitting inside the first event and between the two.
    const cuts = [10, wire.indexOf("\n") + 5];
    res.write(wire.slice(0, cuts[0]));
    setTimeout(() => res.write(wire.slice(cuts[0], cuts[1])), 20);
    setTimeout(() => res.end(wire.slice(cuts[1])), 40);
  });
  const c = new HttpApiClient({ server: srv.url });
  try {
    const got: ClientWatchEvent[] = [];
    let ends = 0;
    const ended = new Promise<Error | undefined>((resolve) => {
      void c.watch({ group: "", plural: "configmaps" }, "default", { resourceVersion: "1", allowWatchBookmarks: true, timeoutSeconds: 30 }, (ev) => got.push(ev), (err) => {
        ends++;
        resolve(err);
      });
    });
    assert.equal(await ended, undefined);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(ends, 1);
    assert.deepEqual(got, events);
    assert.equal(query, "/api/v1/namespaces/default/configmaps?resourceVersion=1&watch=true&timeoutSeconds=30&allowWatchBookmarks=true");
  } finally {
    c.destroy();
    await srv.close();
  }
});

test("watch: a broken connection ends it once with an error; close() ends it with no onEnd", async () => {
  const srv = await fakeServer((req, res) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.write(JSON.stringify({ type: "ADDED", object: { metadata: { name: "a" } } }) + "\n");
    if (req.url?.includes("labelSelector=break")) setTimeout(() => res.destroy(), 20);
  });
  const c = new HttpApiClient({ server: srv.url });
  try {
    let ends: (Error | undefined)[] = [];
    const broken = await new Promise<Error | undefined>((resolve) => {
      void c.watch({ group: "", plural: "pods" }, undefined, { labelSelector: "break" }, () => {}, (err) => {
        ends.push(err);
        resolve(err);
      });
    });
    assert.ok(broken instanceof Error);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(ends.length, 1);

    ends = [];
    let first!: () => void;
    const gotFirst = new Promise<void>((r) => (first = r));
    const w = await c.watch({ group: "", plural: "pods" }, undefined, {}, () => first(), (err) => ends.push(err));
    await gotFirst;
    w.close();
    w.close();
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(ends, []);
  } finally {
    c.destroy();
    await srv.close();
  }
});

test("watch: a refused watch rejects with the server's Status", async () => {
  const srv = await fakeServer((_req, res) => {
    res.writeHead(410, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "Expired", code: 410, message: "too old resource version: 1 (50)" }));
  });
  const c = new HttpApiClient({ server: srv.url });
  try {
    await assert.rejects(
      c.watch({ group: "", plural: "pods" }, "default", { resourceVersion: "1" }, () => {}, () => assert.fail("onEnd after a rejected watch")),
      (e: unknown) => e instanceof ApiError && e.code === 410 && e.reason === "Expired" && /too old/.test(e.message),
    );
  } finally {
    c.destroy();
    await srv.close();
  }
});

test("client: a caller's http.Agent opens the connections (the tunnel's hook)", async () => {
  const srv = await fakeServer((_req, res) => res.end(JSON.stringify({ kind: "ConfigMapList", apiVersion: "v1", metadata: { resourceVersion: "1" }, items: [] })));
  let opened = 0;
  class CountingAgent extends http.Agent {
    override createConnection(...args: Parameters<http.Agent["createConnection"]>): ReturnType<http.Agent["createConnection"]> {
      opened++;
      return super.createConnection(...args);
    }
  }
  const agent = new CountingAgent({ keepAlive: true });
  const c = new HttpApiClient({ server: srv.url, agent });
  try {
    assert.equal((await c.list({ group: "", plural: "configmaps" }, "default")).kind, "ConfigMapList");
    assert.equal((await c.list({ group: "", plural: "configmaps" }, "default")).kind, "ConfigMapList");
    assert.equal(opened, 1, "one kept-alive connection through the caller's agent");
    c.destroy(); // not ours: stays usable
    assert.equal((await c.list({ group: "", plural: "configmaps" }, "default")).kind, "ConfigMapList");
  } finally {
    agent.destroy();
    await srv.close();
  }
});

test("client: a silent server times out instead of hanging", async () => {
  const srv = await fakeServer(() => {
    // never answers
  });
  const c = new HttpApiClient({ server: srv.url, requestTimeoutMs: 100 });
  try {
    await assert.rejects(c.get({ group: "", plural: "pods" }, "default", "x"), /no answer from the API server in 100 ms/);
  } finally {
    c.destroy();
    await srv.close();
  }
});

test("client: 429/5xx with Retry-After is retried as client-go does, then given up on with the server's error", async () => {
  let calls = 0;
  const srv = await fakeServer((req, res) => {
    calls++;
    const always = req.url?.includes("always");
    if (always || calls <= 2) {
      res.writeHead(always ? 503 : 429, { "Content-Type": "application/json", "Retry-After": "0" });
      res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", reason: always ? "ServiceUnavailable" : "TooManyRequests", code: always ? 503 : 429, message: "busy" }));
      return;
    }
    res.end(JSON.stringify({ metadata: { name: "ok" } }));
  });
  const c = new HttpApiClient({ server: srv.url });
  try {
    assert.equal((await c.get({ group: "", plural: "pods" }, "default", "ok")).metadata.name, "ok");
    assert.equal(calls, 3);
    calls = 0;
    await assert.rejects(c.get({ group: "", plural: "pods" }, "default", "always"), (e: unknown) => e instanceof ApiError && e.code === 503 && e.reason === "ServiceUnavailable");
    assert.equal(calls, 10);
  } finally {
    c.destroy();
    await srv.close();
  }
});
