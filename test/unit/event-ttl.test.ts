import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openStore } from "../../src/server/storage/index.js";
import { buildControlPlane } from "../../src/server/control-plane.js";
import { LocalClient } from "../../src/server/local-client.js";
import { EventTTLController, lastSeen } from "../../src/server/controllers/event-ttl-controller.js";
import { componentLogger } from "../../src/shared/log.js";

test("an event's age is its newest timestamp", () => {
  assert.equal(lastSeen({ metadata: { creationTimestamp: "2026-11-27T10:00:00Z" }, lastTimestamp: "2026-11-27T11:00:00Z" }), Date.parse("2026-11-27T11:00:00Z"));
  assert.equal(lastSeen({ metadata: {}, eventTime: "2026-11-27T09:00:00.000000Z", series: { lastObservedTime: "2026-11-27T09:30:00.000000Z" } }), Date.parse("2026-11-27T09:30:00Z"));
  assert.ok(Number.isNaN(lastSeen({ metadata: {} })));
});

test("events older than the TTL are deleted, newer ones stay", async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "kube-lite-eventttl-"));
  const store = await openStore({ dataDir: dir });
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const cp = await buildControlPlane({ store, log: componentLogger("test") });
  await cp.store("", "namespaces").create("", { metadata: { name: "default" } });
  const client = new LocalClient(cp);
  const event = (name: string, lastTimestamp: string) => ({
    metadata: { name },
    involvedObject: { kind: "Pod", name: "p", namespace: "default" },
    reason: "Test",
    message: "m",
    type: "Normal",
    source: { component: "test" },
    firstTimestamp: lastTimestamp,
    lastTimestamp,
    count: 1,
  });
  // The clock is two hours ahead: "old" last happened when it was created (now), "recent" 30 min before the clock.
  const now = Date.now() + 2 * 3600_000;
  await client.create({ group: "", plural: "events" }, "default", event("old", new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, "Z")));
  await client.create({ group: "", plural: "events" }, "default", event("recent", new Date(now - 30 * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z")));
  const ttl = new EventTTLController(client, componentLogger("test"), () => now);
  assert.equal(await ttl.sweep(), 1);
  const left = await client.list({ group: "", plural: "events" }, "default");
  assert.deepEqual(left.items.map((e) => e.metadata.name), ["recent"]);
});
