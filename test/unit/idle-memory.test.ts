import { test } from "node:test";
import assert from "node:assert/strict";
import { IdleMemoryTrimmer, IDLE_TRIM_DELAY_MS } from "../../src/shared/idle-memory.js";

test("collects once after a burst and a quiet period, never while busy or already idle", () => {
  let now = 1_000_000;
  let collections = 0;
  const t = new IdleMemoryTrimmer({ now: () => now, gc: () => collections++, start: false });
  assert.equal(t.tick(), false, "nothing happened yet");
  t.noteActivity();
  now += IDLE_TRIM_DELAY_MS - 1;
  assert.equal(t.tick(), false, "still within the quiet period");
  now += 1;
  assert.equal(t.tick(), true);
  assert.equal(collections, 1);
  now += IDLE_TRIM_DELAY_MS * 10;
  assert.equal(t.tick(), false, "no second collection without new activity");
  assert.equal(collections, 1);
});

test("the real collector is reachable at run time", () => {
  const t = new IdleMemoryTrimmer({ start: false });
  t.noteActivity();
  (t as unknown as { lastActivity: number }).lastActivity -= IDLE_TRIM_DELAY_MS;
  assert.equal(t.tick(), true);
});

test("with watchCpu, CPU use between looks counts as activity", () => {
  let now = 0;
  let cpu = 0;
  let collections = 0;
  const t = new IdleMemoryTrimmer({ now: () => now, gc: () => collections++, start: false, watchCpu: true, cpuMs: () => cpu });
  cpu += 500; // a burst of work
  assert.equal(t.tick(), false, "busy: no collection");
  now += IDLE_TRIM_DELAY_MS;
  cpu += 1; // quiet
  assert.equal(t.tick(), true);
  assert.equal(collections, 1);
});
