// Crash safety: a child process writes a stream of creates (plus updates and compactions) and prints
// each acknowledged write; we SIGKILL it mid-stream, reopen the store and check that every
// acknowledged write survived, revisions keep increasing, the file passes integrity_check, and a
// watch from an old revision replays or reports compaction. Repeated on the same data dir.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawn } from "node:child_process";
import { pino } from "pino";
import { openSqliteDriver } from "../../src/server/storage/sqlite-driver.js";
import { RevisionLog } from "../../src/server/storage/revision-log.js";
import { storeDir } from "../../src/server/storage/index.js";
import { CompactedError, type StoreEvent } from "../../src/server/storage/types.js";

const repo = resolve(".");
const ROUNDS = 4;
const quiet = pino({ level: "silent" });

const WRITER = `
import { openStore } from ${JSON.stringify(join(repo, "src/server/storage/index.ts"))};
const [dataDir, round] = process.argv.slice(2);
const store = await openStore({ dataDir: dataDir! });
process.stdout.write("ready\\n");
let i = 0;
const IN_FLIGHT = 64;
async function one(): Promise<void> {
  for (;;) {
    const n = i++;
    const key = "/crash/" + round + "/" + n;
    const kv = await store.create(key, JSON.stringify({ n, pad: "x".repeat(200) }));
    process.stdout.write("ack " + key + " " + kv.modRevision + "\\n");
    if (n % 7 === 0) {
      const up = await store.update(key, JSON.stringify({ n, updated: true }), kv.modRevision);
      process.stdout.write("ack " + key + " " + up.modRevision + "\\n");
    }
    // Compaction and checkpoints while writes continue, so kills also land in them.
    if (n % 1500 === 0 && store.currentRevision() > 600) {
      await store.compact(store.currentRevision() - 500);
      await store.maintain();
    }
  }
}
await Promise.all(Array.from({ length: IN_FLIGHT }, one));
`;

interface Ack {
  key: string;
  revision: number;
}

/** Runs the writer until it has acknowledged `killAfter` writes, then SIGKILLs it. */
function runAndKill(script: string, dataDir: string, round: number, killAfter: number): Promise<Ack[]> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, dataDir, String(round)], { cwd: repo, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, KUBE_LITE_LOG_LEVEL: "warn" } });
    const acks: Ack[] = [];
    let buf = "";
    let stderr = "";
    let killed = false;
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = /^ack (\S+) (\d+)$/.exec(line);
        if (m) acks.push({ key: m[1]!, revision: Number(m[2]) });
      }
      if (!killed && acks.length >= killAfter) {
        killed = true;
        child.kill("SIGKILL");
      }
    });
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL") resolvePromise(acks);
      else reject(new Error(`writer exited on its own (code ${code}): ${stderr}`));
    });
  });
}

test("acknowledged writes survive SIGKILL, repeatedly", { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "kube-lite-crash-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, "writer.mts");
  writeFileSync(script, WRITER);
  const dataDir = join(dir, "data");
  const latest = new Map<string, number>();
  let highest = 0;

  for (let round = 0; round < ROUNDS; round++) {
    // Kill at a different point each round: early (little written) to late (after compactions).
    const killAfter = 300 + round * 1500 + Math.floor(Math.random() * 500);
    const acks = await runAndKill(script, dataDir, round, killAfter);
    assert.ok(acks.length >= killAfter, `round ${round}: ${acks.length} acks`);
    for (const a of acks) {
      latest.set(a.key, Math.max(latest.get(a.key) ?? 0, a.revision));
      highest = Math.max(highest, a.revision);
    }
    assert.ok(existsSync(join(storeDir(dataDir), "state.db.lock")), "the killed writer left its lock directory behind");

    const driver = await openSqliteDriver({ dir: storeDir(dataDir), logger: quiet });
    const store = new RevisionLog(driver, { logger: quiet });
    try {
      assert.equal(driver.integrityCheck(), "ok", `round ${round}: integrity`);
      assert.ok(store.currentRevision() >= highest, `round ${round}: current ${store.currentRevision()} < acknowledged ${highest}`);
      for (const [key, revision] of latest) {
        const kv = await store.get(key);
        assert.ok(kv, `round ${round}: acknowledged ${key} lost`);
        assert.ok(kv.modRevision >= revision, `round ${round}: ${key} at ${kv.modRevision}, acknowledged ${revision}`);
      }
      // Revisions continue past everything written before the crash.
      const next = await store.create(`/after/${round}`, "x");
      assert.ok(next.modRevision > store.compactRevision() && next.modRevision > highest);
      highest = next.modRevision;
      latest.set(next.key, next.modRevision);

      // A watch from an old revision replays history in order, or reports it compacted.
      t.diagnostic(`round ${round}: ${acks.length} acks, revision ${store.currentRevision()}, compact ${store.compactRevision()}`);
      for (const from of [1, store.compactRevision(), Math.max(store.compactRevision(), store.currentRevision() - 50)]) {
        if (from < store.compactRevision()) {
          await assert.rejects(store.watch("/crash/", { fromRevision: from, onEvents: () => undefined }), CompactedError);
          continue;
        }
        const events: StoreEvent[] = [];
        const w = await store.watch("/crash/", { fromRevision: from, onEvents: (evs) => void events.push(...evs) });
        const expected = (await store.list("/crash/")).items.filter((kv) => kv.modRevision > from).length;
        const deadline = Date.now() + 10_000;
        while (new Set(events.map((e) => e.kv.key)).size < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        w.close();
        const revs = events.map((e) => e.kv.modRevision);
        assert.ok(revs.every((r, i) => r > from && (i === 0 || r > revs[i - 1]!)), "replay in strictly increasing revision order");
        assert.equal(new Set(events.map((e) => e.kv.key)).size, expected, `replay from ${from} covers every key written after it`);
      }
    } finally {
      await store.close();
    }
  }
});
