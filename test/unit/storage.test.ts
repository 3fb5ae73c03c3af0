// RevisionLog over the SQLite driver, against real database files in temp dirs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync, existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { openStore, storeDir } from "../../src/server/storage/index.js";
import { openSqliteDriver, prefixEnd } from "../../src/server/storage/sqlite-driver.js";
import { RevisionLog, type RevisionLogOptions } from "../../src/server/storage/revision-log.js";
import { Compactor } from "../../src/server/storage/compactor.js";
import {
  CompactedError,
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionConflictError,
  WatchOverflowError,
  type StoreEvent,
} from "../../src/server/storage/types.js";

const quiet = pino({ level: "silent" });

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "kube-lite-storage-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function openLog(t: { after(fn: () => void | Promise<void>): void }, opts: RevisionLogOptions = {}, dir = tempDir(t)) {
  const driver = await openSqliteDriver({ dir, logger: quiet });
  const store = new RevisionLog(driver, { logger: quiet, ...opts });
  t.after(() => store.close());
  return { store, driver, dir };
}

test("create, get, update (CAS), delete and recreate follow etcd semantics", async (t) => {
  const { store } = await openLog(t);
  assert.equal(store.currentRevision(), 0);
  const a = await store.create("/core/configmaps/default/a", "v1");
  assert.deepEqual(a, { key: "/core/configmaps/default/a", value: "v1", createRevision: 1, modRevision: 1 });
  assert.deepEqual(await store.get(a.key), a);
  await assert.rejects(store.create(a.key, "again"), KeyExistsError);

  await assert.rejects(store.update(a.key, "v2", 99), (err: unknown) => {
    assert.ok(err instanceof RevisionConflictError);
    assert.deepEqual(err.current, a);
    return true;
  });
  const a2 = await store.update(a.key, "v2", 1);
  assert.deepEqual(a2, { key: a.key, value: "v2", createRevision: 1, modRevision: 2 });

  await assert.rejects(store.delete(a.key, 1), RevisionConflictError);
  const tomb = await store.delete(a.key, 2);
  assert.deepEqual(tomb, { key: a.key, value: "v2", createRevision: 1, modRevision: 3 });
  assert.equal(await store.get(a.key), undefined);
  await assert.rejects(store.update(a.key, "v3", 3), KeyNotFoundError);
  await assert.rejects(store.delete(a.key), KeyNotFoundError);
  await assert.rejects(store.update("/nope", "x", 1), KeyNotFoundError);

  const again = await store.create(a.key, "v4");
  assert.equal(again.createRevision, 4);
  assert.equal(again.modRevision, 4);
  assert.equal(store.currentRevision(), 4);
  // Unconditional delete works too.
  assert.equal((await store.delete(a.key)).modRevision, 5);
});

test("get and list at an old revision see the state as of that revision", async (t) => {
  const { store } = await openLog(t);
  const a = await store.create("/p/a", "a1");
  const b = await store.create("/p/b", "b1");
  await store.update(a.key, "a2", a.modRevision);
  await store.delete(b.key);
  await store.create("/p/c", "c1");

  const at2 = await store.list("/p/", { revision: 2 });
  assert.equal(at2.revision, 2);
  assert.deepEqual(at2.items.map((i) => [i.key, i.value]), [["/p/a", "a1"], ["/p/b", "b1"]]);
  const now = await store.list("/p/");
  assert.equal(now.revision, 5);
  assert.deepEqual(now.items.map((i) => [i.key, i.value, i.modRevision]), [["/p/a", "a2", 3], ["/p/c", "c1", 5]]);
  assert.equal((await store.get("/p/b", 3))?.value, "b1");
  assert.equal(await store.get("/p/b", 4), undefined);
  assert.equal(await store.get("/p/c", 4), undefined);
  await assert.rejects(store.get("/p/a", 6), FutureRevisionError);
  await assert.rejects(store.list("/p/", { revision: 99 }), FutureRevisionError);
});

