// The kubelet's restart back-off (upstream flowcontrol.Backoff as the kubelet uses it for
// CrashLoopBackOff): immediate first restart, 10 s doubling to 5 min, reset after 10 min; Go's
// duration format in the waiting message.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Backoff, goDuration, INITIAL_BACKOFF_MS, MAX_BACKOFF_MS } from "../../src/agent/kubelet/pod-workers/backoff.js";

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

test("first failure restarts at once, then 10 s doubling up to 5 min", () => {
  const c = clock();
  const b = new Backoff(INITIAL_BACKOFF_MS, MAX_BACKOFF_MS, c.now);
  const key = "uid/app";
  // First crash: no entry, so not in back-off; recording it starts the window at 10 s.
  assert.equal(b.isInBackOffSince(key, c.t), false);
  assert.equal(b.next(key, c.t), 10_000);
  const waits: number[] = [];
  for (let i = 0; i < 7; i++) {
    // The restarted container crashes 1 s after the previous crash was recorded.
    c.t += 1_000;
    const crashedAt = c.t;
    assert.equal(b.isInBackOffSince(key, crashedAt), true, `crash ${i + 2} is inside the window`);
    assert.ok(b.remaining(key, crashedAt) > 0);
    c.t = crashedAt + b.get(key); // wait out the window
    assert.equal(b.isInBackOffSince(key, crashedAt), false);
    waits.push(b.next(key, crashedAt));
  }
  assert.deepEqual(waits, [20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
});

test("a container that ran longer than twice the maximum (10 min) starts over at 10 s", () => {
  const c = clock();
  const b = new Backoff(INITIAL_BACKOFF_MS, MAX_BACKOFF_MS, c.now);
  b.next("k", c.t);
  b.next("k", (c.t += 1_000));
  assert.equal(b.get("k"), 20_000);
  c.t += 2 * MAX_BACKOFF_MS + 1;
  assert.equal(b.isInBackOffSince("k", c.t), false, "an expired entry is not a back-off");
  assert.equal(b.next("k", c.t), 10_000);
});

test("gc drops expired entries; resetPrefix forgets a pod", () => {
  const c = clock();
  const b = new Backoff(INITIAL_BACKOFF_MS, MAX_BACKOFF_MS, c.now);
  b.next("pod-a/x", c.t);
  b.next("pod-a/y", c.t);
  b.next("pod-b/x", c.t);
  b.resetPrefix("pod-a/");
  assert.equal(b.get("pod-a/x"), 0);
  assert.equal(b.get("pod-b/x"), 10_000);
  c.t += 2 * MAX_BACKOFF_MS + 1;
  b.gc();
  assert.equal(b.get("pod-b/x"), 0);
});

test("Go duration strings as upstream messages show them", () => {
  assert.equal(goDuration(10_000), "10s");
  assert.equal(goDuration(20_000), "20s");
  assert.equal(goDuration(80_000), "1m20s");
  assert.equal(goDuration(160_000), "2m40s");
  assert.equal(goDuration(300_000), "5m0s");
  assert.equal(goDuration(1_500), "1.5s");
  assert.equal(goDuration(250), "250ms");
  assert.equal(goDuration(0), "0s");
  assert.equal(goDuration(3_661_000), "1h1m1s");
});
