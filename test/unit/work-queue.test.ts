import { test } from "node:test";
import assert from "node:assert/strict";
import { WorkQueue } from "../../src/shared/client/work-queue.js";
import { processQueue } from "../../src/shared/client/controller-loop.js";

test("a key is queued once and never processed twice at the same time", async () => {
  const q = new WorkQueue();
  q.add("a");
  q.add("a");
  q.add("b");
  assert.equal(q.length, 2);
  const k = await q.get();
  assert.equal(k, "a");
  q.add("a"); // re-added while processing: runs again after done()
  assert.equal(q.length, 1);
  q.done("a");
  assert.deepEqual([await q.get(), await q.get()], ["b", "a"]);
  q.shutDown();
  assert.equal(await q.get(), undefined);
});

test("processQueue retries failures with back-off and requeues on request", async () => {
  const q = new WorkQueue();
  const seen: string[] = [];
  let failures = 0;
  const done = processQueue(
    q,
    async (key) => {
      seen.push(key);
      if (key === "flaky" && failures < 2) {
        failures++;
        throw new Error("boom");
      }
      if (key === "again" && seen.filter((k) => k === "again").length < 2) return 5;
      return undefined;
    },
    () => {},
  );
  q.add("flaky");
  q.add("again");
  const deadline = Date.now() + 2000;
  while (!(seen.filter((k) => k === "flaky").length === 3 && seen.filter((k) => k === "again").length === 2)) {
    if (Date.now() > deadline) throw new Error(`not done: ${seen.join(",")}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  q.shutDown();
  await done;
  assert.equal(failures, 2);
});