test("list pages with limit and after, counts remaining, and respects prefix boundaries", async (t) => {
  const { store } = await openLog(t);
  for (let i = 0; i < 25; i++) await store.create(`/ns/${String(i).padStart(2, "0")}`, `v${i}`);
  await store.create("/nsx/other", "x");
  await store.create("/n", "x");
  await store.delete("/ns/03");

  const seen: string[] = [];
  let after: string | undefined;
  const revision = store.currentRevision();
  for (;;) {
    const page = await store.list("/ns/", { limit: 10, after, revision });
    seen.push(...page.items.map((i) => i.key));
    assert.equal(page.remaining, 24 - seen.length);
    if (!page.remaining) break;
    after = page.items[page.items.length - 1]!.key;
    // A write between pages does not change what the pinned revision returns.
    await store.create(`/ns/zz-${seen.length}`, "late");
  }
  assert.equal(seen.length, 24);
  assert.ok(!seen.includes("/ns/03"));
  assert.deepEqual(seen, [...seen].sort());
  assert.equal(await store.count("/ns/"), 24 + 2);
  assert.equal(await store.count("/nsx/"), 1);
  assert.equal((await store.list("")).items.length, 28);
  const full = await store.list("/ns/", { limit: 100 });
  assert.equal(full.remaining, 0);
});

test("prefixEnd bounds a prefix range", () => {
  assert.equal(prefixEnd("/a/"), "/a0");
  assert.ok("/a/zzz" < prefixEnd("/a/"));
  assert.ok("/a0" >= prefixEnd("/a/"));
  assert.equal(prefixEnd(""), "\u{10FFFF}");
});

test("group commit: concurrent writes share transactions and all are acknowledged", async (t) => {
  const { store } = await openLog(t);
  const before = await store.stats();
  const n = 1000;
  const started = performance.now();
  const kvs = await Promise.all(Array.from({ length: n }, (_, i) => store.create(`/gc/${i}`, `{"i":${i}}`)));
  const ms = performance.now() - started;
  const after = await store.stats();
  const txns = (after.transactions ?? 0) - (before.transactions ?? 0);
  assert.equal((after.writes ?? 0) - (before.writes ?? 0), n);
  assert.ok(txns >= 1 && txns <= 10, `expected few transactions for ${n} concurrent creates, got ${txns}`);
  assert.deepEqual(
    kvs.map((k) => k.modRevision).sort((x, y) => x - y),
    Array.from({ length: n }, (_, i) => i + 1),
  );
  assert.equal(await store.count("/gc/"), n);
  t.diagnostic(`${n} concurrent creates in ${ms.toFixed(0)} ms over ${txns} transactions (${Math.round((n / ms) * 1000)}/s)`);
});

test("group commit: a failed CAS inside a batch fails only that write", async (t) => {
  const { store } = await openLog(t);
  const a = await store.create("/b/a", "1");
  const results = await Promise.allSettled([
    store.update(a.key, "2", a.modRevision),
    store.update(a.key, "3", a.modRevision), // same expected revision: loses to the first
    store.create("/b/a", "dup"),
    store.create("/b/new", "x"),
    store.delete("/b/missing"),
  ]);
  assert.deepEqual(results.map((r) => r.status), ["fulfilled", "rejected", "rejected", "fulfilled", "rejected"]);
  assert.ok((results[1] as PromiseRejectedResult).reason instanceof RevisionConflictError);
  assert.equal(((results[1] as PromiseRejectedResult).reason as RevisionConflictError).current.value, "2");
  assert.ok((results[2] as PromiseRejectedResult).reason instanceof KeyExistsError);
  assert.ok((results[4] as PromiseRejectedResult).reason instanceof KeyNotFoundError);
  // Revisions stay contiguous: failures consume none.
  assert.equal(store.currentRevision(), 3);
  assert.equal((await store.get(a.key))?.value, "2");
});

