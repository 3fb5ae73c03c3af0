// The scheduling queue: priority then FIFO order, back-off growth, unschedulable pods moved back only
// by changes that can help them, updates and deletes of waiting pods.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SchedulingQueue, backoffDuration, INITIAL_BACKOFF_MS, MAX_BACKOFF_MS } from "../../src/server/scheduler/queue.js";

test("back-off doubles from 1 s and stops at 10 s", () => {
  assert.equal(backoffDuration(1), INITIAL_BACKOFF_MS);
  assert.equal(backoffDuration(2), 2_000);
  assert.equal(backoffDuration(4), 8_000);
  assert.equal(backoffDuration(5), MAX_BACKOFF_MS);
  assert.equal(backoffDuration(30), MAX_BACKOFF_MS);
});

test("higher priority first, then first come first served; no duplicates", async () => {
  let clock = 1000;
  const q = new SchedulingQueue(() => clock++);
  q.add("default/low-1", 0);
  q.add("default/high", 1000);
  q.add("default/low-2", 0);
  q.add("default/low-1", 0);
  assert.equal(q.length.active, 3);
  assert.equal((await q.pop())!.key, "default/high");
  assert.equal((await q.pop())!.key, "default/low-1");
  assert.equal((await q.pop())!.key, "default/low-2");
  q.close();
  assert.equal(await q.pop(), undefined);
});

test("unschedulable pods wait for a helpful change, then honour their back-off", async () => {
  let now = 0;
  const q = new SchedulingQueue(() => now);
  q.add("default/big", 0);
  const p = (await q.pop())!;
  q.addUnschedulable(p, new Set(["NodeResourcesFit"]));
  assert.deepEqual(q.length, { active: 0, backoff: 0, unschedulable: 1 });
  q.moveUnschedulable((plugins) => plugins.has("InterPodAffinity"));
  assert.equal(q.length.unschedulable, 1, "a change that cannot help leaves it waiting");
  now = 5_000; // past its 1 s back-off
  q.moveUnschedulable((plugins) => plugins.has("NodeResourcesFit"));
  assert.deepEqual(q.length, { active: 1, backoff: 0, unschedulable: 0 });
  const again = (await q.pop())!;
  assert.equal(again.key, "default/big");
  assert.equal(again.attempts, 1);
  // Still backing off: the move lands in backoff, and the pod comes back by itself afterwards.
  q.addUnschedulable(again, new Set(["NodeResourcesFit"]));
  q.moveUnschedulable(() => true);
  assert.deepEqual(q.length, { active: 0, backoff: 1, unschedulable: 0 });
  const started = Date.now();
  const keepAlive = setTimeout(() => {}, 5_000); // the queue's timers are unref'd, as in the server
  const third = await q.pop();
  clearTimeout(keepAlive);
  assert.equal(third!.key, "default/big");
  assert.ok(Date.now() - started >= 1_500, "waited out the 2 s back-off (clock-independent timer)");
  q.close();
});

test("an updated waiting pod goes straight back to active; a deleted one is forgotten", async () => {
  const q = new SchedulingQueue();
  q.add("default/a", 0);
  q.add("default/b", 0);
  const a = (await q.pop())!;
  q.addUnschedulable(a, new Set(["NodeAffinity"]));
  q.add("default/a", 0); // its spec changed
  assert.deepEqual(q.length, { active: 2, backoff: 0, unschedulable: 0 });
  q.delete("default/b");
  assert.equal((await q.pop())!.key, "default/a");
  assert.equal(q.length.active, 0);
  q.close();
});
