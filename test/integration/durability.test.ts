/**
 * Durability through the whole stack: SIGKILL the server during a stream of creates; after restart
 * every create that got a 201 is there, resourceVersions keep increasing, and a watch from an old
 * revision replays (or gets 410 Gone once history was compacted).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startServer } from "./harness.js";

test("acknowledged writes survive SIGKILL and watches resume", async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "kube-lite-durable-"));
  try {
    let server = await startServer({ dataDir });
    const port = server.port;
    const acked: { name: string; rv: number }[] = [];
    let stop = false;
    const writer = async (id: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const name = `w${id}-${i}`;
        try {
          const r = await server.request("POST", "/api/v1/namespaces/default/configmaps", JSON.stringify({ metadata: { name }, data: { i: String(i) } }), { "Content-Type": "application/json" });
          if (r.status === 201) acked.push({ name, rv: Number(JSON.parse(r.body).metadata.resourceVersion) });
        } catch {
          return; // connection reset by the kill
        }
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    while (acked.length < 200) await new Promise((r) => setTimeout(r, 10));
    await server.kill();
    stop = true;
    await Promise.all(writers);
    const maxAcked = Math.max(...acked.map((a) => a.rv));

    server = await startServer({ dataDir, port });
    try {
      const list = await server.request("GET", "/api/v1/namespaces/default/configmaps");
      const body = JSON.parse(list.body) as { metadata: { resourceVersion: string }; items: { metadata: { name: string } }[] };
      const names = new Set(body.items.map((i) => i.metadata.name));
      const missing = acked.filter((a) => !names.has(a.name));
      assert.deepEqual(missing, [], `${missing.length} acknowledged writes lost`);
      assert.ok(Number(body.metadata.resourceVersion) >= maxAcked);
      const after = await server.request("POST", "/api/v1/namespaces/default/configmaps", JSON.stringify({ metadata: { name: "after-restart" } }), { "Content-Type": "application/json" });
      assert.equal(after.status, 201);
      assert.ok(Number(JSON.parse(after.body).metadata.resourceVersion) > Number(body.metadata.resourceVersion), "revisions continue increasing");
      // A watch from an old revision replays history (or answers 410 if compacted).
      const from = acked[0]!.rv - 1;
      const w = await server.request("GET", `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${from}&timeoutSeconds=1`);
      assert.equal(w.status, 200);
      const events = w.body.trim().split("\n").map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string }; code?: number } });
      if (events[0]!.type === "ERROR") assert.equal(events[0]!.object.code, 410);
      else assert.ok(events.some((e) => e.type === "ADDED" && e.object.metadata.name === acked[0]!.name));
    } finally {
      await server.stop();
      server.cleanup();
    }
    assert.equal(port, server.port);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