function collector() {
  const events: StoreEvent[] = [];
  return { events, onEvents: (evs: StoreEvent[]) => void events.push(...evs) };
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test("watch delivers create, update and delete with prevKv, filtered by prefix", async (t) => {
  const { store } = await openLog(t);
  const c = collector();
  const w = await store.watch("/w/", { fromRevision: 0, onEvents: c.onEvents });
  const a = await store.create("/w/a", "1");
  await store.create("/other/x", "1");
  await store.update(a.key, "2", a.modRevision);
  await store.delete(a.key);
  await until(() => c.events.length === 3, "3 events");
  assert.deepEqual(
    c.events.map((e) => [e.type, e.kv.value, e.kv.modRevision, e.prevKv?.value]),
    [["create", "1", 1, undefined], ["update", "2", 3, "1"], ["delete", "2", 4, "2"]],
  );
  w.close();
  w.close();
  await store.create("/w/b", "1");
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(c.events.length, 3);
});

test("watch from an old revision replays from SQLite then switches to live without gaps or duplicates", async (t) => {
  // A tiny ring forces replays through the database while writes continue.
  const { store } = await openLog(t, { ringMaxEvents: 50 });
  const prefixes = ["/x/", "/y/"];
  const written: Array<{ key: string; rev: number }> = [];
  for (let i = 0; i < 400; i++) {
    const kv = await store.create(`${prefixes[i % 2]}${i}`, `v${i}`);
    written.push({ key: kv.key, rev: kv.modRevision });
  }
  const watches: Array<{ prefix: string; from: number; events: StoreEvent[] }> = [];
  const startWatch = async (prefix: string, from: number) => {
    const c = collector();
    watches.push({ prefix, from, events: c.events });
    const w = await store.watch(prefix, { fromRevision: from, onEvents: c.onEvents, onError: (e) => assert.fail(e) });
    t.after(() => w.close());
  };
  // Concurrent writers (batches of updates) while watches start at various points in history.
  const writer = (async () => {
    for (let round = 0; round < 30; round++) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, (_, j) => store.create(`${prefixes[j % 2]}r${round}-${j}`, "w")),
      );
      for (const kv of batch) written.push({ key: kv.key, rev: kv.modRevision });
      await new Promise((r) => setImmediate(r));
    }
  })();
  await startWatch("/x/", 0);
  await startWatch("/y/", 10);
  await startWatch("/", 200);
  await new Promise((r) => setTimeout(r, 1));
  await startWatch("/x/", store.currentRevision() - 30);
  await startWatch("/y/", store.currentRevision());
  await writer;
  const last = store.currentRevision();
  for (const w of watches) {
    const expected = written.filter((x) => x.key.startsWith(w.prefix) && x.rev > w.from).map((x) => x.rev).sort((p, q) => p - q);
    await until(() => (w.events.at(-1)?.kv.modRevision ?? w.from) >= expected.at(-1)!, `watch ${w.prefix}@${w.from} to reach ${last}`);
    assert.deepEqual(w.events.map((e) => e.kv.modRevision), expected, `watch ${w.prefix} from ${w.from}`);
  }
  assert.equal((await store.stats()).watchers, watches.length);
});

test("compaction drops old history; older reads and watches get CompactedError", async (t) => {
  const { store } = await openLog(t);
  const a = await store.create("/c/a", "0");
  let cur = a;
  for (let i = 1; i <= 50; i++) cur = await store.update(a.key, String(i), cur.modRevision);
  const b = await store.create("/c/b", "b");
  await store.delete(b.key);
  const gone = await store.create("/c/gone", "g");
  await store.delete(gone.key);
  const keep = await store.create("/c/keep", "k");
  const rowsBefore = (await store.stats()).rows;
  const compactAt = store.currentRevision() - 1; // just before /c/keep's create... of the last write
  await store.compact(compactAt);
  assert.equal(store.compactRevision(), compactAt);
  const rowsAfter = (await store.stats()).rows;
  assert.ok(rowsAfter <= 2, `expected only the newest rows to survive, got ${rowsAfter} of ${rowsBefore}`);

  await assert.rejects(store.get(a.key, 10), CompactedError);
  await assert.rejects(store.list("/c/", { revision: compactAt - 1 }), CompactedError);
  await assert.rejects(store.watch("/c/", { fromRevision: compactAt - 1, onEvents: () => undefined }), CompactedError);
  // At and after the compact revision everything is intact.
  assert.deepEqual((await store.list("/c/", { revision: compactAt })).items.map((i) => [i.key, i.value]), [["/c/a", "50"]]);
  assert.deepEqual((await store.list("/c/")).items.map((i) => i.key), ["/c/a", "/c/keep"]);
  const c = collector();
  await store.watch("/c/", { fromRevision: compactAt, onEvents: c.onEvents });
  await until(() => c.events.length === 1, "replayed create");
  assert.equal(c.events[0]!.kv.modRevision, keep.modRevision);
  // Updates after compaction still carry their prevKv.
  await store.update(a.key, "51", cur.modRevision);
  await until(() => c.events.length === 2, "live update");
  assert.equal(c.events[1]!.prevKv?.value, "50");
  // Compacting backwards is a no-op; beyond current is refused.
  await store.compact(1);
  assert.equal(store.compactRevision(), compactAt);
  await assert.rejects(store.compact(store.currentRevision() + 5), FutureRevisionError);
});

