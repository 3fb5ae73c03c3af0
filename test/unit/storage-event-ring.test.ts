import { test } from "node:test";
import assert from "node:assert/strict";
import { EventRing } from "../../src/server/storage/event-ring.js";
import type { StoreEvent } from "../../src/server/storage/types.js";

function ev(rev: number, value = "v"): StoreEvent {
  return { type: "create", kv: { key: `/k/${rev}`, value, createRevision: rev, modRevision: rev } };
}

test("the ring keeps the newest events and its base tracks what it can answer for", () => {
  const ring = new EventRing(10, { maxEvents: 5, maxBytes: 1 << 20 });
  assert.equal(ring.base, 10);
  assert.deepEqual(ring.since(10), []);
  ring.push([11, 12, 13].map((r) => ev(r)));
  assert.deepEqual(ring.since(10).map((e) => e.kv.modRevision), [11, 12, 13]);
  assert.deepEqual(ring.since(12).map((e) => e.kv.modRevision), [13]);
  ring.push([14, 15, 16, 17].map((r) => ev(r)));
  assert.equal(ring.size, 5);
  assert.equal(ring.base, 12);
  assert.deepEqual(ring.since(12).map((e) => e.kv.modRevision), [13, 14, 15, 16, 17]);
  assert.deepEqual(ring.since(17), []);
});

test("the ring evicts by bytes and stays correct across many pushes", () => {
  const ring = new EventRing(0, { maxEvents: 1_000_000, maxBytes: 50_000 });
  for (let r = 1; r <= 5000; r++) ring.push([ev(r, "x".repeat(100))]);
  assert.ok(ring.size < 200 && ring.size > 50, `size ${ring.size}`);
  assert.equal(ring.base, 5000 - ring.size);
  const all = ring.since(ring.base);
  assert.equal(all.length, ring.size);
  assert.ok(all.every((e, i) => e.kv.modRevision === ring.base + 1 + i));
});