test("repeated compactions keep one row per live key and never bring a deleted key back", async (t) => {
  const { store } = await openLog(t);
  const a = await store.create("/r/a", "v1");
  const b = await store.create("/r/b", "b1");
  await store.compact(store.currentRevision());
  await store.delete(a.key);
  let cur = b;
  for (let i = 2; i <= 5; i++) cur = await store.update(b.key, `b${i}`, cur.modRevision);
  await store.compact(store.currentRevision());
  assert.equal(await store.get(a.key), undefined, "a deleted key stays deleted after its tombstone is compacted");
  assert.deepEqual((await store.list("/r/")).items.map((i) => [i.key, i.value]), [["/r/b", "b5"]]);
  // Each later compaction leaves exactly one row per live key, whatever earlier ones kept.
  for (let round = 0; round < 3; round++) {
    cur = await store.update(b.key, `b-round-${round}`, cur.modRevision);
    await store.compact(store.currentRevision());
  }
  assert.equal((await store.stats()).rows, 1);
  assert.equal((await store.get(b.key))?.value, "b-round-2");
});

test("compaction of the newest row keeps revisions increasing across reopen", async (t) => {
  const dir = tempDir(t);
  {
    const driver = await openSqliteDriver({ dir, logger: quiet });
    const store = new RevisionLog(driver, { logger: quiet });
    const a = await store.create("/k", "1");
    await store.delete(a.key);
    await store.compact(store.currentRevision());
    assert.equal((await store.stats()).rows, 0);
    await store.close();
  }
  const driver = await openSqliteDriver({ dir, logger: quiet });
  const store = new RevisionLog(driver, { logger: quiet });
  t.after(() => store.close());
  assert.equal(store.currentRevision(), 2);
  assert.equal((await store.create("/k", "again")).modRevision, 3);
});

test("a replaying watcher overtaken by compaction ends with CompactedError", async (t) => {
  const { store } = await openLog(t, { ringMaxEvents: 10 });
  const a = await store.create("/r/a", "0");
  let cur = a;
  for (let i = 0; i < 1200; i++) cur = await store.update(a.key, String(i), cur.modRevision);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let batches = 0;
  const err = await new Promise<Error>((resolve) => {
    void store.watch("/r/", {
      fromRevision: 1,
      // Hold the first replay page until compaction has run.
      onEvents: () => {
        batches++;
        return gate;
      },
      onError: resolve,
    });
    void (async () => {
      await until(() => batches === 1, "first replay page");
      await store.compact(store.currentRevision() - 5);
      release();
    })();
  });
  assert.ok(err instanceof CompactedError, String(err));
});

test("a watcher that cannot keep up is ended with WatchOverflowError and never blocks writers", async (t) => {
  const { store } = await openLog(t, { watcherMaxQueuedEvents: 20 });
  let errored: Error | undefined;
  const stuck = new Promise<void>(() => undefined);
  await store.watch("/s/", { fromRevision: 0, onEvents: () => stuck, onError: (e) => (errored = e) });
  for (let i = 0; i < 30; i++) await store.create(`/s/${i}`, "x");
  await until(() => errored !== undefined, "overflow");
  assert.ok(errored instanceof WatchOverflowError);
  assert.equal((await store.stats()).watchers, 0);
});

test("a second open of the same data dir fails clearly; close releases it", async (t) => {
  const dataDir = tempDir(t);
  const store = await openStore({ dataDir, logger: quiet });
  await store.create("/a", "1");
  await assert.rejects(openStore({ dataDir, logger: quiet }), (err: Error) => {
    assert.match(err.message, /another kube-lite server is using .*server\/db\/state\.db/);
    return true;
  });
  assert.equal(statSync(storeDir(dataDir)).mode & 0o777, 0o700);
  await store.close();
  await assert.rejects(store.create("/b", "1"), /closed/);
  const again = await openStore({ dataDir, logger: quiet });
  t.after(() => again.close());
  assert.equal((await again.get("/a"))?.value, "1");
  assert.equal((await again.create("/b", "2")).modRevision, 2);
});

test("a stale .lock directory from a dead process is removed on open", async (t) => {
  const dataDir = tempDir(t);
  const first = await openStore({ dataDir, logger: quiet });
  await first.create("/a", "1");
  await first.close();
  const lock = join(storeDir(dataDir), "state.db.lock");
  mkdirSync(lock);
  const store = await openStore({ dataDir, logger: quiet });
  t.after(() => store.close());
  assert.equal((await store.get("/a"))?.value, "1");
  await store.create("/b", "2");
  assert.ok(existsSync(lock), "the live store holds its own lock");
});

test("close commits writes already accepted", async (t) => {
  const { store, dir } = await openLog(t);
  const writes = Array.from({ length: 50 }, (_, i) => store.create(`/cl/${i}`, "x"));
  await store.close();
  assert.equal((await Promise.all(writes)).length, 50);
  const driver = await openSqliteDriver({ dir, logger: quiet });
  const reopened = new RevisionLog(driver, { logger: quiet });
  t.after(() => reopened.close());
  assert.equal(await reopened.count("/cl/"), 50);
});

test("file size stays bounded: compaction plus maintenance reclaims the history of many updates", async (t) => {
  const { store, driver } = await openLog(t);
  const keys = 100;
  const rounds = 200;
  const value = "x".repeat(300);
  let kvs = await Promise.all(Array.from({ length: keys }, (_, i) => store.create(`/size/${i}`, value)));
  for (let r = 0; r < rounds; r++) kvs = await Promise.all(kvs.map((kv) => store.update(kv.key, value + r, kv.modRevision)));
  await store.maintain();
  const grown = await store.stats();
  const compactor = new Compactor(store, { windowRevisions: 1000, logger: quiet });
  const result = await compactor.runOnce();
  assert.equal(result.compacted, true);
  assert.equal(result.compactRevision, store.currentRevision() - 1000);
  const shrunk = await store.stats();
  t.diagnostic(`rows ${grown.rows} → ${shrunk.rows}; db+wal ${grown.dbBytes + grown.walBytes} → ${shrunk.dbBytes + shrunk.walBytes} bytes`);
  assert.ok(shrunk.rows <= 1000 + keys);
  assert.equal(shrunk.walBytes, 0);
  assert.ok(shrunk.dbBytes + shrunk.walBytes < (grown.dbBytes + grown.walBytes) / 5, "file shrank by far");
  assert.equal(driver.integrityCheck(), "ok");
  // Still correct after reclaiming pages.
  assert.equal(await store.count("/size/"), keys);
  assert.equal((await store.get("/size/7"))?.value, value + (rounds - 1));
});

test("a watch from a future revision waits for it", async (t) => {
  const { store } = await openLog(t);
  await store.create("/f/a", "1");
  const c = collector();
  await store.watch("/f/", { fromRevision: 3, onEvents: c.onEvents });
  await store.create("/f/b", "2");
  await store.create("/f/c", "3");
  await store.create("/f/d", "4");
  await until(() => c.events.length === 1, "event after revision 3");
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(c.events.map((e) => e.kv.key), ["/f/d"]);
});

test("group commit splits a burst of large values into several transactions", async (t) => {
  const { store } = await openLog(t);
  const big = "x".repeat(1024 * 1024);
  const before = (await store.stats()).transactions ?? 0;
  await Promise.all(Array.from({ length: 20 }, (_, i) => store.create(`/big/${i}`, big)));
  const txns = ((await store.stats()).transactions ?? 0) - before;
  assert.ok(txns >= 2 && txns <= 5, `20 MiB of values in ${txns} transactions`);
  assert.equal((await store.get("/big/19"))?.value.length, big.length);
});

test("the compactor runs on its timer and keeps the window", async (t) => {
  const dataDir = tempDir(t);
  const store = await openStore({ dataDir, logger: quiet, compaction: { intervalMs: 30, windowRevisions: 10 } });
  t.after(() => store.close());
  let kv = await store.create("/t/a", "0");
  for (let i = 0; i < 40; i++) kv = await store.update(kv.key, String(i), kv.modRevision);
  await until(() => store.compactRevision() > 0, "timed compaction");
  assert.ok(store.compactRevision() <= store.currentRevision() - 10);
  assert.equal((await store.get("/t/a"))?.value, "39");
});

test("every operation logs one trace line with inputs and results, never values", async (t) => {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: "trace" }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  const { store } = await openLog(t, { logger });
  const secret = "s3cr3t-value";
  const a = await store.create("/l/a", secret);
  await store.update(a.key, secret + "2", a.modRevision);
  await assert.rejects(store.update(a.key, secret, a.modRevision), RevisionConflictError);
  await store.get(a.key);
  await store.list("/l/", { limit: 1 });
  await store.count("/l/");
  await store.delete(a.key);
  const w = await store.watch("/l/", { fromRevision: store.currentRevision(), onEvents: () => undefined });
  w.close();
  await store.compact(1);
  await store.stats();
  const ops = lines.filter((l) => l.level === 10).map((l) => l.op);
  assert.deepEqual(ops, ["create", "update", "update", "get", "list", "count", "delete", "watch", "compact", "stats"]);
  const conflict = lines.find((l) => l.op === "update" && l.err === "RevisionConflictError");
  assert.equal(conflict?.currentModRevision, 2);
  assert.equal(conflict?.storeKey, "/l/a");
  assert.ok(!lines.some((l) => JSON.stringify(l).includes(secret)), "values never logged");
});
